"""Notification rows: creating them once per recipient and event, and the in-app centre.

A notification is one row per recipient. Its `idempotency_key` is the event's key plus the
recipient ("task:<uuid>:remind|u12"), unique in the table, and rows are inserted with
ON CONFLICT DO NOTHING: a timer that fires again after a crash, a second scheduler or a repeated
tick can never notify anyone twice. A recipient with an e-mail address gets the row queued for
the outbox (`pending`), or held for the daily digest when they asked for one.

Not here: sending (mail.py), the digest (digest.py), the wording of deadline messages (deadlines.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models import Notification, NotificationContact, UnitManager, User, db
from models.scheduling import EMAIL_DIGEST, EMAIL_NONE, EMAIL_PENDING

N = Notification.__table__
PAGE_SIZE = 20


def insert_ignoring_duplicates(table):
    """INSERT … ON CONFLICT DO NOTHING for the session's database."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


U = User.__table__
M = UnitManager.__table__
C = NotificationContact.__table__


def users_with_role(org_id: int, role: str) -> list[int]:
    """Ids of the active users holding `role` in unit `org_id`."""
    return list(db.session.execute(select(U.c.id).where(U.c.org_id == org_id, U.c.role == role,
                                                        U.c.active.is_(True)).order_by(U.c.id)).scalars())


def managers_of(org_id: int) -> list:
    """The unit's active managers (rows with id, user_id, email, daily_digest)."""
    return list(db.session.execute(select(M.c.id, M.c.user_id, M.c.email, M.c.daily_digest)
                                   .where(M.c.org_id == org_id, M.c.active.is_(True)).order_by(M.c.id)))


def _contacts(user_ids) -> dict:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {c.user_id: c for c in db.session.execute(select(C.c.user_id, C.c.email, C.c.daily_digest)
                                                     .where(C.c.user_id.in_(ids)))}


def _status(email: str | None, digest: bool) -> str:
    if not email:
        return EMAIL_NONE
    return EMAIL_DIGEST if digest else EMAIL_PENDING


def notify(*, key: str, kind: str, title: str, body: str = "", org_id: int | None = None, link: str | None = None,
           users=(), managers=(), emails=(), attachment: bytes | None = None, attachment_name: str | None = None,
           now=None) -> int:
    """Queue one notification per recipient for event `key`; returns how many rows were new.
    Part of the caller's transaction (flushes, does not commit)."""
    from workflows import engine_now
    now = now or engine_now()
    base = {"kind": kind, "org_id": org_id, "title": title[:300], "body": body, "link": link, "created_at": now,
            "read_at": None, "email_attempts": 0, "attachment_name": None, "attachment": None,
            "recipient_user_id": None, "recipient_manager_id": None, "recipient_email": None}
    rows, seen_users = [], set()
    user_ids = [getattr(u, "id", u) for u in users]  # users or their ids
    contacts = _contacts(user_ids + [m.user_id for m in managers if m.user_id])
    for user_id in user_ids:
        if user_id in seen_users:
            continue
        seen_users.add(user_id)
        contact = contacts.get(user_id)
        email = contact.email if contact and contact.email else None
        rows.append({**base, "idempotency_key": f"{key}|u{user_id}"[:250], "recipient_user_id": user_id,
                     "recipient_email": email, "email_status": _status(email, bool(contact and contact.daily_digest))})
    for manager in managers:
        in_app = manager.user_id if manager.user_id not in seen_users else None
        rows.append({**base, "idempotency_key": f"{key}|m{manager.id}"[:250], "recipient_user_id": in_app,
                     "recipient_manager_id": manager.id, "recipient_email": manager.email,
                     "email_status": _status(manager.email, manager.daily_digest)})
    for email in emails:
        if not email:
            continue
        rows.append({**base, "idempotency_key": f"{key}|e{email.lower()}"[:250], "recipient_email": email,
                     "email_status": EMAIL_PENDING, "attachment": attachment, "attachment_name": attachment_name})
    if not rows:
        return 0
    db.session.flush()
    conn = db.session.connection()
    before = conn.execute(select(func.count()).select_from(N).where(
        N.c.idempotency_key.in_([r["idempotency_key"] for r in rows]))).scalar()
    conn.execute(insert_ignoring_duplicates(N), rows)
    return len(rows) - before


# ----------------------------------------------------------------------------- the centre

def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_user_id == user.id, Notification.read_at.is_(None))) or 0


@dataclass
class InboxPage:
    rows: list
    total: int
    page: int
    per_page: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def inbox(user, page: int = 1, unread_only: bool = False) -> InboxPage:
    conds = [Notification.recipient_user_id == user.id]
    if unread_only:
        conds.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*conds)) or 0
    rows = list(db.session.scalars(select(Notification).where(*conds).order_by(Notification.id.desc())
                                   .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return InboxPage(rows, total, page)


def notification_for(user, notification_id: int) -> Notification | None:
    found = db.session.get(Notification, notification_id)
    return found if found is not None and found.recipient_user_id == user.id else None


def mark_read(user, ids=None, now=None) -> int:
    """Mark the user's notifications `ids` (all when None) read. Flushes, does not commit."""
    from workflows import engine_now
    stmt = update(Notification).where(Notification.recipient_user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    return db.session.execute(stmt.values(read_at=now or engine_now()),
                              execution_options={"synchronize_session": False}).rowcount
