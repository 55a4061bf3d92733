"""Change requests: propose → authority approves (new version) or returns (revise/withdraw); locks;
key identity items need a reason and a scan; an ID-number change keeps the login working."""
from __future__ import annotations

import io
import re


from models import RecordVersion, Teacher, User, db
from models.changes import ChangeRequest
from records import changes, review, service
from tests.journey_helpers import PASSWORD, complete_basic, login, make_id, new_teacher, open_task, user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def effective_teacher(name="变更", seq=10):
    u = new_teacher("2146000001", name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    assert review.decide(user("2146000001_info"), open_task(t.id).id, "approve").ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    return u, db.session.get(Teacher, t.id)


def test_change_approved_becomes_a_new_version(province):
    _, t = effective_teacher()
    out = changes.propose(user("2146000001_info"), t, {"political_status": "01"}, "", None)
    assert out.ok, out.problems
    task = open_task(t.id)
    assert task.task_key == "change_review" and task.candidate_org_id == user("460105_info").org_id
    # the school cannot approve its own change
    assert not review.decide(user("2146000001_info"), task.id, "approve").ok
    assert review.decide(user("460105_info"), task.id, "approve").ok
    t = db.session.get(Teacher, t.id)
    assert t.basic["political_status"] == "01"
    versions = db.session.query(RecordVersion).filter_by(teacher_id=t.id).order_by(RecordVersion.number).all()
    assert [v.number for v in versions] == [1, 2] and versions[0].basic["political_status"] == "13"
    assert db.session.query(ChangeRequest).one().state == "applied"
    assert changes.holding_flow(t.id) is None


def test_return_then_revise_and_withdraw(province):
    _, t = effective_teacher()
    assert changes.propose(user("2146000001_info"), t, {"marital_status": "10"}, "", None).ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "return", "婚姻状况证明不足").ok
    change = db.session.query(ChangeRequest).one()
    assert change.state == "returned" and change.return_reason == "婚姻状况证明不足"
    assert open_task(t.id).task_key == "revise_change"
    # resubmitted, returned again, then withdrawn: the record never changed
    assert changes.resubmit(user("2146000001_info"), change, {"marital_status": "30"}, "", None).ok
    assert db.session.get(ChangeRequest, change.id).proposed == {"marital_status": "30"}
    assert review.decide(user("460105_info"), open_task(t.id).id, "return", "仍有误").ok
    assert changes.withdraw(user("2146000001_info"), db.session.get(ChangeRequest, change.id)).ok
    assert db.session.get(ChangeRequest, change.id).state == "withdrawn"
    assert db.session.get(Teacher, t.id).basic["marital_status"] == "20"
    assert db.session.query(RecordVersion).filter_by(teacher_id=t.id).count() == 1
    # the record's review history says it was withdrawn (it used to read 已报送)
    viewer = province.test_client()
    login(viewer, "2146000001_info")
    record = viewer.get(f"/teachers/{t.id}").get_data(as_text=True)
    assert "修改变更申请 · 已撤回" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", record))


def test_second_change_request_is_refused_naming_the_flow(province):
    _, t = effective_teacher()
    assert changes.propose(user("2146000001_info"), t, {"marital_status": "10"}, "", None).ok
    second = changes.propose(user("2146000001_info"), db.session.get(Teacher, t.id), {"health": "2"}, "", None)
    assert not second.ok and "教师信息变更" in second.message
    assert db.session.query(ChangeRequest).count() == 1


def test_key_identity_change_needs_reason_and_scan(province):
    _, t = effective_teacher()
    out = changes.propose(user("2146000001_info"), t, {"name": "新名字"}, "", None)
    assert not out.ok and "reason" in out.problems and "attachment" in out.problems
    bad_scan = changes.propose(user("2146000001_info"), t, {"name": "新名字"}, "户籍更名", b"MZ\x90\x00 not a scan")
    assert not bad_scan.ok and "PDF" in bad_scan.problems["attachment"]
    assert db.session.query(ChangeRequest).count() == 0


def test_id_number_change_keeps_the_login_working(province):
    u, t = effective_teacher()
    password = service.initial_teacher_password(u.username)
    new_id = make_id("1988-03-15", 40, True)
    out = changes.propose(user("2146000001_info"), t, {"id_number": new_id}, "身份证号登记错误", PDF)
    assert out.ok, out.problems
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    t = db.session.get(Teacher, t.id)
    assert t.id_number == new_id and t.personal_number  # the personal number never changes
    assert db.session.get(User, u.id).username == new_id
    client = province.test_client()
    page = client.post("/login", data={"username": new_id, "password": password},
                       follow_redirects=True)
    assert "首次登录须先修改初始密码" in page.get_data(as_text=True)


def test_id_number_change_to_a_number_held_elsewhere_is_refused(province):
    """Refused naming the school that holds the number, never the person: a number typed in looks no one up."""
    from tests.test_transfers import effective_teacher as effective_in
    _, a = effective_teacher("甲", 10)
    _, b = effective_in("2146000004", "460106", "外区乙", 12)
    out = changes.propose(user("2146000001_info"), a, {"id_number": b.id_number}, "更正", PDF)
    assert not out.ok and f"已在 {b.org.name} 登记" in out.problems["id_number"]
    assert "外区乙" not in out.problems["id_number"]


