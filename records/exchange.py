"""Data exchange: a subtree's effective records as JSON and as the national template (per set and school
type), the per-unit API tokens, and the OpenAPI document of the read-only JSON API (views/api.py).

What leaves the system is the EFFECTIVE data: each record's latest effective version (RecordVersion for
the basic set, RecordVersionItems for the repeatable sets), never a draft or a value under review.
Codes stay codes in JSON (display names in the xlsx, as the national template writes them).

Masking: a query user's or system administrator's export, and a masked token's API answers, carry the
ID number as 4601**********2024 and the birth date as its year (the same rule as record pages), also
inside `basic`.

Tokens: an information administrator or a query user creates a token for their own unit; the token
reads that unit's subtree, masked when its creator's role sees masked numbers. Only a SHA-256 of the
token is stored; the token itself is shown once. A token may also be allowed to push training hours
(information administrators only). Revoking is immediate. Every creation and revocation is audited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

import audit
from accounts.policy import MASKED_ROLES, mask_id
from models import Org, RecordVersion, RecordVersionItems, Teacher, db, utcnow, write_intent
from models.mobility import ApiToken
from models.teachers import STATE_EFFECTIVE
from models.users import ROLE_INFO_ADMIN, ROLE_QUERY

from .fields import GROUP_TYPES, school_group

FORMAT = "hainan-teacher-records/1"
BATCH = 500
TOKEN_PREFIX = "tr_"


# ----------------------------------------------------------------------------- records

def _mask_birth(value):
    return (str(value)[:4] + "-**-**") if value else value


def effective_query(unit: Org, *, school_codes: list[str] | None = None, updated_since: dt.datetime | None = None):
    """Effective teachers of the unit's subtree, in a stable order (school, id)."""
    q = (select(Teacher).join(Org, Org.id == Teacher.org_id)
         .where(Org.path.like(unit.path + "%"), Teacher.state == STATE_EFFECTIVE))
    if school_codes:
        q = q.where(Org.code.in_(school_codes))
    if updated_since is not None:
        q = q.where(Teacher.updated_at >= updated_since)
    return q.order_by(Teacher.org_id, Teacher.id)


def _latest_versions(teacher_ids: list[int]) -> tuple[dict, dict]:
    if not teacher_ids:
        return {}, {}
    RV, RVI = RecordVersion.__table__, RecordVersionItems.__table__
    latest = (select(RV.c.teacher_id, func.max(RV.c.number).label("number")).where(RV.c.teacher_id.in_(teacher_ids))
              .group_by(RV.c.teacher_id).subquery())
    versions = {r.teacher_id: r for r in db.session.execute(
        select(RV.c.teacher_id, RV.c.number, RV.c.basic, RV.c.created_at)
        .join(latest, (latest.c.teacher_id == RV.c.teacher_id) & (latest.c.number == RV.c.number)))}
    items = {r.teacher_id: r.items for r in db.session.execute(
        select(RVI.c.teacher_id, RVI.c["items"])
        .join(latest, (latest.c.teacher_id == RVI.c.teacher_id) & (latest.c.number == RVI.c.number)))}
    return versions, items


def record_dicts(teachers: list[Teacher], *, masked: bool) -> list[dict]:
    """The exchange form of each record: identity, school, the effective version's basic set and sets."""
    versions, items = _latest_versions([t.id for t in teachers])
    out = []
    for t in teachers:
        version = versions.get(t.id)
        basic = dict(version.basic) if version is not None else dict(t.basic or {})
        basic = {k: v for k, v in basic.items() if not k.startswith("_")}
        id_number, birth = t.id_number, t.birth_date
        if masked:
            id_number, birth = mask_id(t.id_number, ROLE_QUERY), _mask_birth(t.birth_date)
            if "id_number" in basic:
                basic["id_number"] = id_number
            if "birth_date" in basic:
                basic["birth_date"] = birth
        out.append({
            "personal_number": t.personal_number, "name": t.name, "gender": t.gender, "birth_date": birth,
            "id_type": t.id_type, "id_number": id_number,
            "school": {"code": t.org.code, "name": t.org.name, "school_type": t.org.school_type},
            "version": version.number if version is not None else None,
            "effective_at": version.created_at.isoformat() if version is not None else None,
            "basic": basic, "sets": items.get(t.id) or {},
        })
    return out


