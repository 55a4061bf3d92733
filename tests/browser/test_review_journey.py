"""The main journey in Chromium: a teacher fills and submits, the school approves,
the county approves, and the record shows as effective."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.browser.form_filler import add_study_row, fill_basic_form

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def _setup_school_teacher(app):
    """Org tree, unit accounts, and one teacher account made by the school's system administrator."""
    from accounts.unit_accounts import create_unit_accounts
    from models import Org, User, db
    from orgs.importer import import_orgs_file
    from records import service
    import workflows
    from tests.conftest import DATA
    with app.app_context():
        import_orgs_file(DATA / "hainan_orgs.csv")
        workflows.deploy_shipped()
        db.session.commit()
        province = db.session.scalars(select(Org).where(Org.code == "460000")).one()
        create_unit_accounts(province, None, password="Pass1234", must_change=False)
        db.session.commit()
        sys_admin = db.session.scalars(select(User).where(User.username == "2146000001_sys")).one()
        outcome = service.create_teacher_account(sys_admin, "林晓", "女", "1988-03", "460105198803150029")
        assert outcome.ok, outcome.problems
    return "460105198803150029", service.initial_teacher_password("460105198803150029")


def login(page, base, username, password):
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def logout(page):
    page.click("text=退出")


@pytest.mark.browser
def test_teacher_school_county_journey(live_server, page):
    app, base = live_server
    id_number, initial = _setup_school_teacher(app)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. the teacher logs in, changes the initial password, fills and submits
    login(page, base, id_number, initial)
    page.fill("#old_password", initial)
    page.fill("#new_password", "Teach2026a")
    page.fill("#confirm", "Teach2026a")
    page.click("button:has-text('保存')")
    add_study_row(page)
    page.click("text=填写 / 修改基本信息")
    fill_basic_form(page)
    page.screenshot(path=str(SHOTS / "1_teacher_form.png"), full_page=True)
    page.click("button:has-text('报送审核')")
    page.wait_for_selector("#record-state")
    assert "待学校审核" in page.inner_text("#record-state"), page.content()[:2000]
    page.screenshot(path=str(SHOTS / "2_teacher_submitted.png"), full_page=True)
    logout(page)

    # 2. the school's information administrator approves
    login(page, base, "2146000001_info", "Pass1234")
    page.click("a:has-text('审核')")
    page.screenshot(path=str(SHOTS / "3_school_task.png"), full_page=True)
    page.click("button:has-text('审核通过')")
    assert "已通过" in page.inner_text(".flash")
    logout(page)

    # 3. the county bureau (秀英区) approves
    login(page, base, "460105_info", "Pass1234")
    page.screenshot(path=str(SHOTS / "4_county_inbox.png"), full_page=True)
    page.click("a:has-text('审核')")
    page.click("button:has-text('审核通过')")
    assert "已通过" in page.inner_text(".flash")
    logout(page)

    # 4. the teacher sees the record as effective
    login(page, base, id_number, "Teach2026a")
    page.wait_for_selector("#record-state")
    assert "已生效" in page.inner_text("#record-state")
    page.screenshot(path=str(SHOTS / "5_effective.png"), full_page=True)
