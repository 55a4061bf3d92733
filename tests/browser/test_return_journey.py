"""A returned record in Chromium: the teacher submits, the school returns it with a reason, the
teacher sees the reason on the record, corrects the field and submits again, the school sees the
earlier return in the record's history and approves."""
from __future__ import annotations

import pytest

from tests.browser.form_filler import add_study_row, fill_basic_form
from tests.browser.steps import first_login, flash_text, login, logout, nav, setup_province, shot, teacher_account

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
    page.click("#decision button:has-text('退回修改')")          # no reason: refused beside the box
    assert "退回" in page.inner_text("#decision .error")
    page.fill("#reason", REASON)
    shot(page, "return_1_school_returns_with_reason")
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
    shot(page, "return_4_school_reviews_again")
    page.click("#decision button:has-text('审核通过')")
    assert "已通过" in flash_text(page), flash_text(page)
    nav(page, "教师信息")
    page.click("table.list >> text=林晓")
    page.wait_for_selector("#record-state")
    assert "待主管部门审核" in page.inner_text("#record-state")
    shot(page, "return_5_school_approved")
