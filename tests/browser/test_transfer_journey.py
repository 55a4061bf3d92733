"""A transfer across counties in Chromium (跨县（市、区）): 海口市龙华区石山中心小学 (龙华区) applies for an
effective teacher of 海口市秀英区东山中心小学 (秀英区) → 龙华区教育局 approves → 东山中心小学 agrees to let
her go → 秀英区教育局 approves. Afterwards the record is the new school's (进本校年月 = the month applied
for), the old school no longer lists her and keeps the transfer as 调出, and her login lands on the
moved record."""
from __future__ import annotations

import pytest

from tests.browser.steps import (effective_teacher, first_login, flash_text, login, logout, nav, setup_province,
                                 shot)

NAME = "郑秋雨"
OLD, OLD_NAME, OLD_BUREAU = "2146000001", "海口市秀英区东山中心小学", "460105"
NEW, NEW_NAME, NEW_BUREAU = "2146000004", "海口市龙华区石山中心小学", "460106"


def _decide_from_inbox(page, base: str, login_name: str, button: str, shot_name: str) -> None:
    """A reviewing role's step: 待办任务 → the transfer's page → the decision."""
    login(page, base, login_name)
    nav(page, "待办任务")
    page.click(f"table.list tr:has-text('{NAME}') >> a.button")
    page.wait_for_selector("#decision")
    assert "跨县（市、区）" in page.inner_text("main")
    shot(page, shot_name)
    page.click(f"#decision button:has-text('{button}')")
    assert "通过" in flash_text(page) or "同意" in flash_text(page), flash_text(page)
    page.goto(base + "/inbox")
    assert NAME not in page.inner_text("main")          # the step left this unit's inbox
    logout(page)


@pytest.mark.browser
def test_transfer_across_counties(live_server, page):
    app, base = live_server
    setup_province(app)
    id_number, initial = effective_teacher(app, OLD, OLD_BUREAU, NAME, seq=4)

    # 1. the receiving school's information administrator applies
    login(page, base, f"{NEW}_info")
    nav(page, "调动与交流")
    page.click("text=申请调入教师")
    page.fill("#id_number", id_number)
    page.fill("#name", NAME)
    page.fill("#join_month", "2026-12")
    page.fill("#reason", "夫妻团聚，本人申请调入")
    shot(page, "transfer_1_apply")
    page.click("button:has-text('提交调入申请')")
    page.wait_for_selector("#transfer-state")
    detail = page.inner_text("main")
    assert OLD_NAME in detail and NEW_NAME in detail and "跨县（市、区）" in detail, detail
    assert "已调动" not in page.inner_text("#transfer-state")
    transfer_url = page.url
    shot(page, "transfer_2_applied")
    logout(page)

    # 2. – 4. every approving role, in order, from its own inbox
    _decide_from_inbox(page, base, f"{NEW_BUREAU}_info", "审核通过", "transfer_3_receiving_bureau")
    login(page, base, f"{OLD}_info")                    # before it agrees, the old school still lists her
    nav(page, "教师信息")
    assert NAME in page.inner_text("table.list")
    logout(page)
    _decide_from_inbox(page, base, f"{OLD}_info", "同意调出", "transfer_4_sending_school")
    _decide_from_inbox(page, base, f"{OLD_BUREAU}_info", "审核通过", "transfer_5_sending_bureau")

    # 5. the new school lists her, with the month applied for
    login(page, base, f"{NEW}_info")
    page.goto(transfer_url)
    assert "已调动" in page.inner_text("#transfer-state")
    assert "记录已转入" in page.inner_text("main")
    shot(page, "transfer_6_done")
    nav(page, "教师信息")
    row = page.locator(f"table.list tbody tr:has-text('{NAME}')")
    assert row.count() == 1 and NEW_NAME in row.inner_text() and "已生效" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_selector("#record-state")
    main = page.inner_text("main")
    assert NEW_NAME in main and "2026-12" in main and "已调动" in main
    logout(page)

    # 6. the old school no longer lists her; the transfer stays on its 调出 tab
    login(page, base, f"{OLD}_info")
    nav(page, "教师信息")
    assert NAME not in page.inner_text("table.list")
    assert "没有符合条件的教师" in page.inner_text("table.list")
    shot(page, "transfer_7_old_school_list")
    nav(page, "调动与交流")
    page.click(".tabs >> text=调出")
    out = page.inner_text("#transfers")
    assert NAME in out and "调出" in out and "已调动" in out, out
    shot(page, "transfer_8_old_school_out")
    logout(page)

    # 7. her login moved with the record
    first_login(page, base, id_number, initial, "Teach2026a")
    assert NEW_NAME in page.inner_text("header .who")
    page.wait_for_selector("#record-state")
    assert NEW_NAME in page.inner_text("main")
    shot(page, "transfer_9_teacher")
