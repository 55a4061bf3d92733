"""Change requests: the only way an effective record changes (谁填报谁负责，谁审核谁负责).

The school's information administrator proposes new values; key identity items need a reason
and a supporting scan; the reviewing authority approves (applied atomically as a new version)
or returns (the school revises and resubmits, or withdraws). While a request is open the record
is locked: no other flow or form may change it, and the user is told which flow holds it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select

import audit
import workflows
from models import HumanTask, ProcessDefinition, ProcessInstance, Teacher, User, db, utcnow, write_intent
from models.changes import CHANGE_APPLIED, CHANGE_PENDING, CHANGE_RETURNED, CHANGE_WITHDRAWN, ChangeRequest
from models.teachers import STATE_EFFECTIVE
from models.users import ROLE_INFO_ADMIN
from workflows.errors import WorkflowError

from .access import locked_teacher
from . import attachments, validation
from .forms import identity_values
from .identity import DuplicateRecord, duplicate_of
from .indicators import CODE, basic_fields, field_by_key

PROCESS = "record_change"
KEY_IDENTITY = ("name", "gender", "id_type", "id_number", "birth_date", "nationality")


@dataclass
class Outcome:
    ok: bool
    message: str
    problems: dict = field(default_factory=dict)
    change: ChangeRequest | None = None


def holding_flow(teacher_id: int) -> str | None:
    """The name of a running flow that holds the record, or None. A flow holds the record while someone
    has a step to do in it; one that only waits on its timers (an exchange/rotation between its start
    and end dates) does not."""
    return db.session.scalar(
        select(ProcessDefinition.name).join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessInstance.subject_teacher_id == teacher_id,
               # a suspended flow has no task rows but will resume: it still holds the record
               or_(ProcessInstance.status == "suspended",
                   (ProcessInstance.status == "running")
                   & select(HumanTask.id).where(HumanTask.instance_id == ProcessInstance.id).exists()))
        .order_by(ProcessInstance.id.desc()).limit(1))


def current_values(teacher: Teacher) -> dict:
    values = dict(teacher.basic or {})
    values.update({k: v for k, v in identity_values(teacher).items() if v is not None})
    return values


def proposal_refusal(actor, teacher: Teacher) -> str | None:
    if actor.role != ROLE_INFO_ADMIN or actor.org_id != teacher.org_id:
        return "只有教师所在学校的信息管理员可以提出信息变更"
    if teacher.state != STATE_EFFECTIVE:
        return f"记录当前为“{teacher.state_label}”，只有已生效的记录通过变更流程修改"
    flow = holding_flow(teacher.id)
    if flow:
        return f"该记录正在“{flow}”流程中办理，办结前不能再发起变更"
    return None


def _check(actor, teacher: Teacher, values: dict, reason: str, scan: bytes | None, had_scan: bool):
    """(changed values, problems by field key, needs a scan)."""
    current = current_values(teacher)
    merged = {**current, **{k: v for k, v in values.items() if k in {f.key for f in basic_fields(teacher.org.school_type)}}}
    clean, problems = validation.validate_record(merged, teacher.org.school_type)
    by_key = {}
    for p in problems:
        by_key.setdefault(p.key or "", p.message)
    changed = {k: v for k, v in clean.items() if (v or None) != (current.get(k) or None)}
    changed.update({k: None for k in current if k not in clean and current.get(k) not in (None, "")
                    and field_by_key(k, teacher.org.school_type) is not None})
    identity_changed = [k for k in changed if k in KEY_IDENTITY]
    if not by_key and not changed:
        by_key[""] = "没有任何信息发生变化"
    if identity_changed:
        labels = "、".join(field_by_key(k).label for k in identity_changed)
        if not reason.strip():
            by_key["reason"] = f"变更关键身份信息（{labels}）须写明变更理由"
        if scan is None and not had_scan:
            by_key["attachment"] = f"变更关键身份信息（{labels}）须上传证明材料扫描件（PDF/PNG/JPEG，5 MB 以内）"
    if "id_number" in changed and "id_number" not in by_key:
        dup = duplicate_of(teacher.id, changed["id_number"])
        if dup:
            # the school only, never the name: an ID number typed in must not look a person up
            by_key["id_number"] = f"新的身份证件号已在 {dup[1]} 登记，同一教师全省只能有一条记录，请核对"
    return changed, by_key


def propose(actor, teacher: Teacher, values: dict, reason: str, scan: bytes | None) -> Outcome:
    refusal = proposal_refusal(actor, teacher)
    if refusal:
        return Outcome(False, refusal)
    reason = (reason or "").strip()[:500]
    changed, problems = _check(actor, teacher, values, reason, scan, had_scan=False)
    if problems:
        return Outcome(False, "变更申请未提交，请按提示修改", problems)
    with write_intent():
        teacher = locked_teacher(teacher.id)
        refusal = proposal_refusal(actor, teacher)  # again, under the record's lock
        if refusal:
            db.session.rollback()
            return Outcome(False, refusal)
        stored = None
        if scan is not None:
            try:
                stored = attachments.store(scan)
            except attachments.AttachmentRefused as exc:
                db.session.rollback()
                return Outcome(False, "变更申请未提交，请按提示修改", {"attachment": str(exc)})
        current = current_values(teacher)
        change = ChangeRequest(teacher_id=teacher.id, state=CHANGE_PENDING, before={k: current.get(k) for k in changed},
                               proposed=changed, reason=reason or None, created_by_id=actor.id)
        if stored:
            change.attachment_sha256, change.attachment_type, change.attachment_size = stored
        db.session.add(change)
        db.session.flush()
        instance = workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor,
                                            data={"change_id": change.id})
        change.instance_id = instance.id
        audit.record("change_proposed", object_type="teacher", object_id=teacher.id, before=change.before,
                     after={**changed, "reason": reason})
        db.session.commit()
    return Outcome(True, "变更申请已提交，等待审核单位审核", change=change)


# The kind of request the task of each step works on.
KIND_OF_STEP = {"change_review": "change", "revise_change": "change", "addition_review": "addition",
                "revise_addition": "addition", "departure_review": "departure"}


def for_task(task) -> ChangeRequest | None:
    """The open request a task's own flow works on; None for a task of any other flow."""
    kind = KIND_OF_STEP.get(task.task_key)
    return open_change(task.subject_teacher_id, kind, instance_id=task.instance_id) if kind else None


