"""Export → import gives identical records: a hypothesis property over every set and school type.

A valid record is generated field by field from the declaration (codes from the tables, dates in
order, linked codes that match, conditional fields only when they apply, text that starts with
= + - @ now and then), written with the workbook writer the exports use (records/sheets.py), and
read back with the importers. The clean values must come back unchanged, and a formula-like
text must be stored as text, never as a formula.
"""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from records.fields import (CODE, DATE, INTEGER, MONEY, MONTH, MULTI, NAME, NUMBER, SCHOOL_YEAR, TEXT, YEAR,
                            GROUP_TYPES)
from records.importer import parse_basic_sheet
from records.indicators import SETS, basic_fields, set_by_key
from records.rules import Differs, Forces, Linked, NotCode, NotLess, Order, PastYear
from records.set_import import parse_set_sheet
from records.sheets import build_workbook, set_sheet_row
from records.validation import validate_record, validate_set_row
from tests.journey_helpers import make_id

TODAY = dt.date.today()
SCHOOL = "海口市秀英区东山中心小学"
CASES = [(k, t) for k in SETS if k != "basic" for t in GROUP_TYPES.values() if set_by_key(k, t) is not None]
WORDS = st.text(alphabet="教师学校海南中心小学甲乙丙丁abcXYZ0123456789（）·-_/", min_size=1, max_size=8)
FORMULA_START = st.sampled_from(["", "", "", "=", "+", "-", "@"])


@st.composite
def text_value(draw, f):
    limit = f.max_length or 30
    if f.pattern_hint.startswith("以 1 开头"):
        return "1" + draw(st.text(alphabet="0123456789", min_size=10, max_size=10))
    if "@" in f.pattern_hint:
        return draw(st.text(alphabet="abcxyz019", min_size=1, max_size=8)) + "@example.com"
    if f.pattern:
        return "0898-" + draw(st.text(alphabet="0123456789", min_size=7, max_size=8))
    words = draw(st.lists(WORDS, min_size=1, max_size=1 if f.compact or f.kind == NAME else 3))
    text = draw(FORMULA_START) + ("" if f.compact or f.kind == NAME else " ").join(words)
    return text[:limit].strip() or "甲"


def _day(draw, low: dt.date, high: dt.date) -> dt.date:
    return low + dt.timedelta(days=draw(st.integers(0, max(0, (high - low).days))))


@st.composite
def set_record(draw, info):
    """A record of one set (resolved for a school type) that the declaration accepts."""
    rules = {type(r).__name__: [] for r in info.rules}
    for r in info.rules:
        rules[type(r).__name__].append(r)
    values: dict[str, str] = {}
    for f in info.fields:
        if f.is_cleared(values):
            continue
        if not (f.required or f.is_required(values)) and not draw(st.booleans()):
            continue
        values[f.key] = draw(_value(f, values, rules))
    return values


@st.composite
def _value(draw, f, values, rules):
    later = next((r for r in rules.get("Order", []) if r.then == f.key and values.get(r.first)), None)
    high = TODAY if f.not_future else dt.date(2035, 12, 31)
    if f.kind in (CODE, MULTI):
        codes = [c.code for c in f.code_table.codes]
        for r in rules.get("Linked", []):
            if r.key == f.key and values.get(r.by):
                allowed = r.allowed(values[r.by])
                codes = [c for c in codes if allowed is None or c in allowed]
        for r in rules.get("Forces", []):
            if r.key == f.key and r.condition.holds(values):
                codes = [c for c in codes if c in r.codes]
        for r in rules.get("Differs", []):
            if r.other == f.key:
                codes = [c for c in codes if c != values.get(r.key)]
        for r in rules.get("NotCode", []):
            if r.key == f.key:
                codes = [c for c in codes if c not in r.codes]
        if f.kind == CODE:
            return draw(st.sampled_from(codes))
        alone = [c for c in codes if c in f.code_table.exclusive]
        others = [c for c in codes if c not in f.code_table.exclusive]
        if alone and (not others or draw(st.booleans())):
            return draw(st.sampled_from(alone))
        picked = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
        return ",".join(c for c in codes if c in picked)
    if f.kind == DATE:
        low = dt.date.fromisoformat(values[later.first]) if later else dt.date(1980, 1, 1)
        low = low + dt.timedelta(days=1) if later and later.strict else low
        return _day(draw, low, max(low, high)).isoformat()
    if f.kind == MONTH:
        low = dt.date.fromisoformat(values[later.first] + "-01") if later else dt.date(1980, 1, 1)
        if later and later.strict:
            low = (low.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return _day(draw, low, max(low, high)).strftime("%Y-%m")
    if f.kind == YEAR:
        top = TODAY.year - 1 if any(r.key == f.key for r in rules.get("PastYear", [])) else TODAY.year
        return str(draw(st.integers(1990, top)))
    if f.kind == SCHOOL_YEAR:
        y = draw(st.integers(2000, TODAY.year))
        return f"{y}-{y + 1}"
    if f.kind == INTEGER:
        top = 500
        for r in rules.get("NotLess", []):
            if r.small == f.key and values.get(r.big):
                top = int(values[r.big])
        bottom = 0
        for r in rules.get("NotLess", []):
            if r.big == f.key and values.get(r.small):
                bottom = int(values[r.small])
        return str(draw(st.integers(bottom, max(bottom, top))))
    if f.kind == NUMBER:
        return f"{draw(st.integers(0, 400)) / 2:g}"
    if f.kind == MONEY:
        return f"{draw(st.integers(0, 5_000_000)) / 100:.2f}"
    if any(r.other == f.key for r in rules.get("Differs", [])):
        other = next(values.get(r.key) for r in rules["Differs"] if r.other == f.key)
        value = draw(text_value(f))
        return value if value != other else value + "乙"
    return draw(text_value(f))


def identity(n: int) -> dict:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=n * 37)
    return {"name": f"教师{'甲乙丙丁戊'[n % 5]}", "id_type": "1", "id_number": make_id(birth.isoformat(), n % 400, n % 2 == 0)}


