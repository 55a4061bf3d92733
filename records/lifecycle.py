"""The teacher-record states the review flow drives, and making a record effective.

The engine tells us, after each step, which record state the flow has reached: each user task of
the collection diagram carries a `record_state` property (fill: draft, school review: submitted,
authority review: school_approved). `after_step` turns that into Teacher columns:

- leaving the fill task sets submitted_at (and clears an old return reason);
- the fill task reopened after a review means the record was returned: state "returned" with
  return_reason (the reason also stays in the workflow event log), and the basic information as it
  stood at the return is kept as a `returned` row of the instance's event log (RETURN_SNAPSHOT), so
  the next review can mark what the filler changed since (records.history.since_return);
- otherwise the state is the open task's record_state.

`make_effective` (called through the diagram's `make_effective()` action) marks the record
effective and appends a RecordVersion snapshot (and the set rows as RecordVersionItems),
numbered previous + 1; versions are never changed.

Writes are Core statements on the current session's connection (this runs inside every review);
a Teacher already loaded in the session is expired so it is read fresh.

Not here: indicator sets, editing and import of record data (records/indicators.py and friends).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm.util import identity_key

from models import RecordItem, RecordVersion, Teacher, WorkflowEvent, db, utcnow
from models.teachers import IDENTITY_COLUMNS, STATE_DRAFT, STATE_EFFECTIVE, STATE_RETURNED, basic_with_identity

T = Teacher.__table__
RV = RecordVersion.__table__
WE = WorkflowEvent.__table__
RI = RecordItem.__table__

# workflow_events.action of the record kept at a return
# (detail: {"basic": {key: value}, "items": {item id: [set key, {key: value}]}}).
RETURN_SNAPSHOT = "returned"


def _expire_loaded(session, teacher_id: int, columns) -> None:
    """Make a Teacher already loaded in the session re-read the columns written here (only those:
    expiring the whole object would also drop any unsaved edit of the caller)."""
    obj = session.identity_map.get(identity_key(Teacher, teacher_id))
    if obj is not None:
        session.expire(obj, list(columns))


def _conn():
    session = db.session()
    session.flush()  # Core statements below must see the caller's pending ORM changes
    return session.connection()


def after_step(teacher_id: int, *, left_state: str | None, open_state: str | None, data: dict | None = None,
               now: dt.datetime | None = None, conn=None, instance_id: int | None = None) -> dict:
    """Apply the state the flow reached; returns the values written (empty when nothing changes).

    left_state: record_state of the task just completed (None when the flow just started);
    open_state: record_state of the user task now open (None when no such task is open).
    """
    values = state_values(left_state=left_state, open_state=open_state, data=data, now=now or utcnow())
    if values:
        conn = conn or _conn()
        if values.get("state") == STATE_RETURNED and instance_id is not None:
            keep_returned_values(conn, teacher_id, instance_id, values["updated_at"])
        conn.execute(_update_for(tuple(sorted(values))), {"b_id": teacher_id, **values})
        _expire_loaded(db.session(), teacher_id, values)
    return values


def keep_returned_values(conn, teacher_id: int, instance_id: int, now: dt.datetime) -> None:
    """Keep the basic information and the set rows as they stand at a return, on the event log of the
    instance that returned it. Only returns pay for this: approvals never come here."""
    row = conn.execute(select(T.c.basic, *(T.c[c] for c in IDENTITY_COLUMNS)).where(T.c.id == teacher_id)).one()
    snapshot = basic_with_identity(row.basic, {c: row._mapping[c] for c in IDENTITY_COLUMNS})
    items = {str(i.id): [i.set_key, i.values] for i in conn.execute(
        select(RI.c.id, RI.c.set_key, RI.c["values"]).where(RI.c.teacher_id == teacher_id))}
    conn.execute(insert(WE).values(instance_id=instance_id, action=RETURN_SNAPSHOT,
                                   detail={"basic": snapshot, "items": items}, created_at=now))


_UPDATES: dict[tuple, object] = {}


def _update_for(columns: tuple):
    """UPDATE teachers SET <columns> WHERE id = :b_id, built once per set of columns (hot path)."""
    stmt = _UPDATES.get(columns)
    if stmt is None:
        stmt = _UPDATES[columns] = update(T).where(T.c.id == bindparam("b_id")).values(
            {name: bindparam(name) for name in columns})
    return stmt


def state_values(*, left_state, open_state, data, now) -> dict:
    values: dict = {}
    if left_state == STATE_DRAFT:
        values["submitted_at"] = now
        values["return_reason"] = None
    if open_state == STATE_DRAFT and left_state not in (None, STATE_DRAFT):
        values["state"] = STATE_RETURNED
        values["return_reason"] = ((data or {}).get("reason") or "").strip() or None
    elif open_state:
        values["state"] = open_state
    if values:
        values["updated_at"] = now
    return values


def make_effective(teacher_id: int, reviewer_user_id: int | None, *, now: dt.datetime | None = None) -> int:
    """Mark the record effective and snapshot it as a new version; returns the version number."""
    now = now or utcnow()
    conn = _conn()
    row = conn.execute(select(T.c.basic, T.c.filled_by_id).where(T.c.id == teacher_id)).one()
    last = conn.execute(select(func.max(RV.c.number)).where(RV.c.teacher_id == teacher_id)).scalar()
    number = (last or 0) + 1
    conn.execute(insert(RV).values(
        teacher_id=teacher_id, number=number, basic=row.basic or {}, filled_by_id=row.filled_by_id,
        reviewed_by_id=reviewer_user_id, created_at=now,
    ))
    values = dict(state=STATE_EFFECTIVE, effective_at=now, return_reason=None, updated_at=now)
    conn.execute(update(T).where(T.c.id == teacher_id).values(**values))
    from .identity import assign_personal_number
    if assign_personal_number(teacher_id, now, conn):
        values["personal_number"] = None  # expire the loaded column too
    from .items import snapshot_for_version  # records.items imports this module's neighbours
    snapshot_for_version(teacher_id, number, now=now, conn=conn)
    _expire_loaded(db.session(), teacher_id, values)
    return number
