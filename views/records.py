"""Teacher records: my record, the list of teachers in scope, a record, the fill form, submit,
rows of the repeatable sets, templates, import, export."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from sqlalchemy import func, select

from accounts.policy import MASKED_ROLES, allowed
from models import Org, Teacher, db
from models.teachers import RECORD_STATES
from records import history as record_history
from records import collection, items, jobs, review, service
from records.access import teacher_in_scope, teachers_in_scope_query
from records.forms import basic_form_class, form_values, identity_values, set_form_class, set_form_data, set_form_values
from records import sheets
from records.indicators import GROUP_LABELS, GROUP_TYPES, SETS, school_group, set_by_key
from records.presentation import record_rows, set_sections

from .helpers import page_arg

bp = Blueprint("records", __name__)


class ImportForm(FlaskForm):
    set_key = SelectField("信息集", default="basic")
    school_type = SelectField("学校类型（上级单位导入基本信息以外的信息集时选择）", default="")
    file = FileField("导入文件（xlsx，使用对应的导入模板）", validators=[FileRequired("请选择文件")])


class ActionForm(FlaskForm):
    pass


def _load(teacher_id: int, action: str) -> Teacher:
    if not allowed(current_user, action):
        abort(403)
    teacher = teacher_in_scope(current_user, teacher_id)
    if teacher is None:
        abort(404)
    return teacher


@bp.route("/me")
@login_required
def my_record():
    if current_user.role != "teacher" or current_user.teacher_id is None:
        abort(403)
    return redirect(url_for("records.detail", teacher_id=current_user.teacher_id))


@bp.route("/teachers")
@login_required
def teacher_list():
    if not allowed(current_user, "record.view") or current_user.role == "teacher":
        abort(403)
    q = teachers_in_scope_query(current_user)
    state, school, name = request.args.get("state", ""), request.args.get("school", "").strip(), request.args.get("q", "").strip()
    if state in RECORD_STATES:
        q = q.where(Teacher.state == state)
    if school:
        q = q.where((Org.code == school) | Org.name.contains(school))
    if name:
        # Roles that see masked ID numbers search by name only: an exact-number search would unmask them.
        cond = Teacher.name.contains(name[:50])
        if current_user.role not in MASKED_ROLES:
            cond = cond | (Teacher.id_number == name.upper())
        q = q.where(cond)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    per = 20
    page = min(page_arg(), max(1, (total + per - 1) // per))
    teachers = db.session.scalars(q.order_by(Teacher.org_id, Teacher.id).limit(per).offset((page - 1) * per)).all()
    counts = service.state_counts(current_user)
    return render_template("records/list.html", teachers=teachers, total=total, page=page,
                           pages=max(1, (total + per - 1) // per), states=RECORD_STATES, counts=counts)


@bp.route("/teachers/<int:teacher_id>")
@login_required
def detail(teacher_id):
    teacher = _load(teacher_id, "record.view")
    stop = collection.stopped_collection(teacher)
    return render_template("records/detail.html", teacher=teacher, rows=record_rows(teacher, current_user),
                           history=review.review_history(teacher.id), can_edit=service.can_edit(current_user, teacher),
                           action_form=ActionForm(), sections=set_sections(teacher, current_user), stop=stop,
                           stop_message=collection.stopped_message(current_user, teacher, stop) if stop else "",
                           may_restart=stop is not None and collection.may_restart(current_user, teacher))


@bp.route("/teachers/<int:teacher_id>/restart-collection", methods=["POST"])
@login_required
def restart_collection(teacher_id):
    teacher = _load(teacher_id, "record.restart")
    ok, message = collection.restart(current_user, teacher)
    flash(message, "success" if ok else "error")
    return redirect(url_for("records.detail", teacher_id=teacher_id))


@bp.app_context_processor
def _record_sets():
    """`record_sets(teacher)` for any page that shows a record (the review task page includes the sets)."""
    return {"record_sets": lambda teacher: set_sections(teacher, current_user)}


# --- rows of the repeatable sets --------------------------------------------------------------

def _set_of(teacher: Teacher, set_key: str):
    info = set_by_key(set_key, teacher.org.school_type)
    if info is None or set_key == "basic":
        abort(404)
    return info


def _back(teacher: Teacher, set_key: str):
    return redirect(url_for("records.detail", teacher_id=teacher.id) + f"#set-{set_key}")


@bp.route("/teachers/<int:teacher_id>/sets/<set_key>/new", methods=["GET", "POST"])
@bp.route("/teachers/<int:teacher_id>/sets/<set_key>/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def set_row(teacher_id, set_key, item_id=None):
    teacher = _load(teacher_id, "record.edit")
    info = _set_of(teacher, set_key)
    item = None
    if item_id is not None:
        item = items.item_in_record(teacher, set_key, item_id)
        if item is None:
            abort(404)
    refusal = items.set_refusal(current_user, teacher, set_key)[1]
    if refusal:
        flash(refusal, "error")
        return _back(teacher, set_key)
    Form = set_form_class(set_key, teacher.org.school_type)
    form = Form(data=set_form_data(set_key, teacher.org.school_type, item.values if item else None)) \
        if request.method == "GET" else Form()
    problems: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        outcome = items.save_item(current_user, teacher, set_key, set_form_values(form), item_id)
        if outcome.ok:
            flash(outcome.message, "success")
            return _back(teacher, set_key)
        problems = outcome.problems
        flash(outcome.message, "error")
    return render_template("records/set_row.html", teacher=teacher, info=info, form=form, item=item,
                           problems=problems)


@bp.route("/teachers/<int:teacher_id>/sets/<set_key>/<int:item_id>/delete", methods=["POST"])
@login_required
def set_row_delete(teacher_id, set_key, item_id):
    teacher = _load(teacher_id, "record.edit")
    _set_of(teacher, set_key)
    outcome = items.delete_item(current_user, teacher, set_key, item_id)
    flash(outcome.message, "success" if outcome.ok else "error")
    return _back(teacher, set_key)


@bp.route("/teachers/<int:teacher_id>/history")
@login_required
def history(teacher_id):
    teacher = _load(teacher_id, "record.view")
    kept = record_history.versions(teacher.id)
    by_number = {v.number: v for v in kept}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    changes = None
    if a in by_number and b in by_number and a != b:
        older, newer = sorted((by_number[a], by_number[b]), key=lambda v: v.number)
        changes = record_history.diff(teacher, older, newer, current_user)
    elif kept and (a or b):
        flash("请选择两个不同的版本进行比较", "warning")
    return render_template("records/history.html", teacher=teacher, versions=kept, changes=changes, a=a, b=b,
                           duties=record_history.responsibilities(teacher, kept, current_user))


@bp.route("/teachers/<int:teacher_id>/edit", methods=["GET", "POST"])
@login_required
def edit(teacher_id):
    teacher = _load(teacher_id, "record.edit")
    refusal = service.edit_refusal(current_user, teacher)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("records.detail", teacher_id=teacher.id))
    Form = basic_form_class(teacher.org.school_type)
    form = Form(data=form_values(teacher)) if request.method == "GET" else Form()
    if request.method == "POST":
        # Identity items are shown disabled, so browsers do not post them: show the account's values again.
        for key, value in identity_values(teacher).items():
            if key in form:
                form[key].data = value
    problems: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        values = {f.name: f.data for f in form if f.name != "csrf_token"}
        submit = request.form.get("action") == "submit"
        outcome = service.save_basic(current_user, teacher, values, submit=submit)
        problems = outcome.problems
        if outcome.ok:
            flash(outcome.message, "success")
            return redirect(url_for("records.detail", teacher_id=teacher.id))
        flash(outcome.message, "error")
    return render_template("records/edit.html", teacher=teacher, form=form, problems=problems)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_sheet():
    if not allowed(current_user, "record.import"):
        abort(403)
    form = ImportForm()
    form.set_key.choices = [(s.key, s.title) for s in SETS.values()]
    form.school_type.choices = [("", "本校类型" if _own_group() else "请选择")] + [
        (t, GROUP_LABELS[g]) for g, t in GROUP_TYPES.items()]
    if form.validate_on_submit():
        set_key, school_type = form.set_key.data, form.school_type.data or None
        if set_key != "basic" and _own_group() is None and school_type is None:
            form.school_type.errors = ["上级单位导入信息集时请选择学校类型（模板按学校类型区分）"]
        else:
            job = jobs.start_import(current_user, set_key, school_type, form.file.data.filename or "",
                                    form.file.data.read())
            if job.status in ("queued", "running"):
                return redirect(url_for("records.import_job", token=job.token))
            return _job_page(job, form)
    return render_template("records/import.html", form=form, job=None, progress=None)


def _job_page(job, form=None):
    form = form or ImportForm()
    form.set_key.choices = [(s.key, s.title) for s in SETS.values()]
    form.school_type.choices = [("", "—")] + [(t, GROUP_LABELS[g]) for g, t in GROUP_TYPES.items()]
    info = SETS.get(job.set_key)
    return render_template("records/import.html", form=form, job=job, progress=jobs.progress_of(job),
                           set_title=info.title if info else job.set_key)


@bp.route("/import/jobs/<token>")
@login_required
def import_job(token):
    job = jobs.job_for(current_user, token)
    if job is None:
        abort(404)
    return _job_page(job)


@bp.route("/import/jobs/<token>/status")
@login_required
def import_job_status(token):
    job = jobs.job_for(current_user, token)
    if job is None:
        abort(404)
    return jobs.progress_of(job)


@bp.route("/import/jobs/<token>/report.xlsx")
@login_required
def import_job_report(token):
    job = jobs.job_for(current_user, token)
    if job is None or job.report is None:
        abort(404)
    stem = (job.filename.rsplit(".", 1)[0] or "导入文件")[:80]
    return xlsx_response(job.report, f"{stem}_错误标注.xlsx")
# --- templates ----------------------------------------------------------------------------------

def xlsx_response(data: bytes, filename: str) -> Response:
    from urllib.parse import quote
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                             "Cache-Control": "no-store"})


def _own_group() -> str | None:
    org = current_user.org
    return school_group(org.school_type) if org is not None and org.kind == "school" else None


@bp.route("/templates")
@login_required
def templates():
    groups = list(GROUP_TYPES)
    table = [(s, [GROUP_TYPES[g] if s.applies_to(g) else None for g in groups]) for s in SETS.values()]
    return render_template("records/templates.html", table=table, groups=groups, labels=GROUP_LABELS,
                           own=_own_group(), is_bureau=current_user.org.kind != "school")


@bp.route("/templates/<set_key>/<school_type>.xlsx")
@login_required
def template_download(set_key, school_type):
    if school_type not in GROUP_TYPES.values() or set_by_key(set_key, school_type) is None:
        abort(404)
    with_school = set_key == "basic" and request.args.get("school") == "1"
    data = sheets.build_workbook(set_key, school_type, with_school=with_school)
    return xlsx_response(data, sheets.file_name(set_key, school_type))
