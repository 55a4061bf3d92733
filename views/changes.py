"""Change requests on effective records: propose, review page content, revise or withdraw, the scan."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from accounts.policy import allowed, permits_unit
from models import db
from models.changes import ChangeRequest
from records import attachments, changes
from records.access import teacher_in_scope
from records.forms import basic_form_class

bp = Blueprint("changes", __name__)


class ActionForm(FlaskForm):
    pass


def _teacher(teacher_id):
    if not allowed(current_user, "record.edit"):
        abort(403)
    teacher = teacher_in_scope(current_user, teacher_id)
    if teacher is None:
        abort(404)
    return teacher


def _change(change_id, kind: str):
    change = db.session.get(ChangeRequest, change_id)
    if change is None or change.kind != kind or teacher_in_scope(current_user, change.teacher_id) is None:
        abort(404)
    return change


def _require_unit(action: str, teacher):
    """The declared policy's unit part (accounts.policy.SCOPES) for an object held by the teacher's school."""
    if not permits_unit(current_user, action, teacher.org):
        abort(403)


def _posted_values(form):
    return {f.name: f.data for f in form if f.name != "csrf_token"}


def _scan():
    upload = request.files.get("attachment")
    return upload.read() if upload and upload.filename else None


@bp.route("/teachers/<int:teacher_id>/change", methods=["GET", "POST"])
@login_required
def propose(teacher_id):
    teacher = _teacher(teacher_id)
    refusal = changes.proposal_refusal(current_user, teacher)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("records.detail", teacher_id=teacher.id))
    Form = basic_form_class(teacher.org.school_type, True)
    form = Form(data=changes.current_values(teacher)) if request.method == "GET" else Form()
    problems, reason = {}, request.form.get("reason", "")
    if request.method == "POST" and form.validate_on_submit():
        outcome = changes.propose(current_user, teacher, _posted_values(form), reason, _scan())
        if outcome.ok:
            flash(outcome.message, "success")
            return redirect(url_for("records.detail", teacher_id=teacher.id))
        problems = outcome.problems
        flash(outcome.message, "error")
    return render_template("changes/form.html", teacher=teacher, form=form, problems=problems, reason=reason,
                           change=None, action_form=ActionForm())


@bp.route("/changes/<int:change_id>/revise", methods=["GET", "POST"])
@login_required
def revise(change_id):
    change = _change(change_id, "change")
    teacher = _teacher(change.teacher_id)
    _require_unit("record.change", teacher)
    Form = basic_form_class(teacher.org.school_type, True)
    if request.method == "GET":
        form = Form(data={**changes.current_values(teacher), **change.proposed})
        return render_template("changes/form.html", teacher=teacher, form=form, problems={}, reason=change.reason or "",
                               change=change, action_form=ActionForm())
    form = Form()
    reason = request.form.get("reason", "")
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("action") == "withdraw":
        outcome = changes.withdraw(current_user, change)
    else:
        outcome = changes.resubmit(current_user, change, _posted_values(form), reason, _scan())
    if outcome.ok:
        flash(outcome.message, "success")
        return redirect(url_for("records.detail", teacher_id=teacher.id))
    flash(outcome.message, "error")
    return render_template("changes/form.html", teacher=teacher, form=form, problems=outcome.problems, reason=reason,
                           change=change, action_form=ActionForm())


@bp.route("/changes/<int:change_id>/attachment")
@login_required
def attachment(change_id):
    change = _change(change_id, "change")
    # The scan shows the whole ID number: only information administrators, never a masked role.
    _require_unit("change.attachment", teacher_in_scope(current_user, change.teacher_id))
    if not change.attachment_sha256:
        abort(404)
    data = attachments.load(change.attachment_sha256)
    if data is None:
        abort(404)
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(change.attachment_type, "bin")
    resp = send_file(io.BytesIO(data), mimetype=change.attachment_type, as_attachment=True,
                     download_name=f"证明材料_{change.id}.{ext}")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.app_context_processor
def _change_helpers():
    """What record pages show about change requests, without the records views knowing about them."""
    from records import departures
    return {"record_changes": changes.changes_of, "holding_flow": changes.holding_flow,
            "may_propose_change": lambda teacher: changes.proposal_refusal(current_user, teacher) is None,
            "may_register_departure": lambda teacher: departures.refusal(current_user, teacher) is None}


# --- additions: a teacher adds a row to a repeatable set of an effective record ----------------

@bp.route("/teachers/<int:teacher_id>/additions/<set_key>", methods=["GET", "POST"])
@login_required
def add(teacher_id, set_key):
    from records import additions
    from records.forms import set_form_class, set_form_data, set_form_values
    teacher = teacher_in_scope(current_user, teacher_id)
    if teacher is None:
        abort(404)
    info, refusal = additions.addition_refusal(current_user, teacher, set_key[:40])
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("records.detail", teacher_id=teacher.id))
    Form = set_form_class(set_key, teacher.org.school_type)
    form = Form(data=set_form_data(set_key, teacher.org.school_type, None)) if request.method == "GET" else Form()
    problems = {}
    if request.method == "POST" and form.validate_on_submit():
        outcome = additions.propose(current_user, teacher, set_key, set_form_values(form))
        if outcome.ok:
            flash(outcome.message, "success")
            return redirect(url_for("records.detail", teacher_id=teacher.id))
        problems = outcome.problems
        flash(outcome.message, "error")
    return render_template("changes/addition.html", teacher=teacher, info=info, form=form, problems=problems,
                           change=None)


@bp.route("/teachers/<int:teacher_id>/additions")
@login_required
def start_addition(teacher_id):
    if not allowed(current_user, "record.addition"):
        abort(403)
    if teacher_in_scope(current_user, teacher_id) is None:
        abort(404)
    return redirect(url_for("changes.add", teacher_id=teacher_id, set_key=request.args.get("set", "")[:40] or "-"))


@bp.route("/additions/<int:change_id>", methods=["GET", "POST"])
@login_required
def revise_addition(change_id):
    from records import additions
    from records.forms import set_form_class, set_form_data, set_form_values
    from records.indicators import set_by_key
    if not allowed(current_user, "record.addition"):
        abort(403)
    change = _change(change_id, "addition")
    teacher = teacher_in_scope(current_user, change.teacher_id)
    info = set_by_key(change.set_key, teacher.org.school_type)
    Form = set_form_class(change.set_key, teacher.org.school_type)
    form = Form(data=set_form_data(change.set_key, teacher.org.school_type, change.proposed)) \
        if request.method == "GET" else Form()
    problems = {}
    if request.method == "POST" and form.validate_on_submit():
        withdraw = request.form.get("action") == "withdraw"
        outcome = additions.revise(current_user, change, None if withdraw else set_form_values(form), withdraw)
        if outcome.ok:
            flash(outcome.message, "success")
            return redirect(url_for("records.detail", teacher_id=teacher.id))
        problems = outcome.problems
        flash(outcome.message, "error")
    return render_template("changes/addition.html", teacher=teacher, info=info, form=form, problems=problems,
                           change=change)


@bp.app_context_processor
def _addition_helpers():
    def addable_sets(teacher):
        from records import additions
        from records.indicators import sets_for
        if current_user.role != "teacher" or teacher.state != "effective":
            return []
        return [s for s in sets_for(teacher.org.school_type)
                if s.key != "basic" and additions.addition_refusal(current_user, teacher, s.key)[1] is None]

    def addition_submissions(teacher):
        from records import additions
        return additions.submissions(teacher.id)
    def set_title(teacher, set_key):
        from records.indicators import set_by_key
        info = set_by_key(set_key, teacher.org.school_type)
        return info.title if info else set_key
    return {"addable_sets": addable_sets, "addition_submissions": addition_submissions, "set_title": set_title}


# --- departures: a teacher leaving is a reviewed status change ---------------------------------

@bp.route("/teachers/<int:teacher_id>/departure", methods=["GET", "POST"])
@login_required
def departure(teacher_id):
    from records import departures
    teacher = _teacher(teacher_id)
    why = departures.refusal(current_user, teacher)
    if why:
        flash(why, "error")
        return redirect(url_for("records.detail", teacher_id=teacher.id))
    form, problems = ActionForm(), {}
    values = {k: request.form.get(k, "") for k in ("reason", "date", "remark")}
    if request.method == "POST" and form.validate_on_submit():
        outcome = departures.propose(current_user, teacher, values["reason"], values["date"], values["remark"])
        if outcome.ok:
            flash(outcome.message, "success")
            return redirect(url_for("records.detail", teacher_id=teacher.id))
        problems = outcome.problems
        flash(outcome.message, "error")
    return render_template("changes/departure.html", teacher=teacher, form=form, problems=problems, values=values,
                           reasons=departures.REASONS)
