"""The audit log of the user's subtree: read-only, searchable (system and information administrators)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user, login_required

from accounts.policy import allowed
from audit.presentation import shown_entries
from audit.search import ACTION_LABELS, AuditFilter, audit_page, operator_filter_refused

from .helpers import page_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _date(name):
    raw = request.args.get(name, "").strip()[:10]
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        flash(f"日期“{raw}”格式不对，应为 YYYY-MM-DD，已忽略该条件", "warning")
        return None
    return day if day is None or dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31) else None


@bp.route("/")
@login_required
def index():
    if not allowed(current_user, "audit.view"):
        abort(403)
    flt = AuditFilter(action=request.args.get("action", "")[:60], username=request.args.get("user", "").strip()[:40],
                      date_from=_date("from"), date_to=_date("to"), page=page_arg())
    if operator_filter_refused(current_user, flt.username):
        flash("本角色看到的身份证号已隐藏，不能按身份证号（教师的登录名）筛选操作人；请按操作类型和日期筛选。", "error")
    rows, total, pages = audit_page(current_user, flt)
    return render_template("audit/index.html", rows=shown_entries(rows), total=total, pages=pages, flt=flt,
                           labels=ACTION_LABELS)
