"""A record as people read it: labels from the declaration, code values as display names."""
from __future__ import annotations

from accounts.policy import MASKED_ROLES, mask_id
from models import Teacher

from .forms import identity_values
from .indicators import CODE, basic_fields


def record_rows(teacher: Teacher, viewer=None) -> list[tuple[str, str]]:
    values = dict(teacher.basic or {})
    values.update({k: v for k, v in identity_values(teacher).items() if v})
    rows = []
    for f in basic_fields(teacher.org.school_type):
        raw = values.get(f.key)
        shown = f.code_table.name_of(raw) if (f.kind == CODE and raw not in (None, "")) else raw
        if viewer is not None and viewer.role in MASKED_ROLES:
            # Masked roles see the year of birth only: with the full date the masked
            # middle of an ID number could be rebuilt from the check character.
            if f.key == "id_number":
                shown = mask_id(shown, viewer.role)
            elif f.key == "birth_date" and shown:
                shown = str(shown)[:4] + "-**-**"
        rows.append((f.label, shown))
    return rows
