"""A returned record in Chromium: the teacher submits, the school returns it with a reason, the
teacher sees the reason on the record, corrects the field and submits again, the school sees the
earlier return in the record's history, what changed since the return marked with its old value, and
approves. The decision box is one row (通过 / 退回), the reason box grows when 退回 is chosen."""
from __future__ import annotations

import pytest

from tests.browser.form_filler import add_study_row, fill_basic_form
from tests.browser.steps import (SHOTS, first_login, flash_text, login, logout, nav, setup_province, shot,
                                 teacher_account, wait_until)

REASON = "进本校年月填写有误：人事档案记载为 2013 年 9 月，请更正后重新报送"


@pytest.mark.browser
def test_school_returns_with_a_reason_teacher_corrects_and_school_approves(live_server, page):
    app, base = live_server
    setup_province(app)
    id_number, initial = teacher_account(app, "2146000001", "林晓", seq=2)

    # 1. the teacher fills the record (with a wrong 进本校年月) and submits
    first_login(page, base, id_number, initial, "Teach2026a")
    add_study_row(page)
    page.click("text=填写 / 修改基本信息")
    fill_basic_form(page)
    page.click("button:has-text('报送审核')")
    page.wait_for_selector("#record-state")
    assert "待学校审核" in page.inner_text("#record-state")
    logout(page)

    # 2. the school's information administrator returns it with a reason
    login(page, base, "2146000001_info")
    nav(page, "待办任务")
    page.click("table.list >> a.button:has-text('审核')")
    page.wait_for_selector("#decision")
    button = page.locator("#decision button.decide")                  # one button, named by the choice
    assert page.is_checked("#choice-approve") and button.inner_text().strip() == "审核通过"
    # the decision box is one row at the bottom of a laptop-height window; the record stays readable
    page.set_viewport_size({"width": 1366, "height": 720})
    SHOTS.mkdir(parents=True, exist_ok=True)
    compact = page.locator("#decision").bounding_box()["height"]
    assert compact <= 80, compact
    page.screenshot(path=str(SHOTS / "return_0_decision_box_compact.png"))   # the window, not the full page
    # 退回 chosen from the keyboard, then Enter: a return (here refused for want of a reason), never an approval
    page.focus("#choice-approve")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#choice-return")
    wait_until(page, "document.querySelector('#reason').getBoundingClientRect().height > 80")  # the reason box grows
    assert button.inner_text().strip() == "退回修改"
    assert page.locator("#decision").bounding_box()["height"] <= 160
    page.focus("#choice-return")
    page.keyboard.press("Enter")                                 # no reason: refused beside the box
    page.wait_for_selector("#decision .error")
    assert "退回" in page.inner_text("#decision .error") and "待学校审核" in page.inner_text("h1")
    assert page.is_checked("#choice-return")                     # the box reopens as it was left
    page.fill("#reason", REASON)
    assert page.inner_text("#reason + .counter") == f"{len(REASON)} / 500"     # how much room is left
    page.screenshot(path=str(SHOTS / "return_1_school_returns_with_reason.png"))
    page.click("#decision button:has-text('退回修改')")
    assert "退回" in flash_text(page), flash_text(page)
    assert "当前没有待办任务" in page.inner_text("main")
    logout(page)

    # 3. the teacher sees the reason, corrects the field and submits again
    login(page, base, id_number, "Teach2026a")
    page.wait_for_selector("#record-state")
    assert "已退回" in page.inner_text("#record-state")
    banner = page.inner_text("main .flash.error")
    assert REASON in banner, banner
    shot(page, "return_2_teacher_sees_reason")
    page.click("text=填写 / 修改基本信息")
    assert page.input_value("input#joined_school_month") == "2012-09"   # what was submitted is kept
    page.fill("input#joined_school_month", "2013-09")
    page.click("button:has-text('报送审核')")
    page.wait_for_selector("#record-state")
    assert "待学校审核" in page.inner_text("#record-state")
    history = page.inner_text("main")
    assert REASON in history      # the record's 报送与审核记录 keeps the return
    shot(page, "return_3_teacher_resubmitted")
    logout(page)

    # 4. the school sees the correction and the earlier return, and approves
    login(page, base, "2146000001_info")
    nav(page, "待办任务")
    page.click("table.list >> a.button:has-text('审核')")
    page.wait_for_selector("#decision")
    body = page.inner_text("main")
    assert REASON in body and "2013-09" in body, body[:3000]
    # what changed since the return is marked, with the value it had then
    assert "退回后修改了 1 项" in page.inner_text("#since-return") and "进本校年月" in page.inner_text("#since-return")
    changed = page.locator("#basic dd.changed")
    assert changed.count() == 1 and "已修改" in changed.inner_text() and "2012-09" in changed.locator("del").inner_text()
    shot(page, "return_4_school_reviews_again")
    page.click("#since-return a:has-text('进本校年月')")            # the summary links to the marked item
    wait_until(page, "document.querySelector('#basic dd.changed').getBoundingClientRect().top < 300")
    page.screenshot(path=str(SHOTS / "return_4b_changed_since_return_window.png"))
    page.click("#decision button:has-text('审核通过')")
    assert "已通过" in flash_text(page), flash_text(page)
    nav(page, "教师信息")
    page.click("table.list >> text=林晓")
    page.wait_for_selector("#record-state")
    assert "待主管部门审核" in page.inner_text("#record-state")
    shot(page, "return_5_school_approved")
