"""Transfers (调动) and exchange/rotation (交流轮岗): lists of the user's subtree, applications, a
page per transfer or rotation (with the decision form when the user holds its open step), and
what record pages show about them.

Load, check, act: rows come only through `transfer_in_scope` / `rotation_in_scope` (either school
in the user's subtree); decisions go through the inbox's decide route (records/review.py).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from accounts.policy import allowed
from models import HumanTask, Teacher, db
from models.mobility import ROTATION_STATES, TRANSFER_STATES, Rotation, Transfer
from records import rotation as rotations
from records import transfers
from records.access import teacher_in_scope
from records.presentation import record_rows

from .helpers import page_arg

bp = Blueprint("transfers", __name__)
PER_PAGE = 20


class ActionForm(FlaskForm):
    pass


def _require_viewer():
    if not allowed(current_user, "record.view"):
        abort(403)


def _require_lister():
    """Lists of a subtree: the unit roles (a teacher sees their own transfers on their record page)."""
    if current_user.role not in ("info_admin", "query", "sys_admin"):
        abort(403)


def _page(query):
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    page = min(page_arg(), pages)
    rows = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return rows, total, page, pages


def _open_task(instance_id):
    """The open step of the instance the current user may act on, or None."""
    if instance_id is None or current_user.role == "teacher":
        return None
    return db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.candidate_org_id == current_user.org_id,
                                                      HumanTask.candidate_role == current_user.role)).first()


def _events(instance_id):
    """The timeline: the application and every decision, oldest first, each with the unit that acted
    (the acting account's unit: transfers and rotations are decided by unit accounts, which never move)."""
    from models import Org, User, WorkflowEvent
    if instance_id is None:
        return []
    return db.session.execute(
        select(WorkflowEvent, Org.name).outerjoin(User, User.id == WorkflowEvent.user_id)
        .outerjoin(Org, Org.id == User.org_id)
        .where(WorkflowEvent.instance_id == instance_id, WorkflowEvent.action.in_(("started", "completed")))
        .order_by(WorkflowEvent.id)).all()


def _waiting_for(task_name: str, unit_name: str) -> str:
    """What an open step waits for, in a few words: "待龙华区教育局审核", "待东山中心小学确认"."""
    verb = next((v for v in ("确认", "审核") if task_name.endswith(v)), "办理")
    return f"待{unit_name}{verb}"


def _current_steps(instance_id):
    """The open steps of an instance: (task row, its unit's name, what it waits for)."""
    from models import Org
    if instance_id is None:
        return []
    rows = db.session.execute(select(HumanTask, Org.name).join(Org, Org.id == HumanTask.candidate_org_id)
                              .where(HumanTask.instance_id == instance_id).order_by(HumanTask.id)).all()
    return [(task, unit, _waiting_for(task.task_name, unit)) for task, unit in rows]


# ----------------------------------------------------------------------------- transfers

@bp.route("/transfers")
@login_required
def index():
    _require_lister()
    direction = request.args.get("direction", "") if request.args.get("direction") in ("in", "out") else ""
    state = request.args.get("state", "") if request.args.get("state") in TRANSFER_STATES else ""
    rows, total, page, pages = _page(transfers.transfers_query(current_user, direction, state))
    return render_template("transfers/index.html", rows=rows, total=total, page=page, pages=pages,
                           teachers=transfers.teacher_names(rows), states=TRANSFER_STATES, direction=direction,
                           state=state, may_apply=transfers.applicant_refusal(current_user) is None,
                           direction_for=lambda row: transfers.direction_for(current_user, row))


@bp.route("/transfers/new", methods=["GET", "POST"])
@login_required
def new():
    _require_viewer()
    refusal = transfers.applicant_refusal(current_user)
    if refusal:
        # e.g. a system administrator following the registration duplicate check's offer
        hint = request.args.get("id_number", "")[:30]
        flash(refusal + (f"。请把身份证件号 {hint} 交给本校信息管理员，由其在“调动与交流”页发起调入申请" if hint else ""),
              "error")
        return redirect(url_for("accounts.index") if current_user.role == "sys_admin" else url_for("home.index"))
    form = ActionForm()
    values = {"id_number": request.values.get("id_number", "")[:30], "name": request.values.get("name", "")[:50],
              "join_month": request.values.get("join_month", ""), "reason": request.values.get("reason", "")[:600]}
    problems = {}
    if request.method == "POST":
        if form.validate_on_submit():
            outcome = transfers.apply(current_user, values["id_number"], values["name"], values["join_month"],
                                      values["reason"])
            if outcome.ok:
                flash(outcome.message, "success")
                return redirect(url_for("transfers.detail", transfer_id=outcome.transfer.id))
            problems = outcome.problems
            flash(outcome.message, "error")
    return render_template("transfers/new.html", form=form, values=values, problems=problems), \
        400 if problems else 200


def _load_transfer(transfer_id) -> Transfer:
    _require_viewer()
    row = transfers.transfer_in_scope(current_user, transfer_id)
    if row is None:
        abort(404)
    return row


@bp.route("/transfers/<int:transfer_id>")
@login_required
def detail(transfer_id):
    row = _load_transfer(transfer_id)
    teacher = db.session.get(Teacher, row.teacher_id)
    # The record's rows: for its owner's side always, for the other side while the transfer is under way;
    # the applying school itself only the identity items until the teacher has moved (knowing an ID number
    # and a name must not be enough to read a teacher's whole record by applying for her).
    in_scope = teacher_in_scope(current_user, teacher.id) is not None
    show_record = row.state == "pending" or in_scope
    identity_only = not in_scope and current_user.org_id == row.to_org_id
    return render_template("transfers/detail.html", row=row, teacher=teacher, task=_open_task(row.instance_id),
                           events=_events(row.instance_id), steps=_current_steps(row.instance_id), direction=transfers.direction_for(current_user, row)
                           if current_user.role != "teacher" else "",
                           rows=record_rows(teacher, current_user, identity_only=identity_only) if show_record else [],
                           identity_only=identity_only, in_scope=in_scope)


@bp.route("/mobility/task/<int:task_id>")
@login_required
def from_task(task_id):
    """The inbox's task page for a transfer or rotation step: that transfer's or rotation's page."""
    from records.access import task_for_user
    task = task_for_user(current_user, task_id)
    if task is None:
        abort(404)
    row = db.session.scalars(select(Transfer).where(Transfer.instance_id == task.instance_id)).first()
    if row is not None:
        return redirect(url_for("transfers.detail", transfer_id=row.id))
    found = db.session.scalars(select(Rotation).where(Rotation.instance_id == task.instance_id)).first()
    if found is not None:
        return redirect(url_for("transfers.rotation_detail", rotation_id=found.id))
    return redirect(url_for("inbox.task_page", task_id=task.id))  # not a transfer or rotation step


# ----------------------------------------------------------------------------- exchange / rotation

@bp.route("/rotations")
@login_required
def rotation_index():
    _require_lister()
    side = request.args.get("side", "") if request.args.get("side") in ("home", "host") else ""
    state = request.args.get("state", "") if request.args.get("state") in ROTATION_STATES else ""
    rows, total, page, pages = _page(rotations.rotations_query(current_user, side, state))
    return render_template("transfers/rotations.html", rows=rows, total=total, page=page, pages=pages,
                           teachers=transfers.teacher_names(rows), states=ROTATION_STATES, side=side, state=state,
                           side_for=lambda r: rotations.side_for(current_user, r),
                           visiting=rotations.visiting_teachers(current_user))


@bp.route("/teachers/<int:teacher_id>/rotation", methods=["GET", "POST"])
@login_required
def rotation_new(teacher_id):
    _require_viewer()
    teacher = teacher_in_scope(current_user, teacher_id)
    if teacher is None:
        abort(404)
    refusal = rotations.apply_refusal(current_user, teacher)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("records.detail", teacher_id=teacher.id))
    form = ActionForm()
    keys = ("host_code", "rotation_type", "moves_relationship", "start_month", "end_month")
    values = {k: request.values.get(k, "")[:40] for k in keys}
    problems = {}
    if request.method == "POST" and form.validate_on_submit():
        outcome = rotations.apply(current_user, teacher, values)
        if outcome.ok:
            flash(outcome.message, "success")
            return redirect(url_for("transfers.rotation_detail", rotation_id=outcome.rotation.id))
        problems = outcome.problems
        flash(outcome.message, "error")
    return render_template("transfers/rotation_new.html", form=form, teacher=teacher, values=values,
                           problems=problems, types=rotations.ROTATION_TYPES), 400 if problems else 200


@bp.route("/rotations/<int:rotation_id>")
@login_required
def rotation_detail(rotation_id):
    _require_viewer()
    row = rotations.rotation_in_scope(current_user, rotation_id)
    if row is None:
        abort(404)
    teacher = db.session.get(Teacher, row.teacher_id)
    return render_template("transfers/rotation_detail.html", row=row, teacher=teacher,
                           task=_open_task(row.instance_id), events=_events(row.instance_id),
                           steps=_current_steps(row.instance_id),
                           rows=record_rows(teacher, current_user), type_label=rotations.type_label(row.rotation_type),
                           in_scope=teacher_in_scope(current_user, teacher.id) is not None)


# ----------------------------------------------------------------------------- on record pages

@bp.app_context_processor
def _mobility_helpers():
    def mobility(teacher):
        """What a record page shows: transfers and rotations of the teacher, and what the viewer may start."""
        if not current_user.is_authenticated:
            return {}
        return {"transfers": transfers.transfers_of(teacher.id), "rotations": rotations.rotations_of(teacher.id),
                "may_rotate": rotations.apply_refusal(current_user, teacher) is None}
    return {"mobility": mobility}

