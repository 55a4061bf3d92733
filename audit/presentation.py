"""The audit log as people read it: what an entry is about by kind and name (教师记录 林晓, not
"teacher 25"), and the values it recorded by label and code name (政治面貌：中共党员, not political: 01).

Field labels and code names come from the indicator declarations (records.indicators), for the
school type of the entry's unit, so the log reads like the record pages. Keys that are not fields
(reason, remark, …) have their words here; anything else is shown by its key, never dropped.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from models import AuditEntry, Org, Teacher, User, db
from models.teachers import RECORD_STATES

OBJECT_LABELS = {
    "teacher": "教师记录", "user": "账号", "org": "单位", "unit_manager": "单位负责人",
    "process_definition": "流程版本", "process_draft": "流程草稿", "process_instance": "流程实例", "task": "任务",
    "file": "文件", "password_sheet": "初始密码表", "monthly_report": "月报", "lane_mapping": "泳道设置",
    "api_token": "接口令牌", "database": "数据库",
}
WORDS = {
    "reason": "原因", "remark": "备注", "set": "信息集", "item": "条目号", "period": "月份", "kind": "类型",
    "note": "说明", "rows": "行数", "teachers": "教师数", "count": "数量", "created": "新增", "skipped": "跳过",
    "until": "锁定至", "by_address": "按来源地址", "decision": "决定", "disabled": "已停用", "name": "名称",
    "version": "版本", "from_version": "原版本", "to_version": "新版本", "role": "角色", "year": "年度",
    "hours": "学时", "project": "项目名称", "email": "邮箱", "summary": "总结", "filename": "文件名",
    "username": "账号", "display_name": "姓名", "state": "状态", "status": "状态", "step": "环节", "date": "日期",
    "school": "学校", "unit": "单位", "from": "调出学校", "to": "调入学校", "join_month": "调入年月",
    "transfer": "调动编号", "rotation": "交流轮岗编号", "id_numbers": "身份证号", "id_number": "身份证号",
    "personnel_status": "人员状态", "masked": "已隐藏", "format": "格式", "description": "说明",
    "upstream_email": "上报邮箱", "inbox_email": "接收邮箱", "school_type": "学校类型", "revision": "修订号",
    "recipients": "收件人", "rate": "比例", "process_key": "流程", "entry": "条目号", "day": "日期",
    "daily_digest": "每日汇总", "can_push_credits": "可推送学时", "errors": "问题数", "accepted": "校验通过",
    "content_hash": "内容摘要", "draft_id": "草稿号", "definition_id": "流程版本号", "instance_id": "流程实例号",
    "host": "交流学校", "type": "类型", "moves_relationship": "调动人事关系", "start": "开始", "end": "结束",
    "basic": "基本信息",
}
# Stored codes of a few keys in words (the record's fields have theirs in the indicator declarations).
VALUE_WORDS = {
    "decision": {"approve": "通过", "return": "退回", "submit": "报送", "confirm": "确认"},
    "state": RECORD_STATES,
}
ORG_CODE_KEYS = ("school", "unit", "from", "to", "host")   # values that are unit codes: shown with the unit's name
NOT_A_RECORD = "-"   # describe(fields_of=…): the values are not a record's, so no field labels
LIST_SHOWN = 5


@dataclass
class ShownEntry:
    entry: AuditEntry
    user: User | None
    org: Org | None
    about: str      # 对象
    before: str
    after: str


def shown_entries(rows) -> list[ShownEntry]:
    """Rows of (AuditEntry, User, Org) from audit.search.audit_page, ready for the page."""
    entries = [entry for entry, _, _ in rows]
    names = _object_names(entries)
    units = _unit_names(entries)
    out = []
    for entry, user, org in rows:
        school_type = org.code if org is not None and org.kind == "school" else None   # a 学校标识码 gives its type
        # field labels only for a record's values: an API token's "name" is its name, not 姓名
        fields_of = school_type if entry.object_type == "teacher" else NOT_A_RECORD
        out.append(ShownEntry(entry, user, org, _about(entry, names, units), describe(entry.before, fields_of, units),
                              describe(entry.after, fields_of, units)))
    return out


def _about(entry: AuditEntry, names: dict, units: dict) -> str:
    kind, key = entry.object_type or "", entry.object_id or ""
    label = OBJECT_LABELS.get(kind, kind)
    name = names.get((kind, key)) or (units.get(key) if kind == "org" else None)
    return " ".join(part for part in (label, name or key) if part)


def _object_names(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """The names of the teachers, accounts and units a page of entries is about, three queries at most."""
    wanted: dict[str, set[int]] = {"teacher": set(), "user": set(), "org": set()}
    for e in entries:
        if e.object_type in wanted and (e.object_id or "").isdigit():
            wanted[e.object_type].add(int(e.object_id))
    names: dict[tuple[str, str], str] = {}
    for kind, model, column in (("teacher", Teacher, Teacher.name), ("user", User, User.display_name),
                                ("org", Org, Org.name)):
        if wanted[kind]:
            for object_id, name in db.session.execute(select(model.id, column).where(model.id.in_(wanted[kind]))):
                names[(kind, str(object_id))] = name
    return names


def _unit_names(entries: list[AuditEntry]) -> dict[str, str]:
    """Unit code → name for the codes a page of entries holds (an org object named by its code, or a
    school / from / to value), one query."""
    codes = {e.object_id for e in entries if e.object_type == "org" and e.object_id}
    for e in entries:
        for values in (e.before, e.after):
            if isinstance(values, dict):
                codes |= {str(values[k]) for k in ORG_CODE_KEYS if isinstance(values.get(k), (str, int))}
    if not codes:
        return {}
    return dict(db.session.execute(select(Org.code, Org.name).where(Org.code.in_(sorted(codes)))).all())


def describe(values, fields_of: str | None = None, units: dict | None = None) -> str:
    """Recorded values as 标签：值；… (a set's rows headed by the set's title). `fields_of`: the school type
    (or 学校标识码) whose field labels name a record's keys; NOT_A_RECORD for values of anything else."""
    if not values:
        return ""
    if not isinstance(values, dict):
        return _plain(values)
    from records.indicators import basic_fields, set_by_key
    if fields_of == NOT_A_RECORD:
        info, fields = None, {}
    else:
        info = set_by_key(values["set"], fields_of or "21") if isinstance(values.get("set"), str) else None
        fields = {f.key: f for f in (info.fields if info else basic_fields(fields_of))}
    parts = [f"【{info.title}】"] if info else []
    for key, value in values.items():
        if key == "set" and info:
            continue
        if key == "values" and isinstance(value, dict):
            parts.extend(_pair(k, v, fields, units or {}) for k, v in value.items())
        else:
            parts.append(_pair(key, value, fields, units or {}))
    return "；".join(parts)


def _pair(key: str, value, fields: dict, units: dict) -> str:
    f = fields.get(key)
    if f is not None and not isinstance(value, (dict, list)):
        return f"{f.label}：{f.shown(value) or '（空）'}"
    word = WORDS.get(key, key)
    if key in ORG_CODE_KEYS and str(value) in units:
        return f"{word}：{units[str(value)]}（{value}）"
    if isinstance(value, str) and value in VALUE_WORDS.get(key, {}):
        return f"{word}：{VALUE_WORDS[key][value]}"
    if key == "reason" and isinstance(value, str):
        from records.departures import REASONS   # a departure's reason is a code; others are typed text
        return f"{word}：{REASONS.get(value, value) or '（空）'}"
    if isinstance(value, list) and len(value) > LIST_SHOWN:
        return f"{word}：{'、'.join(map(str, value[:LIST_SHOWN]))} 等 {len(value)} 个"
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return f"{word}：{'、'.join(map(str, value)) or '（空）'}"
    return f"{word}：{_plain(value)}"


def _plain(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
