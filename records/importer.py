"""Import of basic-information sheets: read, map headers, validate rows, find duplicates.

`parse_basic_sheet` is pure (no database): bytes/path in, clean rows and problems out.
`find_province_duplicates` and `bulk_teacher_rows` are the pieces the transactional import
(records/service.py, not here) needs from the database side. `check_file_cli` backs
`flask records check`.

Sheets
- The first worksheet is read (python-calamine; openpyxl when calamine cannot open the file).
- The header row is the first of the first 10 rows that names at least two known columns;
  headers are compared without "*", spaces, quotes or full-width differences.
- Province sheets start with `学校标识码*` (school per row; its first two digits give the
  school type and so the variant). School sheets have no such column; the caller gives the
  school type (or school code).
- Rows are numbered as Excel shows them (header = 1 when it is the first row).

File-level problems have row 0. They are errors (`ParsedSheet.problems`) when the file cannot be
used: not a spreadsheet, empty, no header, an unknown or doubled column, a missing identity column
(姓名, 性别, 身份证件类型, 身份证件号, 出生日期; `学校标识码` on a province sheet).
A missing column of any other required field is a *warning* (`ParsedSheet.warnings`): the rows
are imported without that item and the completeness check before submission asks for it. This
is what the shared samples need: the province sheet has no 从事特教起始年月 column for its
特教 rows, and teachers_with_errors.xlsx carries only 19 of the template's columns.
A column that exists in the basic set but not in a row's variant (a kindergarten sheet with the
special-education flags, 中职 rows of the province sheet) is accepted and its values ignored.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from models.orgs import SCHOOL_TYPES

from .indicators import (GROUP_LABELS, Field, all_basic_fields, basic_fields, field_by_key, header_key,
                         school_group, set_like)
from .normalize import ascii_text, clean_text
from .reading import (SheetError, _blank, _read_calamine, _read_openpyxl, column_letter, read_first_sheet,  # noqa: F401
                      read_sheets, sheet_bytes)
from .validation import Problem, check_values, shown

SCHOOL_COLUMN = "学校标识码"
IDENTITY_KEYS = tuple(f.key for f in all_basic_fields() if f.identity)
HEADER_SEARCH_ROWS = 10
_SCHOOL_CODE = re.compile(r"^\d{10}$")


# ---------------------------------------------------------------------------------- results
@dataclass
class ParsedRow:
    row_number: int
    school_code: str | None
    values: dict[str, str]       # field key → clean value (codes as codes); empty fields left out
    school_type: str | None = None
    ok: bool = True              # no problem reported on this row


@dataclass
class ParsedSheet:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)   # errors: the import must not go ahead
    warnings: list[Problem] = field(default_factory=list)   # notes: the import may go ahead
    columns: dict[str, str] = field(default_factory=dict)   # field key → header as written in the file
    school_column: str | None = None                        # header of the 学校标识码 column, if any
    sheet_index: int = 0                                    # the worksheet the data was read from
    header_row: int = 1                                     # its header row as Excel numbers it

    @property
    def ok(self) -> bool:
        return not self.problems

    def header_of(self, key: str) -> str:
        f = field_by_key(key)
        return self.columns.get(key) or (f.header if f else key)


@dataclass
class _Header:
    row_index: int
    by_key: dict[str, int]             # field key → column index
    headers: dict[str, str]            # field key → header text
    school_index: int | None
    school_header: str | None
    problems: list[Problem]


def _find_header(rows: list[list[Any]]) -> _Header | None:
    known = {k for f in all_basic_fields() for k in f.header_keys()}
    known.add(header_key(SCHOOL_COLUMN))
    for r, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) if isinstance(c, str) else "" for c in cells]
        if sum(1 for k in keys if k in known) >= 2:
            return _map_header(r, cells)
    return None


def _map_header(r: int, cells: list[Any]) -> _Header:
    by_key: dict[str, int] = {}
    headers: dict[str, str] = {}
    school_index = school_header = None
    unknown, unknown_keys, problems = [], [], []
    index = {k: f.key for f in all_basic_fields() for k in f.header_keys()}
    for c, cell in enumerate(cells):
        text = clean_text(cell)
        if not text:
            continue
        hk = header_key(text)
        if hk == header_key(SCHOOL_COLUMN):
            school_index, school_header = c, text
            continue
        key = index.get(hk)
        if key is None:
            unknown.append(f"【{text}】（{column_letter(c)}列）")
            unknown_keys.append(hk)
        elif key in by_key:
            problems.append(Problem(0, text, "", f"【{text}】列出现了两次（{column_letter(by_key[key])}列和"
                                                  f"{column_letter(c)}列），请删去一列", key))
        else:
            by_key[key], headers[key] = c, text
    if unknown:
        other = set_like(unknown_keys, not_set="basic")
        advice = (f"这些列像是【{other.title}】的模板：请在“信息集”中选择【{other.title}】后再上传" if other
                  else "请使用导入模板，删除这些列后再导入")
        problems.append(Problem(0, "", "", f"表中有基本信息模板以外的列：{'、'.join(unknown)}。{advice}"))
    return _Header(r, by_key, headers, school_index, school_header, problems)


# ---------------------------------------------------------------------------------- parsing
def parse_basic_sheet(source, *, school_type: str | None = None, school_code: str | None = None,
                      today: dt.date | None = None, progress=None) -> ParsedSheet:
    """Read and validate a basic-information sheet. Pure: no database.

    Province sheets (leading 学校标识码 column) take the school per row. School sheets need
    `school_type` ("21", …) or `school_code` (the 学校标识码; its type is taken from it).
    With `school_code`, a 学校标识码 column may still be there but must name that school.
    """
    try:
        index, rows = data_sheet(read_sheets(source))
    except SheetError as exc:
        return ParsedSheet(problems=[Problem(0, "", "", str(exc))])
    parsed = parse_rows(rows, school_type=school_type, school_code=school_code, today=today, progress=progress)
    parsed.sheet_index = index
    return parsed


def data_sheet(sheets: list[tuple[str, list[list[Any]]]]) -> tuple[int, list[list[Any]]]:
    """The first worksheet with a basic-information header row (the first sheet when none has one)."""
    for i, (_, rows) in enumerate(sheets):
        if _find_header(rows) is not None:
            return i, rows
    return 0, sheets[0][1]


def parse_rows(rows: list[list[Any]], *, school_type: str | None = None, school_code: str | None = None,
               today: dt.date | None = None, progress=None) -> ParsedSheet:
    """`parse_basic_sheet` on cells already read (row index + 1 = Excel row number)."""
    header = _find_header(rows)
    if header is None:
        return ParsedSheet(problems=[Problem(0, "", "", "找不到表头：前 10 行中没有【姓名*】【身份证件号*】等列名，"
                                                        "请使用基本信息导入模板")])
    sheet = ParsedSheet(problems=list(header.problems), columns=dict(header.headers),
                        school_column=header.school_header, header_row=header.row_index + 1)
    default_type = school_type or (school_code[:2] if school_code else None)
    for key in IDENTITY_KEYS:
        if key not in header.by_key:
            header_text = field_by_key(key).header
            sheet.problems.append(Problem(0, header_text, "", f"找不到【{header_text}】列", key))
    if header.school_index is None and default_type is None:
        sheet.problems.append(Problem(0, SCHOOL_COLUMN + "*", "",
                                      f"找不到【{SCHOOL_COLUMN}*】列：全省（多校）导入表的第一列须是学校标识码；"
                                      f"学校导入本校教师时请在本校页面上传", "school_code"))
    if len(sheet.problems) > len(header.problems):
        return sheet   # a missing column; an unknown or doubled one still has the rows judged, so one upload shows all

    today = today or dt.date.today()
    seen_ids: dict[str, int] = {}
    group_rows: dict[str, int] = {}
    column_order = {header.headers[k]: i for k, i in header.by_key.items()}
    if header.school_header:
        column_order[header.school_header] = header.school_index
    for r in range(header.row_index + 1, len(rows)):
        cells = rows[r]
        if all(_blank(c) for c in cells):
            continue
        row_number = r + 1
        row_problems: list[Problem] = []
        code, st = school_code, default_type
        if header.school_index is not None:
            code, st, problem = _school_of(cells, header, row_number, default_type)
            if problem is None and school_code and code != school_code:
                col = header.school_header
                problem = Problem(row_number, col, code, f"【{col}】“{code}”不是本校的学校标识码（{school_code}）："
                                                         f"学校只能导入本校教师", "school_code")
            if problem:
                row_problems.append(problem)
        fields = basic_fields(st)
        group = school_group(st)
        group_rows[group] = group_rows.get(group, 0) + 1
        raw = {f.key: _cell(cells, header.by_key[f.key]) for f in fields if f.key in header.by_key}
        values, problems = check_values(raw, fields, row=row_number, headers=header.headers, today=today)
        row_problems.extend(problems)
        number = values.get("id_number")
        if number:
            first = seen_ids.setdefault(number, row_number)
            if first != row_number:
                col = header.headers["id_number"]
                row_problems.append(Problem(row_number, col, number,
                                            f"【{col}】“{number}”与第 {first} 行相同：同一教师在表中只能出现一次",
                                            "id_number"))
        row_problems.sort(key=lambda p: column_order.get(p.column, len(column_order)))
        sheet.problems.extend(row_problems)
        sheet.rows.append(ParsedRow(row_number, code, values, st, ok=not row_problems))
        if progress and len(sheet.rows) % 500 == 0:
            progress("校验", r - header.row_index, len(rows) - header.row_index - 1)
    if not sheet.rows:
        sheet.problems.append(Problem(0, "", "", "表中没有数据行（表头下面是空的）"))
    sheet.warnings.extend(_absent_column_warnings(header, group_rows))
    return sheet


def _cell(cells: list[Any], index: int):
    return cells[index] if index < len(cells) else ""


def _school_of(cells, header: _Header, row_number: int, fallback_type: str | None):
    raw = _cell(cells, header.school_index)
    col = header.school_header or SCHOOL_COLUMN + "*"
    code = ascii_text(raw)
    if not code:
        return None, fallback_type, Problem(row_number, col, "", f"【{col}】必填，不能为空", "school_code")
    if not _SCHOOL_CODE.match(code):
        return None, fallback_type, Problem(row_number, col, shown(raw),
                                            f"【{col}】“{shown(raw)}”不是学校标识码：应为 10 位数字"
                                            f"（如数字格式丢了前导零，请把该列设为文本）", "school_code")
    if code[:2] not in SCHOOL_TYPES:
        kinds = "、".join(f"{k} {v}" for k, v in SCHOOL_TYPES.items())
        return code, fallback_type, Problem(row_number, col, code,
                                            f"【{col}】“{code}”前两位 {code[:2]} 不是已知的学校类型（{kinds}）",
                                            "school_code")
    return code, code[:2], None


def _absent_column_warnings(header: _Header, group_rows: Mapping[str, int]) -> list[Problem]:
    """Notes on required columns missing from the sheet: one per set of school types concerned."""
    representative = {"kindergarten": "11", "k12": "21", "vocational": "36", "higher": "41", "special": "51"}
    missing: dict[str, list[str]] = {}   # header → groups
    for group in group_rows:
        for f in basic_fields(representative[group]):
            if (f.required or f.star) and f.key not in header.by_key:
                missing.setdefault(f.header, []).append(group)
    by_groups: dict[tuple[str, ...], list[str]] = {}
    for h, groups in missing.items():
        by_groups.setdefault(tuple(groups), []).append(h)
    notes = []
    for groups, headers in by_groups.items():
        where = "、".join(f"{GROUP_LABELS[g]} {group_rows[g]} 行" for g in groups)
        columns = "、".join(f"【{h}】" for h in headers)
        notes.append(Problem(0, headers[0] if len(headers) == 1 else "", "",
                             f"表中没有必填列{columns}（涉及{where}）：这些教师的这些项将为空，报送前须补全"))
    return notes


# ------------------------------------------------------------------------------ database side
def find_province_duplicates(session, id_numbers: Iterable[str], *, chunk: int = 500) -> dict[str, tuple[str, str]]:
    """Which of these ID numbers already have a record anywhere in the province → (teacher name, school name)."""
    from sqlalchemy import select

    from models import Org, Teacher

    wanted = sorted({n.strip().upper() for n in id_numbers if n})
    found: dict[str, tuple[str, str]] = {}
    for i in range(0, len(wanted), chunk):
        part = wanted[i:i + chunk]
        stmt = (select(Teacher.id_number, Teacher.name, Org.name)
                .join(Org, Org.id == Teacher.org_id).where(Teacher.id_number.in_(part)))
        for number, name, school in session.execute(stmt):
            found[number] = (name, school)
    return found


def province_duplicate_problems(parsed: ParsedSheet, found: Mapping[str, tuple[str, str]]) -> list[Problem]:
    """Problems for rows whose ID number `find_province_duplicates` found: 已在 XX学校 登记."""
    col = parsed.header_of("id_number")
    problems = []
    for row in parsed.rows:
        number = row.values.get("id_number")
        if number in found:
            _name, school = found[number]   # the school, never the name: a number must not look a person up
            problems.append(Problem(row.row_number, col, number,
                                    f"【{col}】“{number}”已在 {school} 登记：一名教师全省只有一条记录，"
                                    f"如是调入本校请走调动流程", "id_number"))
    return problems


def bulk_teacher_rows(parsed: ParsedSheet, school_by_code: Mapping[str, Any], *, school=None) -> list[dict]:
    """Column values for inserting Teacher rows: org_id, name, gender ("1"/"2"), birth_date,
    id_type, id_number, basic (every clean value keyed by field key).

    `school_by_code` maps 学校标识码 → Org (or org id); `school` (an Org or id), when given, is the
    school of every row (a school sheet). Refuses a sheet that still has problems, and a
    row whose school is unknown (KeyError): check `unknown_schools` first.
    """
    if parsed.problems:
        raise ValueError("the sheet has problems; nothing may be imported")
    out = []
    for row in parsed.rows:
        org = school if school is not None else school_by_code[row.school_code]
        v = row.values
        out.append({
            "org_id": getattr(org, "id", org),
            "name": v["name"], "gender": v.get("gender"), "birth_date": v.get("birth_date"),
            "id_type": v.get("id_type", "1"), "id_number": v["id_number"], "basic": dict(v),
        })
    return out


def unknown_schools(parsed: ParsedSheet, school_by_code: Mapping[str, Any]) -> list[Problem]:
    """Rows of a province sheet whose 学校标识码 is not a school in `school_by_code`."""
    col = parsed.school_column or SCHOOL_COLUMN + "*"
    return [Problem(r.row_number, col, r.school_code, f"【{col}】“{r.school_code}”不是本省已登记的学校", "school_code")
            for r in parsed.rows if r.school_code and r.school_code not in school_by_code]


# --------------------------------------------------------------------------------------- CLI
def check_file_cli(path, echo: Callable[[str], Any] = print, *, school_type: str | None = None,
                   school_code: str | None = None, set_key: str = "basic") -> int:
    """Check a sheet offline; print `row,column,message` per problem (CSV) and a summary.

    File-level problems print row 0. Notes (warnings) and the summary print as lines starting
    with "#". Returns 1 when there is any problem, else 0. Never raises.
    The school type of a school sheet: `school_code` (which a 学校标识码 column must then match),
    else `school_type`, else a 学校标识码 in the file name (school_1146000001_basic_info.xlsx),
    else 11 when the header says 进本园年月, else 21. `set_key` checks another set's sheet
    (学习经历 = "study", …) against that school type's template; no database is needed.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="")

    def line(*cells):
        out.seek(0)
        out.truncate()
        writer.writerow(cells)
        echo(out.getvalue())

    try:
        if school_code is not None and not (_SCHOOL_CODE.match(school_code) and school_code[:2] in SCHOOL_TYPES):
            parsed, note = ParsedSheet(problems=[Problem(0, "", school_code, f"“{school_code}”不是学校标识码："
                                                                             f"应为 10 位数字，前两位是学校类型")]), None
        elif set_key != "basic":
            parsed, note = _check_set_file(Path(path), set_key, school_code[:2] if school_code else school_type)
        else:
            parsed, note = _check_file(Path(path), school_type, school_code)
    except Exception as exc:  # noqa: BLE001 - a CLI check must report, not crash
        parsed, note = ParsedSheet(problems=[Problem(0, "", "", f"检查时出错：{type(exc).__name__}: {exc}")]), None
    line("row", "column", "message")
    for p in parsed.problems:
        line(p.row, p.column, p.message)
    if note:
        echo(f"# 提示：{note}")
    for w in parsed.warnings:
        echo(f"# 提示：{w.message}")
    rows = len(parsed.rows)
    if parsed.problems:
        bad_rows = len({p.row for p in parsed.problems if p.row})
        where = f"（涉及 {bad_rows} 行）" if bad_rows else ""
        echo(f"# 共 {rows} 行数据；发现 {len(parsed.problems)} 个问题{where}")
        return 1
    echo(f"# 共 {rows} 行数据；未发现问题")
    return 0


