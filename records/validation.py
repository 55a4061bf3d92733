"""Validate one row of a set against its declaration → clean values and problems.

Lives here: `Problem`, value conversion per field kind, required and conditional requirements,
code-table membership (multi-valued fields included), the ID number with birth date and gender
agreeing, the basic set's date order rules, and running a set's declared rules
(`records/rules.py`) on a row and across a teacher's rows. Not here: reading spreadsheets,
duplicates across rows or in the database (`records/importer.py`, `records/set_import.py`).

Rules decided here (DOMAIN.md leaves the numbers open):
- 参加工作年月 must be after the birth month and at an age of at least 14 (MIN_WORKING_AGE).
  The Labour Law's floor is 16, but older records (民办教师 of the 1970s) show starts at 15;
  14 still catches the usual slip of typing a year of birth or schooling.
- 出生日期, 参加工作年月, 进本校年月 and 从事特教起始年月 may not lie in the future;
  a service-programme end month may (a programme still running has a planned end), up to ten
  years on (PLANNED_YEARS). No date, month or year lies before 1900 (EARLIEST_YEAR): 1800-01 is a typo.
- 从事特教起始年月 is not earlier than 参加工作年月; 进本校年月 likewise.
- A column that is absent from a sheet is "not provided": no row-level checks for it
  (the importer reports absent required columns once, for the whole file).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .idcard import InvalidIdNumber, check_id_number
from .indicators import (CODE, DATE, ID_NUMBER, INTEGER, LAST_YEAR, MONEY, MONTH, MULTI, NAME, NUMBER, SCHOOL,
                         SCHOOL_YEAR, YEAR, Field, IndicatorSet, basic_fields, field_by_key, field_by_label)
from .normalize import (name_problem, clean_text, compact_text, id_text, person_name, split_multi, to_date, to_integer, to_money,
                        to_month, to_number, to_school_year, to_year)

MIN_WORKING_AGE = 14


@dataclass(frozen=True)
class Problem:
    row: int        # the row number Excel shows (header = 1); 0 = the file as a whole
    column: str     # the column header as written in the file, "*" included; "" when none
    value: str      # what the cell held, as text
    message: str    # a Chinese sentence naming the column and the value and saying what is allowed
    key: str = ""   # the field key the problem is about ("id_number"; "school_code"), "" when none

    @property
    def is_file_level(self) -> bool:
        return self.row == 0

    def __str__(self) -> str:
        return (f"第{self.row}行：" if self.row else "") + self.message


def shown(value) -> str:
    """A cell value as the user would recognise it in a message."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_text(value)


# ------------------------------------------------------------------------------ conversion
def _convert_uncached(field: Field, value) -> tuple[str | None, str | None]:
    """(clean value or None when empty, error sentence or None)."""
    if value is None or (isinstance(value, str) and not clean_text(value)):
        return None, None
    try:
        kind = field.kind
        if kind == CODE:
            code = field.code_table.lookup(value)
            if code is None:
                return None, f"“{shown(value)}”不是可选的值。可填：{field.code_table.allowed_text()}"
            return code, None
        if kind == MULTI:
            return _convert_multi(field, value)
        if kind in _CONVERTERS:
            clean = _CONVERTERS[kind](value)
            if field.max_value is not None and clean is not None and float(clean) > field.max_value:
                return None, f"“{shown(value)}”超出范围：最多 {field.max_value:g}"
            return clean, None
        if kind == ID_NUMBER:
            return id_text(value) or None, None
        text = person_name(value) if kind == NAME else compact_text(value) if field.compact else clean_text(value)
        if kind == NAME and text and name_problem(text):
            return None, name_problem(text)
        if field.max_length and len(text) > field.max_length:
            return None, f"“{text[:20]}…”共 {len(text)} 个字，最多 {field.max_length} 个字"
        if field.pattern and not re.fullmatch(field.pattern, text):
            return None, f"“{text}”格式不对：应为{field.pattern_hint}"
        return text or None, None
    except ValueError as exc:
        return None, str(exc)


