"""The province's information query user in Chromium: the teacher list, a record page and its
versions page show ID numbers masked (4601**********0029) and the birth date as its year; no full
ID number appears anywhere in the HTML of any page visited, and typing a full number into the list's
search finds nothing (an exact-number search would unmask it)."""
from __future__ import annotations

import pytest

from tests.browser.steps import effective_teacher, login, nav, setup_province, shot, teacher_account

QUERY_LOGIN = "460000_query"


def masked(id_number: str) -> str:
    return id_number[:4] + "*" * 10 + id_number[-4:]


@pytest.mark.browser
def test_query_user_sees_masked_id_numbers_only(live_server, page):
    app, base = live_server
    setup_province(app)
    effective, _ = effective_teacher(app, "2146000001", "460105", "郑秋雨", seq=4)                   # 秀英区
    draft, _ = teacher_account(app, "2146000004", "王海燕", seq=6, birth="1990-07-21", area="460106")  # 龙华区
    full = (effective, draft)
    pages = []

    def visit_html() -> str:
        html = page.content()
        pages.append(page.url)
        for number in full:
            assert number not in html, f"{page.url} shows the full ID number {number}"
        return html

    login(page, base, QUERY_LOGIN)
    assert "信息查询员" in page.inner_text("header .who")

    # the list: every row masked
    nav(page, "教师信息")
    page.wait_for_selector("table.list tbody tr")
    html = visit_html()
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    listed = {rows.nth(i).locator("td").nth(0).inner_text(): rows.nth(i).locator("td").nth(2).inner_text()
              for i in range(2)}
    assert listed == {"郑秋雨": masked(effective), "王海燕": masked(draft)}, listed
    assert masked(effective) in html
    assert page.inner_text("label[for=q]") == "姓名"            # no ID-number search for masked roles
    shot(page, "query_1_list_masked")

    # a full number typed into the search finds nothing
    page.fill("#q", effective)
    page.click("form.filters button:has-text('筛选')")
    page.wait_for_selector("table.list")
    assert "没有符合条件的教师" in page.inner_text("table.list")
    page.fill("#q", "郑秋雨")
    page.click("form.filters button:has-text('筛选')")
    page.wait_for_selector("table.list >> text=郑秋雨")

    # the record page: ID masked, birth date as its year
    page.click("table.list >> text=郑秋雨")
    page.wait_for_selector("#record-state")
    html = visit_html()
    assert masked(effective) in page.inner_text("main")
    assert "1988-**-**" in page.inner_text("main") and "1988-03-15" not in html
    assert "已生效" in page.inner_text("#record-state")
    assert "填写 / 修改基本信息" not in page.inner_text("main")     # read-only
    shot(page, "query_2_record_masked")

    # its versions and responsibility page
    page.click("text=版本与责任")
    page.wait_for_selector("main table.list")
    html = visit_html()
    assert masked(effective) in html and "1988-**-**" in html
    assert "1988-03-15" not in html       # was shown in full here (fixed: records.presentation.masked_for)
    shot(page, "query_3_history_masked")

    # the draft record of the other county
    nav(page, "教师信息")
    page.click("table.list >> text=王海燕")
    page.wait_for_selector("#record-state")
    html = visit_html()
    assert masked(draft) in page.inner_text("main") and "1990-07-21" not in html

    # the 查找 page by name
    nav(page, "查找")
    page.fill("#name", "王海燕")
    page.click("#search-form button:has-text('查找')")
    page.wait_for_selector("#results")
    html = visit_html()
    assert "王海燕" in page.inner_text("#results") and masked(draft) in page.inner_text("#results")
    page.fill("#name", "郑秋雨")
    page.click("#search-form button:has-text('查找')")
    page.wait_for_selector("#results >> text=郑秋雨")
    html = visit_html()
    cells = page.locator("#results tbody tr td").all_inner_texts()
    assert masked(effective) in cells and "在本单位任职" in cells, cells   # 人员状态 by its name, not code 100
    shot(page, "query_4_search_masked")
    assert len(pages) == 6, pages
