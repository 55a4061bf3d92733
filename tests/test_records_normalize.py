"""What people type, made canonical (records/normalize.py)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from records.normalize import ascii_text, clean_text, id_text, match_key, name_problem, person_name, to_date, to_month, to_number


@pytest.mark.parametrize("raw,expected", [
    ("  汉族 ", "汉族"), ("\u3000汉族\u00a0", "汉族"), ("\ufeff汉族\u200b", "汉族"), ("a  \t b", "a b"),
    (None, ""), (1.0, "1"), (True, "是"),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_full_width_to_ascii():
    assert ascii_text("２００３－０９") == "2003-09"
    assert ascii_text("ＡＢＣ１２３") == "ABC123"


def test_match_key_ignores_width_quotes_and_spaces():
    assert match_key("特岗计划(中央)") == match_key("特岗计划（中央）")
    assert match_key('是否"双师型"教师') == match_key("是否“双师型”教师")
    assert match_key(" 汉 族 ") == match_key("汉族")


@pytest.mark.parametrize("raw", [
    "2003-09", "2003-9", "2003.09", "2003.9", "2003年9月", "2003年09月", "200309", "2003/9", "2003/09",
    " 2003-09 ", "２００３年９月", 200309, 200309.0, 2003.09, dt.date(2003, 9, 1), dt.datetime(2003, 9, 15, 8, 0),
    "2003-09-01", "2003/9/15",
])
def test_month_formats(raw):
    assert to_month(raw) == "2003-09"


def test_month_ambiguous_float():
    with pytest.raises(ValueError, match="2003-01 或 2003-10"):
        to_month(2003.1)
    assert to_month(2003.12) == "2003-12"


@pytest.mark.parametrize("raw", ["2003", "2003-13", "九月", "2003-09-31", 2003, "20030"])
def test_month_refused(raw):
    with pytest.raises(ValueError):
        to_month(raw)


@given(st.integers(1900, 2099), st.integers(1, 12), st.sampled_from(
    ["{y}-{m:02d}", "{y}-{m}", "{y}.{m:02d}", "{y}年{m}月", "{y}{m:02d}", "{y}/{m}", "{y} 年 {m} 月"]))
def test_month_formats_property(year, month, pattern):
    assert to_month(pattern.format(y=year, m=month)) == f"{year}-{month:02d}"


@pytest.mark.parametrize("raw", [
    "1988-03-15", "1988/3/15", "1988.3.15", "1988年3月15日", "19880315", dt.date(1988, 3, 15),
    dt.datetime(1988, 3, 15), "1988-03-15 00:00:00", "１９８８－０３－１５",
])
def test_date_formats(raw):
    assert to_date(raw) == "1988-03-15"


@pytest.mark.parametrize("raw,message", [("1988-03", "缺少日"), ("1988-02-30", "不是有效的日期"), ("昨天", "不是日期"),
                                         (32217.0, "不是日期")])
def test_date_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        to_date(raw)


@pytest.mark.parametrize("raw", [460100198803152022, 4.60100198803152e17, "4.60100198803152E+17", "4.6E17"])
def test_id_as_number_refused(raw):
    with pytest.raises(ValueError, match="文本"):
        id_text(raw)


def test_id_text():
    assert id_text(" 4601 0019 8803 1520 2x ") == "46010019880315202X"
    assert id_text("'46010019880315202x") == "46010019880315202X"


def test_person_name():
    assert person_name("\u3000林 晓 ") == "林晓"
    assert person_name("买买提 • 艾力") == "买买提·艾力"
    assert person_name("John  Smith") == "John Smith"


@pytest.mark.parametrize("name", ["林晓", "买买提·艾力", "O'Brien", "Jean-Luc Picard", "J. Smith", "𠀾晓", "Zoë"])
def test_names_people_have_pass(name):
    assert name_problem(person_name(name)) is None


@pytest.mark.parametrize("name,shown", [("王芳😀", "😀"), ("林<b>晓", "<>"), ("李★", "★"), ("陈!", "!"), ("周\u200b", "?"),
                                          ("张三123", "123"), ("李四１", "１"), ("王五٣", "٣")])
def test_emoji_symbols_and_markup_in_names_are_named(name, shown):
    message = name_problem(name)
    assert message and f"“{shown}”" in message


@pytest.mark.parametrize("name", ["·", "-", ". -", "'"])
def test_a_name_needs_a_letter(name):
    assert "不是姓名" in name_problem(name)


@pytest.mark.parametrize("raw,expected", [(2, "2"), ("1.5", "1.5"), ("３", "3"), (0.0, "0")])
def test_number(raw, expected):
    assert to_number(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "abc", "nan", "inf"])
def test_number_refused(raw):
    with pytest.raises(ValueError):
        to_number(raw)
