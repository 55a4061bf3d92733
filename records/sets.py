"""The repeatable information sets, declared as data, in the national order (基本信息 is in
`records/indicators.py`, which registers these after it).

Sources: INDICATOR_SETS.md (fields, required marks, code tables, dependencies, school-type
variants). Per-set import sheets put 姓名, 身份证件类型 and 身份证件号 first, then the fields below.

Decisions (not from a source), so they are written down:
- 师德信息 is three sub-sets (考核, 荣誉, 处分), as its three groups of fields have their own
  required marks; 教学科研成果及获奖 is ten sub-sets, one per kind of achievement. Both keep the
  family name as their heading.
- Where a field is "open only when" another holds, it is cleared otherwise; the few fields the
  national forms leave optional but without which a row says nothing are required when their
  trigger holds (荣誉称号 when 荣誉级别 ≠ 无; 兼任岗位类别/等级 when 兼任 = 是; 开始日期, 国家, 机构 of
  an overseas stay; 任职单位名称 and 任职开始年月 of a work-history row).
- 基本待遇 and 年度考核 are one row per year; 教育教学 one row per term; 联系方式 one row.
- 海外研修's 国家(地区) refuses only 中国 (156): 港澳台 count as 境外 for this set.
- 学时学分 is our own set: fed by reviewed 国内培训 rows and platform imports; a teacher may enter it.
- 高校 gets the sets that do not depend on the school type, plus its own 教育教学 variant;
  交流轮岗 is for 中小学 only and 联系方式 for 中小学 and 幼儿园, as INDICATOR_SETS.md says.
"""
from __future__ import annotations

from .code_tables import CHINA
from .fields import (CODE, DATE, HIGHER, INTEGER, K12, KINDERGARTEN, LAST_YEAR, MONEY, MONTH, MULTI, NUMBER,
                     SCHOOL, SCHOOL_YEAR, SPECIAL, VOCATIONAL, YEAR, all_of, any_of, differs, equals, field,
                     indicator_set)
from .rules import Differs, Forces, Linked, NotCode, NotLess, OpenEndLatest, PastYear, later, order, unique_by

_YN = "是否"


def _none(key, code="0"):
    """(cleared when `key` is 无, required when it is something else)."""
    return equals(key, code), differs(key, code)


# ------------------------------------------------------------------------- linkage tables
def _post_levels(category: str):
    """岗位等级 allowed for a 岗位类别: 1/2 → 专技, 3 → 管理, 4 → 工勤; 未评 with every category."""
    prefix = {"1": "1", "2": "1", "3": "2", "4": "3"}.get(category)
    from .code_tables import table
    codes = {c.code for c in table("岗位等级").codes}
    if prefix is None:
        return frozenset({category}) & codes or None   # 998/999 as a category: only itself
    return frozenset(c for c in codes if c[0] == prefix and len(c) == 3 and c < "900") | {"998", "999"}


def _degrees(level: str):
    from .code_tables import table
    return frozenset(c.code for c in table("学位名称").codes if c.code[0] == level) or None


