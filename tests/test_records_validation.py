"""One row of the basic set against its declaration (records/validation.py)."""
import datetime as dt

import pytest

from records.idcard import check_char
from records.validation import MIN_WORKING_AGE, exclusive_conflict, validate_record, validate_row

TODAY = dt.date(2026, 12, 3)


def rid(first17):
    return first17 + check_char(first17)


GOOD = {
    "姓名*": "林晓", "性别*": "女", "国籍/地区*": "中国", "身份证件类型*": "居民身份证",
    "身份证件号*": rid("46010019880315202"), "出生日期*": "1988-03-15", "民族*": "汉族", "政治面貌*": "群众",
    "参加工作年月*": "2010-09", "进本校年月*": "2012-09", "教职工来源*": "录用应届毕业生", "教职工类别*": "专任教师",
    "是否在编*": "是", "用人形式*": "", "签订合同情况*": "聘用合同", "是否参加基层服务项目*": "否",
    "参加基层服务项目起始年月": "", "参加基层服务项目结束年月": "", "人员状态*": "在本单位任职",
}


def check(school_type="21", **changes):
    row = {**GOOD, **changes}
    return validate_row(row, school_type, row_number=7, today=TODAY)


def columns(problems):
    return [p.column for p in problems]


def test_good_row():
    clean, problems = check()
    assert problems == []
    assert clean["name"] == "林晓" and clean["gender"] == "2" and clean["ethnicity"] == "01"
    assert clean["political_status"] == "13" and clean["joined_school_month"] == "2012-09"
    assert "employment_form" not in clean


def test_problem_carries_row_column_value_and_a_message_naming_them():
    _, [p] = check(**{"民族*": "火星族"})
    assert (p.row, p.column, p.value) == (7, "民族*", "火星族")
    assert "【民族*】" in p.message and "火星族" in p.message and "汉族、蒙古族" in p.message
    assert str(p).startswith("第7行：")


def test_labels_without_star_are_matched_and_reported_as_given():
    row = {k.rstrip("*"): v for k, v in GOOD.items()}
    row["民族"] = "火星族"
    _, [p] = validate_row(row, "21", today=TODAY)
    assert p.column == "民族"


def test_required():
    _, problems = check(**{"姓名*": "  ", "教职工类别*": ""})
    assert columns(problems) == ["姓名*", "教职工类别*"]
    assert "必填" in problems[0].message


def test_employment_form_required_when_not_on_payroll():
    _, [p] = check(**{"是否在编*": "否"})
    assert p.column == "用人形式*" and "是否在编为“否”" in p.message and "人事代理" in p.message
    clean, problems = check(**{"是否在编*": "否", "用人形式*": "劳务派遣"})
    assert problems == [] and clean["employment_form"] == "2"


def test_employment_form_cleared_when_on_payroll():
    clean, problems = check(**{"用人形式*": "人事代理"})
    assert problems == [] and "employment_form" not in clean


def test_service_programme_months():
    _, problems = check(**{"是否参加基层服务项目*": "三支一扶"})
    assert columns(problems) == ["参加基层服务项目起始年月", "参加基层服务项目结束年月"]
    _, [p] = check(**{"是否参加基层服务项目*": "三支一扶", "参加基层服务项目起始年月": "2018-09",
                      "参加基层服务项目结束年月": "2016-08"})
    assert p.column == "参加基层服务项目结束年月" and "早于" in p.message
    clean, problems = check(**{"是否参加基层服务项目*": "三支一扶", "参加基层服务项目起始年月": "2008.9",
                               "参加基层服务项目结束年月": "2030-08"})  # a planned end may lie ahead
    assert problems == [] and clean["grassroots_start"] == "2008-09"


def test_foreign_teacher_needs_no_ethnicity_or_political_status():
    clean, problems = check(**{"国籍/地区*": "美国", "身份证件类型*": "护照", "身份证件号*": "E12345678",
                               "民族*": "", "政治面貌*": ""})
    assert problems == [] and clean["nationality"] == "840" and clean["id_number"] == "E12345678"
    _, problems = check(**{"民族*": "", "政治面貌*": ""})
    assert columns(problems) == ["民族*", "政治面貌*"]


