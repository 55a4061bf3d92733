"""Managers and report addresses: the operations that change them, and the demo's defaults.

Managers belong to a unit; report settings say where the reports of the units directly below a
unit are e-mailed (and, for the province, where its own report goes). Each change is audited.

A manager linked to an account (`user_id`) is also told in the app (通知, the unread badge); the
account must be an active account of the manager's own unit (`manager_accounts`), checked here for
every caller, so no page can link a manager to someone else's account.
"""
from __future__ import annotations

import re

from sqlalchemy import select

import audit
from models import Org, ReportSetting, UnitManager, User, db, utcnow
from models.users import ROLE_LABELS, ROLE_TEACHER, UNIT_ROLES

from .units import all_orgs, province, reporting_units

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX = 200   # the column's size; RFC 5321 allows 254, no real address comes near


def check_email(value: str | None) -> str | None:
    value = (value or "").strip()
    if len(value) > EMAIL_MAX:
        raise ValueError(f"电子邮箱地址不能超过 {EMAIL_MAX} 个字符（现为 {len(value)} 个）")
    if value and not EMAIL.match(value):
        raise ValueError(f"“{value}”不是有效的电子邮箱地址")
    return value or None


def manager_accounts(org: Org) -> list[User]:
    """The accounts a manager of `org` may be linked to: the unit's own active accounts, its unit
    accounts (系统管理员, 信息管理员, 信息查询员) first, then its teachers by name."""
    accounts = db.session.scalars(select(User).where(User.org_id == org.id, User.active.is_(True))
                                  .order_by(User.username)).all()
    order = {role: i for i, role in enumerate(UNIT_ROLES)}
    return sorted(accounts, key=lambda u: (order.get(u.role, len(order)), u.role == ROLE_TEACHER, u.display_name))


def account_label(user: User) -> str:
    """How the page names an account: "秀英区教育局信息查询员（460105_query）"; a teacher by name and
    the last four characters of the ID number (the login), which is not shown in full."""
    if user.role == ROLE_TEACHER:
        return f"{user.display_name}（教师，证件号末四位 {user.username[-4:]}）"
    role = ROLE_LABELS.get(user.role, user.role)
    name = user.display_name if role in user.display_name else f"{user.display_name}（{role}）"
    return f"{name}（{user.username}）"


def _linked_account(actor, org: Org, user_id: int | None, manager: UnitManager | None = None) -> User | None:
    """The account to link, or None; refused unless it is an active account of the manager's unit,
    that unit lies in the actor's subtree, and no other manager of the unit is linked to it."""
    if not user_id:
        return None
    account = db.session.get(User, user_id)
    actor_org = getattr(actor, "org", None)
    if (account is None or not account.active or account.org_id != org.id
            or (actor_org is not None and not actor_org.contains(org))):
        raise ValueError(f"所选账号不是{org.name}的有效账号，请从列表中选择本单位的账号")
    other = db.session.scalars(select(UnitManager).where(
        UnitManager.org_id == org.id, UnitManager.active.is_(True), UnitManager.user_id == account.id,
        UnitManager.id != (manager.id if manager is not None else -1))).first()
    if other is not None:
        raise ValueError(f"账号“{account_label(account)}”已关联负责人“{other.name}”")
    return account


def _state(manager: UnitManager) -> dict:
    account = db.session.get(User, manager.user_id) if manager.user_id else None
    return {"name": manager.name, "email": manager.email, "daily_digest": manager.daily_digest,
            "user_id": manager.user_id, "account": account.username if account else None}


def _reachable(email: str | None, account) -> None:
    """A manager nobody can reach would never hear of an overdue review: an e-mail or an account is needed."""
    if not email and account is None:
        raise ValueError("请填写负责人的电子邮箱或关联一个账号：两者都没有，提醒将无法送达")


def add_manager(actor, org: Org, name: str, email: str | None, user_id: int | None = None,
                daily_digest: bool = False) -> UnitManager:
    name = (name or "").strip()
    if not name:
        raise ValueError("请填写负责人姓名")
    account = _linked_account(actor, org, user_id)
    _reachable(check_email(email), account)
    manager = UnitManager(org_id=org.id, name=name[:100], email=check_email(email),
                          user_id=account.id if account else None,
                          daily_digest=daily_digest, active=True, created_at=utcnow())
    db.session.add(manager)
    db.session.flush()
    audit.record("manager_add", object_type="unit_manager", object_id=manager.id, user=actor, org_id=org.id,
                 after=_state(manager))
    return manager


def update_manager(actor, manager: UnitManager, name: str, email: str | None, user_id: int | None,
                   daily_digest: bool) -> bool:
    """Change a manager's name, e-mail, linked account and digest choice; False when nothing changed."""
    name = (name or "").strip()
    if not name:
        raise ValueError("请填写负责人姓名")
    org = db.session.get(Org, manager.org_id)
    account = _linked_account(actor, org, user_id, manager)
    _reachable(check_email(email), account)
    before = _state(manager)
    manager.name, manager.email = name[:100], check_email(email)
    manager.user_id, manager.daily_digest = (account.id if account else None), daily_digest
    changed_before, changed_after = audit.diff(before, _state(manager))
    if not changed_after:
        return False
    audit.record("manager_changed", object_type="unit_manager", object_id=manager.id, user=actor,
                 org_id=manager.org_id, before=changed_before, after=changed_after)
    return True


def remove_manager(actor, manager: UnitManager) -> None:
    manager.active = False
    audit.record("manager_remove", object_type="unit_manager", object_id=manager.id, user=actor,
                 org_id=manager.org_id, before=_state(manager))


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
