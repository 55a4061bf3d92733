"""A record as people read it: labels from the declaration, code values as display names."""
from __future__ import annotations

from dataclasses import dataclass

from accounts.policy import MASKED_ROLES, mask_id
from models import Teacher
from models.teachers import basic_with_identity

from .forms import identity_values
from .indicators import CODE, IndicatorSet, basic_fields, sets_for


def record_rows(teacher: Teacher, viewer=None, *, identity_only: bool = False) -> list[tuple[str, str]]:
    """The basic information as (label, value); `identity_only`: the identity items alone (姓名, 性别,
    证件, 出生日期), for someone who may confirm who the teacher is but not yet read her record."""
    values = basic_with_identity(teacher.basic, identity_values(teacher))
    rows = []
    for f in basic_fields(teacher.org.school_type):
        if identity_only and not f.identity:
            continue
        raw = values.get(f.key)
        shown = f.code_table.name_of(raw) if (f.kind == CODE and raw not in (None, "")) else raw
        rows.append((f.label, masked_for(viewer, f.key, shown)))
    return rows


def shown_value(teacher: Teacher, key: str) -> str:
    """One basic-information value of `teacher` as people read it (a code as its name), for lists."""
    raw = (teacher.basic or {}).get(key)
    if raw in (None, ""):
        return ""
    for f in basic_fields(teacher.org.school_type):
        if f.key == key:
            return f.code_table.name_of(raw) if f.kind == CODE else str(raw)
    return str(raw)


def masked_for(viewer, key: str, shown):
    """A basic-information value as `viewer` may see it: masked roles see the ID number masked and
    the year of birth only (with the full date the masked middle of an ID number could be rebuilt
    from the check character). Record pages and the versions page both show values through this."""
    if viewer is None or viewer.role not in MASKED_ROLES or shown in (None, ""):
        return shown
    if key == "id_number":
        return mask_id(shown, viewer.role)
    if key == "birth_date":
        return str(shown)[:4] + "-**-**"
    return shown


@dataclass
class SetSection:
    """One set on a record page: its rows as people read them and what the viewer may do."""

    info: IndicatorSet
    rows: list            # [(item id, [shown value per field])]
    may_enter: bool
    refusal: str | None   # why not, when the record is editable but this set is not for the viewer
    missing: bool         # a required set without rows

    @property
    def anchor(self) -> str:
        return set_anchor(self.info.key)


def set_anchor(set_key: str) -> str:
    """The id of a set's card on a record page (links to it from elsewhere on the page)."""
    return "set-" + set_key


def set_sections(teacher: Teacher, viewer=None) -> list[SetSection]:
    """Every repeatable set of the teacher's school type, in the national order, with its rows."""
    from .items import display_order, items_of, set_refusal

    stored: dict[str, list] = {}
    for item in items_of(teacher.id):
        stored.setdefault(item.set_key, []).append(item)
    out = []
    for info in sets_for(teacher.org.school_type):
        if info.key == "basic":
            continue
        rows = [(item.id, [f.shown(item.values.get(f.key)) for f in info.fields])
                for item in display_order(info, stored.get(info.key, []))]
        refusal = set_refusal(viewer, teacher, info.key)[1] if viewer is not None else "只读"
        out.append(SetSection(info, rows, refusal is None, refusal, info.required and not rows))
    return out