# ------------------------------------------------------------------------------ 学习经历
_NO_EDU, _EDU = _none("education")
_NO_DEGREE, _DEGREE = _none("degree_level")
STUDY = indicator_set("study", "学习经历", (
    field("education", "获得学历", CODE, "学历", required=True, help="从高中阶段起填写；“无”时不填院校等六项"),
    field("education_country", "获得学历的国家(地区)", CODE, "国籍/地区", default=CHINA, cleared_when=_NO_EDU,
          aliases=("获得学历的国家（地区）", "获得学历的国家")),
    field("education_institution", "获得学历的院校或机构", required_when=_EDU, cleared_when=_NO_EDU, max_length=100,
          star=True),
    field("major", "所学专业", required_when=_EDU, cleared_when=_NO_EDU, max_length=100, star=True,
          help="高中阶段填“无”"),
    field("normal_major", "是否师范类专业", CODE, _YN, required_when=_EDU, cleared_when=_NO_EDU, star=True),
    field("enrol_month", "入学年月", MONTH, cleared_when=_NO_EDU, not_future=True),
    field("graduate_month", "毕业年月", MONTH, cleared_when=_NO_EDU, help="须晚于入学年月"),
    field("degree_level", "学位层次", CODE, "学位层次", required=True),
    field("degree", "学位名称", CODE, "学位名称", required_when=_DEGREE, cleared_when=_NO_DEGREE, star=True,
          help="须与学位层次对应"),
    field("degree_country", "获得学位的国家(地区)", CODE, "国籍/地区", required_when=_DEGREE, cleared_when=_NO_DEGREE,
          default=CHINA, star=True, aliases=("获得学位的国家（地区）", "获得学位的国家")),
    field("degree_institution", "获得学位的院校或机构", required_when=_DEGREE, cleared_when=_NO_DEGREE, max_length=100,
          star=True),
    field("degree_month", "学位授予年月", MONTH, cleared_when=_NO_DEGREE, not_future=True),
    field("study_mode", "学习方式", CODE, "学习方式", required=True),
    field("study_org", "在学单位类别", CODE, "在学单位类别"),
), required=True, rules=(later("enrol_month", "graduate_month"), Linked("degree", "degree_level", _degrees)),
    sort=("graduate_month", "enrol_month"),
    note="基本信息's 最高学历/最高学位 are derived from this set.")

# ------------------------------------------------------------------------------ 工作经历
WORK = indicator_set("work", "工作经历", (
    field("unit", "任职单位名称", required=True, max_length=100),
    field("start", "任职开始年月", MONTH, required=True, not_future=True),
    field("end", "任职结束年月", MONTH, not_future=True, help="最近一段可不填，表示“至今”"),
    field("unit_nature", "单位性质类别", CODE, "单位性质类别"),
    field("post", "任职岗位", max_length=50),
), rules=(order("start", "end"),), set_rules=(OpenEndLatest("start", "end"),), sort=("start",))

# ------------------------------------------------------------------------------ 岗位聘任
_NO_CONCURRENT, _CONCURRENT = equals("concurrent", "0"), equals("concurrent", "1")
POST = indicator_set("post", "岗位聘任", (
    field("post_category", "岗位类别", CODE, "岗位类别", required=True),
    field("post_level", "岗位等级", CODE, "岗位等级", required=True, help="须与岗位类别对应"),
    field("start", "聘任开始年月", MONTH, required=True, not_future=True),
    field("concurrent", "是否兼任其他岗位", CODE, _YN, default="0"),
    field("concurrent_category", "兼任岗位类别", CODE, "岗位类别", required_when=_CONCURRENT,
          cleared_when=_NO_CONCURRENT, help="兼任时必填，须与岗位类别不同"),
    field("concurrent_level", "兼任岗位等级", CODE, "岗位等级", required_when=_CONCURRENT, cleared_when=_NO_CONCURRENT),
    field("school_duty", "校级职务", MULTI, "校级职务", required=True, default="00",
          labels={KINDERGARTEN: "园级职务"}, tables={KINDERGARTEN: "园级职务"}, aliases=("园级职务",),
          help="可多选，用“、”分隔；“无”不能与其他值同时选择"),
    field("duty_start", "任职开始年月", MONTH, cleared_when=equals("school_duty", "00"), not_future=True),
), rules=(Linked("post_level", "post_category", _post_levels), Linked("concurrent_level", "concurrent_category",
                                                                     _post_levels),
          Differs("post_category", "concurrent_category")),
    sort=("start",), note="Entered from the current post backwards.")

# ------------------------------------------------------------------------------ 专业技术职务聘任
_NO_TITLE, _TITLE = _none("title")
TITLE = indicator_set("title", "专业技术职务聘任", (
    field("title", "聘任专业技术职务", CODE, "专业技术职务（中小学）", required=True,
          tables={VOCATIONAL: "专业技术职务（中职）", HIGHER: "专业技术职务（高校）"}),
    field("start", "聘任开始年月", MONTH, required_when=_TITLE, cleared_when=_NO_TITLE, not_future=True, star=True),
    field("end", "聘任结束年月", MONTH, cleared_when=_NO_TITLE),
    field("unit", "聘任单位名称", max_length=100, cleared_when=_NO_TITLE),
), school_only=True, rules=(order("start", "end"),), sort=("start",))

