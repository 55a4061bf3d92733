"""Data exchange: the export page (JSON and the national template per set and school type, for the user's
subtree), the unit's API tokens, and the JSON API itself (/api/v1, bearer tokens, read-only except the
training-hours push), with its OpenAPI document.

Load, check, act: session pages take the unit from `org_in_scope`; API requests from the token's unit
(`exchange.unit_in`), and every teacher through the same subtree condition. The API has no session and
no CSRF form; its one write (POST /api/v1/credits) is exempt from CSRF and audited like the import.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from accounts.policy import MASKED_ROLES
from models import Org, db
from records import credits, exchange, statistics
from records.fields import GROUP_LABELS, GROUP_TYPES
from records.indicators import SETS, set_by_key

from . import csrf
from .stats import xlsx_response

from .helpers import requested_unit

bp = Blueprint("api", __name__)
VIEW_ROLES = ("info_admin", "query", "sys_admin")
MAX_PER_PAGE = 200


class ActionForm(FlaskForm):
    pass


def _unit() -> Org:
    if current_user.role not in VIEW_ROLES:
        abort(403)
    return requested_unit()


# ----------------------------------------------------------------------------- session pages

@bp.route("/exchange")
@login_required
def exchange_page():
    unit = _unit()
    sets = [(s, [g for g in GROUP_TYPES if set_by_key(s.key, GROUP_TYPES[g]) is not None]) for s in SETS.values()]
    return render_template("api/exchange.html", unit=unit, sets=sets, group_labels=GROUP_LABELS,
                           group_types=GROUP_TYPES, tokens=exchange.tokens_of(current_user)
                           if exchange.may_manage_tokens(current_user) else [],
                           may_manage=exchange.may_manage_tokens(current_user), form=ActionForm(),
                           new_token=None, masked=current_user.role in MASKED_ROLES, may_revoke=_may_revoke)


@bp.route("/exchange/export.json")
@login_required
def export_json():
    unit = _unit()
    masked = current_user.role in MASKED_ROLES
    import audit
    from models import write_intent
    with write_intent():
        audit.record("records_exported", object_type="org", object_id=unit.code, after={"format": "json", "masked": masked})
        db.session.commit()
    chunks = exchange.export_json_chunks(unit, masked=masked)
    from urllib.parse import quote
    return Response(stream_with_context(chunks), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(unit.name + '_教师记录.json')}",
                             "Cache-Control": "no-store"})


@bp.route("/exchange/export/<set_key>/<school_type>.xlsx")
@login_required
def export_xlsx(set_key, school_type):
    unit = _unit()
    if school_type not in GROUP_TYPES.values() or set_by_key(set_key, school_type) is None:
        abort(404)
    masked = current_user.role in MASKED_ROLES
    data = exchange.export_xlsx(unit, set_key, school_type, masked=masked)
    import audit
    from models import write_intent
    with write_intent():
        audit.record("records_exported", object_type="org", object_id=unit.code,
                     after={"format": "xlsx", "set": set_key, "school_type": school_type, "masked": masked})
        db.session.commit()
    from records.sheets import file_name
    return xlsx_response(data, f"{unit.name}_" + file_name(set_key, school_type, "导出"))


@bp.route("/exchange/tokens", methods=["POST"])
@login_required
def create_token():
    if not exchange.may_manage_tokens(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    row, token = exchange.create_token(current_user, request.form.get("name", ""),
                                       request.form.get("can_push_credits") == "1")
    if row is None:
        flash(token, "error")
        return redirect(url_for("api.exchange_page"))
    unit = current_user.org
    sets = [(s, [g for g in GROUP_TYPES if set_by_key(s.key, GROUP_TYPES[g]) is not None]) for s in SETS.values()]
    flash("已创建接口令牌。令牌只显示这一次，请立即复制保存。", "success")
    return render_template("api/exchange.html", unit=unit, sets=sets, group_labels=GROUP_LABELS,
                           group_types=GROUP_TYPES, tokens=exchange.tokens_of(current_user), may_manage=True,
                           form=ActionForm(), new_token=token, masked=current_user.role in MASKED_ROLES,
                           may_revoke=_may_revoke)


def _may_revoke(token) -> bool:
    return exchange.may_revoke(current_user, token)


@bp.route("/exchange/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    if not exchange.may_manage_tokens(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    refusal = exchange.revoke_token(current_user, token_id)
    if refusal == exchange.TOKEN_NOT_FOUND:
        abort(404)
    flash(refusal or "已停用该令牌", "error" if refusal else "success")
    return redirect(url_for("api.exchange_page"))


# ----------------------------------------------------------------------------- the JSON API

def _error(status: int, message: str):
    resp = jsonify({"error": message})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="teacher-records"'
    return resp


def _principal():
    principal = exchange.principal_for(request.headers.get("Authorization"))
    if principal is None:
        abort(_error(401, "缺少或无效的令牌：请在请求头中写 Authorization: Bearer <令牌>"))
    return principal


def _api_unit(principal):
    unit = exchange.unit_in(principal.org, request.args.get("unit"))
    if unit is None:
        abort(_error(404, "该单位不存在，或不在令牌所属单位及其下级范围内"))
    return unit


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        abort(_error(400, f"参数 {name} 应为 {low} 至 {high} 之间的整数"))
    return int(raw)


@bp.route("/api/v1/openapi.json")
def openapi():
    return jsonify(exchange.openapi(request.host_url.rstrip("/") + "/api/v1"))


@bp.route("/api/v1/units")
def api_units():
    principal = _principal()
    unit = _api_unit(principal)
    rows = db.session.scalars(select(Org).where(Org.path.like(unit.path + "%")).order_by(Org.path)).all()
    parents = {o.id: o.code for o in rows}
    return jsonify({"units": [{"code": o.code, "name": o.name, "kind": o.kind, "parent": parents.get(o.parent_id),
                               "school_type": o.school_type, "legal_entity": o.legal_entity} for o in rows]})


@bp.route("/api/v1/teachers")
def api_teachers():
    import datetime as dt
    principal = _principal()
    unit = _api_unit(principal)
    page, per_page = _int_arg("page", 1, 1, 100_000), _int_arg("per_page", 50, 1, MAX_PER_PAGE)
    since = None
    if request.args.get("updated_since"):
        try:
            since = dt.datetime.fromisoformat(request.args["updated_since"][:40])
        except ValueError:
            return _error(400, "参数 updated_since 应为 ISO 8601 时间，例如 2026-12-01T00:00:00+08:00")
        if since.tzinfo is None:
            return _error(400, "参数 updated_since 须写明时区，例如 +08:00")
    schools = [request.args["school"][:20]] if request.args.get("school") else None
    query = exchange.effective_query(unit, school_codes=schools, updated_since=since)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    batch = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return jsonify({"total": total, "page": page, "per_page": per_page, "masked": principal.masked,
                    "teachers": exchange.record_dicts(batch, masked=principal.masked)})


@bp.route("/api/v1/teachers/<personal_number>")
def api_teacher(personal_number):
    from models import Teacher
    principal = _principal()
    query = exchange.effective_query(principal.org).where(Teacher.personal_number == personal_number[:40])
    found = db.session.scalars(query).first()
    if found is None:
        return _error(404, "没有该个人编号的已生效记录，或它不在令牌的范围内")
    return jsonify(exchange.record_dicts([found], masked=principal.masked)[0])


@bp.route("/api/v1/statistics")
def api_statistics():
    principal = _principal()
    unit = _api_unit(principal)
    return jsonify(statistics.as_dict(statistics.subtree_statistics(unit)))


@bp.route("/api/v1/credits", methods=["GET", "POST"])
def api_credits():
    principal = _principal()
    if request.method == "POST":
        return _push_credits(principal)
    unit = _api_unit(principal)
    year = _int_arg("year", credits.this_year(), 2000, credits.this_year())
    from accounts.policy import mask_id
    people = credits.teachers_progress(unit, year)
    return jsonify({"unit": unit.code, "year": year, "teachers": [
        {"name": p.name, "id_number": mask_id(p.id_number, "query") if principal.masked else p.id_number,
         "hours": p.earned, "required": p.required, "behind": p.behind} for p in people]})


def _push_credits(principal):
    if not principal.can_push_credits:
        return _error(403, "该令牌没有学时推送权限")
    try:
        payload = request.get_json(silent=True)
    except RecursionError:   # nested deeper than the parser goes: not a body any platform sends
        payload = None
    records = payload.get("records") if isinstance(payload, dict) else None
    if not isinstance(records, list) or not records or len(records) > 5000:
        return _error(400, "请求体应为 {\"records\": [...]}，每次 1 至 5000 条")
    outcome = credits.push_records(principal, records)
    if not outcome.ok:
        resp = jsonify({"error": outcome.message, "problems": outcome.problems})
        resp.status_code = 422
        return resp
    return jsonify({"created": outcome.created, "skipped": outcome.skipped})


csrf.exempt(api_credits)
