"""The transfer page through the real app: while in progress the badge says which unit it waits for
("办理中：待龙华区教育局审核"), the timeline names the unit behind every event (the application and
each decision) and the open step with its deadline, shown as its last day."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import db
from models.mobility import Transfer
from tests.journey_helpers import login
from tests.test_transfers import approve, effective_teacher


def badge(page: str) -> str:
    return re.search(r'id="transfer-state">([^<]*)<', page).group(1)


def timeline(page: str) -> list[str]:
    block = page[page.index('<ul class="timeline">'):]
    block = block[:block.index("</ul>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def test_transfer_page_names_the_acting_unit_and_the_current_step(province):
    _, t = effective_teacher()
    receiving = province.test_client()
    login(receiving, "2146000004_info")
    resp = receiving.post("/transfers/new", data={"id_number": t.id_number, "name": t.name, "join_month": "2026-09"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    row = db.session.scalars(select(Transfer)).one()
    url = f"/transfers/{row.id}"

    page = receiving.get(url).get_data(as_text=True)
    assert badge(page) == "办理中：待龙华区教育局审核"
    events = timeline(page)
    assert "海口市龙华区石山中心小学 · 提出申请" in events[0]
    assert events[-1].startswith("现在：调入审核单位审核 · 待龙华区教育局审核") and "当日" in events[-1]

    approve("460106_info", t.id, "transfer_in_review")
    sending = province.test_client()
    login(sending, "2146000001_info")
    page = sending.get(url).get_data(as_text=True)
    assert badge(page) == "办理中：待海口市秀英区东山中心小学确认"
    events = timeline(page)
    assert "龙华区教育局 · 调入审核单位审核 · 通过" in events[1]
    assert events[-1].startswith("现在：调出学校确认 · 待海口市秀英区东山中心小学确认")
    # the decision form of the step the viewer holds: its deadline is a last day, never a midnight
    decision = page[page.index('id="decision"'):]
    assert re.search(r"期限 \d{4}-\d{2}-\d{2} 当日", decision) and " 00:00" not in decision

    approve("2146000001_info", t.id, "transfer_out_confirm")
    approve("460105_info", t.id, "transfer_out_review")
    page = receiving.get(url).get_data(as_text=True)
    assert badge(page) == "已调动"
    events = timeline(page)
    assert [e.split(" · ")[1] for e in events] == ["海口市龙华区石山中心小学", "龙华区教育局",
                                                   "海口市秀英区东山中心小学", "秀英区教育局"]
    assert "同意调出" in events[2] and not any(e.startswith("现在") for e in events)
