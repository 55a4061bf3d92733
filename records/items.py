"""Operations on the rows of the repeatable sets (学习经历 …): add, change, delete one row; replace a
teacher's rows of a set (imports); who may enter which set; the completeness check before submitting.

Each write is one transaction with its audit entry, like records/service.py (which calls
`completeness_problems` from save_basic). A school-only set (年度考核, 基本待遇, 师德信息,
专业技术职务聘任) is refused to a teacher here, on the server, whatever the page offered.
Rows are validated in full when saved; rules across a teacher's rows (only the latest work row
open, one row per year) are checked against the other rows when saving (only problems of the
saved row refuse it) and all together by the completeness check.

Not here: the declarations (records/sets.py), row validation (records/validation.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select

import audit
from models import RecordItem, RecordVersionItems, Teacher, db, utcnow, write_intent
from models.teachers import STATE_EFFECTIVE
from models.users import ROLE_TEACHER

from .access import edit_refusal
from .indicators import IndicatorSet, set_by_key, sets_for
from .validation import check_set_rows, validate_set_row

RI = RecordItem.__table__


@dataclass
class Outcome:
    ok: bool
    message: str
    problems: dict = field(default_factory=dict)   # field key → message
    item_id: int | None = None


# ------------------------------------------------------------------------------ reading
def items_of(teacher_id: int, set_key: str | None = None) -> list[RecordItem]:
    """A teacher's rows (of one set), in entry order."""
    q = select(RecordItem).where(RecordItem.teacher_id == teacher_id)
    if set_key:
        q = q.where(RecordItem.set_key == set_key)
    return list(db.session.scalars(q.order_by(RecordItem.set_key, RecordItem.position, RecordItem.id)))


def item_in_record(teacher: Teacher, set_key: str, item_id: int) -> RecordItem | None:
    item = db.session.get(RecordItem, item_id)
    if item is None or item.teacher_id != teacher.id or item.set_key != set_key:
        return None
    return item


def display_order(info: IndicatorSet, items: list) -> list:
    """Rows as a page shows them: by the set's sort fields, newest first; entry order otherwise."""
    if not info.sort:
        return list(items)
    def key(item):
        values = item.values if hasattr(item, "values") else item
        return tuple(values.get(k) or "" for k in info.sort)
    return sorted(items, key=key, reverse=info.newest_first)


def caption(info: IndicatorSet, values: dict) -> str:
    """A few words that let a person recognise a row in a message ("海南师范大学 2010-07")."""
    parts = [f.shown(values.get(f.key)) for f in info.fields if values.get(f.key)]
    return " ".join(p for p in parts[:3] if p)[:40] or "（空行）"


# ------------------------------------------------------------------------------ who may enter
def set_refusal(user, teacher: Teacher, set_key: str) -> tuple[IndicatorSet | None, str | None]:
    """(the set resolved for the teacher's school, why `user` may not change its rows now or None)."""
    info = set_by_key(set_key, teacher.org.school_type)
    if info is None or set_key == "basic":
        return None, "该学校类型没有这个信息集"
    refusal = edit_refusal(user, teacher)
    if refusal:
        return info, refusal
    if info.school_only and user.role == ROLE_TEACHER:
        return info, f"【{info.title}】由学校填写，教师本人不能录入或修改"
    return info, None


def may_enter(user, teacher: Teacher, set_key: str) -> bool:
    return set_refusal(user, teacher, set_key)[1] is None


# ------------------------------------------------------------------------------ one row
def _problems_for(info: IndicatorSet, clean: dict, others: list[RecordItem], ref) -> dict[str, str]:
    rows = [(o.id, o.values) for o in others] + [(ref, clean)]
    out: dict[str, str] = {}
    for r, key, message in check_set_rows(info, rows):
        if r == ref:
            f = info.field(key)
            out.setdefault(key or "", f"【{f.label}】{message}" if f else message)
    return out


