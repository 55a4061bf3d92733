"""Every information set declared per school type, complete code tables, and the rules between
fields and rows (records/sets.py, records/code_tables*.py, records/rules.py)."""
import datetime as dt
import re

import pytest

from records.code_tables import TABLES, table
from records.indicators import (CODE, KINDS, MULTI, SETS, GROUP_TYPES, required_sets, set_by_key, sets_for)
from records.rules import rule_keys
from records.validation import check_set_rows, validate_set_row

TODAY = dt.date(2026, 12, 3)

NATIONAL_ORDER = ["基本信息", "学习经历", "工作经历", "岗位聘任", "专业技术职务聘任", "基本待遇", "年度考核", "教师资格",
                  "师德信息", "教育教学", "教学科研成果及获奖", "入选人才项目", "国内培训", "海外研修（访学）", "技能及证书",
                  "交流轮岗", "联系方式", "学时学分"]


def families(school_type):
    out = []
    for s in sets_for(school_type):
        name = s.family or s.label
        if name not in out:
            out.append(name)
    return out


# ------------------------------------------------------------------------------ the sets per school type
def test_k12_has_every_set_in_the_national_order():
    assert families("21") == NATIONAL_ORDER


@pytest.mark.parametrize("school_type,missing", [
    ("11", {"教育教学", "交流轮岗"}), ("36", {"交流轮岗", "联系方式"}), ("51", {"交流轮岗", "联系方式"}),
    ("41", {"交流轮岗", "联系方式"}),
])
def test_sets_of_other_school_types(school_type, missing):
    got = families(school_type)
    assert set(NATIONAL_ORDER) - set(got) == missing
    assert got == [f for f in NATIONAL_ORDER if f in got]   # same order


def test_required_sets_are_basic_and_study_everywhere():
    for st in GROUP_TYPES.values():
        assert [s.key for s in required_sets(st)] == ["basic", "study"]


def test_school_only_sets():
    school_only = {s.family or s.label for s in SETS.values() if s.school_only}
    assert school_only == {"年度考核", "基本待遇", "师德信息", "专业技术职务聘任"}


def test_declarations_are_well_formed():
    for s in SETS.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", s.key)
        for f in s.fields:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", f.key), (s.key, f.key)
            assert f.kind in KINDS
            assert (f.kind in (CODE, MULTI)) == bool(f.table)
            for name in (f.table, *dict(f.tables).values()):
                assert name is None or name in TABLES
        for st in GROUP_TYPES.values():
            r = set_by_key(s.key, st)
            if r is None:
                continue
            labels = [f.label for f in r.fields]
            assert len(labels) == len(set(labels)), (s.key, st)   # headers of one sheet never collide
            for rule in (*r.rules, *r.set_rules):
                assert rule_keys(rule) <= {f.key for f in s.fields}, (s.key, rule)


@pytest.mark.parametrize("set_key,school_type,present,absent", [
    ("pay", "21", {"rural_allowance", "other_allowance"}, {"allowance", "special_allowance"}),
    ("pay", "36", {"allowance"}, {"rural_allowance", "special_allowance", "other_allowance"}),
    ("pay", "11", {"allowance"}, {"rural_allowance", "special_allowance"}),
    ("pay", "51", {"special_allowance", "other_allowance"}, {"rural_allowance", "allowance"}),
    ("teaching", "21", {"school_year", "stages", "courses", "status"}, {"voc_course_type", "supervisor", "year"}),
    ("teaching", "36", {"voc_course_type", "voc_subject"}, {"stages", "courses"}),
    ("teaching", "51", {"stages", "special_other_work"}, {"voc_subject"}),
    ("teaching", "41", {"year", "supervisor", "undergraduate", "course_hours"}, {"school_year", "stages", "status"}),
])
def test_school_type_variants(set_key, school_type, present, absent):
    keys = {f.key for f in set_by_key(set_key, school_type).fields}
    assert present <= keys and not (absent & keys)


