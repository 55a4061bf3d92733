"""The xlsx layout of a set for a school type, shared by templates and exports: the columns, the
header row (required columns marked "*"), drop-down lists of code display names, text formats,
the instructions sheet, and writing cells so that nothing a teacher typed runs as a formula.

Layout: sheet 1 is the data (header in row 1, one row per record from row 2); sheet 2 "填写说明"
explains every column, derived from the declarations (required marks, formats, allowed values,
conditions, the set's rules); sheet 3 "代码表" (hidden) holds the display names the drop-downs
list. The basic set's sheet is the national template (学校标识码 first when it covers several
schools); every other set's sheet starts with 姓名, 身份证件类型 and 身份证件号, as the national
per-set sheets do.

Not here: which records an export holds (`records/export.py`), reading sheets (`records/importer.py`,
`records/set_import.py`).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from .fields import (CODE, FORMAT_HINTS, GROUP_LABELS, ID_NUMBER, MULTI, MULTI_SEPARATOR, NAME, TEACHER_COLUMNS, TEXT,
                     Field, describe_condition, school_group)
from .importer import SCHOOL_COLUMN, column_letter
from .indicators import IndicatorSet, basic_fields, set_by_key
from .rules import applicable

IDENTITY_KEYS = ("name", "id_type", "id_number")   # how a set sheet names its teacher (basic field keys) …
SCHOOL_KEY = "school_code"                          # … the column keys are TEACHER_COLUMNS[key]
FORMULA_START = ("=", "+", "-", "@")
VALIDATION_ROWS = 10_000          # rows below the header a template's drop-downs cover
_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    key: str                # field key, or "school_code"
    header: str             # as the template writes it ("身份证件号*")
    field: Field | None     # None for 学校标识码


def sheet_columns(set_key: str, school_type: str | None, *, with_school: bool = False) -> list[Column]:
    """The columns of a set's sheet for a school type, in template order."""
    cols = [Column(SCHOOL_KEY, SCHOOL_COLUMN + "*", None)] if with_school else []
    if set_key == "basic":
        return cols + [Column(f.key, f.header, f) for f in basic_fields(school_type)]
    info = set_by_key(set_key, school_type)
    if info is None:
        raise KeyError(set_key)
    identity = {f.key: f for f in basic_fields(school_type) if f.key in IDENTITY_KEYS}
    cols += [Column(TEACHER_COLUMNS[k], identity[k].header, identity[k]) for k in IDENTITY_KEYS]
    return cols + [Column(f.key, f.header, f) for f in info.fields]


def set_sheet_row(values: dict, *, name: str, id_type: str, id_number: str, school_code: str | None = None) -> dict:
    """One row of a set's sheet for `build_workbook`: the teacher's columns beside the set's values
    (a set's own "name" field, 培训项目名称, stays apart from the teacher's 姓名)."""
    row = {**values, TEACHER_COLUMNS["name"]: name, TEACHER_COLUMNS["id_type"]: id_type,
           TEACHER_COLUMNS["id_number"]: id_number}
    if school_code is not None:
        row[SCHOOL_KEY] = school_code
    return row


def _cell_value(row: dict, col: Column):
    if col.key in row:
        return row[col.key]
    for plain, key in TEACHER_COLUMNS.items():   # rows that name the teacher by the plain keys
        if key == col.key:
            return row.get(plain)
    return None


def sheet_title(info: IndicatorSet) -> str:
    """A worksheet name Excel accepts (no / \\ ? * [ ] :, at most 31 characters)."""
    title = info.title
    for ch in "/\\?*[]:":
        title = title.replace(ch, "、")
    return title[:31]


def file_name(set_key: str, school_type: str | None, what: str = "导入模板") -> str:
    info = set_by_key(set_key, school_type)
    return f"{sheet_title(info)}_{GROUP_LABELS[school_group(school_type)]}_{what}.xlsx"


# ------------------------------------------------------------------------------ cells
def cell_text(field: Field | None, value) -> str:
    """What a stored value looks like in a sheet: display names for codes, the text otherwise."""
    if value in (None, ""):
        return ""
    if field is not None and field.kind in (CODE, MULTI):
        return field.shown(value)
    return str(value)


