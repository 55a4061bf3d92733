"""Who reports monthly, and which schools each report covers.

Reporting units are the units that give the final review of some schools' teachers
(orgs/authority.py): county and district bureaus, city bureaus (for their own schools: city-run
schools, or every school of a city without districts), and province-run schools (for
themselves). The province does not report as a unit; it compiles everyone's reports.

A school's report unit is therefore its reviewing authority; the tree is walked in memory (a
province has a few thousand units), never by counting levels.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from models import Org, db
from orgs.authority import reviewing_authority


def all_orgs() -> dict[int, Org]:
    return {o.id: o for o in db.session.scalars(select(Org))}


def reporting_units(orgs: dict[int, Org] | None = None) -> list[Org]:
    orgs = orgs or all_orgs()
    out = []
    for org in orgs.values():
        parent = orgs.get(org.parent_id) if org.parent_id else None
        if org.kind in ("county", "city"):
            out.append(org)
        elif org.kind == "school" and parent is not None and parent.kind == "province":
            out.append(org)
    return sorted(out, key=lambda o: o.path)


def schools_by_unit(orgs: dict[int, Org] | None = None) -> dict[int, list[int]]:
    """{report unit id: [school ids it covers]} (legal-entity schools; teaching points belong to their school)."""
    orgs = orgs or all_orgs()
    out: dict[int, list[int]] = defaultdict(list)
    for org in orgs.values():
        if org.kind != "school":
            continue
        try:
            unit = reviewing_authority(org)
        except ValueError:
            continue
        out[unit.id].append(org.id)
    return out


def level_above(org: Org) -> Org | None:
    """The nearest education bureau strictly above `org` (the unit that receives its report)."""
    node = org.parent
    while node is not None and not node.is_bureau:
        node = node.parent
    return node


def province() -> Org | None:
    return db.session.scalars(select(Org).where(Org.kind == "province")).first()
