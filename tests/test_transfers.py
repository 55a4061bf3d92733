"""Transfers (调动): receiving school applies → receiving authority → sending school → sending authority
→ the record (versions, set rows, personal number, login) moves; within a county, across counties, across
two cities; same school, wrong name, record not effective and a record held by another flow are refused;
any step returns with a reason and ends the transfer; the registration duplicate check offers it."""
from __future__ import annotations

from sqlalchemy import func, select

from models import AuditEntry, HumanTask, Notification, RecordItem, RecordVersion, RecordVersionItems, Teacher, User, db
from models.mobility import Transfer
from records import changes, review, service, transfers
from tests.journey_helpers import complete_basic, login, make_id, new_teacher, open_task, org, user


def effective_teacher(school="2146000001", authority="460105", name="郑秋雨", seq=10):
    u = new_teacher(school, name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user(f"{school}_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user(f"{authority}_info"), open_task(t.id).id, "approve").ok
    return u, db.session.get(Teacher, t.id)


def approve(username, teacher_id, key):
    task = open_task(teacher_id)
    assert task.task_key == key, (task.task_key, key)
    outcome = review.decide(user(username), task.id, "approve")
    assert outcome.ok, outcome.message


def test_transfer_across_two_cities_moves_the_record_with_its_history(province):
    u, t = effective_teacher()
    number, versions_before = t.personal_number, db.session.scalar(
        select(func.count()).select_from(RecordVersion).where(RecordVersion.teacher_id == t.id))
    out = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-09", "夫妻团聚")
    assert out.ok, (out.message, out.problems)
    row = out.transfer
    assert row.scope == "province" and row.state == "pending"
    # the steps, in order, each in its own unit's queue (and nobody else may act)
    task = open_task(t.id)
    assert task.task_key == "transfer_in_review" and task.candidate_org_id == org("460202").id
    assert not review.decide(user("460105_info"), task.id, "approve").ok
    approve("460202_info", t.id, "transfer_in_review")
    assert open_task(t.id).candidate_org_id == org("2146000001").id
    assert changes.holding_flow(t.id) == "教师调动"   # the record is held while the transfer is under way
    approve("2146000001_info", t.id, "transfer_out_confirm")
    assert open_task(t.id).candidate_org_id == org("460105").id
    approve("460105_info", t.id, "transfer_out_review")

    t = db.session.get(Teacher, t.id)
    assert t.org_id == org("2146000013").id and t.personal_number == number and t.state == "effective"
    assert db.session.get(User, u.id).org_id == org("2146000013").id
    assert t.basic["joined_school_month"] == "2026-09"
    versions = db.session.scalars(select(RecordVersion).where(RecordVersion.teacher_id == t.id)
                                  .order_by(RecordVersion.number)).all()
    assert len(versions) == versions_before + 1 and versions[-1].basic["joined_school_month"] == "2026-09"
    assert db.session.scalar(select(func.count()).select_from(RecordItem).where(RecordItem.teacher_id == t.id,
                                                                             RecordItem.set_key == "study")) == 1
    snapshot = db.session.scalars(select(RecordVersionItems).where(RecordVersionItems.teacher_id == t.id)
                                  .order_by(RecordVersionItems.number.desc())).first()
    assert snapshot.number == versions[-1].number and snapshot.items["study"]
    row = db.session.get(Transfer, row.id)
    assert row.state == "done" and row.version_number == versions[-1].number
    assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.subject_teacher_id == t.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "teacher_transferred")) == 1
    # the teacher, both schools are told
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "transfer_done")) >= 3

    # scope follows the record: the receiving side sees it, the sending side only the transfer (调出)
    receiving, sending = province.test_client(), province.test_client()
    login(receiving, "460202_query")
    login(sending, "2146000001_info")
    assert receiving.get(f"/teachers/{t.id}").status_code == 200
    assert sending.get(f"/teachers/{t.id}").status_code == 404
    page = sending.get("/transfers?direction=out").get_data(as_text=True)
    assert "调动" in page and "调出" in page and "三亚市海棠区云龙中心小学" in page
    page = receiving.get(f"/transfers/{row.id}").get_data(as_text=True)
    assert "已调动" in page and "调入" in page and t.id_number not in page   # the query user sees it masked
    # the teacher's login still works and lands on the moved record
    teacher = province.test_client()
    login(teacher, t.id_number, service.initial_teacher_password(t.id_number))
    db.session.get(User, u.id).must_change_password = False
    db.session.commit()
    assert "三亚市海棠区云龙中心小学" in teacher.get(f"/teachers/{t.id}").get_data(as_text=True)


