"""Timers: when an instance next needs waking, and due/remind times of human tasks.

`next_due_at(wf)` reads the engine's pending timer events (absolute ISO times) and returns the
earliest as an aware UTC datetime; instances.py stores it on the instance row (indexed), so the
scheduler queries due rows instead of loading workflows. Spiff fires a timer only once its time
is strictly past: wake slightly after it.

Task due/remind times come from the user task's properties `due_in` (ISO duration, e.g. "P7D")
and `remind_before` (ISO duration before the due time).

Not here: the scheduler that wakes instances (scheduler/).
"""
from __future__ import annotations

import datetime as dt

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

UTC = dt.timezone.utc
TIMER_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}


def _aware_utc(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # Spiff writes aware times; treat anything else as UTC, never local time
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def next_due_at(workflow) -> dt.datetime | None:
    due = None
    for event in workflow.waiting_events():
        if event.event_type not in TIMER_TYPES or not isinstance(event.value, str):
            continue
        when = _aware_utc(event.value)
        if when is not None and (due is None or when < due):
            due = when
    return due


def parse_duration(text: str, start: dt.datetime) -> dt.timedelta:
    """An ISO 8601 duration ("P7D", "PT12H", "P1M") as a timedelta counted from `start`."""
    parsed = TimerEventDefinition.parse_iso_duration(text.strip())
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def check_duration(text: str) -> str | None:
    """None if `text` is a valid ISO duration, else a message."""
    try:
        parse_duration(text, dt.datetime.now(UTC))
    except Exception:  # Spiff raises a bare Exception for a malformed duration
        return f"“{text}”不是有效的 ISO 8601 时长（例如 P7D 表示 7 天，PT12H 表示 12 小时）"
    return None


def task_due_times(properties: dict, created: dt.datetime) -> tuple[dt.datetime | None, dt.datetime | None]:
    due_in = properties.get("due_in")
    if not due_in:
        return None, None
    due = created + parse_duration(due_in, created)
    remind_before = properties.get("remind_before")
    remind = due - parse_duration(remind_before, created) if remind_before else None
    return due, remind
