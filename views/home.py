"""Landing page: each role starts where its work is."""
from __future__ import annotations

from flask import Blueprint, redirect, url_for
from flask_login import current_user, login_required

from accounts.policy import allowed

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role == "teacher":
        return redirect(url_for("records.my_record"))
    if allowed(current_user, "task.work"):
        return redirect(url_for("inbox.queue"))
    if allowed(current_user, "accounts.manage"):
        return redirect(url_for("accounts.index"))
    return redirect(url_for("records.teacher_list"))


@bp.route("/lang/<any(zh, en):code>")
def set_language(code):
    resp = redirect(url_for("home.index"))
    resp.set_cookie("lang", code, max_age=365 * 86400, samesite="Lax")
    return resp
