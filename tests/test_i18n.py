"""The interface language through the real app: Chinese by default, English after /lang/en, back with
/lang/zh; the switch only returns to same-site paths; the English catalogue covers every text marked
for translation in views/ (so it cannot fall behind the templates)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from models import Teacher, db
from records import service
from tests.journey_helpers import PASSWORD, complete_basic, new_teacher
from views.i18n import compile_catalogues

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}  # as `make messages` (Makefile BABEL_KEYWORDS)


def login(client, username="2146000001_info", password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password}, follow_redirects=True)


def text(response) -> str:
    return response.get_data(as_text=True)


def nav(page: str) -> str:
    return page[page.index("<nav>"):page.index("</nav>")]


def test_chinese_by_default(province):
    client = province.test_client()
    login_page = text(client.get("/login"))
    assert '<html lang="zh-CN">' in login_page and "<h1>登录</h1>" in login_page and "账号" in login_page
    assert re.search(r'<a href="/lang/en\?next=/login"[^>]*>English</a>', login_page)
    inbox = text(login(client))
    assert '<html lang="zh-CN">' in inbox
    assert "待办任务" in nav(inbox) and "通知" in nav(inbox) and "退出" in inbox and "修改密码" in inbox
    assert "本单位待办" in inbox and "筛选" in inbox and "信息管理员" in inbox


def test_english_after_switch_and_back(province):
    _, teacher = _submitted_teacher()
    client = province.test_client()
    login(client)

    switched = client.get("/lang/en?next=/inbox/unit")
    assert switched.status_code == 302 and switched.headers["Location"] == "/inbox/unit"
    assert "lang=en" in switched.headers["Set-Cookie"]
    inbox = text(client.get("/inbox/unit"))
    assert '<html lang="en">' in inbox
    menu = nav(inbox)
    assert "Tasks" in menu and "Teachers" in menu and "Notifications" in menu and "待办任务" not in menu
    assert "Log out" in inbox and "Change password" in inbox and "Information administrator" in inbox
    assert "My unit's tasks (1)" in inbox and "Filter" in inbox and "<th>Step</th>" in inbox
    assert "1 in total, page 1 of 1" in inbox and "Approve selected" in inbox
    assert "英语测试" in inbox  # data stays as stored
    assert '<strong aria-current="true" lang="en">English</strong>' in inbox

    record = text(client.get(f"/teachers/{teacher.id}"))
    assert "<h2>Basic information</h2>" in record and "Submission and review history" in record
    assert "Notifications" in text(client.get("/notifications"))
    refused = text(client.post("/inbox/bulk-approve", data={}, follow_redirects=True))
    assert "Tick the tasks to approve first" in refused  # a flash from the view
    missing = client.get("/teachers/999999")
    assert missing.status_code == 404 and "outside your scope" in text(missing)

    client.post("/logout")
    login_page = text(client.get("/login"))
    assert "<h1>Sign in</h1>" in login_page and ">Login<" in login_page and "登录" not in login_page
    assert "Please sign in first" in text(client.get("/inbox", follow_redirects=True))

    back = client.get("/lang/zh?next=/login")
    assert back.headers["Location"] == "/login"
    again = text(client.get("/login"))
    assert '<html lang="zh-CN">' in again and "<h1>登录</h1>" in again


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                                    "/inbox\r\nSet-Cookie: x=1", "evil.example"])
def test_switch_refuses_an_off_site_next(app, target):
    resp = app.test_client().get("/lang/en", query_string={"next": target})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "lang=en" in resp.headers["Set-Cookie"]


def test_switch_keeps_a_same_site_next_with_its_query(app):
    resp = app.test_client().get("/lang/en", query_string={"next": "/inbox/unit?page=2&sort=-created"})
    assert resp.headers["Location"] == "/inbox/unit?page=2&sort=-created"


def test_unknown_language_is_not_a_route_and_a_forged_cookie_means_chinese(app):
    client = app.test_client()
    assert client.get("/lang/fr").status_code == 404
    client.set_cookie("lang", "fr")
    assert '<html lang="zh-CN">' in text(client.get("/login"))


def test_every_marked_text_has_an_english_translation():
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    marked = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                marked.setdefault(msgid, f"{filename}:{lineno}")
    assert len(marked) > 100, "extraction found too little: is babel.cfg right?"
    assert "待办任务" in marked and "请先登录" in marked  # a template and a Python lazy text
    with PO.open("rb") as f:
        catalog = read_po(f, locale="en")
    untranslated = [f"{where}: {msgid}" for msgid, where in sorted(marked.items()) if not _translated(catalog.get(msgid))]
    assert not untranslated, "no English in translations/en/LC_MESSAGES/messages.po for:\n" + "\n".join(untranslated)
    # placeholders agree (babel's checkers: every %(name)s of the msgid, and only those)
    problems = [f"{m.id}: {errors}" for m, errors in catalog.check()]
    assert not problems, problems


def _translated(message) -> bool:
    if message is None or message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, tuple) else (message.string,)  # plural forms
    return all(form.strip() for form in forms)


def test_catalogue_compiled_when_missing_or_stale(tmp_path):
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(PO, po)
    mo = po.with_suffix(".mo")
    assert compile_catalogues(tmp_path) == [mo] and mo.stat().st_size > 1000
    assert compile_catalogues(tmp_path) == []  # current: left alone
    os.utime(mo, (po.stat().st_mtime - 10,) * 2)
    assert compile_catalogues(tmp_path) == [mo]  # the .po changed since


def _submitted_teacher():
    user = new_teacher("2146000001", "英语测试", seq=10)
    teacher = db.session.get(Teacher, user.teacher_id)
    assert service.save_basic(user, teacher, complete_basic(user), submit=True).ok
    return user, teacher


def test_a_teachers_own_pages_in_english(province):
    """The pages a teacher works on herself: the form's chrome is English; the national indicator names and
    code values stay Chinese (they are the data's own words, as in the national template)."""
    u = new_teacher("2146000001", "英语表单", seq=77)
    u.set_password(PASSWORD)
    u.must_change_password = False
    db.session.commit()
    client = province.test_client()
    login(client, u.username)
    client.get("/lang/en")
    form = text(client.get(f"/teachers/{u.teacher_id}/edit"))
    assert "Basic information: 英语表单" in form and "Save draft" in form and "Submit for review" in form
    assert "Items marked" in form and "保存草稿" not in form and "报送审核" not in form
    assert "Choose…" in form and "请选择" not in form
    row = text(client.get(f"/teachers/{u.teacher_id}/sets/study/new"))
    assert "Add 学习经历: 英语表单" in row and ">Save<" in row and ">Cancel<" in row
    hours = text(client.get("/credits/me"))
    assert "My training hours" in hours and "<th>Project</th>" in hours and "No hours recorded for" in hours
