"""Faults found by walking the product as a user, each kept fixed by a test: huge ids and pages,
out-of-range dates, header injection through `next`, session replay after logout, ID reconstruction
by a masked role, partial bulk actions."""
from __future__ import annotations

import pytest

from models import Teacher, db
from records import service
from tests.journey_helpers import PASSWORD, complete_basic, login, new_teacher, open_task, user

HUGE = "9" * 23


def submitted(name="测试", seq=10):
    u = new_teacher("2146000001", name, seq=seq)
    t = db.session.get(Teacher, u.teacher_id)
    assert service.save_basic(u, t, complete_basic(u), submit=True).ok
    return u, t


@pytest.mark.parametrize("path", [f"/tasks/{HUGE}", f"/teachers/{HUGE}", f"/teachers/{HUGE}/edit",
                                  f"/tasks/{2**63}", f"/teachers/{2**63}"])
def test_huge_ids_are_not_found(province, path):
    client = province.test_client()
    login(client, "2146000001_info")
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/tasks/{HUGE}/decide", f"/tasks/{HUGE}/claim", f"/accounts/{HUGE}/reset"])
def test_huge_ids_in_posts_are_not_found(province, path):
    client = province.test_client()
    login(client, "2146000001_sys" if "accounts" in path else "2146000001_info")
    assert client.post(path, data={"decision": "approve"}).status_code == 404


@pytest.mark.parametrize("query", [f"page={HUGE}", "page=9223372036854775807", "page=-1", "page=abc",
                                   "from=0001-01-01", "to=9999-12-31", "from=" + "9" * 200])
def test_inbox_parameters_never_fail(province, query):
    submitted()
    client = province.test_client()
    login(client, "2146000001_info")
    resp = client.get(f"/inbox/unit?{query}")
    assert resp.status_code == 200
    assert "第 1 / 1 页" in resp.get_data(as_text=True)


def test_teacher_list_huge_page_shows_last_page(province):
    submitted()
    client = province.test_client()
    login(client, "460105_info")
    page = client.get(f"/teachers?page={HUGE}").get_data(as_text=True)
    assert "第 1 / 1 页" in page


def test_bulk_approve_with_a_bad_id_approves_the_good_and_names_the_bad(province):
    _, t = submitted()
    task = open_task(t.id)
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.post("/inbox/bulk-approve", data={"task_id": [str(task.id), HUGE]},
                       follow_redirects=True).get_data(as_text=True)
    assert "已批量通过 1 条" in page and HUGE[:20] in page
    assert db.session.get(Teacher, t.id).state == "school_approved"


def test_bulk_approve_failure_names_the_teacher_and_claims_no_success(province):
    _, t = submitted(name="已领取")
    task = open_task(t.id)
    other = province.test_client()
    login(other, "2146000001_info")
    # the task is claimed by the province? No: by a second info admin session of the same account
    from models import User
    from accounts.unit_accounts import create_unit_accounts  # noqa: F401 (accounts exist)
    import workflows
    workflows.claim_task(task.id, user("2146000001_info"))
    db.session.commit()
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.post("/inbox/bulk-approve", data={"task_id": [str(task.id)]}, follow_redirects=True)
    assert page.status_code == 200


@pytest.mark.parametrize("next_value", ["/inbox\r\nX-Injected: y", "//evil.example/", "https://evil.example/",
                                        "/inbox\\..\\", "javascript:alert(1)"])
def test_next_never_redirects_off_site_or_injects_headers(province, next_value):
    _, t = submitted()
    task = open_task(t.id)
    client = province.test_client()
    login(client, "2146000001_info")
    resp = client.post(f"/tasks/{task.id}/claim", data={"next": next_value})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/inbox") and "X-Injected" not in resp.headers


def test_login_follows_a_local_next_only(province):
    client = province.test_client()
    resp = client.post("/login?next=/teachers", data={"username": "460105_info", "password": PASSWORD})
    assert resp.headers["Location"].endswith("/teachers")
    client = province.test_client()
    resp = client.post("/login?next=//evil.example", data={"username": "460105_info", "password": PASSWORD})
    assert "evil" not in resp.headers["Location"]


def test_logout_ends_the_session_even_if_the_cookie_is_replayed(province):
    client = province.test_client()
    login(client, "2146000001_info")
    cookie = client.get_cookie("session").value
    assert client.get("/inbox").status_code == 200
    client.post("/logout")
    replay = province.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/inbox").status_code == 302


def test_password_change_ends_other_sessions(province):
    u = new_teacher("2146000001", "改密", seq=16)
    initial = service.initial_teacher_password(u.username)
    first, second = province.test_client(), province.test_client()
    login(first, u.username, initial)
    login(second, u.username, initial)
    first.post("/password", data={"old_password": initial, "new_password": "Newpass123", "confirm": "Newpass123"})
    assert first.get("/me").status_code == 302 and "/teachers/" in first.get("/me").headers["Location"]
    assert "/login" in second.get("/me").headers["Location"]


def test_masked_role_cannot_rebuild_an_id_number(province):
    _, t = submitted()
    client = province.test_client()
    login(client, "460000_query")
    page = client.get(f"/teachers/{t.id}").get_data(as_text=True)
    assert t.id_number not in page and t.birth_date not in page and t.birth_date[:4] + "-**-**" in page
    found = client.get(f"/teachers?q={t.id_number}").get_data(as_text=True)
    assert "共 0 人" in found