def test_variant_tables_and_labels():
    assert set_by_key("post", "11").field("school_duty").label == "园级职务"
    assert set_by_key("post", "11").field("school_duty").table == "园级职务"
    assert set_by_key("post", "21").field("school_duty").table == "校级职务"
    assert set_by_key("title", "36").field("title").table == "专业技术职务（中职）"
    assert set_by_key("title", "41").field("title").table == "专业技术职务（高校）"
    assert set_by_key("teaching", "41").field("term").table == "学期（高校）"
    assert set_by_key("teaching", "51").field("courses").table == "特教任教课程"


# ------------------------------------------------------------------------------ code tables
DOMAIN_TABLES = {
    "性别": "1 男, 2 女",
    "政治面貌": "01 中共党员, 02 中共预备党员, 03 共青团员, 04 民革党员, 05 民盟盟员, 06 民建会员, 07 民进会员, "
                "08 农工党党员, 09 致公党党员, 10 九三学社社员, 11 台盟盟员, 12 无党派民主人士, 13 群众",
    "身份证件类型": "1 居民身份证, 2 军官证, 3 士兵证, 4 文职干部证, 5 部队离退休证, 6 香港特区护照/身份证明, "
                  "7 澳门特区护照/身份证明, 8 台湾居民来往大陆通行证, 9 境外永久居住证, A 护照, B 户口簿, Z 其他",
    "婚姻状况": "10 未婚, 20 已婚, 21 初婚, 22 再婚, 23 复婚, 30 丧偶, 40 离婚, 90 未说明",
    "健康状况": "1 健康或良好, 2 一般或较弱, 3 有慢性病, 6 残疾",
    "学历": "11 博士研究生毕业, 14 硕士研究生毕业, 21 大学本科毕业, 31 大学专科毕业, 41 中等专科毕业, 61 普通高中毕业",
    "学位层次": "2 博士, 3 硕士, 4 学士, 0 无",
    "教职工类别": "11 专任教师, 12 教辅人员, 13 行政人员, 14 工勤人员, 30 校办企业职工, 40 其他附设机构人员, 55 代课教师, "
                "56 兼任教师",
    "教职工来源": "11 录用应届毕业生, 31 调入（系统内）, 32 调入（系统外）, 40 回国定居, 99 其他",
    "签订合同情况": "0 未签合同, 1 聘用合同, 2 劳动合同, 3 其他合同",
    "人员状态": "100 在本单位任职, 201 借出到机关, 202 借出到事业单位, 203 长病假, 204 进修, 205 交流轮岗, 206 企业实践, "
                "207 因公出国, 208 离岗创业, 209 待退休, 210 待岗, 211 下落不明, 299 其他",
    "岗位类别": "1 教师岗位, 2 其他专业技术岗位, 3 管理岗位, 4 工勤技能岗位, 998 未评(试用期), 999 未评(其他)",
    "教师资格种类": "1 幼儿园, 2 小学, 3 初级中学, 4 高级中学, 5 中等职业学校, 6 中职实习指导, 7 高等学校, 0 无",
    "学习方式": "1 全脱产, 2 半脱产, 3 不脱产",
    "荣誉级别": "1 国家级, 2 省级, 3 地市级, 4 县级, 5 校级, 8 国际, 0 无",
}
DOMAIN_NAMES = {
    "用人形式": "人事代理, 劳务派遣, 其他",
    "信息技术应用能力": "精通, 熟练, 良好, 一般, 较弱",
    "专业技术职务（中小学）": "正高级教师, 高级教师, 一级教师, 二级教师, 三级教师, 未定级",
    "年度考核结果": "优秀, 合格, 基本合格, 不合格, 不确定考核结果, 未参加考核",
    "是否参加基层服务项目": "否, 特岗计划（中央）, 特岗计划（地方）, 三支一扶, 西部计划, 大学生村官",
    "任课状况": "任课, 未任课, 其他",
}


