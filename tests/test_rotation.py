"""Exchange/rotation (交流轮岗): the home school applies → both authorities approve → the diagram's timers,
fired by the scheduler, set 人员状态 to 205 on the start date and back on the end date; the host school sees
the visiting teacher; host = home and bad months are refused; a return ends it; the waiting rotation does
not lock the record, a transfer waits for it to end."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

import workflows
from models import ProcessInstance, RecordItem, RecordVersion, Teacher, db
from models.mobility import Rotation
from records import changes, review, rotation, transfers
from scheduler.tick import run_tick
from tests.journey_helpers import open_task, org, user
from tests.test_transfers import effective_teacher, login

CHINA = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHINA)


VALUES = {"host_code": "2146000004", "rotation_type": "20", "moves_relationship": "0",
          "start_month": "2026-04", "end_month": "2026-07"}


def applied(t, **changes_):
    with workflows.frozen_clock(at("2026-03-10T10:00")):
        out = rotation.apply(user("2146000001_info"), t, {**VALUES, **changes_})
    assert out.ok, (out.message, out.problems)
    return out.rotation


def decide(username, teacher_id, decision="approve", reason=""):
    with workflows.frozen_clock(at("2026-03-11T10:00")):
        return review.decide(user(username), open_task(teacher_id).id, decision, reason)


def status(teacher_id):
    return db.session.get(Teacher, teacher_id).basic.get("personnel_status")


def test_both_authorities_approve_and_timers_drive_the_status(province):
    _, t = effective_teacher()
    row = applied(t)
    task = open_task(t.id)
    assert task.task_key == "rotation_home_review" and task.candidate_org_id == org("460105").id
    assert decide("460105_info", t.id).ok
    task = open_task(t.id)
    assert task.task_key == "rotation_host_review" and task.candidate_org_id == org("460106").id
    assert decide("460106_info", t.id).ok
    row = db.session.get(Rotation, row.id)
    assert row.state == "approved" and status(t.id) == "100"
    instance = db.session.get(ProcessInstance, row.instance_id)
    assert instance.next_due_at == at("2026-04-01T00:00")
    versions = db.session.scalar(select(func.count()).select_from(RecordVersion).where(RecordVersion.teacher_id == t.id))

    run_tick(at("2026-03-31T23:00"))            # not yet
    assert status(t.id) == "100"
    lines = run_tick(at("2026-04-01T00:05")).lines
    assert any("开始日期" in line for line in lines), lines
    assert status(t.id) == "205" and db.session.get(Rotation, row.id).state == "active"
    assert db.session.scalar(select(func.count()).select_from(RecordVersion)
                             .where(RecordVersion.teacher_id == t.id)) == versions + 1
    item = db.session.scalars(select(RecordItem).where(RecordItem.teacher_id == t.id,
                                                       RecordItem.set_key == "rotation")).one()
    assert item.values["host_unit"] == "海口市龙华区石山中心小学" and item.values["start"] == "2026-04"

    # the host school sees the visiting teacher, read-only; the record stays in the home school's scope
    host = province.test_client()
    login(host, "2146000004_info")
    page = host.get("/rotations").get_data(as_text=True)
    assert "来本校交流的教师" in page and t.name in page
    assert host.get(f"/rotations/{row.id}").status_code == 200
    assert host.get(f"/teachers/{t.id}").status_code == 404
    # the record is not locked while the rotation waits for its end; a transfer is refused until it ends
    assert changes.holding_flow(t.id) is None
    refused = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-05", "")
    assert not refused.ok and "交流轮岗" in refused.message

    run_tick(at("2026-07-31T23:00"))
    assert status(t.id) == "205"
    runner = province.test_cli_runner()
    result = runner.invoke(args=["scheduler", "tick", "--now", "2026-08-01T00:05+08:00"])
    assert result.exit_code == 0 and "结束日期" in result.output, result.output
    db.session.expire_all()
    assert status(t.id) == "100" and db.session.get(Rotation, row.id).state == "finished"
    assert db.session.get(ProcessInstance, row.instance_id).status == "completed"


def test_same_authority_approves_once(province):
    _, t = effective_teacher()
    row = applied(t, host_code="2146000002", rotation_type="13")
    assert decide("460105_info", t.id).ok
    assert db.session.get(Rotation, row.id).state == "approved"


def test_refusals(province):
    _, t = effective_teacher()
    with workflows.frozen_clock(at("2026-03-10T10:00")):
        same = rotation.apply(user("2146000001_info"), t, {**VALUES, "host_code": "2146000001"})
        assert not same.ok and "须与原单位不同" in same.problems["host_code"]
        bad = rotation.apply(user("2146000001_info"), t, {**VALUES, "start_month": "2026-02", "end_month": "2025-1",
                                                          "rotation_type": "00", "moves_relationship": ""})
        assert set(bad.problems) == {"start_month", "end_month", "rotation_type", "moves_relationship"}
        backwards = rotation.apply(user("2146000001_info"), t, {**VALUES, "end_month": "2026-03"})
        assert "不能早于开始年月" in backwards.problems["end_month"]
        unknown = rotation.apply(user("2146000001_info"), t, {**VALUES, "host_code": "9999"})
        assert "不是已登记的学校" in unknown.problems["host_code"]
        # the type must match the schools: 2146000004 is in 龙华区, 2146000002 in the same 秀英区
        in_county = rotation.apply(user("2146000001_info"), t, {**VALUES, "rotation_type": "11"})
        assert "不在同一县域" in in_county.problems["rotation_type"], in_county.problems
        across = rotation.apply(user("2146000001_info"), t, {**VALUES, "host_code": "2146000002", "rotation_type": "20"})
        assert "在同一县域" in across.problems["rotation_type"], across.problems
        other_school = rotation.apply(user("2146000004_info"), t, VALUES)
        assert not other_school.ok and "所在学校的信息管理员" in other_school.message
    assert db.session.scalar(select(func.count()).select_from(Rotation)) == 0


def test_a_return_ends_the_rotation(province):
    _, t = effective_teacher()
    row = applied(t)
    assert decide("460105_info", t.id).ok
    assert decide("460106_info", t.id, "return", "接收学校编制已满").ok
    row = db.session.get(Rotation, row.id)
    assert row.state == "returned" and row.returned_step == "接收审核单位审核" and "编制" in row.return_reason
    assert rotation.apply_refusal(user("2146000001_info"), db.session.get(Teacher, t.id)) is None
    assert status(t.id) == "100"


def test_over_http(province):
    _, t = effective_teacher()
    client = province.test_client()
    login(client, "2146000001_info")
    assert "申请交流轮岗" in client.get(f"/teachers/{t.id}").get_data(as_text=True)
    with workflows.frozen_clock(at("2026-03-10T10:00")):
        resp = client.post(f"/teachers/{t.id}/rotation", data=VALUES)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:600]
    row = db.session.scalars(select(Rotation)).one()
    authority = province.test_client()
    login(authority, "460105_info")
    page = authority.get(f"/tasks/{open_task(t.id).id}", follow_redirects=True).get_data(as_text=True)
    assert "派出审核单位审核" in page and "跨县域交流" in page
    other = province.test_client()
    login(other, "460107_info")
    assert other.get(f"/rotations/{row.id}").status_code == 404
