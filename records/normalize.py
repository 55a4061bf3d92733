"""Turn what people type (or what Excel stores) into the canonical text the record keeps.

Lives here: whitespace and full-width clean-up, dates ("YYYY-MM-DD"), months ("YYYY-MM"),
numbers, and the refusal of ID numbers that Excel stored as numbers.
Not here: whether a value is allowed (code tables, ID check characters, date order):
that is `records/validation.py` and `records/idcard.py`.

Every converter returns the canonical string or raises `ValueError` whose text is a
Chinese sentence for the user (without the column name: the caller adds it).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

# Spaces Excel users paste in: no-break, full-width (ideographic), zero-width, BOM, thin spaces.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SPACES = " \t\r\n\u00a0\u3000\u2002\u2003\u2009\u202f"
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ！..～ → !..~
_FULLWIDTH[0x3000] = 0x20
_INVISIBLE_TABLE = {ord(c): None for c in _INVISIBLE}
_INNER_SPACES = re.compile(r"\s+")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not clean_text(value))


def clean_text(value) -> str:
    """Text with invisible characters removed, surrounding spaces stripped, inner runs of spaces made one.

    Full-width letters and punctuation are kept (a name or a code display name may use them);
    `ascii_text` is for values that are by nature ASCII (numbers, dates, codes).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).translate(_INVISIBLE_TABLE)
    text = text.strip(_SPACES)
    if not text:
        return ""
    return _INNER_SPACES.sub(" ", text.replace("\u3000", " ").replace("\u00a0", " "))


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}·]) (?=[{_CJK}·])")
_MIDDLE_DOTS = str.maketrans({"•": "·", "・": "·", "．": "·", "‧": "·", "∙": "·", "●": "·"})


def person_name(value) -> str:
    """A person's name: `clean_text`, no space between Chinese characters ("林 晓" → "林晓"),
    the middle dot of minority and foreign names made one character ("买买提•艾力" → "买买提·艾力").
    Spaces between Latin letters stay ("John Smith")."""
    return _SPACE_NEAR_CJK.sub("", clean_text(value).translate(_MIDDLE_DOTS))


_NAME_PUNCTUATION = set("·.-'’")   # 买买提·艾力, O'Brien, Jean-Luc, J. Smith; the dot variants are made · first
NAME_RULE = "姓名只能包含汉字、字母、空格和 · . - ' 这几个符号，且至少有一个汉字或字母"


def _name_character(c: str) -> bool:
    # Letters of any script (rare hanzi of the extension blocks are letters too), their combining
    # marks and spaces; digits, emoji, symbols, markup and control characters are not (no ID card
    # name has them: a digit in a name is a typo or a placeholder such as 张三123).
    kind = unicodedata.category(c)
    return kind[0] in "LM" or kind == "Zs" or c in _NAME_PUNCTUATION


def name_problem(text: str) -> str | None:
    """Why `text` cannot be a person's name, or None."""
    bad = sorted({c for c in text if not _name_character(c)})
    if bad:
        shown = "".join(c if c.isprintable() else "?" for c in bad[:5])
        return f"姓名中不能有“{shown}”：{NAME_RULE}"
    if not any(unicodedata.category(c)[0] == "L" for c in text):
        return f"“{text[:20]}”不是姓名：{NAME_RULE}"
    return None


def ascii_text(value) -> str:
    """`clean_text` with full-width digits, letters and punctuation turned into ASCII."""
    return clean_text(value).translate(_FULLWIDTH).strip()


def match_key(value) -> str:
    """A loose key to compare labels and code names: NFKC, no spaces, no quotes, case-folded.

    "特岗计划(中央)" and "特岗计划（中央）", "是否“双师型”教师" and 是否"双师型"教师 give the same key.
    """
    text = unicodedata.normalize("NFKC", clean_text(value))
    text = re.sub(r"[\s\"'“”‘’「」『』]", "", text)
    return text.casefold()


# ---------------------------------------------------------------------------------- dates
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def to_date(value) -> str:
    """A day as "YYYY-MM-DD" from an Excel date/datetime or text such as 1988/3/15, 1988.3.15, 1988年3月15日, 19880315."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = ascii_text(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"“{text}”不是日期，请按 YYYY-MM-DD 填写（如 1988-03-15）")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month, day = (int(g) for g in m.groups())
            try:
                return dt.date(year, month, day).isoformat()
            except ValueError:
                raise ValueError(f"“{text}”不是有效的日期") from None
    if _month_or_none(text):
        raise ValueError(f"“{text}”缺少日，请按 YYYY-MM-DD 填写（如 1988-03-15）")
    raise ValueError(f"“{text}”不是日期，请按 YYYY-MM-DD 填写（如 1988-03-15）")


def to_month(value) -> str:
    """A month as "YYYY-MM" from an Excel date or text such as 2003-09, 2003.09, 2003年9月, 200309, 2003/9.

    A full date (2003-09-01, or an Excel date cell) gives its month. A number 2003.1 is refused:
    Excel drops the trailing zero of 2003.10, so it may mean January or October.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, float) and not value.is_integer():
        text = repr(value)
        year, _, frac = text.partition(".")
        if len(year) == 4 and frac == "1":
            raise ValueError(f"“{text}”含义不明（{year}年1月还是10月？Excel 会去掉 {year}.10 末尾的 0），"
                             f"请写成 {year}-01 或 {year}-10")
        value = text
    text = ascii_text(value)
    month = _month_or_none(text)
    if month:
        return month
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            year, mon, day = (int(g) for g in m.groups())
            try:
                dt.date(year, mon, day)
            except ValueError:
                raise ValueError(f"“{text}”不是有效的日期") from None
            return f"{year:04d}-{mon:02d}"
    raise ValueError(f"“{text}”不是年月，请按 YYYY-MM 填写（如 2003-09）")