@pytest.mark.parametrize("name", DOMAIN_TABLES)
def test_domain_code_tables_are_complete(name):
    t = table(name)
    for pair in DOMAIN_TABLES[name].split(", "):
        code, label = pair.split(" ", 1)
        assert t.lookup(label) == code, (name, pair)
        assert code in t


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_domain_name_tables_are_complete(name):
    t = table(name)
    assert all(t.lookup(n) for n in DOMAIN_NAMES[name].split(", "))


def test_ethnicity_and_post_levels_are_complete():
    assert len(table("民族").codes) == 58
    levels = table("岗位等级")
    assert [levels.lookup(f"专技{i}级") for i in (1, 13)] == ["101", "113"]
    assert levels.lookup("管理十级") == "210" and levels.lookup("工勤五级") == "305" and levels.lookup("普通工") == "306"
    assert len(levels.codes) == 13 + 10 + 6 + 2


def test_every_table_a_field_names_is_well_formed():
    used = {t for s in SETS.values() for f in s.fields for t in (f.table, *dict(f.tables).values()) if t}
    for name in used:
        t = TABLES[name]
        assert t.codes, name
        assert len({c.code for c in t.codes}) == len(t.codes), name
        assert len(set(t.names)) == len(t.names), name
        for c in t.codes:
            assert t.lookup(c.name) == c.code and t.lookup(c.code) == c.code, (name, c)
    for name in ("五险一金", "校级职务", "任教学段", "兼任工作"):
        assert TABLES[name].exclusive, name


# ------------------------------------------------------------------------------ row rules
def check(set_key, school_type="21", **values):
    return validate_set_row(set_by_key(set_key, school_type), values, school_name="本校", today=TODAY)


def problem_keys(problems):
    return [p.key for p in problems]


@pytest.mark.parametrize("set_key,first,then,a,b,ok", [
    ("study", "enrol_month", "graduate_month", "2006-09", "2010-07", True),
    ("study", "enrol_month", "graduate_month", "2010-07", "2010-07", False),   # strictly later
    ("work", "start", "end", "2010-09", "2010-09", True),                      # not earlier: same month is fine
    ("work", "start", "end", "2010-09", "2010-08", False),
    ("title", "start", "end", "2015-01", "2014-12", False),
    ("rotation", "start", "end", "2024-09", "2025-07", True),
    ("rotation", "start", "end", "2024-09", "2024-08", False),
    ("overseas", "start", "end", "2019-01-01", "2019-01-01", False),
    ("ethics_sanction", "date", "revoked_date", "2020-01-01", "2019-01-01", False),
])
def test_date_order_rules(set_key, first, then, a, b, ok):
    base = {
        "study": dict(education="21", education_institution="海师", major="中文", normal_major="1", degree_level="0",
                      study_mode="1"),
        "work": dict(unit="某校"),
        "title": dict(title="3", unit="某校"),
        "rotation": dict(rotation_type="11", transfer="0", host_unit="乡村小学"),
        "overseas": dict(has_experience="1", country="840", institution="某大学"),
        "ethics_sanction": dict(kind="11", reason="违规"),
    }[set_key]
    clean, problems = check(set_key, **base, **{first: a, then: b})
    assert (problems == []) == ok, problems
    if not ok:
        assert problem_keys(problems) == [then]
        assert a in problems[0].message and b in problems[0].message


def test_months_lie_between_1900_and_a_planned_end_ten_years_on():
    base = dict(education="21", education_institution="海师", major="中文", normal_major="1", degree_level="0",
                study_mode="1")
    _, [p] = check("study", **base, enrol_month="1800-01", graduate_month="2010-07")
    assert p.key == "enrol_month" and "早于 1900 年" in p.message
    _, [p] = check("study", **base, enrol_month="2006-09", graduate_month="2099-07")   # still studying: a plan
    assert p.key == "graduate_month" and "晚于 2036 年" in p.message
    clean, problems = check("study", **base, enrol_month="2025-09", graduate_month="2029-07")
    assert problems == [] and clean["graduate_month"] == "2029-07"
    _, [p] = check("study", **base, enrol_month="2027-09", graduate_month="2029-07")   # a start is not planned
    assert p.key == "enrol_month" and "晚于本月" in p.message


