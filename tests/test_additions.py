"""Additions: a teacher adds a training to an effective record → school review → a new version."""
from __future__ import annotations


from models import RecordItem, RecordVersion, Teacher, db
from models.changes import ChangeRequest
from records import additions, changes, review, service
from tests.journey_helpers import PASSWORD, complete_basic, login, new_teacher, open_task, user

TRAINING = {"year": "2025", "training_type": "2", "name": "海南省中小学教师信息技术能力提升培训", "way": "1", "hours": "24"}


def effective_teacher(seq=10):
    u = new_teacher("2146000001", "补充", seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    return u, db.session.get(Teacher, t.id)


def trainings(teacher_id):
    return db.session.query(RecordItem).filter_by(teacher_id=teacher_id, set_key="training").count()


def test_addition_approved_by_the_school_joins_the_record_as_a_new_version(province):
    u, t = effective_teacher()
    out = additions.propose(u, t, "training", TRAINING)
    assert out.ok, out.problems
    assert trainings(t.id) == 0                      # pending rows are not part of the record
    task = open_task(t.id)
    assert task.task_key == "addition_review" and task.candidate_org_id == t.org_id
    assert review.decide(user("2146000001_info"), task.id, "approve").ok
    assert trainings(t.id) == 1
    assert db.session.query(RecordVersion).filter_by(teacher_id=t.id).count() == 2
    assert additions.submissions(t.id)[0].state == "applied"


def test_return_then_revise_or_withdraw(province):
    u, t = effective_teacher()
    assert additions.propose(u, t, "training", TRAINING).ok
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "return", "学时与证书不符").ok
    change = additions.submissions(t.id)[0]
    assert change.state == "returned" and change.return_reason == "学时与证书不符"
    assert open_task(t.id).task_key == "revise_addition"
    assert additions.revise(u, change, {**TRAINING, "hours": "16"}).ok
    assert db.session.get(ChangeRequest, change.id).proposed["hours"] in ("16", 16)
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "return", "仍不符").ok
    assert additions.revise(u, db.session.get(ChangeRequest, change.id), None, withdraw=True).ok
    assert db.session.get(ChangeRequest, change.id).state == "withdrawn" and trainings(t.id) == 0


def test_refusals_name_what_holds_the_record(province):
    u, t = effective_teacher()
    # the school may not add for the teacher; school-only sets are refused to the teacher
    assert not additions.propose(user("2146000001_info"), t, "training", TRAINING).ok
    assert "由学校填写" in additions.propose(u, t, "assessment", {"year": "2025"}).message
    assert additions.propose(u, t, "training", TRAINING).ok
    second = additions.propose(u, db.session.get(Teacher, t.id), "training", {**TRAINING, "name": "另一次培训"})
    assert not second.ok and "审核中" in second.message
    # a change request cannot start while the addition is open: the message names the flow
    refused = changes.propose(user("2146000001_info"), db.session.get(Teacher, t.id), {"health": "2"}, "", None)
    assert not refused.ok and "教师信息补充" in refused.message


def test_bad_row_is_refused_field_by_field(province):
    u, t = effective_teacher()
    out = additions.propose(u, t, "training", {**TRAINING, "hours": "很多", "year": "2999"})
    assert not out.ok and "hours" in out.problems and "year" in out.problems
    assert db.session.query(ChangeRequest).count() == 0


def test_teacher_adds_over_http_and_sees_the_state(province):
    u, t = effective_teacher()
    client = province.test_client()
    client.post("/login", data={"username": u.username, "password": service.initial_teacher_password(u.username)})
    client.post("/password", data={"old_password": service.initial_teacher_password(u.username),
                                   "new_password": "Newpass123", "confirm": "Newpass123"})
    page = client.get(f"/teachers/{t.id}").get_data(as_text=True)
    assert "补充一条信息" in page
    resp = client.post(f"/teachers/{t.id}/additions/training", data=TRAINING)
    assert resp.status_code == 302
    page = client.get(f"/teachers/{t.id}").get_data(as_text=True)
    assert "我补充的信息" in page and "待学校审核" in page and "国内培训" in page
    school = province.test_client()
    school.post("/login", data={"username": "2146000001_info", "password": PASSWORD})
    task_page = school.get(f"/tasks/{open_task(t.id).id}").get_data(as_text=True)
    assert "海南省中小学教师信息技术能力提升培训" in task_page


def test_two_additions_of_one_teacher_each_keep_their_own_flow(province):
    """A training and a work row proposed by one teacher run side by side: each review task shows and applies
    its own row, a return lands on the right one and the teacher can revise or withdraw it (the steps used
    to pick the teacher's newest request, so the wrong row was applied and the other was stuck)."""
    from flask import current_app
    from models import HumanTask
    from sqlalchemy import select
    u, t = effective_teacher(seq=12)
    assert additions.propose(u, t, "training", TRAINING).ok
    work = {"unit": "海口市第一小学", "start": "2010-09", "end": "2012-08"}
    assert additions.propose(u, db.session.get(Teacher, t.id), "work", work).ok
    by_set = {c.set_key: c for c in additions.submissions(t.id)}
    tasks = {task.instance_id: task for task in db.session.scalars(
        select(HumanTask).where(HumanTask.subject_teacher_id == t.id, HumanTask.task_key == "addition_review"))}
    training_task, work_task = tasks[by_set["training"].instance_id], tasks[by_set["work"].instance_id]

    # each task page shows its own row
    client = current_app.test_client()
    login(client, "2146000001_info")
    assert TRAINING["name"] in client.get(f"/tasks/{training_task.id}").get_data(as_text=True)
    page = client.get(f"/tasks/{work_task.id}").get_data(as_text=True)
    assert "海口市第一小学" in page and TRAINING["name"] not in page

    # approving the training (the older one) applies the training, not the work row
    assert review.decide(user("2146000001_info"), training_task.id, "approve").ok
    assert trainings(t.id) == 1
    assert db.session.query(RecordItem).filter_by(teacher_id=t.id, set_key="work").count() == 0
    assert db.session.get(ChangeRequest, by_set["training"].id).state == "applied"
    assert db.session.get(ChangeRequest, by_set["work"].id).state == "pending"

    # the work row is returned, and the teacher withdraws it
    assert review.decide(user("2146000001_info"), work_task.id, "return", "起止年月与档案不符").ok
    returned = db.session.get(ChangeRequest, by_set["work"].id)
    assert returned.state == "returned" and returned.return_reason == "起止年月与档案不符"
    assert additions.revise(u, returned, None, withdraw=True).ok
    assert db.session.get(ChangeRequest, returned.id).state == "withdrawn"
    assert changes.holding_flow(t.id) is None          # nothing left holding the record


def test_a_training_of_99999_hours_is_refused(province):
    u, t = effective_teacher(seq=14)
    out = additions.propose(u, t, "training", {**TRAINING, "hours": "99999"})
    assert not out.ok and "超出范围：最多 2000" in out.problems["hours"]
    assert additions.propose(u, db.session.get(Teacher, t.id), "training", {**TRAINING, "hours": "2000"}).ok
