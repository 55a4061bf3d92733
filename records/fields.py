"""The vocabulary the indicator declarations are written in: field kinds, school-type groups,
conditions, `Field` and `IndicatorSet`, and how a declaration resolves for one school type.

Lives here: the types. Not here: the declarations themselves (`records/indicators.py` for the
basic set and the registry, `records/sets.py` for the repeatable sets), the rules between fields
(`records/rules.py`), and checking values (`records/validation.py`).

Per-school-type variants are written on the declaration:
- `only` / `excluded`: school-type groups where the field (or set) exists (or does not);
- `required_in`: groups where an otherwise optional field is required;
- `labels`: a group's own label (幼儿园 says 进本园年月 for 进本校年月);
- `tables`: a group's own code table (幼儿园 has 园级职务, 中职 its own 专业技术职务).
`resolve_field` / `IndicatorSet.resolved` turn them into plain declarations for one group, so
callers never deal with variants.

School-type groups (first two digits of the 学校标识码): 11 幼儿园 → kindergarten;
21 小学, 31 普通初中, 34 普通高中 (and other 2x/3x) → k12 (the base template);
36 中等职业学校 → vocational; 4x 高校 → higher; 5x 特殊教育学校 → special.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

from .code_tables import TABLES, CodeTable
from .normalize import match_key

# Field kinds: text; name (a person's name: spaces between Chinese characters dropped);
# date (YYYY-MM-DD); month (YYYY-MM); year (YYYY); school_year (YYYY-YYYY, 学年); code (one value
# of a code table); multi (several codes of a table, stored "01,03" in table order); id_number
# (checked against 身份证件类型); number (non-negative decimal); integer (non-negative whole
# number); money (non-negative, two decimals).
TEXT, NAME, DATE, MONTH, YEAR, SCHOOL_YEAR = "text", "name", "date", "month", "year", "school_year"
CODE, MULTI, ID_NUMBER, NUMBER, INTEGER, MONEY = "code", "multi", "id_number", "number", "integer", "money"
KINDS = (TEXT, NAME, DATE, MONTH, YEAR, SCHOOL_YEAR, CODE, MULTI, ID_NUMBER, NUMBER, INTEGER, MONEY)
CODED_KINDS = (CODE, MULTI)
FORMAT_HINTS = {DATE: "YYYY-MM-DD", MONTH: "YYYY-MM", YEAR: "YYYY", SCHOOL_YEAR: "YYYY-YYYY",
                INTEGER: "整数", NUMBER: "数字", MONEY: "金额，最多两位小数"}
MULTI_SEPARATOR = "、"   # how a multi value is written in sheets and shown
LAST_YEAR, SCHOOL = "last_year", "school"   # Field.fill

KINDERGARTEN, K12, VOCATIONAL, HIGHER, SPECIAL = "kindergarten", "k12", "vocational", "higher", "special"
GROUPS = (K12, KINDERGARTEN, VOCATIONAL, SPECIAL, HIGHER)
GROUP_LABELS = {KINDERGARTEN: "幼儿园", K12: "中小学", VOCATIONAL: "中等职业学校", HIGHER: "普通高校",
                SPECIAL: "特殊教育学校"}
# A school type code that stands for each group (templates are offered per group).
GROUP_TYPES = {KINDERGARTEN: "11", K12: "21", VOCATIONAL: "36", HIGHER: "41", SPECIAL: "51"}


def school_group(school_type: str | None) -> str:
    """The variant group of a school type code (first two digits of a 学校标识码), or a group name."""
    if school_type in GROUP_LABELS:
        return school_type
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


def codes_of(value) -> list[str]:
    """The codes a stored code or multi value holds ("01,03" → ["01", "03"])."""
    if value in (None, ""):
        return []
    return str(value).split(",")


class Condition(Protocol):
    key: str

    def holds(self, values: dict) -> bool: ...


@dataclass(frozen=True)
class When:
    """A condition on another field's code: `key` has one of `codes` (or none of them when `negate`).

    For a multi-valued field "has" means any of its codes. An empty field satisfies neither.
    """

    key: str
    codes: frozenset[str]
    negate: bool = False

    def holds(self, values: dict) -> bool:
        value = values.get(self.key)
        if value is None or value == "":
            return False
        hit = any(c in self.codes for c in codes_of(value))
        return hit != self.negate


@dataclass(frozen=True)
class AllOf:
    """Every condition holds (named by the first one's field in messages)."""

    conditions: tuple

    @property
    def key(self) -> str:
        return self.conditions[0].key

    def holds(self, values: dict) -> bool:
        return all(c.holds(values) for c in self.conditions)


@dataclass(frozen=True)
class AnyOf:
    """At least one condition holds (named by the first one's field in messages)."""

    conditions: tuple

    @property
    def key(self) -> str:
        return self.conditions[0].key

    def holds(self, values: dict) -> bool:
        return any(c.holds(values) for c in self.conditions)


def describe_condition(cond, fields: dict) -> str:
    """A condition in words, for instructions: 学历为“无”时 / 学位层次不为“无”时."""
    if isinstance(cond, (AllOf, AnyOf)):
        joiner = "且" if isinstance(cond, AllOf) else "或"
        return joiner.join(describe_condition(c, fields).removesuffix("时") for c in cond.conditions) + "时"
    f = fields.get(cond.key)
    if f is None:
        return ""
    names = "、".join(f"“{f.code_table.name_of(c) if f.table else c}”" for c in sorted(cond.codes))
    return f"{f.label}{'不为' if cond.negate else '为'}{names}时"


def equals(key: str, *codes: str) -> When:
    return When(key, frozenset(codes))


def differs(key: str, *codes: str) -> When:
    return When(key, frozenset(codes), negate=True)


def all_of(*conditions) -> AllOf:
    return AllOf(tuple(conditions))


def any_of(*conditions) -> AnyOf:
    return AnyOf(tuple(conditions))


@dataclass(frozen=True)
class Field:
    key: str                         # ascii snake case, stable: the key in the stored values
    label: str                       # national label without "*", for this school type
    kind: str = TEXT                 # one of KINDS
    table: str | None = None         # code table name when kind is CODE or MULTI
    required: bool = False           # required in this school type, whatever else the row says
    required_when: Condition | None = None  # required when this holds
    cleared_when: Condition | None = None   # not applicable (and not stored) when this holds
    max_length: int | None = None
    max_value: float | None = None   # a number's largest sensible value (学时: no one trains 99,999 hours)
    help: str = ""                   # the hint under the field, on the web form and in the spreadsheet template
    sheet_help: str = ""             # advice about Excel itself, only in the template (column prompt, 填写说明)
    school_only: bool = False        # entered by the school, read-only for the teacher
    identity: bool = False           # also a Teacher column; an import cannot go without its column
    default: str | None = None       # code or value a new form starts with
    aliases: tuple[str, ...] = ()    # other header labels accepted in imports
    star: bool | None = None         # template shows "*" though not always required (None: when required)
    not_future: bool = False         # a date/month/year that cannot lie after today
    pattern: str | None = None       # a regular expression a text value must match in full …
    pattern_hint: str = ""           # … and what it means, for the message ("11 位数字")
    compact: bool = False            # spaces removed, full-width made ASCII (phone numbers, e-mail)
    fill: str | None = None          # what an empty value becomes: LAST_YEAR, or SCHOOL (the school's name)
    # variant declaration (resolved away by resolve_field)
    only: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()
    required_in: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str], ...] = ()
    tables: tuple[tuple[str, str], ...] = ()

    @property
    def starred(self) -> bool:
        """The template marks the column with "*" (required, or required in the usual case)."""
        return self.required if self.star is None else self.star

    @property
    def header(self) -> str:
        """The column header of the national template, e.g. "身份证件号*"."""
        return self.label + ("*" if self.starred else "")

    @property
    def sheet_note(self) -> str:
        """The hint the spreadsheet template gives: the field's hint, then any advice about Excel."""
        return "；".join(h for h in (self.help, self.sheet_help) if h)

    @property
    def coded(self) -> bool:
        return self.kind in CODED_KINDS

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

    def shown(self, value) -> str:
        """A stored value as people read it: display names for codes ("养老保险、医疗保险")."""
        if value in (None, ""):
            return ""
        if self.coded and self.table:
            return MULTI_SEPARATOR.join(self.code_table.name_of(c) for c in codes_of(value))
        return str(value)

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