_CONVERTERS = {DATE: to_date, MONTH: to_month, YEAR: to_year, SCHOOL_YEAR: to_school_year, NUMBER: to_number,
               INTEGER: to_integer, MONEY: to_money}


def _convert_multi(field: Field, value) -> tuple[str | None, str | None]:
    table = field.code_table
    codes, unknown = [], []
    for part in split_multi(value):
        code = table.lookup(part)
        (unknown.append(part) if code is None else codes.append(code))
    if unknown:
        return None, f"“{'、'.join(unknown)}”不是可选的值。可填（可多选，用“、”分隔）：{table.allowed_text()}"
    if not codes:
        return None, None
    order = {c.code: i for i, c in enumerate(table.codes)}
    codes = sorted(set(codes), key=order.get)
    alone = [c for c in codes if c in table.exclusive]
    if alone and len(codes) > 1:
        return None, f"“{table.name_of(alone[0])}”不能与其他值同时选择"
    return ",".join(codes), None


_CACHE: dict = {}
_CACHE_LIMIT = 50_000


def convert(field: Field, value) -> tuple[str | None, str | None]:
    # Codes, dates and months repeat a lot down a column (是/否, 2010-09): cache them. The result
    # depends only on the kind and the table, so those (not the whole Field) make the key.
    if field.kind in (CODE, MONTH, DATE, YEAR) and isinstance(value, (str, float, int, dt.date)):
        key = (field.kind, field.table, type(value), value)
        hit = _CACHE.get(key)
        if hit is None:
            if len(_CACHE) >= _CACHE_LIMIT:
                _CACHE.clear()
            hit = _CACHE[key] = _convert_uncached(field, value)
        return hit
    return _convert_uncached(field, value)


# ------------------------------------------------------------------------------ the checks
def check_values(raw: Mapping[str, Any], fields: Iterable[Field], *, row: int = 0,
                 headers: Mapping[str, str] | None = None, present: set[str] | None = None,
                 today: dt.date | None = None, rules: Iterable = (), school_name: str = "",
                 ) -> tuple[dict[str, str], list[Problem]]:
    """Check raw values keyed by field key against `fields` (one school type's resolved fields).

    `headers` gives the column header as written in the file for each key (defaults to the
    template header); `present` the keys whose column exists (defaults to the keys of `raw`).
    `rules`: the set's row rules; `school_name` fills fields declared `fill=SCHOOL`.
    Returns the clean values (codes for code fields, "YYYY-MM-DD", "YYYY-MM", multi values
    "01,03"; empty ones left out) and the problems in field order.
    """
    fields = list(fields)
    by_key = {f.key: f for f in fields}
    headers = headers or {}
    present = set(raw) if present is None else present
    today = today or dt.date.today()
    clean: dict[str, str] = {}
    problems: list[Problem] = []
    failed: set[str] = set()

    def col(f: Field) -> str:
        return headers.get(f.key) or f.header

    def report(key: str, message: str, value=None):
        f = by_key[key]
        v = raw.get(key) if value is None else value
        problems.append(Problem(row, col(f), shown(v), f"【{col(f)}】{message}", key))
        failed.add(key)
        clean.pop(key, None)

    for f in fields:
        if f.key not in present:
            continue
        value, error = convert(f, raw.get(f.key))
        if error:
            report(f.key, error)
        elif value is not None:
            clean[f.key] = value
        elif f.fill == LAST_YEAR:
            clean[f.key] = str(today.year - 1)
        elif f.fill == SCHOOL and school_name:
            clean[f.key] = school_name

    for f in fields:
        if f.key in clean and f.is_cleared(clean):
            del clean[f.key]  # not applicable (e.g. 用人形式 of staff on the payroll): not stored

    for f in fields:
        if f.key in present and f.key not in clean and f.key not in failed and f.is_required(clean):
            report(f.key, _required_message(f, clean, col, by_key), "")

    _check_in_range(clean, fields, report, today)
    if "id_number" in by_key:
        rid = _check_identity(clean, by_key, report, today)
        # The date rules need a birth date: the ID's when the typed one disagrees with it.
        _check_dates(clean, by_key, report, today, rid.birth_date.isoformat() if rid else None)
    for rule in rules:
        for key, message in rule.check(clean, by_key, today):
            if key in clean:
                report(key, message)
    order = {col(f): i for i, f in enumerate(fields)}
    problems.sort(key=lambda p: order.get(p.column, len(order)))
    return clean, problems


