"""Transfers (调动): a teacher's one record moves from one school to another, with everything it carries.

The chain (bpmn/teacher_transfer.bpmn): the receiving school's information administrator applies
by ID number and name → the receiving school's reviewing authority approves → the sending school
confirms → the sending school's reviewing authority approves → the record moves. When both schools
have the same reviewing authority (e.g. two schools of one county) that authority approves once.

Decisions, written down:
- Only an effective record is transferred (like a change request); a record under review or held by
  another flow (change, addition, departure) is refused naming the flow, and so is a teacher on an
  exchange/rotation that has not ended.
- The applicant gives the ID number and the name: a wrong name is refused without showing the
  registered one. Transferring to the teacher's own school is refused.
- Any step may return the application with a reason; a return ENDS the transfer (state 已退回, the
  reason and the step kept). The receiving school may apply again. Going back one step would let an
  application bounce between two units without anyone owning it.
- What moves: Teacher.org_id and the teacher's login (User.org_id); versions, set rows, history
  and the personal number stay with the record (they hang off the teacher, not the school). The
  move is a new effective version: 进本校年月 becomes the month given in the application and the
  school-assigned 教职工号 is cleared (the new school assigns its own).
- A transfer row keeps both schools: the sending school still lists it as 调出 after the record left
  its scope (the record itself is then visible to the receiving side only).

Not here: the pages (views/transfers.py), who acts on which step (workflows/lanes.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

import audit
import workflows
from models import Org, Teacher, User, db, utcnow, write_intent
from models.mobility import (ROTATION_ACTIVE, ROTATION_APPROVED, ROTATION_PENDING, TRANSFER_DONE,
                             TRANSFER_PENDING, TRANSFER_RETURNED, Rotation, Transfer)
from models.teachers import STATE_EFFECTIVE
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER
from workflows.errors import WorkflowError

from .idcard import resident_id_slip
from .normalize import to_month
from .identity import normalised_id, same_person_numbers
from .access import locked_teacher

PROCESS = "teacher_transfer"
STEPS = ("transfer_in_review", "transfer_out_confirm", "transfer_out_review")


@dataclass
class Outcome:
    ok: bool
    message: str
    problems: dict = field(default_factory=dict)
    transfer: Transfer | None = None


# ----------------------------------------------------------------------------- reading

def pending_transfer(teacher_id: int) -> Transfer | None:
    return db.session.scalars(select(Transfer).where(Transfer.teacher_id == teacher_id,
                                                     Transfer.state == TRANSFER_PENDING)
                              .order_by(Transfer.id.desc())).first()


def transfers_of(teacher_id: int) -> list[Transfer]:
    return list(db.session.scalars(select(Transfer).where(Transfer.teacher_id == teacher_id)
                                   .order_by(Transfer.id.desc())))


def transfer_in_scope(user, transfer_id: int) -> Transfer | None:
    """A transfer the user may see: either school in their subtree (a teacher: their own)."""
    row = db.session.get(Transfer, transfer_id)
    if row is None:
        return None
    if user.role == ROLE_TEACHER:
        return row if row.teacher_id == user.teacher_id else None
    if user.org.contains(row.from_org) or user.org.contains(row.to_org):
        return row
    return None


def transfers_query(user, direction: str = "", state: str = ""):
    """Transfers touching the user's subtree, newest first; direction "in" (调入) or "out" (调出)."""
    From, To = Org.__table__.alias("f"), Org.__table__.alias("t")
    prefix = user.org.path + "%"
    into, out_of = To.c.path.like(prefix), From.c.path.like(prefix)
    cond = {"in": into, "out": out_of}.get(direction, or_(into, out_of))
    q = (select(Transfer).join(From, From.c.id == Transfer.from_org_id).join(To, To.c.id == Transfer.to_org_id)
         .where(cond))
    if state in (TRANSFER_PENDING, TRANSFER_DONE, TRANSFER_RETURNED):
        q = q.where(Transfer.state == state)
    return q.order_by(Transfer.id.desc())


def direction_for(user, row: Transfer) -> str:
    """调入 / 调出 / 内部调动 as seen from the user's unit."""
    into, out_of = user.org.contains(row.to_org), user.org.contains(row.from_org)
    if into and out_of:
        return "内部调动"
    return "调入" if into else "调出"


def teacher_names(rows) -> dict[int, Teacher]:
    ids = {r.teacher_id for r in rows}
    if not ids:
        return {}
    return {t.id: t for t in db.session.scalars(select(Teacher).where(Teacher.id.in_(ids)))}


# ----------------------------------------------------------------------------- rules

def scope_of(from_org: Org, to_org: Org) -> str:
    """county: same reviewing authority; city: same unit under the province; province: otherwise."""
    from orgs.authority import reviewing_authority
    if reviewing_authority(from_org).id == reviewing_authority(to_org).id:
        return "county"
    top = lambda org: org.path.strip("/").split("/")[:2]  # noqa: E731 -- province + the unit under it
    return "city" if top(from_org) == top(to_org) else "province"


