"""Human task rows: one per READY user task of an instance, kept in step after every engine run.

The rows are what inboxes query (candidate unit + role, claim, due times); an inbox never
deserialises a workflow. After each step instances.py calls `sync_rows`: rows of tasks that are
no longer ready are deleted, rows for newly ready tasks are inserted, rows of tasks still ready
are left alone (so a claim survives).

`task_info(task_id)` gives a task form what it needs (documentation, properties) from the row and
the cached spec, still without deserialising the instance.

Not here: completing a task (instances.py), claiming one (claims.py), lane declarations (lanes.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, insert, select

from SpiffWorkflow.util.task import TaskState

from models import HumanTask, ProcessDefinition, ProcessInstance, db

from . import events, lanes, timers

HT = HumanTask.__table__
PI = ProcessInstance.__table__
PD = ProcessDefinition.__table__
_DELETE_GONE = delete(HT).where(HT.c.instance_id == bindparam("instance_id"),
                                HT.c.task_uuid.not_in(bindparam("ready", expanding=True)))
_DELETE_ALL = delete(HT).where(HT.c.instance_id == bindparam("instance_id"))
_INSERT = insert(HT)


@dataclass
class ReadyTask:
    uuid: str
    key: str
    name: str
    lane: str | None
    properties: dict = field(default_factory=dict)
    human_task_id: int | None = None
    candidate_org_id: int | None = None
    candidate_role: str | None = None


def _ready_manual(workflow):
    """READY user/manual tasks of the workflow and its subprocesses, in creation order.

    Same result as workflow.get_tasks(state=READY, manual=True), without walking the tree with
    Spiff's iterator (this runs twice in every review)."""
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.tasks.values():
            if task.state == TaskState.READY and task.task_spec.manual:
                yield task


def ready_user_tasks(workflow) -> list[ReadyTask]:
    out = []
    for task in _ready_manual(workflow):
        spec = task.task_spec
        key = spec.bpmn_id or spec.name
        props = (getattr(spec, "extensions", None) or {}).get("properties") or {}
        out.append(ReadyTask(str(task.id), key, spec.bpmn_name or key, spec.lane, props))
    return out


def ready_uuids(workflow) -> set[str]:
    return {str(t.id) for t in _ready_manual(workflow)}


def row_values(ready: ReadyTask, *, instance_id, definition_id, process_key, subject: lanes.Subject,
               now: dt.datetime, resolved: dict) -> dict:
    if ready.lane not in resolved:
        resolved[ready.lane] = lanes.resolve(ready.lane, subject, ready.key)
    org_id, role = resolved[ready.lane]
    ready.candidate_org_id, ready.candidate_role = org_id, role
    due, remind = timers.task_due_times(ready.properties, now)
    return {
        "instance_id": instance_id, "definition_id": definition_id, "task_uuid": ready.uuid,
        "process_key": process_key, "task_key": ready.key, "task_name": ready.name[:200],
        "lane": ready.lane, "candidate_org_id": org_id, "candidate_role": role,
        "subject_teacher_id": subject.teacher_id, "subject_org_id": subject.org_id,
        "claimed_by_id": None, "claimed_at": None, "due_at": due, "remind_at": remind, "created_at": now,
    }


def sync_rows(conn, *, instance_id: int, definition_id: int, process_key: str, subject: lanes.Subject,
              before: set[str], ready: list[ReadyTask], now: dt.datetime) -> list[ReadyTask]:
    """Bring the instance's rows in line with `ready`; returns the newly inserted tasks (with ids)."""
    ready_ids = [t.uuid for t in ready]
    if before - set(ready_ids):
        if ready_ids:
            conn.execute(_DELETE_GONE, {"instance_id": instance_id, "ready": ready_ids})
        else:
            conn.execute(_DELETE_ALL, {"instance_id": instance_id})
    resolved: dict = {}
    new = [t for t in ready if t.uuid not in before]
    for task in new:
        values = row_values(task, instance_id=instance_id, definition_id=definition_id,
                            process_key=process_key, subject=subject, now=now, resolved=resolved)
        task.human_task_id = conn.execute(_INSERT, values).inserted_primary_key[0]
    return new


@dataclass
class TaskInfo:
    """What a task form needs, without deserialising the instance."""

    id: int
    instance_id: int
    task_key: str
    task_name: str
    documentation: str | None
    properties: dict
    lane: str | None
    candidate_org_id: int
    candidate_role: str
    subject_teacher_id: int | None
    subject_org_id: int | None
    claimed_by_id: int | None
    revision: int               # pass back as complete_task(expected_revision=...) to refuse stale forms


def task_info(task_id: int) -> TaskInfo:
    from .deploy import deployed_spec
    row = db.session.execute(
        select(HT, PI.c.revision, PD.c.content_hash)
        .select_from(HT.join(PI, PI.c.id == HT.c.instance_id).join(PD, PD.c.id == PI.c.definition_id))
        .where(HT.c.id == task_id)).first()
    if row is None:
        raise events.handled_error(db.session.connection(), task_id)
    deployed = deployed_spec(row.definition_id, row.content_hash)
    spec = next((s for s in deployed.spec.task_specs.values() if getattr(s, "bpmn_id", None) == row.task_key), None)
    properties = (getattr(spec, "extensions", None) or {}).get("properties") or {}
    return TaskInfo(row.id, row.instance_id, row.task_key, row.task_name, getattr(spec, "documentation", None),
                    dict(properties), row.lane, row.candidate_org_id, row.candidate_role, row.subject_teacher_id,
                    row.subject_org_id, row.claimed_by_id, row.revision)
