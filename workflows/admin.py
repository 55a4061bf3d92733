"""What a process administrator does to one running instance: look at it, suspend, resume,
terminate with a reason, and retry an errored one after fixing its data.

- `instance_view(id)`: the instance with its version's diagram, the elements already passed and the
  ones it waits at (for the highlighted viewer), its data and its event log.
- `suspend`: the instance keeps its state but leaves every inbox (its human task rows are removed)
  and the scheduler's sweep (`next_due_at` cleared; the sweep only fires `running` rows).
- `resume`: task rows are made again from the state (claims start afresh) and the next timer is
  armed; a timer that fell due meanwhile fires at the next sweep.
- `terminate`: final; no inbox, no timer. The state is kept to show where it stopped.
- `retry`: for an instance whose last engine run failed (a `timer_error` event after its last
  successful step): merge the corrected data into the tasks it waits at, run the engine, save.

Each is one transaction owned by the caller (flushes, never commits), saved under the instance's
optimistic revision, with a `workflow_events` row and an audit row.

Not here: completing tasks (instances.py), firing timers (the scheduler), moving an instance to
another version (migration.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, select, update

from SpiffWorkflow.util.task import TaskState

import audit
from models import HumanTask, ProcessDefinition, ProcessInstance, Teacher, WorkflowEvent, db, utcnow
from records import lifecycle

from . import actions, deploy, events, lanes, store, tasks, timers
from .errors import ConcurrentUpdate, InvalidTaskData, WorkflowError
from .instances import STATUS_COMPLETED, STATUS_RUNNING, _clean_data, _open_record_state, _run_engine
from .transactions import connection, expire_row, forget_row

STATUS_SUSPENDED = "suspended"
STATUS_TERMINATED = "terminated"
STATUS_LABELS = {STATUS_RUNNING: "运行中", STATUS_COMPLETED: "已完成", STATUS_SUSPENDED: "已挂起",
                 STATUS_TERMINATED: "已终止"}
ERROR_EVENTS = ("timer_error",)      # events that leave an instance errored until a later successful step
ADMIN_EVENTS = {"suspended": "挂起", "resumed": "恢复", "terminated": "终止", "retried": "重试",
                "migrated": "迁移版本"}

PI = ProcessInstance.__table__
PD = ProcessDefinition.__table__
HT = HumanTask.__table__
T = Teacher.__table__
WE = WorkflowEvent.__table__

_CURRENT_STATES = TaskState.READY | TaskState.WAITING | TaskState.STARTED


class InstanceActionRefused(WorkflowError):
    pass


# ----------------------------------------------------------------------------- reading

def _row(conn, instance_id: int):
    row = conn.execute(
        select(PI.c.id, PI.c.definition_id, PI.c.process_key, PI.c.subject_teacher_id, PI.c.subject_org_id,
               PI.c.status, PI.c.state, PI.c.revision, PD.c.content_hash, PD.c.version,
               T.c.org_id.label("teacher_org_id"))
        .select_from(PI.join(PD, PD.c.id == PI.c.definition_id).outerjoin(T, T.c.id == PI.c.subject_teacher_id))
        .where(PI.c.id == instance_id)).first()
    if row is None:
        raise InstanceActionRefused("流程实例不存在")
    return row


def _workflow(row):
    return store.load_state(row.state, deploy.deployed_spec(row.definition_id, row.content_hash))


def _all_tasks(wf):
    for workflow in (wf, *wf.subprocesses.values()):
        yield from workflow.tasks.values()


def element_states(wf) -> tuple[list[str], list[str]]:
    """(ids of diagram elements already passed, ids of elements the instance waits at)."""
    done, current = [], []
    for task in _all_tasks(wf):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED and bpmn_id not in done:
            done.append(bpmn_id)
        elif task.state & _CURRENT_STATES and bpmn_id not in current:
            current.append(bpmn_id)
    return done, current


def current_data(wf) -> dict:
    """The data the instance waits with (that of its first current task; the workflow's when none)."""
    for task in _all_tasks(wf):
        if task.state & _CURRENT_STATES and getattr(task.task_spec, "bpmn_id", None):
            return dict(task.data)
    return dict(wf.data)


def last_error(conn, instance_id: int) -> str | None:
    """The error of the instance's last engine run, if nothing succeeded since."""
    rows = conn.execute(select(WE.c.action, WE.c.detail).where(WE.c.instance_id == instance_id)
                        .order_by(WE.c.id.desc()).limit(20)).all()
    for action, detail in rows:
        if action in ERROR_EVENTS:
            return (detail or {}).get("error") or "运行出错"
        if action not in ("suspended", "resumed"):
            return None
    return None


@dataclass
class InstanceView:
    id: int
    process_key: str
    definition_id: int
    version: int
    status: str
    status_label: str
    revision: int
    subject_teacher_id: int | None
    subject_org_id: int | None
    done: list[str] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    error: str | None = None
    events: list = field(default_factory=list)
    tasks: list = field(default_factory=list)      # its human task rows (id, name, candidate unit, role)

    @property
    def data_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2, default=str)


