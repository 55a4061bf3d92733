"""Monthly report operations: who may see which report, submitting, the year-end summary.

Load, check, act: `report_in_scope` only returns reports of the user's subtree (a city bureau
sees its own report and its counties'; the province sees all); submitting is the open task's
completion through the engine (so only its candidate, the unit's information administrator, can)
in one transaction with the frozen figures, the audit entry and the e-mail to the level above
(queued in the outbox with the xlsx attached, sent by the scheduler).
"""
from __future__ import annotations

from sqlalchemy import select, update

import audit
import workflows
from models import HumanTask, MonthlyReport, Org, ReportSetting, User, db
from models.scheduling import REPORT_PROVINCE, REPORT_SUBMITTED, REPORT_UNIT
from models.users import ROLE_INFO_ADMIN

from .figures import finish, total, unit_figures
from .opening import MAIN_TASKS, PROCESS, period_label
from .units import level_above
from .xlsx import province_report_xlsx, unit_report_xlsx

YEAR_END_TASK = "year_end_summary"
MR = MonthlyReport.__table__


class ReportRefused(Exception):
    """A user's report action was refused; the message is for the user. `in_text`: the refusal is about
    what the user wrote (too long, empty), which the page then keeps for them to correct."""

    def __init__(self, message: str, *, in_text: bool = False):
        super().__init__(message)
        self.in_text = in_text


def report_in_scope(user, report_id: int) -> MonthlyReport | None:
    report = db.session.get(MonthlyReport, report_id)
    if report is None or user.role == "teacher" or not user.org.contains(report.org):
        return None
    return report


def reports_visible_to(user, period: str) -> list[MonthlyReport]:
    return list(db.session.scalars(
        select(MonthlyReport).join(Org, Org.id == MonthlyReport.org_id)
        .where(MonthlyReport.period == period, Org.path.like(user.org.path + "%"))
        .order_by(MonthlyReport.kind.desc(), Org.path)))


def periods_visible_to(user) -> list[str]:
    return list(db.session.scalars(
        select(MonthlyReport.period).join(Org, Org.id == MonthlyReport.org_id)
        .where(Org.path.like(user.org.path + "%")).distinct().order_by(MonthlyReport.period.desc())))


def open_task(report: MonthlyReport, task_key: str | None = None) -> HumanTask | None:
    if report.instance_id is None:
        return None
    query = select(HumanTask).where(HumanTask.instance_id == report.instance_id)
    if task_key:
        query = query.where(HumanTask.task_key == task_key)
    return db.session.scalars(query.order_by(HumanTask.id)).first()


def _name(user_id) -> str | None:
    return db.session.get(User, user_id).display_name if user_id else None


def compiled_rows(period: str) -> list[dict]:
    """Every unit report of the period: frozen figures when submitted, the data as of now otherwise."""
    reports = list(db.session.scalars(select(MonthlyReport).join(Org, Org.id == MonthlyReport.org_id)
                                      .where(MonthlyReport.period == period, MonthlyReport.kind == REPORT_UNIT)
                                      .order_by(Org.path)))
    live = unit_figures([r.org_id for r in reports if r.status != REPORT_SUBMITTED], period)
    return [{"report": r, "name": r.org.name, "code": r.org.code,
             "figures": r.figures if r.status == REPORT_SUBMITTED and r.figures else live.get(r.org_id),
             "status": r.status_label, "submitted_at": r.submitted_at, "submitted_by": _name(r.submitted_by_id),
             "remark": r.remark} for r in reports]


def current_figures(report: MonthlyReport) -> dict:
    """The report's figures: frozen once submitted, else computed now."""
    if report.status == REPORT_SUBMITTED and report.figures:
        return report.figures if report.kind == REPORT_UNIT else report.figures.get("total", {})
    if report.kind == REPORT_UNIT:
        return unit_figures([report.org_id], report.period)[report.org_id]
    return total([row["figures"] for row in compiled_rows(report.period)])


def report_xlsx(report: MonthlyReport) -> bytes:
    now = workflows.engine_now()
    if report.kind == REPORT_UNIT:
        return unit_report_xlsx(report, current_figures(report), _name(report.submitted_by_id), report.submitted_at or now)
    if report.status == REPORT_SUBMITTED and report.figures:
        units = [dict(u, submitted_at=_parse(u.get("submitted_at"))) for u in report.figures.get("units", [])]
        return province_report_xlsx(report, units, report.figures.get("total", {}), _name(report.submitted_by_id),
                                    report.submitted_at)
    rows = compiled_rows(report.period)
    return province_report_xlsx(report, rows, total([r["figures"] for r in rows]), None, now)


def _parse(value):
    import datetime as dt
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def xlsx_name(report: MonthlyReport) -> str:
    suffix = "省级汇总" if report.kind == REPORT_PROVINCE else report.org.name
    return f"月报_{report.period}_{report.org.code}_{suffix}.xlsx"


