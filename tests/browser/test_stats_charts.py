"""The statistics page in Chromium: ECharts (from the project's static files) draws every chart, with no
script errors, and the query user's page shows no full ID number."""
from __future__ import annotations

from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def _province_with_teachers(app) -> list[str]:
    from tests.journey_helpers import setup_province
    from tests.test_stats import world
    with app.app_context():
        setup_province(app)
        return [t.id_number for t in world()]


@pytest.mark.browser
def test_statistics_charts_draw(live_server, page):
    app, base = live_server
    ids = _province_with_teachers(app)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(base + "/login")
    page.fill("#username", "460105_query")
    page.fill("#password", "Pass1234")
    page.click("button[type=submit]")
    page.goto(base + "/stats")
    for key in ("units", "gender", "age", "ethnicity", "education", "staff_type"):
        page.wait_for_selector(f"#chart-{key} canvas", timeout=10_000)
    assert page.inner_text("#stats-total") == "3"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "statistics_county_query.png"), full_page=True)
    assert not errors, errors
    page.goto(base + "/search?name=老师")
    body = page.content()
    assert "甲老师" in body and not any(n in body for n in ids)