# ------------------------------------------------------------------------------ 基本待遇
_MONTHLY = dict(required=True, help="元/月，最多两位小数")
PAY = indicator_set("pay", "基本待遇", (
    field("year", "年度", YEAR, fill=LAST_YEAR, star=True, help="不填即上一年度；当年的情况次年填报"),
    field("annual_income", "年工资收入(元)", MONEY, required=True, aliases=("年工资收入",)),
    field("base_pay", "基本工资(元/月)", MONEY, **_MONTHLY, aliases=("基本工资",)),
    field("performance_pay", "绩效工资(元/月)", MONEY, **_MONTHLY, aliases=("绩效工资",)),
    field("rural_allowance", "乡村教师生活补助(元/月)", MONEY, **_MONTHLY, only=(K12,), aliases=("乡村教师生活补助",)),
    field("allowance", "津贴补贴(元/月)", MONEY, **_MONTHLY, only=(KINDERGARTEN, VOCATIONAL, HIGHER),
          aliases=("津贴补贴",)),
    field("special_allowance", "特教津贴补贴(元/月)", MONEY, **_MONTHLY, only=(SPECIAL,), aliases=("特教津贴补贴",)),
    field("other_allowance", "其他津贴补贴(元/月)", MONEY, **_MONTHLY, only=(K12, SPECIAL), aliases=("其他津贴补贴",)),
    field("other", "其他(元/月)", MONEY, **_MONTHLY, aliases=("其他",)),
    field("insurance", "五险一金", MULTI, "五险一金", required=True, help="可多选，用“、”分隔；“无”不能与其他值同时选择"),
), school_only=True, rules=(PastYear("year"),), set_rules=(unique_by("year"),), sort=("year",))

# ------------------------------------------------------------------------------ 年度考核
ASSESSMENT = indicator_set("assessment", "年度考核", (
    field("year", "考核年度", YEAR, required=True, not_future=True),
    field("result", "考核结果", CODE, "年度考核结果", required=True),
    field("unit", "考核单位名称", max_length=100, fill=SCHOOL, help="不填即本校"),
), school_only=True, set_rules=(unique_by("year"),), sort=("year",))

# ------------------------------------------------------------------------------ 教师资格
_NO_QUAL = equals("kind", "0")
QUALIFICATION = indicator_set("qualification", "教师资格", (
    field("kind", "教师资格证种类", CODE, "教师资格种类", required=True, default="0", aliases=("教师资格种类",)),
    field("number", "教师资格证号码", max_length=30, cleared_when=_NO_QUAL, compact=True),
    field("subject", "任教学科", CODE, "任教学科", cleared_when=_NO_QUAL),
    field("issue_date", "证书颁发日期", DATE, cleared_when=_NO_QUAL, not_future=True),
    field("issuer", "颁发机构", max_length=100, cleared_when=_NO_QUAL),
), sort=("issue_date",), note="注册 dates and conclusions are filled back by the registration business; not here.")

# ------------------------------------------------------------------------------ 师德信息
ETHICS_ASSESSMENT = indicator_set("ethics_assessment", "师德考核", (
    field("month", "师德考核时间", MONTH, required=True, not_future=True),
    field("result", "师德考核结论", CODE, "师德考核结论", required=True),
    field("unit", "师德考核单位名称", max_length=100),
), school_only=True, family="师德信息", set_rules=(unique_by("month"),), sort=("month",))

_NO_HONOUR, _HONOUR = _none("level")
ETHICS_HONOUR = indicator_set("ethics_honour", "荣誉", (
    field("level", "荣誉级别", CODE, "荣誉级别", required=True),
    field("title", "获得荣誉称号", max_length=100, required_when=_HONOUR, cleared_when=_NO_HONOUR, star=True),
    field("date", "荣誉发生日期", DATE, cleared_when=_NO_HONOUR, not_future=True),
    field("description", "荣誉记录描述", max_length=500, cleared_when=_NO_HONOUR),
    field("unit", "荣誉授予单位名称", max_length=100, cleared_when=_NO_HONOUR),
), school_only=True, family="师德信息", sort=("date",))