def instance_view(instance_id: int) -> InstanceView:
    conn = db.session.connection()
    row = _row(conn, instance_id)
    wf = _workflow(row)
    done, current = element_states(wf)
    rows = conn.execute(select(HT.c.id, HT.c.task_key, HT.c.task_name, HT.c.candidate_org_id, HT.c.candidate_role,
                               HT.c.claimed_by_id, HT.c.created_at).where(HT.c.instance_id == instance_id)
                        .order_by(HT.c.id)).all()
    return InstanceView(row.id, row.process_key, row.definition_id, row.version, row.status,
                        STATUS_LABELS.get(row.status, row.status), row.revision, row.subject_teacher_id,
                        row.subject_org_id, done, current, current_data(wf), last_error(conn, instance_id),
                        events.instance_events(instance_id), rows)


# ----------------------------------------------------------------------------- acting

def _set(conn, row, **values) -> None:
    count = conn.execute(update(PI).where(PI.c.id == bindparam("b_id"), PI.c.revision == bindparam("b_rev"))
                         .values(revision=PI.c.revision + 1, updated_at=utcnow(), **values),
                         {"b_id": row.id, "b_rev": row.revision}).rowcount
    if count != 1:
        raise ConcurrentUpdate()
    expire_row(ProcessInstance, row.id)


def _log(conn, row, action: str, user, detail: dict) -> None:
    conn.execute(events.INSERT, [events.event_row(action, instance_id=row.id, user=user, now=utcnow(),
                                                  detail=detail)])
    audit.record(f"process.instance_{action}", object_type="process_instance", object_id=row.id, user=user,
                 before={"status": row.status, "revision": row.revision}, after=detail or None)


def _drop_task_rows(conn, instance_id: int) -> None:
    ids = conn.execute(select(HT.c.id).where(HT.c.instance_id == instance_id)).scalars().all()
    conn.execute(delete(HT).where(HT.c.instance_id == instance_id))
    for task_id in ids:
        forget_row(HumanTask, task_id)


def _require(row, *statuses, what: str) -> None:
    if row.status not in statuses:
        label = STATUS_LABELS.get(row.status, row.status)
        raise InstanceActionRefused(f"流程实例 {row.id} 当前{label}，不能{what}")


def suspend(instance_id: int, user, reason: str = "") -> None:
    conn = connection()
    row = _row(conn, instance_id)
    _require(row, STATUS_RUNNING, what="挂起")
    _set(conn, row, status=STATUS_SUSPENDED, next_due_at=None)
    _drop_task_rows(conn, instance_id)
    _log(conn, row, "suspended", user, {"reason": reason.strip()[:500]} if reason.strip() else {})


def resume(instance_id: int, user) -> None:
    conn = connection()
    row = _row(conn, instance_id)
    _require(row, STATUS_SUSPENDED, what="恢复")
    wf = _workflow(row)
    now = utcnow()
    _set(conn, row, status=STATUS_RUNNING, next_due_at=timers.next_due_at(wf))
    subject = lanes.Subject(row.subject_teacher_id, row.teacher_org_id, row.subject_org_id)
    tasks.sync_rows(conn, instance_id=row.id, definition_id=row.definition_id, process_key=row.process_key,
                    subject=subject, before=set(), ready=tasks.ready_user_tasks(wf), now=now)
    _log(conn, row, "resumed", user, {})