def test_return_without_reason_keeps_the_page_and_the_error_beside_the_box(province):
    _, t = submitted()
    task = open_task(t.id)
    client = province.test_client()
    login(client, "2146000001_info")
    resp = client.post(f"/tasks/{task.id}/decide", data={"decision": "return", "reason": "  "})
    assert resp.status_code == 400 and "退回时必须填写退回原因" in resp.get_data(as_text=True)
    long = "长" * 501
    resp = client.post(f"/tasks/{task.id}/decide", data={"decision": "return", "reason": long})
    assert "不能超过 500 字" in resp.get_data(as_text=True) and long in resp.get_data(as_text=True)
    assert db.session.get(Teacher, t.id).state == "submitted"


def test_decide_with_another_tasks_uuid_is_refused(province):
    _, a = submitted(name="甲", seq=10)
    _, b = submitted(name="乙", seq=12)
    ta, tb = open_task(a.id), open_task(b.id)
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.post(f"/tasks/{ta.id}/decide", data={"decision": "approve", "task_uuid": tb.task_uuid},
                       follow_redirects=True).get_data(as_text=True)
    assert "页面已过期" in page
    assert db.session.get(Teacher, a.id).state == "submitted"


def test_failed_submit_keeps_identity_items_and_lists_problems(province):
    u = new_teacher("2146000001", "回显", seq=18)
    client = province.test_client()
    initial = service.initial_teacher_password(u.username)
    login(client, u.username, initial)
    client.post("/password", data={"old_password": initial, "new_password": "Newpass123", "confirm": "Newpass123"})
    values = complete_basic(u)
    del values["ethnicity"]
    page = client.post(f"/teachers/{u.teacher_id}/edit", data={**values, "action": "submit"}).get_data(as_text=True)
    assert "请修改以下 1 项" in page and "民族" in page
    assert f'value="{u.username}"' in page and 'value="回显"' in page


def test_bad_account_form_keeps_what_was_typed(province):
    client = province.test_client()
    login(client, "2146000001_sys")
    resp = client.post("/accounts/teachers", data={"name": "张三", "gender": "女", "birth_month": "1988-03",
                                                   "id_number": "460105198803150027"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "460105198803150027" in page and "校验" in page
    assert "【身份证号码】【身份证号码】" not in page


def test_get_logout_is_a_chinese_405(province):
    client = province.test_client()
    login(client, "2146000001_info")
    resp = client.get("/logout")
    assert resp.status_code == 405 and "退出" in resp.get_data(as_text=True)


def test_process_admin_does_not_land_on_a_403(province):
    from models import User
    from tests.journey_helpers import org
    admin = User(username="460000_process", display_name="流程管理员", role="process_admin", org_id=org("460000").id,
                 must_change_password=False)
    admin.set_password(PASSWORD)
    db.session.add(admin)
    db.session.commit()
    client = province.test_client()
    assert login(client, "460000_process").status_code == 200


def test_a_bad_request_gets_the_chinese_error_page(province):
    """abort(400) anywhere (here: a deadlines form posted with an action it does not know) shows the
    product's page in the user's language, not the server's English default."""
    from tests.journey_helpers import org
    client = province.test_client()
    login(client, "460105_sys")
    resp = client.post(f"/units/{org('460105').id}/deadlines", data={"action": "bogus"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and '<html lang="zh-CN"' in page and "请求不完整或不正确" in page
    assert "Bad Request" not in page


def test_a_huge_cell_is_shortened_in_the_problem_list(province):
    """A 32,767-character 姓名 cell: the import is refused naming the cell, and the list shows the value
    shortened instead of 32,767 characters squeezing the table."""
    import io

    from bench.import_10k import generated_rows
    from records.sheets import build_workbook
    rows = generated_rows(2)
    rows[0]["name"] = "张" * 32767
    data = build_workbook("basic", "21", rows, what="测试")
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.post("/import", data={"set_key": "basic", "file": (io.BytesIO(data), "huge.xlsx")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "最多 50 个字" in page and "张" * 79 + "…" in page and "张" * 300 not in page


def test_bulk_approve_of_other_units_tasks_names_no_one_and_keeps_the_count(province):
    """Task ids of another school's queue, typed in: refused like ids that do not exist (no teacher's name),
    and with many failures the count still shows (one message, not one flash per task)."""
    foreign = []
    for seq in range(12):
        u = new_teacher("2146000002", f"外校教师{chr(65 + seq)}", seq=60 + 2 * seq)
        t = db.session.get(Teacher, u.teacher_id)
        assert service.save_basic(u, t, complete_basic(u), submit=True).ok
        foreign.append(open_task(t.id).id)
    _, own = submitted(name="本校教师")
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.post("/inbox/bulk-approve", data={"task_id": [str(i) for i in foreign] + [str(open_task(own.id).id)]},
                       follow_redirects=True).get_data(as_text=True)
    assert "已批量通过 1 条" in page and "有 12 条未能通过：" in page and "（另有 2 条未列出）" in page
    assert "外校教师" not in page
    assert f"任务 {foreign[0]}：找不到该任务，或您无权处理" in page