EARLIEST_YEAR = 1900     # no teacher on record was born, worked or studied before it: an earlier one is a typo
PLANNED_YEARS = 10       # an end month that may lie ahead (毕业年月 while studying) is planned at most this far


def _check_in_range(clean: dict, fields, report, today: dt.date) -> None:
    """Dates, months and years between 1900 and today (not_future) or a planned end at most ten years on."""
    limits = {DATE: today.isoformat(), MONTH: today.isoformat()[:7], YEAR: str(today.year)}
    for f in fields:
        value = clean.get(f.key)
        if not value or f.kind not in limits:
            continue
        if value[:4] < str(EARLIEST_YEAR):
            report(f.key, f"“{value}”早于 {EARLIEST_YEAR} 年，请核对年份")
        elif f.not_future and value > limits[f.kind]:
            report(f.key, f"“{value}”晚于{'今天' if f.kind == DATE else '本月' if f.kind == MONTH else '今年'}")
        elif int(value[:4]) > today.year + PLANNED_YEARS:
            report(f.key, f"“{value}”晚于 {today.year + PLANNED_YEARS} 年：只能填写十年之内预计的时间，请核对年份")


def _required_message(f: Field, clean: dict, col, by_key: Mapping[str, Field]) -> str:
    allowed = f"可填：{f.code_table.allowed_text()}" if f.table else ""
    if f.required or f.required_when is None:
        return "必填，不能为空" + (f"。{allowed}" if allowed else "")
    other = by_key.get(f.required_when.key) or field_by_key(f.required_when.key) or f
    name = other.shown(clean.get(other.key, ""))
    return f"必填：{other.label}为“{name}”时须填写" + (f"。{allowed}" if allowed else "")


def _check_identity(clean: dict, by_key: dict, report, today: dt.date):
    number = clean.get("id_number")
    if number is None:
        return None
    try:
        canonical, rid = check_id_number(clean.get("id_type"), number, today=today)
    except InvalidIdNumber as exc:
        report("id_number", str(exc))
        return None
    clean["id_number"] = canonical
    if rid is None:
        return None
    birth = clean.get("birth_date")
    if birth and "birth_date" in by_key and birth != rid.birth_date.isoformat():
        report("birth_date", f"“{birth}”与身份证件号中的出生日期 {rid.birth_date.isoformat()} 不一致")
    gender = clean.get("gender")
    if gender and "gender" in by_key and gender != rid.gender:
        parity = "奇数为男" if rid.gender == "1" else "偶数为女"
        shown_gender = by_key["gender"].code_table.name_of(gender)
        report("gender", f"“{shown_gender}”与身份证件号不一致：号码第17位是 {rid.number[16]}（{parity}）")
    return rid


