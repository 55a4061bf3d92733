"""Rows of the repeatable sets through the product's operations (records/items.py): who may enter
what, the row and cross-row checks, the completeness check before submitting, version snapshots."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import AuditEntry, RecordItem, RecordVersionItems, Teacher, db
from records import items, review, service
from tests.journey_helpers import STUDY_ROW, complete_basic, new_teacher, open_task, user


def teacher_of(u) -> Teacher:
    return db.session.get(Teacher, u.teacher_id)


@pytest.mark.parametrize("set_key", ["assessment", "pay", "ethics_assessment", "ethics_honour", "ethics_sanction",
                                     "title"])
def test_a_teacher_cannot_enter_a_school_only_set(province, set_key):
    u = new_teacher("2146000001", "只读测试")
    t = teacher_of(u)
    values = {"assessment": {"year": "2025", "result": "1"}, "title": {"title": "3", "start": "2015-09"}}.get(set_key, {})
    out = items.save_item(u, t, set_key, values)
    assert not out.ok and "由学校填写" in out.message and "教师本人不能" in out.message
    assert db.session.scalars(select(RecordItem)).all() == []
    # the school's information administrator may
    if set_key == "assessment":
        ok = items.save_item(user("2146000001_info"), t, "assessment", values)
        assert ok.ok, ok.problems
        item = db.session.get(RecordItem, ok.item_id)
        # a teacher can neither change nor delete it
        assert not items.save_item(u, t, "assessment", {"year": "2024", "result": "1"}, item.id).ok
        assert not items.delete_item(u, t, "assessment", item.id).ok
        assert db.session.get(RecordItem, item.id).values["year"] == "2025"


def test_teacher_adds_edits_and_deletes_rows_with_audit(province):
    u = new_teacher("2146000001", "增删测试")
    t = teacher_of(u)
    out = items.save_item(u, t, "work", {"unit": "海口市第一中学", "start": "2008-09", "end": "2012-08"})
    assert out.ok, out.problems
    first = out.item_id
    out = items.save_item(u, t, "work", {"unit": "东山中心小学", "start": "2012-09"})   # 至今
    assert out.ok, out.problems
    rows = items.items_of(t.id, "work")
    assert [r.position for r in rows] == [1, 2] and rows[0].entered_by_id == u.id
    # the older row may not be left open while a later one exists
    out = items.save_item(u, t, "work", {"unit": "海口市第一中学", "start": "2008-09", "end": ""}, first)
    assert not out.ok and "至今" in out.problems["end"] and "2012-09" in out.problems["end"]
    out = items.save_item(u, t, "work", {"unit": "海口市第一中学", "start": "2008-09", "end": "2012-07"}, first)
    assert out.ok
    assert db.session.get(RecordItem, first).values["end"] == "2012-07"
    assert items.delete_item(u, t, "work", first).ok
    assert [r.values["unit"] for r in items.items_of(t.id, "work")] == ["东山中心小学"]
    actions = [a for (a,) in db.session.execute(select(AuditEntry.action).where(AuditEntry.action.like("record_item%")))]
    assert actions == ["record_item_added", "record_item_added", "record_item_changed", "record_item_deleted"]


def test_row_problems_name_the_field_value_and_what_is_allowed(province):
    u = new_teacher("2146000001", "校验测试")
    out = items.save_item(u, teacher_of(u), "study", {**STUDY_ROW, "degree_level": "3", "study_mode": "火星"})
    assert not out.ok
    assert "学位层次“硕士”不对应" in out.problems["degree"] and "文学硕士学位" in out.problems["degree"]
    assert "“火星”不是可选的值" in out.problems["study_mode"] and "全脱产" in out.problems["study_mode"]
    assert items.items_of(teacher_of(u).id) == []


def test_others_cannot_enter(province):
    u = new_teacher("2146000001", "范围测试")
    t = teacher_of(u)
    other = new_teacher("2146000001", "别人", seq=20)
    assert "本人" in items.save_item(other, t, "work", {"unit": "x", "start": "2010-01"}).message
    assert not items.save_item(user("2146000002_info"), t, "work", {"unit": "x", "start": "2010-01"}).ok
    assert not items.save_item(user("460105_info"), t, "work", {"unit": "x", "start": "2010-01"}).ok
    assert items.save_item(user("2146000001_info"), t, "work", {"unit": "x", "start": "2010-01"}).ok


def test_a_set_that_does_not_apply_is_refused(province):
    u = new_teacher("2146000001", "类型测试")
    out = items.save_item(u, teacher_of(u), "no_such_set", {})
    assert not out.ok and "没有这个信息集" in out.message
    kg = new_teacher("1146000001", "幼儿园教师", seq=30)
    assert "没有这个信息集" in items.save_item(kg, teacher_of(kg), "teaching", {}).message


def test_contact_is_one_row(province):
    u = new_teacher("2146000001", "联系测试")
    t = teacher_of(u)
    assert items.save_item(u, t, "contact", {"mobile": "13800138000"}).ok
    out = items.save_item(u, t, "contact", {"mobile": "13900139000"})
    assert not out.ok and "只有一条" in out.message


def test_completeness_lists_every_missing_item_across_sets(province):
    u = new_teacher("2146000001", "完整性测试")
    t = teacher_of(u)
    values = complete_basic(u)          # adds the study row
    db.session.execute(RecordItem.__table__.delete())   # … which this test wants missing
    db.session.commit()
    del values["ethnicity"]
    items.save_item(u, t, "work", {"unit": "甲", "start": "2005-09"})
    items.save_item(u, t, "work", {"unit": "乙", "start": "2012-09"})
    out = service.save_basic(u, t, values, submit=True)
    assert not out.ok
    assert set(out.problems) == {"ethnicity", "set:study", "set:work"}
    assert "至少填写一条" in out.problems["set:study"]
    assert "甲" in out.problems["set:work"] and "至今" in out.problems["set:work"]
    assert teacher_of(u).state == "draft"
    # saving a draft does not ask for the sets
    assert service.save_basic(u, t, values, submit=False).ok


def test_locked_while_under_review_and_versioned_when_effective(province):
    u = new_teacher("2146000001", "版本测试")
    t = teacher_of(u)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    out = items.save_item(u, teacher_of(u), "work", {"unit": "甲", "start": "2005-09"})
    assert not out.ok and "审核" in out.message
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    snap = db.session.scalars(select(RecordVersionItems).where(RecordVersionItems.teacher_id == t.id)).one()
    assert snap.number == 1 and snap.items["study"][0]["education_institution"] == "海南师范大学"
    assert not items.save_item(user("2146000001_info"), teacher_of(u), "work", {"unit": "甲", "start": "2005-09"}).ok


def test_teacher_cannot_set_the_school_only_basic_field(province):
    u = new_teacher("2146000001", "工号测试")
    t = teacher_of(u)
    assert service.save_basic(u, t, complete_basic(u) | {"staff_number": "T001"}, submit=False).ok
    assert "staff_number" not in (teacher_of(u).basic or {})
    assert service.save_basic(user("2146000001_info"), teacher_of(u), complete_basic(u) | {"staff_number": "T001"},
                              submit=False).ok
    assert teacher_of(u).basic["staff_number"] == "T001"