def text_cell(ws, value, **style):
    """A cell holding `value` as text, never a formula: an "=1+2" or "@x" typed by someone shows as typed."""
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    for name, v in style.items():
        setattr(cell, name, v)
    return cell


def _is_text_column(col: Column) -> bool:
    return col.field is None or col.field.kind in (TEXT, NAME, ID_NUMBER)


# ------------------------------------------------------------------------------ the workbook
def build_workbook(set_key: str, school_type: str | None, rows: Iterable[dict] = (), *, with_school: bool = False,
                   what: str = "导入模板") -> bytes:
    """A template (no rows) or an export (rows: column key → stored value) of one set for a school type."""
    columns = sheet_columns(set_key, school_type, with_school=with_school)
    info = set_by_key(set_key, school_type)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(info))
    ws.freeze_panes = "A2"
    tables = _code_tables(columns)
    for i, col in enumerate(columns):
        dim = ws.column_dimensions[column_letter(i)]
        dim.width = max(10, min(40, len(col.header) * 2 + 4))
        if _is_text_column(col):
            dim.number_format = "@"   # long numbers typed later stay text
    count = 0
    ws.append([text_cell(ws, c.header, font=_REQUIRED_FONT if c.header.endswith("*") else _HEADER_FONT,
                         fill=_HEADER_FILL) for c in columns])
    for row in rows:
        ws.append([text_cell(ws, cell_text(c.field, _cell_value(row, c)),
                             **({"number_format": "@"} if _is_text_column(c) else {})) for c in columns])
        count += 1
    _add_validations(ws, columns, tables, last_row=count + VALIDATION_ROWS)
    _instructions(wb, set_key, school_type, columns, what, with_school)
    _code_sheet(wb, tables)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _code_tables(columns: list[Column]) -> dict[str, int]:
    """Code tables the sheet uses → their column index in the 代码表 sheet."""
    out: dict[str, int] = {}
    for c in columns:
        if c.field is not None and c.field.table and c.field.table not in out:
            out[c.field.table] = len(out)
    return out


def _add_validations(ws, columns: list[Column], tables: dict[str, int], *, last_row: int) -> None:
    for i, col in enumerate(columns):
        f = col.field
        letter = column_letter(i)
        where = f"{letter}2:{letter}{last_row}"
        if f is not None and f.kind == CODE:
            n = len(f.code_table.codes)
            source = column_letter(tables[f.table])
            dv = DataValidation(type="list", formula1=f"'代码表'!${source}$2:${source}${n + 1}", allow_blank=True,
                                showErrorMessage=True, errorTitle=f.label,
                                error=f"请从下拉列表中选择{f.label}", promptTitle=f.label,
                                prompt=(f.sheet_note or "请从下拉列表中选择")[:250], showInputMessage=True)
        elif f is not None and (f.kind == MULTI or f.kind in FORMAT_HINTS):
            hint = (f"可多选，用“{MULTI_SEPARATOR}”分隔" if f.kind == MULTI else f"格式：{FORMAT_HINTS[f.kind]}")
            dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=f.label,
                                prompt=f"{hint}。{f.sheet_note}"[:250])
        else:
            continue
        dv.add(where)
        ws.data_validations.dataValidation.append(dv)


def _code_sheet(wb, tables: dict[str, int]) -> None:
    from .code_tables import TABLES
    ws = wb.create_sheet("代码表")
    ws.sheet_state = "hidden"
    names = {i: TABLES[t] for t, i in tables.items()}
    height = max((len(t.codes) for t in names.values()), default=0)
    ws.append([text_cell(ws, names[i].name, font=_HEADER_FONT) for i in range(len(names))])
    for r in range(height):
        ws.append([text_cell(ws, names[i].codes[r].name) if r < len(names[i].codes) else None
                   for i in range(len(names))])


