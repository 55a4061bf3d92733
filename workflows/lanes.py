"""Lanes → who may do a task: a declaration, resolved to a candidate unit and role at run time.

A lane name in a diagram maps to a role and a *unit resolver* (a function of the instance's
subject giving the unit whose holders of that role are the candidates). A human task row stores
the result (candidate_org_id, candidate_role), which is what inboxes query.

`DELEGATES` says which other roles of the same unit may act for a candidate role: the school's
information administrator may fill in for a teacher.

Not here: who may *see* what (the access policy of views); this only answers "may act on a task".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import text

from models import Org, db

from .errors import NotAllowed, UnknownLane

ROLE_TEACHER = "teacher"
ROLE_INFO_ADMIN = "info_admin"


@dataclass(frozen=True)
class Subject:
    """What lane resolvers may look at: the instance's subject."""

    teacher_id: int | None
    teacher_org_id: int | None  # the teacher's school (Teacher.org_id)
    org_id: int | None          # subject org of an org-level process


# ----------------------------------------------------------------------------- the org chain

_ORG_COLUMNS = [c.name for c in Org.__table__.columns]
_CHAIN = text(
    "WITH RECURSIVE chain AS ("
    f" SELECT {', '.join('o.' + c for c in _ORG_COLUMNS)}, 0 AS lvl FROM orgs o WHERE o.id = :org_id"
    " UNION ALL"
    f" SELECT {', '.join('o.' + c for c in _ORG_COLUMNS)}, chain.lvl + 1 FROM orgs o JOIN chain ON o.id = chain.parent_id"
    f") SELECT {', '.join(_ORG_COLUMNS)} FROM chain ORDER BY lvl"
).columns(*[Org.__table__.c[name] for name in _ORG_COLUMNS])  # typed results (booleans on SQLite)


class OrgNode:
    """A read-only Org with its chain of parents, loaded in one query (the ORM's joined load of the
    parent chain costs more than the rest of a review). It has Org's columns and Org's own
    properties and methods, so rules written against Org (orgs/authority.py) work unchanged."""

    __slots__ = (*_ORG_COLUMNS, "parent")
    is_bureau = Org.__dict__["is_bureau"]
    kind_label = Org.__dict__["kind_label"]
    school_type_label = Org.__dict__["school_type_label"]
    contains = Org.__dict__["contains"]
    __repr__ = Org.__dict__["__repr__"]


def org_chain(org_id: int) -> OrgNode:
    rows = db.session.execute(_CHAIN, {"org_id": org_id}).all()
    if not rows:
        raise ValueError(f"单位 {org_id} 不存在")
    node = None
    for row in reversed(rows):  # from the top down
        child = OrgNode()
        for name, value in zip(_ORG_COLUMNS, row):
            setattr(child, name, value)
        child.parent = node
        node = child
    return node


# ----------------------------------------------------------------------------- resolvers

def teacher_school(subject: Subject) -> int:
    if subject.teacher_org_id is None:
        raise UnknownLane(None)  # not a teacher process; reported with the lane name by resolve()
    return subject.teacher_org_id


def reviewing_authority_of_school(subject: Subject) -> int:
    from orgs.authority import reviewing_authority  # the one place that rule is written
    return reviewing_authority(org_chain(teacher_school(subject))).id


def subject_org(subject: Subject) -> int:
    if subject.org_id is None:
        raise UnknownLane(None)
    return subject.org_id


@dataclass(frozen=True)
class Lane:
    name: str
    role: str
    unit: Callable[[Subject], int]
    description: str


LANES: dict[str, Lane] = {lane.name: lane for lane in (
    Lane("教师", ROLE_TEACHER, teacher_school, "教师本人（学校信息管理员可代为办理）"),
    Lane("学校信息管理员", ROLE_INFO_ADMIN, teacher_school, "教师所在学校的信息管理员"),
    Lane("审核单位信息管理员", ROLE_INFO_ADMIN, reviewing_authority_of_school,
         "学校的审核单位（上级教育行政部门；省属学校为本校）的信息管理员"),
    Lane("单位信息管理员", ROLE_INFO_ADMIN, subject_org, "流程主体单位的信息管理员"),
)}

# candidate role -> other roles of the same unit that may act for it
DELEGATES: dict[str, tuple[str, ...]] = {
    ROLE_TEACHER: (ROLE_INFO_ADMIN,),
}


def known_lane_names() -> set[str]:
    """Lane names that map to a role (what validation warns about)."""
    return set(LANES)


def lane(name: str | None, task_key: str | None = None) -> Lane:
    found = LANES.get(name or "")
    if found is None:
        raise UnknownLane(name, task_key)
    return found


def resolve(name: str | None, subject: Subject, task_key: str | None = None) -> tuple[int, str]:
    """(candidate_org_id, candidate_role) for a task in lane `name`."""
    declared = lane(name, task_key)
    try:
        return declared.unit(subject), declared.role
    except UnknownLane:
        raise UnknownLane(name, task_key) from None


def acting_roles(role: str) -> set[str]:
    """Candidate roles a user with `role` may take from their own unit's queue (for inbox queries)."""
    return {role} | {cand for cand, delegates in DELEGATES.items() if role in delegates}


def may_act(user, *, candidate_org_id: int, candidate_role: str, subject_teacher_id: int | None) -> bool:
    if user is None or not getattr(user, "active", True):
        return False
    if user.org_id != candidate_org_id:
        return False
    if user.role == candidate_role:
        # A teacher acts only on their own record, never on a colleague's.
        return candidate_role != ROLE_TEACHER or (
            subject_teacher_id is not None and user.teacher_id == subject_teacher_id)
    return user.role in DELEGATES.get(candidate_role, ())


def check_may_act(user, **row) -> None:
    if not may_act(user, **row):
        raise NotAllowed()