_NO_SANCTION, _SANCTION = _none("kind")
ETHICS_SANCTION = indicator_set("ethics_sanction", "处分", (
    field("kind", "处分类别", CODE, "处分类别", required=True, default="0"),
    field("reason", "处分原因", max_length=200, required_when=_SANCTION, cleared_when=_NO_SANCTION, star=True),
    field("date", "处分发生日期", DATE, required_when=_SANCTION, cleared_when=_NO_SANCTION, not_future=True, star=True),
    field("description", "处分记录描述", max_length=500, cleared_when=_NO_SANCTION),
    field("unit", "处分单位名称", max_length=100, cleared_when=_NO_SANCTION),
    field("revoked_date", "处分撤销日期", DATE, cleared_when=_NO_SANCTION, not_future=True),
    field("revoked_reason", "处分撤销原因", max_length=200, cleared_when=_NO_SANCTION),
), school_only=True, family="师德信息", rules=(order("date", "revoked_date"),), sort=("date",))

# ------------------------------------------------------------------------------ 教育教学
_TEACHING, _OTHER_STATUS = equals("status", "20"), equals("status", "99")
_NOT_HIGHER = (HIGHER,)
TEACHING = indicator_set("teaching", "教育教学", (
    field("school_year", "学年", SCHOOL_YEAR, required=True, excluded=_NOT_HIGHER, help="如 2024-2025"),
    field("year", "年度", YEAR, required=True, only=(HIGHER,), not_future=True),
    field("term", "学期", CODE, "学期", required=True, tables={HIGHER: "学期（高校）"}),
    field("stages", "任教学段", MULTI, "任教学段", required=True, only=(K12, SPECIAL),
          help="可多选；“无”时任课状况须为“未任课”"),
    field("voc_course_type", "任课课程类别", CODE, "任课课程类别", required=True, only=(VOCATIONAL,)),
    field("voc_subject", "任课学科类别", CODE, "任课学科类别", required=True, only=(VOCATIONAL,)),
    field("status", "任课状况", CODE, "任课状况", required=True, excluded=_NOT_HIGHER),
    field("status_note", "其他情况说明", max_length=200, required_when=_OTHER_STATUS,
          cleared_when=differs("status", "99"), excluded=_NOT_HIGHER, help="任课状况为“其他”时填写"),
    field("courses", "任教课程", MULTI, "任教学科", only=(K12, SPECIAL), tables={SPECIAL: "特教任教课程"},
          required_when=all_of(_TEACHING, equals("stages", "21", "31", "34")), cleared_when=equals("status", "10"),
          star=True, help="任课且学段为小学/初中/高中时必填，可多选"),
    field("weekly_hours", "平均每周课堂教学课时数", INTEGER, required_when=_TEACHING, excluded=_NOT_HIGHER, star=True),
    field("weekly_other_hours", "平均每周其他工作折合教学课时数", INTEGER, excluded=_NOT_HIGHER),
    field("extra_duty", "兼任工作", MULTI, "兼任工作", required=True, default="0", excluded=_NOT_HIGHER),
    field("extra_duty_name", "兼任其他工作名称", max_length=100, required_when=equals("extra_duty", "99"),
          cleared_when=differs("extra_duty", "99"), excluded=_NOT_HIGHER),
    field("special_other_work", "承担的其他工作", max_length=200, only=(SPECIAL,)),
    field("supervisor", "导师类别", CODE, "导师类别", required=True, only=(HIGHER,)),
    field("discipline", "现主要从事学科领域", max_length=100, only=(HIGHER,)),
    field("undergraduate", "是否为本科生上课", CODE, _YN, required=True, only=(HIGHER,)),
    field("course_hours", "课程教学课时数", INTEGER, only=(HIGHER,)),
    field("other_hours", "其他工作折合课时数", INTEGER, only=(HIGHER,)),
), excluded=(KINDERGARTEN,), rules=(Forces(equals("stages", "00"), "status", frozenset({"10"})),),
    set_rules=(unique_by("school_year", "term"), unique_by("year", "term")), sort=("school_year", "year", "term"))

# ------------------------------------------------------------------------------ 教学科研成果及获奖
_FAMILY = "教学科研成果及获奖"
_REPRESENTATIVE = field("representative", "是否代表性成果", CODE, _YN, default="0")
_ROLE = field("role", "本人角色", max_length=50)


