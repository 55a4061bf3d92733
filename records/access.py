"""Loaders that only ever return records inside the user's scope (views never query by id themselves)."""
from __future__ import annotations

from sqlalchemy import select

from models import HumanTask, Org, Teacher, db
from models.users import ROLE_TEACHER


def teacher_in_scope(user, teacher_id: int) -> Teacher | None:
    teacher = db.session.get(Teacher, teacher_id)
    if teacher is None:
        return None
    if user.role == ROLE_TEACHER:
        return teacher if user.teacher_id == teacher.id else None
    return teacher if user.org.contains(teacher.org) else None


def teachers_in_scope_query(user):
    """A select of the teachers the user may see (their unit subtree; a teacher only themself)."""
    q = select(Teacher)
    if user.role == ROLE_TEACHER:
        return q.where(Teacher.id == user.teacher_id)
    return q.join(Org, Teacher.org_id == Org.id).where(Org.path.like(user.org.path + "%"))


def task_for_user(user, task_id: int) -> HumanTask | None:
    """A ready task the user may act on: their unit and role, or (teachers) their own record."""
    task = db.session.get(HumanTask, task_id)
    if task is None:
        return None
    if user.role == ROLE_TEACHER:
        ok = task.candidate_role == ROLE_TEACHER and task.subject_teacher_id == user.teacher_id
    else:
        ok = task.candidate_org_id == user.org_id and task.candidate_role == user.role
    return task if ok else None
