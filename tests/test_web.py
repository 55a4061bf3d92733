"""The web layer through the real Flask app: login, inbox, task page, review, scope, CSRF."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import AuditEntry, Teacher, db
from records import service
from tests.journey_helpers import complete_basic, login, new_teacher, open_task


def submitted_teacher(school="2146000001", name="网页测试", seq=10):
    u = new_teacher(school, name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    return u, t


def test_login_failure_is_audited_and_generic(province):
    client = province.test_client()
    page = login(client, "2146000001_info", "wrong")
    assert "账号或密码错误" in page.get_data(as_text=True)
    assert db.session.query(AuditEntry).filter_by(action="login_failed").count() == 1


def test_inbox_task_page_and_approve(province):
    _, teacher = submitted_teacher()
    client = province.test_client()
    page = login(client, "2146000001_info").get_data(as_text=True)
    assert "本单位待办 (1)" in page and "网页测试" in page
    task = open_task(teacher.id)
    detail = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "基本信息" in detail and "汉族" in detail
    task_id, task_uuid = task.id, task.task_uuid  # the row is gone once approved
    done = client.post(f"/tasks/{task_id}/decide", data={"decision": "approve", "task_uuid": task_uuid},
                       follow_redirects=True).get_data(as_text=True)
    assert "已通过" in done
    # the stale page: approving again tells who handled it
    again = client.post(f"/tasks/{task_id}/decide", data={"decision": "approve", "task_uuid": task_uuid},
                        follow_redirects=True).get_data(as_text=True)
    assert "已由" in again and "处理" in again


def test_filters_and_paging(province):
    for i in range(23):
        submitted_teacher(name=f"分页{chr(65 + i)}", seq=20 + 2 * i)
    client = province.test_client()
    login(client, "2146000001_info")
    first = client.get("/inbox/unit").get_data(as_text=True)
    assert "共 23 条" in first and "第 1 / 2 页" in first
    second = client.get("/inbox/unit?page=2").get_data(as_text=True)
    assert second.count(">分页") == 3
    filtered = client.get("/inbox/unit?q=分页F").get_data(as_text=True)
    assert "共 1 条" in filtered
    bad_date = client.get("/inbox/unit?from=2026-13-01").get_data(as_text=True)
    assert "格式不对" in bad_date


def test_claim_then_mine_and_bulk_approve(province):
    teachers = [submitted_teacher(name=f"批量{chr(65 + i)}", seq=60 + 2 * i)[1] for i in range(3)]
    client = province.test_client()
    login(client, "2146000001_info")
    task = open_task(teachers[0].id)
    client.post(f"/tasks/{task.id}/claim", data={})
    assert "批量A" in client.get("/inbox/mine").get_data(as_text=True)
    ids = [open_task(t.id).id for t in teachers]
    page = client.post("/inbox/bulk-approve", data={"task_id": ids}, follow_redirects=True).get_data(as_text=True)
    assert "已批量通过 3 条" in page
    assert {db.session.get(Teacher, t.id).state for t in teachers} == {"school_approved"}


def test_teacher_cannot_see_another_teacher(province):
    a, ta = submitted_teacher(name="甲老师", seq=10)
    b, tb = submitted_teacher(name="乙老师", seq=12)
    client = province.test_client()
    login(client, a.username, service.initial_teacher_password(a.username))
    client.post("/password", data={"old_password": service.initial_teacher_password(a.username),
                                   "new_password": "Newpass123", "confirm": "Newpass123"})
    assert client.get(f"/teachers/{ta.id}").status_code == 200
    assert client.get(f"/teachers/{tb.id}").status_code == 404
    assert client.get(f"/teachers/{tb.id}/edit").status_code == 404
    assert client.get("/teachers").status_code == 403


def test_school_and_county_scope_over_http(province):
    _, teacher = submitted_teacher()
    task = open_task(teacher.id)
    other_school = province.test_client()
    login(other_school, "2146000002_info")
    assert other_school.get(f"/tasks/{task.id}").status_code == 404
    other_school.post(f"/tasks/{task.id}/decide", data={"decision": "approve"})
    assert db.session.get(Teacher, teacher.id).state == "submitted"
    other_county = province.test_client()
    login(other_county, "460106_info")
    assert other_county.get(f"/teachers/{teacher.id}").status_code == 404
    own_county = province.test_client()
    login(own_county, "460105_info")
    assert own_county.get(f"/teachers/{teacher.id}").status_code == 200


def test_query_user_sees_masked_ids_and_cannot_review(province):
    _, teacher = submitted_teacher()
    client = province.test_client()
    login(client, "460000_query")
    page = client.get("/teachers").get_data(as_text=True)
    assert teacher.id_number not in page and teacher.id_number[:4] in page
    assert client.get("/inbox/unit").status_code == 403


def test_first_login_forces_password_change(province):
    u = new_teacher("2146000001", "首登", seq=14)
    client = province.test_client()
    page = login(client, u.username, service.initial_teacher_password(u.username)).get_data(as_text=True)
    assert "首次登录须先修改初始密码" in page
    assert client.get("/me", follow_redirects=True).request.path == "/password"


def test_csrf_is_enforced(hainan, tmp_path):
    from tests.conftest import make_app
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    client = app.test_client()
    resp = client.post("/login", data={"username": "x", "password": "y"})
    assert resp.status_code == 400 and "页面已过期" in resp.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token


def test_messages_waiting_in_the_cookie_stay_bounded(province):
    """A client that approves many tasks without opening a page (scripts, several tabs) keeps a cookie
    browsers accept; the next page shows the newest messages."""
    names = [f"批量{'甲乙丙丁戊己庚辛'[i]}" for i in range(8)]
    teachers = [submitted_teacher(name=name, seq=20 + 2 * i)[1] for i, name in enumerate(names)]
    client = province.test_client()
    login(client, "2146000001_info")
    for teacher in teachers:
        task = open_task(teacher.id)
        resp = client.post(f"/tasks/{task.id}/decide", data={"decision": "approve", "task_uuid": task.task_uuid})
        assert resp.status_code == 302
    cookie = client.get_cookie("session")
    assert cookie is not None and len(cookie.value) < 4000
    page = client.get("/inbox/unit").get_data(as_text=True)
    assert all(f"{name}：" in page for name in names[-5:])
    assert f"{names[0]}：" not in page
