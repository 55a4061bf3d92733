"""Monthly reports: the list of the user's subtree (own report, units below, overdue ones), a
report page with its figures and the submit form, the year-end summary, the xlsx download, and
the managers and report addresses of a unit.

Load, check, act: reports come only through `report_in_scope` (own subtree); submitting is the
open task's completion (only its candidate may); managers and addresses are edited by the unit's
own system or information administrator, or by one of a unit above.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

import io

from sqlalchemy import select

import workflows
from models import HumanTask, MonthlyReport, Org, ReportSetting, UnitManager, User, db, write_intent
from models.scheduling import REPORT_PROVINCE
from models.users import ROLE_INFO_ADMIN, ROLE_SYS_ADMIN
from orgs.scope import org_in_scope
from reports import FIGURE_COLUMNS, ReportRefused, period_of, submit_report, submit_year_end
from reports.opening import period_label
from reports.service import (
    YEAR_END_TASK,
    compiled_rows,
    current_figures,
    open_task,
    periods_visible_to,
    report_in_scope,
    report_xlsx,
    reports_visible_to,
    xlsx_name,
)
from reports.setup import account_label, add_manager, manager_accounts, remove_manager, save_settings, update_manager
from reports.units import level_above

from .helpers import MAX_DB_ID

bp = Blueprint("reports", __name__)
VIEW_ROLES = ("info_admin", "query", "sys_admin", "process_admin")
SETTINGS_ROLES = (ROLE_SYS_ADMIN, ROLE_INFO_ADMIN)


def _require_viewer():
    if current_user.role not in VIEW_ROLES:
        abort(403)


def _load(report_id: int) -> MonthlyReport:
    _require_viewer()
    report = report_in_scope(current_user, report_id)
    if report is None:
        abort(404)
    return report


@bp.route("/reports")
@login_required
def index():
    _require_viewer()
    now = workflows.engine_now()
    periods = periods_visible_to(current_user)
    period = request.args.get("period", "")
    if period not in periods:   # a period no report of this user has, or not a period at all (?period=abc)
        period = periods[0] if periods else period_of(now)
    reports = reports_visible_to(current_user, period)
    own = [r for r in reports if r.org_id == current_user.org_id]
    below = [r for r in reports if r.org_id != current_user.org_id]
    overdue = [r for r in below if r.is_overdue(now)]
    # 填报 where there is a step to do now (the province's compilation opens after the units' deadline)
    to_fill = {r.id for r in own if r.status != "submitted" and open_task(r) is not None}
    return render_template("reports/index.html", period=period, periods=periods, label=period_label(period),
                           own=own, below=below, overdue=overdue, now=now, to_fill=to_fill)


@bp.route("/reports/<int:report_id>")
@login_required
def detail(report_id):
    return _detail_page(_load(report_id))


def _detail_page(report, typed: dict | None = None, status: int = 200):
    """typed: what the user wrote in a refused form (备注, 年度总结), put back so a refusal costs no typing."""
    now = workflows.engine_now()
    task = open_task(report)
    may_submit = task is not None and workflows.may_act(current_user, candidate_org_id=task.candidate_org_id,
                                                         candidate_role=task.candidate_role, subject_teacher_id=None)
    rows = compiled_rows(report.period) if report.kind == REPORT_PROVINCE else None
    if rows is not None and report.status == "submitted" and report.figures:
        rows = report.figures.get("units", [])
    above = level_above(report.org) if report.kind != REPORT_PROVINCE else None
    setting = db.session.get(ReportSetting, above.id if above else report.org_id)
    recipient = (setting.inbox_email if above else setting.upstream_email) if setting else None
    return render_template("reports/detail.html", report=report, figures=current_figures(report), columns=FIGURE_COLUMNS,
                           task=task, may_submit=may_submit, year_end_task=YEAR_END_TASK, rows=rows, now=now,
                           label=period_label(report.period), recipient=recipient, above=above,
                           events=workflows.instance_events(report.instance_id) if report.instance_id else [],
                           typed=typed or {}), status


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@login_required
def submit(report_id):
    report = _load(report_id)
    try:
        message = submit_report(current_user, report, request.form.get("remark", ""))
    except ReportRefused as exc:
        flash(str(exc), "error")
        if exc.in_text:
            return _detail_page(report, {"remark": request.form.get("remark", "")}, 400)
        return redirect(url_for("reports.detail", report_id=report.id))
    flash(message, "success")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/reports/<int:report_id>/year-end", methods=["POST"])
@login_required
def year_end(report_id):
    report = _load(report_id)
    try:
        message = submit_year_end(current_user, report, request.form.get("summary", ""))
    except ReportRefused as exc:
        flash(str(exc), "error")
        if exc.in_text:
            return _detail_page(report, {"summary": request.form.get("summary", "")}, 400)
        return redirect(url_for("reports.detail", report_id=report.id))
    flash(message, "success")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.route("/reports/<int:report_id>/xlsx")
@login_required
def download(report_id):
    report = _load(report_id)
    data = report_xlsx(report)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=xlsx_name(report),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/reports/task/<int:task_id>")
@login_required
def from_task(task_id):
    """A report task opened from the inbox: its report page."""
    _require_viewer()
    task = db.session.get(HumanTask, task_id)
    report = None
    if task is not None:
        report = db.session.query(MonthlyReport).filter(MonthlyReport.instance_id == task.instance_id).first()
    if report is None or report_in_scope(current_user, report.id) is None:
        abort(404)
    return redirect(url_for("reports.detail", report_id=report.id))


# ----------------------------------------------------------------------------- managers and addresses

def _settings_unit(org_id: int) -> Org:
    if current_user.role not in SETTINGS_ROLES:
        abort(403)
    org = org_in_scope(current_user, org_id)
    if org is None:
        abort(404)
    return org


def _form_account_id() -> int | None:
    """The account chosen in the manager form ("" for none); anything but an id is refused."""
    raw = request.form.get("user_id", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_DB_ID:
        raise ValueError("请从列表中选择账号")
    return int(raw)


def _unit_manager(org: Org) -> UnitManager:
    raw = request.form.get("manager_id", "") or request.args.get("edit", "")
    manager = db.session.get(UnitManager, int(raw)) if raw.isdigit() and int(raw) <= MAX_DB_ID else None
    if manager is None or manager.org_id != org.id or not manager.active:
        abort(404)
    return manager


@bp.route("/units/<int:org_id>/deadlines", methods=["GET", "POST"])
@login_required
def unit_settings(org_id):
    org = _settings_unit(org_id)
    if request.method == "POST":
        action = request.form.get("action")
        digest = request.form.get("daily_digest") == "1"
        refused = False
        with write_intent():
            try:
                if action == "add_manager":
                    add_manager(current_user, org, request.form.get("name", ""), request.form.get("email", ""),
                                user_id=_form_account_id(), daily_digest=digest)
                    flash("已添加负责人", "success")
                elif action == "edit_manager":
                    manager = _unit_manager(org)
                    changed = update_manager(current_user, manager, request.form.get("name", ""),
                                             request.form.get("email", ""), _form_account_id(), digest)
                    flash("已保存负责人" if changed else "负责人没有改动", "success")
                elif action == "remove_manager":
                    remove_manager(current_user, _unit_manager(org))
                    flash("已移除负责人", "success")
                elif action == "settings":
                    save_settings(current_user, org, request.form.get("inbox_email"), request.form.get("upstream_email"))
                    flash("已保存月报接收邮箱", "success")
                else:
                    abort(400)
                db.session.commit()
            except ValueError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                refused = action in ("add_manager", "edit_manager")
        if refused:  # the form comes back as it was filled, so nothing has to be typed again
            return _settings_page(org, editing=_unit_manager(org) if action == "edit_manager" else None,
                                  filled=request.form), 400
        return redirect(url_for("reports.unit_settings", org_id=org.id))
    editing = _unit_manager(org) if request.args.get("edit") else None
    return _settings_page(org, editing=editing)


def _settings_page(org: Org, editing: UnitManager | None = None, filled=None):
    managers = db.session.query(UnitManager).filter(UnitManager.org_id == org.id, UnitManager.active.is_(True)) \
        .order_by(UnitManager.id).all()
    accounts = manager_accounts(org)
    linked = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_([m.user_id for m in managers if m.user_id])))} if any(m.user_id for m in managers) else {}
    if filled is None:
        filled = ({"name": editing.name, "email": editing.email or "", "user_id": str(editing.user_id or ""),
                   "daily_digest": "1" if editing.daily_digest else ""} if editing else {})
    return render_template("reports/settings.html", org=org, managers=managers, editing=editing, filled=filled,
                           accounts=accounts, linked=linked, account_label=account_label,
                           setting=db.session.get(ReportSetting, org.id))