def test_within_a_county_the_authority_approves_once(province):
    _, t = effective_teacher()
    out = transfers.apply(user("2146000002_info"), t.id_number, t.name, "2026年9月", "")   # as people write it
    assert out.ok and out.transfer.scope == "county"
    approve("460105_info", t.id, "transfer_in_review")
    approve("2146000001_info", t.id, "transfer_out_confirm")
    t = db.session.get(Teacher, t.id)
    assert t.org_id == org("2146000002").id and t.basic["joined_school_month"] == "2026-09"
    assert db.session.get(Transfer, out.transfer.id).state == "done"


def test_across_counties_of_one_city(province):
    _, t = effective_teacher()
    out = transfers.apply(user("2146000004_info"), t.id_number, t.name, "2026-09", "")
    assert out.ok and out.transfer.scope == "city"
    approve("460106_info", t.id, "transfer_in_review")
    approve("2146000001_info", t.id, "transfer_out_confirm")
    approve("460105_info", t.id, "transfer_out_review")
    assert db.session.get(Teacher, t.id).org_id == org("2146000004").id


def test_refusals_name_what_is_wrong(province):
    _, t = effective_teacher()
    same = transfers.apply(user("2146000001_info"), t.id_number, t.name, "2026-09", "")
    assert not same.ok and "同一学校" in same.message
    wrong_name = transfers.apply(user("2146000013_info"), t.id_number, "别人", "2026-09", "")
    assert not wrong_name.ok and "姓名" in wrong_name.problems["name"] and t.name not in wrong_name.problems["name"]
    unknown = transfers.apply(user("2146000013_info"), make_id("1990-01-01", 50, True), "某人", "2026-09", "")
    assert not unknown.ok and "全省没有" in unknown.problems["id_number"]
    slipped = t.id_number[:17] + ("0" if t.id_number[17] != "0" else "1")   # one character mistyped
    typo = transfers.apply(user("2146000013_info"), slipped, t.name, "2026-09", "")
    assert not typo.ok and "校验位错误" in typo.problems["id_number"] and "全省没有" not in typo.problems["id_number"]
    for short, said in (("123", "不是有效的证件号码"), (t.id_number[:17], "有 17 位")):
        refused = transfers.apply(user("2146000013_info"), short, t.name, "2026-09", "")
        assert said in refused.problems["id_number"], refused.problems
    written = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026年13月", "")
    assert "格式不对" in written.problems["join_month"]
    bad_month = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-13", "")
    assert not bad_month.ok and "YYYY-MM" in bad_month.problems["join_month"]
    # the month becomes the record's 进本校年月: not a future month (a later change would be refused for it)
    import datetime as dt

    import workflows
    with workflows.frozen_clock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.timezone.utc)):
        future = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-07", "")
        assert not future.ok and "晚于本月（2026-06）" in future.problems["join_month"]
        old = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2025-05", "")
        assert not old.ok and "早于一年前" in old.problems["join_month"]
    not_school = transfers.apply(user("460202_info"), t.id_number, t.name, "2026-09", "")
    assert not not_school.ok and "调入学校的信息管理员" in not_school.message
    # a record not yet effective
    draft = new_teacher("2146000003", "未生效", seq=20)
    d = db.session.get(Teacher, draft.teacher_id)
    refused = transfers.apply(user("2146000013_info"), d.id_number, d.name, "2026-09", "")
    assert not refused.ok and "生效后才能调动" in refused.message
    # a record held by a change request
    assert changes.propose(user("2146000001_info"), t, {"marital_status": "10"}, "", None).ok
    held = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-09", "")
    assert not held.ok and "教师信息变更" in held.message
    assert db.session.scalar(select(func.count()).select_from(Transfer)) == 0


def test_a_return_ends_the_transfer_with_its_reason(province):
    _, t = effective_teacher()
    out = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-09", "")
    approve("460202_info", t.id, "transfer_in_review")
    task = open_task(t.id)
    assert not review.decide(user("2146000001_info"), task.id, "return", "").ok   # a reason is required
    assert review.decide(user("2146000001_info"), task.id, "return", "该教师承担毕业班教学，暂不同意调出").ok
    row = db.session.get(Transfer, out.transfer.id)
    assert row.state == "returned" and row.returned_step == "调出学校确认"
    assert "毕业班" in row.return_reason
    assert db.session.get(Teacher, t.id).org_id == org("2146000001").id
    assert db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.subject_teacher_id == t.id)) == 0
    assert changes.holding_flow(t.id) is None
    note = db.session.scalars(select(Notification).where(Notification.kind == "transfer_returned")).first()
    assert note is not None and "毕业班" in note.body
    # the receiving school may apply again
    again = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-10", "再次申请")
    assert again.ok