def export_json_chunks(unit: Org, *, masked: bool, now: dt.datetime | None = None):
    """The whole export as JSON text, in chunks (a province's records are streamed, never held at once)."""
    now = now or utcnow()
    head = {"format": FORMAT, "generated_at": now.isoformat(), "masked": masked,
            "unit": {"code": unit.code, "name": unit.name}}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "teachers": ['
    first, offset = True, 0
    query = effective_query(unit)
    while True:
        batch = db.session.scalars(query.limit(BATCH).offset(offset)).all()
        if not batch:
            break
        for record in record_dicts(batch, masked=masked):
            yield ("" if first else ",") + "\n" + json.dumps(record, ensure_ascii=False, default=str)
            first = False
        offset += BATCH
        db.session.expunge_all()
    yield "\n]}\n"


def export_xlsx(unit: Org, set_key: str, school_type: str, *, masked: bool) -> bytes:
    """The national template of one set for one school-type group, filled with the subtree's effective
    records of that group (records/sheets.py writes it, like the import templates)."""
    from .sheets import SCHOOL_KEY, build_workbook, set_sheet_row
    group = school_group(school_type)
    codes = [c for c, g in ((o.school_type, school_group(o.school_type)) for o in
                             db.session.scalars(select(Org).where(Org.path.like(unit.path + "%"), Org.kind == "school")))
             if g == group]
    rows = []
    if codes:
        types = sorted(set(codes))
        q = effective_query(unit).where(Org.school_type.in_(types))
        offset = 0
        while True:
            batch = db.session.scalars(q.limit(BATCH).offset(offset)).all()
            if not batch:
                break
            for record in record_dicts(batch, masked=masked):
                identity = {"name": record["name"], "id_type": record["id_type"], "id_number": record["id_number"]}
                if set_key == "basic":
                    rows.append({SCHOOL_KEY: record["school"]["code"], **record["basic"], **identity,
                                 "gender": record["gender"], "birth_date": record["birth_date"]})
                else:
                    for values in record["sets"].get(set_key, []):
                        rows.append(set_sheet_row(values, **identity, school_code=record["school"]["code"]))
            offset += BATCH
    return build_workbook(set_key, GROUP_TYPES[group], rows, with_school=True, what="导出")


# ----------------------------------------------------------------------------- tokens

@dataclass
class Principal:
    """Who an API request acts as: a unit (its subtree) and whether numbers are masked."""

    token: ApiToken
    org: Org
    masked: bool
    can_push_credits: bool
    id: int | None = None        # audit rows name the token's creator
    org_id: int | None = None
    role: str = "api"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_NOT_FOUND = "找不到该令牌，或它不属于本单位"


def may_manage_tokens(user) -> bool:
    return user.role in (ROLE_INFO_ADMIN, ROLE_QUERY)


def may_revoke(user, row: ApiToken) -> bool:
    """The unit's information administrator revokes any of its tokens; a query user only those it made
    (a read-only user must not stop the unit's hours push)."""
    return row.org_id == user.org_id and (user.role == ROLE_INFO_ADMIN or (user.role == ROLE_QUERY
                                                                          and row.created_by_id == user.id))


def create_token(actor, name: str, can_push_credits: bool = False) -> tuple[ApiToken | None, str]:
    """(row, the token shown once) or (None, message). Commits."""
    if not may_manage_tokens(actor):
        return None, "接口令牌由信息管理员或信息查询员为本单位创建"
    name = " ".join((name or "").split())[:100]
    if not name:
        return None, "【令牌名称】请填写用途，例如“国家平台数据交换”"
    masked = actor.role in MASKED_ROLES
    if can_push_credits and actor.role != ROLE_INFO_ADMIN:
        return None, "只有信息管理员创建的令牌可以推送学时"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_intent():
        row = ApiToken(org_id=actor.org_id, name=name, token_hash=token_hash(token), prefix=token[:10],
                       masked=masked, can_push_credits=bool(can_push_credits), created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        audit.record("api_token_created", object_type="api_token", object_id=row.id, user=actor,
                     after={"name": name, "masked": masked, "can_push_credits": bool(can_push_credits)})
        db.session.commit()
    return row, token


def tokens_of(user) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.org_id == user.org_id).order_by(ApiToken.id.desc())))


def revoke_token(actor, token_id: int) -> str | None:
    """None when revoked, else why not. Commits."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.org_id != actor.org_id:
        return TOKEN_NOT_FOUND
    if not may_revoke(actor, row):
        return "只能停用自己创建的令牌；本单位其他令牌由信息管理员停用"
    if row.revoked_at is not None:
        return "该令牌已停用"
    with write_intent():
        row = db.session.merge(row)
        row.revoked_at = utcnow()
        audit.record("api_token_revoked", object_type="api_token", object_id=row.id, user=actor,
                     before={"name": row.name})
        db.session.commit()
    return None


def principal_for(header: str | None) -> Principal | None:
    """The principal of an `Authorization: Bearer …` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header[7:].strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                                                    ApiToken.revoked_at.is_(None))).first()
    if row is None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        with write_intent():
            db.session.merge(row).last_used_at = now
            db.session.commit()
    return Principal(row, row.org, row.masked, row.can_push_credits, id=row.created_by_id, org_id=row.org_id)


