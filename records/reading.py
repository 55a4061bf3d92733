"""Reading spreadsheets: every worksheet of an .xlsx/.xls as lists of cells, and which one holds the data.

The data may be on any sheet (a template's instructions sheet moved first, a workbook with a
cover sheet): importers look for their header row on each sheet in turn (`read_sheets`).
python-calamine reads; openpyxl is the fallback for files calamine refuses. A file that neither
can open is "not a spreadsheet" (SheetError with the message for the user).

Not here: what the header and rows mean (`records/importer.py`, `records/set_import.py`).
"""
from __future__ import annotations

import html
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from .normalize import clean_text


class SheetError(Exception):
    """The file cannot be read as a sheet; str() is the message for the user."""


# ---------------------------------------------------------------------------------- reading
def read_first_sheet(source) -> list[list[Any]]:
    """The cells of the first worksheet, from A1, as lists (row index + 1 = Excel row number).

    `source`: bytes, a path (str/Path) or a binary file object. Raises SheetError.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise SheetError(f"找不到文件：{path}")
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
    else:
        raise TypeError(f"cannot read a sheet from {type(source).__name__}")
    if not data:
        raise SheetError("文件是空的（0 字节）")
    try:
        rows = _read_calamine(data)
    except Exception:  # noqa: BLE001 - calamine raises its own and zip errors; try openpyxl before giving up
        try:
            rows = _read_openpyxl(data)
        except SheetError:
            raise
        except Exception:  # noqa: BLE001
            raise SheetError("文件不是 Excel 工作簿（.xlsx 或 .xls），无法读取：请用导入模板填写，"
                             "并以 Excel 格式保存后再上传") from None
    if not any(any(not _blank(c) for c in r) for r in rows):
        raise SheetError("第一个工作表是空的")
    _refuse_uncomputed_formulas(data, first_only=True)
    return rows


def sheet_bytes(source) -> bytes:
    """The bytes of `source` (bytes, a path or a binary file object). Raises SheetError."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise SheetError(f"找不到文件：{path}")
        return path.read_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source)
    if hasattr(source, "read"):
        return source.read()
    raise TypeError(f"cannot read a sheet from {type(source).__name__}")


def read_sheets(source) -> list[tuple[str, list[list[Any]]]]:
    """Every worksheet as (name, cells from A1), in workbook order. Raises SheetError when the file
    is empty, not a spreadsheet, or has no cell filled on any sheet."""
    data = sheet_bytes(source)
    if not data:
        raise SheetError("文件是空的（0 字节）")
    try:
        sheets = _read_all_calamine(data)
    except Exception:  # noqa: BLE001 - calamine raises its own and zip errors; try openpyxl before giving up
        try:
            sheets = _read_all_openpyxl(data)
        except SheetError:
            raise
        except Exception:  # noqa: BLE001
            raise SheetError("文件不是 Excel 工作簿（.xlsx 或 .xls），无法读取：请用导入模板填写，"
                             "并以 Excel 格式保存后再上传") from None
    if not sheets:
        raise SheetError("工作簿中没有工作表")
    if not any(any(any(not _blank(c) for c in r) for r in rows) for _, rows in sheets):
        raise SheetError("工作簿是空的：没有任何一个工作表填了内容")
    _refuse_uncomputed_formulas(data)
    return sheets


# A formula cell saved without its result (a workbook written by a program and never opened in Excel or WPS)
# reads as empty, so a required column would be "missing" and an optional one silently lost. Excel writes a
# text result that is empty as t="str" with an empty <v>; a cell with no type and no value has no result.
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_SHOWN = 5


def _refuse_uncomputed_formulas(data: bytes, *, first_only: bool = False) -> None:
    if not data.startswith(b"PK"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            found = []
            for name, part in _sheet_parts(book)[:1 if first_only else None]:
                xml = book.read(part)
                if not _has_formula(xml):   # the common case: one scan, no cell-by-cell parsing
                    continue
                cells = [_cell_ref(attrs) for attrs, body in _CELL.findall(xml)
                         if body and _has_formula(body) and not _has_result(attrs, body)]
                if cells:
                    found.append((name, cells))
    except Exception:  # noqa: BLE001 - damaged zips raise many kinds; the readers above already read the cells
        return
    if found:
        total = sum(len(c) for _, c in found)
        where = "；".join(f"工作表“{name}”" + "、".join(cells[:_SHOWN]) + ("等" if len(cells) > _SHOWN else "")
                         for name, cells in found)
        raise SheetError(f"有 {total} 个公式单元格没有保存计算结果（{where}），读入会是空白。文件可能由程序生成、"
                         "未在 Excel 或 WPS 中打开保存过：请在 Excel 或 WPS 中打开并保存后再导入，或把公式改为直接填写的值")


def _has_formula(xml: bytes) -> bool:
    return b"<f>" in xml or b"<f " in xml   # not <formula1> of a data validation


def _has_result(attrs: bytes, body: bytes) -> bool:
    value = re.search(rb"<v>(.*?)</v>", body, re.S)
    if value and value.group(1).strip():
        return True
    return b't="str"' in attrs  # a text formula whose result is empty


def _cell_ref(attrs: bytes) -> str:
    ref = re.search(rb'\br="([A-Z]+)(\d+)"', attrs)
    return f"第{int(ref.group(2))}行 {ref.group(1).decode()}列" if ref else "（位置不明）"


def _sheet_parts(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, its part in the zip), in workbook order."""
    workbook = book.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = book.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = []
    for m in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attrs = m.group(1)
        name = re.search(r'\bname="([^"]*)"', attrs)
        rid = re.search(r'\br:id="([^"]+)"|\b\w+:id="([^"]+)"', attrs)
        if not name or not rid:
            continue
        target = targets.get(rid.group(1) or rid.group(2))
        if target:
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            out.append((html.unescape(name.group(1)), part))
    return out


def _read_all_calamine(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_object(io.BytesIO(data))
    return [(name, workbook.get_sheet_by_index(i).to_python(skip_empty_area=False))
            for i, name in enumerate(workbook.sheet_names)]


def _read_all_openpyxl(data: bytes) -> list[tuple[str, list[list[Any]]]]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [(ws.title, [["" if c is None else c for c in row] for row in ws.iter_rows(values_only=True)])
                for ws in workbook.worksheets]
    finally:
        workbook.close()


def _read_calamine(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_object(io.BytesIO(data))
    if not workbook.sheet_names:
        raise SheetError("工作簿中没有工作表")
    return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _read_openpyxl(data: bytes) -> list[list[Any]]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise SheetError("工作簿中没有工作表")
        return [["" if c is None else c for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not clean_text(value))


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


