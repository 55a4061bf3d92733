"""Managers and report addresses: the operations that change them, and the demo's defaults.

Managers belong to a unit; report settings say where the reports of the units directly below a
unit are e-mailed (and, for the province, where its own report goes). Each change is audited.
"""
from __future__ import annotations

import re

from sqlalchemy import select

import audit
from models import Org, ReportSetting, UnitManager, db, utcnow

from .units import all_orgs, province, reporting_units

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(value: str | None) -> str | None:
    value = (value or "").strip()
    if value and not EMAIL.match(value):
        raise ValueError(f"“{value}”不是有效的电子邮箱地址")
    return value or None


def add_manager(actor, org: Org, name: str, email: str | None, user_id: int | None = None,
                daily_digest: bool = False) -> UnitManager:
    name = (name or "").strip()
    if not name:
        raise ValueError("请填写负责人姓名")
    manager = UnitManager(org_id=org.id, name=name[:100], email=check_email(email), user_id=user_id,
                          daily_digest=daily_digest, active=True, created_at=utcnow())
    db.session.add(manager)
    db.session.flush()
    audit.record("manager_add", object_type="unit_manager", object_id=manager.id, user=actor, org_id=org.id,
                 after={"name": manager.name, "email": manager.email, "daily_digest": daily_digest})
    return manager


def remove_manager(actor, manager: UnitManager) -> None:
    manager.active = False
    audit.record("manager_remove", object_type="unit_manager", object_id=manager.id, user=actor,
                 org_id=manager.org_id, before={"name": manager.name, "email": manager.email})


def save_settings(actor, org: Org, inbox_email: str | None, upstream_email: str | None) -> ReportSetting:
    setting = db.session.get(ReportSetting, org.id) or ReportSetting(org_id=org.id)
    before = {"inbox_email": setting.inbox_email, "upstream_email": setting.upstream_email}
    setting.inbox_email = check_email(inbox_email)
    setting.upstream_email = check_email(upstream_email) if org.kind == "province" else None
    setting.updated_at = utcnow()
    setting.updated_by_id = getattr(actor, "id", None)
    db.session.add(setting)
    audit.record("report_settings", object_type="org", object_id=org.id, user=actor, org_id=org.id, before=before,
                 after={"inbox_email": setting.inbox_email, "upstream_email": setting.upstream_email})
    return setting


def demo_setup(echo=print) -> None:
    """The demo's managers (one per reporting unit and the province) and report addresses (every
    bureau that receives reports). Adds only what is missing."""
    orgs = all_orgs()
    top = province()
    units = reporting_units(orgs) + ([top] if top else [])
    have = set(db.session.scalars(select(UnitManager.org_id)))
    added = 0
    for org in units:
        if org.id not in have:
            db.session.add(UnitManager(org_id=org.id, name=f"{org.name}负责人", email=f"leader-{org.code}@example.org",
                                       daily_digest=False, active=True, created_at=utcnow()))
            added += 1
    settings = 0
    for org in orgs.values():
        if org.kind in ("province", "city") and db.session.get(ReportSetting, org.id) is None:
            db.session.add(ReportSetting(org_id=org.id, inbox_email=f"reports-{org.code}@example.org",
                                         upstream_email="ministry-reports@example.org" if org.kind == "province" else None,
                                         updated_at=utcnow()))
            settings += 1
    db.session.commit()
    echo(f"单位负责人：新增 {added} 位；月报接收邮箱：新增 {settings} 个")
