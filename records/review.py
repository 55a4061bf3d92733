"""Review operations on human tasks: claim, approve, return, bulk approve.

Each operation is one transaction: the engine step, the task rows, the event log and the
audit entry commit together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

import audit
import workflows
from models import ProcessInstance, Teacher, WorkflowEvent, db, write_intent
from workflows.errors import TaskAlreadyHandled, TaskNotFound, WorkflowError

from .access import may_work, task_for_user
from .changes import KIND_OF_STEP

REVIEW_STEPS = ("school_review", "authority_review", "change_review", "addition_review", "departure_review")
# Review steps whose return is recorded on a ChangeRequest of this kind.
RETURN_KINDS = {step: kind for step, kind in KIND_OF_STEP.items() if step in REVIEW_STEPS}
DECISIONS = {"approve": "通过", "return": "退回"}
# The review steps of a record's own collection; their returns, and those of changes and additions, are told
# to whoever must act (records.review._tell_returned).
RECORD_REVIEWS = ("school_review", "authority_review")
TELL_ON_RETURN = RECORD_REVIEWS + ("change_review", "addition_review")
# Transfers and exchange/rotation take the same approve / return-with-reason decision (their returns
# end the flow through the diagram's return_transfer / return_rotation actions).
REVIEW_STEPS += ("transfer_in_review", "transfer_out_confirm", "transfer_out_review",
                 "rotation_home_review", "rotation_host_review")


class ReviewRefused(Exception):
    """A user's review action was refused; the message is for the user."""


@dataclass
class Outcome:
    ok: bool
    message: str
    field: str = ""   # the form field the message is about, when there is one


def decide(user, task_id: int, decision: str, reason: str = "", task_uuid: str | None = None) -> Outcome:
    reason = (reason or "").strip()
    if decision not in DECISIONS:
        return Outcome(False, "审核结论只能是“通过”或“退回”")
    if decision == "return" and not reason:
        return Outcome(False, "退回时必须填写退回原因", "reason")
    if len(reason) > 500:
        return Outcome(False, f"退回原因不能超过 500 字（现为 {len(reason)} 字）", "reason")
    seen = {}

    def guard(task):
        """The review's own checks, on the row the engine loads (one read of the task, not two)."""
        if not may_work(user, task):
            raise ReviewRefused(handled_message(task_uuid) or "找不到该任务，或您无权处理")
        if task_uuid is not None and task_uuid != task.task_uuid:  # a page's decision: "" (none sent) too
            raise ReviewRefused(handled_message(task_uuid) or "页面已过期：该任务已变化，请刷新后重新审核")
        if task.task_key not in REVIEW_STEPS:
            raise ReviewRefused("该任务不是审核任务")
        if task.claimed_by_id not in (None, user.id):
            raise ReviewRefused("该任务已被其他人领取，请先由其释放")
        seen.update(teacher_name=task.teacher_name or "", step=task.task_name, teacher_id=task.subject_teacher_id,
                    task_key=task.task_key, task_uuid=task.task_uuid, instance_id=task.instance_id)
        if task.task_key in RETURN_KINDS and decision == "return":
            from . import changes
            changes.mark_returned(task.subject_teacher_id, reason, user.id, RETURN_KINDS[task.task_key],
                                  instance_id=task.instance_id)

    with write_intent():
        try:
            workflows.complete_task(task_id, user, {"decision": decision, "reason": reason}, guard=guard)
            audit.record("review_" + decision, object_type="teacher", object_id=seen["teacher_id"],
                         after={"step": seen["step"], "decision": decision, "reason": reason})
            if decision == "return" and seen["task_key"] in TELL_ON_RETURN:
                _tell_returned(user, seen, reason)
            db.session.commit()
        except (TaskAlreadyHandled, TaskNotFound) as exc:
            db.session.rollback()
            if not seen:  # the task was gone before any check: say no more than an out-of-scope user may know
                return Outcome(False, handled_message(task_uuid) or "找不到该任务，或您无权处理")
            return Outcome(False, str(exc))
        except (ReviewRefused, WorkflowError) as exc:
            db.session.rollback()
            return Outcome(False, str(exc))
    verb = "已通过" if decision == "approve" else "已退回"
    return Outcome(True, f"{seen['teacher_name']}：{seen['step']}{verb}")


