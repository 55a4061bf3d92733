"""The import error report as a workbook: the file the user uploaded, with every bad cell filled red
and carrying a comment that says what is wrong, plus a last sheet "错误清单" listing every problem
(row, column, value, message). The user corrects the marked cells and uploads the same file again.

The data sheet and its header row are found again from the problems' column headers, so any
importer's problems can be marked. A file openpyxl cannot open (an .xls, or not a spreadsheet at
all) gets a new workbook holding the list only. Values are written as text, never as formulas.

Not here: finding the problems (`records/importer.py`, `records/set_import.py`, the services).
"""
from __future__ import annotations

import io
from typing import Iterable

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from .normalize import clean_text

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
LIST_SHEET = "错误清单"
_FORMULA_START = ("=", "+", "-", "@")


def _text(cell, value) -> None:
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True


def _header_map(ws, columns: set[str]) -> tuple[int, dict[str, int]] | None:
    """(header row, header text → column index) of the first of the first 10 rows naming a problem column."""
    for r, cells in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), start=1):
        texts = {clean_text(v): c for c, v in enumerate(cells, start=1) if isinstance(v, str) and clean_text(v)}
        if columns & set(texts):
            return r, texts
    return None


def marked_workbook(data: bytes, problems: Iterable) -> bytes:
    """The upload with its bad cells marked and the problem list appended (or the list alone)."""
    problems = list(problems)
    try:
        wb = load_workbook(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - not an xlsx openpyxl can edit: give the list on its own
        wb = Workbook()
        wb.remove(wb.active)
    else:
        _mark(wb, problems)
    _problem_list(wb, problems)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _mark(wb, problems: list) -> None:
    columns = {p.column for p in problems if p.column}
    found = None
    for ws in wb.worksheets:
        found = _header_map(ws, columns)
        if found:
            break
    if not found:
        return
    header_row, index = found
    notes: dict[tuple[int, int], list[str]] = {}
    for p in problems:
        col = index.get(p.column)
        if col is None:
            continue
        row = p.row if p.row else header_row   # a file-level problem about a column marks its header
        notes.setdefault((row, col), []).append(p.message)
    for (row, col), messages in notes.items():
        cell = ws.cell(row=row, column=col)
        cell.fill = BAD_FILL
        cell.font = BAD_FONT
        text = "\n".join(messages)
        cell.comment = Comment(text[:2000], "系统校验", width=320, height=min(60 + 40 * len(messages), 400))
    first_col = min(index.values())
    for p in problems:   # problems of a row without a known column: mark the row's first cell
        if p.row and p.column not in index:
            cell = ws.cell(row=p.row, column=first_col)
            cell.fill = BAD_FILL
            if cell.comment is None:
                cell.comment = Comment(p.message[:2000], "系统校验", width=320, height=100)


def _problem_list(wb, problems: list) -> None:
    if LIST_SHEET in wb.sheetnames:
        del wb[LIST_SHEET]
    ws = wb.create_sheet(LIST_SHEET)
    ws.append(["行", "列", "所填的值", "问题"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for width, letter in zip((8, 24, 30, 90), "ABCD"):
        ws.column_dimensions[letter].width = width
    for r, p in enumerate(problems, start=2):
        _text(ws.cell(row=r, column=1), p.row if p.row else "整个文件")
        _text(ws.cell(row=r, column=2), p.column)
        _text(ws.cell(row=r, column=3), p.value)
        _text(ws.cell(row=r, column=4), p.message)
