"""Task inboxes: my unit's queue, tasks claimed by me, the task page, approve/return, bulk approve."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from accounts.policy import allowed
from records import changes, history, review
from records.access import task_for_user, teacher_in_scope
from records.inbox import InboxFilter, inbox_page, process_names, queue_summary
from records.presentation import record_rows

from .helpers import form_ids, page_arg, safe_next

bp = Blueprint("inbox", __name__)
SHOWN_PROBLEMS = 10  # bulk approval: the problems listed in its one message


def _require_worker():
    if not allowed(current_user, "task.work"):
        abort(403)


def _date_arg(name):
    raw = request.args.get(name, "").strip()[:20]
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        flash(gettext("日期“%(raw)s”格式不对，应为 YYYY-MM-DD，已忽略该条件", raw=raw), "warning")
        return None
    if day is not None and not (dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31)):
        flash(gettext("日期“%(raw)s”超出范围（1990-01-01 至 2100-12-31），已忽略该条件", raw=raw), "warning")
        return None
    return day


@bp.route("/inbox")
@bp.route("/inbox/<any(mine, unit):view>")
@login_required
def queue(view="unit"):
    _require_worker()
    flt = InboxFilter(view=view, process=request.args.get("process", ""), step=request.args.get("step", ""),
                      school=request.args.get("school", "").strip(), q=request.args.get("q", "").strip(),
                      date_from=_date_arg("from"), date_to=_date_arg("to"), sort=request.args.get("sort", "created"),
                      page=page_arg())
    counts, steps, processes = queue_summary(current_user)
    # The unfiltered unit queue's size is already known from the summary: no second count.
    unfiltered = flt.view == "unit" and not (flt.process or flt.step or flt.school or flt.q or flt.date_from or flt.date_to)
    result = inbox_page(current_user, flt, known_total=counts["unit"] if unfiltered else None)
    names = process_names()
    return render_template("inbox/queue.html", flt=flt, result=result, counts=counts, steps=steps,
                           processes=processes, process_names=names)


@bp.route("/tasks/<int:task_id>")
@login_required
def task_page(task_id):
    _require_worker()
    task = task_for_user(current_user, task_id)
    if task is None:
        done = review.handled_task(current_user, task_id)
        if done is None:
            abort(404)
        return render_template("inbox/handled.html", done=done)
    if task.task_key == "fill":
        return redirect(url_for("records.edit", teacher_id=task.subject_teacher_id))
    if task.process_key in ("monthly_report", "province_report"):  # a unit's report, not a teacher's record
        return redirect(url_for("reports.from_task", task_id=task.id))
    if task.process_key in ("teacher_transfer", "exchange_rotation"):  # the other school's side: its own page
        return redirect(url_for("transfers.from_task", task_id=task.id))
    teacher = teacher_in_scope(current_user, task.subject_teacher_id)
    if teacher is None:
        abort(404)
    change = changes.for_task(task)
    if task.task_key == "revise_change" and change is not None:
        return redirect(url_for("changes.revise", change_id=change.id))
    if task.task_key == "revise_addition" and change is not None:
        return redirect(url_for("changes.revise_addition", change_id=change.id))
    return _render_task(task, teacher, change)


def _render_task(task, teacher, change, **extra):
    """The task page: the record to check (marked where it changed since a return) and the decision."""
    return render_template("inbox/task.html", task=task, teacher=teacher, rows=record_rows(teacher, current_user),
                           history=review.review_history(teacher.id), change=change,
                           change_rows=changes.display_rows(teacher, change) if change else [],
                           since_return=None if change else history.since_return(teacher, task.instance_id, current_user),
                           **extra)


@bp.route("/tasks/<int:task_id>/decide", methods=["POST"])
@login_required
def decide(task_id):
    _require_worker()
    reason = request.form.get("reason", "")
    outcome = review.decide(current_user, task_id, request.form.get("decision", ""), reason,
                            task_uuid=request.form.get("task_uuid", ""))  # the page's task; required
    if not outcome.ok and outcome.field == "reason":
        # Show the problem beside the reason box, keeping what was typed.
        task = task_for_user(current_user, task_id)
        teacher = teacher_in_scope(current_user, task.subject_teacher_id) if task else None
        if task is not None and teacher is not None:
            return _render_task(task, teacher, changes.for_task(task), reason=reason,
                                reason_error=outcome.message), 400
    flash(outcome.message, "success" if outcome.ok else "error")
    return redirect(safe_next(url_for("inbox.queue")))


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    _require_worker()
    outcome = review.claim(current_user, task_id, release=request.form.get("release") == "1")
    flash(outcome.message, "success" if outcome.ok else "error")
    return redirect(safe_next(url_for("inbox.queue")))


@bp.route("/inbox/bulk-approve", methods=["POST"])
@login_required
def bulk_approve():
    _require_worker()
    ids, bad = form_ids("task_id")
    if bad:
        flash(gettext("任务编号“%(raw)s”无效，已跳过", raw="”“".join(bad[:SHOWN_PROBLEMS])), "error")
    if not ids:
        if not bad:
            flash(gettext("请先勾选要批量通过的任务"), "warning")
        return redirect(safe_next(url_for("inbox.queue")))
    approved, problems = review.bulk_approve(current_user, ids)
    if approved:
        flash(gettext("已批量通过 %(count)s 条", count=approved), "success")
    if problems:
        # One message: the flashes a page keeps are capped, and the count must not be the one dropped.
        more = len(problems) - SHOWN_PROBLEMS
        flash(gettext("有 %(count)s 条未能通过：", count=len(problems)) + "；".join(problems[:SHOWN_PROBLEMS])
              + (gettext("（另有 %(more)s 条未列出）", more=more) if more > 0 else ""), "error")
    return redirect(safe_next(url_for("inbox.queue")))
