"""Statistics (with charts and xlsx), the progress dashboard with 督促, and search, for the user's subtree.

Load, check, act: the unit comes from `org_in_scope` (the user's own unit unless one below is asked
for); teachers from `teachers_in_scope_query`; ID numbers shown through `mask_id` (query users and
system administrators see them masked on the page and in every export).
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from accounts.policy import allowed
from models import Org
from models.teachers import RECORD_STATES
from orgs.scope import org_in_scope
from records import progress, search, statistics
from records.presentation import shown_value

from .helpers import requested_unit, page_arg

bp = Blueprint("stats", __name__)
VIEW_ROLES = ("info_admin", "query", "sys_admin")


class ActionForm(FlaskForm):
    pass


def _require_viewer():
    if current_user.role not in VIEW_ROLES or not allowed(current_user, "record.view"):
        abort(403)


def _unit() -> Org:
    """The unit asked for (?org=CODE), which must be the user's own or below it."""
    _require_viewer()
    return requested_unit()


def xlsx_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                             "Cache-Control": "no-store"})


# ----------------------------------------------------------------------------- statistics

@bp.route("/stats")
@login_required
def index():
    unit = _unit()
    stats = statistics.subtree_statistics(unit)
    return render_template("stats/index.html", stats=stats, charts=statistics.chart_data(stats),
                           columns=statistics.UNIT_COLUMNS, parent=unit.parent if unit.id != current_user.org_id else None)


@bp.route("/stats/export.xlsx")
@login_required
def export():
    unit = _unit()
    stats = statistics.subtree_statistics(unit)
    return xlsx_response(statistics.xlsx(stats), f"{unit.name}_教师统计_{stats.today}.xlsx")


# ----------------------------------------------------------------------------- progress

@bp.route("/progress")
@login_required
def progress_page():
    unit = _unit()
    rows = progress.dashboard(unit)
    from workflows import engine_now
    from workflows.timers import CHINA
    return render_template("stats/progress.html", unit=unit, rows=rows, total=progress.totals(rows, unit),
                           labels=progress.LABELS, form=ActionForm(),
                           today=engine_now().astimezone(CHINA).strftime("%Y-%m-%d"),
                           may_urge=lambda org: progress.urge_refusal(current_user, org) is None,
                           can_urge=allowed(current_user, "stats.urge"))


@bp.route("/progress/export.xlsx")
@login_required
def progress_export():
    unit = _unit()
    return xlsx_response(progress.progress_xlsx(unit, progress.dashboard(unit)), f"{unit.name}_采集进度.xlsx")


@bp.route("/progress/<int:org_id>/urge", methods=["POST"])
@login_required
def urge(org_id):
    _require_viewer()
    target = org_in_scope(current_user, org_id)
    if target is None:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        count = progress.urge(current_user, target, request.form.get("note", ""))
        flash(f"已督促{target.name}（{count} 名信息管理员将收到提醒）", "success")
    except progress.UrgeRefused as exc:
        flash(str(exc), "error")
    back = request.form.get("back", "")[:20]
    return redirect(url_for("stats.progress_page", org=back) if back else url_for("stats.progress_page"))


# ----------------------------------------------------------------------------- search

@bp.route("/search")
@login_required
def search_page():
    _require_viewer()
    q = search.Query(name=request.args.get("name", "").strip(), id_number=request.args.get("id_number", "").strip(),
                     school=request.args.get("school", "").strip(), state=request.args.get("state", ""),
                     field=request.args.get("field", ""), value=request.args.get("value", ""), page=page_arg())
    searched = any((q.name, q.id_number, q.school, q.state, q.field and q.value)) or "page" in request.args
    if q.value.strip() and not q.field:
        flash("填写了取值但没有选择信息项：请先在“信息项”中选择要查的项目", "warning")
    result = search.search(current_user, q) if searched else None
    for problem in (result.problems if result else []):
        flash(problem, "error")
    return render_template("stats/search.html", q=q, result=result, states=RECORD_STATES,
                           fields=search.field_choices(current_user), shown_value=shown_value)


# ----------------------------------------------------------------------------- command line (flask --app app stats …)

@bp.cli.command("refresh")
def refresh_command():
    """Apply new record versions to the statistics facts, unit counts and training credits."""
    import click

    from records import facts
    click.echo(f"已更新 {facts.refresh()} 名教师的统计数据")


@bp.cli.command("rebuild")
def rebuild_command():
    """Derive the statistics facts, unit counts and training credits of reviewed rows again from scratch."""
    import click

    from records import facts
    click.echo(f"已重新统计 {facts.rebuild()} 名教师的已生效记录")
