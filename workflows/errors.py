"""Errors the engine wrapper raises, with messages written for the user (Chinese first).

Every class derives from WorkflowError; `str(exc)` is the message to show.
Times in messages are shown in Asia/Shanghai (the only place this package formats a time).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


def _fmt(when: dt.datetime | None) -> str:
    if when is None:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")


class WorkflowError(Exception):
    """Base class; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


@dataclass
class Problem:
    """One problem found in a diagram: message, and where it is when known."""

    message: str
    element_id: str | None = None
    element_name: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" refuses the diagram; "warning" and "info" do not

    def __str__(self):
        where = []
        if self.line:
            where.append(f"第 {self.line} 行")
        if self.element_id:
            label = f"元素 {self.element_id}"
            if self.element_name and self.element_name != self.element_id:
                label += f"（{self.element_name}）"
            where.append(label)
        prefix = "，".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message


class DeployError(WorkflowError):
    """A diagram that cannot be deployed; `problems` lists every problem found (warnings and notes too)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"] or problems
        super().__init__("流程图有问题，未部署：\n" + "\n".join(str(p) for p in errors))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class DefinitionNotFound(WorkflowError):
    def __init__(self, process_key: str):
        self.process_key = process_key
        super().__init__(f"流程 {process_key} 尚未部署")


class UnknownLane(WorkflowError):
    def __init__(self, lane: str | None, task_key: str | None = None):
        self.lane, self.task_key = lane, task_key
        where = f"任务 {task_key}：" if task_key else ""
        if lane:
            super().__init__(f"{where}泳道“{lane}”没有定义办理角色，请在流程图中使用已定义的泳道")
        else:
            super().__init__(f"{where}该用户任务不在任何泳道中，无法确定由谁办理")


class TaskNotFound(WorkflowError):
    def __init__(self, task_id):
        self.task_id = task_id
        super().__init__("该任务不存在或已撤销")


class TaskAlreadyHandled(WorkflowError):
    """The task was completed by someone else (named when the event log knows who)."""

    def __init__(self, handled_by_name: str | None = None, handled_at: dt.datetime | None = None,
                 task_name: str | None = None):
        self.handled_by_name = handled_by_name
        self.handled_at = handled_at
        self.task_name = task_name
        what = f"任务“{task_name}”" if task_name else "该任务"
        if handled_by_name and handled_at:
            msg = f"{what}已由 {handled_by_name} 于 {_fmt(handled_at)} 处理"
        elif handled_by_name:
            msg = f"{what}已由 {handled_by_name} 处理"
        else:
            msg = f"{what}已被处理"
        super().__init__(msg)


class ConcurrentUpdate(WorkflowError):
    """The instance changed between load and save for another reason; retrying is safe."""

    def __init__(self):
        super().__init__("该流程刚被他人更新，请刷新后重试")


class TaskClaimed(WorkflowError):
    def __init__(self, claimed_by_name: str | None, claimed_at: dt.datetime | None = None):
        self.claimed_by_name = claimed_by_name
        self.claimed_at = claimed_at
        who = claimed_by_name or "其他人"
        when = f"于 {_fmt(claimed_at)} " if claimed_at else ""
        super().__init__(f"该任务已由 {who} {when}认领，只有认领人可以办理")


class NotAllowed(WorkflowError):
    def __init__(self, message: str = "您无权办理该任务"):
        super().__init__(message)


class InvalidTaskData(WorkflowError):
    pass


class EngineError(WorkflowError):
    """A script, condition or expression failed while the engine ran; names the element and line."""

    def __init__(self, message: str, task_key: str | None = None, task_name: str | None = None,
                 line: int | None = None):
        self.task_key, self.task_name, self.line = task_key, task_name, line
        where = ""
        if task_key:
            where = f"流程元素 {task_key}" + (f"（{task_name}）" if task_name and task_name != task_key else "")
            if line:
                where += f" 第 {line} 行"
            where += "："
        super().__init__(f"{where}{message}")


class ActionError(WorkflowError):
    pass
