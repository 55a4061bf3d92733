"""The engine wrapper: the only code in the project that imports SpiffWorkflow.

Everything else calls this facade:

    deploy_shipped() -> [(definition, created)]        commits
    deploy_bytes(data, user=None) -> (definition, created)
    check_bpmn(data, expected_key=None) -> [Problem]   every problem (errors, warnings, notes), nothing deployed
    validate(data, filename, expected_key=None) -> Validation   problems + process key + bytes to deploy
    read_file(path) -> bytes                           a diagram file under the size cap (MAX_BYTES)
    deploy.save_draft / publish / make_current, admin.instance_view / suspend / resume / terminate / retry,
    migration.check_migration / migrate_instances, lanes.save_lane_mapping   process administration
    current_definition(process_key) -> ProcessDefinition
    start_instance(process_key, *, subject_teacher_id=None, subject_org_id=None, data=None, user=None)
        -> ProcessInstance
    start_instances(process_key, [{"subject_teacher_id":..., "subject_org_id":..., "data":...}], user=None)
        -> [instance ids]                              bulk (demo, imports)
    complete_task(task_id, user, data, *, expected_revision=None, guard=None) -> CompletionResult
    claim_task(task_id, user) / unclaim_task(task_id, user)
    instance_events(instance_id) -> [EventView]
    task_info(task_id) -> TaskInfo                     documentation/properties for a task form
    run_in_transaction(fn, *args, **kwargs)            writer transaction + commit/rollback/retry
    acting_roles(role), may_act(user, ...)             lane policy for inbox queries / buttons
    fire_next_due(now, exclude=()) -> FiredTimers|None claim (row lock) and fire the earliest due instance
    defer_timers(instance_id, until, error)            move a failing instance out of the sweep's way
    pending_timers(instance_id) -> [(id, name, due)]   the timers an instance waits on
    due_count(now) -> (count, oldest due time)         for the scheduler's lag
    engine_now(), frozen_clock(at)                     the engine clock (injectable: tick --now, tests)
    deadline(start, "P5D", "working_days"), reminder(due, "P1D", cal), is_working_day(date)

Except deploy_shipped and run_in_transaction, nothing here commits: the caller owns the
transaction. Use it like this in a view:

    try:
        result = workflows.run_in_transaction(workflows.complete_task, task_id, current_user, form_data)
    except workflows.WorkflowError as exc:
        flash(str(exc))          # e.g. "该任务已由 张三 于 2026-12-03 10:00 处理"

Modules: validation and validation_rules (checking a diagram), deploy (versions, drafts),
admin (an instance: suspend, resume, terminate, retry), migration (instances between versions),
store (state without spec), scripting (restricted
scripts), actions (functions diagrams may call), lanes (who may act), tasks (human task rows),
timers (the clock, deadlines, due times), firing (due timers), instances (start, complete), claims,
events (the event log), transactions, errors.
"""
from .deploy import current_definition, deploy_bytes, deploy_shipped, deployed_spec
from .validation import MAX_BYTES, Validation, check_bpmn, read_file, validate
from .errors import (
    ActionError,
    ConcurrentUpdate,
    DefinitionNotFound,
    DeployError,
    EngineError,
    InvalidTaskData,
    NotAllowed,
    Problem,
    TaskAlreadyHandled,
    TaskClaimed,
    TaskNotFound,
    UnknownLane,
    WorkflowError,
)
from .lanes import LANES, acting_roles, may_act
from .claims import claim_task, unclaim_task
from .events import EventView, instance_events
from .instances import CompletionResult, OpenedTask, complete_task, start_instance, start_instances
from .scripting import check_expression, check_script
from .tasks import TaskInfo, task_info
from .transactions import run_in_transaction
from .firing import FiredTimers, TimerFailed, defer_timers, due_count, fire_instance, fire_next_due, pending_timers
from .timers import deadline, end_of_day, frozen as frozen_clock, is_working_day, now as engine_now, reminder

__all__ = [
    "LANES", "ActionError", "CompletionResult", "ConcurrentUpdate", "DefinitionNotFound", "DeployError",
    "EngineError", "EventView", "InvalidTaskData", "NotAllowed", "OpenedTask", "Problem", "TaskAlreadyHandled",
    "TaskClaimed", "TaskInfo", "TaskNotFound", "UnknownLane", "WorkflowError", "acting_roles", "check_bpmn",
    "check_expression", "check_script", "claim_task", "complete_task", "current_definition", "deploy_bytes",
    "deploy_shipped", "deployed_spec", "instance_events", "may_act", "run_in_transaction", "start_instance",
    "start_instances", "task_info", "unclaim_task",
    "FiredTimers", "TimerFailed", "deadline", "defer_timers", "due_count", "end_of_day", "engine_now",
    "fire_instance", "fire_next_due", "frozen_clock", "is_working_day", "pending_timers", "reminder",
]
