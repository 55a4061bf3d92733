"""The indicator system's registry: the 基本信息 (basic information) set declared here, every
other set in `records/sets.py`, and the lookups everything else derives from.

One line per field in `_BASIC`, in the order of the national template. Forms, import
headers, validation, templates, exports and completeness checks are derived from the
declarations: adding a field is one line. The vocabulary (Field, kinds, variants, school-type
groups) is `records/fields.py`.

Decisions (not from a source):
- 教职工号 is the only school-only field of the basic set: the school assigns it. Everything else
  a teacher can know about themselves; the school reviews it anyway.
- 民族 and 政治面貌 are required only for 国籍/地区 = 中国 (156); for 港澳台 and foreign
  teachers they may be left empty (DOMAIN: not applicable).
- 用人形式 is required when 是否在编 = 否 and cleared when 是否在编 = 是; the service-programme
  months are required when 是否参加基层服务项目 ≠ 否 and cleared when it is 否 (the national
  forms disable and clear such fields).
- The kindergarten and vocational additions carry no `*` in DOMAIN.md and stay optional;
  企业工作(实践)时长 is a number of years (inferred).
"""
from __future__ import annotations

from functools import lru_cache

from .code_tables import CHINA, TABLES
from .fields import (CODE, CODED_KINDS, DATE, FORMAT_HINTS, GROUP_LABELS, GROUP_TYPES, GROUPS, HIGHER, ID_NUMBER,
                     INTEGER, KINDERGARTEN, KINDS, K12, LAST_YEAR, MONEY, MONTH, MULTI, MULTI_SEPARATOR, NAME, NUMBER, SCHOOL,
                     SCHOOL_YEAR, SPECIAL, TEXT, VOCATIONAL, YEAR, AllOf, Field, IndicatorSet, When, all_of,
                     codes_of, differs, equals, field, indicator_set, resolve_field, school_group)
from .normalize import match_key
from .sets import REPEATABLE_SETS

_YN = "是否"
_NOT_VOC = (VOCATIONAL, HIGHER)
_CHINESE = equals("nationality", CHINA)
_NOT_ON_PAYROLL, _ON_PAYROLL = equals("on_payroll", "0"), equals("on_payroll", "1")
_IN_PROGRAMME, _NO_PROGRAMME = differs("grassroots_programme", "0"), equals("grassroots_programme", "0")

