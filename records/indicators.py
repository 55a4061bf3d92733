"""The indicator sets declared as data; today the 基本信息 (basic information) set.

One line per field in `_BASIC`, in the order of the national template. Forms, import
headers, validation and completeness checks are derived from it: adding a field is one line.

Per-school-type variants are written on the field itself:
- `only` / `excluded`: school-type groups where the field exists (or does not);
- `required_in`: groups where an otherwise optional field is required;
- `labels`: a group's own label (幼儿园 says 进本园年月 for 进本校年月).
`basic_fields(school_type)` resolves them into plain `Field`s for one school type, so callers
never deal with variants.

School-type groups (first two digits of the 学校标识码): 11 幼儿园 → kindergarten;
21 小学, 31 普通初中, 34 普通高中 (and other 2x/3x) → k12 (the base template);
36 中等职业学校 → vocational; 4x 高校 → higher; 5x 特殊教育学校 → special.

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

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from .code_tables import CHINA, TABLES, CodeTable
from .normalize import match_key

# Field kinds: text; name (text, a person's name: spaces between Chinese characters dropped);
# date (YYYY-MM-DD); month (YYYY-MM); code (a code table); id_number (checked against 身份证件类型);
# number (non-negative decimal).
TEXT, NAME, DATE, MONTH, CODE, ID_NUMBER, NUMBER = "text", "name", "date", "month", "code", "id_number", "number"
KINDS = (TEXT, NAME, DATE, MONTH, CODE, ID_NUMBER, NUMBER)

KINDERGARTEN, K12, VOCATIONAL, HIGHER, SPECIAL = "kindergarten", "k12", "vocational", "higher", "special"
GROUP_LABELS = {KINDERGARTEN: "幼儿园", K12: "中小学", VOCATIONAL: "中等职业学校", HIGHER: "普通高校",
                SPECIAL: "特殊教育学校"}


def school_group(school_type: str | None) -> str:
    """The variant group of a school type code (first two digits of a 学校标识码)."""
    st = (school_type or "")[:2]
    if st == "36":
        return VOCATIONAL
    if st.startswith("1"):
        return KINDERGARTEN
    if st.startswith("4"):
        return HIGHER
    if st.startswith("5"):
        return SPECIAL
    return K12


@dataclass(frozen=True)
class When:
    """A condition on another field's code: `key` has one of `codes` (or none of them when `negate`)."""

    key: str
    codes: frozenset[str]
    negate: bool = False

    def holds(self, values: dict) -> bool:
        value = values.get(self.key)
        if value is None:
            return False
        return (value in self.codes) != self.negate


def equals(key: str, *codes: str) -> When:
    return When(key, frozenset(codes))


def differs(key: str, *codes: str) -> When:
    return When(key, frozenset(codes), negate=True)


@dataclass(frozen=True)
class Field:
    key: str                         # ascii snake case, stable: the key in Teacher.basic
    label: str                       # national label without "*", for this school type
    kind: str = TEXT                 # one of KINDS
    table: str | None = None         # code table name when kind == CODE
    required: bool = False           # required in this school type, whatever else the row says
    required_when: When | None = None  # required when this holds
    cleared_when: When | None = None   # not applicable (and not stored) when this holds
    max_length: int | None = None
    help: str = ""
    school_only: bool = False        # entered by the school, read-only for the teacher
    identity: bool = False           # also a Teacher column; an import cannot go without its column
    default: str | None = None       # code or value a new form starts with
    aliases: tuple[str, ...] = ()    # other header labels accepted in imports
    star: bool | None = None         # template shows "*" though not always required (None: when required)
    # variant declaration (resolved away by basic_fields)
    only: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()
    required_in: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def starred(self) -> bool:
        """The template marks the column with "*" (required, or required in the usual case)."""
        return self.required if self.star is None else self.star

    @property
    def header(self) -> str:
        """The column header of the national template, e.g. "身份证件号*"."""
        return self.label + ("*" if self.starred else "")

    @property
    def code_table(self) -> CodeTable | None:
        return TABLES[self.table] if self.table else None

    @property
    def choices(self) -> list[str]:
        """Display names a form's select offers (empty for non-code fields)."""
        return self.code_table.names if self.table else []

    @property
    def code_choices(self) -> list[tuple[str, str]]:
        return self.code_table.choices if self.table else []

    def is_required(self, values: dict) -> bool:
        """Required for a row whose clean values (key → code/value) are `values`."""
        if self.cleared_when is not None and self.cleared_when.holds(values):
            return False
        return self.required or (self.required_when is not None and self.required_when.holds(values))

    def is_cleared(self, values: dict) -> bool:
        return self.cleared_when is not None and self.cleared_when.holds(values)

    def applies_to(self, group: str) -> bool:
        return (self.only is None or group in self.only) and group not in self.excluded

    def header_keys(self) -> set[str]:
        """Every `match_key` under which an import header names this field."""
        return {match_key(x) for x in (self.label, *dict(self.labels).values(), *self.aliases)}