def same_authority(from_org: Org, to_org: Org) -> bool:
    from orgs.authority import reviewing_authority
    return reviewing_authority(from_org).id == reviewing_authority(to_org).id


def find_teacher(id_number: str) -> Teacher | None:
    forms = same_person_numbers(id_number)
    return db.session.scalars(select(Teacher).where(Teacher.id_number.in_(forms))).first()


def unfinished_rotation(teacher_id: int) -> Rotation | None:
    return db.session.scalars(select(Rotation).where(
        Rotation.teacher_id == teacher_id,
        Rotation.state.in_((ROTATION_PENDING, ROTATION_APPROVED, ROTATION_ACTIVE)))).first()


def applicant_refusal(actor) -> str | None:
    if actor.role != ROLE_INFO_ADMIN or actor.org.kind != "school":
        return "调动由调入学校的信息管理员申请"
    return None


def record_refusal(teacher: Teacher, to_org: Org) -> str | None:
    """Why this teacher's record cannot be transferred to `to_org` now, or None."""
    from .changes import holding_flow
    if teacher.org_id == to_org.id:
        return f"{teacher.name}已在{to_org.name}，不能调动到同一学校"
    if teacher.state != STATE_EFFECTIVE:
        return (f"{teacher.name}的记录当前为“{teacher.state_label}”，记录生效后才能调动；"
                f"如需更正请联系原学校（{teacher.org.name}）")
    flow = holding_flow(teacher.id)
    if flow:
        return f"{teacher.name}的记录正在“{flow}”流程中办理，办结前不能调动"
    rotation = unfinished_rotation(teacher.id)
    if rotation is not None:
        return (f"{teacher.name}有一项交流轮岗（{rotation.start_month} 至 {rotation.end_month}，{rotation.state_label}），"
                "交流轮岗结束或被退回后才能调动")
    return None


def _check_month(text: str) -> tuple[str | None, str | None]:
    text = (text or "").strip()[:30]
    try:
        month = to_month(text)   # as people write it: 2026-09, 2026年9月, 2026.09, 202609
    except ValueError:
        return None, f"【调入年月】“{text[:20]}”格式不对，应为 YYYY-MM，例如 2026-09"
    from workflows import engine_now
    from workflows.timers import CHINA
    today = engine_now().astimezone(CHINA).date()
    months = (int(month[:4]) - today.year) * 12 + int(month[5:7]) - today.month
    if months > 0:
        # It becomes the record's 进本校年月, which may not be a future month (a later change request of the
        # record would be refused for a value the transfer wrote).
        return None, (f"【调入年月】“{text}”晚于本月（{today:%Y-%m}）：调入年月会记为进本校年月，不能是将来的月份，"
                      "请在教师到岗当月或之后申请")
    if months < -12:
        return None, f"【调入年月】“{text}”早于一年前：只能是最近一年之内的月份"
    return month, None


# ----------------------------------------------------------------------------- applying

def apply(actor, id_number: str, name: str, join_month: str, reason: str) -> Outcome:
    """The receiving school's application. One transaction: the transfer row, the flow, the audit row."""
    refusal = applicant_refusal(actor)
    if refusal:
        return Outcome(False, refusal)
    problems = {}
    id_number, name, reason = normalised_id(id_number or "")[:30], " ".join((name or "").split())[:50], (reason or "").strip()
    month, month_problem = _check_month(join_month)
    if month_problem:
        problems["join_month"] = month_problem
    if len(reason) > 500:
        problems["reason"] = f"【调动理由】不能超过 500 字（现为 {len(reason)} 字）"
    if not id_number:
        problems["id_number"] = "【身份证件号】请填写调入教师的身份证件号"
    if not name:
        problems["name"] = "【姓名】请填写调入教师的姓名"
    if problems:
        return Outcome(False, "调动申请未提交，请按提示修改", problems)
    with write_intent():
        teacher = find_teacher(id_number)
        if teacher is None:
            db.session.rollback()
            slip = resident_id_slip(id_number)   # a mistyped number is told so, not that nobody holds it
            return Outcome(False, "调动申请未提交，请按提示修改", {
                "id_number": f"【身份证件号】{slip}" if slip else f"【身份证件号】全省没有身份证件号为 {id_number} 的教师记录；新入职教师请由本校系统管理员创建账号"})
        if teacher.name != name:
            db.session.rollback()
            return Outcome(False, "调动申请未提交，请按提示修改",
                           {"name": "【姓名】与该身份证件号登记的姓名不一致，请核对"})
        teacher = locked_teacher(teacher.id)
        to_org = db.session.get(Org, actor.org_id)
        refusal = record_refusal(teacher, to_org)
        if refusal:
            db.session.rollback()
            return Outcome(False, refusal)
        from_org = teacher.org
        row = Transfer(teacher_id=teacher.id, from_org_id=from_org.id, to_org_id=to_org.id,
                       scope=scope_of(from_org, to_org), state=TRANSFER_PENDING, join_month=month,
                       reason=reason or None, applied_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        instance = workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor, data={
            "transfer_id": row.id, "same_authority": same_authority(from_org, to_org)})
        row.instance_id = instance.id
        audit.record("transfer_applied", object_type="teacher", object_id=teacher.id, user=actor,
                     after={"transfer": row.id, "from": from_org.code, "to": to_org.code, "join_month": month,
                            "reason": reason})
        db.session.commit()
    return Outcome(True, f"已提交{teacher.name}的调入申请（{from_org.name} → {to_org.name}），等待调入审核单位审核",
                   transfer=row)