def _check_set_file(path: Path, set_key: str, school_type: str | None):
    from .indicators import SETS, set_by_key
    from .set_import import parse_set_sheet

    note = None
    if school_type is None:
        m = re.search(r"(?<!\d)(\d{10})(?!\d)", path.name)
        school_type = m.group(1)[:2] if m and m.group(1)[:2] in SCHOOL_TYPES else "21"
        note = f"按{SCHOOL_TYPES[school_type]}的模板检查"
    if set_key not in SETS or set_by_key(set_key, school_type) is None:
        known = "、".join(f"{k}（{s.title}）" for k, s in SETS.items() if set_by_key(k, school_type) is not None)
        return ParsedSheet(problems=[Problem(0, "", set_key, f"“{set_key}”不是该类学校的信息集。可选：{known}")]), None
    parsed = parse_set_sheet(path, set_key, school_type)
    # the same report shape as a basic sheet
    return ParsedSheet(rows=list(parsed.rows), problems=list(parsed.problems)), note


def _check_file(path: Path, school_type: str | None, school_code: str | None = None) -> tuple[ParsedSheet, str | None]:
    try:
        index, rows = data_sheet(read_sheets(path))
    except SheetError as exc:
        return ParsedSheet(problems=[Problem(0, "", "", str(exc))]), None
    header = _find_header(rows)
    note = None
    if school_code is not None:
        return parse_rows(rows, school_code=school_code), f"按学校 {school_code}（{SCHOOL_TYPES[school_code[:2]]}）检查"
    if school_type is None and header is not None and header.school_index is None:
        m = re.search(r"(?<!\d)(\d{10})(?!\d)", path.name)
        if m and m.group(1)[:2] in SCHOOL_TYPES:
            school_code = m.group(1)
            note = f"按文件名中的学校标识码 {school_code}（{SCHOOL_TYPES[school_code[:2]]}）检查"
        elif "joined_school_month" in header.by_key and header_key(
                header.headers["joined_school_month"]) == header_key("进本园年月"):
            school_type, note = "11", "表头有“进本园年月”，按幼儿园模板检查"
        else:
            school_type, note = "21", "未指定学校类型，按中小学模板检查"
    return parse_rows(rows, school_type=school_type, school_code=school_code), note
