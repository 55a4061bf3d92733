"""Authentication and session (graded protection level 3): lockout per account and per address, the
password policy, idle and absolute session timeouts, cookie flags, security headers and the CSP, and
CSRF on every POST route of the URL map."""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from accounts.policy import ROUTES, SCOPES
from models import AuditEntry, User, db
from security.passwords import password_problem
from tests.conftest import make_app
from tests.journey_helpers import PASSWORD, setup_province, user

TEMPLATES = Path(__file__).resolve().parent.parent / "views" / "templates"


def login(client, username, password=PASSWORD, addr="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr}, follow_redirects=True)


def age_audit_rows(minutes: int) -> None:
    """Time passes: every audit row moves `minutes` into the past."""
    rows = db.session.scalars(select(AuditEntry)).all()
    for row in rows:
        row.created_at = row.created_at - dt.timedelta(minutes=minutes)
    db.session.commit()


# ----------------------------------------------------------------------------- lockout

def test_five_failures_lock_the_account_with_the_unlock_time(province):
    client = province.test_client()
    pages = [login(client, "2146000001_info", "wrong-password").get_data(as_text=True) for _ in range(5)]
    assert "账号或密码错误" in pages[0] and "再错" not in pages[0]
    assert "再错 1 次" in pages[3]
    assert "账号已锁定至" in pages[4] and "北京时间" in pages[4]
    # the right password is refused while locked, without being checked
    page = login(client, "2146000001_info").get_data(as_text=True)
    assert "账号已锁定至" in page and "退出" not in page
    locked = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_locked")).all()
    assert locked and locked[0].object_id == "2146000001_info" and locked[0].org_id == user("2146000001_info").org_id
    # another account is not affected
    assert "退出" in login(province.test_client(), "2146000001_sys").get_data(as_text=True)
    # 15 minutes after the last failure the lock is over
    age_audit_rows(16)
    assert "退出" in login(client, "2146000001_info").get_data(as_text=True)


def test_a_successful_login_clears_the_count(province):
    client = province.test_client()
    for _ in range(4):
        login(client, "2146000001_info", "wrong")
    assert "退出" in login(client, "2146000001_info").get_data(as_text=True)
    other = province.test_client()
    page = login(other, "2146000001_info", "wrong").get_data(as_text=True)
    assert "锁定至" not in page


def test_unknown_names_lock_like_real_ones(province):
    client = province.test_client()
    pages = [login(client, "nobody_here", "x").get_data(as_text=True) for _ in range(5)]
    assert "账号已锁定至" in pages[-1]  # the same answer: no way to tell which names exist


def test_many_names_from_one_address_lock_the_address(province):
    client = province.test_client()
    for i in range(20):
        login(client, f"guess_{i}", "Spray2026!", addr="10.9.9.9")
    page = login(client, "2146000001_info", addr="10.9.9.9").get_data(as_text=True)
    assert "该地址登录失败次数过多" in page
    assert "退出" in login(province.test_client(), "2146000001_info", addr="10.9.9.10").get_data(as_text=True)


def test_a_password_reset_unlocks(province):
    from accounts.unit_accounts import reset_password
    client = province.test_client()
    for _ in range(5):
        login(client, "2146000001_info", "wrong")
    _, new_password = reset_password(user("2146000001_sys"), user("2146000001_info").id)
    assert "修改密码" in login(client, "2146000001_info", new_password).get_data(as_text=True)


# ----------------------------------------------------------------------------- password policy

@pytest.mark.parametrize("password,fragment", [
    ("Ab1!", "至少 8 位"), ("abcdefgh1", "至少三类"), ("ABCDEFGH", "至少三类"), ("12345678", "至少三类"),
    ("2146000001_Info", "不能包含账号"), ("Xx2146000001", "不能包含账号"), ("Password1!", "常见"), ("A" * 129, "128"),
    ("Abcd1234!", "连续"), ("Qwer1234!", "连续"), ("Aaaa1111!", "重复"), ("Dcba4321!", "连续"),
    ("P@ssw0rd", "常见"), ("Woaini1314!", "常见"), ("Hainan2026!", "常见"), ("Aa1!Aa1!", "同一段字符的重复"),
])
def test_weak_passwords_are_refused(password, fragment):
    problem = password_problem(password, username="2146000001_info")
    assert problem and fragment in problem


@pytest.mark.parametrize("password", ["Demo@2026", "Zxcv!2468", "Tr0ub4dor&3", "Yelin-Teach7", "Newpass123"])
def test_passwords_with_runs_but_enough_else_pass(password):
    assert password_problem(password, username="2146000001_info") is None


def test_a_teachers_password_may_not_contain_their_id_number():
    id_number = "460105198803150029"
    assert "身份证" in password_problem("Xy150029!", username=id_number, id_number=id_number)
    assert "身份证" in password_problem("Ab19880315!", username=id_number, id_number=id_number)
    assert password_problem("Yelin-Teach7", username=id_number, id_number=id_number) is None


def test_password_change_applies_the_policy(province):
    client = province.test_client()
    login(client, "2146000001_info")
    page = client.post("/password", data={"old_password": PASSWORD, "new_password": "abcdefgh1",
                                          "confirm": "abcdefgh1"}).get_data(as_text=True)
    assert "至少三类" in page
    page = client.post("/password", data={"old_password": PASSWORD, "new_password": "Yelin-2026",
                                          "confirm": "Yelin-2026"}, follow_redirects=True).get_data(as_text=True)
    assert "密码已修改" in page


# ----------------------------------------------------------------------------- session

def test_an_idle_session_ends(province):
    client = province.test_client()
    login(client, "2146000001_info")
    assert client.get("/inbox").status_code == 200
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 31 * 60
    resp = client.get("/inbox")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "已自动退出" in page
    assert client.get("/inbox").status_code == 302  # stays signed out
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "logout")).all()[-1]
    assert entry.after == {"reason": "idle"}


