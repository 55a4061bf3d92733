"""Claiming a human task: a conditional UPDATE of its row, so two colleagues cannot both hold it.

A claimed task can be completed only by its claimer (instances.complete_task checks); claims are
not instance state changes and do not touch the instance row or its revision.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select, update

from models import HumanTask, utcnow

from . import events, lanes
from .errors import TaskClaimed
from .transactions import connection, expire_row

HT = HumanTask.__table__

_TASK_ROW = select(HT.c.id, HT.c.candidate_org_id, HT.c.candidate_role, HT.c.subject_teacher_id,
                   HT.c.claimed_by_id, HT.c.claimed_at).where(HT.c.id == bindparam("task_id"))


def _row_for(conn, task_id, user):
    row = conn.execute(_TASK_ROW, {"task_id": task_id}).first()
    if row is None:
        raise events.handled_error(conn, task_id)
    lanes.check_may_act(user, candidate_org_id=row.candidate_org_id, candidate_role=row.candidate_role,
                        subject_teacher_id=row.subject_teacher_id)
    return row


def _why_not(conn, task_id, user):
    row = conn.execute(_TASK_ROW, {"task_id": task_id}).first()
    if row is None:
        raise events.handled_error(conn, task_id)
    if row.claimed_by_id is not None and row.claimed_by_id != user.id:
        raise TaskClaimed(events.user_name(conn, row.claimed_by_id), events.aware(row.claimed_at))


def claim_task(task_id: int, user) -> None:
    """Claim a task so colleagues see it is being handled; only the claimer can then complete it."""
    conn = connection()
    row = _row_for(conn, task_id, user)
    if row.claimed_by_id == user.id:
        return
    count = conn.execute(update(HT).where(HT.c.id == task_id, HT.c.claimed_by_id.is_(None))
                         .values(claimed_by_id=user.id, claimed_at=utcnow())).rowcount
    if count != 1:
        _why_not(conn, task_id, user)
    expire_row(HumanTask, task_id)


def unclaim_task(task_id: int, user) -> None:
    """Give a claimed task back to the unit's queue (only its claimer can)."""
    conn = connection()
    row = _row_for(conn, task_id, user)
    if row.claimed_by_id is None:
        return
    count = conn.execute(update(HT).where(HT.c.id == task_id, HT.c.claimed_by_id == user.id)
                         .values(claimed_by_id=None, claimed_at=None)).rowcount
    if count != 1:
        _why_not(conn, task_id, user)
    expire_row(HumanTask, task_id)