def roundtrip_set(set_key, school_type, records):
    info = set_by_key(set_key, school_type)
    clean_rows = []
    for values in records:
        clean, problems = validate_set_row(info, values, school_name=SCHOOL, today=TODAY)
        assume(not problems)
        clean_rows.append(clean)
    people = [identity(i) for i in range(len(clean_rows))]
    rows = [set_sheet_row(clean, **person) for clean, person in zip(clean_rows, people)]
    data = build_workbook(set_key, school_type, rows, what="导出")
    parsed = parse_set_sheet(data, set_key, school_type, today=TODAY, school_name=SCHOOL)
    assert parsed.ok, [str(p) for p in parsed.problems][:3]
    assert [r.values for r in parsed.rows] == clean_rows
    assert [(r.name, r.id_number) for r in parsed.rows] == [(p["name"], p["id_number"]) for p in people]
    return data, clean_rows


@pytest.mark.parametrize("set_key,school_type", CASES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_set_round_trips(set_key, school_type, data):
    info = set_by_key(set_key, school_type)
    count = 1 if not info.repeatable or info.set_rules else data.draw(st.integers(1, 3))
    records = [data.draw(set_record(info)) for _ in range(count)]
    roundtrip_set(set_key, school_type, records)


@settings(max_examples=40, deadline=None)
@given(st.lists(text_value(set_by_key("work", "21").field("unit")), min_size=1, max_size=4))
def test_formula_like_text_stays_text(units):
    records = [{"unit": u, "start": f"20{10 + i:02d}-09", "end": f"20{10 + i:02d}-12"} for i, u in enumerate(units)]
    data, clean = roundtrip_set("work", "21", records)
    ws = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [ws.cell(row=i + 2, column=4) for i in range(len(units))]
    assert [c.value for c in cells] == [r["unit"] for r in clean]
    assert all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells if c.value.startswith(("=", "+", "-", "@")))


# ------------------------------------------------------------------------------ the basic set
@st.composite
def basic_record(draw, school_type):
    fields = {f.key: f for f in basic_fields(school_type)}
    birth = _day(draw, dt.date(1960, 1, 1), dt.date(2000, 12, 31))
    female = draw(st.booleans())
    values = {"name": draw(text_value(fields["name"])).lstrip("=+-@") or "林晓", "gender": "2" if female else "1",
              "id_type": "1", "id_number": make_id(birth.isoformat(), draw(st.integers(0, 998)), female),
              "birth_date": birth.isoformat()}
    work = _day(draw, dt.date(birth.year + 18, 1, 1), max(dt.date(birth.year + 18, 1, 1), TODAY))
    months = {"work_start_month": work, "joined_school_month": _day(draw, work, max(work, TODAY)),
              "special_ed_start_month": _day(draw, work, max(work, TODAY))}
    for key, day in months.items():
        if key in fields:
            values[key] = day.strftime("%Y-%m")
    for f in fields.values():
        if f.key in values or f.is_cleared(values):
            continue
        if not (f.required or f.is_required(values)) and not draw(st.booleans()):
            continue
        if f.key == "grassroots_end":
            values[f.key] = _day(draw, dt.date.fromisoformat(values["grassroots_start"] + "-01"),
                                 dt.date(2035, 1, 1)).strftime("%Y-%m") if values.get("grassroots_start") else "2020-01"
        elif f.kind == CODE and f.key == "nationality":
            values[f.key] = draw(st.sampled_from(["156", "156", "344", "840"]))
        elif f.kind in (TEXT, NAME):
            values[f.key] = draw(text_value(f))
        else:
            values[f.key] = draw(_value(f, values, {}))
    return values


@pytest.mark.parametrize("school_type", list(GROUP_TYPES.values()))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_basic_records_round_trip(school_type, data):
    records = []
    for i in range(data.draw(st.integers(1, 3))):
        values = data.draw(basic_record(school_type))
        clean, problems = validate_record(values, school_type, today=TODAY)
        assume(not problems)
        assume(clean["id_number"] not in {r["id_number"] for r in records})
        records.append(clean)
    sheet = build_workbook("basic", school_type, [{"school_code": f"{school_type}46000001", **r} for r in records],
                           with_school=True, what="导出")
    parsed = parse_basic_sheet(sheet, today=TODAY)
    assert parsed.ok, [str(p) for p in parsed.problems][:3]
    assert [r.values for r in parsed.rows] == records
