"""The collection and review flow through the product's services, on every shape of the tree."""
from __future__ import annotations

import pytest

from models import RecordVersion, Teacher, db
from records import review, service
from tests.journey_helpers import complete_basic, new_teacher, open_task, user

# (school, who reviews last, shape)
SHAPES = [
    ("2146000001", "460105", "district under a city"),
    ("2146000062", None, "county under the province"),
    ("3446000026", "460100", "city-run school"),
    ("3446000027", "3446000027", "province-run school reviews its own"),
    ("2146000073", "460300", "三沙: no districts"),
    ("2146000074", "460400", "儋州: no districts"),
]


def _authority_code(school_code):
    from orgs.authority import reviewing_authority
    from tests.journey_helpers import org
    return reviewing_authority(org(school_code)).code


@pytest.mark.parametrize("school, authority, shape", SHAPES)
def test_review_path(province, school, authority, shape):
    authority = authority or _authority_code(school)
    teacher_user = new_teacher(school, "测试教师")
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    assert teacher.state == "draft"

    out = service.save_basic(teacher_user, teacher, complete_basic(teacher_user), submit=True)
    assert out.ok, out
    assert db.session.get(Teacher, teacher.id).state == "submitted"
    assert teacher.is_locked or db.session.get(Teacher, teacher.id).is_locked

    task = open_task(teacher.id)
    assert task.task_key == "school_review" and task.candidate_org.code == school if hasattr(task, "candidate_org") else True
    assert review.decide(user(f"{school}_info"), task.id, "approve").ok
    assert db.session.get(Teacher, teacher.id).state == "school_approved"

    task = open_task(teacher.id)
    assert task.task_key == "authority_review"
    # another unit's administrator cannot act on it
    outsider = user("469002_info") if authority != "469002" else user("460105_info")
    refused = review.decide(outsider, task.id, "approve")
    assert not refused.ok
    assert review.decide(user(f"{authority}_info"), task.id, "approve").ok, shape
    t = db.session.get(Teacher, teacher.id)
    assert t.state == "effective" and t.effective_at is not None
    assert db.session.query(RecordVersion).filter_by(teacher_id=t.id).count() == 1


def test_return_loop_shows_reason_and_allows_resubmit(province):
    teacher_user = new_teacher("2146000001", "退回测试")
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    assert service.save_basic(teacher_user, teacher, complete_basic(teacher_user), submit=True).ok
    task = open_task(teacher.id)
    # a return needs a reason
    assert not review.decide(user("2146000001_info"), task.id, "return", "").ok
    assert review.decide(user("2146000001_info"), task.id, "return", "进本校年月有误").ok
    teacher = db.session.get(Teacher, teacher.id)
    assert teacher.state == "returned" and teacher.return_reason == "进本校年月有误"
    assert open_task(teacher.id).task_key == "fill"
    history = review.review_history(teacher.id)
    assert any((e.detail.get("data", e.detail)).get("reason") == "进本校年月有误" for e in history)
    # the filler corrects and submits again; the school now approves
    values = complete_basic(teacher_user) | {"joined_school_month": "2013-09"}
    assert service.save_basic(teacher_user, teacher, values, submit=True).ok
    assert db.session.get(Teacher, teacher.id).state == "submitted"
    assert review.decide(user("2146000001_info"), open_task(teacher.id).id, "approve").ok


def test_locked_while_under_review(province):
    teacher_user = new_teacher("2146000001", "锁定测试")
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    assert service.save_basic(teacher_user, teacher, complete_basic(teacher_user), submit=True).ok
    again = service.save_basic(teacher_user, db.session.get(Teacher, teacher.id), complete_basic(teacher_user), submit=False)
    assert not again.ok and "审核" in again.message


def test_completeness_check_lists_missing(province):
    teacher_user = new_teacher("2146000001", "缺项测试")
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    values = complete_basic(teacher_user)
    del values["ethnicity"], values["work_start_month"]
    out = service.save_basic(teacher_user, teacher, values, submit=True)
    assert not out.ok
    assert "ethnicity" in out.problems and "work_start_month" in out.problems
    assert db.session.get(Teacher, teacher.id).state == "draft"
    # a draft with the same gaps saves
    assert service.save_basic(teacher_user, teacher, values, submit=False).ok


def test_teaching_point_has_no_accounts(province):
    from models import User
    from tests.journey_helpers import org
    tp = org("TP214600000101")
    assert db.session.query(User).filter_by(org_id=tp.id).count() == 0


def test_school_cannot_act_on_another_schools_task(province):
    teacher_user = new_teacher("2146000001", "范围测试")
    teacher = db.session.get(Teacher, teacher_user.teacher_id)
    assert service.save_basic(teacher_user, teacher, complete_basic(teacher_user), submit=True).ok
    task = open_task(teacher.id)
    assert not review.decide(user("2146000002_info"), task.id, "approve").ok
    assert not review.decide(user("460106_info"), task.id, "approve").ok   # another county
    assert db.session.get(Teacher, teacher.id).state == "submitted"
