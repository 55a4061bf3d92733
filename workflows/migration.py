"""Moving running instances from their version to another version of the same process.

A running instance keeps its version; migrating it is an explicit act of the process administrator:

    check_migration(instance_ids, target_id) -> [MigrationReport]     nothing written
    migrate_instances(instance_ids, target_id, user) -> [MigrationReport]

Each instance is checked first, and is compatible when:
- it is running (not suspended, finished or terminated) on another version of the same process;
- every task it waits at (user tasks, timers, message waits) exists in the target version under the
  same element id and of the same kind;
- every step it already passed still exists in the target (a state refers to its steps by id, so a
  deleted step could not be read back);
- the migrated state is saved and read back with the target's spec without error (a trial run).

`migrate_instances` migrates all compatible instances in the caller's one transaction and refuses
the others, with a reason per instance. Spiff's own diff (`SpiffWorkflow.bpmn.util.diff`) aligns the
task tree with the new spec; the tasks the instance waits at are re-predicted from the new diagram
(a waiting timer keeps its due time unless its definition changed). Human task rows are made again,
keeping claims and inbox order where the candidate did not change. Each migrated instance gets a
`migrated` event; the batch one audit row.

Not here: the pages (views/process.py), publishing versions (deploy.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, select, update

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

import audit
from models import HumanTask, ProcessDefinition, ProcessInstance, Teacher, db, utcnow

from . import actions, deploy, events, lanes, store, tasks, timers
from .errors import ConcurrentUpdate
from .instances import STATUS_RUNNING, _run_engine
from .transactions import connection, expire_row, forget_row

PI = ProcessInstance.__table__
PD = ProcessDefinition.__table__
HT = HumanTask.__table__
T = Teacher.__table__

_CURRENT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class MigrationReport:
    instance_id: int
    ok: bool
    reasons: list[str] = field(default_factory=list)   # why refused; notes when migrated
    from_version: int | None = None
    to_version: int | None = None
    migrated: bool = False


@dataclass
class _Prepared:
    row: object
    wf: object


def _spec_for(task, wf, deployed) -> object | None:
    """The target's spec the task's own (sub)process would use, or None if that process is gone."""
    workflow = task.workflow
    if workflow is wf:
        return deployed.spec
    return deployed.subprocess_specs.get(workflow.spec.name)


def _label(spec) -> str:
    name = getattr(spec, "bpmn_name", None)
    bpmn_id = getattr(spec, "bpmn_id", None) or spec.name
    return f"“{name}”（{bpmn_id}）" if name and name != bpmn_id else bpmn_id


def _incompatibilities(wf, deployed) -> list[str]:
    reasons = []
    seen = set()
    for workflow in (wf, *wf.subprocesses.values()):
        for task in workflow.tasks.values():
            target = _spec_for(task, wf, deployed)
            spec = task.task_spec
            key = (workflow.spec.name, spec.name, bool(task.state & _CURRENT))
            if key in seen:
                continue
            seen.add(key)
            if target is None:
                reasons.append(f"子流程 {workflow.spec.name} 在新版本中不存在")
                continue
            new = target.task_specs.get(spec.name)
            current = bool(task.state & _CURRENT)
            if new is None:
                if current:
                    reasons.append(f"当前任务 {_label(spec)} 在新版本中不存在")
                elif task.state == TaskState.COMPLETED and getattr(spec, "bpmn_id", None):
                    reasons.append(f"已走过的步骤 {_label(spec)} 在新版本中被删除，历史无法对应")
                continue
            if current and type(new).__name__ != type(spec).__name__:
                reasons.append(f"当前任务 {_label(spec)} 在新版本中类型改变（{type(spec).__name__} → "
                               f"{type(new).__name__}）")
    return list(dict.fromkeys(reasons))


def _migrate_state(wf, deployed) -> None:
    """Point the workflow at the target spec (Spiff's diff), keeping waiting timers' due times."""
    registry = store._codec().registry
    top_diff, sp_diffs = diff_workflow(registry, wf, deployed.spec, deployed.subprocess_specs)
    waiting = {task.id: dict(task.internal_data) for task in wf.get_tasks(state=TaskState.WAITING)
               if task.task_spec not in _changed(top_diff, sp_diffs)}
    migrate_workflow(top_diff, wf, deployed.spec)
    for sp_id, sp_diff in sp_diffs.items():
        sub = wf.subprocesses.get(sp_id)
        if sp_diff is not None and sub is not None:
            migrate_workflow(sp_diff, sub, deployed.subprocess_specs[sub.spec.name])
    wf.subprocess_specs = deployed.subprocess_specs
    for task_id, internal in waiting.items():
        task = wf.get_task_from_id(task_id) if task_id in wf.tasks else None
        if task is not None and task.state == TaskState.WAITING and internal:
            task.internal_data.update(internal)


def _changed(top_diff, sp_diffs) -> set:
    specs = {t.task_spec for t in top_diff.changed}
    for diff in sp_diffs.values():
        if diff is not None:
            specs |= {t.task_spec for t in diff.changed}
    return specs


def _rows(conn, instance_ids):
    ids = [int(i) for i in instance_ids]
    rows = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for row in conn.execute(
                select(PI.c.id, PI.c.definition_id, PI.c.process_key, PI.c.subject_teacher_id, PI.c.subject_org_id,
                       PI.c.status, PI.c.state, PI.c.revision, PD.c.content_hash, PD.c.version,
                       T.c.org_id.label("teacher_org_id"))
                .select_from(PI.join(PD, PD.c.id == PI.c.definition_id)
                             .outerjoin(T, T.c.id == PI.c.subject_teacher_id))
                .where(PI.c.id.in_(chunk))).all():
            rows[row.id] = row
    return ids, rows


def _prepare(conn, instance_ids, target: ProcessDefinition):
    deployed = deploy.deployed_spec(target.id, target.content_hash)
    ids, rows = _rows(conn, instance_ids)
    reports, prepared = [], {}
    for instance_id in dict.fromkeys(ids):
        row = rows.get(instance_id)
        report = MigrationReport(instance_id, False, to_version=target.version)
        reports.append(report)
        if row is None:
            report.reasons.append("流程实例不存在")
            continue
        report.from_version = row.version
        if row.process_key != target.process_key:
            report.reasons.append(f"属于另一个流程（{row.process_key}）")
        elif row.definition_id == target.id:
            report.reasons.append(f"已在版本 {target.version} 上")
        elif row.status != STATUS_RUNNING:
            from .admin import STATUS_LABELS
            report.reasons.append(f"实例{STATUS_LABELS.get(row.status, row.status)}，只能迁移运行中的实例")
        if report.reasons:
            continue
        try:
            wf = store.load_state(row.state, deploy.deployed_spec(row.definition_id, row.content_hash))
        except Exception as exc:  # noqa: BLE001 -- a state that cannot be read is reported, not raised
            report.reasons.append(f"实例状态无法读取：{exc}")
            continue
        report.reasons = _incompatibilities(wf, deployed)
        if report.reasons:
            continue
        try:
            _migrate_state(wf, deployed)
            store.load_state(store.dump_state(wf), deployed)  # the trial: the state reads back on the target
        except Exception as exc:  # noqa: BLE001 -- Spiff raises anything when the trees do not fit
            report.reasons.append(f"无法迁移：{exc}")
            continue
        report.ok = True
        prepared[instance_id] = _Prepared(row, wf)
    return reports, prepared


def check_migration(instance_ids, target: ProcessDefinition) -> list[MigrationReport]:
    """Which instances could move to `target`, and why not. Writes nothing."""
    reports, _ = _prepare(db.session.connection(), instance_ids, target)
    return reports


_SAVE = (update(PI).where(PI.c.id == bindparam("b_id"), PI.c.revision == bindparam("b_rev"))
         .values(definition_id=bindparam("b_def"), state=bindparam("b_state"), revision=PI.c.revision + 1,
                 next_due_at=bindparam("b_due"), updated_at=bindparam("b_now")))


def _save(conn, target: ProcessDefinition, prepared: _Prepared, user, now) -> list[str]:
    row, wf = prepared.row, prepared.wf
    ctx = actions.OperationContext(row.id, row.subject_teacher_id, row.subject_org_id, getattr(user, "id", None))
    _run_engine(ctx, wf.do_engine_steps)
    count = conn.execute(_SAVE, {"b_id": row.id, "b_rev": row.revision, "b_def": target.id,
                                 "b_state": store.dump_state(wf), "b_due": timers.next_due_at(wf),
                                 "b_now": now}).rowcount
    if count != 1:
        raise ConcurrentUpdate()
    expire_row(ProcessInstance, row.id)
    kept = {r.task_uuid: r for r in conn.execute(
        select(HT.c.id, HT.c.task_uuid, HT.c.candidate_org_id, HT.c.candidate_role, HT.c.claimed_by_id,
               HT.c.claimed_at, HT.c.created_at, HT.c.due_at, HT.c.remind_at).where(HT.c.instance_id == row.id))}
    conn.execute(delete(HT).where(HT.c.instance_id == row.id))
    for old in kept.values():
        forget_row(HumanTask, old.id)
    subject = lanes.Subject(row.subject_teacher_id, row.teacher_org_id, row.subject_org_id)
    opened = tasks.sync_rows(conn, instance_id=row.id, definition_id=target.id, process_key=row.process_key,
                             subject=subject, before=set(), ready=tasks.ready_user_tasks(wf), now=now)
    notes = []
    for task in opened:
        old = kept.get(task.uuid)
        if old is None:
            continue
        if (old.candidate_org_id, old.candidate_role) == (task.candidate_org_id, task.candidate_role):
            conn.execute(update(HT).where(HT.c.id == task.human_task_id).values(
                claimed_by_id=old.claimed_by_id, claimed_at=old.claimed_at, created_at=old.created_at,
                due_at=old.due_at, remind_at=old.remind_at))
        else:
            notes.append(f"任务“{task.name}”改由新的办理单位或角色办理")
    ctx.apply_effects()
    conn.execute(events.INSERT, [events.event_row(
        "migrated", instance_id=row.id, user=user, now=now,
        detail={"from_version": row.version, "to_version": target.version, "to_definition_id": target.id})])
    return notes


def migrate_instances(instance_ids, target: ProcessDefinition, user) -> list[MigrationReport]:
    """Migrate every compatible instance to `target` in the caller's transaction; refuse the others.
    Flushes, does not commit (call through run_in_transaction: all compatible ones, or none)."""
    conn = connection()
    reports, prepared = _prepare(conn, instance_ids, target)
    now = utcnow()
    for report in reports:
        if report.ok:
            report.reasons = _save(conn, target, prepared[report.instance_id], user, now)
            report.migrated = True
    audit.record("process.instances_migrated", object_type="process_definition", object_id=target.id, user=user,
                 after={"to_version": target.version,
                        "migrated": [r.instance_id for r in reports if r.migrated],
                        "refused": {str(r.instance_id): r.reasons for r in reports if not r.ok}})
    return reports


# ----------------------------------------------------------------------------- the command line

def migrate_cli(process_key: str, to_version: int | None, from_version: int | None, check_only: bool, echo,
                batch: int = 200) -> int:
    """`process migrate`: every running instance of `process_key` (of `from_version`, or of any other
    version) to `to_version` (default: the current one), in transactions of `batch` instances.
    One line per instance; 1 if any was refused."""
    from .transactions import run_in_transaction
    query = select(ProcessDefinition).where(ProcessDefinition.process_key == process_key)
    target = db.session.scalars(query.where(ProcessDefinition.version == to_version) if to_version
                                else query.where(ProcessDefinition.is_current.is_(True))).first()
    if target is None:
        echo(f"-: 流程 {process_key} 没有版本 {to_version or '（当前）'}")
        return 1
    ids = select(PI.c.id).where(PI.c.process_key == process_key, PI.c.status == STATUS_RUNNING,
                                PI.c.definition_id != target.id).order_by(PI.c.id)
    if from_version:
        ids = ids.join(PD, PD.c.id == PI.c.definition_id).where(PD.c.version == from_version)
    instance_ids = list(db.session.scalars(ids))
    db.session.commit()
    refused = 0
    for i in range(0, len(instance_ids), batch):
        chunk = instance_ids[i:i + batch]
        reports = (check_migration(chunk, target) if check_only
                   else run_in_transaction(migrate_instances, chunk, target, None))
        for r in reports:
            refused += not r.ok
            state = ("可以迁移" if check_only else "已迁移") if r.ok else "不兼容"
            echo(f"{r.instance_id}: {state}（版本 {r.from_version} → {r.to_version}）" +
                 (f"：{'；'.join(r.reasons)}" if r.reasons else ""))
        if check_only:
            db.session.rollback()
    ok = len(instance_ids) - refused
    echo(f"共 {len(instance_ids)} 个运行中的实例：{'可以迁移' if check_only else '已迁移'} {ok} 个，不兼容 {refused} 个")
    return 1 if refused else 0
