"""The language switch in Chromium: a school's information administrator signs in (Chinese), switches to
English from the top bar, stays on the inbox and sees it in English, then switches back."""
from __future__ import annotations

from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def _school_with_a_submitted_teacher(app) -> None:
    from models import Teacher, db
    from records import service
    from tests.journey_helpers import complete_basic, new_teacher, setup_province
    with app.app_context():
        setup_province(app)
        user = new_teacher("2146000001", "林晓")
        teacher = db.session.get(Teacher, user.teacher_id)
        assert service.save_basic(user, teacher, complete_basic(user), submit=True).ok


@pytest.mark.browser
def test_switch_to_english_and_back(live_server, page):
    app, base = live_server
    _school_with_a_submitted_teacher(app)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(base + "/login")
    assert page.get_attribute("html", "lang") == "zh-CN"
    page.click("#lang-switch >> text=English")  # on the login page already
    assert page.get_attribute("html", "lang") == "en" and page.inner_text("h1") == "Sign in"
    page.screenshot(path=str(SHOTS / "i18n_english_login.png"), full_page=True)
    page.fill("#username", "2146000001_info")
    page.fill("#password", "Pass1234")
    page.click("button[type=submit]")
    page.wait_for_selector("table.list")
    nav = page.inner_text(".topbar nav")
    assert "Tasks" in nav and "Notifications" in nav and "待办任务" not in nav
    assert page.inner_text("h1") == "Tasks" and "Log out" in page.inner_text(".topbar .who")
    assert "林晓" in page.inner_text("table.list")
    page.screenshot(path=str(SHOTS / "i18n_english_inbox.png"), full_page=True)

    # something typed into a form: switching asks first, and staying keeps the text
    page.click("table.list td.row-actions a")
    page.fill("#reason", "Please check the ID card copy")
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click("#lang-switch >> text=中文")
    assert asked and "尚未保存" not in asked[0] and "lose" in asked[0], asked
    assert page.input_value("#reason") == "Please check the ID card copy" and page.get_attribute("html", "lang") == "en"
    page.goto(base + "/inbox")

    page.click("#lang-switch >> text=中文")
    page.wait_for_selector("html[lang=zh-CN]")
    assert page.url.endswith("/inbox") and page.inner_text("h1") == "待办任务"
    assert "待办任务" in page.inner_text(".topbar nav")
    page.screenshot(path=str(SHOTS / "i18n_chinese_inbox.png"), full_page=True)