# ------------------------------------------------------------------------------ instructions
def column_notes(set_key: str, school_type: str | None, columns: list[Column]) -> list[tuple[str, str, str, str]]:
    """(列名, 是否必填, 格式或可选值, 说明) for every column, derived from the declarations."""
    info = set_by_key(set_key, school_type)
    fields = {c.key: c.field for c in columns if c.field is not None}
    out = []
    for c in columns:
        f = c.field
        if f is None:
            out.append((c.header, "是", "10 位数字", "学校标识码：一张表可包含本单位下多所学校的教师"))
            continue
        if f.required:
            need = "是"
        elif f.required_when is not None:
            need = "条件必填：" + describe_condition(f.required_when, fields)
        else:
            need = ""
        if f.kind == CODE:
            names = f.code_table.names
            allowed = ("可选：" + "、".join(names)) if len(names) <= 15 else f"从下拉列表选择（共 {len(names)} 项，见“代码表”）"
        elif f.kind == MULTI:
            allowed = f"可多选，用“{MULTI_SEPARATOR}”分隔；可选：" + "、".join(f.code_table.names)
        elif f.kind in FORMAT_HINTS:
            allowed = FORMAT_HINTS[f.kind]
        elif f.pattern_hint:
            allowed = f.pattern_hint
        elif f.max_length:
            allowed = f"文字，最多 {f.max_length} 个字"
        else:
            allowed = "文字"
        notes = [f.sheet_note] if f.sheet_note else []
        if f.cleared_when is not None:
            notes.append(describe_condition(f.cleared_when, fields) + "不填（填了也不保存）")
        if f.not_future:
            notes.append("不能晚于当前日期")
        if f.school_only:
            notes.append("由学校填写")
        out.append((c.header, need, allowed, "；".join(n for n in notes if n)))
    if info is not None:
        by_key = {f.key: f for f in info.fields}
        for rule in applicable((*info.rules, *info.set_rules), by_key):
            out.append(("（规则）", "", "", rule.describe(by_key)))
    return out


def _instructions(wb, set_key: str, school_type: str | None, columns: list[Column], what: str,
                  with_school: bool) -> None:
    info = set_by_key(set_key, school_type)
    ws = wb.create_sheet("填写说明")
    for letter, width in zip("ABCD", (28, 26, 50, 60)):
        ws.column_dimensions[letter].width = width
    group = GROUP_LABELS[school_group(school_type)]
    ws.append([text_cell(ws, f"《{info.title}》{what}（{group}）", font=Font(bold=True, size=14))])
    general = [
        "第一个工作表是数据表：第 1 行是表头，带 * 的列为必填（有的列在其他项选定后才必填，见下表），从第 2 行起每行一条。"
        "请不要改动、删除或调换表头。",
        "身份证件号等长数字请保持“文本”格式（模板已设置）；日期按 YYYY-MM-DD、年月按 YYYY-MM、年份按 YYYY 填写，"
        "也接受 2003.09、2003年9月、200309 等常见写法和 Excel 日期。",
        "代码项请从下拉列表中选择，也可以填代码；可多选的项用“、”分隔。",
        "任何一行有错误时整个文件都不导入，系统会列出每个错误（行、列、所填的值、允许的值），"
        "并可下载标出错误单元格的原文件，改正后重新上传。",
    ]
    if set_key == "basic":
        general.append("同一身份证件号在全省只能有一条记录；已在其他学校登记的教师请走调动流程。")
        if with_school:
            general.append("第一列“学校标识码”指明每位教师所在学校，须是本单位管辖范围内的学校。")
    else:
        general.append("每位教师按“姓名、身份证件类型、身份证件号”识别，须是已在本单位登记、且记录处于未报送或已退回状态的教师。"
                       f"导入后，文件中出现的每位教师的【{info.title}】记录将替换为文件中的这些行。")
        if info.required:
            general.append(f"【{info.title}】是必填信息集：报送审核前每位教师至少要有一条。")
        if not info.repeatable:
            general.append(f"【{info.title}】每位教师只有一行。")
        if info.school_only:
            general.append(f"【{info.title}】由学校填写，教师本人不能录入。")
    for n, text in enumerate(general, start=1):
        ws.append([text_cell(ws, f"{n}. {text}", alignment=_WRAP)])
    ws.append([])
    ws.append([text_cell(ws, h, font=_HEADER_FONT, fill=_HEADER_FILL) for h in ("列名", "是否必填", "格式或可选值", "说明")])
    for row in column_notes(set_key, school_type, columns):
        # "列名" cells are written with a leading "【" so that this sheet is never taken for a data sheet.
        name, *rest = row
        ws.append([text_cell(ws, f"【{name}】" if name != "（规则）" else name, alignment=_WRAP),
                   *(text_cell(ws, v, alignment=_WRAP) for v in rest)])
