"""The monthly figures of a reporting unit, computed from the data (DOMAIN.md's monthly columns).

For every school a unit covers (units.schools_by_unit), from the teacher rows:

- expected: teacher records (one per person) at the unit's schools;
- entered: records with data entered (filled in, or past the draft state);
- submitted: records ever submitted for review (submitted_at set, or a reviewed state);
- school_reviewed: passed the school's review (waiting for the authority, or effective);
- effective: passed the reviewing authority's review;
- returned: returned with a reason and not yet resubmitted;
- problems: records whose resident ID number fails the GB 11643 check;
- joined: records created in the month, and teachers transferred in (调入) in the month; left: departures
  (离岗) approved in the month — those records no longer count as expected — and teachers transferred out
  (调出) in the month;
- changes: new effective versions of already effective records made in the month;
- schools, schools_reported (schools with at least one submitted record);
- completion_rate = effective ÷ expected.

The month is the Beijing-time calendar month of the period. Everything is one grouped query over
teachers plus one over record versions, for every unit at once.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, case, func, select

from models import ChangeRequest, RecordVersion, Teacher, db
from models.mobility import TRANSFER_DONE, Transfer
from models.teachers import (
    STATE_LEFT,
    STATE_DRAFT,
    STATE_EFFECTIVE,
    STATE_RETURNED,
    STATE_SCHOOL_APPROVED,
    STATE_SUBMITTED,
)

from .units import all_orgs, schools_by_unit

FIGURE_COLUMNS = [
    ("schools", "学校数"),
    ("schools_reported", "已报送学校数"),
    ("expected", "应采集教师数"),
    ("entered", "已录入"),
    ("submitted", "已报送"),
    ("school_reviewed", "学校已审核"),
    ("effective", "主管部门已审核（已生效）"),
    ("returned", "已退回"),
    ("problems", "问题记录（证件号码有误）"),
    ("joined", "本月新增"),
    ("left", "本月减少"),
    ("changes", "本月变更"),
    ("completion_rate", "完成率"),
]
COUNT_KEYS = [k for k, _ in FIGURE_COLUMNS if k != "completion_rate"]


def month_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    from workflows.timers import CHINA, UTC
    year, month = (int(p) for p in period.split("-"))
    start = dt.datetime(year, month, 1, tzinfo=CHINA)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=CHINA)
    return start.astimezone(UTC), end.astimezone(UTC)


def empty() -> dict:
    return {k: 0 for k in COUNT_KEYS} | {"completion_rate": 0.0}


def finish(fig: dict) -> dict:
    # Kept precise (rounded at 6 places only to keep the stored JSON short): every page, sheet and the progress
    # dashboard round it once, to one decimal of a percent; rounding here to 4 places first made 32 of 168
    # read 19.1 % in the report and 19.0 % on the dashboard.
    fig["completion_rate"] = round(fig["effective"] / fig["expected"], 6) if fig["expected"] else 0.0
    return fig


def _school_counts(period: str) -> dict[int, dict]:
    from records.idcard import is_valid_resident_id
    start, end = month_bounds(period)
    t = Teacher.__table__
    reviewed = t.c.state.in_([STATE_SCHOOL_APPROVED, STATE_EFFECTIVE])
    submitted = (t.c.submitted_at.is_not(None)) | t.c.state.in_([STATE_SUBMITTED, STATE_SCHOOL_APPROVED,
                                                                 STATE_EFFECTIVE, STATE_RETURNED])
    entered = (t.c.filled_at.is_not(None)) | (t.c.state != STATE_DRAFT)
    tr = Transfer.__table__
    done = (tr.c.state == TRANSFER_DONE) & (tr.c.decided_at >= start) & (tr.c.decided_at < end)
    # a record made this month and transferred this month is counted once, by its transfer in
    moved_in = select(tr.c.id).where(done, tr.c.teacher_id == t.c.id, tr.c.to_org_id == t.c.org_id).exists()
    joined = and_(t.c.created_at >= start, t.c.created_at < end, ~moved_in)
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    rows = db.session.execute(select(
        t.c.org_id, func.count(), one(entered), one(submitted), one(reviewed), one(t.c.state == STATE_EFFECTIVE),
        one(t.c.state == STATE_RETURNED), one(joined)).where(t.c.state != STATE_LEFT).group_by(t.c.org_id)).all()
    counts: dict[int, dict] = defaultdict(empty)
    for org_id, expected, ent, sub, rev, eff, ret, new in rows:
        c = counts[org_id]
        c.update(expected=expected, entered=ent or 0, submitted=sub or 0, school_reviewed=rev or 0,
                 effective=eff or 0, returned=ret or 0, joined=new or 0)
    # ID numbers that fail the check (resident ID types only)
    for org_id, number in db.session.execute(select(t.c.org_id, t.c.id_number).where(t.c.id_type.in_(["1", "B"]))):
        if not is_valid_resident_id(number):
            counts[org_id]["problems"] += 1
    cr = ChangeRequest.__table__
    for org_id, n in db.session.execute(
            select(t.c.org_id, func.count()).select_from(cr.join(t, t.c.id == cr.c.teacher_id))
            .where(cr.c.kind == "departure", cr.c.state == "applied", cr.c.decided_at >= start, cr.c.decided_at < end)
            .group_by(t.c.org_id)):
        counts[org_id]["left"] += n
    # a transfer done in the month: one fewer at the school it left, one more at the school it joined
    for column, key in ((tr.c.from_org_id, "left"), (tr.c.to_org_id, "joined")):
        for org_id, n in db.session.execute(select(column, func.count()).where(done).group_by(column)):
            counts[org_id][key] += n
    rv = RecordVersion.__table__
    for org_id, n in db.session.execute(
            select(t.c.org_id, func.count()).select_from(rv.join(t, t.c.id == rv.c.teacher_id))
            .where(rv.c.number > 1, rv.c.created_at >= start, rv.c.created_at < end).group_by(t.c.org_id)):
        counts[org_id]["changes"] += n
    return counts


def unit_figures(unit_ids, period: str) -> dict[int, dict]:
    """{unit id: figures} for the given reporting units and period, as of now."""
    orgs = all_orgs()
    coverage = schools_by_unit(orgs)
    per_school = _school_counts(period)
    out = {}
    for unit_id in unit_ids:
        fig = empty()
        for school_id in coverage.get(unit_id, []):
            counts = per_school.get(school_id)
            fig["schools"] += 1
            if counts is None:
                continue
            for key in COUNT_KEYS:
                if key not in ("schools", "schools_reported"):
                    fig[key] += counts[key]
            if counts["submitted"]:
                fig["schools_reported"] += 1
        out[unit_id] = finish(fig)
    return out


def total(figures) -> dict:
    fig = empty()
    for f in figures:
        for key in COUNT_KEYS:
            fig[key] += (f or {}).get(key, 0)
    return finish(fig)
