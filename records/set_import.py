"""Import of a repeatable set's sheet (学习经历 …): read, map headers, validate rows, check the
set's rules across each teacher's rows. `parse_set_sheet` is pure (no database); the
transactional import that matches rows to teachers is `records/items.import_set_sheet`.

A set sheet names its teacher by 姓名, 身份证件类型 and 身份证件号 (the national per-set sheets
put them first), then the set's columns (`records/sheets.sheet_columns`). A 学校标识码 column
(exports covering several schools write one) is optional; when present it must name the teacher's
school (checked against the database by the import). The header row is the
first of the first 10 rows of any worksheet that names at least two known columns; headers are
compared without "*", spaces, quotes or width differences.

File-level problems (row 0): not a spreadsheet, no header, an unknown or doubled column (with a
hint when the columns belong to another set's template), a missing identity column, a missing
column of an always-required field (找不到【考核结果*】列). A missing column of an optional or
conditionally required field reads as empty cells, so a row that needs it is reported.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from .importer import HEADER_SEARCH_ROWS, SCHOOL_COLUMN, SheetError, _blank, column_letter
from .fields import TEACHER_COLUMNS
from .indicators import SETS, Field, basic_fields, header_key, set_by_key, set_like
from .normalize import clean_text
from .reading import read_sheets
from .sheets import IDENTITY_KEYS
from .validation import Problem, check_set_rows, check_values

Progress = Callable[[str, int, int], None]
SCHOOL_KEY = "school_code"


@dataclass
class SetRow:
    row_number: int
    id_number: str | None        # canonical, when valid
    name: str | None
    school_code: str | None
    values: dict[str, str]       # the set's clean values
    raw: dict[str, Any]          # the set's cells by field key (re-checked with the teacher's school name)
    ok: bool = True


@dataclass
class ParsedSetSheet:
    set_key: str
    school_type: str | None
    rows: list[SetRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)   # field key → header as written
    sheet_index: int = 0
    header_row: int = 1

    @property
    def ok(self) -> bool:
        return not self.problems

    def header_of(self, key: str) -> str:
        return self.columns.get(key) or key


def _identity_fields(school_type) -> list[Field]:
    return [f for f in basic_fields(school_type) if f.key in IDENTITY_KEYS]


def _known_keys(set_key: str, school_type) -> dict[str, str]:
    """Header key → field key for the identity columns and every variant's columns of the set."""
    index: dict[str, str] = {header_key(SCHOOL_COLUMN): SCHOOL_KEY}
    for f in _identity_fields(school_type):
        for k in f.header_keys():
            index.setdefault(k, TEACHER_COLUMNS[f.key])
    for f in SETS[set_key].fields:
        for k in f.header_keys():
            index.setdefault(k, f.key)
    return index


def _header_row(rows: list[list[Any]], known: dict[str, str]) -> int | None:
    for r, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if sum(1 for c in cells if isinstance(c, str) and header_key(c) in known) >= 2:
            return r
    return None


def _other_template(unknown_keys: list[str], set_key: str, school_type) -> str:
    other = set_like(unknown_keys, not_set=set_key, school_type=school_type)
    if other is not None:
        return f"这些列像是【{other.title}】的模板，请在导入时选择正确的信息集。"
    return "请使用该信息集的导入模板，删除这些列后再导入。"


def parse_set_sheet(source, set_key: str, school_type: str | None, *, today: dt.date | None = None,
                    school_name: str = "", progress: Progress | None = None) -> ParsedSetSheet:
    """Read and validate a set's sheet for a school type. Pure: no database."""
    info = set_by_key(set_key, school_type)
    if info is None or set_key == "basic":
        raise KeyError(set_key)
    try:
        sheets = read_sheets(source)
    except SheetError as exc:
        return ParsedSetSheet(set_key, school_type, problems=[Problem(0, "", "", str(exc))])
    known = _known_keys(set_key, school_type)
    index = next((i for i, (_, rows) in enumerate(sheets) if _header_row(rows, known) is not None), 0)
    parsed = parse_set_rows(sheets[index][1], set_key, school_type, today=today, school_name=school_name,
                            progress=progress)
    parsed.sheet_index = index
    return parsed