def test_change_over_http_with_scan_and_scope(province):
    _, t = effective_teacher()
    client = province.test_client()
    client.post("/login", data={"username": "2146000001_info", "password": PASSWORD})
    form = {**t.basic, "name": "更名后", "gender": "2", "id_type": "1", "id_number": t.id_number,
            "birth_date": t.birth_date, "reason": "户籍更名", "action": "submit"}
    resp = client.post(f"/teachers/{t.id}/change", data={**form, "attachment": (io.BytesIO(PDF), "scan.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1000]
    detail = client.get(f"/teachers/{t.id}").get_data(as_text=True)
    assert "教师信息变更" in detail and "record-lock" in detail
    county = province.test_client()
    county.post("/login", data={"username": "460105_info", "password": PASSWORD})
    task = open_task(t.id)
    page = county.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "更名后" in page and "户籍更名" in page
    change = db.session.query(ChangeRequest).one()
    scan = county.get(f"/changes/{change.id}/attachment")
    assert scan.status_code == 200 and scan.data == PDF and scan.headers["X-Content-Type-Options"] == "nosniff"
    other = province.test_client()
    other.post("/login", data={"username": "460106_info", "password": PASSWORD})
    assert other.get(f"/changes/{change.id}/attachment").status_code == 404


def test_departure_is_a_reviewed_status_change_never_a_deletion(province):
    from records import departures
    u, t = effective_teacher("离岗", 20)
    bad = departures.propose(user("2146000001_info"), t, "holiday", "2026-13-01", "")
    assert not bad.ok and "reason" in bad.problems and "date" in bad.problems
    joined = t.basic["joined_school_month"]
    early = departures.propose(user("2146000001_info"), t, "retired", "1990-01-01", "")
    assert not early.ok and f"不能早于该教师进本校的年月（{joined}）" in early.problems["date"]
    empty = departures.propose(user("2146000001_info"), t, "retired", " ", "")
    assert not empty.ok and "必填" in empty.problems["date"]
    month_only = departures.propose(user("2146000001_info"), t, "retired", "2026-11", "")
    assert not month_only.ok and "缺少日" in month_only.problems["date"]
    done = departures.propose(user("2146000001_info"), t, "retired", "2026年11月30日", "正常退休")  # as people write it
    assert done.ok and done.change.proposed["date"] == "2026-11-30"
    # while it is open, a change request is refused naming the flow
    refused = changes.propose(user("2146000001_info"), db.session.get(Teacher, t.id), {"health": "2"}, "", None)
    assert not refused.ok and "教师离岗登记" in refused.message
    # returned: the registration is void with the reason, the record unchanged
    assert review.decide(user("460105_info"), open_task(t.id).id, "return", "退休审批文件未到").ok
    assert db.session.get(Teacher, t.id).state == "effective"
    assert db.session.query(ChangeRequest).filter_by(kind="departure").one().return_reason == "退休审批文件未到"
    # the record page shows the reason, and no 修改或撤回 link (the returned registration's flow has ended)
    viewer = province.test_client()
    login(viewer, "2146000001_info")
    record = viewer.get(f"/teachers/{t.id}").get_data(as_text=True)
    row = record[record.index("退休审批文件未到") - 600:record.index("退休审批文件未到") + 300]
    assert "离岗登记" in row and "修改或撤回" not in row
    # filed again and approved: 已离岗, login disabled, the record and its versions kept
    assert departures.propose(user("2146000001_info"), db.session.get(Teacher, t.id), "retired", "2026-12-31", "").ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "approve").ok
    t = db.session.get(Teacher, t.id)
    assert t.state == "left" and db.session.get(User, u.id).active is False
    assert db.session.query(RecordVersion).filter_by(teacher_id=t.id).count() == 2
    client = province.test_client()
    page = client.post("/login", data={"username": u.username, "password": "x"}, follow_redirects=True)
    assert "账号或密码错误" in page.get_data(as_text=True)
    # her right password: told the account is disabled (only then: a wrong one says no more than above)
    right = client.post("/login", data={"username": u.username, "password": "Js" + u.username[-6:]},
                        follow_redirects=True).get_data(as_text=True)
    assert "该账号已停用" in right and "退出" not in right
    # trying again and again with her right password is no guessing: never locked, always told why
    for _ in range(8):
        again = client.post("/login", data={"username": u.username, "password": "Js" + u.username[-6:]},
                            follow_redirects=True).get_data(as_text=True)
    assert "该账号已停用" in again and "锁定" not in again
    # the monthly figures count the departure and no longer expect the record
    import datetime as dt
    from reports.figures import unit_figures
    from tests.journey_helpers import org
    period = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m")
    fig = unit_figures([org("460105").id], period)[org("460105").id]
    assert fig["left"] == 1 and fig["expected"] == 0


def test_a_returned_change_request_is_told_to_who_filed_it(province):
    """The school files changes; the teacher cannot revise them — the return goes to the filer's 通知."""
    from models import Notification
    u, t = effective_teacher("通知变更", 24)
    filer = user("2146000001_info")
    assert changes.propose(filer, t, {"marital_status": "10"}, "", None).ok
    assert review.decide(user("460105_info"), open_task(t.id).id, "return", "证明不足").ok
    (told,) = db.session.query(Notification).filter_by(kind="record_returned").all()
    change = db.session.query(ChangeRequest).one()
    assert told.recipient_user_id == filer.id and told.link == f"/changes/{change.id}/revise"
    assert "通知变更" in told.title and "证明不足" in told.body