# ----------------------------------------------------------------------------- what the diagram's actions do

def _pending_or_fail(teacher_id: int) -> Transfer:
    row = pending_transfer(teacher_id)
    if row is None:
        raise WorkflowError("找不到办理中的调动申请")
    return row


def complete(teacher_id: int, reviewer_id: int | None) -> int:
    """Move the record to the receiving school as a new effective version (in the approver's transaction)."""
    row = _pending_or_fail(teacher_id)
    teacher = db.session.get(Teacher, teacher_id)
    now = utcnow()
    basic = {k: v for k, v in (teacher.basic or {}).items() if k != "staff_number"}
    basic["joined_school_month"] = row.join_month
    teacher.basic, teacher.org_id, teacher.teaching_point_id, teacher.updated_at = basic, row.to_org_id, None, now
    for account in db.session.scalars(select(User).where(User.teacher_id == teacher_id)):
        account.org_id = row.to_org_id
    from .history import add_version
    number = add_version(teacher, basic, filled_by_id=row.applied_by_id, reviewed_by_id=reviewer_id, now=now)
    row.state, row.version_number, row.decided_by_id, row.decided_at = TRANSFER_DONE, number, reviewer_id, now
    reviewer = db.session.get(User, reviewer_id) if reviewer_id else None
    audit.record("teacher_transferred", object_type="teacher", object_id=teacher_id, user=reviewer,
                 before={"school": row.from_org.code}, after={"school": row.to_org.code, "version": number,
                                                                "transfer": row.id})
    _notify_done(row, teacher)
    db.session.flush()
    return number


def mark_returned(teacher_id: int, user_id: int | None, reason: str) -> None:
    row = _pending_or_fail(teacher_id)
    row.state, row.return_reason = TRANSFER_RETURNED, (reason or "").strip()[:500] or "（未写明原因）"
    row.returned_step = returning_step(row.instance_id)
    row.decided_by_id, row.decided_at = user_id, utcnow()
    teacher = db.session.get(Teacher, teacher_id)
    _notify_returned(row, teacher)


def _info_admins(org_id: int) -> list[User]:
    from notifications import users_with_role
    return users_with_role(org_id, ROLE_INFO_ADMIN)


def _notify_done(row: Transfer, teacher: Teacher) -> None:
    from notifications import notify
    accounts = list(db.session.scalars(select(User).where(User.teacher_id == teacher.id, User.active.is_(True))))
    title = f"调动已办结：{teacher.name}（{row.from_org.name} → {row.to_org.name}）"
    body = f"{teacher.name}的教师记录（含历史版本、各信息集和个人编号）已于今日转入{row.to_org.name}。"
    notify(key=f"transfer:{row.id}:done", kind="transfer_done", title=title, body=body, org_id=row.to_org_id,
           link=f"/transfers/{row.id}",
           users=_info_admins(row.to_org_id) + _info_admins(row.from_org_id) + accounts)


def _notify_returned(row: Transfer, teacher: Teacher) -> None:
    from notifications import notify
    notify(key=f"transfer:{row.id}:returned", kind="transfer_returned", org_id=row.to_org_id,
           link=f"/transfers/{row.id}", users=_info_admins(row.to_org_id),
           title=f"调动申请被退回：{teacher.name}",
           body=f"{teacher.name}（{row.from_org.name} → {row.to_org.name}）的调动申请在“{row.returned_step or '审核'}”"
                f"环节被退回，原因：{row.return_reason}。本次调动已结束，如需调动请修改后重新申请。")


def returning_step(instance_id: int | None) -> str | None:
    """The name of the step being completed with a return. Effects run before the instance's task rows
    are brought up to date, so the row of the task being completed is still there."""
    from models import HumanTask
    if instance_id is None:
        return None
    return db.session.scalars(select(HumanTask.task_name).where(HumanTask.instance_id == instance_id)
                              .order_by(HumanTask.id.desc())).first()