def _tell_returned(reviewer, seen: dict, reason: str) -> None:
    """Whoever must act on the return learns of it in the notification centre (and by e-mail when they gave
    one), in the same transaction: the teacher for the record and her additions, the school official who
    filed it for a change request (a teacher cannot revise those). A record without an account tells no one."""
    from models import ChangeRequest, User
    from notifications.centre import notify
    if seen["task_key"] == "change_review":
        change = db.session.scalars(select(ChangeRequest).where(ChangeRequest.instance_id == seen["instance_id"])).first()
        if change is None:
            return
        notify(key=f"returned:{seen['task_uuid']}", kind="record_returned", users=[change.created_by_id],
               link=f"/changes/{change.id}/revise", title=f"{seen['step']}退回：{seen['teacher_name']}的变更申请",
               body=f"{reviewer.org.name}退回了您为{seen['teacher_name']}提交的变更申请，请修改后重新提交或撤回。"
                    f"退回原因：{reason}")
        return
    teacher_user = db.session.scalars(select(User.id).where(User.teacher_id == seen["teacher_id"],
                                                            User.active.is_(True))).first()
    if teacher_user is None:
        return
    notify(key=f"returned:{seen['task_uuid']}", kind="record_returned", users=[teacher_user], link="/me",
           title=f"{seen['step']}退回：请修改后重新报送",
           body=f"{reviewer.org.name}退回了您的{'档案' if seen['task_key'] in RECORD_REVIEWS else '申请'}。"
                f"退回原因：{reason}")


@dataclass
class Handled:
    """A task already done, as its record's viewers may see it."""

    step: str
    who: str
    at: object
    decision: str | None
    reason: str
    teacher: Teacher


def handled_task(user, task_id: int) -> Handled | None:
    """Who handled task `task_id` and when, for a viewer whose scope holds its record (a reload or the Back
    button after deciding); None when it was never handled or the record is not the viewer's to see."""
    from .access import teacher_in_scope
    done = _completion(WorkflowEvent.human_task_id == task_id)
    if done is None:
        return None
    event, who = done
    teacher_id = db.session.scalar(select(ProcessInstance.subject_teacher_id)
                                   .where(ProcessInstance.id == event.instance_id))
    teacher = teacher_in_scope(user, teacher_id) if teacher_id else None
    if teacher is None:
        return None
    data = (event.detail or {}).get("data") or {}
    return Handled(event.task_name or "", who, event.created_at, data.get("decision"), data.get("reason") or "", teacher)


def _completion(which) -> tuple[WorkflowEvent, str] | None:
    """The event log's completion of a task (`which`: its uuid or its row id) and who completed it."""
    from models import User
    event = db.session.scalars(select(WorkflowEvent).where(which, WorkflowEvent.action == "completed")).first()
    if event is None:
        return None
    return event, db.session.get(User, event.user_id).display_name if event.user_id else "系统"


def handled_message(task_uuid: str | None) -> str | None:
    """For a task that is gone: who handled it and when, from the event log."""
    if not task_uuid:
        return None
    from views import china_time
    done = _completion(WorkflowEvent.task_uuid == task_uuid)
    if done is None:
        return None
    event, who = done
    return f"该任务已由 {who} 于 {china_time(event.created_at)} 处理，无需重复操作"


def bulk_approve(user, task_ids: list[int]) -> tuple[int, list[str]]:
    """Approve each selected task in its own transaction; one failure does not undo the others."""
    approved, problems = 0, []
    for task_id in task_ids:
        outcome = decide(user, task_id, "approve")
        if outcome.ok:
            approved += 1
        else:
            problems.append(f"{_task_label(user, task_id)}：{outcome.message}")
    return approved, problems


def _task_label(user, task_id: int) -> str:
    """The teacher's name only when her record is the user's to see: an id typed in must not reveal who it is."""
    from models import HumanTask

    from .access import teacher_in_scope
    task = db.session.get(HumanTask, task_id)
    teacher = teacher_in_scope(user, task.subject_teacher_id) if task and task.subject_teacher_id else None
    return f"{teacher.name}（任务 {task_id}）" if teacher else f"任务 {task_id}"


def claim(user, task_id: int, release: bool = False) -> Outcome:
    with write_intent():
        task = task_for_user(user, task_id)
        if task is None:
            return Outcome(False, "找不到该任务，或您无权处理")
        try:
            if release:
                workflows.unclaim_task(task.id, user)
            else:
                workflows.claim_task(task.id, user)
            audit.record("task_unclaim" if release else "task_claim", object_type="task", object_id=task.id)
            db.session.commit()
        except WorkflowError as exc:
            db.session.rollback()
            return Outcome(False, str(exc))
    return Outcome(True, "已释放任务" if release else "已领取任务，可在“待我处理”中找到")


def review_history(teacher_id: int) -> list[WorkflowEvent]:
    """Every completed step of the teacher's collection flow, oldest first (returns carry their reason)."""
    return list(db.session.scalars(
        select(WorkflowEvent)
        .join(ProcessInstance, WorkflowEvent.instance_id == ProcessInstance.id)
        .where(ProcessInstance.subject_teacher_id == teacher_id, WorkflowEvent.action == "completed")
        .order_by(WorkflowEvent.id)))
