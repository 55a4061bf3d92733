"""Downloadable xlsx templates per set and school type (records/sheets.py, /templates)."""
from __future__ import annotations

import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from records.indicators import GROUP_TYPES, SETS, set_by_key, template_headers
from records.rules import applicable
from records.sheets import build_workbook, sheet_columns

from .conftest import DATA

ALL = [(k, t) for k in SETS for t in GROUP_TYPES.values() if set_by_key(k, t) is not None]


def sample_header(name):
    return CalamineWorkbook.from_path(str(DATA / name)).get_sheet_by_index(0).to_python(nrows=1)[0]


@pytest.mark.parametrize("set_key,school_type", ALL)
def test_every_template_has_headers_dropdowns_and_instructions(set_key, school_type):
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(set_key, school_type)))
    assert wb.sheetnames[1:] == ["填写说明", "代码表"] and wb["代码表"].sheet_state == "hidden"
    ws = wb.worksheets[0]
    columns = sheet_columns(set_key, school_type)
    assert [c.value for c in ws[1]] == [c.header for c in columns]
    assert ws.max_row == 1
    # required columns carry "*" and a red header
    for col, cell in zip(columns, ws[1]):
        assert cell.value.endswith("*") == bool(col.field.starred)
        assert (cell.font.color is not None and cell.font.color.rgb.endswith("C00000")) == cell.value.endswith("*")
    # every single-choice code column has a drop-down listing exactly the table's display names
    codes = wb["代码表"]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            ref = dv.formula1.split("!")[1].replace("$", "")
            first, last = ref.split(":")
            names = [r[0].value for r in codes[first:last]]
            lists[str(dv.sqref).split(":")[0].rstrip("0123456789")] = names
    for i, col in enumerate(columns):
        letter = openpyxl.utils.get_column_letter(i + 1)
        if col.field.kind == "code":
            assert lists[letter] == col.field.code_table.names, (set_key, col.header)
        else:
            assert letter not in lists
    # the instructions name every column and the set's rules
    notes = [r[0] for r in wb["填写说明"].iter_rows(values_only=True) if r and r[0]]
    for col in columns:
        assert f"【{col.header}】" in notes
    info = set_by_key(set_key, school_type)
    assert notes.count("（规则）") == len(applicable((*info.rules, *info.set_rules), {f.key for f in info.fields}))


def test_basic_templates_are_the_national_ones():
    assert [c.header for c in sheet_columns("basic", "21")] == sample_header("school_2146000001_basic_info.xlsx")
    assert [c.header for c in sheet_columns("basic", "11")] == template_headers("11")
    assert [c.header for c in sheet_columns("basic", "31", with_school=True)] == sample_header("province_basic_info.xlsx")


def test_set_sheets_start_with_the_teacher():
    assert [c.header for c in sheet_columns("work", "21")][:4] == ["姓名*", "身份证件类型*", "身份证件号*", "任职单位名称*"]


def test_text_columns_are_text_formatted():
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook("basic", "21")))
    ws = wb.worksheets[0]
    id_col = next(i for i, c in enumerate(ws[1]) if c.value == "身份证件号*") + 1
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(id_col)].number_format == "@"


def test_download_over_http(hainan):
    from tests.journey_helpers import PASSWORD, setup_province
    setup_province(hainan)
    client = hainan.test_client()
    client.post("/login", data={"username": "2146000001_info", "password": PASSWORD})
    page = client.get("/templates").get_data(as_text=True)
    assert "学习经历" in page and "中小学" in page and "不适用" in page
    resp = client.get("/templates/study/21.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(resp.data)).sheetnames[0] == "学习经历"
    assert client.get("/templates/teaching/11.xlsx").status_code == 404      # 幼儿园 has no 教育教学
    assert client.get("/templates/nothing/21.xlsx").status_code == 404
    assert client.get("/templates/study/99.xlsx").status_code == 404
    anonymous = hainan.test_client()
    assert anonymous.get("/templates/study/21.xlsx").status_code == 302      # to the login page