def _month_or_none(text: str) -> str | None:
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and year >= 1000:
                return f"{year:04d}-{month:02d}"
            raise ValueError(f"“{text}”不是有效的年月（月份应为 1–12）")
    return None


def to_number(value) -> str:
    """A non-negative decimal as canonical text ("2", "1.5")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = ascii_text(value)
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"“{text}”不是数字") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"“{value}”应为不小于 0 的数字")
    return f"{number:g}"


# ---------------------------------------------------------------------------- ID numbers
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?E\+?\d+$", re.IGNORECASE)

ID_AS_NUMBER = ("单元格是数字格式，Excel 只保留 15 位有效数字，末尾几位已丢失"
                "（18 位号码的校验位也可能是 X）：请把该列设为“文本”格式后重新填写完整号码")


def id_text(value) -> str:
    """An ID/document number as typed: ASCII, no spaces, upper case (x → X).

    A number cell (int or float), or text in scientific notation (4.60100E+17), is refused:
    the digits past the 15th are already gone and cannot be recovered.
    """
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是证件号码")
    if isinstance(value, (int, float)):
        shown = f"{value:.0f}" if isinstance(value, float) and value.is_integer() else str(value)
        raise ValueError(f"“{shown}”{ID_AS_NUMBER}")
    text = ascii_text(value)
    # A leading apostrophe is how people force text in Excel; it sometimes survives a copy.
    compact = re.sub(r"\s+", "", text).lstrip("'`").upper()
    if _SCIENTIFIC.match(compact):
        raise ValueError(f"“{text}”是科学计数法，{ID_AS_NUMBER}")
    return compact


# ------------------------------------------------------------------ years, counts, money
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*(?:年)?\s*[-/—–~～至]+\s*(\d{4})\s*(?:年)?\s*(?:学年)?(?:度)?$")


def to_year(value) -> str:
    """A year as "YYYY" from 2023, 2023.0, "2023年", "2023年度" or an Excel date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}"
    text = ascii_text(value)
    m = _YEAR.match(text)
    if m and 1900 <= int(m.group(1)) <= 2999:
        return m.group(1)
    raise ValueError(f"“{text}”不是年份，请按 YYYY 填写（如 2023）")


def to_school_year(value) -> str:
    """A school year as "YYYY-YYYY" (2024-2025, 2024—2025学年, 2024/2025); the second year follows the first."""
    text = ascii_text(value)
    m = _SCHOOL_YEAR.match(text)
    if not m:
        raise ValueError(f"“{text}”不是学年，请按 YYYY-YYYY 填写（如 2024-2025）")
    first, second = int(m.group(1)), int(m.group(2))
    if second != first + 1:
        raise ValueError(f"“{text}”不是学年：后一年须比前一年大 1（如 {first}-{first + 1}）")
    return f"{first}-{second}"


def to_integer(value) -> str:
    """A non-negative whole number as canonical text ("12")."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是整数")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = ascii_text(value).replace(",", "")
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"“{text}”不是整数") from None
    if not math.isfinite(number) or number < 0 or not number.is_integer():
        raise ValueError(f"“{clean_text(value)}”应为不小于 0 的整数")
    return str(int(number))


def to_money(value) -> str:
    """A non-negative amount with at most two decimals, as text with two decimals ("5230.50")."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}”不是金额")
    text = ascii_text(value).replace(",", "").replace("¥", "").replace("元", "").strip()
    if isinstance(value, float):
        text = repr(value)
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"“{clean_text(value)}”不是金额，请填数字（如 5230.50）") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"“{clean_text(value)}”应为不小于 0 的金额")
    if abs(round(number, 2) - number) > 1e-6:
        raise ValueError(f"“{clean_text(value)}”最多两位小数")
    return f"{number:.2f}"


_MULTI_SPLIT = re.compile(r"[、,，;；\s]+")


def split_multi(value) -> list[str]:
    """The parts of a multi-valued cell: "养老保险、医疗保险", "1,2", "养老保险；医疗保险"."""
    if isinstance(value, (list, tuple)):
        return [clean_text(v) for v in value if clean_text(v)]
    return [p for p in _MULTI_SPLIT.split(clean_text(value)) if p]


def compact_text(value) -> str:
    """ASCII with every space removed: phone numbers, e-mail, certificate numbers."""
    return re.sub(r"\s+", "", ascii_text(value))
