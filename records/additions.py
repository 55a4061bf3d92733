"""Additions: a teacher adds a new row to a repeatable set of an effective record (a training, a
qualification, an award) → the school reviews → the row joins the record as a new version.

The pending row waits in a ChangeRequest of kind "addition" (never in the effective record);
the record_addition flow drives it. One pending addition per set at a time; a change request on
the record blocks additions (and the other way round), naming the flow that holds the record.
"""
from __future__ import annotations

from sqlalchemy import func, select

import audit
import workflows
from models import RecordItem, Teacher, db, utcnow, write_intent
from models.changes import CHANGE_APPLIED, CHANGE_PENDING, CHANGE_RETURNED, ChangeRequest
from models.teachers import STATE_EFFECTIVE
from models.users import ROLE_TEACHER
from workflows.errors import WorkflowError

from .access import locked_teacher
from .changes import Outcome, open_change, open_step
from .indicators import set_by_key

PROCESS = "record_addition"
KIND = "addition"


def addition_refusal(actor, teacher: Teacher, set_key: str):
    """(the set, why the actor may not add to it now or None)."""
    info = set_by_key(set_key, teacher.org.school_type)
    if info is None or set_key == "basic" or not info.repeatable:
        return None, "只能为可重复的信息集（如培训、资格、奖励）补充新的一条"
    if actor.role != ROLE_TEACHER or actor.teacher_id != teacher.id:
        return info, "补充信息由教师本人提交，学校审核"
    if info.school_only:
        return info, f"【{info.title}】由学校填写，教师本人不能补充"
    if teacher.state != STATE_EFFECTIVE:
        return info, "记录生效后才能补充；生效前请直接在档案中填写"
    if open_change(teacher.id, "change"):
        return info, "该记录正在“教师信息变更”流程中办理，办结前不能补充"
    if open_change(teacher.id, KIND, set_key):
        return info, f"【{info.title}】已有一条补充在审核中，请待其办结后再补充"
    return info, None


def _checked(info, teacher, values):
    from .items import _problems_for, items_of
    from .validation import validate_set_row
    clean, problems = validate_set_row(info, values, school_name=teacher.org.name)
    by_key = {}
    for p in problems:
        by_key.setdefault(p.key, p.message)
    if not by_key:
        by_key = _problems_for(info, clean, items_of(teacher.id, info.key), ref="this")
    return clean, by_key


def propose(actor, teacher: Teacher, set_key: str, values: dict) -> Outcome:
    info, refusal = addition_refusal(actor, teacher, set_key)
    if refusal:
        return Outcome(False, refusal)
    clean, problems = _checked(info, teacher, values)
    if problems:
        return Outcome(False, f"有 {len(problems)} 项需要修改", problems)
    with write_intent():
        _, refusal = addition_refusal(actor, locked_teacher(teacher.id), set_key)
        if refusal:
            db.session.rollback()
            return Outcome(False, refusal)
        change = ChangeRequest(teacher_id=teacher.id, kind=KIND, set_key=set_key, state=CHANGE_PENDING, before={},
                               proposed=clean, created_by_id=actor.id)
        db.session.add(change)
        db.session.flush()
        instance = workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor,
                                            data={"change_id": change.id, "set_key": set_key})
        change.instance_id = instance.id
        audit.record("addition_proposed", object_type="teacher", object_id=teacher.id, after={"set": set_key, **clean})
        db.session.commit()
    return Outcome(True, f"已提交补充的【{info.title}】，等待学校审核", change=change)


def submissions(teacher_id: int) -> list[ChangeRequest]:
    return list(db.session.scalars(select(ChangeRequest).where(ChangeRequest.teacher_id == teacher_id,
                                                               ChangeRequest.kind == KIND)
                                   .order_by(ChangeRequest.id.desc())))


def revise(actor, change: ChangeRequest, values: dict | None, withdraw: bool = False) -> Outcome:
    teacher = db.session.get(Teacher, change.teacher_id)
    if actor.role != ROLE_TEACHER or actor.teacher_id != teacher.id or change.state != CHANGE_RETURNED:
        return Outcome(False, "只有被退回的补充可由教师本人修改或撤回")
    info = set_by_key(change.set_key, teacher.org.school_type)
    clean = None
    if not withdraw:
        clean, problems = _checked(info, teacher, values or {})
        if problems:
            return Outcome(False, f"有 {len(problems)} 项需要修改", problems)
    with write_intent():
        change = db.session.merge(change)
        task = open_step(change, "revise_addition")
        if task is None:
            db.session.rollback()
            return Outcome(False, "该补充已不在待修改状态，请刷新页面")
        if not withdraw:
            change.proposed, change.state, change.return_reason = clean, CHANGE_PENDING, None
        try:
            workflows.complete_task(task.id, actor, {"decision": "withdraw" if withdraw else "submit"})
        except WorkflowError as exc:
            db.session.rollback()
            return Outcome(False, str(exc))
        audit.record("addition_withdrawn" if withdraw else "addition_resubmitted", object_type="teacher",
                     object_id=teacher.id, after={"set": change.set_key, **(clean or {})})
        db.session.commit()
    return Outcome(True, "已撤回补充" if withdraw else "已重新提交，等待学校审核")


def apply(teacher_id: int, reviewer_id: int | None, instance_id: int | None = None) -> int:
    """The approved row joins the record, and the record gets a new effective version."""
    change = open_change(teacher_id, KIND, instance_id=instance_id)
    if change is None or change.state != CHANGE_PENDING:
        raise WorkflowError("找不到待生效的补充信息")
    teacher = db.session.get(Teacher, teacher_id)
    now = utcnow()
    position = (db.session.scalar(select(func.max(RecordItem.position)).where(
        RecordItem.teacher_id == teacher_id, RecordItem.set_key == change.set_key)) or 0) + 1
    db.session.add(RecordItem(teacher_id=teacher_id, set_key=change.set_key, position=position, values=change.proposed,
                              entered_by_id=change.created_by_id, entered_at=change.created_at,
                              updated_by_id=reviewer_id, updated_at=now))
    from .history import add_version
    number = add_version(teacher, dict(teacher.basic or {}), filled_by_id=change.created_by_id,
                         reviewed_by_id=reviewer_id, now=now)
    change.state, change.version_number, change.decided_by_id, change.decided_at = CHANGE_APPLIED, number, reviewer_id, now
    return number
