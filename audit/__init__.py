"""Writing the audit log. Every write operation calls `audit.record(...)` in its own transaction.

Rows are append-only: the application has no code path that updates or deletes them
(except the documented purge of rows older than the retention period).
"""
from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user

from sqlalchemy import insert

from models import AuditEntry, db
from models.db import utcnow


def _client_ip() -> str | None:
    if not has_request_context():
        return "cli"
    return request.remote_addr


_INSERT = insert(AuditEntry.__table__)


def record(action: str, *, object_type: str | None = None, object_id=None, before=None, after=None,
           user=None, org_id: int | None = None) -> None:
    """Append one row in the caller's transaction (it commits or rolls back with the change it describes)."""
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    # A plain INSERT rather than an ORM object: every write carries one, and the unit of work cost
    # more than the statement. Flush first so that rows it may name (a unit or an account made in
    # this transaction) are in the database before it.
    db.session.flush()
    db.session.execute(_INSERT, {
        "user_id": user.id if user is not None else None,
        "org_id": org_id if org_id is not None else (user.org_id if user is not None else None),
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "before": before,
        "after": after,
        "ip": _client_ip(),
        "created_at": utcnow(),
    })


def diff(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys that changed, for compact before/after entries."""
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