def field(key, label, kind=TEXT, table=None, *, required=False, only=None, excluded=(), required_in=(),
          labels=None, tables=None, **kw) -> Field:
    """A field declaration in one line: `field("end", "任职结束年月", MONTH)`."""
    f = Field(key, label, kind, table, required=required, only=frozenset(only) if only else None,
              excluded=frozenset(excluded), required_in=frozenset(required_in),
              labels=tuple((labels or {}).items()), tables=tuple((tables or {}).items()), **kw)
    assert f.kind in KINDS and (f.kind in CODED_KINDS) == bool(f.table), f.key
    for name in (f.table, *dict(f.tables).values()):
        assert name is None or name in TABLES, name
    return f


def resolve_field(f: Field, group: str) -> Field:
    """The field as it is in one group: its label, table and required mark for that group."""
    return dataclasses.replace(
        f, label=dict(f.labels).get(group, f.label), table=dict(f.tables).get(group, f.table),
        required=f.required or group in f.required_in, only=None, excluded=frozenset(),
        required_in=frozenset(), tables=(),
    )


@dataclass(frozen=True)
class IndicatorSet:
    """One information set (信息集): its fields and rules, who enters it, where it applies.

    `repeatable`: many rows per teacher (学习经历); otherwise at most one (联系方式, 基本信息).
    `required`: the completeness check before submitting asks for at least one row.
    `school_only`: entered by the school (年度考核 …); a teacher sees it but cannot change it.
    `rules`: checks within one row (`records/rules.py`); `set_rules`: across a teacher's rows.
    `sort`: field keys rows are shown in (newest first when `newest_first`).
    `family`: the set a sub-set belongs to (教学科研成果及获奖 has ten), shown as its heading.
    """

    key: str
    label: str
    fields: tuple[Field, ...]
    repeatable: bool = True
    required: bool = False
    school_only: bool = False
    only: frozenset[str] | None = None
    excluded: frozenset[str] = frozenset()
    rules: tuple = ()
    set_rules: tuple = ()
    sort: tuple[str, ...] = ()
    newest_first: bool = True
    family: str = ""
    note: str = ""

    @property
    def title(self) -> str:
        return f"{self.family}-{self.label}" if self.family else self.label

    def applies_to(self, group: str) -> bool:
        return (self.only is None or group in self.only) and group not in self.excluded

    def resolved(self, group: str) -> "IndicatorSet":
        return dataclasses.replace(self, fields=tuple(resolve_field(f, group) for f in self.fields
                                                      if f.applies_to(group)),
                                   only=None, excluded=frozenset())

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)

    @property
    def headers(self) -> list[str]:
        return [f.header for f in self.fields]


# A set sheet names its teacher with these columns (and may carry 学校标识码) under these keys, so
# that a set's own field may be called "name" (培训项目名称) without two values under one key.
TEACHER_COLUMNS = {"name": "teacher_name", "id_type": "teacher_id_type", "id_number": "teacher_id_number"}
SHEET_KEYS = frozenset({*TEACHER_COLUMNS.values(), "school_code"})


def indicator_set(key, label, fields, *, only=None, excluded=(), **kw) -> IndicatorSet:
    s = IndicatorSet(key, label, tuple(fields), only=frozenset(only) if only else None,
                     excluded=frozenset(excluded), **kw)
    keys = [f.key for f in s.fields]
    assert len(keys) == len(set(keys)), f"duplicate field key in {key}"
    if key != "basic":
        assert not SHEET_KEYS & set(keys), f"{key}: field keys {SHEET_KEYS & set(keys)} are the sheet's own columns"
    return s