def save_item(actor, teacher: Teacher, set_key: str, values: dict, item_id: int | None = None,
              *, today: dt.date | None = None) -> Outcome:
    """Add a row (item_id None) or change one; the whole row is checked against the declaration."""
    info, refusal = set_refusal(actor, teacher, set_key)
    if refusal:
        return Outcome(False, refusal)
    item = None
    if item_id is not None:
        item = item_in_record(teacher, set_key, item_id)
        if item is None:
            return Outcome(False, "找不到这一条记录，可能已被删除")
    if not info.repeatable and item is None and items_of(teacher.id, set_key):
        return Outcome(False, f"【{info.title}】每位教师只有一条，请修改已有的一条")
    clean, problems = validate_set_row(info, values, school_name=teacher.org.name, today=today)
    by_key = {}
    for p in problems:
        by_key.setdefault(p.key, p.message)
    if not by_key:
        others = [o for o in items_of(teacher.id, set_key) if item is None or o.id != item.id]
        by_key = _problems_for(info, clean, others, ref="this")
    if by_key:
        return Outcome(False, f"有 {len(by_key)} 项需要修改，请按提示更正后再保存", by_key)
    now = utcnow()
    with write_intent():
        if item is None:
            position = (db.session.scalar(select(func.max(RecordItem.position)).where(
                RecordItem.teacher_id == teacher.id, RecordItem.set_key == set_key)) or 0) + 1
            item = RecordItem(teacher_id=teacher.id, set_key=set_key, position=position, values=clean,
                              entered_by_id=actor.id, entered_at=now, updated_by_id=actor.id, updated_at=now)
            db.session.add(item)
            db.session.flush()
            audit.record("record_item_added", object_type="teacher", object_id=teacher.id, user=actor,
                         after={"set": set_key, "item": item.id, "values": clean})
            message = f"已添加一条【{info.title}】"
        else:
            item = db.session.merge(item)
            before, after = audit.diff(dict(item.values or {}), clean)
            item.values = clean
            item.updated_by_id, item.updated_at = actor.id, now
            audit.record("record_item_changed", object_type="teacher", object_id=teacher.id, user=actor,
                         before={"set": set_key, "item": item.id, **before}, after={"set": set_key, **after})
            message = f"已保存【{info.title}】"
        db.session.commit()
    return Outcome(True, message, item_id=item.id)


def delete_item(actor, teacher: Teacher, set_key: str, item_id: int) -> Outcome:
    info, refusal = set_refusal(actor, teacher, set_key)
    if refusal:
        return Outcome(False, refusal)
    item = item_in_record(teacher, set_key, item_id)
    if item is None:
        return Outcome(False, "找不到这一条记录，可能已被删除")
    with write_intent():
        item = db.session.merge(item)
        audit.record("record_item_deleted", object_type="teacher", object_id=teacher.id, user=actor,
                     before={"set": set_key, "item": item.id, "values": item.values})
        db.session.delete(item)
        db.session.commit()
    return Outcome(True, f"已删除一条【{info.title}】")


# ------------------------------------------------------------------------------ imports
def replace_rows(teacher_rows: dict[int, list[dict]], set_key: str, actor, *, now=None) -> int:
    """Inside the caller's transaction: each teacher's rows of `set_key` become exactly these
    (positions 1…n in this order). Returns the number of rows written. No audit, no commit."""
    now = now or utcnow()
    ids = list(teacher_rows)
    conn = db.session.connection()
    for i in range(0, len(ids), 500):
        conn.execute(delete(RI).where(RI.c.teacher_id.in_(ids[i:i + 500]), RI.c.set_key == set_key))
    params = [{"teacher_id": tid, "set_key": set_key, "position": n, "values": values,
               "entered_by_id": getattr(actor, "id", None), "entered_at": now,
               "updated_by_id": getattr(actor, "id", None), "updated_at": now}
              for tid, rows in teacher_rows.items() for n, values in enumerate(rows, start=1)]
    if params:
        conn.execute(insert(RI), params)
    return len(params)


