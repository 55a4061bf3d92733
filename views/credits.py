"""Training credits (学时学分): the teacher's own hours, a unit's progress (teachers or units below,
behind first), the platform import, hand entry by the school, and the yearly requirement per school type.

Load, check, act: units through `org_in_scope`, teachers through `teacher_in_scope`; writes are the
named operations of records/credits.py (each audited).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from models import Org, Teacher, db
from models.mobility import CREDIT_SOURCES
from records import credits
from records.access import teacher_in_scope

from .helpers import requested_unit

bp = Blueprint("credits", __name__)
VIEW_ROLES = ("info_admin", "query", "sys_admin")


class ActionForm(FlaskForm):
    pass


class ImportForm(FlaskForm):
    file = FileField("继续教育平台导出的学时表（xlsx 或 CSV）", validators=[FileRequired("请选择文件")])


def _year() -> int:
    raw = request.args.get("year", "")
    current = credits.this_year()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= current else current


def _unit() -> Org:
    if current_user.role not in VIEW_ROLES:
        abort(403)
    return requested_unit()


def _page(status=200, import_result=None, settings_problems=None):
    unit, year = _unit(), _year()
    school_view = unit.kind == "school"
    people = credits.teachers_progress(unit, year) if school_view else []
    units = [] if school_view else credits.units_progress(unit, year)
    return render_template("credits/index.html", unit=unit, year=year, people=people, units=units,
                           years=range(credits.this_year(), credits.this_year() - 6, -1),
                           requirements=credits.requirements(), type_labels=credits.SCHOOL_TYPE_LABELS,
                           may_configure=credits.may_configure(current_user), import_form=ImportForm(formdata=None),
                           settings_form=ActionForm(), import_result=import_result,
                           settings_problems=settings_problems or {},
                           may_import=current_user.role == "info_admin"), status


@bp.route("/credits")
@login_required
def index():
    if current_user.role == "teacher":
        return redirect(url_for("credits.mine"))
    if current_user.role not in VIEW_ROLES:
        abort(403)
    return _page()


@bp.route("/credits/me")
@login_required
def mine():
    if current_user.role != "teacher":
        if current_user.role not in VIEW_ROLES:
            abort(403)
        return redirect(url_for("credits.index"))
    year = _year()
    return render_template("credits/teacher.html", teacher=db.session.get(Teacher, current_user.teacher_id),
                           year=year, progress=credits.teacher_role_progress(current_user, year),
                           entries=credits.entries_of(current_user.teacher_id, year), sources=CREDIT_SOURCES,
                           years=range(credits.this_year(), credits.this_year() - 6, -1), may_enter=False)


@bp.route("/credits/import", methods=["POST"])
@login_required
def import_file():
    if current_user.role != "info_admin":
        abort(403)
    form = ImportForm()
    if not form.validate_on_submit():
        flash("请选择要导入的文件", "error")
        return redirect(url_for("credits.index"))
    result = credits.import_platform(current_user, form.file.data.read(), form.file.data.filename or "")
    flash(result.message, "success" if result.ok else "error")
    return _page(200 if result.ok else 400, import_result=result)


@bp.route("/credits/settings", methods=["POST"])
@login_required
def settings():
    if not credits.may_configure(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    values = {key: request.form.get(f"hours_{key}", "") for key in (credits.ANY_TYPE, *credits.SCHOOL_TYPE_LABELS)}
    result = credits.save_requirements(current_user, values)
    flash(result.message, "success" if result.ok else "error")
    if not result.ok:
        return _page(400, settings_problems=result.problems)
    return redirect(url_for("credits.index"))


def _teacher_page(found: Teacher, year: int, values=None, problems=None, status=200):
    progress = credits.TeacherProgress(found.id, found.name, found.id_number, found.org_id,
                                       credits.requirement_for(found.org.school_type), credits.hours_of(found.id, year))
    return render_template("credits/teacher.html", teacher=found, year=year, progress=progress,
                           entries=credits.entries_of(found.id, year), sources=CREDIT_SOURCES, form=ActionForm(),
                           values=values or {}, problems=problems or {},
                           years=range(credits.this_year(), credits.this_year() - 6, -1),
                           may_enter=credits.manual_refusal(current_user, found) is None), status


def _load_teacher(teacher_id) -> Teacher:
    if current_user.role not in (*VIEW_ROLES, "teacher"):
        abort(403)
    found = teacher_in_scope(current_user, teacher_id)
    if found is None:
        abort(404)
    return found


@bp.route("/teachers/<int:teacher_id>/credits")
@login_required
def teacher(teacher_id):
    return _teacher_page(_load_teacher(teacher_id), _year())


@bp.route("/teachers/<int:teacher_id>/credits/new", methods=["POST"])
@login_required
def add_entry(teacher_id):
    found = _load_teacher(teacher_id)
    refusal = credits.manual_refusal(current_user, found)
    if refusal:
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    # bounded, but longer than any allowed value, so an overlong project name is refused, not cut short
    values = {k: request.form.get(k, "")[:1000] for k in ("year", "project", "hours", "credits")}
    outcome = credits.add_manual(current_user, found, values)
    if outcome.ok:
        flash(outcome.message, "success")
        return redirect(url_for("credits.teacher", teacher_id=found.id, year=values["year"]))
    flash(outcome.message, "error")
    return _teacher_page(found, _year(), values, outcome.problems, 400)


@bp.route("/teachers/<int:teacher_id>/credits/<int:entry_id>/delete", methods=["POST"])
@login_required
def remove_entry(teacher_id, entry_id):
    found = _load_teacher(teacher_id)
    if credits.manual_refusal(current_user, found):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = credits.remove_manual(current_user, found, entry_id)
    flash(outcome.message, "success" if outcome.ok else "error")
    return redirect(url_for("credits.teacher", teacher_id=found.id, year=_year()))


# ----------------------------------------------------------------------------- command line (flask --app app credits …)

@bp.cli.command("schedule")
def schedule_command():
    """Start the province's yearly autumn reminder flow (training_credits) if it is not running."""
    import click

    from models import write_intent
    with write_intent():
        province = db.session.scalars(select(Org).where(Org.parent_id.is_(None), Org.kind == "province")).first()
        if province is None:
            click.echo("没有省级单位：请先导入组织机构", err=True)
            raise SystemExit(1)
        started = credits.ensure_reminder_flow(province)
        db.session.commit()
    click.echo(f"{province.name}：" + ("已安排每年 9 月 15 日的学时提醒" if started else "学时提醒已在运行"))
