"""Landing page (each role starts where its work is) and the language switch."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required

from accounts.policy import allowed

from . import i18n
from .helpers import safe_next

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role == "teacher":
        return redirect(url_for("records.my_record"))
    if allowed(current_user, "task.work"):
        return redirect(url_for("inbox.queue"))
    if allowed(current_user, "process.admin") and "process.index" in current_app.view_functions:
        return redirect(url_for("process.index"))
    if allowed(current_user, "accounts.manage"):
        return redirect(url_for("accounts.index"))
    if allowed(current_user, "record.view"):
        return redirect(url_for("records.teacher_list"))
    return render_template("home.html")


@bp.route("/lang/<any(zh, en):code>")
def set_language(code):
    """The language switch: remember the choice for a year, back to the page it was made on
    (`next`, a same-site path only; anything else goes to the start page)."""
    resp = redirect(safe_next(url_for("home.index")))
    resp.set_cookie(i18n.COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True,
                    secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return resp