def open_change(teacher_id: int, kind: str | None = None, set_key: str | None = None,
                instance_id: int | None = None) -> ChangeRequest | None:
    """The teacher's open request (pending or returned); with `instance_id`, the one that flow runs (a teacher
    may have several additions of different sets under way: a flow's step must act on its own)."""
    q = select(ChangeRequest).where(ChangeRequest.teacher_id == teacher_id,
                                    ChangeRequest.state.in_((CHANGE_PENDING, CHANGE_RETURNED)))
    if kind:
        q = q.where(ChangeRequest.kind == kind)
    if set_key:
        q = q.where(ChangeRequest.set_key == set_key)
    if instance_id is not None:
        q = q.where(ChangeRequest.instance_id == instance_id)
    return db.session.scalars(q.order_by(ChangeRequest.id.desc())).first()


def changes_of(teacher_id: int) -> list[ChangeRequest]:
    return list(db.session.scalars(select(ChangeRequest).where(ChangeRequest.teacher_id == teacher_id)
                                   .order_by(ChangeRequest.id.desc())))


def display_rows(teacher: Teacher, change: ChangeRequest) -> list[tuple[str, str, str]]:
    """(label, before, after) for the review page; an addition has no "before"."""
    if change.kind == "departure":
        from .departures import display_rows as departure_rows
        return departure_rows(change)
    if change.kind == "addition":
        from .indicators import set_by_key
        info = set_by_key(change.set_key, teacher.org.school_type)
        return [(f"{info.title}·{f.label}", "", f.shown(change.proposed.get(f.key)))
                for f in info.fields if change.proposed.get(f.key) not in (None, "")]
    rows = []
    for key, new in change.proposed.items():
        f = field_by_key(key, teacher.org.school_type)
        if f is None:
            continue
        show = (lambda v: f.code_table.name_of(v) if (f.kind == CODE and v) else (v or ""))
        rows.append((f.label, show(change.before.get(key)), show(new)))
    return rows


def open_step(change: ChangeRequest, task_key: str) -> HumanTask | None:
    """The ready task `task_key` of the request's flow, read from the human-task table."""
    return db.session.scalars(select(HumanTask).where(HumanTask.instance_id == change.instance_id,
                                                      HumanTask.task_key == task_key)).first()


