"""Opening a month: one monthly_report instance per reporting unit and one province_report instance.

`open_period(now)` opens whatever is missing for the Beijing-time month of `now`, so it is safe to
call on every tick: the first tick on or after the 1st opens the month (also when the scheduler
was down on the 1st), later ticks find nothing to do, a unit added mid-month gets its report on
the next tick. Each report is one transaction: its row is inserted with ON CONFLICT DO NOTHING on
(unit, period, kind), and only the transaction whose insert took the row starts the instance, so
two schedulers never open a report twice.

Deadlines are the diagram's: after start (and after a timer opens a later task) the row and the
task row take their due and reminder times from the instance's pending timers.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

import workflows
from models import HumanTask, MonthlyReport, Org, db
from models.scheduling import REPORT_PROVINCE, REPORT_UNIT
from models.users import ROLE_INFO_ADMIN

from .units import all_orgs, province, reporting_units

PROCESS = {REPORT_UNIT: "monthly_report", REPORT_PROVINCE: "province_report"}
MAIN_TASKS = {"monthly_report": "submit_report", "province_report": "compile_report"}
DUE_TIMERS = ("report_overdue",)
REMIND_TIMERS = ("report_remind",)
MR = MonthlyReport.__table__
HT = HumanTask.__table__


def period_of(now: dt.datetime) -> str:
    from workflows.timers import CHINA
    local = now.astimezone(CHINA)
    return f"{local.year:04d}-{local.month:02d}"


def period_label(period: str) -> str:
    return f"{period[:4]}年{int(period[5:])}月"


def _insert_row(org_id: int, period: str, kind: str, now):
    from notifications.centre import insert_ignoring_duplicates
    return db.session.execute(insert_ignoring_duplicates(MR).values(
        org_id=org_id, period=period, kind=kind, status="open", opened_at=now).returning(MR.c.id)).scalar()


def refresh_deadlines(instance_id: int) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Copy the instance's pending due/reminder timers onto its report row and its open task row."""
    due = remind = None
    for key, _name, when in workflows.pending_timers(instance_id):
        if key in DUE_TIMERS:
            due = when
        elif key in REMIND_TIMERS:
            remind = when
    if due is None and remind is None:
        return None, None
    db.session.execute(update(MR).where(MR.c.instance_id == instance_id).values(due_at=due, remind_at=remind))
    db.session.execute(update(HT).where(HT.c.instance_id == instance_id, HT.c.task_key.in_(list(MAIN_TASKS.values())))
                       .values(due_at=due, remind_at=remind))
    return due, remind


def _open_one(org_id: int, period: str, kind: str, now: dt.datetime) -> str | None:
    from notifications import notify, users_with_role
    from workflows.timers import CHINA
    report_id = _insert_row(org_id, period, kind, now)
    if report_id is None:
        return None  # another scheduler opened it
    org = db.session.get(Org, org_id)
    instance_id = workflows.start_instances(PROCESS[kind], [{
        "subject_org_id": org_id, "data": {"period": period, "report_id": report_id, "report_kind": kind}}])[0]
    db.session.execute(update(MR).where(MR.c.id == report_id).values(instance_id=instance_id))
    due, _remind = refresh_deadlines(instance_id)
    label = period_label(period)
    if kind == REPORT_UNIT:
        from views.deadlines import deadline_text  # the end of the 25th reads "2026-12-25 当日", as on the pages
        when = f"，截止 {deadline_text(due)}" if due else ""
        notify(key=f"report:{report_id}:opened", kind="report_opened", org_id=org_id, link=f"/reports/{report_id}",
               users=users_with_role(org_id, ROLE_INFO_ADMIN), now=now,
               title=f"{label}教师信息采集月报已开启",
               body=f"{org.name}{label}的教师信息采集月报已开启，请核对数字并提交{when}。")
        return f"月报开启：{org.name} {label}" + (f"（截止 {(due - dt.timedelta(seconds=1)).astimezone(CHINA):%Y-%m-%d}）" if due else "")
    return f"省级月报开启：{org.name} {label}（各单位 25 日截止后汇总，次月 1 日前上报）"


def open_period(now: dt.datetime, period: str | None = None) -> list[str]:
    """Open the missing reports of the month of `now`; one line per report opened."""
    period = period or period_of(now)
    orgs = all_orgs()
    wanted = [(u.id, REPORT_UNIT) for u in reporting_units(orgs)]
    top = province()
    if top is not None:
        wanted.append((top.id, REPORT_PROVINCE))
    have = set(db.session.execute(select(MR.c.org_id, MR.c.kind).where(MR.c.period == period)).all())
    lines = []
    if db.session().in_transaction():
        db.session.commit()
    for org_id, kind in wanted:
        if (org_id, kind) in have:
            continue
        with workflows.frozen_clock(now):
            line = workflows.run_in_transaction(_open_one, org_id, period, kind, now)
        if line:
            lines.append(line)
    return lines