# The basic set, in the order of the national 中小学 template; variants per field.
_BASIC: tuple[Field, ...] = (
    field("name", "姓名", NAME, required=True, max_length=50, identity=True, help="与身份证件上的姓名一致",
       aliases=("教师姓名",)),
    field("former_name", "曾用名", NAME, max_length=50),
    field("gender", "性别", CODE, "性别", required=True, identity=True, help="须与身份证号码第17位一致（奇数男、偶数女）"),
    field("staff_number", "教职工号", max_length=20, school_only=True, help="学校内部的教职工编号，由学校填写"),
    field("nationality", "国籍/地区", CODE, "国籍/地区", required=True, default=CHINA, aliases=("国籍", "国籍地区")),
    field("id_type", "身份证件类型", CODE, "身份证件类型", required=True, identity=True, default="1",
       aliases=("证件类型",)),
    field("id_number", "身份证件号", ID_NUMBER, required=True, max_length=30, identity=True,
       help="居民身份证为18位，末位可为X（大小写均可）；港澳台和外国证件按证件上的号码填写",
       sheet_help="请保持该列为文本格式（模板已设置），否则 Excel 会把号码变成科学计数法、末几位变成 0",
       aliases=("身份证件号码", "身份证号码", "身份证号", "证件号码", "证件号")),
    field("birth_date", "出生日期", DATE, required=True, identity=True, help="YYYY-MM-DD，须与身份证号码一致"),
    field("native_place", "籍贯", max_length=50, required_in=(SPECIAL,)),
    field("birthplace", "出生地", max_length=50),
    field("ethnicity", "民族", CODE, "民族", required_when=_CHINESE, star=True, help="国籍/地区为中国时必填"),
    field("political_status", "政治面貌", CODE, "政治面貌", required_when=_CHINESE, star=True, help="国籍/地区为中国时必填"),
    field("marital_status", "婚姻状况", CODE, "婚姻状况"),
    field("health", "健康状况", CODE, "健康状况", required_in=(VOCATIONAL, SPECIAL)),
    field("work_start_month", "参加工作年月", MONTH, required=True, help="YYYY-MM"),
    field("joined_school_month", "进本校年月", MONTH, required=True, labels={KINDERGARTEN: "进本园年月"},
       aliases=("进本校年月", "进本园年月", "进本单位年月"), help="YYYY-MM，不早于参加工作年月"),
    field("staff_source", "教职工来源", CODE, "教职工来源", required=True),
    field("staff_category", "教职工类别", CODE, "教职工类别", required=True),
    field("on_payroll", "是否在编", CODE, _YN, required=True),
    field("employment_form", "用人形式", CODE, "用人形式", required_when=_NOT_ON_PAYROLL, cleared_when=_ON_PAYROLL,
       star=True, help="是否在编为“否”时必填"),
    field("contract", "签订合同情况", CODE, "签订合同情况", required=True),
    field("normal_major_graduate", "是否全日制师范类专业毕业", CODE, _YN, required=True, excluded=_NOT_VOC),
    field("preschool_major_graduate", "是否全日制学前教育专业毕业", CODE, _YN, only=(KINDERGARTEN,)),
    field("preschool_trained", "是否受过学前教育专业培养培训", CODE, _YN, only=(KINDERGARTEN,)),
    field("special_ed_trained", "是否受过特教专业培养培训", CODE, _YN, required=True,
       excluded=(KINDERGARTEN, VOCATIONAL, HIGHER)),
    field("special_ed_certificate", "是否有特殊教育从业证书", CODE, _YN, required=True,
       excluded=(KINDERGARTEN, VOCATIONAL, HIGHER)),
    field("special_ed_major_graduate", "是否全日制特殊教育专业毕业", CODE, _YN, required=True, only=(SPECIAL,)),
    field("special_ed_start_month", "从事特教起始年月", MONTH, required=True, only=(SPECIAL,),
       help="YYYY-MM，不早于参加工作年月"),
    field("it_ability", "信息技术应用能力", CODE, "信息技术应用能力", required=True),
    field("free_normal_student", "是否属于免费（公费）师范生", CODE, _YN, required=True, excluded=_NOT_VOC,
       aliases=("是否属于免费师范生", "是否属于公费师范生")),
    field("grassroots_programme", "是否参加基层服务项目", CODE, "是否参加基层服务项目", required=True,
       excluded=_NOT_VOC),
    field("grassroots_start", "参加基层服务项目起始年月", MONTH, required_when=_IN_PROGRAMME,
       cleared_when=_NO_PROGRAMME, excluded=_NOT_VOC, help="参加了基层服务项目时必填，YYYY-MM"),
    field("grassroots_end", "参加基层服务项目结束年月", MONTH, required_when=_IN_PROGRAMME,
       cleared_when=_NO_PROGRAMME, excluded=_NOT_VOC, help="参加了基层服务项目时必填，不早于起始年月"),
    field("special_grade_teacher", "是否是特级教师", CODE, _YN, required=True, excluded=(HIGHER,)),
    field("backbone_teacher", "是否是县级及以上骨干教师", CODE, _YN, required=True, excluded=_NOT_VOC),
    field("mental_health_teacher", "是否心理健康教育教师", CODE, _YN, required=True, excluded=_NOT_VOC),
    field("dual_qualified", "是否“双师型”教师", CODE, _YN, only=(VOCATIONAL,)),
    field("vocational_skill_certificate", "是否具备职业技能等级证书", CODE, _YN, only=(VOCATIONAL,)),
    field("enterprise_work_years", "企业工作(实践)时长", NUMBER, only=(VOCATIONAL,), help="单位：年"),
    field("academic_origin", "学缘结构", CODE, "学缘结构", required=True, only=(HIGHER,)),
    field("secondary_unit", "所在二级单位", max_length=100, only=(HIGHER,)),
    field("personnel_status", "人员状态", CODE, "人员状态", required=True, default="100"),
    field("remarks", "备注", max_length=500),
)

