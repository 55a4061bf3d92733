"""The four-item teacher account sheet (records/account_sheet.py)."""
import csv
import io

import openpyxl
import pytest

from records.account_sheet import parse_account_sheet, validate_four_items
from records.idcard import check_char

from .conftest import DATA


def rid(first17):
    return first17 + check_char(first17)


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_sample_sheet_is_clean():
    rows, problems = parse_account_sheet(DATA / "school_2146000001_new_teacher_accounts.xlsx")
    assert problems == [] and len(rows) == 30
    first = rows[0]
    assert (first.row_number, first.name, first.gender, first.birth_month) == (2, "唐峰琳", "2", "1996-02")
    assert first.id_number == "460104199602016649" and first.birth_date == "1996-02-01"


def test_bad_rows_reported_where_expected():
    expected = list(csv.DictReader((DATA / "bad" / "accounts_with_errors.expected.csv").open(encoding="utf-8")))
    rows, problems = parse_account_sheet(DATA / "bad" / "accounts_with_errors.xlsx")
    assert {(p.row, p.column) for p in problems} == {(int(e["row"]), e["column"]) for e in expected if e["column"]}
    assert [r.row_number for r in rows] == [2]
    by_row = {p.row: p.message for p in problems}
    assert "校验位错误" in by_row[3]
    assert "出生年月" in by_row[4] and "1999-09" in by_row[4]
    assert "偶数为女" in by_row[5]
    assert "第 2 行" in by_row[6]
    assert "必填" in by_row[7]
    assert "15 位" in by_row[8] and "18 位" in by_row[8]


def test_validate_four_items_for_a_form():
    clean, problems = validate_four_items(" 林 晓 ", "女", "1988年3月", rid("46010019880315202").lower())
    assert problems == []
    assert clean == {"name": "林晓", "gender": "2", "birth_month": "1988-03", "birth_date": "1988-03-15",
                     "id_type": "1", "id_number": rid("46010019880315202").upper()}


@pytest.mark.parametrize("args,column,says", [
    (("", "女", "1988-03", rid("46010019880315202")), "姓名", "必填"),
    (("林晓", "", "1988-03", rid("46010019880315202")), "性别", "必填"),
    (("林晓", "未知", "1988-03", rid("46010019880315202")), "性别", "男、女"),
    (("林晓", "女", "", rid("46010019880315202")), "出生年月", "必填"),
    (("林晓", "女", "1988-13", rid("46010019880315202")), "出生年月", "1–12"),
    (("林晓", "女", "1988-03", ""), "身份证号码", "必填"),
    (("林晓", "女", "1988-03", 460100198803152022), "身份证号码", "文本"),
    (("林晓", "女", "1988-04", rid("46010019880315202")), "出生年月", "1988-03"),
    (("林晓", "男", "1988-03", rid("46010019880315202")), "性别", "偶数为女"),
])
def test_validate_four_items_problems(args, column, says):
    clean, [p] = validate_four_items(*args, row=5)
    assert p.row == 5 and p.column == column and says in p.message


def test_missing_and_unknown_columns():
    _, problems = parse_account_sheet(xlsx([["姓名", "性别", "身份证号码", "电话"], ["林晓", "女", "x", "1"]]))
    messages = [p.message for p in problems]
    assert "找不到【出生年月】列" in messages
    assert any("【电话】（D列）" in m for m in messages)


def test_header_aliases_and_serial_column():
    rows, problems = parse_account_sheet(xlsx([
        ["序号", "姓名*", "性别*", "出生年月*", "身份证号*"],
        [1, "林晓", "女", "1988-03", rid("46010019880315202")],
    ]))
    assert problems == [] and rows[0].row_number == 2


def test_not_a_spreadsheet():
    rows, [p] = parse_account_sheet(DATA / "bad" / "not_a_spreadsheet.xlsx")
    assert rows == [] and p.row == 0