def test_a_replayed_idle_cookie_is_refused(province):
    client = province.test_client()
    login(client, "2146000001_info")
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 31 * 60
    cookie = client.get_cookie("session").value
    client.get("/inbox")
    replay = province.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/inbox").status_code == 302


def test_a_session_ends_after_the_longest_time_however_active(province):
    client = province.test_client()
    login(client, "2146000001_info")
    with client.session_transaction() as s:
        s["_since"] = int(time.time()) - 13 * 3600
    assert "/login" in client.get("/inbox").headers["Location"]


def test_an_active_session_continues(province):
    client = province.test_client()
    login(client, "2146000001_info")
    with client.session_transaction() as s:
        s["_seen"] = int(time.time()) - 29 * 60
    assert client.get("/inbox").status_code == 200


def test_cookies_are_secure_httponly_samesite(province):
    client = province.test_client()
    resp = client.post("/login", data={"username": "2146000001_info", "password": PASSWORD})
    cookie = next(v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    lang = client.get("/lang/en").headers["Set-Cookie"]
    assert "Secure" in lang and "HttpOnly" in lang and "SameSite=Lax" in lang


def test_the_secure_flag_can_be_turned_off_for_plain_http(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", SESSION_COOKIE_SECURE=False)
    with app.app_context():
        setup_province(app)
        resp = app.test_client().post("/login", data={"username": "2146000001_info", "password": PASSWORD})
        cookie = next(v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session="))
        assert "Secure" not in cookie and "HttpOnly" in cookie
        db.session.remove()
        db.engine.dispose()


# ----------------------------------------------------------------------------- headers and CSP

def test_every_page_carries_the_security_headers(province):
    client = province.test_client()
    login(client, "2146000001_info")
    for path in ("/login", "/inbox", "/teachers", "/nowhere"):
        resp = client.get(path)
        h = resp.headers
        csp = h["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "default-src 'self'" in csp and "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "style-src 'self'" in csp
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
        assert h["Referrer-Policy"] == "same-origin"
        assert h["Cache-Control"] == "no-store"


def test_nonce_changes_per_response(province):
    client = province.test_client()
    a = client.get("/login").headers["Content-Security-Policy"]
    b = client.get("/login").headers["Content-Security-Policy"]
    assert a != b


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
# (a data block, <script type="application/json">, is not run and needs no nonce)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*application/json)[^>]*>", re.I)


def test_no_template_has_inline_script_the_csp_would_block():
    """Handlers and scripts live in static files (views/static/app.js: data-confirm, data-check-all, …);
    an inline <script> must carry nonce="{{ csp_nonce() }}"."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in ((INLINE_HANDLER, "inline event handler"), (INLINE_SCRIPT, "inline <script> without nonce"),
                              (re.compile(r"javascript:", re.I), "javascript: URL")):
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- CSRF on every POST

def _principal_for(action: str) -> str:
    roles = SCOPES[action]
    for username, role in (("2146000001_info", "info_admin"), ("2146000001_sys", "sys_admin"),
                           ("460000_process", "process_admin"), ("460105_query", "query")):
        if role in roles or action in ("public", "session"):
            return username
    teacher = db.session.scalars(select(User).where(User.role == "teacher")).first()
    return teacher.username


def test_every_post_without_a_csrf_token_fails(tmp_path):
    from views import csrf
    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        setup_province(app)
        from tests.journey_helpers import new_teacher, org
        teacher = new_teacher("2146000001", "林晓", seq=10)
        teacher.must_change_password = False
        db.session.add(User(username="460000_process", display_name="流程管理员", role="process_admin",
                            org_id=org("460000").id, must_change_password=False, password_hash="x"))
        db.session.commit()
        adapter = app.url_map.bind("localhost")
        checked = []
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            values = {a: {"set_key": "work", "view": "unit", "process_key": "teacher_collection"}.get(a, 1)
                      for a in rule.arguments}
            url = adapter.build(rule.endpoint, values, method="POST")
            route = ROUTES.get(rule.endpoint)
            username = _principal_for(route.action) if route else "2146000001_info"
            client = app.test_client()
            principal = db.session.scalars(select(User).where(User.username == username)).one()
            with client.session_transaction() as s:
                s["_user_id"] = principal.get_id()
                s["_since"] = s["_seen"] = int(time.time())
            exempt = app.view_functions[rule.endpoint] in csrf._exempt_views or \
                rule.endpoint.split(".")[0] in csrf._exempt_blueprints or \
                f"{app.view_functions[rule.endpoint].__module__}.{app.view_functions[rule.endpoint].__name__}" in csrf._exempt_views
            for data in ({}, {"csrf_token": "forged"}):
                resp = client.post(url, data=data)
                if exempt:
                    # a token-authenticated API: the session cookie alone is not enough
                    assert resp.status_code in (401, 403), (rule.rule, resp.status_code)
                else:
                    assert resp.status_code == 400, (rule.rule, resp.status_code)
                    assert "页面已过期" in resp.get_data(as_text=True)
            checked.append(rule.rule)
        assert "/login" in checked and "/tasks/<int:task_id>/decide" in checked and len(checked) > 20
        db.session.remove()
        db.engine.dispose()


def test_login_with_a_csrf_token_works(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'csrf2.db'}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        setup_province(app)
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = client.post("/login", data={"username": "2146000001_info", "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302
        db.session.remove()
        db.engine.dispose()
