"""Reading spreadsheets: every worksheet of an .xlsx/.xls as lists of cells, and which one holds the data.

The data may be on any sheet (a template's instructions sheet moved first, a workbook with a
cover sheet): importers look for their header row on each sheet in turn (`read_sheets`).
python-calamine reads; openpyxl is the fallback for files calamine refuses. A file that neither
can open is "not a spreadsheet" (SheetError with the message for the user).

Not here: what the header and rows mean (`records/importer.py`, `records/set_import.py`).
"""
from __future__ import annotations

import io
import os
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
    return sheets


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


