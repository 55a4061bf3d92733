"""Identity document numbers: the 18-digit citizen ID (GB 11643) and lenient checks for the others.

The citizen ID is checked here rather than with `stdnum.cn.ric.validate`, because that also
rejects an area code that did not exist in the birth year. Area codes are fixed at first
registration and Hainan's changed in 1988 (from Guangdong's 44xxxx) and 2002, so a teacher
born before 1988 legitimately carries 4421xx/4422xx, and a late registration carries a newer
code than the birth year had. Only the two-digit province prefix is checked (one that never
existed, e.g. 99, is a typing error, not history).

Errors raise `InvalidIdNumber` with a Chinese sentence for the user (without the column name).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .normalize import id_text

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Two-digit province-level prefixes that have ever been issued (GB/T 2260), plus 81/82/83
# used by residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)

# Document types whose number is the 18-digit citizen number: 1 居民身份证, B 户口簿.
CITIZEN_NUMBER_TYPES = frozenset({"1", "B"})


class InvalidIdNumber(ValueError):
    """The number is wrong; str(error) is the message for the user."""


@dataclass(frozen=True)
class ResidentId:
    number: str          # 18 characters, upper-case X
    area: str            # first six digits
    birth_date: dt.date
    gender: str          # GB/T 2261.1 code: "1" male (17th digit odd), "2" female (even)

    @property
    def birth_month(self) -> str:
        return self.birth_date.strftime("%Y-%m")

    @property
    def gender_label(self) -> str:
        return "男" if self.gender == "1" else "女"


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("check_char needs 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def upgrade_15(number15: str) -> str:
    """The 18-digit form of an old 15-digit number (insert 19 before the two-digit year, add the check)."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


def parse_resident_id(value, *, today: dt.date | None = None) -> ResidentId:
    """Check an 18-digit citizen ID number and read its birth date and gender.

    Lower-case x is accepted. A 15-digit number is refused (it must be converted to 18 digits
    first; the message gives the converted number to check against the ID card).
    """
    try:
        number = id_text(value)
    except ValueError as exc:
        raise InvalidIdNumber(str(exc)) from None
    if not number:
        raise InvalidIdNumber("身份证号码为空")
    if len(number) == 15 and number.isdigit():
        hint = ""
        try:
            dt.datetime.strptime("19" + number[6:12], "%Y%m%d")
            # The way as well as the result: where ID numbers are shown masked the result is hidden,
            # and the way (with the one digit nobody can work out by hand) is still enough to act on.
            converted = upgrade_15(number)
            hint = (f"，转换后应为 {converted}（在第 6 位后插入“19”，末尾加校验位“{converted[-1]}”；"
                    "请与身份证核对）")
        except ValueError:
            pass
        raise InvalidIdNumber(f"“{number}”是 15 位旧号码，须先转换为 18 位新号码再填写{hint}")
    if len(number) != 18:
        raise InvalidIdNumber(f"“{number}”有 {len(number)} 位，居民身份证号码应为 18 位")
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise InvalidIdNumber(f"“{number}”含有非法字符：前 17 位应为数字，第 18 位为数字或 X")
    if number[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber(f"“{number}”前两位 {number[:2]} 不是省级行政区代码")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"“{number}”第 7–14 位 {number[6:14]} 不是有效的出生日期") from None
    today = today or dt.date.today()
    if birth.year < 1900 or birth > today:
        raise InvalidIdNumber(f"“{number}”中的出生日期 {birth.isoformat()} 不合理")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdNumber(f"“{number}”校验位错误：按 GB 11643 计算，第 18 位应为 {expected}，"
                              f"请核对号码是否抄错")
    gender = "1" if int(number[16]) % 2 else "2"
    return ResidentId(number=number, area=number[:6], birth_date=birth, gender=gender)


_RESIDENT_SHAPED = re.compile(r"^[1-8]\d{16}[\dX]$|^\d{15}$")


