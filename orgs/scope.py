"""Subtree scope: every read and write is limited to the user's unit and everything below it."""
from __future__ import annotations

from sqlalchemy import select

from models import Org, db


def subtree_filter(column_path, unit: Org):
    """A SQL condition: `column_path` (an Org.path column) lies in `unit`'s subtree."""
    return column_path.like(unit.path + "%")


def org_in_scope(user, org_id: int) -> Org | None:
    org = db.session.get(Org, org_id)
    if org is None or not user.org.contains(org):
        return None
    return org


def children(unit: Org) -> list[Org]:
    return list(db.session.scalars(select(Org).where(Org.parent_id == unit.id).order_by(Org.code)))