def _recipient(report: MonthlyReport) -> tuple[Org | None, str | None]:
    """(the unit that receives this report, the address it configured)."""
    if report.kind == REPORT_PROVINCE:
        setting = db.session.get(ReportSetting, report.org_id)
        return None, setting.upstream_email if setting else None
    above = level_above(report.org)
    if above is None:
        return None, None
    setting = db.session.get(ReportSetting, above.id)
    return above, setting.inbox_email if setting else None


def _submit(user, report_id: int, task_id: int, remark: str) -> None:
    report = db.session.get(MonthlyReport, report_id)
    now = workflows.engine_now()
    workflows.complete_task(task_id, user, {"remark": remark})
    if report.kind == REPORT_UNIT:
        figures = unit_figures([report.org_id], report.period)[report.org_id]
    else:
        rows = compiled_rows(report.period)
        units = [{"name": r["name"], "code": r["code"], "figures": r["figures"], "status": r["status"],
                  "submitted_at": r["submitted_at"].isoformat() if r["submitted_at"] else None,
                  "submitted_by": r["submitted_by"], "remark": r["remark"]} for r in rows]
        figures = {"total": finish(total([r["figures"] for r in rows])), "units": units}
    db.session.execute(update(MR).where(MR.c.id == report.id).values(
        status=REPORT_SUBMITTED, submitted_at=now, submitted_by_id=user.id, remark=remark or None, figures=figures))
    db.session.expire(report)
    data = report_xlsx(report)
    above, email = _recipient(report)
    from notifications import notify, users_with_role
    label = period_label(report.period)
    body = (f"{report.org.name}已于 {now.astimezone(workflows.timers.CHINA):%Y-%m-%d %H:%M} 报送{label}教师信息采集月报"
            f"（{user.display_name}）。" + (f"\n备注：{remark}" if remark else "") + "\n报表见附件。")
    notify(key=f"report:{report.id}:submitted", kind="report_submitted", org_id=report.org_id,
           link=f"/reports/{report.id}", now=now, users=users_with_role(above.id, ROLE_INFO_ADMIN) if above else [],
           emails=[email] if email else [], attachment=data, attachment_name=xlsx_name(report),
           title=f"{report.org.name}{label}月报已报送", body=body)
    audit.record("report_submit", object_type="monthly_report", object_id=report.id, user=user, org_id=report.org_id,
                 after={"period": report.period, "kind": report.kind, "remark": remark,
                        "emailed_to": email, "figures": figures if report.kind == REPORT_UNIT else figures["total"]})


def submit_report(user, report: MonthlyReport, remark: str = "") -> str:
    task = open_task(report, MAIN_TASKS[PROCESS[report.kind]])
    if task is None:
        raise ReportRefused("该月报已提交，或尚未开放提交（省级月报在各单位 25 日截止后开放汇总）")
    if not workflows.may_act(user, candidate_org_id=task.candidate_org_id, candidate_role=task.candidate_role,
                             subject_teacher_id=None):
        raise ReportRefused("只有本单位的信息管理员可以提交本单位的月报")
    remark = (remark or "").strip()
    if len(remark) > 1000:
        raise ReportRefused(f"备注不能超过 1000 字（现有 {len(remark)} 字）", in_text=True)
    try:
        workflows.run_in_transaction(_submit, user, report.id, task.id, remark)
    except workflows.WorkflowError as exc:
        raise ReportRefused(str(exc)) from None
    db.session.expire(report)
    return f"{report.org.name}{period_label(report.period)}月报已提交"


def _submit_year_end(user, report_id: int, task_id: int, summary: str) -> None:
    now = workflows.engine_now()
    workflows.complete_task(task_id, user, {"summary": summary})
    db.session.execute(update(MR).where(MR.c.id == report_id).values(year_end_summary=summary, year_end_submitted_at=now))
    audit.record("report_year_end", object_type="monthly_report", object_id=report_id, user=user,
                 after={"summary": summary[:2000]})


def submit_year_end(user, report: MonthlyReport, summary: str) -> str:
    # who may, before what was written: someone who may not is told so, not how to fill the form
    task = open_task(report, YEAR_END_TASK)
    if task is None:
        raise ReportRefused("年度总结只在 12 月月报提交后填写，且只能提交一次")
    if not workflows.may_act(user, candidate_org_id=task.candidate_org_id, candidate_role=task.candidate_role,
                             subject_teacher_id=None):
        raise ReportRefused("只有本单位的信息管理员可以填写年度总结")
    summary = (summary or "").strip()
    if not summary:
        raise ReportRefused("请填写年度总结", in_text=True)
    if len(summary) > 10000:
        raise ReportRefused(f"年度总结不能超过 10000 字（现有 {len(summary)} 字）", in_text=True)
    try:
        workflows.run_in_transaction(_submit_year_end, user, report.id, task.id, summary)
    except workflows.WorkflowError as exc:
        raise ReportRefused(str(exc)) from None
    db.session.expire(report)
    return "年度总结已提交"