# ------------------------------------------------------------------------------ completeness
def completeness_problems(teacher: Teacher, *, today: dt.date | None = None) -> dict[str, str]:
    """What the repeatable sets still lack before the record may be submitted: a required set
    without rows, a stored row that no longer passes its checks, a rule across rows broken.
    Keyed "set:<key>" (one message per set) for the page to show beside the set."""
    out: dict[str, str] = {}
    stored: dict[str, list[RecordItem]] = {}
    for item in items_of(teacher.id):
        stored.setdefault(item.set_key, []).append(item)
    for info in sets_for(teacher.org.school_type):
        if info.key == "basic":
            continue
        rows = stored.get(info.key, [])
        messages = []
        if info.required and not rows:
            messages.append(f"【{info.title}】是必填信息集，至少填写一条")
        for item in rows:
            _, problems = validate_set_row(info, item.values, school_name=teacher.org.name, today=today)
            messages.extend(f"“{caption(info, item.values)}”{p.message}" for p in problems[:3])
        by_id = {item.id: item for item in rows}
        for ref, key, message in check_set_rows(info, [(i.id, i.values) for i in rows]):
            f = info.field(key)
            messages.append(f"“{caption(info, by_id[ref].values)}”" + (f"【{f.label}】" if f else "") + message)
        if messages:
            out[f"set:{info.key}"] = "；".join(messages)
    return out


# ------------------------------------------------------------------------------ versions
def snapshot_for_version(teacher_id: int, number: int, *, now=None, conn=None) -> None:
    """Keep the set rows of effective version `number` (called when the record becomes effective)."""
    conn = conn or db.session.connection()
    rows = conn.execute(select(RI.c.id, RI.c.set_key, RI.c["values"]).where(RI.c.teacher_id == teacher_id)
                        .order_by(RI.c.set_key, RI.c.position, RI.c.id)).all()
    items: dict[str, list] = {}
    for _, set_key, values in rows:
        items.setdefault(set_key, []).append(values)
    conn.execute(insert(RecordVersionItems.__table__).values(teacher_id=teacher_id, number=number, items=items,
                                                             created_at=now or utcnow()))
    # The teacher's 学时 from her reviewed 国内培训 rows, now rather than at the next facts refresh: she
    # looks for an approved training right after the approval (the refresh redoes it, the same rows).
    from .credits import sync_training
    state = conn.execute(select(Teacher.state).where(Teacher.id == teacher_id)).scalar()
    sync_training([teacher_id], {teacher_id} if state == STATE_EFFECTIVE else set(), now or utcnow(),
                  items=[(item_id, teacher_id, values) for item_id, set_key, values in rows if set_key == "training"])


# ------------------------------------------------------------------------------ set sheets
@dataclass
class ImportOutcome:
    ok: bool
    message: str
    problems: list = field(default_factory=list)   # [Problem], row-level ones by row
    warnings: list = field(default_factory=list)


