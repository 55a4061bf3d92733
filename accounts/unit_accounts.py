"""The three accounts of every legal-entity unit (system administrator, information
administrator, information query user), generated for a whole subtree in one action.

Initial passwords come out as an xlsx that can be downloaded once; re-running creates
only the missing accounts.
"""
from __future__ import annotations

import io
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

import audit
from models import Org, PasswordSheet, User, db, utcnow, write_intent
from models.users import ROLE_INFO_ADMIN, ROLE_LABELS, ROLE_QUERY, ROLE_SYS_ADMIN, UNIT_ROLES

USERNAME_SUFFIX = {ROLE_SYS_ADMIN: "sys", ROLE_INFO_ADMIN: "info", ROLE_QUERY: "query"}


def unit_username(org: Org, role: str) -> str:
    return f"{org.code}_{USERNAME_SUFFIX[role]}"


def random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(10))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


@dataclass
class GeneratedAccount:
    org: Org
    role: str
    username: str
    password: str


def missing_unit_accounts(root: Org) -> list[tuple[Org, str]]:
    units = db.session.scalars(select(Org).where(Org.path.like(root.path + "%"), Org.legal_entity.is_(True),
                                                 Org.kind != "teaching_point").order_by(Org.path)).all()
    have = set(db.session.execute(select(User.org_id, User.role).where(User.role.in_(UNIT_ROLES))).all())
    return [(org, role) for org in units for role in UNIT_ROLES if (org.id, role) not in have]


def create_unit_accounts(root: Org, actor: User | None, *, password: str | None = None,
                         must_change: bool = True) -> list[GeneratedAccount]:
    """Create the missing accounts under `root`. A fixed `password` is for the demo only."""
    created = []
    shared_hash = None
    for org, role in missing_unit_accounts(root):
        pw = password or random_password()
        user = User(username=unit_username(org, role), display_name=f"{org.name}{ROLE_LABELS[role]}",
                    role=role, org_id=org.id, must_change_password=must_change)
        if password:
            # One hash for every demo account: hashing 555 times would only slow the demo load.
            if shared_hash is None:
                user.set_password(pw)
                shared_hash = user.password_hash
            user.password_hash = shared_hash
        else:
            user.set_password(pw)
        db.session.add(user)
        created.append(GeneratedAccount(org, role, user.username, pw))
    return created


def password_workbook(accounts: list[GeneratedAccount]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "初始密码"
    ws.append(["单位代码", "单位名称", "角色", "账号", "初始密码", "说明"])
    for a in accounts:
        ws.append([a.org.code, a.org.name, ROLE_LABELS[a.role], a.username, a.password, "首次登录须修改密码"])
    for col, width in zip("ABCDEF", (14, 34, 14, 22, 14, 18)):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def generate_unit_accounts(root: Org, actor: User | None) -> tuple[list[GeneratedAccount], PasswordSheet | None]:
    """One transaction: the accounts, the one-time password sheet and the audit entry."""
    with write_intent():
        accounts = create_unit_accounts(root, actor)
        sheet = None
        if accounts:
            sheet = PasswordSheet(org_id=root.id, created_by_id=actor.id if actor else None,
                                  account_count=len(accounts), content=password_workbook(accounts))
            db.session.add(sheet)
        db.session.flush()
        audit.record("accounts_generated", object_type="org", object_id=root.code, user=actor, org_id=root.id,
                     after={"count": len(accounts), "usernames": [a.username for a in accounts][:200],
                            "sheet": sheet.id if sheet else None})
        db.session.commit()
    return accounts, sheet


def pending_password_sheets(actor: User) -> list[PasswordSheet]:
    """The actor's initial-password sheets not downloaded yet (leaving the result page must not lose them)."""
    return list(db.session.scalars(select(PasswordSheet).where(
        PasswordSheet.created_by_id == actor.id, PasswordSheet.content.is_not(None)).order_by(PasswordSheet.id)))


def take_password_sheet(sheet_id: int, actor: User) -> bytes | None:
    """The sheet's bytes, once; afterwards the content is erased (the passwords exist nowhere else)."""
    with write_intent():
        sheet = db.session.get(PasswordSheet, sheet_id)
        if sheet is None or sheet.content is None or sheet.created_by_id != actor.id:
            db.session.rollback()
            return None
        content = sheet.content
        sheet.content = None
        sheet.downloaded_at = utcnow()
        audit.record("password_sheet_downloaded", object_type="password_sheet", object_id=sheet.id, user=actor)
        db.session.commit()
    return content


def generate_unit_accounts_cli(org_code: str, out: Path) -> int:
    import click
    root = db.session.scalars(select(Org).where(Org.code == org_code)).first()
    if root is None:
        click.echo(f"找不到单位代码 {org_code}，请先用 orgs import 导入组织机构", err=True)
        return 1
    accounts, sheet = generate_unit_accounts(root, None)
    if sheet is not None:
        out.write_bytes(take_password_sheet_for_cli(sheet.id))
        click.echo(f"已为 {root.name} 及下级单位生成 {len(accounts)} 个账号，初始密码已写入 {out}")
    else:
        click.echo("所有法人单位的账号均已存在，未生成新账号")
    return 0


def take_password_sheet_for_cli(sheet_id: int) -> bytes:
    with write_intent():
        sheet = db.session.get(PasswordSheet, sheet_id)
        content = sheet.content
        sheet.content = None
        sheet.downloaded_at = utcnow()
        audit.record("password_sheet_downloaded", object_type="password_sheet", object_id=sheet.id)
        db.session.commit()
    return content


def manageable_accounts_query(actor: User):
    """Accounts a system administrator manages: their own unit's, and the system administrators of units directly below."""
    return (select(User).join(Org, User.org_id == Org.id)
            .where((User.org_id == actor.org_id) | ((Org.parent_id == actor.org_id) & (User.role == ROLE_SYS_ADMIN)))
            .order_by(Org.code, User.role, User.username))


def own_reset_refusal(actor: User, user_id: int) -> str | None:
    """Never one's own account: a reset skips the old password /password asks for, so an unattended
    session could take the account over for good."""
    return "不能重置自己的密码：请在“修改密码”中输入原密码后修改" if user_id == actor.id else None


def reset_password(actor: User, user_id: int) -> tuple[User, str] | None:
    """A new initial password for an account the actor manages (not their own: `own_reset_refusal`)."""
    if own_reset_refusal(actor, user_id):
        return None
    with write_intent():
        target = db.session.scalars(manageable_accounts_query(actor).where(User.id == user_id)).first()
        if target is None:
            db.session.rollback()
            return None
        pw = random_password()
        target.set_password(pw)
        target.must_change_password = True
        audit.record("password_reset", object_type="user", object_id=target.id, user=actor)
        db.session.commit()
    return target, pw
