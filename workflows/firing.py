"""Firing due timers: claim one due instance under a row lock, run its timers, save.

`fire_next_due(now)` is one unit of the scheduler's sweep, run inside the caller's writer
transaction (use `run_in_transaction`):

1. pick the instance with the earliest `next_due_at` < now (strict, as Spiff fires only once a
   timer's time is past) and lock it: `FOR UPDATE SKIP LOCKED` on PostgreSQL, so a second
   scheduler takes the next one instead of waiting or firing the same; on SQLite the writer
   transaction (BEGIN IMMEDIATE) already serialises schedulers;
2. restore it, `refresh_timers()` + `do_engine_steps()` with the engine clock at `now`;
3. save it under the optimistic revision check (a reviewer completing the task at the same
   moment is not lost: one of the two transactions retries), sync the human task rows, write a
   `timer` event naming the timers that fired, then apply the declared actions' effects
   (reminders, escalations).

The row's new `next_due_at` is the next pending timer, or NULL; the sweep only ever reads due
rows through the index on `next_due_at`, so waiting instances cost nothing.

`defer_timers(instance_id, until, error)` moves an instance that failed to fire out of the way
(and logs why) so one broken instance never stalls the sweep. `pending_timers(instance_id)`
lists an instance's waiting timers (element id, name, due time) for pages and report rows.

Not here: the scheduler loop and its output (scheduler/), what remind/escalate do (notifications/).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select, update

from models import ProcessDefinition, ProcessInstance, Teacher, WorkflowEvent
from records import lifecycle

from . import actions, deploy, events, lanes, store, tasks, timers
from .errors import ConcurrentUpdate, WorkflowError
from .instances import STATUS_COMPLETED, STATUS_RUNNING, _open_record_state, _run_engine, _save
from .transactions import connection, expire_row

PI = ProcessInstance.__table__
PD = ProcessDefinition.__table__
T = Teacher.__table__
WE = WorkflowEvent.__table__


@dataclass
class FiredTimers:
    instance_id: int
    process_key: str
    subject_teacher_id: int | None
    subject_org_id: int | None
    timers: list[tuple[str, str]] = field(default_factory=list)   # (element id, name) of each timer that fired
    opened: list[str] = field(default_factory=list)               # names of user tasks that became ready
    status: str = STATUS_RUNNING
    next_due_at: dt.datetime | None = None


class TimerFailed(WorkflowError):
    def __init__(self, instance_id: int, cause: Exception):
        super().__init__(f"流程实例 {instance_id} 的计时器触发失败：{cause}")
        self.instance_id = instance_id
        self.cause = cause


_COLUMNS = (PI.c.id, PI.c.definition_id, PI.c.process_key, PI.c.subject_teacher_id, PI.c.subject_org_id,
            PI.c.state, PI.c.revision, PD.c.content_hash)


def _claim(conn, now: dt.datetime, exclude):
    query = (select(PI.c.id).where(PI.c.next_due_at < now, PI.c.status == STATUS_RUNNING)
             .order_by(PI.c.next_due_at, PI.c.id).limit(1))
    if exclude:
        query = query.where(PI.c.id.not_in(list(exclude)))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return conn.execute(query).scalar()


def fire_next_due(now: dt.datetime, *, exclude=()) -> FiredTimers | None:
    """Claim and fire the earliest due instance (not in `exclude`); None when nothing is due.
    Flushes, does not commit. Raises TimerFailed (with the instance id) when its engine fails."""
    now = timers.as_utc(now)
    conn = connection()
    instance_id = _claim(conn, now, exclude)
    if instance_id is None:
        return None
    try:
        return fire_instance(instance_id, now)
    except ConcurrentUpdate:
        raise
    except Exception as exc:  # engine or effect failure: the caller rolls back and defers this instance
        raise TimerFailed(instance_id, exc) from exc


def fire_instance(instance_id: int, now: dt.datetime) -> FiredTimers:
    """Fire the due timers of one instance (already locked by the caller's transaction)."""
    conn = connection()
    row = conn.execute(select(*_COLUMNS, T.c.org_id.label("teacher_org_id"))
                       .select_from(PI.join(PD, PD.c.id == PI.c.definition_id)
                                    .outerjoin(T, T.c.id == PI.c.subject_teacher_id))
                       .where(PI.c.id == instance_id)).one()
    deployed = deploy.deployed_spec(row.definition_id, row.content_hash)
    wf = store.load_state(row.state, deployed)
    waiting_before = timers.waiting_timers(wf)
    before = tasks.ready_uuids(wf)
    ctx = actions.OperationContext(row.id, row.subject_teacher_id, row.subject_org_id, None)

    def step():
        wf.refresh_timers()
        wf.do_engine_steps()

    with timers.frozen(now):
        _run_engine(ctx, step)
    waiting_after = timers.waiting_timers(wf)
    fired = [(key, name) for uuid, (key, name, _due) in waiting_before.items() if uuid not in waiting_after]
    ready = tasks.ready_user_tasks(wf)
    count, status = _save(conn, row.id, row.revision, wf, now)
    if count != 1:
        raise ConcurrentUpdate()
    subject = lanes.Subject(row.subject_teacher_id, row.teacher_org_id, row.subject_org_id)
    with timers.frozen(now):
        opened = tasks.sync_rows(conn, instance_id=row.id, definition_id=row.definition_id,
                                 process_key=row.process_key, subject=subject, before=before, ready=ready, now=now)
    if row.subject_teacher_id is not None and (opened or before - {t.uuid for t in ready}):
        lifecycle.after_step(row.subject_teacher_id, left_state=None, open_state=_open_record_state(ready),
                             now=now, conn=conn)
    log = [events.event_row("timer", instance_id=row.id, user=None, now=now,
                            detail={"timers": [name for _key, name in fired],
                                    "opened": [t.name for t in opened]})]
    if status == STATUS_COMPLETED:
        log.append(events.event_row("finished", instance_id=row.id, user=None, now=now))
    conn.execute(events.INSERT, log)
    with timers.frozen(now):
        ctx.apply_effects()
    expire_row(ProcessInstance, row.id)
    return FiredTimers(row.id, row.process_key, row.subject_teacher_id, row.subject_org_id, fired,
                       [t.name for t in opened], status, timers.next_due_at(wf))


def defer_timers(instance_id: int, until: dt.datetime, error: str) -> None:
    """Move a failing instance's next wake-up to `until` and log the error. Flushes, does not commit."""
    conn = connection()
    conn.execute(update(PI).where(PI.c.id == bindparam("b_id")).values(next_due_at=bindparam("b_until")),
                 {"b_id": instance_id, "b_until": until})
    conn.execute(events.INSERT, [events.event_row("timer_error", instance_id=instance_id, user=None,
                                                  now=timers.now(), detail={"error": error[:2000]})])
    expire_row(ProcessInstance, instance_id)


def pending_timers(instance_id: int) -> list[tuple[str, str, dt.datetime | None]]:
    """The timers an instance waits on: [(element id, name, due time)], earliest first."""
    conn = connection()
    row = conn.execute(select(*_COLUMNS).select_from(PI.join(PD, PD.c.id == PI.c.definition_id))
                       .where(PI.c.id == instance_id)).one()
    wf = store.load_state(row.state, deploy.deployed_spec(row.definition_id, row.content_hash))
    found = list(timers.waiting_timers(wf).values())
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return sorted(found, key=lambda t: t[2] or far)


def due_count(now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many running instances have a timer due before `now`, and the oldest due time (for lag)."""
    from sqlalchemy import func

    from models import db
    row = db.session.execute(select(func.count(), func.min(PI.c.next_due_at))
                       .where(PI.c.next_due_at < timers.as_utc(now), PI.c.status == STATUS_RUNNING)).one()
    oldest = row[1]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=dt.timezone.utc)
    return row[0], oldest
