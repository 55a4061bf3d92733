"""Exchange and rotation (交流轮岗): a teacher works at another school for a period; the record stays home.

The flow (bpmn/exchange_rotation.bpmn): the home school's information administrator applies (type,
whether the personnel relationship moves, start and end month, host school) → the home school's
reviewing authority approves → the host school's reviewing authority approves (once when it is the
same authority) → the flow waits for the start date: 人员状态 becomes 205 交流轮岗 → it waits for
the end date: 人员状态 returns to what it was. Both dates are timers in the diagram, fired by the
one scheduler (`flask --app app scheduler tick`).

Decisions, written down:
- The period runs from 00:00 (Beijing) on the 1st of the start month to the end of the end month.
- Each status change is a new effective version of the record (reviewed by the authority that gave
  the last approval); at the start a row of the 交流轮岗 set is added where the teacher's school
  type has that set (中小学), so the record itself tells the story.
- 是否调动人事关系 is recorded; moving the record itself is the transfer flow's job.
- While the rotation waits for its dates nobody has a step to do, so it does not lock the record
  (changes and additions go on); a transfer is refused until the rotation has ended.
- The host school sees the visiting teacher (list and a read-only page) while the rotation is
  approved or under way; the record stays in the home school's scope.
- Any approval step may return it with a reason, which ends it.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select

import audit
import workflows
from models import Org, RecordItem, Teacher, User, db, utcnow, write_intent
from models.mobility import (ROTATION_ACTIVE, ROTATION_APPROVED, ROTATION_FINISHED, ROTATION_PENDING,
                             ROTATION_RETURNED, ROTATION_STATES, Rotation)
from models.teachers import STATE_EFFECTIVE
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER
from workflows.errors import WorkflowError

from .access import locked_teacher
from .code_tables import table

PROCESS = "exchange_rotation"
ROTATION_STATUS = "205"   # 人员状态：暂未在本单位任职-交流轮岗
DEFAULT_STATUS = "100"    # 在本单位任职
ROTATION_TYPES = [(c, n) for c, n in table("交流轮岗类型").choices if c != "00"]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_MONTHS = 72


@dataclass
class Outcome:
    ok: bool
    message: str
    problems: dict = field(default_factory=dict)
    rotation: Rotation | None = None


def type_label(code: str) -> str:
    return table("交流轮岗类型").name_of(code)


# ----------------------------------------------------------------------------- reading

def rotations_of(teacher_id: int) -> list[Rotation]:
    return list(db.session.scalars(select(Rotation).where(Rotation.teacher_id == teacher_id)
                                   .order_by(Rotation.id.desc())))


def _current(teacher_id: int, *states) -> Rotation | None:
    return db.session.scalars(select(Rotation).where(Rotation.teacher_id == teacher_id, Rotation.state.in_(states))
                              .order_by(Rotation.id.desc())).first()


def rotation_in_scope(user, rotation_id: int) -> Rotation | None:
    row = db.session.get(Rotation, rotation_id)
    if row is None:
        return None
    if user.role == ROLE_TEACHER:
        return row if row.teacher_id == user.teacher_id else None
    return row if user.org.contains(row.home_org) or user.org.contains(row.host_org) else None


def rotations_query(user, side: str = "", state: str = ""):
    Home, Host = Org.__table__.alias("home"), Org.__table__.alias("host")
    prefix = user.org.path + "%"
    home, host = Home.c.path.like(prefix), Host.c.path.like(prefix)
    q = (select(Rotation).join(Home, Home.c.id == Rotation.home_org_id).join(Host, Host.c.id == Rotation.host_org_id)
         .where({"home": home, "host": host}.get(side, or_(home, host))))
    if state in ROTATION_STATES:
        q = q.where(Rotation.state == state)
    return q.order_by(Rotation.id.desc())


def visiting_teachers(user) -> list[tuple[Rotation, Teacher]]:
    """Teachers of other schools on rotation at a school of the user's subtree (approved or under way)."""
    Host = Org.__table__.alias("host")
    rows = db.session.execute(
        select(Rotation, Teacher).join(Teacher, Teacher.id == Rotation.teacher_id)
        .join(Host, Host.c.id == Rotation.host_org_id)
        .where(Host.c.path.like(user.org.path + "%"), Rotation.state.in_((ROTATION_APPROVED, ROTATION_ACTIVE)))
        .order_by(Rotation.start_month, Rotation.id)).all()
    return [(r, t) for r, t in rows]


