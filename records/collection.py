"""A teacher's collection flow stopped (终止) by a process administrator before her record took effect.

Termination is final for the instance (workflows.admin), but the teacher still needs a record: she
and her school are told when, why and by whom it was stopped, and the information administrator of
her school starts a new collection flow. The record keeps what was typed and goes back to 未报送, so
it is filled and submitted again through the current diagram.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

import audit
import workflows
from workflows.admin import STATUS_COMPLETED, STATUS_TERMINATED, terminate
from models import ProcessInstance, Teacher, User, db, write_intent
from models.teachers import STATE_DRAFT, STATE_EFFECTIVE, STATE_LEFT
from models.users import ROLE_INFO_ADMIN

from .access import locked_teacher

PROCESS = "teacher_collection"
ENDED = (STATUS_TERMINATED, STATUS_COMPLETED)


@dataclass
class StoppedCollection:
    when: dt.datetime | None
    reason: str


def stopped_collection(teacher: Teacher) -> StoppedCollection | None:
    """The stop of the teacher's collection flow when it left her record without one, else None."""
    if teacher.state in (STATE_EFFECTIVE, STATE_LEFT):
        return None
    statuses = db.session.execute(select(ProcessInstance.id, ProcessInstance.status).where(
        ProcessInstance.subject_teacher_id == teacher.id, ProcessInstance.process_key == PROCESS)
        .order_by(ProcessInstance.id.desc())).all()
    if not statuses or statuses[0].status != STATUS_TERMINATED or any(s.status not in ENDED for s in statuses):
        return None
    stop = next((e for e in reversed(workflows.instance_events(statuses[0].id)) if e.action == "terminated"), None)
    if stop is None:
        return StoppedCollection(None, "")
    return StoppedCollection(stop.created_at, stop.detail.get("reason", ""))


def terminate_and_tell(instance_id: int, user, reason: str) -> None:
    """The process administrator's 终止 of any instance; for a teacher's collection flow she and her school
    are told in the same transaction."""
    terminate(instance_id, user, reason)
    tell_stopped(instance_id, reason)


def tell_stopped(instance_id: int, reason: str) -> int:
    """When a teacher's collection flow is terminated: tell her and her school's information
    administrators what happened and what to do. Part of the caller's transaction; 0 for other flows."""
    from notifications.centre import notify, users_with_role
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or instance.process_key != PROCESS or instance.subject_teacher_id is None:
        return 0
    teacher = db.session.get(Teacher, instance.subject_teacher_id)
    why = f"（原因：{reason.strip()}）" if reason and reason.strip() else ""
    own = db.session.scalars(select(User.id).where(User.teacher_id == teacher.id)).all()
    told = notify(key=f"collection_stopped:{instance_id}", kind="collection_stopped", users=own, org_id=teacher.org_id,
                  link="/me", title="你的信息采集流程已被终止",
                  body=f"流程管理员终止了你的信息采集流程{why}，暂时不能填写或报送。请联系本校信息管理员"
                       f"（{school_admin_names(teacher)}）重新发起采集。")
    told += notify(key=f"collection_stopped:{instance_id}", kind="collection_stopped", org_id=teacher.org_id,
                   users=users_with_role(teacher.org_id, ROLE_INFO_ADMIN), link=f"/teachers/{teacher.id}",
                   title=f"{teacher.name}的信息采集流程已被终止",
                   body=f"流程管理员终止了{teacher.name}的信息采集流程{why}。如需继续采集，请在其档案页点“重新发起采集”。")
    return told


def school_admin_names(teacher: Teacher) -> str:
    names = db.session.scalars(select(User.display_name).where(
        User.org_id == teacher.org_id, User.role == ROLE_INFO_ADMIN, User.active.is_(True)).order_by(User.id)).all()
    return "、".join(names) or "本校信息管理员"


def stopped_message(user, teacher: Teacher, stop: StoppedCollection) -> str:
    """What the teacher or her school is told about the stop, and what to do."""
    from workflows.timers import CHINA
    reason = f"（原因：{stop.reason}）" if stop.reason else ""
    when = f"于 {stop.when.astimezone(CHINA):%Y-%m-%d %H:%M} " if stop.when else ""
    if may_restart(user, teacher):
        return f"该教师的信息采集流程已{when}被流程管理员终止{reason}：请点“重新发起采集”，之后教师可继续填写"
    if user.teacher_id != teacher.id:   # a bureau or a query user: what happened and who acts
        return (f"该教师的信息采集流程已{when}被流程管理员终止{reason}，记录停在当时的状态；"
                f"由{teacher.org.name}的信息管理员重新发起采集")
    return (f"你的信息采集流程已{when}被流程管理员终止{reason}，暂时不能填写或报送。"
            f"请联系本校信息管理员（{school_admin_names(teacher)}）重新发起采集")


def may_restart(actor, teacher: Teacher) -> bool:
    return actor.role == ROLE_INFO_ADMIN and actor.org_id == teacher.org_id


def restart_refusal(actor, teacher: Teacher) -> str | None:
    if not may_restart(actor, teacher):
        return "只有教师所在学校的信息管理员可以重新发起采集"
    if stopped_collection(teacher) is None:
        return "该教师的信息采集流程没有被终止，无需重新发起"
    return None


def restart(actor, teacher: Teacher) -> tuple[bool, str]:
    """A new collection flow on the record, which goes back to 未报送 with its data; one transaction."""
    with write_intent():
        teacher = locked_teacher(teacher.id)
        why = restart_refusal(actor, teacher)   # again under the lock: two clicks start one flow
        if why:
            db.session.rollback()
            return False, why
        before = teacher.state
        teacher.state = STATE_DRAFT
        workflows.start_instance(PROCESS, subject_teacher_id=teacher.id, user=actor)
        audit.record("collection_restarted", object_type="teacher", object_id=teacher.id, user=actor,
                     before={"state": before}, after={"state": STATE_DRAFT})
        db.session.commit()
    return True, "已重新发起信息采集，教师可以继续填写并报送"
