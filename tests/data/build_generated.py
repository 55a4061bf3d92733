"""Rebuild the generated test sheets of tests/data (the shared samples are copied, not generated).

    .venv/bin/python tests/data/build_generated.py

- messy_basic_info.xlsx: a valid school sheet (小学) typed the way people type: a title row
  above the header, full-width and no-break spaces, lower-case x, full-width digits, real Excel
  date cells, months as 200309 / 2003.09 / 2003年9月 / 2003/9, long official names and "code-name".
- bad/accounts_with_errors.xlsx (+ .expected.csv): the four-item account sheet with one
  problem per row after a valid row 2.
"""
from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from records.idcard import check_char  # noqa: E402


def rid(first17: str) -> str:
    return first17 + check_char(first17)


def rid_ending_x(first14: str, female: bool) -> str:
    """A valid number with area+birth `first14` whose check character is X."""
    for seq in range(1000):
        first17 = f"{first14}{seq:03d}"
        if int(first17[16]) % 2 == (0 if female else 1) and check_char(first17) == "X":
            return first17 + "X"
    raise ValueError(first14)


def messy_basic_info(path: Path) -> None:
    from records.indicators import template_headers

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    ws.append(["海南省中小学教师基本信息导入表（示例学校）"])
    ws.append([])
    headers = template_headers("21")
    ws.append(headers)
    base = {
        "曾用名": "", "教职工号": "", "国籍/地区*": "中国", "身份证件类型*": "居民身份证", "籍贯": "海南海口",
        "出生地": "", "民族*": "汉族", "政治面貌*": "群众", "婚姻状况": "已婚", "健康状况": "健康或良好",
        "教职工来源*": "录用应届毕业生", "教职工类别*": "专任教师", "是否在编*": "是", "用人形式*": "",
        "签订合同情况*": "聘用合同", "是否全日制师范类专业毕业*": "是", "是否受过特教专业培养培训*": "否",
        "是否有特殊教育从业证书*": "否", "信息技术应用能力*": "熟练", "是否属于免费（公费）师范生*": "否",
        "是否参加基层服务项目*": "否", "参加基层服务项目起始年月": "", "参加基层服务项目结束年月": "",
        "是否是特级教师*": "否", "是否是县级及以上骨干教师*": "否", "是否心理健康教育教师*": "否",
        "人员状态*": "在本单位任职", "备注": "",
    }
    rows = [
        # full-width spaces around the name, lower-case x, a real date cell, numeric month 200309
        {"姓名*": "\u3000林\u00a0晓 ", "性别*": "女", "身份证件号*": rid_ending_x("46010019880315", True).lower(),
         "出生日期*": dt.datetime(1988, 3, 15), "参加工作年月*": 201009, "进本校年月*": "2012.09",
         "政治面貌*": "中国民主同盟盟员", "民族*": "01-汉族"},
        # full-width digits in the ID, 2003年9月, 2003/9, short ethnic name, half-width brackets
        {"姓名*": "符强", "性别*": "男", "身份证件号*": rid("44212519820101451").translate(
            {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
         "出生日期*": "1982/1/1", "参加工作年月*": "2003年9月", "进本校年月*": "2003/9", "民族*": "黎",
         "是否参加基层服务项目*": "特岗计划(中央)", "参加基层服务项目起始年月": dt.date(2003, 9, 1),
         "参加基层服务项目结束年月": "2006-08"},
        # not on the payroll, 用人形式 given; codes typed as codes
        {"姓名*": "王海", "性别*": "1", "身份证件号*": rid("46010019900101301"), "出生日期*": "19900101",
         "参加工作年月*": "2012-09", "进本校年月*": "2015-09", "是否在编*": "否", "用人形式*": "劳务派遣",
         "签订合同情况*": "劳动合同", "政治面貌*": "中国共产党党员"},
    ]
    for row in rows:
        values = {**base, **row}
        ws.append([values.get(h, "") for h in headers])
    wb.save(path)


ACCOUNT_ROWS = [
    # (name, gender, birth month, ID, expected column or None, what)
    ("唐峰琳", "女", "1996-02", rid("46010419960201664"), None, "valid"),
    ("何勇", "男", "1998-10", rid("46010419981026871")[:17] + ("0" if rid("46010419981026871")[17] != "0" else "1"),
     "身份证号码", "check character wrong"),
    ("许梓泽", "女", "1999-08", rid("46010419990912674"), "出生年月", "birth month disagrees with the ID"),
    ("陈敏", "男", "1985-06", rid("44210119850620402"), "性别", "gender disagrees with the ID (even = female)"),
    ("李静", "女", "1996-02", rid("46010419960201664"), "身份证号码", "same ID number as row 2"),
    ("", "男", "1975-05", rid("44212319750505301"), "姓名", "name missing"),
    ("羊杰", "男", "1991-09", "460024910909501", "身份证号码", "15-digit number must be converted"),
]


def accounts_with_errors(path: Path, expected: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "教师账号"
    ws.append(["姓名", "性别", "出生年月", "身份证号码"])
    for name, gender, month, number, *_ in ACCOUNT_ROWS:
        ws.append([name, gender, month, number])
    for row in ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = "@"
    wb.save(path)
    with expected.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "column", "problem"])
        for i, (*_, column, what) in enumerate(ACCOUNT_ROWS, start=2):
            w.writerow([i, column or "", what if column else "none: valid row"])


if __name__ == "__main__":
    messy_basic_info(HERE / "messy_basic_info.xlsx")
    accounts_with_errors(HERE / "bad" / "accounts_with_errors.xlsx", HERE / "bad" / "accounts_with_errors.expected.csv")
    print("written")