def _achievement(key, label, fields, **kw):
    return indicator_set(key, label, (*fields, _REPRESENTATIVE), family=_FAMILY, **kw)


RESEARCH = (
    _achievement("research_project", "项目（课题）", (
        field("project_type", "项目类型", CODE, "项目类型", required=True),
        field("name", "项目名称", max_length=200),
        field("approval_number", "项目批准号", max_length=50),
        field("discipline", "学科领域", max_length=100),
        field("funding", "项目经费额度(万元)", MONEY, aliases=("项目经费额度",)),
        field("start", "开始年月", MONTH, not_future=True),
        field("end", "结束年月", MONTH),
        _ROLE,
        field("rank", "本人排名", INTEGER),
        field("client", "项目委托单位", max_length=100),
        field("source", "项目来源", max_length=100),
    ), rules=(order("start", "end"),), sort=("start",)),
    _achievement("research_book", "著作", (
        field("book_type", "著作类别", CODE, "著作类别", required=True),
        field("title", "著作名称", max_length=200),
        field("discipline", "学科领域", max_length=100),
        field("published", "出版日期", DATE, not_future=True),
        field("publisher", "出版社名称", max_length=100),
        field("isbn", "出版号", max_length=50, compact=True),
        _ROLE,
        field("total_words", "总字数(千字)", INTEGER, aliases=("总字数",)),
        field("own_words", "本人撰写字数(千字)", INTEGER, aliases=("本人撰写字数",)),
    ), rules=(NotLess("own_words", "total_words"),), sort=("published",)),
    _achievement("research_paper", "论文", (
        field("title", "论文名称", required=True, max_length=200),
        field("journal", "发表刊物名称", max_length=100),
        field("published", "发表年月", MONTH, not_future=True),
        field("volume", "卷号", max_length=20),
        field("issue", "期号", max_length=20),
        field("first_page", "起始页码", INTEGER),
        field("last_page", "结束页码", INTEGER),
        _ROLE,
        field("discipline", "学科领域", max_length=100),
        field("indexed", "论文收录情况", CODE, "论文收录情况"),
    ), rules=(NotLess("first_page", "last_page"),), sort=("published",)),
    _achievement("research_award", "奖励", (
        field("award_type", "奖励类别", CODE, "奖励类别", required=True),
        field("date", "获奖年月", MONTH, not_future=True),
        field("name", "奖励名称", max_length=200),
        field("grade", "奖励等级", CODE, "奖励等级"),
        field("grade_other", "其他等级", max_length=50, required_when=equals("grade", "9"),
              cleared_when=differs("grade", "9")),
        field("rank", "本人排名", INTEGER),
        field("country", "授奖国家(地区)", CODE, "国籍/地区", default=CHINA, aliases=("授奖国家（地区）",)),
        field("unit", "授奖单位", max_length=100),
    ), sort=("date",)),
    _achievement("research_artwork", "文艺作品", (
        field("work_type", "类别", CODE, "文艺作品类别", required=True, aliases=("作品类别",)),
        field("name", "名称", max_length=200, aliases=("作品名称",)),
        _ROLE,
        field("completed", "完成时间", MONTH, not_future=True),
        field("place", "完成地点", max_length=100),
        field("description", "本人工作描述", max_length=500),
    ), sort=("completed",)),
    _achievement("research_patent", "专利或软件著作权", (
        field("patent_type", "类型", CODE, "专利或软件著作权类型", required=True),
        field("name", "名称", max_length=200),
        field("discipline", "学科领域", max_length=100),
        field("approved", "批准日期", DATE, not_future=True),
        _ROLE,
        field("number", "专利号(登记号)", max_length=50, compact=True, aliases=("专利号", "登记号")),
    ), sort=("approved",)),
    _achievement("research_report", "报告", (
        field("title", "报告题目", required=True, max_length=200),
        _ROLE,
        field("date", "报告时间", MONTH, not_future=True),
        field("client", "委托方", max_length=100),
    ), sort=("date",)),
    _achievement("research_medicine", "国家医药证书", (
        field("name", "名称", required=True, max_length=200),
        field("number", "证书(批件)号", max_length=50, compact=True, aliases=("证书号", "批件号")),
        _ROLE,
        field("approved", "颁布或批准时间", DATE, not_future=True),
        field("valid_until", "有效期", DATE, help="有效期截止日期"),
    ), rules=(order("approved", "valid_until"),), sort=("approved",)),
    _achievement("research_standard", "国家/行业标准", (
        field("number", "标准号", required=True, max_length=50),
        _ROLE,
        field("published", "发布日期", DATE, not_future=True),
        field("publisher", "发布单位", max_length=100),
    ), sort=("published",)),
    _achievement("research_student_award", "指导学生获奖", (
        field("name", "奖励名称", required=True, max_length=200),
        _ROLE,
        field("grade", "奖项等级", CODE, "奖励等级"),
        field("date", "获奖年月", MONTH, not_future=True),
        field("description", "本人承担工作描述", max_length=500),
    ), sort=("date",)),
)