def test_id_birth_date_and_gender_must_agree():
    _, problems = check(**{"出生日期*": "1988-03-16", "性别*": "男"})
    assert columns(problems) == ["性别*", "出生日期*"]
    assert "1988-03-15" in problems[1].message and "偶数为女" in problems[0].message


def test_wrong_check_character():
    number = GOOD["身份证件号*"][:17] + ("1" if GOOD["身份证件号*"][17] != "1" else "2")
    _, [p] = check(**{"身份证件号*": number})
    assert p.column == "身份证件号*" and "校验位" in p.message


def test_id_number_as_a_number_cell():
    _, [p] = check(**{"身份证件号*": 4.60100198803152e17})
    assert p.column == "身份证件号*" and "文本" in p.message


def test_work_start_before_birth_and_too_young():
    _, [p] = check(**{"参加工作年月*": "1970-09"})
    assert p.column == "参加工作年月*" and "早于出生" in p.message
    _, [p] = check(**{"参加工作年月*": "2001-09", "进本校年月*": "2012-09"})
    assert p.column == "参加工作年月*" and f"未满 {MIN_WORKING_AGE} 周岁" in p.message
    assert check(**{"参加工作年月*": "2002-03"})[1] == []   # exactly 14


def test_work_age_uses_the_id_birth_date_when_the_typed_one_disagrees():
    _, problems = check(**{"出生日期*": "1970-01-01", "参加工作年月*": "1990-09"})
    assert columns(problems) == ["出生日期*", "参加工作年月*"]


def test_joined_school_before_work():
    _, [p] = check(**{"参加工作年月*": "2013-09"})
    assert p.column == "进本校年月*" and "2013-09" in p.message


def test_future_months():
    _, problems = check(**{"参加工作年月*": "2027-09", "进本校年月*": "2027-09"})
    assert columns(problems) == ["参加工作年月*", "进本校年月*"]


def test_kindergarten_label_in_messages():
    row = dict(GOOD)
    row["进本园年月*"] = row.pop("进本校年月*")
    row["参加工作年月*"] = "2013-09"
    _, [p] = validate_row(row, "11", today=TODAY)
    assert p.column == "进本园年月*"


def test_special_education_start():
    _, [p] = check("51", **{"从事特教起始年月*": "2009-01"})
    assert p.column == "从事特教起始年月*"
    clean, problems = check("51", **{"从事特教起始年月*": "2011-01"})
    assert problems == [] and clean["special_ed_start_month"] == "2011-01"


def test_columns_absent_from_the_row_are_not_checked():
    row = {k: v for k, v in GOOD.items() if k != "人员状态*"}
    assert validate_row(row, "21", today=TODAY)[1] == []


def test_validate_record_counts_every_field():
    clean, _ = check()
    clean, problems = validate_record(clean, "21", today=TODAY)
    missing = {p.column for p in problems}
    assert "是否全日制师范类专业毕业*" in missing and "信息技术应用能力*" in missing
    assert "姓名*" not in missing


@pytest.mark.parametrize("bad,says", [("2010-13", "月份应为"), ("十月", "YYYY-MM"), (2010.1, "含义不明")])
def test_bad_months(bad, says):
    _, [p] = check(**{"参加工作年月*": bad})
    assert p.column == "参加工作年月*" and says in p.message


def test_text_month_with_one_digit_is_that_month():
    clean, problems = check(**{"参加工作年月*": "2010.1"})   # typed as text: January, no ambiguity
    assert problems == [] and clean["work_start_month"] == "2010-01"


def test_problem_names_the_field_key():
    _, problems = check(**{"民族*": "火星族", "是否在编*": "否"})
    assert [p.key for p in problems] == ["ethnicity", "employment_form"]


def test_exclusive_codes():
    assert exclusive_conflict("政治面貌", ["01", "05"]) is None
    assert exclusive_conflict("政治面貌", ["13"]) is None
    assert "群众" in exclusive_conflict("政治面貌", ["13", "01"])