def parse_set_rows(rows: list[list[Any]], set_key: str, school_type: str | None, *, today: dt.date | None = None,
                   school_name: str = "", progress: Progress | None = None) -> ParsedSetSheet:
    info = set_by_key(set_key, school_type)
    parsed = ParsedSetSheet(set_key, school_type)
    known = _known_keys(set_key, school_type)
    r0 = _header_row(rows, known)
    if r0 is None:
        parsed.problems.append(Problem(0, "", "", f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中没有【姓名*】【身份证件号*】等列名，"
                                                  f"请使用【{info.title}】导入模板"))
        return parsed
    parsed.header_row = r0 + 1
    by_key: dict[str, int] = {}
    unknown, unknown_keys = [], []
    for c, cell in enumerate(rows[r0]):
        text = clean_text(cell)
        if not text:
            continue
        key = known.get(header_key(text))
        if key is None:
            unknown.append(f"【{text}】（{column_letter(c)}列）")
            unknown_keys.append(header_key(text))
        elif key in by_key:
            parsed.problems.append(Problem(0, text, "", f"【{text}】列出现了两次（{column_letter(by_key[key])}列和"
                                                        f"{column_letter(c)}列），请删去一列", key))
        else:
            by_key[key] = c
            parsed.columns[key] = text
    if unknown:
        parsed.problems.append(Problem(0, "", "", f"表中有【{info.title}】模板以外的列：{'、'.join(unknown)}。"
                                                  + _other_template(unknown_keys, set_key, school_type)))
    column_problems = len(parsed.problems)   # unknown or doubled columns: the rows are still judged, so one
    identity = _identity_fields(school_type)  # upload shows everything to fix; a missing column stops here
    for f in identity:
        if TEACHER_COLUMNS[f.key] not in by_key:
            parsed.problems.append(Problem(0, f.header, "", f"找不到【{f.header}】列", f.key))
    for f in info.fields:
        if f.required and f.key not in by_key:
            parsed.problems.append(Problem(0, f.header, "", f"找不到【{f.header}】列", f.key))
    if len(parsed.problems) > column_problems:
        return parsed

    today = today or dt.date.today()
    headers = dict(parsed.columns)
    id_headers = {f.key: parsed.columns[TEACHER_COLUMNS[f.key]] for f in identity}
    present = {f.key for f in info.fields}
    order = {h: i for i, h in enumerate(parsed.columns.values())}
    total = len(rows) - r0 - 1
    for r in range(r0 + 1, len(rows)):
        cells = rows[r]
        if all(_blank(c) for c in cells):
            continue
        row_number = r + 1
        cell = (lambda k: cells[by_key[k]] if k in by_key and by_key[k] < len(cells) else "")
        ident, problems = check_values({f.key: cell(TEACHER_COLUMNS[f.key]) for f in identity}, identity,
                                       row=row_number, headers=id_headers, today=today)
        raw = {f.key: cell(f.key) for f in info.fields}
        values, set_problems = check_values(raw, info.fields, row=row_number, headers=headers, present=present,
                                            today=today, rules=info.rules, school_name=school_name)
        problems += set_problems
        problems.sort(key=lambda p: order.get(p.column, len(order)))
        parsed.problems.extend(problems)
        code = clean_text(cell(SCHOOL_KEY)) or None
        parsed.rows.append(SetRow(row_number, ident.get("id_number"), ident.get("name"), code, values, raw,
                                  ok=not problems))
        if progress and len(parsed.rows) % 500 == 0:
            progress("校验", r - r0, total)
    if not parsed.rows:
        parsed.problems.append(Problem(0, "", "", "表中没有数据行（表头下面是空的）"))
    parsed.problems.extend(_cross_row_problems(parsed, info))
    parsed.problems.sort(key=lambda p: (p.row, order.get(p.column, len(order))))
    return parsed


def _cross_row_problems(parsed: ParsedSetSheet, info) -> list[Problem]:
    """The set's rules across each teacher's rows of the file (rows with their own problems are left out)."""
    by_teacher: dict[str, list[SetRow]] = {}
    for row in parsed.rows:
        if row.ok and row.id_number:
            by_teacher.setdefault(row.id_number, []).append(row)
    by_number = {row.row_number: row for row in parsed.rows}
    out = []
    id_col = parsed.header_of(TEACHER_COLUMNS["id_number"])
    for rows in by_teacher.values():
        if len(rows) == 1 and not info.set_rules:
            continue
        for ref, key, message in check_set_rows(info, [(r.row_number, r.values) for r in rows]):
            row = by_number[ref]
            row.ok = False
            if key:
                col = parsed.header_of(key)
                out.append(Problem(ref, col, str(row.raw.get(key) or ""), f"【{col}】{message}", key))
            else:
                out.append(Problem(ref, id_col, row.id_number or "", f"【{id_col}】“{row.id_number}”{message}", "id_number"))
    return out