# ------------------------------------------------------------------------------ 入选人才项目 … 学时学分
TALENT = indicator_set("talent", "入选人才项目", (
    field("project", "入选人才项目名称", CODE, "入选人才项目", required=True),
    field("year", "入选年份", YEAR, cleared_when=equals("project", "00"), not_future=True),
), set_rules=(unique_by("project", "year"),), sort=("year",))

TRAINING = indicator_set("training", "国内培训", (
    field("year", "培训年度", YEAR, required=True, not_future=True),
    field("training_type", "培训类别", CODE, "培训类别", required=True),
    field("name", "培训项目名称", required=True, max_length=200),
    field("institution", "培训机构名称", max_length=100),
    field("way", "培训方式", CODE, "培训方式", required=True),
    field("hours", "培训获得学时", INTEGER, required=True, max_value=2000),
    field("credits", "培训获得学分", INTEGER),
), sort=("year",), note="Reviewed rows feed 学时学分.")

_NO_OVERSEAS, _OVERSEAS = equals("has_experience", "0"), equals("has_experience", "1")
OVERSEAS = indicator_set("overseas", "海外研修（访学）", (
    field("has_experience", "是否有海外研修（访学）经历", CODE, _YN, required=True,
          aliases=("是否有海外研修(访学)经历", "是否有海外研修经历")),
    field("start", "开始日期", DATE, required_when=_OVERSEAS, cleared_when=_NO_OVERSEAS, not_future=True, star=True),
    field("end", "结束日期", DATE, cleared_when=_NO_OVERSEAS, help="须晚于开始日期"),
    field("country", "国家(地区)", CODE, "国籍/地区", required_when=_OVERSEAS, cleared_when=_NO_OVERSEAS, star=True,
          aliases=("国家（地区）", "国家")),
    field("institution", "研修（访学）机构名称", max_length=100, required_when=_OVERSEAS, cleared_when=_NO_OVERSEAS,
          star=True, aliases=("研修(访学)机构名称", "研修机构名称")),
    field("project", "项目名称", max_length=200, cleared_when=_NO_OVERSEAS),
    field("organiser", "项目组织单位名称", max_length=100, cleared_when=_NO_OVERSEAS),
), rules=(later("start", "end"), NotCode("country", frozenset({CHINA}), "海外研修（访学）须在中国境外")),
    sort=("start",))

_NO_CERT = equals("cert_type", "0")
SKILL = indicator_set("skill", "技能及证书", (
    field("language", "语种", CODE, "语种", required=True),
    field("mastery", "掌握程度", CODE, "掌握程度", required_when=differs("language", "00"),
          cleared_when=equals("language", "00"), star=True),
    field("other_skill", "其他技能名称", max_length=100),
    field("other_mastery", "其他技能掌握程度", CODE, "掌握程度"),
    field("cert_type", "证书类型", CODE, "证书类型", default="1"),
    field("language_cert", "语言证书名称", CODE, "语言证书名称", required_when=equals("cert_type", "1"),
          cleared_when=differs("cert_type", "1")),
    field("cert_name", "证书名称", max_length=100, cleared_when=_NO_CERT,
          required_when=any_of(differs("cert_type", "1", "0"), equals("language_cert", "99")),
          help="证书类型不是语言证书、或语言证书名称为“其他”时必填"),
    field("issued", "发证年月", MONTH, cleared_when=_NO_CERT, not_future=True),
    field("issuer", "发证单位", max_length=100, cleared_when=_NO_CERT),
    field("cert_number", "证书编号", max_length=50, cleared_when=_NO_CERT, compact=True),
), sort=("issued",))

