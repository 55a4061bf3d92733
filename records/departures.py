"""A teacher leaving (离岗): a status change through the teacher_departure flow, never a deletion.

The school's information administrator records why and when; the reviewing authority approves
(the record becomes 已离岗, the teacher's login is disabled, every version is kept) or returns it
(the registration is void, with the reason; a new one may be filed).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

import audit
import workflows
from models import Teacher, User, db, utcnow, write_intent
from models.changes import CHANGE_APPLIED, CHANGE_PENDING, ChangeRequest
from models.teachers import STATE_EFFECTIVE, STATE_LEFT
from models.users import ROLE_INFO_ADMIN
from workflows.errors import WorkflowError

from .access import locked_teacher
from .changes import Outcome, holding_flow, open_change
from .normalize import to_date

PROCESS = "teacher_departure"
KIND = "departure"
REASONS = {"retired": "退休", "left_system": "调离教育系统", "resigned": "辞职", "dismissed": "解聘或辞退",
           "deceased": "死亡", "other": "其他"}


def refusal(actor, teacher: Teacher) -> str | None:
    if actor.role != ROLE_INFO_ADMIN or actor.org_id != teacher.org_id:
        return "只有教师所在学校的信息管理员可以登记离岗"
    if teacher.state != STATE_EFFECTIVE:
        return f"记录当前为“{teacher.state_label}”，只有已生效的记录可以登记离岗"
    flow = holding_flow(teacher.id)
    if flow:
        return f"该记录正在“{flow}”流程中办理，办结前不能登记离岗"
    return None


def propose(actor, teacher: Teacher, reason: str, date_text: str, remark: str) -> Outcome:
    why = refusal(actor, teacher)
    if why:
        return Outcome(False, why)
    problems = {}
    if reason not in REASONS:
        problems["reason"] = f"【离岗原因】请选择：{'、'.join(REASONS.values())}"
    text = (date_text or "").strip()
    if not text:
        problems["date"] = "【离岗日期】必填，请填写离开本校的日期（如 2026-11-30）"
    else:
        try:
            day = dt.date.fromisoformat(to_date(text if len(text) <= 20 else text[:20] + "…"))
        except ValueError as exc:
            problems["date"] = f"【离岗日期】{exc}"
        else:
            joined = (teacher.basic or {}).get("joined_school_month")   # YYYY-MM: leaving comes after joining
            if not dt.date(1950, 1, 1) <= day <= dt.date.today() + dt.timedelta(days=366):
                problems["date"] = "【离岗日期】不能早于 1950 年，也不能晚于一年以后"
            elif joined and day.isoformat()[:7] < str(joined)[:7]:
                problems["date"] = f"【离岗日期】不能早于该教师进本校的年月（{str(joined)[:7]}）"
    remark = (remark or "").strip()
    if len(remark) > 500:
        problems["remark"] = "【说明】不能超过 500 字"
    if problems:
        return Outcome(False, "离岗登记未提交，请按提示修改", problems)
    with write_intent():
        teacher = locked_teacher(teacher.id)
        why = refusal(actor, teacher)
        if why:
            db.session.rollback()
            return Outcome(False, why)
        change = ChangeRequest(teacher_id=teacher.id, kind=KIND, state=CHANGE_PENDING, before={"state": teacher.state},
                               proposed={"reason": reason, "date": day.isoformat(), "remark": remark},
                               created_by_id=actor.id)
        db.session.add(change)
        db.session.flush()
        instance = workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor,
                                            data={"change_id": change.id})
        change.instance_id = instance.id
        audit.record("departure_proposed", object_type="teacher", object_id=teacher.id, after=change.proposed)
        db.session.commit()
    return Outcome(True, "离岗登记已提交，等待审核单位审核", change=change)


def display_rows(change: ChangeRequest) -> list[tuple[str, str, str]]:
    p = change.proposed
    return [("离岗原因", "", REASONS.get(p.get("reason"), p.get("reason", ""))), ("离岗日期", "", p.get("date", "")),
            ("说明", "", p.get("remark", ""))]


def apply(teacher_id: int, reviewer_id: int | None, instance_id: int | None = None) -> int:
    change = open_change(teacher_id, KIND, instance_id=instance_id)
    if change is None or change.state != CHANGE_PENDING:
        raise WorkflowError("找不到待审核的离岗登记")
    teacher = db.session.get(Teacher, teacher_id)
    now = utcnow()
    teacher.state, teacher.updated_at = STATE_LEFT, now
    for user in db.session.scalars(select(User).where(User.teacher_id == teacher_id)):
        user.active = False
    from .history import add_version
    number = add_version(teacher, {**(teacher.basic or {}), "_departure": change.proposed},
                         filled_by_id=change.created_by_id, reviewed_by_id=reviewer_id, now=now)
    change.state, change.version_number, change.decided_by_id, change.decided_at = CHANGE_APPLIED, number, reviewer_id, now
    db.session.flush()
    return number
