"""The event log of instances: writing rows, reading an instance's history, and answering
"who handled task N?" once the task's row is gone.

Every state change writes its events in the same transaction as the state (instances.py).
Not here: the audit log of the application (audit/).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select

from models import User, WorkflowEvent, db

from .errors import TaskAlreadyHandled, TaskNotFound, WorkflowError

WE = WorkflowEvent.__table__
U = User.__table__

INSERT = insert(WE)

_HANDLED = (
    select(WE.c.created_at, WE.c.task_name, WE.c.detail, U.c.display_name)
    .select_from(WE.outerjoin(U, U.c.id == WE.c.user_id))
    .where(WE.c.human_task_id == bindparam("task_id"), WE.c.action == "completed")
    .order_by(WE.c.id.desc()).limit(1)
)


@dataclass
class EventView:
    id: int
    instance_id: int
    action: str                 # started / completed / finished
    task_key: str | None
    task_name: str | None
    user_id: int | None
    user_name: str | None
    detail: dict                # {"data": what the user submitted, "user_name": ..., ...}
    created_at: dt.datetime     # aware UTC
    human_task_id: int | None = None


def aware(when: dt.datetime | None) -> dt.datetime | None:
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def event_row(action, *, instance_id, user, now, task_uuid=None, task_key=None, task_name=None,
              human_task_id=None, detail=None) -> dict:
    detail = dict(detail or {})
    if user is not None:
        detail.setdefault("user_name", getattr(user, "display_name", None))
    return {"instance_id": instance_id, "task_uuid": task_uuid, "task_key": task_key, "task_name": task_name,
            "action": action, "user_id": getattr(user, "id", None), "human_task_id": human_task_id,
            "detail": detail, "created_at": now}


def user_name(conn, user_id) -> str | None:
    if user_id is None:
        return None
    return conn.execute(select(U.c.display_name).where(U.c.id == user_id)).scalar()


def handled_error(conn, task_id) -> WorkflowError:
    """Why a task row is gone: handled by someone (named from the event log), or never existed."""
    found = conn.execute(_HANDLED, {"task_id": task_id}).first()
    if found is None:
        return TaskNotFound(task_id)
    name = found.display_name or (found.detail or {}).get("user_name")
    return TaskAlreadyHandled(name, aware(found.created_at), found.task_name)


def instance_events(instance_id: int) -> list[EventView]:
    """The event log of one instance, oldest first, with the acting user's current name."""
    rows = db.session.execute(
        select(WE.c.id, WE.c.instance_id, WE.c.action, WE.c.task_key, WE.c.task_name, WE.c.user_id,
               WE.c.detail, WE.c.created_at, WE.c.human_task_id, U.c.display_name)
        .select_from(WE.outerjoin(U, U.c.id == WE.c.user_id))
        .where(WE.c.instance_id == instance_id).order_by(WE.c.id)
    ).all()
    return [EventView(r.id, r.instance_id, r.action, r.task_key, r.task_name, r.user_id,
                      r.display_name or (r.detail or {}).get("user_name"), r.detail or {}, aware(r.created_at),
                      r.human_task_id) for r in rows]