_NO_ROTATION, _ROTATION = _none("rotation_type", "00")
ROTATION = indicator_set("rotation", "交流轮岗", (
    field("rotation_type", "交流轮岗类型", CODE, "交流轮岗类型", required=True),
    field("transfer", "是否调动人事关系", CODE, _YN, required_when=_ROTATION, cleared_when=_NO_ROTATION, star=True),
    field("start", "开始年月", MONTH, required_when=_ROTATION, cleared_when=_NO_ROTATION, star=True),
    field("end", "结束年月", MONTH, cleared_when=_NO_ROTATION),
    field("home_unit", "原单位名称", max_length=100, required_when=_ROTATION, cleared_when=_NO_ROTATION, fill=SCHOOL,
          star=True, help="不填即本校"),
    field("host_unit", "交流轮岗单位名称", max_length=100, required_when=_ROTATION, cleared_when=_NO_ROTATION,
          star=True, help="须与原单位不同"),
), only=(K12,), rules=(order("start", "end"), Differs("home_unit", "host_unit")), sort=("start",))

CONTACT = indicator_set("contact", "联系方式", (
    field("address", "通讯地址", max_length=200),
    field("phone", "联系电话", max_length=20, compact=True, pattern=r"\d[\d-]{4,19}",
          pattern_hint="数字，区号与号码之间可用“-”，如 0898-66668888"),
    field("mobile", "手机", max_length=11, compact=True, pattern=r"1\d{10}", pattern_hint="以 1 开头的 11 位数字",
          aliases=("手机号码", "手机号")),
    field("email", "Email", max_length=100, compact=True, pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
          pattern_hint="电子邮箱地址，须含 @，如 name@example.com", aliases=("电子邮箱", "电子邮件", "E-mail", "邮箱")),
    field("other_contact", "其他联系方式", max_length=100),
), repeatable=False, only=(K12, KINDERGARTEN))

_EDU_UPGRADE, _PUBLICATION = equals("source", "3"), equals("source", "4")
CREDIT = indicator_set("credit", "学时学分", (
    field("year", "年度", YEAR, required=True, not_future=True),
    field("project", "项目名称", required=True, max_length=200),
    field("credit_kind", "申报类型", CODE, "申报类型", required=True),
    field("source", "学时来源", CODE, "学时来源", required=True),
    field("hours", "申请学时数", INTEGER, required=True, max_value=2000),
    field("credits", "学分", NUMBER),
    field("education", "学历", CODE, "学历", cleared_when=differs("source", "3"), help="学历提升时填写"),
    field("major", "专业", max_length=100, cleared_when=differs("source", "3")),
    field("graduated_from", "毕业院校", max_length=100, cleared_when=differs("source", "3"),
          required_when=_EDU_UPGRADE),
    field("papers", "篇数", INTEGER, cleared_when=differs("source", "4"), required_when=_PUBLICATION,
          help="论文著作时填写"),
    field("words", "字数(千字)", INTEGER, cleared_when=differs("source", "4"), aliases=("字数",)),
    field("publication", "出版源", max_length=100, cleared_when=differs("source", "4")),
    field("role", "角色", max_length=50, cleared_when=differs("source", "4")),
    field("level", "级别", CODE, "荣誉级别", cleared_when=differs("source", "4")),
    field("reason", "申请理由", max_length=500),
), sort=("year",), note="Our own set (no national template); approval fields belong to the credit flow.")

REPEATABLE_SETS = (
    STUDY, WORK, POST, TITLE, PAY, ASSESSMENT, QUALIFICATION, ETHICS_ASSESSMENT, ETHICS_HONOUR, ETHICS_SANCTION,
    TEACHING, *RESEARCH, TALENT, TRAINING, OVERSEAS, SKILL, ROTATION, CONTACT, CREDIT,
)