def resident_id_slip(value) -> str | None:
    """Why a number typed to find a teacher cannot be an ID number (a wrong check character, a 15-digit
    old number, 17 digits, "123"), or None. A number that could be another document's (a Hong Kong card,
    a passport) is not judged: the lookup goes on, and a number not found is then just not found."""
    number = "".join(str(value or "").split()).upper()
    if not number:
        return None
    if re.fullmatch(r"\d{12,17}X?|\d{19,25}X?", number) and len(number) not in (15, 18):
        return f"“{number}”有 {len(number)} 位，居民身份证号码应为 18 位（最后一位可为 X）"
    if len(number) < 5 or not _ANY_DOCUMENT.match(number):
        return f"“{number[:30]}”不是有效的证件号码：居民身份证号码为 18 位（最后一位可为 X）"
    if not _RESIDENT_SHAPED.match(number):
        return None
    try:
        parse_resident_id(number)
    except InvalidIdNumber as exc:
        return str(exc)
    return None


def is_valid_resident_id(value) -> bool:
    try:
        parse_resident_id(value)
    except (InvalidIdNumber, ValueError):
        return False
    return True


# --------------------------------------------------------------------- other document types
# Lenient on purpose: the numbers are checked against the documents by people, we only catch
# slips such as a Chinese character in a passport number or a number far too short or long.
_OTHER_FORMATS: dict[str, tuple[re.Pattern, str]] = {
    # Hong Kong identity card A123456(7), HK passport, Home Return Permit H12345678(01).
    "6": (re.compile(r"^[A-Z]{1,2}\d{6}\(?[0-9A]\)?$|^[A-Z]\d{7,10}$|^[A-Z0-9]{6,12}$"),
          "香港身份证（如 A123456(7)）、香港特区护照或港澳居民来往内地通行证号码"),
    # Macao identity card 1234567(8), Macao passport, Home Return Permit M12345678.
    "7": (re.compile(r"^[157]\d{6}\(?\d\)?$|^[A-Z]\d{7,10}$|^[A-Z0-9]{6,12}$"),
          "澳门身份证（如 1234567(8)）、澳门特区护照或港澳居民来往内地通行证号码"),
    # Mainland Travel Permit for Taiwan Residents: 8 digits (since 2015) or older 10 characters.
    "8": (re.compile(r"^\d{8}$|^[A-Z0-9]{10}(?:\([A-Z0-9]\))?$"), "台湾居民来往大陆通行证号码（8 位数字或 10 位）"),
    # Foreigner's Permanent Residence ID: 3 letters + 12 digits (old) or 18 characters starting with 9.
    "9": (re.compile(r"^[A-Z]{3}\d{12}$|^9\d{16}[0-9X]$"), "外国人永久居留身份证号码（15 位或以 9 开头的 18 位）"),
    "A": (re.compile(r"^[A-Z0-9<]{5,20}$"), "护照号码（5–20 位字母或数字）"),
}
_ANY_DOCUMENT = re.compile(r"^[\w()（）\-]{2,30}$")


def check_id_number(id_type: str | None, value, *, today: dt.date | None = None) -> tuple[str, ResidentId | None]:
    """Check a document number for its type → (canonical number, ResidentId when it is a citizen number).

    Types 1 (居民身份证) and B (户口簿) carry the citizen number and get the full GB 11643 check;
    with no type given, an 18-character number is checked as a citizen number too.
    """
    try:
        number = id_text(value)
    except ValueError as exc:
        raise InvalidIdNumber(str(exc)) from None
    if not number:
        raise InvalidIdNumber("证件号码为空")
    if id_type in CITIZEN_NUMBER_TYPES or (id_type is None and len(number) in (15, 18)):
        rid = parse_resident_id(number, today=today)
        return rid.number, rid
    fmt = _OTHER_FORMATS.get(id_type or "")
    if fmt is not None:
        pattern, what = fmt
        compact = number.replace("（", "(").replace("）", ")")
        if not pattern.match(compact):
            raise InvalidIdNumber(f"“{number}”不像{what}")
        return compact, None
    if not _ANY_DOCUMENT.match(number):
        raise InvalidIdNumber(f"“{number}”不像证件号码（2–30 位字母、数字或汉字）")
    return number, None
