"""One tick: everything due as of `now`, once, each piece in its own transaction.

1. open the month's reports that are missing (reports.open_period: idempotent per unit/period);
2. sweep due timers: claim the earliest due instance under a row lock, fire it, commit; repeat
   until nothing is due (an instance whose engine fails is deferred an hour and reported, so it
   cannot stall the sweep);
3. the daily digest (once per day, claimed by a unique row);
4. the e-mail outbox (each message claimed before it is sent: never twice).

Every step claims its work in the database, so ticks may overlap (two schedulers started by
mistake, a tick and a restart) and still fire each thing once; work that fell due while no
scheduler ran is simply due, and fires on the first tick. The tick writes a heartbeat row
(last tick, lag, what it did) that the admin page shows.

`now` is injectable (`scheduler tick --now ...`, tests): the engine clock is frozen at it for the
whole tick, so timers, deadlines and created_at times all read the same instant.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import time
import traceback
from dataclasses import dataclass, field

from sqlalchemy import select

import workflows
from models import HumanTask, MonthlyReport, Org, SchedulerHeartbeat, Teacher, db, write_intent
from workflows.timers import CHINA, UTC

RETRY_FAILED_AFTER = dt.timedelta(hours=1)
MAX_FIRES_PER_TICK = 100_000
REPORT_PROCESSES = ("monthly_report", "province_report")


@dataclass
class TickResult:
    now: dt.datetime
    lines: list[str] = field(default_factory=list)
    fired: int = 0
    errors: list[str] = field(default_factory=list)
    lag_seconds: int | None = None


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _stamp(now: dt.datetime) -> str:
    return now.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _subject(fired: workflows.FiredTimers) -> str:
    """Who or what the fired instance is about, for the output line (a couple of Core reads)."""
    o, t, mr = Org.__table__, Teacher.__table__, MonthlyReport.__table__
    if fired.subject_teacher_id is not None:
        row = db.session.execute(select(t.c.name, o.c.name).select_from(t.join(o, o.c.id == t.c.org_id))
                                 .where(t.c.id == fired.subject_teacher_id)).first()
        return f"{row[0]}（{row[1]}）" if row else f"教师 {fired.subject_teacher_id}"
    if fired.process_key in REPORT_PROCESSES:
        row = db.session.execute(select(o.c.name, mr.c.period).select_from(mr.join(o, o.c.id == mr.c.org_id))
                                 .where(mr.c.instance_id == fired.instance_id)).first()
        if row is not None:
            return f"{row[0]} {row[1][:4]}年{int(row[1][5:])}月月报"
    if fired.subject_org_id is not None:
        name = db.session.execute(select(o.c.name).where(o.c.id == fired.subject_org_id)).scalar()
        return name or f"单位 {fired.subject_org_id}"
    return f"流程实例 {fired.instance_id}"


def _after_fire(fired: workflows.FiredTimers) -> None:
    if fired.process_key in REPORT_PROCESSES and fired.opened:
        from reports.opening import refresh_deadlines
        refresh_deadlines(fired.instance_id)


def _fire_one(now, exclude):
    fired = workflows.fire_next_due(now, exclude=exclude)
    if fired is not None:
        _after_fire(fired)
    return fired


def sweep_timers(now: dt.datetime, result: TickResult, limit: int = MAX_FIRES_PER_TICK) -> None:
    tried: set[int] = set()
    while result.fired < limit:
        try:
            fired = workflows.run_in_transaction(_fire_one, now, tried)
        except workflows.TimerFailed as exc:
            tried.add(exc.instance_id)
            message = f"{_stamp(now)} 计时器触发失败：流程实例 {exc.instance_id}（{exc.cause}），一小时后重试"
            result.errors.append(message)
            result.lines.append(message)
            workflows.run_in_transaction(workflows.defer_timers, exc.instance_id, now + RETRY_FAILED_AFTER,
                                         "".join(traceback.format_exception_only(exc.cause)).strip())
            continue
        if fired is None:
            return
        result.fired += 1
        if not fired.timers:
            tried.add(fired.instance_id)  # due but nothing fired (e.g. its time equals now): look again next tick
            continue
        subject = _subject(fired)
        db.session.rollback()  # end the read transaction _subject may have begun
        names = "、".join(name for _key, name in fired.timers)
        opened = f"，开启“{'、'.join(fired.opened)}”" if fired.opened else ""
        result.lines.append(f"{_stamp(now)} {names}：{subject}{opened}")


def _heartbeat(name: str, started: float, result: TickResult, wall: dt.datetime) -> None:
    with write_intent():
        try:
            row = db.session.get(SchedulerHeartbeat, name)
            if row is None:
                row = SchedulerHeartbeat(name=name, started_at=wall, ticks=0)
                db.session.add(row)
            row.last_tick_at = wall
            row.last_now = result.now
            row.last_duration_ms = int((time.perf_counter() - started) * 1000)
            row.last_fired = len(result.lines)
            row.last_lag_seconds = result.lag_seconds
            row.last_error = "\n".join(result.errors[-5:]) or None
            row.ticks = (row.ticks or 0) + 1
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def run_tick(now: dt.datetime | None = None, *, name: str | None = None, send_mail: bool = True) -> TickResult:
    """Run everything due as of `now` (default: the real time) once."""
    from notifications import run_daily_digest, send_outbox
    from reports import open_period

    wall = dt.datetime.now(UTC)
    now = (now or wall).astimezone(UTC)
    started = time.perf_counter()
    result = TickResult(now)
    if db.session().in_transaction():
        db.session.commit()
    with workflows.frozen_clock(now):
        try:
            stamp = _stamp(now)
            result.lines += [f"{stamp} {line}" for line in open_period(now)]
            sweep_timers(now, result)
            result.lines += [f"{stamp} {line}" for line in run_daily_digest(now)]
            if send_mail:
                result.lines += [f"{stamp} {line}" for line in send_outbox(now)]
            count, oldest = workflows.due_count(now)
            result.lag_seconds = int((now - oldest).total_seconds()) if count and oldest else 0
            db.session.rollback()
        except Exception as exc:
            db.session.rollback()
            result.errors.append(f"{type(exc).__name__}: {exc}")
            _heartbeat(name or process_name(), started, result, wall)
            raise
    _heartbeat(name or process_name(), started, result, wall)
    return result


def open_task_counts() -> dict:
    """Small figures for the admin page."""
    from sqlalchemy import func
    return {"tasks_with_due": db.session.scalar(select(func.count()).select_from(HumanTask)
                                                .where(HumanTask.due_at.is_not(None))) or 0}
