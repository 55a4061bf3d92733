"""Loaders that only ever return records inside the user's scope (views never query by id themselves),
and who may fill a record now (`edit_refusal`)."""
from __future__ import annotations

from sqlalchemy import select

from models import HumanTask, Org, Teacher, db
from models.teachers import STATE_DRAFT, STATE_RETURNED
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER

EDITABLE_STATES = (STATE_DRAFT, STATE_RETURNED)


def teacher_in_scope(user, teacher_id: int) -> Teacher | None:
    teacher = db.session.get(Teacher, teacher_id)
    if teacher is None:
        return None
    if user.role == ROLE_TEACHER:
        return teacher if user.teacher_id == teacher.id else None
    return teacher if user.org.contains(teacher.org) else None


def locked_teacher(teacher_id: int) -> Teacher | None:
    """The teacher's row read fresh and locked until the transaction ends. Every flow that starts on a
    record (change, addition, departure, transfer, rotation) checks "no other flow holds it" after this,
    so two people starting flows on one record at once are served one after the other and the second is
    told which flow holds it. PostgreSQL: SELECT … FOR UPDATE; SQLite: call inside `write_intent()`,
    whose BEGIN IMMEDIATE already serialises writers."""
    db.session.execute(select(Teacher.id).where(Teacher.id == teacher_id).with_for_update())
    return db.session.get(Teacher, teacher_id, populate_existing=True)


def teachers_in_scope_query(user):
    """A select of the teachers the user may see (their unit subtree; a teacher only themself)."""
    q = select(Teacher)
    if user.role == ROLE_TEACHER:
        return q.where(Teacher.id == user.teacher_id)
    return q.join(Org, Teacher.org_id == Org.id).where(Org.path.like(user.org.path + "%"))


def may_work(user, task) -> bool:
    """The task is the user's to act on: their unit and role, or (teachers) their own record."""
    if user.role == ROLE_TEACHER:
        return task.candidate_role == ROLE_TEACHER and task.subject_teacher_id == user.teacher_id
    return task.candidate_org_id == user.org_id and task.candidate_role == user.role


def task_for_user(user, task_id: int) -> HumanTask | None:
    """A ready task the user may act on (see `may_work`)."""
    task = db.session.get(HumanTask, task_id)
    return task if task is not None and may_work(user, task) else None


def edit_refusal(user, teacher: Teacher) -> str | None:
    """Why `user` may not fill this record now, or None."""
    if user.role == ROLE_TEACHER:
        if user.teacher_id != teacher.id:
            return "只能填写本人的档案"
    elif not (user.role == ROLE_INFO_ADMIN and user.org_id == teacher.org_id):
        return "只有本人或所在学校的信息管理员可以填写档案"
    from .collection import stopped_collection, stopped_message
    stop = stopped_collection(teacher)
    if stop is not None:
        return stopped_message(user, teacher, stop)
    if teacher.state not in EDITABLE_STATES:
        return f"记录当前为“{teacher.state_label}”，审核中或已生效的记录不能在此修改"
    return None


def can_edit(user, teacher: Teacher) -> bool:
    return edit_refusal(user, teacher) is None