def unit_in(principal_org: Org, code: str | None) -> Org | None:
    """A unit named by code inside the principal's subtree (its own unit when no code is given)."""
    if not code:
        return principal_org
    org = db.session.scalars(select(Org).where(Org.code == code[:20])).first()
    return org if org is not None and principal_org.contains(org) else None


# ----------------------------------------------------------------------------- OpenAPI

def openapi(base_url: str = "/api/v1") -> dict:
    record = {"type": "object", "properties": {
        "personal_number": {"type": "string", "description": "个人编号（一人一号）"},
        "name": {"type": "string"}, "gender": {"type": "string", "description": "性别代码：1 男，2 女"},
        "birth_date": {"type": "string", "description": "出生日期；脱敏令牌只给出年份（YYYY-**-**）"},
        "id_type": {"type": "string"}, "id_number": {"type": "string", "description": "身份证件号；脱敏令牌为 4601**********2024"},
        "school": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"},
                                                    "school_type": {"type": "string"}}},
        "version": {"type": "integer", "description": "生效版本号"},
        "effective_at": {"type": "string", "format": "date-time"},
        "basic": {"type": "object", "description": "基本信息集（信息项代码 → 代码值）"},
        "sets": {"type": "object", "description": "各可重复信息集（信息集代码 → 行的列表）"}}}
    error = {"type": "object", "properties": {"error": {"type": "string"}}}
    unit_param = {"name": "unit", "in": "query", "schema": {"type": "string"},
                  "description": "单位代码；须在令牌所属单位及其下级范围内，默认令牌所属单位"}
    denied = {"401": {"description": "缺少或无效的令牌", "content": {"application/json": {"schema": error}}},
              "404": {"description": "单位或记录不在令牌的范围内", "content": {"application/json": {"schema": error}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "海南省教师管理信息系统 数据交换接口", "version": "1.0",
                 "description": "只读接口（另有学时推送）。令牌按单位签发，只能读取本单位及下级单位已生效的教师记录；"
                                "信息查询员的令牌返回脱敏的身份证件号。请求头：Authorization: Bearer <令牌>。"},
        "servers": [{"url": base_url}],
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Teacher": record, "Error": error}},
        "security": [{"token": []}],
        "paths": {
            "/units": {"get": {"summary": "本单位及下级单位", "parameters": [unit_param], "responses": {
                "200": {"description": "单位列表"}, **denied}}},
            "/teachers": {"get": {"summary": "已生效的教师记录（分页）", "parameters": [
                unit_param,
                {"name": "school", "in": "query", "schema": {"type": "string"}, "description": "学校标识码"},
                {"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}}],
                "responses": {"200": {"description": "记录", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"total": {"type": "integer"}, "page": {"type": "integer"},
                                                     "per_page": {"type": "integer"},
                                                     "teachers": {"type": "array", "items": {"$ref": "#/components/schemas/Teacher"}}}}}}},
                              "400": {"description": "参数有误"}, **denied}}},
            "/teachers/{personal_number}": {"get": {"summary": "一名教师的已生效记录", "parameters": [
                {"name": "personal_number", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "记录", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Teacher"}}}}, **denied}}},
            "/statistics": {"get": {"summary": "统计（按单位及各维度）", "parameters": [unit_param],
                                    "responses": {"200": {"description": "统计表"}, **denied}}},
            "/credits": {
                "get": {"summary": "教师年度学时", "parameters": [unit_param, {"name": "year", "in": "query",
                                                                              "schema": {"type": "integer"}}],
                        "responses": {"200": {"description": "每名教师的学时与要求"}, **denied}},
                "post": {"summary": "推送学时记录（需有学时推送权限的令牌）", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"records": {"type": "array", "items": {
                        "type": "object", "required": ["id_number", "name", "year", "project", "hours", "record_id"],
                        "properties": {"id_number": {"type": "string"}, "name": {"type": "string"},
                                       "year": {"type": "integer"}, "project": {"type": "string"},
                                       "hours": {"type": "number"}, "credits": {"type": "number"},
                                       "record_id": {"type": "string", "description": "平台记录编号：同一编号只记一次"}}}}}}}}},
                         "responses": {"200": {"description": "已记入（created）与此前已记入而跳过（skipped）的条数"},
                                       "403": {"description": "令牌没有学时推送权限"},
                                       "422": {"description": "有错误，未记入任何记录；problems 列出每一处"}, **denied}}},
            "/openapi.json": {"get": {"summary": "本文档", "security": [], "responses": {"200": {"description": "OpenAPI"}}}},
        },
    }
