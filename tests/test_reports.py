"""Monthly reports: who reports on the real Hainan tree, the figures from the data, the xlsx layout,
the report pages and who may see and submit what."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import workflows
from models import MonthlyReport, Org, RecordVersion, Teacher, User, db
from reports import reporting_units, unit_figures
from reports.units import schools_by_unit
from reports.xlsx import HEAD
from scheduler.tick import run_tick
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from tests.test_scheduler import at


def org(code):
    return db.session.scalars(select(Org).where(Org.code == code)).one()


def test_reporting_units_on_the_real_tree(hainan):
    units = reporting_units()
    kinds = {}
    for unit in units:
        kinds[unit.kind] = kinds.get(unit.kind, 0) + 1
    assert kinds == {"city": 4, "county": 24, "school": 3}  # every county-level bureau, city bureaus, 省属 schools
    assert all(u.parent.kind == "province" for u in units if u.kind == "school")
    coverage = schools_by_unit()
    # A city bureau reports for its own (city-run) schools, not its districts' schools.
    haikou = {db.session.get(Org, i).code for i in coverage[org("460100").id]}
    assert haikou == {"3446000026", "3646000001"}
    # A city without districts (儋州) covers all its schools; a province-run school only itself.
    assert len(coverage[org("460400").id]) == 6
    assert [db.session.get(Org, i).code for i in coverage[org("3446000027").id]] == ["3446000027"]
    # Every school is covered exactly once.
    covered = [i for ids in coverage.values() for i in ids]
    assert len(covered) == len(set(covered)) == len(db.session.scalars(select(Org.id).where(Org.kind == "school")).all())


def test_figures_come_from_the_data(world):
    w = world
    now = at("2026-12-10T10:00")
    old = at("2026-10-01T10:00")
    states = ["draft", "draft", "submitted", "school_approved", "effective", "effective", "returned"]
    teachers = []
    for i, state in enumerate(states):
        t = Teacher(org_id=w.school.id if i < 5 else w.other_school.id, name=f"教师{i}", gender="1",
                    id_number=f"46010519900101{i:04d}", state=state, basic={}, created_at=now if i < 2 else old,
                    submitted_at=None if state == "draft" else old, filled_at=old if i == 1 else None)
        teachers.append(t)
    db.session.add_all(teachers)
    db.session.flush()
    db.session.add_all([RecordVersion(teacher_id=teachers[4].id, number=1, basic={}, created_at=old),
                        RecordVersion(teacher_id=teachers[4].id, number=2, basic={}, created_at=now)])
    db.session.commit()
    fig = unit_figures([w.district.id], "2026-12")[w.district.id]
    expected_total = 1 + len(states)  # the world's own teacher (draft, bad check digit) plus these
    assert fig["expected"] == expected_total and fig["schools"] == 2 and fig["schools_reported"] == 2
    assert (fig["entered"], fig["submitted"], fig["school_reviewed"], fig["effective"], fig["returned"]) == (6, 5, 3, 2, 1)
    assert fig["joined"] == 3 and fig["changes"] == 1 and fig["left"] == 0  # joined: two made now + the world's own
    from records.idcard import is_valid_resident_id
    numbers = db.session.scalars(select(Teacher.id_number).where(Teacher.org_id.in_([w.school.id, w.other_school.id])))
    assert fig["problems"] == sum(not is_valid_resident_id(n) for n in numbers) > 0
    assert fig["completion_rate"] == round(2 / expected_total, 6)
    # one rounding, as the progress dashboard does: 32 of 168 is 19.0 % everywhere (was 19.1 % in the report)
    from reports.figures import finish
    assert f"{finish({'effective': 32, 'expected': 168})['completion_rate'] * 100:.1f}" == f"{32 / 168 * 100:.1f}" == "19.0"
    assert unit_figures([w.district.id], "2026-10")[w.district.id]["joined"] == len(states) - 2


def test_report_pages_scope_and_submission(world, engine_app):
    w = world
    workflows.deploy_shipped()
    for user in (w.district_admin, w.school_admin, w.province_school_admin):
        user.set_password("Pass1234")
    db.session.commit()
    run_tick(at("2026-12-01T09:00"))
    reports = {r.org_id: r for r in db.session.scalars(select(MonthlyReport))}
    district, own_school = reports[w.district.id], reports[w.province_school.id]

    class Client:
        """A browser of its own; each request in a fresh app context (the test's own context would
        otherwise share flask.g, and with it Flask-Login's current user, between two browsers)."""

        def __init__(self, username):
            self.c = engine_app.test_client()
            self.post("/login", data={"username": username, "password": "Pass1234"})

        def get(self, *args, **kwargs):
            with engine_app.app_context():
                return self.c.get(*args, **kwargs)

        def post(self, *args, **kwargs):
            with engine_app.app_context():
                return self.c.post(*args, **kwargs)

    client = Client

    county = client("district_admin")
    page = county.get("/reports").get_data(as_text=True)
    assert "秀英区教育局" in page and "海南中学" not in page
    assert county.get(f"/reports/{own_school.id}").status_code == 404        # another unit's report
    assert county.get(f"/reports/{reports[w.city.id].id}").status_code == 404  # the level above's report
    detail = county.get(f"/reports/{district.id}").get_data(as_text=True)
    assert "提交月报" in detail and "应采集教师数" in detail
    download = county.get(f"/reports/{district.id}/xlsx")
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert [c.value for c in sheet[3]] == HEAD and sheet["A4"].value == "秀英区教育局"
    # A school administrator has no monthly report to see; another unit cannot submit this one.
    assert client("school_admin").get("/reports").status_code == 200
    other = client("province_school_admin")
    assert other.post(f"/reports/{district.id}/submit", data={"remark": "x"}).status_code == 404
    # line breaks count once, as the page's counter counts them (a browser posts them as CRLF)
    lines = "\r\n".join(["核" * 99] * 10) + "\r\n"     # 1,000 characters on the page, 1,010 bytes of form text
    counted = county.post(f"/reports/{district.id}/submit", data={"remark": lines + "多"})
    assert counted.status_code == 400 and "现有 1001 字" in counted.get_data(as_text=True)
    # a remark too long is refused with the text kept in the box, nothing submitted
    long_remark = "核对说明" * 260
    refused = county.post(f"/reports/{district.id}/submit", data={"remark": long_remark})
    assert refused.status_code == 400
    assert "备注不能超过 1000 字" in refused.get_data(as_text=True) and long_remark in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(MonthlyReport, district.id).status != "submitted"
    with workflows.frozen_clock(at("2026-12-20T10:00")):
        done = county.post(f"/reports/{district.id}/submit", data={"remark": "已核对"}, follow_redirects=True)
    assert "月报已提交" in done.get_data(as_text=True)
    again = county.post(f"/reports/{district.id}/submit", data={"remark": "again"}, follow_redirects=True)
    assert "该月报已提交" in again.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(MonthlyReport, district.id).remark == "已核对"
    # The report task in the inbox leads to the report page.
    inbox_task = county.get("/inbox").get_data(as_text=True)
    assert "填写年度总结" in inbox_task
    # someone who may not write it is told so, whatever the form held (not "请填写年度总结")
    from reports import ReportRefused, submit_year_end
    outsider = db.session.scalars(select(User).where(User.username == "school_admin")).one()
    with pytest.raises(ReportRefused, match="只有本单位的信息管理员"):
        submit_year_end(outsider, db.session.get(MonthlyReport, district.id), "")
    too_long = county.post(f"/reports/{district.id}/year-end", data={"summary": "总" * 10001})
    assert too_long.status_code == 400 and "总" * 10001 in too_long.get_data(as_text=True)
    year_end = county.post(f"/reports/{district.id}/year-end", data={"summary": "全年工作总结"}, follow_redirects=True)
    assert "年度总结已提交" in year_end.get_data(as_text=True)
