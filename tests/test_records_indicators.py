"""The basic set declaration and its code tables (records/indicators.py, records/code_tables.py)."""
import re

import pytest
from python_calamine import CalamineWorkbook

from records.code_tables import TABLES, table
from records.indicators import (CODE, KINDS, all_basic_fields, basic_fields, field_by_key, field_by_label,
                                school_group, template_headers)

from .conftest import DATA


def sample_header(name):
    return CalamineWorkbook.from_path(str(DATA / name)).get_sheet_by_index(0).to_python(nrows=1)[0]


# ------------------------------------------------------------------------------ code tables
@pytest.mark.parametrize("table_name,raw,code", [
    ("政治面貌", "中国民主同盟盟员", "05"), ("政治面貌", "民盟盟员", "05"), ("政治面貌", "05", "05"),
    ("政治面貌", "5", "05"), ("政治面貌", "05-民盟盟员", "05"), ("政治面貌", "中国共产党党员", "01"),
    ("民族", "汉族", "01"), ("民族", "汉", "01"), ("民族", 1.0, "01"), ("民族", " 黎族 ", "19"),
    ("教职工来源", "录用非应届毕业生", "12"), ("教职工来源", "调入", "30"), ("教职工来源", "系统外调入", "32"),
    ("是否参加基层服务项目", "特岗计划(地方)", "2"), ("是否参加基层服务项目", "特岗计划（地方）", "2"),
    ("国籍/地区", "中国", "156"), ("国籍/地区", "香港", "344"), ("国籍/地区", "中国澳门", "446"),
    ("国籍/地区", "台湾", "158"), ("国籍/地区", "美国", "840"), ("国籍/地区", "36", "036"),
    ("身份证件类型", "身份证", "1"), ("身份证件类型", "a", "A"), ("是否", "是", "1"), ("是否", "否", "0"),
    ("人员状态", "在本单位任职", "100"), ("人员状态", "长病假", "203"), ("健康状况", "健康", "1"),
    ("用人形式", "人事代理", "1"), ("签订合同情况", "聘用合同", "1"), ("信息技术应用能力", "熟练", "2"),
    ("婚姻状况", "已婚", "20"), ("性别", "女", "2"), ("教职工类别", "专任教师", "11"),
])
def test_lookup(table_name, raw, code):
    assert table(table_name).lookup(raw) == code


@pytest.mark.parametrize("table_name,raw", [("民族", "火星族"), ("性别", "未知"), ("是否", "也许"), ("政治面貌", "")])
def test_lookup_unknown(table_name, raw):
    assert table(table_name).lookup(raw) is None


def test_every_table_is_well_formed():
    for t in TABLES.values():
        codes = [c.code for c in t.codes]
        assert len(codes) == len(set(codes)), t.name
        assert len(t.names) == len(set(t.names)), t.name
        for c in t.codes:
            assert t.lookup(c.name) == c.code and t.lookup(c.code) == c.code
            for alias in c.aliases:
                assert t.lookup(alias) == c.code, (t.name, alias)


def test_tables_named_in_domain_exist():
    for name in ("性别", "民族", "政治面貌", "身份证件类型", "婚姻状况", "健康状况", "学历", "学位层次", "教职工类别",
                 "教职工来源", "签订合同情况", "用人形式", "信息技术应用能力", "人员状态", "岗位类别", "年度考核结果",
                 "教师资格种类", "学习方式", "荣誉级别", "是否参加基层服务项目", "国籍/地区", "是否"):
        assert name in TABLES
    assert len(table("民族").codes) == 58
    assert table("政治面貌").exclusive == {"12", "13"}


# ------------------------------------------------------------------------------ the basic set
def test_keys_are_stable_ascii_and_unique():
    keys = [f.key for f in all_basic_fields()]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys)
    for f in all_basic_fields():
        assert f.kind in KINDS
        assert (f.kind == CODE) == bool(f.table) and (not f.table or f.choices)


def test_base_template_matches_the_sample_headers():
    assert template_headers("21") == sample_header("school_2146000001_basic_info.xlsx")
    assert template_headers("34") == sample_header("school_3446000001_basic_info.xlsx")
    assert sample_header("province_basic_info.xlsx") == ["学校标识码*", *template_headers("31")]


def test_kindergarten_variant():
    headers = template_headers("11")
    assert "进本园年月*" in headers and "进本校年月*" not in headers
    assert "是否全日制学前教育专业毕业" in headers and "是否受过学前教育专业培养培训" in headers
    assert not any("特教" in h or "特殊教育" in h for h in headers)
    assert field_by_key("joined_school_month", "11").label == "进本园年月"
    # every column of the kindergarten sample is known to the set
    assert all(field_by_label(h) for h in sample_header("school_1146000001_basic_info.xlsx"))


def test_vocational_variant():
    keys = {f.key for f in basic_fields("36")}
    assert {"dual_qualified", "vocational_skill_certificate", "enterprise_work_years"} <= keys
    assert not keys & {"normal_major_graduate", "special_ed_trained", "free_normal_student", "grassroots_programme",
                       "backbone_teacher", "mental_health_teacher"}
    assert field_by_key("health", "36").required and not field_by_key("health", "21").required


def test_special_education_variant():
    f = {f.key: f for f in basic_fields("51")}
    assert f["special_ed_start_month"].required and f["special_ed_major_graduate"].required
    assert f["native_place"].required and f["health"].required
    assert f["special_ed_start_month"].header == "从事特教起始年月*"


def test_school_groups():
    assert [school_group(t) for t in ("11", "21", "31", "34", "36", "41", "51", None, "2146000001")] == [
        "kindergarten", "k12", "k12", "k12", "vocational", "higher", "special", "k12", "k12"]


def test_field_attributes_for_forms():
    f = field_by_label("政治面貌*")
    assert f.key == "political_status" and f.label == "政治面貌" and f.header == "政治面貌*"
    assert "民盟盟员" in f.choices and ("05", "民盟盟员") in f.code_choices
    assert not f.required and f.starred and f.is_required({"nationality": "156"})
    assert not f.is_required({"nationality": "840"})
    form = field_by_key("employment_form")
    assert form.header == "用人形式*" and form.is_required({"on_payroll": "0"})
    assert form.is_cleared({"on_payroll": "1"}) and not form.is_required({"on_payroll": "1"})
    start = field_by_key("grassroots_start")
    assert start.header == "参加基层服务项目起始年月"
    assert start.is_required({"grassroots_programme": "2"}) and not start.is_required({"grassroots_programme": "0"})
    assert [f.key for f in all_basic_fields() if f.school_only] == ["staff_number"]
    assert {f.key for f in all_basic_fields() if f.identity} == {"name", "gender", "id_type", "id_number", "birth_date"}


@pytest.mark.parametrize("label,key", [
    ("身份证件号*", "id_number"), ("身份证号码", "id_number"), (" 身份证件号 ", "id_number"),
    ("进本园年月*", "joined_school_month"), ("是否属于免费(公费)师范生*", "free_normal_student"),
    ('是否"双师型"教师', "dual_qualified"), ("国籍", "nationality"),
])
def test_field_by_label(label, key):
    assert field_by_label(label).key == key


def test_field_by_label_respects_the_school_type():
    assert field_by_label("是否“双师型”教师", "21") is None
    assert field_by_label("是否“双师型”教师", "36").key == "dual_qualified"
    assert field_by_label("进本校年月", "11").label == "进本园年月"
