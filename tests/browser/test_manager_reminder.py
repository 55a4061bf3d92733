"""A unit's manager in Chromium: 秀英区教育局's head is its manager (linked to the bureau's read-only
account). The scheduler is ticked with `flask --app app scheduler tick --now …` as an operator does:
on the 1st the month's report opens, on the 26th the report not submitted by the 25th escalates.
The information administrator was reminded before; the manager is told only once it is overdue:
the unread badge in the top bar, the row in 通知中心, opening it leads to the report and marks it read."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.steps import login, logout, nav, scheduler_tick, setup_province, shot, unread_badge

MANAGER_LOGIN = "460105_query"


def _manager_with_an_account(app) -> None:
    """The bureau's head as its manager, linked to an account (the 负责人 page has no field for
    the account: reports.setup.add_manager is how a manager gets one)."""
    from models import Org, User, db
    from reports.setup import add_manager
    with app.app_context():
        bureau = db.session.scalars(select(Org).where(Org.code == "460105")).one()
        head = db.session.scalars(select(User).where(User.username == MANAGER_LOGIN)).one()
        actor = db.session.scalars(select(User).where(User.username == "460105_sys")).one()
        add_manager(actor, bureau, "王局长", "wang.juzhang@example.org", user_id=head.id)
        db.session.commit()


@pytest.mark.browser
def test_manager_sees_the_overdue_report_in_the_notification_centre(live_server, page):
    app, base = live_server
    setup_province(app)
    _manager_with_an_account(app)

    # the 1st of the month: the month's reports open; nothing for the manager yet
    lines = scheduler_tick(app, "2026-12-01T09:00+08:00")
    assert any("秀英区教育局" in line for line in lines), lines
    login(page, base, MANAGER_LOGIN)
    assert unread_badge(page) is None
    logout(page)

    # the 26th: the reminder (3 days before) and the escalation (after the 25th) fire
    lines = scheduler_tick(app, "2026-12-26T09:00+08:00")
    assert lines, "the tick on the 26th fired nothing"
    assert scheduler_tick(app, "2026-12-26T09:00+08:00") == []   # a repeated tick fires nothing twice

    # the bureau's information administrator was reminded and told it is overdue
    login(page, base, "460105_info")
    nav(page, "通知")
    titles = page.inner_text("table.list")
    assert "【即将到期】" in titles and "【已逾期】" in titles, titles
    logout(page)

    # the manager: the unread badge, the row in the centre, opened it becomes read
    login(page, base, MANAGER_LOGIN)
    assert unread_badge(page) == "1"
    shot(page, "manager_1_badge")
    nav(page, "通知")
    row = page.locator("table.list tbody tr.unread")
    assert row.count() == 1
    text = row.inner_text()
    assert "【已逾期】" in text and "秀英区教育局" in text and "2026年12月" in text and "未读" in text, text
    assert "【即将到期】" not in page.inner_text("table.list")   # reminders go to the ones who act
    shot(page, "manager_2_notification_centre")
    row.locator("a").click()
    page.wait_for_load_state()
    assert "/reports/" in page.url, page.url
    assert "秀英区教育局" in page.inner_text("main")
    shot(page, "manager_3_opened_report")
    assert unread_badge(page) is None
    nav(page, "通知")
    assert page.locator("table.list tbody tr.unread").count() == 0
    assert "已读" in page.inner_text("table.list tbody tr")
    assert "未读 (0)" in page.inner_text(".tabs")
    shot(page, "manager_4_read")
