"""Timers: the clock, deadlines (natural or working days), and when an instance next needs waking.

- The clock. `now()` is the time every engine operation runs at: the real UTC time, or the time
  set with `frozen(at)` (the scheduler's `tick --now`, tests). Spiff's timer events read
  `datetime.now()` themselves; its timer module is pointed at a datetime whose `now()` asks this
  clock, so timer expressions, durations and "has it fired?" all agree with `now()`.
- Deadlines. `deadline(start, "P5D", "working_days")` counts working days with the Chinese
  public-holiday calendar (chinese-calendar: statutory holidays and the weekend days worked in
  their place); a year the package does not know falls back to Monday–Friday. A working-day
  deadline is the end of the Nth working day (Asia/Shanghai). A natural deadline is start +
  duration, moved to the next working day when `shift` is asked and it falls on a day off.
- Diagram functions. `SCRIPT_FUNCTIONS` are offered to diagram expressions (pure, no side
  effects): `due_date("P5D", "working_days")`, `remind_date("P5D", "P1D", "working_days")`,
  `month_end_of_day(period, 25)`, `next_month_end_of_day(period, 1)`, `before(iso, "P3D")`,
  `is_december(period)`. They return aware ISO strings, which is what Spiff's timeDate timers read.
- `next_due_at(wf)`: the earliest pending timer (aware UTC), stored on the instance row (indexed),
  so the scheduler queries due rows instead of loading workflows. Spiff fires a timer only once
  its time is strictly past.
- Task due/remind times of human task rows come from the user task's properties `due_in`
  (ISO duration), `remind_before` and optionally `due_calendar` ("working_days") and
  `holiday_shift` ("next_working_day"), computed by the same `deadline` as the diagram's timers.

Not here: firing due timers (firing.py), the scheduler loop (scheduler/).
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

UTC = dt.timezone.utc
CHINA = ZoneInfo("Asia/Shanghai")
TIMER_TYPES = {"TimeDateEventDefinition", "DurationTimerEventDefinition", "CycleTimerEventDefinition"}
WORKING_DAYS = "working_days"
NATURAL_DAYS = "natural_days"
NEXT_WORKING_DAY = "next_working_day"


# ----------------------------------------------------------------------------- the clock

_clock: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("wf_clock", default=None)


def now() -> dt.datetime:
    """The current time for engine operations: aware UTC, real unless frozen."""
    at = _clock.get()
    return at if at is not None else dt.datetime.now(UTC)


def as_utc(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:
        raise ValueError("a naive time has no meaning here; give a time zone")
    return when.astimezone(UTC)


@contextlib.contextmanager
def frozen(at: dt.datetime | None):
    """Run the block with the clock at `at` (aware); None leaves the real clock."""
    token = _clock.set(as_utc(at) if at is not None else None)
    try:
        yield
    finally:
        _clock.reset(token)


class _ClockDatetime(dt.datetime):
    """datetime whose now() is the engine clock (Spiff's timer module calls datetime.now(timezone.utc))."""

    @classmethod
    def now(cls, tz=None):
        at = _clock.get()
        if at is None:
            return dt.datetime.now(tz)
        return at.astimezone(tz) if tz is not None else at.astimezone().replace(tzinfo=None)


_spiff_timer.datetime = _ClockDatetime


# ----------------------------------------------------------------------------- working days

@functools.lru_cache(maxsize=4096)  # the calendar is fixed data; review deadlines ask about the same days
def is_working_day(day: dt.date) -> bool:
    try:
        import chinese_calendar
        return chinese_calendar.is_workday(day)
    except (NotImplementedError, ImportError):  # a year the package has no data for
        return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (count 0: `day` or the next working day)."""
    if count <= 0:
        return next_working_day(day)
    while count:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def subtract_working_days(day: dt.date, count: int) -> dt.date:
    while count > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def end_of_day(day: dt.date) -> dt.datetime:
    """The end of a Beijing-time day, i.e. the next day's 00:00 in Asia/Shanghai, as UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=CHINA).astimezone(UTC)


def _local_day_of_end(when: dt.datetime) -> dt.date:
    """The day whose end is `when` (inverse of end_of_day for midnight times)."""
    return (when.astimezone(CHINA) - dt.timedelta(microseconds=1)).date()


def _whole_days(duration: str) -> int:
    parsed = TimerEventDefinition.parse_iso_duration(duration.strip())
    if any(parsed.get(k) for k in ("years", "months", "hours", "minutes", "seconds")):
        raise ValueError(f"按工作日计算的时长只能是天数或周数（例如 P5D），不能是 {duration}")
    return int(parsed.get("days", 0)) + 7 * int(parsed.get("weeks", 0))


def parse_duration(text: str, start: dt.datetime) -> dt.timedelta:
    """An ISO 8601 duration ("P7D", "PT12H", "P1M") as a timedelta counted from `start`."""
    parsed = TimerEventDefinition.parse_iso_duration(text.strip())
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def deadline(start: dt.datetime, duration: str, calendar: str = NATURAL_DAYS, shift: str | None = None) -> dt.datetime:
    """The due time `duration` after `start` (aware).

    working_days: the end of the Nth working day after start's day (Beijing time).
    natural_days: start + duration; with shift="next_working_day" a deadline on a day off moves
    to the same time on the next working day.
    """
    start = as_utc(start)
    if calendar == WORKING_DAYS:
        day = add_working_days(start.astimezone(CHINA).date(), _whole_days(duration))
        return end_of_day(day)
    if calendar not in (NATURAL_DAYS, None, ""):
        raise ValueError(f"未知的日历 {calendar!r}（可用：{WORKING_DAYS}、{NATURAL_DAYS}）")
    due = start + parse_duration(duration, start)
    if shift == NEXT_WORKING_DAY:
        due = shift_to_working_day(due)
    return due


def shift_to_working_day(due: dt.datetime) -> dt.datetime:
    local = due.astimezone(CHINA)
    day = next_working_day(local.date())
    if day == local.date():
        return due
    return dt.datetime.combine(day, local.time(), tzinfo=CHINA).astimezone(UTC)


def reminder(due: dt.datetime, before: str, calendar: str = NATURAL_DAYS) -> dt.datetime:
    """`before` ahead of `due`; in working days: the end of the working day N working days earlier."""
    if calendar == WORKING_DAYS:
        return end_of_day(subtract_working_days(_local_day_of_end(due), _whole_days(before)))
    return due - parse_duration(before, due)


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
    calendar = properties.get("due_calendar") or NATURAL_DAYS
    due = deadline(created, due_in, calendar, properties.get("holiday_shift"))
    remind_before = properties.get("remind_before")
    remind = reminder(due, remind_before, calendar) if remind_before else None
    return due, remind


# ----------------------------------------------------------------------------- functions for diagrams

def _period_month(period: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in str(period).split("-"))
        dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise ValueError(f"报告期应写成 YYYY-MM，而不是 {period!r}") from None
    return year, month


def _month_day(year: int, month: int, day: int) -> dt.date:
    import calendar as _cal
    return dt.date(year, month, min(int(day), _cal.monthrange(year, month)[1]))


def _due_date(duration, calendar=NATURAL_DAYS, shift=None) -> str:
    return deadline(now(), duration, calendar, shift).isoformat()


def _remind_date(duration, before, calendar=NATURAL_DAYS, shift=None) -> str:
    return reminder(deadline(now(), duration, calendar, shift), before, calendar).isoformat()


def _month_end_of_day(period, day, shift=None) -> str:
    """The end of day `day` of the month `period` ("YYYY-MM"), Beijing time."""
    year, month = _period_month(period)
    date = _month_day(year, month, day)
    if shift == NEXT_WORKING_DAY:
        date = next_working_day(date)
    return end_of_day(date).isoformat()


def _next_month_end_of_day(period, day, shift=None) -> str:
    year, month = _period_month(period)
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _month_end_of_day(f"{year:04d}-{month:02d}", day, shift)


def _before(when, duration) -> str:
    at = dt.datetime.fromisoformat(str(when))
    return (as_utc(at) - parse_duration(duration, at)).isoformat()


def _is_december(period) -> bool:
    return _period_month(period)[1] == 12


SCRIPT_FUNCTIONS = {
    "due_date": _due_date,
    "remind_date": _remind_date,
    "month_end_of_day": _month_end_of_day,
    "next_month_end_of_day": _next_month_end_of_day,
    "before": _before,
    "is_december": _is_december,
}


# ----------------------------------------------------------------------------- instance timers

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


def waiting_timers(workflow) -> dict[str, tuple[str, str, dt.datetime | None]]:
    """Timer event tasks still waiting: {task uuid: (element id, element name, due time)}."""
    from SpiffWorkflow.util.task import TaskState

    out = {}
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.tasks.values():
            if task.state != TaskState.WAITING:
                continue
            definition = getattr(task.task_spec, "event_definition", None)
            if not isinstance(definition, TimerEventDefinition):
                continue
            value = task._get_internal_data("event_value")
            if isinstance(value, dict):
                value = value.get("next")
            key = task.task_spec.bpmn_id or task.task_spec.name
            out[str(task.id)] = (key, task.task_spec.bpmn_name or key,
                                 _aware_utc(value) if isinstance(value, str) else None)
    return out
