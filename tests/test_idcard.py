"""GB 11643 citizen ID numbers and the other document types (records/idcard.py)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from records.idcard import (PROVINCE_PREFIXES, InvalidIdNumber, check_char, check_id_number, parse_resident_id,
                            upgrade_15)


def test_known_number():
    rid = parse_resident_id("11010519491231002X")
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.gender == "2" and rid.gender_label == "女"
    assert rid.birth_month == "1949-12"


def test_lower_case_x_is_normalised():
    assert parse_resident_id("11010519491231002x").number == "11010519491231002X"


def test_spaces_and_full_width_digits():
    assert parse_resident_id(" 1101 0519 4912 3100 2X ").number == "11010519491231002X"
    assert parse_resident_id("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


def test_wrong_check_character_names_the_right_one():
    with pytest.raises(InvalidIdNumber, match="第 18 位应为 X"):
        parse_resident_id("110105194912310021")


@pytest.mark.parametrize("number", ["442101198506204023", "442223198308164067", "442125197510298619"])
def test_guangdong_era_area_codes_are_valid(number):
    first17 = number[:17]
    parse_resident_id(first17 + check_char(first17))


def test_area_history_is_not_held_against_a_number():
    # 460100 (海口市) did not exist in 1960; stdnum rejects it, a late registration legitimately has it.
    number = "46010019600101123" + check_char("46010019600101123")
    with pytest.raises(Exception):
        stdnum_ric.validate(number)
    assert parse_resident_id(number).birth_date == dt.date(1960, 1, 1)


def test_unknown_province_prefix():
    number = "99010019600101123" + check_char("99010019600101123")
    with pytest.raises(InvalidIdNumber, match="前两位 99"):
        parse_resident_id(number)


def test_impossible_birth_date():
    number = "46010019880230123" + check_char("46010019880230123")
    with pytest.raises(InvalidIdNumber, match="不是有效的出生日期"):
        parse_resident_id(number)


def test_future_birth_date():
    number = "46010020300101123" + check_char("46010020300101123")
    with pytest.raises(InvalidIdNumber, match="不合理"):
        parse_resident_id(number, today=dt.date(2026, 1, 1))


def test_fifteen_digits_refused_with_the_conversion():
    with pytest.raises(InvalidIdNumber, match="15 位旧号码.*转换后应为 460024199109095013（在第 6 位后插入“19”，末尾加校验位“3”"):
        parse_resident_id("460024910909501")
    assert upgrade_15("460024910909501") == "460024199109095013"


@pytest.mark.parametrize("value", ["4601001988031520", "46010019880315202A2", "46010019880315A022"])
def test_wrong_length_or_characters(value):
    with pytest.raises(InvalidIdNumber):
        parse_resident_id(value)


@pytest.mark.parametrize("value", [460100198803152022, 4.60100198803152e17])
def test_number_cells_refused(value):
    with pytest.raises(InvalidIdNumber, match="文本"):
        parse_resident_id(value)


_first17 = st.builds(
    lambda prefix, rest, birth, seq: f"{prefix}{rest:04d}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(sorted(PROVINCE_PREFIXES)), st.integers(0, 9999),
    st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999),
)


@given(_first17)
def test_check_character_round_trip(first17):
    number = first17 + check_char(first17)
    rid = parse_resident_id(number)
    assert rid.number == number
    assert rid.gender == ("1" if int(first17[16]) % 2 else "2")
    assert stdnum_ric.calc_check_digit(number) == number[17]
    assert parse_resident_id(number.lower()).number == number


@given(_first17, st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused(first17, char):
    if char == check_char(first17):
        return
    with pytest.raises(InvalidIdNumber, match="校验位错误"):
        parse_resident_id(first17 + char)


@pytest.mark.parametrize("id_type,number", [
    ("6", "A123456(7)"), ("6", "A123456（7）"), ("6", "H12345678"), ("7", "1234567(8)"), ("8", "12345678"),
    ("9", "USA123456789012"), ("A", "E12345678"), ("A", "g1234567"), ("2", "南字第123456号"), ("Z", "X-123"),
])
def test_other_documents_lenient(id_type, number):
    canonical, rid = check_id_number(id_type, number)
    assert rid is None and canonical


@pytest.mark.parametrize("id_type,number", [("A", "护照123"), ("8", "1234"), ("9", "123"), ("2", "号")])
def test_other_documents_catch_slips(id_type, number):
    with pytest.raises(InvalidIdNumber):
        check_id_number(id_type, number)


def test_household_register_uses_the_citizen_number():
    with pytest.raises(InvalidIdNumber, match="校验位"):
        check_id_number("B", "110105194912310021")
    assert check_id_number("B", "11010519491231002x")[0] == "11010519491231002X"