BASIC = indicator_set("basic", "基本信息", _BASIC, repeatable=False, required=True,
                      note="One row per teacher, kept in Teacher.basic; the identity items also as columns.")

_BY_KEY = {f.key: f for f in _BASIC}
assert len(_BY_KEY) == len(_BASIC), "duplicate field key"

SETS: dict[str, IndicatorSet] = {s.key: s for s in (BASIC, *REPEATABLE_SETS)}
assert len(SETS) == 1 + len(REPEATABLE_SETS), "duplicate set key"


# ------------------------------------------------------------------------------ the sets
@lru_cache(maxsize=None)
def _resolved_set(key: str, group: str) -> IndicatorSet:
    return SETS[key].resolved(group)


def set_by_key(key: str, school_type: str | None = None) -> IndicatorSet | None:
    """A set resolved for a school type (None when it does not exist or does not apply there)."""
    group = school_group(school_type)
    s = SETS.get(key)
    if s is None or not s.applies_to(group):
        return None
    return _resolved_set(key, group)


def sets_for(school_type: str | None) -> list[IndicatorSet]:
    """Every set that applies to a school type, resolved, in the national order."""
    group = school_group(school_type)
    return [_resolved_set(k, group) for k, s in SETS.items() if s.applies_to(group)]


def required_sets(school_type: str | None) -> list[IndicatorSet]:
    return [s for s in sets_for(school_type) if s.required]


# ------------------------------------------------------------------------------ the basic set
@lru_cache(maxsize=None)
def _fields_of_group(group: str) -> tuple[Field, ...]:
    return tuple(resolve_field(f, group) for f in _BASIC if f.applies_to(group))


def basic_fields(school_type: str | None = None) -> list[Field]:
    """The basic set's fields for a school type ("11", "21", … or a whole 学校标识码), in template order."""
    return list(_fields_of_group(school_group(school_type)))


def all_basic_fields() -> list[Field]:
    """Every field of any variant (unresolved labels: the base label), in template order."""
    return list(_BASIC)


def field_by_key(key: str, school_type: str | None = None) -> Field | None:
    for f in _fields_of_group(school_group(school_type)):
        if f.key == key:
            return f
    return None


@lru_cache(maxsize=None)
def _header_index(group: str | None) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in _BASIC:
        if group is None or f.applies_to(group):
            for k in f.header_keys():
                index.setdefault(k, f.key)
    return index


def set_like(header_keys: list[str], *, not_set: str, school_type: str | None = None) -> IndicatorSet | None:
    """The set whose template has most of these (unknown) import headers, when it clearly has them: a file
    uploaded as the wrong set is told which template it is, instead of a list of strange columns."""
    best, score = None, 0
    for key, candidate in SETS.items():
        if key == not_set:
            continue
        known = {k for f in candidate.fields for k in f.header_keys()}
        if key == "basic":
            known |= {k for f in basic_fields(school_type) for k in f.header_keys()}
        hits = sum(1 for k in header_keys if k in known)
        if hits > score:
            best, score = candidate, hits
    return best if best and score >= max(2, len(header_keys) // 2) else None


def header_key(label: str) -> str:
    """How an import header is compared with field labels: no "*", spaces, quotes or width differences."""
    return match_key(str(label).replace("*", "").replace("＊", ""))


def field_by_label(label: str, school_type: str | None = None) -> Field | None:
    """The field an import header or form label names ("身份证件号*", "进本园年月", "身份证号码"…).

    With a school type: only fields of that type's variant, resolved for it. Without one: any
    variant's field (resolved for the first group that has it, k12 first).
    """
    key = header_key(label)
    if school_type is not None:
        fkey = _header_index(school_group(school_type)).get(key)
        return field_by_key(fkey, school_type) if fkey else None
    fkey = _header_index(None).get(key)
    if fkey is None:
        return None
    for group in (K12, KINDERGARTEN, SPECIAL, VOCATIONAL, HIGHER):
        if _BY_KEY[fkey].applies_to(group):
            return next(f for f in _fields_of_group(group) if f.key == fkey)
    return None


def template_headers(school_type: str | None = None) -> list[str]:
    """The column headers of a school's import template ("姓名*", "曾用名", …)."""
    return [f.header for f in basic_fields(school_type)]
