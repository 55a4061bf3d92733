"""Deadlines as people read them: a due time at Beijing midnight is the end of the day before and is
shown as that day ("2026-12-25 当日", English "end of 2026-12-25"), never as the next day's 00:00;
one filter (`deadline`) on every page that shows a due time, the same words in notifications and in
the report's xlsx."""
from __future__ import annotations

import datetime as dt
import io

from flask import render_template_string
from flask_babel import force_locale
from openpyxl import load_workbook
from sqlalchemy import select

from models import MonthlyReport, db
from scheduler.tick import run_tick
from tests.journey_helpers import login, org
from tests.test_scheduler import at
from views.deadlines import deadline_text, last_day

UTC = dt.timezone.utc


def test_midnight_is_the_end_of_the_day_before(app):
    end_of_25th = dt.datetime(2026, 12, 25, 16, 0, tzinfo=UTC)        # 2026-12-26 00:00 in Beijing
    assert last_day(end_of_25th) == dt.date(2026, 12, 25)
    assert deadline_text(end_of_25th) == "2026-12-25 当日"
    assert deadline_text(end_of_25th.replace(tzinfo=None)) == "2026-12-25 当日"   # stored naive = UTC
    assert deadline_text(dt.datetime(2026, 12, 12, 6, 30, tzinfo=UTC)) == "2026-12-12 14:30"
    assert deadline_text(None) == ""
    with app.test_request_context("/"):
        assert render_template_string("{{ d|deadline }}", d=end_of_25th) == "2026-12-25 当日"
        with force_locale("en"):
            assert render_template_string("{{ d|deadline }}", d=end_of_25th) == "end of 2026-12-25"


def test_report_pages_and_xlsx_show_the_last_day(province):
    run_tick(at("2026-12-01T09:00"))
    report = db.session.scalars(select(MonthlyReport).where(MonthlyReport.org_id == org("460105").id)).one()
    assert report.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%d %H:%M") == "26 00:00"
    county = province.test_client()
    login(county, "460105_info")
    opened = county.get("/notifications").get_data(as_text=True)   # the month's report is open: until when
    assert "截止 2026-12-25 当日" in opened and "00:00" not in opened
    listing = county.get("/reports").get_data(as_text=True)
    detail = county.get(f"/reports/{report.id}").get_data(as_text=True)
    for page in (listing, detail):
        assert "2026-12-25 当日" in page and "2026-12-26 00:00" not in page
    county.get("/lang/en")        # in English: "end of 2026-12-25"
    assert "end of 2026-12-25" in county.get(f"/reports/{report.id}").get_data(as_text=True)
    county.get("/lang/zh")
    above = province.test_client()
    login(above, "460100_info")   # the city bureau sees its counties' reports and their deadlines
    assert "2026-12-25 当日" in above.get("/reports").get_data(as_text=True)
    sheet = load_workbook(io.BytesIO(county.get(f"/reports/{report.id}/xlsx").data)).active
    header = " ".join(str(c.value) for row in sheet.iter_rows(max_row=3) for c in row if c.value)
    assert "报送截止：2026-12-25 当日" in header