def import_set_sheet(actor, data: bytes, filename: str, set_key: str, school_type: str | None = None, *,
                     progress=None, today: dt.date | None = None) -> ImportOutcome:
    """All or nothing: a set's sheet replaces, for every teacher it names, that teacher's rows of the set.

    A school imports for its own teachers (its type gives the template); a bureau names the school
    type and may import for teachers of that type in its subtree. Every teacher must exist, carry the
    name the sheet gives, and have an editable record (未报送/已退回).
    """
    from .fields import TEACHER_COLUMNS
    from .set_import import parse_set_sheet
    from .validation import Problem, check_values

    school = actor.org if actor.org.kind == "school" else None
    school_type = school.school_type if school else school_type
    info = set_by_key(set_key, school_type) if set_key != "basic" else None
    if info is None:
        return ImportOutcome(False, "请选择信息集和学校类型", [Problem(0, "", "", "该学校类型没有这个信息集")])
    # A bureau's sheet covers many schools: fields that default to the school get a placeholder
    # here and the teacher's own school below.
    parsed = parse_set_sheet(data, set_key, school_type, today=today, progress=progress,
                             school_name=school.name if school else _THEIR_SCHOOL)
    fail = lambda problems: ImportOutcome(False, f"文件有 {len(problems)} 处错误，未导入任何数据", problems)  # noqa: E731
    if any(p.row == 0 for p in parsed.problems):
        return fail(parsed.problems)
    problems = list(parsed.problems)
    with write_intent():
        teachers = _teachers_by_number(actor, {r.id_number for r in parsed.rows if r.id_number})
        id_col = parsed.header_of(TEACHER_COLUMNS["id_number"])
        name_col = parsed.header_of(TEACHER_COLUMNS["name"])
        per_teacher: dict[int, list[dict]] = {}
        fills = [f for f in info.fields if f.fill == "school"]
        for row in parsed.rows:
            t = teachers.get(row.id_number) if row.id_number else None
            if row.id_number is None:
                continue
            why = _refusal(t, actor, school_type, row, id_col)
            if why:
                problems.append(Problem(row.row_number, id_col, row.id_number, f"【{id_col}】“{row.id_number}”{why}",
                                        "id_number"))
                continue
            if row.school_code and row.school_code != t["school_code"]:
                col = parsed.header_of("school_code")
                problems.append(Problem(row.row_number, col, row.school_code,
                                        f"【{col}】“{row.school_code}”不是该教师所在学校的学校标识码（{t['school_code']}）",
                                        "school_code"))
                continue
            if row.name and row.name != t["name"]:
                problems.append(Problem(row.row_number, name_col, row.name,
                                        f"【{name_col}】“{row.name}”与系统中该证件号的教师姓名“{t['name']}”不一致", "name"))
                continue
            values = row.values
            if fills and not school and row.ok and _THEIR_SCHOOL in values.values():
                # 考核单位名称 and the like default to the teacher's own school.
                values, again = check_values(row.raw, info.fields, row=row.row_number, headers=parsed.columns,
                                             present={f.key for f in info.fields}, today=today, rules=info.rules,
                                             school_name=t["school"])
                problems.extend(again)
            per_teacher.setdefault(t["id"], []).append(values)
        if problems:
            db.session.rollback()
            problems.sort(key=lambda p: p.row)
            return fail(problems)
        if progress:
            progress("写入", 0, 1)
        written = replace_rows(per_teacher, set_key, actor)
        audit.record("record_set_imported", object_type="file", object_id=filename[:60], user=actor,
                     after={"set": set_key, "teachers": len(per_teacher), "rows": written})
        db.session.commit()
    return ImportOutcome(True, f"已导入 {len(per_teacher)} 名教师的【{info.title}】共 {written} 条"
                               f"（这些教师原有的【{info.title}】记录已替换为文件中的内容）")


_THEIR_SCHOOL = "\x00本校"


def _teachers_by_number(actor, numbers: set[str]) -> dict[str, dict]:
    from models import Org
    out = {}
    numbers = sorted(numbers)
    for i in range(0, len(numbers), 500):
        q = (select(Teacher.id, Teacher.id_number, Teacher.name, Teacher.state, Org.path, Org.school_type, Org.name,
                    Org.id, Org.code).join(Org, Org.id == Teacher.org_id).where(Teacher.id_number.in_(numbers[i:i + 500])))
        for tid, number, name, state, path, school_type, school, org_id, code in db.session.execute(q):
            out[number] = {"id": tid, "name": name, "state": state, "path": path, "school_type": school_type,
                           "school": school, "org_id": org_id, "school_code": code}
    return out


def _refusal(t: dict | None, actor, school_type: str | None, row, id_col: str) -> str | None:
    from models.teachers import RECORD_STATES
    from .access import EDITABLE_STATES
    from .indicators import GROUP_LABELS, school_group

    if t is None or not t["path"].startswith(actor.org.path):
        return "不是本单位（及下级单位）已登记的教师：请先导入或创建该教师的基本信息"
    if school_group(t["school_type"]) != school_group(school_type):
        return (f"所在学校是{GROUP_LABELS[school_group(t['school_type'])]}，本表是"
                f"{GROUP_LABELS[school_group(school_type)]}模板：请按学校类型分别导入")
    if t["state"] not in EDITABLE_STATES:
        return (f"的记录当前为“{RECORD_STATES.get(t['state'], t['state'])}”，不能导入：审核中的记录待审核结束，"
                f"已生效的记录请走信息变更或新增流程")
    return None