def test_over_http_with_inbox_and_scope(province):
    _, t = effective_teacher()
    client = province.test_client()
    login(client, "2146000013_info")
    resp = client.post("/transfers/new", data={"id_number": t.id_number, "name": t.name, "join_month": "2026-09",
                                               "reason": "工作需要"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:800]
    row = db.session.scalars(select(Transfer)).one()
    bad = client.post("/transfers/new", data={"id_number": t.id_number, "name": t.name, "join_month": "9月"})
    assert bad.status_code == 400 and "YYYY-MM" in bad.get_data(as_text=True)
    authority = province.test_client()
    login(authority, "460202_info")
    task = open_task(t.id)
    assert "调入审核单位审核" in authority.get("/inbox").get_data(as_text=True)
    page = authority.get(f"/tasks/{task.id}", follow_redirects=True).get_data(as_text=True)
    assert "调入审核单位审核" in page and "工作需要" in page and t.id_number in page
    resp = authority.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "task_uuid": task.task_uuid,
                                                             "next": f"/transfers/{row.id}"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/transfers/{row.id}")
    assert open_task(t.id).task_key == "transfer_out_confirm"
    # a county that is neither side sees nothing
    other = province.test_client()
    login(other, "460106_info")
    assert other.get(f"/transfers/{row.id}").status_code == 404
    assert t.name not in other.get("/transfers").get_data(as_text=True)


def test_registration_duplicate_offers_a_transfer(province):
    _, t = effective_teacher()
    client = province.test_client()
    login(client, "2146000013_sys")
    page = client.post("/accounts/teachers", data={"name": t.name, "gender": "女", "birth_month": "1988-03",
                                                   "id_number": t.id_number}).get_data(as_text=True)
    assert "如属调动请走调动流程" in page and 'id="offer-transfer" href="/transfers/new"' in page
    assert f"?id_number={t.id_number}" not in page and "如属调动" in page   # not in the link (the box keeps what was typed)
    # the system administrator is told who applies; the information administrator gets the form
    hint = client.get(f"/transfers/new?id_number={t.id_number}", follow_redirects=True).get_data(as_text=True)
    assert "交给本校信息管理员" in hint and "账号管理" in hint
    info = province.test_client()
    login(info, "2146000013_info")
    assert t.id_number in info.get(f"/transfers/new?id_number={t.id_number}&name={t.name}").get_data(as_text=True)


def test_the_monthly_figures_count_a_transfer_out_and_in(province):
    """A teacher transferred from 秀英区 to 龙华区 this month: 秀英区's 本月减少 and 龙华区's 本月增加 count
    her (the report said 本月减少 0 after a transfer out)."""
    from reports import unit_figures
    from reports.figures import month_bounds
    from workflows import engine_now
    _, t = effective_teacher()
    period = engine_now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    xiuying, longhua = org("460105").id, org("460106").id
    before = unit_figures([xiuying, longhua], period)
    out = transfers.apply(user("2146000004_info"), t.id_number, t.name, "2026-09", "")
    approve("460106_info", t.id, "transfer_in_review")
    approve("2146000001_info", t.id, "transfer_out_confirm")
    approve("460105_info", t.id, "transfer_out_review")
    decided = db.session.get(Transfer, out.transfer.id).decided_at
    start, end = month_bounds(period)
    assert start <= decided < end
    after = unit_figures([xiuying, longhua], period)
    assert after[xiuying]["left"] == before[xiuying]["left"] + 1
    assert after[longhua]["joined"] == before[longhua]["joined"] + 1
    assert after[xiuying]["expected"] == before[xiuying]["expected"] - 1
    assert after[longhua]["expected"] == before[longhua]["expected"] + 1


def test_the_applying_school_sees_who_not_the_whole_record_until_she_moves(province):
    """Knowing an ID number and a name is not enough to read a teacher's record: the applying school sees
    the identity items to check it applied for the right person; the reviewing authority sees everything."""
    _, t = effective_teacher()
    out = transfers.apply(user("2146000013_info"), t.id_number, t.name, "2026-09", "")
    assert out.ok
    applying, authority = province.test_client(), province.test_client()
    login(applying, "2146000013_info")
    login(authority, "460202_info")
    page = applying.get(f"/transfers/{out.transfer.id}").get_data(as_text=True)
    assert 'id="identity-only"' in page and t.name in page and "出生日期" in page
    assert "政治面貌" not in page and "婚姻状况" not in page and "参加工作年月" not in page
    full = authority.get(f"/transfers/{out.transfer.id}").get_data(as_text=True)
    assert "政治面貌" in full and "婚姻状况" in full and 'id="identity-only"' not in full
