"""The domain functions diagrams may call from scripts: an explicit, declared set (`ACTIONS`).

A diagram never gets arbitrary Python: only these names (plus safe builtins, see scripting.py).
Each action acts on the subject of the instance being run, found through `current()`, a context
set by the service layer for the duration of one operation.

Actions do not write while the engine runs. They queue an effect that instances.py applies once
the instance state has been saved under its optimistic check, in the same transaction: a
reviewer who loses a race therefore never touches the record, and an action's effect is
undone with everything else when the transaction rolls back. Actions return None.

Adding an action: write a function here, add it to ACTIONS, and describe it in ACTION_LABELS.
"""
from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from typing import Callable

from .errors import ActionError


@dataclass
class OperationContext:
    instance_id: int | None
    subject_teacher_id: int | None
    subject_org_id: int | None
    user_id: int | None
    effects: list[Callable[[], None]] = field(default_factory=list)
    actions_called: list[str] = field(default_factory=list)

    def apply_effects(self) -> None:
        effects, self.effects = self.effects, []
        for effect in effects:
            effect()


_current: contextvars.ContextVar[OperationContext | None] = contextvars.ContextVar("wf_operation", default=None)


def current() -> OperationContext:
    ctx = _current.get()
    if ctx is None:
        raise ActionError("流程动作只能在流程运行时调用")
    return ctx


@contextlib.contextmanager
def operation(ctx: OperationContext):
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


# ----------------------------------------------------------------------------- actions

def make_effective() -> None:
    """Make the subject teacher's record effective and keep a new version of it."""
    ctx = current()
    if ctx.subject_teacher_id is None:
        raise ActionError("make_effective() 只能用于以教师为主体的流程")
    teacher_id, user_id = ctx.subject_teacher_id, ctx.user_id
    ctx.actions_called.append("make_effective")

    def effect():
        from records import lifecycle
        lifecycle.make_effective(teacher_id, user_id)

    ctx.effects.append(effect)


def _deadline_action(kind: str, task_key: str) -> None:
    ctx = current()
    if not isinstance(task_key, str) or not task_key:
        raise ActionError(f"{kind}() 需要写明所针对的用户任务编号，例如 {kind}(\"school_review\")")
    ctx.actions_called.append(kind)

    def effect():
        from notifications.deadlines import task_deadline_event
        task_deadline_event(kind, ctx.instance_id, task_key)

    ctx.effects.append(effect)


def remind(task_key: str) -> None:
    """Remind the candidates of the open user task `task_key` of this instance that it falls due soon."""
    _deadline_action("remind", task_key)


def escalate(task_key: str) -> None:
    """The open user task `task_key` is overdue: tell its candidates, the unit's managers and the level above."""
    _deadline_action("escalate", task_key)


def _subject_effect(name: str, run) -> None:
    ctx = current()
    if ctx.subject_teacher_id is None:
        raise ActionError(f"{name}() 只能用于以教师为主体的流程")
    teacher_id, user_id, instance_id = ctx.subject_teacher_id, ctx.user_id, ctx.instance_id
    ctx.actions_called.append(name)
    # the instance says which request: a teacher may have several additions (of different sets) under way
    ctx.effects.append(lambda: run(teacher_id, user_id, instance_id))


def apply_change() -> None:
    """Apply the subject teacher's pending change request as a new effective version."""
    def run(teacher_id, user_id, instance_id):
        from records import changes
        changes.apply(teacher_id, user_id, instance_id=instance_id)
    _subject_effect("apply_change", run)


def close_change() -> None:
    """Close the subject teacher's change request as withdrawn."""
    def run(teacher_id, _user_id, instance_id):
        from records import changes
        changes.close(teacher_id, instance_id=instance_id)
    _subject_effect("close_change", run)


def apply_addition() -> None:
    """Add the subject teacher's approved new row to the record, as a new effective version."""
    def run(teacher_id, user_id, instance_id):
        from records import additions
        additions.apply(teacher_id, user_id, instance_id=instance_id)
    _subject_effect("apply_addition", run)


def close_addition() -> None:
    """Close the subject teacher's returned addition as withdrawn."""
    def run(teacher_id, _user_id, instance_id):
        from records import changes
        changes.close(teacher_id, "addition", instance_id=instance_id)
    _subject_effect("close_addition", run)


def apply_departure() -> None:
    """Mark the subject teacher as having left (record kept, login disabled), as a new version."""
    def run(teacher_id, user_id, instance_id):
        from records import departures
        departures.apply(teacher_id, user_id, instance_id=instance_id)
    _subject_effect("apply_departure", run)


def close_departure() -> None:
    """End a returned departure registration (its reason stays on it)."""
    ctx = current()
    ctx.actions_called.append("close_departure")