def terminate(instance_id: int, user, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTaskData("请填写终止原因")
    conn = connection()
    row = _row(conn, instance_id)
    _require(row, STATUS_RUNNING, STATUS_SUSPENDED, what="终止")
    _set(conn, row, status=STATUS_TERMINATED, next_due_at=None)
    _drop_task_rows(conn, instance_id)
    _log(conn, row, "terminated", user, {"reason": reason[:500]})


def retry(instance_id: int, user, data: dict | None = None) -> str:
    """Merge `data` into the tasks the instance waits at, run the engine (timers that are due fire),
    save. Returns the new status. Raises EngineError (element, line) when it fails again."""
    data = _clean_data(data)
    conn = connection()
    row = _row(conn, instance_id)
    _require(row, STATUS_RUNNING, what="重试")
    if last_error(conn, instance_id) is None:
        raise InstanceActionRefused(f"流程实例 {row.id} 没有出错，不需要重试")
    wf = _workflow(row)
    before = tasks.ready_uuids(wf)
    ctx = actions.OperationContext(row.id, row.subject_teacher_id, row.subject_org_id, getattr(user, "id", None))

    def step():
        for task in _all_tasks(wf):
            if task.state & _CURRENT_STATES:
                task.data.update(data)
        wf.refresh_timers()
        wf.do_engine_steps()

    _run_engine(ctx, step)
    now = utcnow()
    status = STATUS_COMPLETED if wf.is_completed() else STATUS_RUNNING
    _set(conn, row, state=store.dump_state(wf), status=status, next_due_at=timers.next_due_at(wf))
    ready = tasks.ready_user_tasks(wf)
    subject = lanes.Subject(row.subject_teacher_id, row.teacher_org_id, row.subject_org_id)
    opened = tasks.sync_rows(conn, instance_id=row.id, definition_id=row.definition_id, process_key=row.process_key,
                             subject=subject, before=before, ready=ready, now=now)
    if row.subject_teacher_id is not None and (opened or before - {t.uuid for t in ready}):
        lifecycle.after_step(row.subject_teacher_id, left_state=None, open_state=_open_record_state(ready),
                             now=now, conn=conn)
    ctx.apply_effects()
    _log(conn, row, "retried", user, {"data": data} if data else {})
    if status == STATUS_COMPLETED:
        conn.execute(events.INSERT, [events.event_row("finished", instance_id=row.id, user=user, now=now)])
    return status


# ----------------------------------------------------------------------------- listing (pages)

@dataclass
class InstanceRow:
    id: int
    status: str
    version: int
    definition_id: int
    subject: str
    updated_at: object
    tasks: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def instances(process_key: str, *, definition_id: int | None = None, status: str | None = None, q: str = "",
              page: int = 1, page_size: int = 50) -> tuple[list[InstanceRow], int]:
    """One page of a process's instances (newest activity first) and the total. `q`: a teacher's name
    (part of it) or ID number, or a unit's name (part) or code: the subject or the teacher's school."""
    from sqlalchemy import func, or_

    from models import Org
    O = Org.__table__
    S = Org.__table__.alias("school")   # the subject teacher's school: names repeat across a province
    where = [PI.c.process_key == process_key]
    q = (q or "").strip()[:50]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(T.c.name.like(like, escape="\\"), T.c.id_number == q.upper(), O.c.name.like(like, escape="\\"),
                         O.c.code == q, S.c.name.like(like, escape="\\"), S.c.code == q))
    if definition_id is not None:
        where.append(PI.c.definition_id == definition_id)
    if status:
        where.append(PI.c.status == status)
    joined = (PI.join(PD, PD.c.id == PI.c.definition_id).outerjoin(T, T.c.id == PI.c.subject_teacher_id)
              .outerjoin(O, O.c.id == PI.c.subject_org_id).outerjoin(S, S.c.id == T.c.org_id))
    total = db.session.scalar(select(func.count()).select_from(joined).where(*where))
    rows = db.session.execute(
        select(PI.c.id, PI.c.status, PD.c.version, PI.c.definition_id, T.c.name, O.c.name.label("org_name"),
               S.c.name.label("school_name"), PI.c.updated_at)
        .select_from(joined)
        .where(*where).order_by(PI.c.updated_at.desc(), PI.c.id.desc())
        .limit(page_size).offset((page - 1) * page_size)).all()
    out = [InstanceRow(r.id, r.status, r.version, r.definition_id,
                       f"{r.name}（{r.school_name}）" if r.name and r.school_name else r.name or r.org_name or "—",
                       r.updated_at)
           for r in rows]
    by_id = {r.id: r for r in out}
    if by_id:
        for instance_id, name in db.session.execute(select(HT.c.instance_id, HT.c.task_name)
                                                    .where(HT.c.instance_id.in_(list(by_id)))
                                                    .order_by(HT.c.id)).all():
            by_id[instance_id].tasks.append(name)
    return out, total or 0