def _f(key, label, kind=TEXT, table=None, *, required=False, only=None, excluded=(), required_in=(),
       labels=None, **kw) -> Field:
    return Field(key, label, kind, table, required=required, only=frozenset(only) if only else None,
                 excluded=frozenset(excluded), required_in=frozenset(required_in),
                 labels=tuple((labels or {}).items()), **kw)


_YN = "是否"
_NOT_VOC = (VOCATIONAL, HIGHER)
_CHINESE = equals("nationality", CHINA)
_NOT_ON_PAYROLL, _ON_PAYROLL = equals("on_payroll", "0"), equals("on_payroll", "1")
_IN_PROGRAMME, _NO_PROGRAMME = differs("grassroots_programme", "0"), equals("grassroots_programme", "0")

# The basic set, in the order of the national 中小学 template; variants per field.
_BASIC: tuple[Field, ...] = (
    _f("name", "姓名", NAME, required=True, max_length=50, identity=True, help="与身份证件上的姓名一致",
       aliases=("教师姓名",)),
    _f("former_name", "曾用名", NAME, max_length=50),
    _f("gender", "性别", CODE, "性别", required=True, identity=True, help="须与身份证号码第17位一致（奇数男、偶数女）"),
    _f("staff_number", "教职工号", max_length=20, school_only=True, help="学校内部的教职工编号，由学校填写"),
    _f("nationality", "国籍/地区", CODE, "国籍/地区", required=True, default=CHINA, aliases=("国籍", "国籍地区")),
    _f("id_type", "身份证件类型", CODE, "身份证件类型", required=True, identity=True, default="1",
       aliases=("证件类型",)),
    _f("id_number", "身份证件号", ID_NUMBER, required=True, max_length=30, identity=True,
       help="居民身份证为18位，末位可为X；请把该列设为文本格式",
       aliases=("身份证件号码", "身份证号码", "身份证号", "证件号码", "证件号")),
    _f("birth_date", "出生日期", DATE, required=True, identity=True, help="YYYY-MM-DD，须与身份证号码一致"),
    _f("native_place", "籍贯", max_length=50, required_in=(SPECIAL,)),
    _f("birthplace", "出生地", max_length=50),
    _f("ethnicity", "民族", CODE, "民族", required_when=_CHINESE, star=True, help="国籍/地区为中国时必填"),
    _f("political_status", "政治面貌", CODE, "政治面貌", required_when=_CHINESE, star=True, help="国籍/地区为中国时必填"),
    _f("marital_status", "婚姻状况", CODE, "婚姻状况"),
    _f("health", "健康状况", CODE, "健康状况", required_in=(VOCATIONAL, SPECIAL)),
    _f("work_start_month", "参加工作年月", MONTH, required=True, help="YYYY-MM"),
    _f("joined_school_month", "进本校年月", MONTH, required=True, labels={KINDERGARTEN: "进本园年月"},
       aliases=("进本校年月", "进本园年月", "进本单位年月"), help="YYYY-MM，不早于参加工作年月"),
    _f("staff_source", "教职工来源", CODE, "教职工来源", required=True),
    _f("staff_category", "教职工类别", CODE, "教职工类别", required=True),
    _f("on_payroll", "是否在编", CODE, _YN, required=True),
    _f("employment_form", "用人形式", CODE, "用人形式", required_when=_NOT_ON_PAYROLL, cleared_when=_ON_PAYROLL,
       star=True, help="是否在编为“否”时必填"),
    _f("contract", "签订合同情况", CODE, "签订合同情况", required=True),
    _f("normal_major_graduate", "是否全日制师范类专业毕业", CODE, _YN, required=True, excluded=_NOT_VOC),
    _f("preschool_major_graduate", "是否全日制学前教育专业毕业", CODE, _YN, only=(KINDERGARTEN,)),
    _f("preschool_trained", "是否受过学前教育专业培养培训", CODE, _YN, only=(KINDERGARTEN,)),
    _f("special_ed_trained", "是否受过特教专业培养培训", CODE, _YN, required=True,
       excluded=(KINDERGARTEN, VOCATIONAL, HIGHER)),
    _f("special_ed_certificate", "是否有特殊教育从业证书", CODE, _YN, required=True,
       excluded=(KINDERGARTEN, VOCATIONAL, HIGHER)),
    _f("special_ed_major_graduate", "是否全日制特殊教育专业毕业", CODE, _YN, required=True, only=(SPECIAL,)),
    _f("special_ed_start_month", "从事特教起始年月", MONTH, required=True, only=(SPECIAL,),
       help="YYYY-MM，不早于参加工作年月"),
    _f("it_ability", "信息技术应用能力", CODE, "信息技术应用能力", required=True),
    _f("free_normal_student", "是否属于免费（公费）师范生", CODE, _YN, required=True, excluded=_NOT_VOC,
       aliases=("是否属于免费师范生", "是否属于公费师范生")),
    _f("grassroots_programme", "是否参加基层服务项目", CODE, "是否参加基层服务项目", required=True,
       excluded=_NOT_VOC),
    _f("grassroots_start", "参加基层服务项目起始年月", MONTH, required_when=_IN_PROGRAMME,
       cleared_when=_NO_PROGRAMME, excluded=_NOT_VOC, help="参加了基层服务项目时必填，YYYY-MM"),
    _f("grassroots_end", "参加基层服务项目结束年月", MONTH, required_when=_IN_PROGRAMME,
       cleared_when=_NO_PROGRAMME, excluded=_NOT_VOC, help="参加了基层服务项目时必填，不早于起始年月"),
    _f("special_grade_teacher", "是否是特级教师", CODE, _YN, required=True, excluded=(HIGHER,)),
    _f("backbone_teacher", "是否是县级及以上骨干教师", CODE, _YN, required=True, excluded=_NOT_VOC),
    _f("mental_health_teacher", "是否心理健康教育教师", CODE, _YN, required=True, excluded=_NOT_VOC),
    _f("dual_qualified", "是否“双师型”教师", CODE, _YN, only=(VOCATIONAL,)),
    _f("vocational_skill_certificate", "是否具备职业技能等级证书", CODE, _YN, only=(VOCATIONAL,)),
    _f("enterprise_work_years", "企业工作(实践)时长", NUMBER, only=(VOCATIONAL,), help="单位：年"),
    _f("academic_origin", "学缘结构", CODE, "学缘结构", required=True, only=(HIGHER,)),
    _f("secondary_unit", "所在二级单位", max_length=100, only=(HIGHER,)),
    _f("personnel_status", "人员状态", CODE, "人员状态", required=True, default="100"),
    _f("remarks", "备注", max_length=500),
)

_BY_KEY = {f.key: f for f in _BASIC}
assert len(_BY_KEY) == len(_BASIC), "duplicate field key"
for _field in _BASIC:
    assert _field.kind in KINDS and (_field.kind == CODE) == bool(_field.table), _field.key
    assert _field.table is None or _field.table in TABLES, _field.table


def _resolve(f: Field, group: str) -> Field:
    return dataclasses.replace(
        f, label=dict(f.labels).get(group, f.label), required=f.required or group in f.required_in,
        only=None, excluded=frozenset(), required_in=frozenset(), labels=f.labels,
    )


@lru_cache(maxsize=None)
def _fields_of_group(group: str) -> tuple[Field, ...]:
    return tuple(_resolve(f, group) for f in _BASIC if f.applies_to(group))


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