def resubmit(actor, change: ChangeRequest, values: dict, reason: str, scan: bytes | None) -> Outcome:
    teacher = db.session.get(Teacher, change.teacher_id)
    if actor.role != ROLE_INFO_ADMIN or actor.org_id != teacher.org_id or change.state != CHANGE_RETURNED:
        return Outcome(False, "只有退回的变更申请可由所在学校的信息管理员修改后重新提交")
    reason = (reason or "").strip()[:500]
    changed, problems = _check(actor, teacher, values, reason, scan, had_scan=bool(change.attachment_sha256))
    if problems:
        return Outcome(False, "变更申请未提交，请按提示修改", problems)
    with write_intent():
        change = db.session.merge(change)
        task = open_step(change, "revise_change")
        if task is None:
            db.session.rollback()
            return Outcome(False, "该变更申请已不在待修改状态，请刷新页面")
        if scan is not None:
            try:
                change.attachment_sha256, change.attachment_type, change.attachment_size = attachments.store(scan)
            except attachments.AttachmentRefused as exc:
                db.session.rollback()
                return Outcome(False, "变更申请未提交，请按提示修改", {"attachment": str(exc)})
        current = current_values(teacher)
        change.proposed, change.before = changed, {k: current.get(k) for k in changed}
        change.reason, change.state, change.return_reason = reason or None, CHANGE_PENDING, None
        try:
            workflows.complete_task(task.id, actor, {"decision": "submit"})
        except WorkflowError as exc:
            db.session.rollback()
            return Outcome(False, str(exc))
        audit.record("change_resubmitted", object_type="teacher", object_id=teacher.id, after=changed)
        db.session.commit()
    return Outcome(True, "已重新提交变更申请", change=change)


def withdraw(actor, change: ChangeRequest) -> Outcome:
    teacher = db.session.get(Teacher, change.teacher_id)
    if actor.role != ROLE_INFO_ADMIN or actor.org_id != teacher.org_id or change.state != CHANGE_RETURNED:
        return Outcome(False, "只有退回的变更申请可由所在学校的信息管理员撤回")
    with write_intent():
        task = open_step(db.session.merge(change), "revise_change")
        if task is None:
            db.session.rollback()
            return Outcome(False, "该变更申请已不在待修改状态，请刷新页面")
        try:
            workflows.complete_task(task.id, actor, {"decision": "withdraw"})
        except WorkflowError as exc:
            db.session.rollback()
            return Outcome(False, str(exc))
        audit.record("change_withdrawn", object_type="teacher", object_id=teacher.id)
        db.session.commit()
    return Outcome(True, "已撤回变更申请")


# --- what the diagram's actions and the review step do ---------------------------------------

def _pending_change(teacher_id: int, kind: str = "change", instance_id: int | None = None) -> ChangeRequest:
    change = open_change(teacher_id, kind, instance_id=instance_id)
    if change is None:
        raise WorkflowError("找不到待生效的变更申请")
    return change


def mark_returned(teacher_id: int, reason: str, user_id: int, kind: str = "change",
                  instance_id: int | None = None) -> None:
    change = _pending_change(teacher_id, kind, instance_id)
    change.state, change.return_reason = CHANGE_RETURNED, reason
    change.decided_by_id, change.decided_at = user_id, utcnow()


def apply(teacher_id: int, reviewer_id: int | None, instance_id: int | None = None) -> int:
    """Apply the pending change as a new effective version, in the reviewer's transaction."""
    change = _pending_change(teacher_id, instance_id=instance_id)
    teacher = db.session.get(Teacher, teacher_id)
    new_id = change.proposed.get("id_number")
    if new_id:
        dup = duplicate_of(teacher_id, new_id)
        if dup:
            raise DuplicateRecord(f"全省查重未通过：新的身份证件号 {new_id} 已在 {dup[1]} 登记")
    basic = {**(teacher.basic or {})}
    for key, value in change.proposed.items():
        if value in (None, ""):
            basic.pop(key, None)
        else:
            basic[key] = value
    teacher.basic = basic
    for key in ("name", "gender", "id_type", "id_number", "birth_date"):
        if key in change.proposed and change.proposed[key]:
            setattr(teacher, key, change.proposed[key])
    if new_id:
        # The login is the ID number: it follows the change, sessions and password stay.
        for user in db.session.scalars(select(User).where(User.teacher_id == teacher_id)):
            user.username = new_id
    now = utcnow()
    from .history import add_version
    number = add_version(teacher, basic, filled_by_id=change.created_by_id, reviewed_by_id=reviewer_id, now=now)
    teacher.updated_at = now
    change.state, change.version_number = CHANGE_APPLIED, number
    change.decided_by_id, change.decided_at = reviewer_id, now
    db.session.flush()
    return number


def close(teacher_id: int, kind: str = "change", instance_id: int | None = None) -> None:
    change = open_change(teacher_id, kind, instance_id=instance_id)
    if change is not None:
        change.state = CHANGE_WITHDRAWN