def test_latest_work_row_may_stay_open():
    work = set_by_key("work", "21")
    rows = [(2, {"unit": "甲", "start": "2005-09", "end": "2012-08"}), (3, {"unit": "乙", "start": "2012-09"})]
    assert check_set_rows(work, rows) == []
    # an older row without an end is refused, naming the later start
    rows = [(2, {"unit": "甲", "start": "2005-09"}), (3, {"unit": "乙", "start": "2012-09"})]
    [(ref, key, message)] = check_set_rows(work, rows)
    assert (ref, key) == (2, "end") and "2012-09" in message and "至今" in message
    # two open rows starting together: the second is refused
    rows = [(2, {"unit": "甲", "start": "2012-09"}), (3, {"unit": "乙", "start": "2012-09"})]
    assert [r for r, _, _ in check_set_rows(work, rows)] == [3]


def test_one_row_per_year_and_per_term():
    pay = set_by_key("assessment", "21")
    rows = [(2, {"year": "2023", "result": "1"}), (3, {"year": "2024", "result": "2"}), (4, {"year": "2023", "result": "2"})]
    [(ref, key, message)] = check_set_rows(pay, rows)
    assert ref == 4 and key == "year" and "2023" in message
    teaching = set_by_key("teaching", "21")
    rows = [(2, {"school_year": "2024-2025", "term": "1"}), (3, {"school_year": "2024-2025", "term": "2"})]
    assert check_set_rows(teaching, rows) == []
    assert len(check_set_rows(teaching, rows + [(4, {"school_year": "2024-2025", "term": "1"})])) == 1


def test_single_row_set():
    contact = set_by_key("contact", "21")
    assert [r for r, _, _ in check_set_rows(contact, [(2, {"mobile": "13800138000"}), (3, {})])] == [3]


def test_clearing_and_conditional_requirements():
    clean, problems = check("study", education="无", education_institution="某校", enrol_month="2001-09",
                            degree_level="无", degree="文学学士", study_mode="全脱产")
    assert problems == [] and clean == {"education": "0", "degree_level": "0", "study_mode": "1"}
    _, problems = check("study", education="大学本科毕业", degree_level="学士", study_mode="全脱产")
    assert problem_keys(problems) == ["education_institution", "major", "normal_major", "degree", "degree_country",
                                      "degree_institution"]
    assert "获得学历为“大学本科毕业”时" in problems[0].message


def test_linked_codes():
    _, [p] = check("study", education="无", degree_level="硕士", degree="文学学士", degree_country="中国",
                   degree_institution="某大学", study_mode="全脱产")
    assert p.key == "degree" and "文学硕士学位" in p.message and "学士" not in p.message.split("可填：")[1]
    _, [p] = check("post", post_category="管理岗位", post_level="专技十级", start="2020-01", school_duty="无")
    assert p.key == "post_level" and "管理十级" in p.message and "未评(试用期)" in p.message
    _, problems = check("post", post_category="教师岗位", post_level="未评(试用期)", start="2020-01", school_duty="无")
    assert problems == []
    _, [p] = check("post", post_category="教师岗位", post_level="专技十级", start="2020-01", concurrent="是",
                   concurrent_category="教师岗位", concurrent_level="专技十级", school_duty="无")
    assert p.key == "concurrent_category" and "须不同" in p.message


