"""Search for teachers across the user's subtree: by name, ID number, school, record state, or any
indicator field (a basic-information field, or a field of a repeatable set: any row matching), paged.

Code fields match a code or its display name ("汉族" finds 01); other fields match a part of the text.
Roles that see ID numbers masked may not search by ID number (an exact match would unmask it), nor by
the birth date or the ID number as an indicator field.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, exists, func, select

from accounts.policy import MASKED_ROLES
from models import Org, RecordItem, Teacher, db
from models.teachers import RECORD_STATES

from .access import teachers_in_scope_query
from .identity import same_person_numbers
from .indicators import CODE, MULTI, SETS, all_basic_fields

PER_PAGE = 20
HIDDEN_FROM_MASKED = {"basic.id_number", "basic.birth_date"}


@dataclass
class Query:
    name: str = ""
    id_number: str = ""
    school: str = ""
    state: str = ""
    field: str = ""          # "basic.ethnicity", "study.major", …
    value: str = ""
    page: int = 1


@dataclass
class Page:
    rows: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    problems: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, (self.total + PER_PAGE - 1) // PER_PAGE)


def field_choices(user=None) -> list[tuple[str, str]]:
    """("set.field", "信息集 · 信息项") for the field selector: every declared field, once."""
    out, seen = [], set()
    for f in all_basic_fields():
        out.append((f"basic.{f.key}", f"基本信息 · {f.label}"))
        seen.add(f"basic.{f.key}")
    for info in SETS.values():
        if info.key == "basic":
            continue
        for f in info.fields:
            key = f"{info.key}.{f.key}"
            if key not in seen:
                seen.add(key)
                out.append((key, f"{info.title} · {f.label}"))
    if user is not None and user.role in MASKED_ROLES:
        out = [(k, label) for k, label in out if k not in HIDDEN_FROM_MASKED]
    return out


def _field(key: str):
    set_key, _, field_key = key.partition(".")
    info = SETS.get(set_key)
    if info is None:
        return None, None
    if set_key == "basic":
        return info, next((f for f in all_basic_fields() if f.key == field_key), None)
    return info, info.field(field_key)


def _value_condition(column, f, value: str):
    """column: a JSON text expression. Codes: by code or display name; text: contains."""
    if f.kind in (CODE, MULTI) and f.code_table is not None:
        codes = {c for c, n in f.code_table.choices if value in (c, n) or (len(value) >= 2 and value in n)}
        if not codes:
            return None
        if f.kind == MULTI:
            from sqlalchemy import or_
            return or_(*[column.contains(c, autoescape=True) for c in codes])
        return column.in_(sorted(codes))
    return column.contains(value, autoescape=True)


def search(user, q: Query) -> Page:
    page = Page(page=q.page)
    stmt = teachers_in_scope_query(user)   # joins Org for every role but a teacher's own
    conds = []
    if q.name:
        conds.append(Teacher.name.contains(q.name[:50], autoescape=True))
    if q.id_number:
        if user.role in MASKED_ROLES:
            page.problems.append("您的角色看到的身份证件号是隐去部分数字的，不能按身份证件号查找，请按姓名查找")
        else:
            conds.append(Teacher.id_number.in_(same_person_numbers(q.id_number[:30])))
    if q.school:
        conds.append((Org.code == q.school[:20]) | Org.name.contains(q.school[:50], autoescape=True))
    if q.state:
        if q.state in RECORD_STATES:
            conds.append(Teacher.state == q.state)
        else:
            page.problems.append("【状态】请从列表中选择")
    if q.field or q.value:
        key = q.field[:80]
        info, f = _field(key)
        if f is None or (user.role in MASKED_ROLES and key in HIDDEN_FROM_MASKED):
            page.problems.append("【信息项】请从列表中选择要查找的信息项")
        elif not q.value.strip():
            page.problems.append(f"【{f.label}】请填写要查找的值")
        else:
            value = q.value.strip()[:100]
            if info.key == "basic":
                column = Teacher.basic[f.key].as_string()
                cond = _value_condition(column, f, value)
            else:
                column = RecordItem.values[f.key].as_string()
                inner = _value_condition(column, f, value)
                cond = None if inner is None else exists(select(RecordItem.id).where(
                    RecordItem.teacher_id == Teacher.id, RecordItem.set_key == info.key, inner))
            if cond is None:
                page.problems.append(f"【{f.label}】没有名称或代码为“{value}”的取值")
            else:
                conds.append(cond)
    if page.problems:
        return page
    if user.role == "teacher":
        stmt = stmt.join(Org, Org.id == Teacher.org_id)
    if conds:
        stmt = stmt.where(and_(*conds))
    page.total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page.page = max(1, min(q.page, page.pages))
    page.rows = db.session.scalars(stmt.order_by(Teacher.org_id, Teacher.name, Teacher.id)
                                   .limit(PER_PAGE).offset((page.page - 1) * PER_PAGE)).all()
    return page