def _months(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _check_dates(clean: dict, by_key: dict, report, today: dt.date, id_birth: str | None) -> None:
    this_month = today.year * 12 + today.month - 1
    birth = id_birth or clean.get("birth_date")
    if birth:
        if birth > today.isoformat():
            report("birth_date", f"“{birth}”晚于今天")
            birth = None
        elif birth < "1900-01-01":
            report("birth_date", f"“{birth}”早于 1900 年，请核对")
            birth = None
    for key in ("work_start_month", "joined_school_month", "special_ed_start_month"):
        month = clean.get(key)
        if month and _months(month) > this_month:
            report(key, f"“{month}”晚于本月")
    work = clean.get("work_start_month")
    if work and birth:
        born = _months(birth[:7])
        if _months(work) <= born:
            report("work_start_month", f"“{work}”不晚于出生日期 {birth}：参加工作不能早于出生")
            work = None
        elif _months(work) - born < MIN_WORKING_AGE * 12:
            report("work_start_month", f"“{work}”时未满 {MIN_WORKING_AGE} 周岁（出生日期 {birth}），请核对")
            work = None
    if work:
        for key, what in (("joined_school_month", by_key.get("joined_school_month")),
                          ("special_ed_start_month", by_key.get("special_ed_start_month"))):
            month = clean.get(key)
            if month and what and month < work:
                report(key, f"“{month}”早于参加工作年月 {work}")
    start, end = clean.get("grassroots_start"), clean.get("grassroots_end")
    if start and end and end < start:
        report("grassroots_end", f"“{end}”早于参加基层服务项目起始年月 {start}：结束不能早于开始")


def exclusive_conflict(table_name: str, codes: Iterable[str]) -> str | None:
    """For a multi-valued code field: why the combination is refused, or None.

    Some codes stand alone (政治面貌 12 无党派民主人士 and 13 群众, declared as the table's
    `exclusive`). The basic set's 政治面貌 holds one value, so this serves multi-valued fields
    of later sets; it is here so the rule is written once.
    """
    from .code_tables import table

    t = table(table_name)
    codes = list(dict.fromkeys(codes))
    alone = [c for c in codes if c in t.exclusive]
    if alone and len(codes) > 1:
        return f"“{t.name_of(alone[0])}”不能与其他值同时选择"
    return None


# --------------------------------------------------------------------------- entry points
def validate_row(row: Mapping[str, Any], school_type: str | None = None, *, row_number: int = 0,
                 today: dt.date | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Validate one row given as header label → raw value ("身份证件号*": "4601…").

    Labels are matched loosely (with or without "*", aliases such as 身份证号码); labels that
    name no field of this school type are ignored. Fields whose label is absent are not checked.
    """
    raw: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for label, value in row.items():
        f = field_by_label(label, school_type)
        if f is not None:
            raw[f.key] = value
            headers[f.key] = str(label)
    return check_values(raw, basic_fields(school_type), row=row_number, headers=headers, today=today)


def validate_record(values: Mapping[str, Any], school_type: str | None = None, *,
                    today: dt.date | None = None) -> tuple[dict[str, str], list[Problem]]:
    """Validate a whole record keyed by field key (a form's data): every field counts as present."""
    fields = basic_fields(school_type)
    return check_values(dict(values), fields, present={f.key for f in fields}, today=today)


# ------------------------------------------------------------------------ repeatable sets
def validate_set_row(info: IndicatorSet, values: Mapping[str, Any], *, school_name: str = "",
                     today: dt.date | None = None) -> tuple[dict[str, str], list[Problem]]:
    """One row of a set (resolved for a school type) keyed by field key, every field present (a form)."""
    return check_values(dict(values), info.fields, present={f.key for f in info.fields}, today=today,
                        rules=info.rules, school_name=school_name)


def check_set_rows(info: IndicatorSet, rows: Iterable[tuple[Any, Mapping[str, str]]]) -> list[tuple[Any, str, str]]:
    """The set's rules across one teacher's rows [(ref, clean values)] → [(ref, field key, message)].

    Messages carry no column; `set_problem_text` puts the field's label in front.
    """
    rows = list(rows)
    by_key = {f.key: f for f in info.fields}
    out = []
    if not info.repeatable and len(rows) > 1:
        out.extend((ref, "", f"【{info.label}】每位教师只有一条，不能填写多行") for ref, _ in rows[1:])
    for rule in info.set_rules:
        out.extend(rule.check(rows, by_key))
    return out