def test_multi_valued_fields():
    clean, problems = check("pay", year="2025", annual_income="80000", base_pay="3000.5", performance_pay="2,000",
                            rural_allowance=0, other_allowance=0, other=0, insurance="住房公积金；养老保险,医疗保险")
    assert problems == [] and clean["insurance"] == "1,2,6" and clean["base_pay"] == "3000.50"
    _, [p] = check("pay", year="2025", annual_income="1", base_pay="1", performance_pay="1", rural_allowance=0,
                   other_allowance=0, other=0, insurance="无、养老保险")
    assert p.key == "insurance" and "“无”不能与其他值同时选择" in p.message
    _, [p] = check("pay", year="2025", annual_income="1", base_pay="1", performance_pay="1", rural_allowance=0,
                   other_allowance=0, other=0, insurance="养老保险、火星保险")
    assert "火星保险" in p.message and "可填" in p.message


def test_pay_year_defaults_to_last_year_and_refuses_this_year():
    pay = dict(annual_income="1", base_pay="1", performance_pay="1", rural_allowance=0, other_allowance=0, other=0,
               insurance="无")
    clean, problems = check("pay", **pay)
    assert problems == [] and clean["year"] == "2025"
    _, [p] = check("pay", year="2026", **pay)
    assert p.key == "year" and "2025" in p.message
    _, [p] = check("pay", year="2025", **{**pay, "base_pay": "12.345"})
    assert p.key == "base_pay" and "两位小数" in p.message


def test_assessment_unit_defaults_to_the_school():
    clean, problems = check("assessment", year="2025", result="优秀")
    assert problems == [] and clean["unit"] == "本校"


def test_teaching_rules():
    _, problems = check("teaching", school_year="2024-2025", term="第一学期", stages="无", status="任课",
                        weekly_hours="12", extra_duty="无")
    assert problem_keys(problems) == ["status"] and "未任课" in problems[0].message
    _, problems = check("teaching", school_year="2024—2025学年", term="第一学期", stages="小学", status="任课",
                        extra_duty="班主任")
    assert problem_keys(problems) == ["courses", "weekly_hours"]
    _, [p] = check("teaching", school_year="2024-2026", term="1", stages="小学", status="未任课", extra_duty="无")
    assert p.key == "school_year"
    _, [p] = check("teaching", school_year="2024-2025", term="1", stages="小学", status="未任课", extra_duty="其他")
    assert p.key == "extra_duty_name"


def test_overseas_refuses_china_and_contact_formats():
    _, [p] = check("overseas", has_experience="是", start="2019-01-01", country="中国", institution="某大学")
    assert p.key == "country" and "境外" in p.message
    clean, problems = check("overseas", has_experience="否", start="2019-01-01", country="中国")
    assert problems == [] and clean == {"has_experience": "0"}
    clean, problems = check("contact", mobile="138 0013 8000", email="ＬＩＮ@example.com", phone="0898-66668888")
    assert problems == [] and clean["mobile"] == "13800138000" and clean["email"] == "LIN@example.com"
    _, problems = check("contact", mobile="1380013800", email="lin.example.com")
    assert problem_keys(problems) == ["mobile", "email"] and "11 位" in problems[0].message


def test_skill_certificates():
    _, problems = check("skill", language="英语", mastery="熟练", cert_type="语言证书")
    assert problem_keys(problems) == ["language_cert"]
    _, problems = check("skill", language="英语", mastery="熟练", cert_type="语言证书", language_cert="其他")
    assert problem_keys(problems) == ["cert_name"]
    clean, problems = check("skill", language="无", cert_type="无", cert_name="x", issued="2020-01")
    assert problems == [] and clean == {"language": "00", "cert_type": "0"}


def test_not_in_the_future():
    _, [p] = check("training", year="2027", training_type="国家级培训", name="国培", way="集中面授", hours="24")
    assert p.key == "year" and "晚于今年" in p.message
    _, [p] = check("work", unit="某校", start="2027-01")
    assert p.key == "start" and "晚于本月" in p.message
