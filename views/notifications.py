"""The notification centre (every signed-in user), one's own e-mail settings, and the scheduler's
admin page (the province's process administrator and system administrator: last tick, lag,
what is due, the outbox).

The unread count for the top bar comes from a context processor registered here.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

import workflows
from models import Notification, NotificationContact, SchedulerHeartbeat, SchedulerRun, db, write_intent
from notifications import inbox, mark_read, smtp_settings, unread_count
from notifications.centre import notification_for
from views.helpers import safe_next

bp = Blueprint("notifications", __name__)
STALE_AFTER = dt.timedelta(minutes=5)


@bp.app_context_processor
def _unread():
    if current_user and current_user.is_authenticated:
        return {"unread_notifications": lambda: unread_count(current_user)}
    return {"unread_notifications": lambda: 0}


@bp.route("/notifications")
@login_required
def index():
    page = request.args.get("page", "1")
    result = inbox(current_user, max(1, int(page)) if page.isdigit() and len(page) < 6 else 1,
                   unread_only=request.args.get("unread") == "1")
    return render_template("notifications/index.html", result=result, unread=unread_count(current_user))


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_one(notification_id):
    found = notification_for(current_user, notification_id)
    if found is None:
        abort(404)
    with write_intent():
        mark_read(current_user, [found.id])
        db.session.commit()
    if found.link and found.link.startswith("/") and not found.link.startswith("//"):
        return redirect(found.link)
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def read():
    ids = [int(x) for x in request.form.getlist("id") if x.isdigit() and len(x) < 12]
    with write_intent():
        count = mark_read(current_user, ids or None)
        db.session.commit()
    flash(gettext("已标记 %(count)s 条为已读", count=count), "success")
    return redirect(safe_next(url_for("notifications.index")))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    from reports.setup import check_email
    contact = db.session.get(NotificationContact, current_user.id)
    if request.method == "POST":
        try:
            email = check_email(request.form.get("email"))
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for("notifications.settings"))
        import audit
        with write_intent():
            contact = db.session.get(NotificationContact, current_user.id) or NotificationContact(user_id=current_user.id)
            before = {"email": contact.email, "daily_digest": contact.daily_digest}
            contact.email = email
            contact.daily_digest = request.form.get("daily_digest") == "1"
            db.session.add(contact)
            audit.record("notification_settings", object_type="user", object_id=current_user.id, before=before,
                         after={"email": email, "daily_digest": contact.daily_digest})
            db.session.commit()
        flash(gettext("已保存通知设置"), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", contact=contact)


# ----------------------------------------------------------------------------- the scheduler page

def _may_see_scheduler() -> bool:
    return current_user.role == "process_admin" or (current_user.role == "sys_admin" and current_user.org.kind == "province")


@bp.route("/admin/scheduler")
@login_required
def scheduler_status():
    if not _may_see_scheduler():
        abort(403)
    wall = dt.datetime.now(dt.timezone.utc)
    beats = list(db.session.scalars(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.last_tick_at.desc())))
    alive = [b for b in beats if b.last_tick_at and wall - b.last_tick_at < STALE_AFTER]
    due, oldest = workflows.due_count(wall)
    outbox = dict(db.session.execute(select(Notification.email_status, func.count())
                                     .group_by(Notification.email_status)).all())
    runs = list(db.session.scalars(select(SchedulerRun).order_by(SchedulerRun.id.desc()).limit(10)))
    upcoming = db.session.execute(select(func.count(), func.min(workflows.firing.PI.c.next_due_at))
                                  .where(workflows.firing.PI.c.next_due_at >= wall)).one()
    return render_template("scheduler/status.html", beats=beats, alive=alive, wall=wall, due=due,
                           lag=(wall - oldest) if oldest else None, outbox=outbox, runs=runs,
                           upcoming=upcoming, smtp=smtp_settings(), stale_after=STALE_AFTER)
