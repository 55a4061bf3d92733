"""The four-item teacher account sheet (姓名, 性别, 出生年月, 身份证号码) and its checks.

A school's system administrator creates teacher accounts from these four items, one at a time
in a form or many from a sheet. `validate_four_items` serves both; `parse_account_sheet` reads
the sheet (same reader and row numbering as `records/importer.py`).

The number must be an 18-digit citizen ID (teachers log in with it): check character, birth
month and gender agreeing with it. Creating the accounts is not here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .code_tables import GENDER
from .idcard import InvalidIdNumber, check_id_number
from .indicators import header_key
from .importer import SheetError, column_letter, read_first_sheet
from .normalize import name_problem, clean_text, person_name, to_month
from .validation import Problem, shown

NAME, GENDER_COL, BIRTH_MONTH, ID_NUMBER = "姓名", "性别", "出生年月", "身份证号码"
COLUMNS = (NAME, GENDER_COL, BIRTH_MONTH, ID_NUMBER)
KEYS = {NAME: "name", GENDER_COL: "gender", BIRTH_MONTH: "birth_month", ID_NUMBER: "id_number"}
_ALIASES = {
    NAME: (NAME, "教师姓名"),
    GENDER_COL: (GENDER_COL,),
    BIRTH_MONTH: (BIRTH_MONTH, "出生日期"),
    ID_NUMBER: (ID_NUMBER, "身份证号", "身份证件号", "身份证件号码", "证件号码"),
}
_HEADER_INDEX = {header_key(a): col for col, aliases in _ALIASES.items() for a in aliases}
_IGNORED = {header_key(x) for x in ("序号", "备注")}
NAME_MAX = 50


@dataclass(frozen=True)
class AccountRow:
    row_number: int
    name: str
    gender: str          # "1" 男 / "2" 女
    birth_month: str     # YYYY-MM
    birth_date: str      # YYYY-MM-DD, read from the ID number
    id_number: str       # 18 characters, upper-case X
    id_type: str = "1"


def validate_four_items(name, gender, birth_month, id_number, *, row: int = 0,
                        columns: dict[str, str] | None = None, today: dt.date | None = None,
                        id_type: str = "1") -> tuple[dict[str, str], list[Problem]]:
    """Check the four items → (clean values, problems).

    Clean values: name, gender ("1"/"2"), birth_month ("YYYY-MM"), birth_date (from the ID),
    id_type, id_number. `columns` maps the four standard column names to the headers as written
    in a sheet (for messages); `row` is the sheet row (0 for a form).
    """
    columns = columns or {}
    clean: dict[str, str] = {}
    problems: list[Problem] = []

    def report(col: str, value, message: str):
        header = columns.get(col, col)
        problems.append(Problem(row, header, shown(value), f"【{header}】{message}", KEYS[col]))

    text = person_name(name)
    if not text:
        report(NAME, name, "必填，不能为空")
    elif name_problem(text):
        report(NAME, name, name_problem(text))
    elif len(text) > NAME_MAX:
        report(NAME, name, f"“{text[:20]}…”共 {len(text)} 个字，最多 {NAME_MAX} 个字")
    else:
        clean["name"] = text

    if not clean_text(gender):
        report(GENDER_COL, gender, "必填，不能为空。可填：男、女")
    else:
        code = GENDER.lookup(gender)
        if code is None:
            report(GENDER_COL, gender, f"“{shown(gender)}”不是可选的值。可填：男、女")
        else:
            clean["gender"] = code

    if not clean_text(birth_month):
        report(BIRTH_MONTH, birth_month, "必填，不能为空（YYYY-MM，如 1990-03）")
    else:
        try:
            clean["birth_month"] = to_month(birth_month)
        except ValueError as exc:
            report(BIRTH_MONTH, birth_month, str(exc))

    rid = None
    if not clean_text(id_number):
        report(ID_NUMBER, id_number, "必填，不能为空")
    else:
        try:
            number, rid = check_id_number(id_type, id_number, today=today)
            clean["id_number"] = number
            clean["id_type"] = id_type
        except InvalidIdNumber as exc:
            report(ID_NUMBER, id_number, str(exc))

    if rid is not None:
        clean["birth_date"] = rid.birth_date.isoformat()
        if "birth_month" in clean and clean["birth_month"] != rid.birth_month:
            report(BIRTH_MONTH, birth_month,
                   f"“{clean.pop('birth_month')}”与身份证号码中的出生年月 {rid.birth_month} 不一致")
        if "gender" in clean and clean["gender"] != rid.gender:
            parity = "奇数为男" if rid.gender == "1" else "偶数为女"
            report(GENDER_COL, gender, f"“{GENDER.name_of(clean.pop('gender'))}”与身份证号码不一致："
                                       f"号码第17位是 {rid.number[16]}（{parity}）")
    return clean, problems


def parse_account_sheet(source, *, today: dt.date | None = None) -> tuple[list[AccountRow], list[Problem]]:
    """Read a four-item sheet → (rows without problems, problems). Rows numbered as Excel shows them."""
    try:
        cells = read_first_sheet(source)
    except SheetError as exc:
        return [], [Problem(0, "", "", str(exc))]
    header_at, columns = None, {}
    for r, row in enumerate(cells[:10]):
        found = {_HEADER_INDEX[header_key(c)]: (i, clean_text(c)) for i, c in enumerate(row)
                 if isinstance(c, str) and header_key(c) in _HEADER_INDEX}
        if len(found) >= 2:
            header_at, columns = r, found
            break
    if header_at is None:
        return [], [Problem(0, "", "", "找不到表头：前 10 行中没有【姓名】【身份证号码】等列名，"
                                       "请使用教师账号导入模板（姓名、性别、出生年月、身份证号码）")]
    problems = [Problem(0, col, "", f"找不到【{col}】列", KEYS[col]) for col in COLUMNS if col not in columns]
    known_positions = {i for i, _ in columns.values()}
    unknown = [f"【{clean_text(c)}】（{column_letter(i)}列）" for i, c in enumerate(cells[header_at])
               if clean_text(c) and i not in known_positions and header_key(c) not in _IGNORED]
    if unknown:
        problems.append(Problem(0, "", "", f"表中有模板以外的列：{'、'.join(unknown)}。"
                                           f"教师账号表只有 姓名、性别、出生年月、身份证号码 四列"))
    if problems:
        return [], problems

    headers = {col: text for col, (_, text) in columns.items()}
    rows: list[AccountRow] = []
    seen: dict[str, int] = {}
    for r in range(header_at + 1, len(cells)):
        row = cells[r]
        values = {col: (row[i] if i < len(row) else "") for col, (i, _) in columns.items()}
        if all(not clean_text(v) for v in values.values()):
            continue
        row_number = r + 1
        clean, row_problems = validate_four_items(values[NAME], values[GENDER_COL], values[BIRTH_MONTH],
                                                  values[ID_NUMBER], row=row_number, columns=headers, today=today)
        number = clean.get("id_number")
        if number:
            first = seen.setdefault(number, row_number)
            if first != row_number:
                col = headers[ID_NUMBER]
                row_problems.append(Problem(row_number, col, number,
                                            f"【{col}】“{number}”与第 {first} 行相同：同一教师只能有一个账号",
                                            "id_number"))
        problems.extend(row_problems)
        if not row_problems:
            rows.append(AccountRow(row_number, clean["name"], clean["gender"], clean["birth_month"],
                                   clean["birth_date"], clean["id_number"], clean["id_type"]))
    if not rows and not problems:
        problems.append(Problem(0, "", "", "表中没有数据行（表头下面是空的）"))
    return rows, problems