ACTIONS: dict[str, Callable] = {
    "make_effective": make_effective,
    "apply_departure": apply_departure,
    "close_departure": close_departure,
    "apply_addition": apply_addition,
    "close_addition": close_addition,
    "apply_change": apply_change,
    "close_change": close_change,
    "remind": remind,
    "escalate": escalate,
}

ACTION_LABELS = {
    "apply_departure": "教师离岗：记录标记为已离岗并停用其登录，保存一个新的记录版本（记录永不删除）",
    "close_departure": "结束被退回的离岗登记（退回原因保留在登记上）",
    "apply_addition": "把教师补充、经学校审核通过的一条信息加入记录，并保存一个新的记录版本",
    "close_addition": "将教师被退回的补充信息标记为已撤回",
    "apply_change": "使教师的变更申请生效：写入新值并保存一个新的记录版本（身份证件号变更时登录名随之变更）",
    "close_change": "将教师的变更申请标记为已撤回",
    "make_effective": "使教师记录生效，并保存一个新的记录版本",
    "remind": "提醒某个待办任务的办理人：任务即将到期（站内通知和邮件，同一事件只发一次）",
    "escalate": "某个待办任务已逾期：通知办理人、本单位负责人和上级单位（同一事件只发一次）",
}


# ----------------------------------------------------------------------------- transfers, rotation, credits
# (records/transfers.py, records/rotation.py, records/credits.py hold what these do)

def transfer_teacher() -> None:
    """Move the subject teacher's record (history, versions, sets, personal number, login) to the receiving school."""
    def run(teacher_id, user_id, _instance_id):
        from records import transfers
        transfers.complete(teacher_id, user_id)
    _subject_effect("transfer_teacher", run)


def return_transfer(reason: str = "") -> None:
    """End the subject teacher's pending transfer as returned, with the reason."""
    def run(teacher_id, user_id, _instance_id):
        from records import transfers
        transfers.mark_returned(teacher_id, user_id, reason)
    _subject_effect("return_transfer", run)


def approve_rotation() -> None:
    """Both authorities approved the subject teacher's exchange/rotation: it waits for its start month."""
    def run(teacher_id, user_id, _instance_id):
        from records import rotation
        rotation.mark_approved(teacher_id, user_id)
    _subject_effect("approve_rotation", run)


def start_rotation() -> None:
    """The rotation's start date came: 人员状态 becomes 205 交流轮岗 (a new record version)."""
    def run(teacher_id, _user_id, _instance_id):
        from records import rotation
        rotation.start(teacher_id)
    _subject_effect("start_rotation", run)


def end_rotation() -> None:
    """The rotation's end date came: 人员状态 returns to what it was (a new record version)."""
    def run(teacher_id, _user_id, _instance_id):
        from records import rotation
        rotation.finish(teacher_id)
    _subject_effect("end_rotation", run)


def return_rotation(reason: str = "") -> None:
    """End the subject teacher's pending exchange/rotation as returned, with the reason."""
    def run(teacher_id, user_id, _instance_id):
        from records import rotation
        rotation.mark_returned(teacher_id, user_id, reason)
    _subject_effect("return_rotation", run)


def remind_credits_behind(year: int) -> None:
    """Tell every teacher of the subject unit's subtree behind the year's training-hours requirement, and their schools."""
    ctx = current()
    if ctx.subject_org_id is None:
        raise ActionError("remind_credits_behind() 只能用于以单位为主体的流程")
    org_id = ctx.subject_org_id
    ctx.actions_called.append("remind_credits_behind")

    def effect():
        from records import credits
        credits.remind_behind(org_id, int(year))

    ctx.effects.append(effect)


ACTIONS.update({
    "transfer_teacher": transfer_teacher,
    "return_transfer": return_transfer,
    "approve_rotation": approve_rotation,
    "start_rotation": start_rotation,
    "end_rotation": end_rotation,
    "return_rotation": return_rotation,
    "remind_credits_behind": remind_credits_behind,
})
ACTION_LABELS.update({
    "transfer_teacher": "教师调动办结：记录（含历史版本、各信息集、个人编号）和账号转入调入学校，并保存一个新的记录版本",
    "return_transfer": "退回教师调动申请并结束本次调动（写明原因，例如 return_transfer(reason)）",
    "approve_rotation": "交流轮岗经双方审核单位审核通过，等待开始日期",
    "start_rotation": "交流轮岗开始：人员状态改为“205 交流轮岗”，并保存一个新的记录版本",
    "end_rotation": "交流轮岗结束：人员状态恢复为交流前的状态，并保存一个新的记录版本",
    "return_rotation": "退回交流轮岗申请并结束（写明原因，例如 return_rotation(reason)）",
    "remind_credits_behind": "提醒本单位及下级学时未达到年度要求的教师和所在学校（每人每年度只提醒一次）",
})