def side_for(user, row: Rotation) -> str:
    home, host = user.org.contains(row.home_org), user.org.contains(row.host_org)
    if home and host:
        return "本辖区内交流"
    return "派出" if home else "接收"


# ----------------------------------------------------------------------------- rules

def apply_refusal(actor, teacher: Teacher) -> str | None:
    from .changes import holding_flow
    if actor.role != ROLE_INFO_ADMIN or actor.org_id != teacher.org_id:
        return "交流轮岗由教师所在学校的信息管理员申请"
    if teacher.state != STATE_EFFECTIVE:
        return f"记录当前为“{teacher.state_label}”，只有已生效的记录可以申请交流轮岗"
    flow = holding_flow(teacher.id)
    if flow:
        return f"该记录正在“{flow}”流程中办理，办结前不能申请交流轮岗"
    current = _current(teacher.id, ROTATION_PENDING, ROTATION_APPROVED, ROTATION_ACTIVE)
    if current is not None:
        return f"该教师已有一项交流轮岗（{current.start_month} 至 {current.end_month}，{current.state_label}）"
    return None


def _month(text: str, label: str, problems: dict, key: str) -> tuple[int, int] | None:
    m = _MONTH.match((text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        problems[key] = f"【{label}】“{(text or '')[:20]}”格式不对，应为 YYYY-MM，例如 2026-09"
        return None
    return int(m.group(1)), int(m.group(2))


def month_start(year: int, month: int) -> dt.datetime:
    from workflows.timers import CHINA, UTC
    return dt.datetime(year, month, 1, tzinfo=CHINA).astimezone(UTC)


def month_after(year: int, month: int) -> dt.datetime:
    return month_start(year + (month == 12), month % 12 + 1)


def _checked(actor, teacher: Teacher, values: dict):
    problems: dict[str, str] = {}
    kind = (values.get("rotation_type") or "").strip()
    if kind not in dict(ROTATION_TYPES):
        problems["rotation_type"] = "【交流轮岗类型】请选择：" + "、".join(n for _, n in ROTATION_TYPES)
    moves = (values.get("moves_relationship") or "").strip()
    if moves not in ("0", "1"):
        problems["moves_relationship"] = "【是否调动人事关系】请选择“是”或“否”"
    code = (values.get("host_code") or "").strip()
    host = db.session.scalars(select(Org).where(Org.code == code)).first() if code else None
    if host is None or host.kind != "school":
        problems["host_code"] = f"【交流轮岗学校】“{code[:20]}”不是已登记的学校，请填写 10 位学校标识码"
    elif host.id == teacher.org_id:
        problems["host_code"] = "【交流轮岗学校】须与原单位不同"
    elif kind in dict(ROTATION_TYPES):
        # the type says whether the move stays in the county (10–14) or leaves it (20): it must match the schools
        from orgs.authority import reviewing_authority
        same_county = reviewing_authority(host).id == reviewing_authority(teacher.org).id
        if kind.startswith("1") and not same_county:
            problems["rotation_type"] = (f"【交流轮岗类型】{host.name}与原单位不在同一县域，"
                                         "不能选“县域内交流轮岗”，请选“跨县域交流”或其他类型")
        elif kind == "20" and same_county:
            problems["rotation_type"] = (f"【交流轮岗类型】{host.name}与原单位在同一县域，"
                                         "不能选“跨县域交流”，请选“县域内交流轮岗”或其他类型")
    start = _month(values.get("start_month"), "开始年月", problems, "start_month")
    end = _month(values.get("end_month"), "结束年月", problems, "end_month")
    if start:
        from workflows import engine_now
        from workflows.timers import CHINA
        today = engine_now().astimezone(CHINA).date()
        if (start[0], start[1]) < (today.year, today.month):
            problems["start_month"] = f"【开始年月】不能早于本月（{today.year}-{today.month:02d}）"
    if start and end:
        span = (end[0] - start[0]) * 12 + end[1] - start[1]
        if span < 0:
            problems["end_month"] = "【结束年月】不能早于开始年月"
        elif span >= MAX_MONTHS:
            problems["end_month"] = f"【结束年月】交流期限不能超过 {MAX_MONTHS // 12} 年"
    return host, start, end, kind, moves == "1", problems


def apply(actor, teacher: Teacher, values: dict) -> Outcome:
    refusal = apply_refusal(actor, teacher)
    if refusal:
        return Outcome(False, refusal)
    host, start, end, kind, moves, problems = _checked(actor, teacher, values)
    if problems:
        return Outcome(False, "交流轮岗申请未提交，请按提示修改", problems)
    from orgs.authority import reviewing_authority
    with write_intent():
        teacher = locked_teacher(teacher.id)
        refusal = apply_refusal(actor, teacher)
        if refusal:
            db.session.rollback()
            return Outcome(False, refusal)
        row = Rotation(teacher_id=teacher.id, home_org_id=teacher.org_id, host_org_id=host.id, rotation_type=kind,
                       moves_relationship=moves, start_month=f"{start[0]}-{start[1]:02d}",
                       end_month=f"{end[0]}-{end[1]:02d}", state=ROTATION_PENDING, created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        same = reviewing_authority(teacher.org).id == reviewing_authority(host).id
        instance = workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor, data={
            "rotation_id": row.id, "same_authority": same,
            "start_at": month_start(*start).isoformat(), "end_at": month_after(*end).isoformat()})
        row.instance_id = instance.id
        audit.record("rotation_applied", object_type="teacher", object_id=teacher.id, user=actor,
                     after={"rotation": row.id, "host": host.code, "type": kind, "moves_relationship": moves,
                            "start": row.start_month, "end": row.end_month})
        db.session.commit()
    return Outcome(True, f"已提交{teacher.name}到{host.name}的交流轮岗申请，等待审核单位审核", rotation=row)


# ----------------------------------------------------------------------------- what the diagram's actions do

def _row(teacher_id: int, *states) -> Rotation:
    row = _current(teacher_id, *states)
    if row is None:
        raise WorkflowError("找不到相应状态的交流轮岗")
    return row


def mark_approved(teacher_id: int, user_id: int | None) -> None:
    row = _row(teacher_id, ROTATION_PENDING)
    row.state, row.approved_by_id, row.decided_at = ROTATION_APPROVED, user_id, utcnow()
    from notifications import notify, users_with_role
    teacher = db.session.get(Teacher, teacher_id)
    notify(key=f"rotation:{row.id}:approved", kind="rotation_approved", org_id=row.host_org_id,
           link=f"/rotations/{row.id}",
           users=users_with_role(row.host_org_id, ROLE_INFO_ADMIN) + users_with_role(row.home_org_id, ROLE_INFO_ADMIN),
           title=f"交流轮岗已批准：{teacher.name}（{row.home_org.name} → {row.host_org.name}）",
           body=f"{teacher.name}将于 {row.start_month} 至 {row.end_month} 到{row.host_org.name}交流轮岗"
                f"（{type_label(row.rotation_type)}）。开始之日人员状态自动改为“交流轮岗”，结束之日自动恢复。")


def mark_returned(teacher_id: int, user_id: int | None, reason: str) -> None:
    from .transfers import returning_step
    row = _row(teacher_id, ROTATION_PENDING)
    row.state, row.return_reason = ROTATION_RETURNED, (reason or "").strip()[:500] or "（未写明原因）"
    row.returned_step = returning_step(row.instance_id)
    row.decided_at = utcnow()
    from notifications import notify, users_with_role
    teacher = db.session.get(Teacher, teacher_id)
    notify(key=f"rotation:{row.id}:returned", kind="rotation_returned", org_id=row.home_org_id,
           link=f"/rotations/{row.id}", users=users_with_role(row.home_org_id, ROLE_INFO_ADMIN),
           title=f"交流轮岗申请被退回：{teacher.name}",
           body=f"{teacher.name}到{row.host_org.name}的交流轮岗申请在“{row.returned_step or '审核'}”环节被退回，"
                f"原因：{row.return_reason}。")


def _new_version(teacher: Teacher, basic: dict, filled_by: int | None, reviewed_by: int | None, now) -> int:
    from .history import add_version
    teacher.basic, teacher.updated_at = basic, now
    return add_version(teacher, basic, filled_by_id=filled_by, reviewed_by_id=reviewed_by, now=now)


def start(teacher_id: int) -> None:
    """The start date came (a timer): 人员状态 becomes 交流轮岗, as a new version with a 交流轮岗 row."""
    from workflows import engine_now
    from .indicators import set_by_key
    row = _row(teacher_id, ROTATION_APPROVED)
    teacher = db.session.get(Teacher, teacher_id)
    now = engine_now()
    row.started_at = now
    if teacher.state != STATE_EFFECTIVE:
        # The teacher left meanwhile: nothing to change on the record.
        row.state, row.ended_at = ROTATION_FINISHED, now
        return
    row.state = ROTATION_ACTIVE
    basic = dict(teacher.basic or {})
    row.previous_status = basic.get("personnel_status") or DEFAULT_STATUS
    basic["personnel_status"] = ROTATION_STATUS
    if set_by_key("rotation", teacher.org.school_type) is not None:
        position = (db.session.scalar(select(func.max(RecordItem.position)).where(
            RecordItem.teacher_id == teacher_id, RecordItem.set_key == "rotation")) or 0) + 1
        db.session.add(RecordItem(
            teacher_id=teacher_id, set_key="rotation", position=position,
            values={"rotation_type": row.rotation_type, "transfer": "1" if row.moves_relationship else "0",
                    "start": row.start_month, "end": row.end_month, "home_unit": row.home_org.name,
                    "host_unit": row.host_org.name},
            entered_by_id=row.created_by_id, entered_at=row.created_at, updated_by_id=row.approved_by_id,
            updated_at=now))
    number = _new_version(teacher, basic, row.created_by_id, row.approved_by_id, now)
    audit.record("rotation_started", object_type="teacher", object_id=teacher_id, user=None,
                 org_id=row.home_org_id, before={"personnel_status": row.previous_status},
                 after={"personnel_status": ROTATION_STATUS, "rotation": row.id, "version": number})
    _notify_period(row, teacher, "started")


def finish(teacher_id: int) -> None:
    """The end date came (a timer): 人员状态 returns to what it was before, as a new version."""
    from workflows import engine_now
    row = _row(teacher_id, ROTATION_ACTIVE)
    teacher = db.session.get(Teacher, teacher_id)
    now = engine_now()
    row.state, row.ended_at = ROTATION_FINISHED, now
    if teacher.state != STATE_EFFECTIVE:
        return
    basic = dict(teacher.basic or {})
    if basic.get("personnel_status") == ROTATION_STATUS:
        basic["personnel_status"] = row.previous_status or DEFAULT_STATUS
        number = _new_version(teacher, basic, row.created_by_id, row.approved_by_id, now)
        audit.record("rotation_finished", object_type="teacher", object_id=teacher_id, user=None,
                     org_id=row.home_org_id, before={"personnel_status": ROTATION_STATUS},
                     after={"personnel_status": basic["personnel_status"], "rotation": row.id, "version": number})
    _notify_period(row, teacher, "finished")


def _notify_period(row: Rotation, teacher: Teacher, what: str) -> None:
    from notifications import notify, users_with_role
    accounts = list(db.session.scalars(select(User).where(User.teacher_id == teacher.id, User.active.is_(True))))
    verb = "开始" if what == "started" else "结束"
    notify(key=f"rotation:{row.id}:{what}", kind=f"rotation_{what}", org_id=row.home_org_id,
           link=f"/rotations/{row.id}",
           users=users_with_role(row.home_org_id, ROLE_INFO_ADMIN) + users_with_role(row.host_org_id, ROLE_INFO_ADMIN)
           + accounts,
           title=f"交流轮岗{verb}：{teacher.name}（{row.home_org.name} → {row.host_org.name}）",
           body=f"{teacher.name}在{row.host_org.name}的交流轮岗（{row.start_month} 至 {row.end_month}）今日{verb}，"
                f"人员状态已{'改为“交流轮岗”' if what == 'started' else '恢复'}。")
