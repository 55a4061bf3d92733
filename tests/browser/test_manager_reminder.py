"""A unit's manager in Chromium: the bureau's system administrator adds 秀英区教育局's head as its
manager on 负责人与接收邮箱, linked to the bureau's read-only account. The scheduler is ticked with
`flask --app app scheduler tick --now …` as an operator does: on the 1st the month's report opens,
on the 26th the report not submitted by the 25th escalates. The information administrator was
reminded before; the manager is told only once it is overdue: the unread badge in the top bar, the
row in 通知中心, opening it leads to the report and marks it read."""
from __future__ import annotations

import pytest

from tests.browser.steps import flash_text, login, logout, nav, scheduler_tick, setup_province, shot, unread_badge

MANAGER_LOGIN = "460105_query"


def _add_manager_on_the_page(page, base) -> None:
    """The bureau's system administrator: 月报 → 负责人与接收邮箱, the head's name and e-mail, and the
    account the head signs in with, chosen from the bureau's own accounts."""
    login(page, base, "460105_sys")
    nav(page, "月报")
    page.click("text=负责人与接收邮箱")
    page.fill("#name", "王局长")
    page.fill("#email", "wang.juzhang@example.org")
    page.select_option("#user_id", label="秀英区教育局信息查询员（460105_query）")
    page.click("button:has-text('添加负责人')")
    assert "已添加负责人" in flash_text(page)
    row = page.locator("#managers tbody tr").first.inner_text()
    assert "王局长" in row and "460105_query" in row, row
    shot(page, "manager_0_linked_on_the_page")
    logout(page)


@pytest.mark.browser
def test_manager_sees_the_overdue_report_in_the_notification_centre(live_server, page):
    app, base = live_server
    setup_province(app)
    _add_manager_on_the_page(page, base)

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
