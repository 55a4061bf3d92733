"""Running instances: start them, complete their human tasks; load → act → engine steps → save.

Every state change is one transaction owned by the caller (these functions flush, never commit):
the instance state, its human task rows, the record lifecycle, the declared actions' effects and
the event log are written together. The save is optimistic: the instance row is updated only if
its revision is still the one loaded; otherwise the loser is told who handled the task, from the
event log. Call these through `run_in_transaction` (transactions.py).

Hot statements are SQLAlchemy Core, built once; ORM objects already loaded in the session for the
rows written here are expired (or detached, when deleted) so they are read fresh.

Not here: deploying (deploy.py), (de)serialising (store.py), lanes, task rows, timers, claims.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import OperationalError

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from models import HumanTask, ProcessDefinition, ProcessInstance, Teacher, db
from records import lifecycle

from . import actions, deploy, events, lanes, scripting, store, tasks, timers
from .errors import (
    ConcurrentUpdate,
    DefinitionNotFound,
    EngineError,
    InvalidTaskData,
    TaskAlreadyHandled,
    TaskClaimed,
    TaskNotFound,
    WorkflowError,
)
from .transactions import connection, expire_row, forget_row

PI = ProcessInstance.__table__
PD = ProcessDefinition.__table__
HT = HumanTask.__table__
T = Teacher.__table__

STATUS_RUNNING = "running"
STATUS_COMPLETED = "completed"


@dataclass
class OpenedTask:
    id: int
    task_key: str
    task_name: str
    candidate_org_id: int
    candidate_role: str


@dataclass
class CompletionResult:
    instance_id: int
    task_key: str
    task_name: str
    revision: int               # the instance's revision after this save
    status: str                 # "running" or "completed"
    opened: list[OpenedTask] = field(default_factory=list)  # human tasks that became ready


# ----------------------------------------------------------------------------- statements (built once)

_LOAD_TASK = (
    select(HT.c.id, HT.c.instance_id, HT.c.task_uuid, HT.c.task_key, HT.c.task_name, HT.c.candidate_org_id,
           HT.c.candidate_role, HT.c.subject_teacher_id, HT.c.claimed_by_id, HT.c.claimed_at,
           PI.c.definition_id, PI.c.process_key, PI.c.subject_teacher_id.label("pi_teacher_id"),
           PI.c.subject_org_id, PI.c.status, PI.c.state, PI.c.revision,
           PD.c.content_hash, T.c.org_id.label("teacher_org_id"), T.c.name.label("teacher_name"))
    .select_from(HT.join(PI, PI.c.id == HT.c.instance_id).join(PD, PD.c.id == PI.c.definition_id)
                 .outerjoin(T, T.c.id == PI.c.subject_teacher_id))
    .where(HT.c.id == bindparam("task_id"))
)

_SAVE = (
    update(PI)
    .where(PI.c.id == bindparam("b_id"), PI.c.revision == bindparam("b_loaded"))
    .values(state=bindparam("b_state"), revision=PI.c.revision + 1, status=bindparam("b_status"),
            next_due_at=bindparam("b_due"), updated_at=bindparam("b_now"))
)



# ----------------------------------------------------------------------------- helpers

def _clean_data(data) -> dict:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidTaskData("提交的数据格式不正确")
    for key in data:
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            raise InvalidTaskData(f"数据项名称不合法：{key!r}")
        if key in scripting.GLOBAL_NAMES:
            raise InvalidTaskData(f"数据项名称与流程内置函数重名：{key}")
    try:
        json.dumps(data)
    except (TypeError, ValueError):
        raise InvalidTaskData("提交的数据只能包含文字、数字、是/否、列表和字典") from None
    return data


def _engine_error(exc: Exception) -> WorkflowError:
    inner = getattr(exc, "exception", None)
    if isinstance(inner, WorkflowError):
        return inner
    task = getattr(exc, "task", None)
    spec = task.task_spec if task is not None else getattr(exc, "task_spec", None)
    key = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    name = getattr(spec, "bpmn_name", None)
    line = getattr(exc, "line_number", None) or None
    if isinstance(inner, NameError):
        msg = f"流程数据中缺少 {getattr(inner, 'name', '') or inner}"
    elif isinstance(exc, WorkflowTaskException) and inner is not None:
        msg = f"运行出错（{type(inner).__name__}: {inner}）"
    elif "No conditions satisfied" in str(exc) or "no outputs" in str(exc).lower():
        msg = "没有满足条件的分支，请检查提交的数据"
    else:
        msg = f"运行出错（{exc}）"
    return EngineError(msg, key, name, line if isinstance(line, int) else None)


def _run_engine(ctx: actions.OperationContext, step) -> None:
    with actions.operation(ctx):
        try:
            step()
        except WorkflowError:
            raise
        except (SpiffWorkflowException, Exception) as exc:  # scripts can raise anything
            raise _engine_error(exc) from exc


def _record_state(properties: dict | None) -> str | None:
    return (properties or {}).get("record_state")


def _open_record_state(ready: list[tasks.ReadyTask]) -> str | None:
    for task in ready:
        state = _record_state(task.properties)
        if state:
            return state
    return None


# ----------------------------------------------------------------------------- start

def _teacher_org_ids(conn, teacher_ids) -> dict[int, int]:
    ids = [t for t in set(teacher_ids) if t is not None]
    found = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        found.update(conn.execute(select(T.c.id, T.c.org_id).where(T.c.id.in_(chunk))).all())
    return found


_CURRENT = select(PD.c.id, PD.c.process_key, PD.c.content_hash).where(
    PD.c.process_key == bindparam("key"), PD.c.is_current.is_(True))


def _current(conn, process_key: str):
    found = conn.execute(_CURRENT, {"key": process_key}).first()
    if found is None:
        raise DefinitionNotFound(process_key)
    return found


def _start_one(conn, definition, deployed: store.DeployedSpec, *, subject: lanes.Subject,
               data: dict, user, now: dt.datetime) -> int:
    wf = store.new_workflow(deployed)
    start = wf.get_tasks(state=TaskState.READY)
    for task in start:
        task.data.update(data)
    ctx = actions.OperationContext(None, subject.teacher_id, subject.org_id, getattr(user, "id", None))
    _run_engine(ctx, wf.do_engine_steps)
    ready = tasks.ready_user_tasks(wf)
    completed = wf.is_completed()
    instance_id = conn.execute(insert(PI).values(
        definition_id=definition.id, process_key=definition.process_key, subject_teacher_id=subject.teacher_id,
        subject_org_id=subject.org_id, status=STATUS_COMPLETED if completed else STATUS_RUNNING,
        state=store.dump_state(wf), revision=1, next_due_at=timers.next_due_at(wf), created_at=now, updated_at=now,
    )).inserted_primary_key[0]
    ctx.instance_id = instance_id
    ctx.apply_effects()
    if subject.teacher_id is not None:
        lifecycle.after_step(subject.teacher_id, left_state=None, open_state=_open_record_state(ready),
                             data=data, now=now, conn=conn)
    tasks.sync_rows(conn, instance_id=instance_id, definition_id=definition.id, process_key=definition.process_key,
                    subject=subject, before=set(), ready=ready, now=now)
    log = [events.event_row("started", instance_id=instance_id, user=user, now=now,
                            detail={"data": data} if data else {})]
    if completed:
        log.append(events.event_row("finished", instance_id=instance_id, user=user, now=now))
    conn.execute(events.INSERT, log)
    return instance_id


def start_instance(process_key: str, *, subject_teacher_id: int | None = None, subject_org_id: int | None = None,
                   data: dict | None = None, user=None) -> ProcessInstance:
    """Start the current version of `process_key` and run it to its first wait. Flushes, does not commit."""
    ids = start_instances(process_key, [{"subject_teacher_id": subject_teacher_id, "subject_org_id": subject_org_id,
                                         "data": data}], user=user)
    return db.session.get(ProcessInstance, ids[0])


def start_instances(process_key: str, subjects, *, user=None) -> list[int]:
    """Bulk start: one instance per item of `subjects` (dicts with subject_teacher_id / subject_org_id /
    data). The spec is restored once and the teachers' schools fetched in one query; each instance
    still runs its own engine steps (no state cloning, so scripts and timers stay exact).
    Returns the new instance ids in order. Flushes, does not commit."""
    subjects = list(subjects)
    conn = connection()
    definition = _current(conn, process_key)
    deployed = deploy.deployed_spec(definition.id, definition.content_hash)
    schools = _teacher_org_ids(conn, [s.get("subject_teacher_id") for s in subjects])
    now = timers.now()
    out = []
    for item in subjects:
        teacher_id = item.get("subject_teacher_id")
        if teacher_id is not None and teacher_id not in schools:
            raise InvalidTaskData(f"教师 {teacher_id} 不存在")
        subject = lanes.Subject(teacher_id, schools.get(teacher_id), item.get("subject_org_id"))
        out.append(_start_one(conn, definition, deployed, subject=subject, data=_clean_data(item.get("data")),
                              user=user, now=now))
    return out


# ----------------------------------------------------------------------------- complete

def _save(conn, instance_id: int, loaded: int, wf, now) -> tuple[int, str]:
    status = STATUS_COMPLETED if wf.is_completed() else STATUS_RUNNING
    params = {"b_id": instance_id, "b_loaded": loaded, "b_state": store.dump_state(wf), "b_status": status,
              "b_due": timers.next_due_at(wf), "b_now": now}
    try:
        count = conn.execute(_SAVE, params).rowcount
    except OperationalError as exc:
        # SQLite: a deferred transaction whose snapshot went stale cannot write ("database is locked");
        # PostgreSQL: serialization failure / deadlock. Either way, start again.
        sqlstate = getattr(exc.orig, "sqlstate", None)
        if "locked" in str(exc.orig).lower() or sqlstate in ("40001", "40P01"):
            raise ConcurrentUpdate() from exc
        raise
    return count, status


def complete_task(task_id: int, user, data: dict | None, *, expected_revision: int | None = None,
                  guard=None) -> CompletionResult:
    """Complete human task `task_id` as `user` with form `data`, run the engine, save.

    `guard(row)`, when given, is called with the loaded task row (id, task_uuid, task_key, task_name,
    candidate_org_id, candidate_role, subject_teacher_id, claimed_by_id, teacher_name) before anything
    runs; it raises to refuse and may write in the same transaction. The caller's own checks thus
    need no second read of the task (the review path's hot spot).

    Raises TaskAlreadyHandled (naming who handled it) when the task is gone or another save won,
    NotAllowed, TaskClaimed, ConcurrentUpdate, InvalidTaskData, EngineError. Flushes, does not commit:
    the caller commits, and must roll back on any exception (run_in_transaction does both).
    """
    data = _clean_data(data)
    conn = connection()
    row = conn.execute(_LOAD_TASK, {"task_id": task_id}).first()
    if row is None:
        raise events.handled_error(conn, task_id)
    if guard is not None:
        guard(row)
    lanes.check_may_act(user, candidate_org_id=row.candidate_org_id, candidate_role=row.candidate_role,
                        subject_teacher_id=row.subject_teacher_id)
    if row.claimed_by_id is not None and row.claimed_by_id != user.id:
        raise TaskClaimed(events.user_name(conn, row.claimed_by_id), events.aware(row.claimed_at))
    if expected_revision is not None and expected_revision != row.revision:
        raise ConcurrentUpdate()

    deployed = deploy.deployed_spec(row.definition_id, row.content_hash)
    wf = store.load_state(row.state, deployed)
    try:
        task = wf.get_task_from_id(UUID(row.task_uuid))
    except Exception:
        task = None
    if task is None or task.state != TaskState.READY:
        # Spiff's Task.run does not check state: never run a task twice.
        raise events.handled_error(conn, task_id) if task is not None else TaskNotFound(task_id)
    before = tasks.ready_uuids(wf)
    left_state = _record_state((task.task_spec.extensions or {}).get("properties"))

    ctx = actions.OperationContext(row.instance_id, row.pi_teacher_id, row.subject_org_id, user.id)

    def step():
        task.data.update(data)
        task.run()
        wf.do_engine_steps()

    _run_engine(ctx, step)
    ready = tasks.ready_user_tasks(wf)
    now = timers.now()
    count, status = _save(conn, row.instance_id, row.revision, wf, now)
    if count != 1:
        error = events.handled_error(conn, task_id)
        raise error if isinstance(error, TaskAlreadyHandled) else ConcurrentUpdate()

    ctx.apply_effects()
    if row.pi_teacher_id is not None:
        lifecycle.after_step(row.pi_teacher_id, left_state=left_state, open_state=_open_record_state(ready),
                             data=data, now=now, conn=conn, instance_id=row.instance_id)
    subject = lanes.Subject(row.pi_teacher_id, row.teacher_org_id, row.subject_org_id)
    opened = tasks.sync_rows(conn, instance_id=row.instance_id, definition_id=row.definition_id,
                             process_key=row.process_key, subject=subject, before=before, ready=ready, now=now)
    log = [events.event_row("completed", instance_id=row.instance_id, user=user, now=now, task_uuid=row.task_uuid,
                            task_key=row.task_key, task_name=row.task_name, human_task_id=row.id,
                            detail={"data": data})]
    if status == STATUS_COMPLETED:
        log.append(events.event_row("finished", instance_id=row.instance_id, user=user, now=now,
                                    detail={"actions": ctx.actions_called} if ctx.actions_called else None))
    conn.execute(events.INSERT, log)
    expire_row(ProcessInstance, row.instance_id)
    forget_row(HumanTask, row.id)
    return CompletionResult(
        row.instance_id, row.task_key, row.task_name, row.revision + 1, status,
        [OpenedTask(t.human_task_id, t.key, t.name, t.candidate_org_id, t.candidate_role) for t in opened],
    )
