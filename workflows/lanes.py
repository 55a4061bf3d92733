"""Lanes → who may do a task: a declaration, resolved to a candidate unit and role at run time.

A lane name in a diagram maps to a role and a *unit resolver* (a function of the instance's
subject giving the unit whose holders of that role are the candidates). A human task row stores
the result (candidate_org_id, candidate_role), which is what inboxes query.

`LANES` is the declaration shipped with the product (its names cannot be changed at run time).
The province's process administrator adds lanes in an editable table (`lane_mappings`, the page
流程管理 → 泳道与角色): each row picks one of the declared `LANE_ROLES` and `UNITS`, so a row can
only ever combine rules written here. A declared lane is resolved without touching the database;
only a lane name that is not declared is looked up in the table.

`DELEGATES` says which other roles of the same unit may act for a candidate role: the school's
information administrator may fill in for a teacher.

Not here: who may *see* what (the access policy of views); this only answers "may act on a task".
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

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


def subject_province(subject: Subject) -> int:
    """The province the subject (teacher's school, or subject unit) belongs to: the top of its chain."""
    start = subject.teacher_org_id if subject.teacher_org_id is not None else subject.org_id
    if start is None:
        raise UnknownLane(None)
    node = org_chain(start)
    while node.parent is not None:
        node = node.parent
    return node.id


@dataclass(frozen=True)
class Unit:
    key: str
    label: str
    resolve: Callable[[Subject], int]


# The units a lane may point at, relative to the instance's subject (choices of the lane table).
UNITS: dict[str, Unit] = {unit.key: unit for unit in (
    Unit("teacher_school", "教师所在学校", teacher_school),
    Unit("reviewing_authority", "学校的审核单位（最近的上级教育行政部门；省属学校为本校）", reviewing_authority_of_school),
    Unit("subject_org", "流程主体单位（按单位运行的流程）", subject_org),
    Unit("province", "主体所在的省级单位", subject_province),
)}
# Roles that work tasks (accounts/policy.py "task.work"), with their labels.
LANE_ROLES: dict[str, str] = {ROLE_TEACHER: "教师本人（学校信息管理员可代办）", ROLE_INFO_ADMIN: "信息管理员"}


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


def _unit_key(resolver) -> str | None:
    return next((u.key for u in UNITS.values() if u.resolve is resolver), None)


def table_lanes() -> dict[str, Lane]:
    """The lanes added in the editable table (name → Lane)."""
    from models import LaneMapping
    rows = db.session.execute(select(LaneMapping.lane, LaneMapping.role, LaneMapping.unit,
                                     LaneMapping.description)).all()
    return {r.lane: Lane(r.lane, r.role, UNITS[r.unit].resolve, r.description or "") for r in rows
            if r.unit in UNITS and r.role in LANE_ROLES}


def known_lane_names() -> set[str]:
    """Lane names that map to a role: declared ones and the table's (what validation warns about)."""
    try:
        return set(LANES) | set(table_lanes())
    except (OperationalError, ProgrammingError):  # a database not yet migrated: the declaration alone
        return set(LANES)


def lane(name: str | None, task_key: str | None = None) -> Lane:
    found = LANES.get(name or "")
    if found is None and name:
        from models import LaneMapping
        row = db.session.execute(select(LaneMapping.role, LaneMapping.unit, LaneMapping.description)
                                 .where(LaneMapping.lane == name)).first()
        if row is not None and row.unit in UNITS and row.role in LANE_ROLES:
            found = Lane(name, row.role, UNITS[row.unit].resolve, row.description or "")
    if found is None:
        raise UnknownLane(name, task_key)
    return found


# ----------------------------------------------------------------------------- editing the table

def save_lane_mapping(name: str, role: str, unit: str, description: str | None, user) -> "LaneMapping":
    """Add or change a lane of the table. Raises ValueError (message for the user). Flushes."""
    from audit import record
    from models import LaneMapping, utcnow
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValueError("请填写泳道名称（不超过 100 个字）")
    if name in LANES:
        raise ValueError(f"泳道“{name}”是系统内置的，不能修改")
    if role not in LANE_ROLES:
        raise ValueError("请选择办理角色")
    if unit not in UNITS:
        raise ValueError("请选择办理单位")
    description = (description or "").strip()[:200] or None
    row = db.session.scalars(select(LaneMapping).where(LaneMapping.lane == name)).first()
    before = {"role": row.role, "unit": row.unit, "description": row.description} if row else None
    if row is None:
        row = LaneMapping(lane=name)
        db.session.add(row)
    row.role, row.unit, row.description = role, unit, description
    row.updated_by_id, row.updated_at = getattr(user, "id", None), utcnow()
    db.session.flush()
    record("process.lane_saved", object_type="lane_mapping", object_id=name, before=before,
           after={"role": role, "unit": unit, "description": description}, user=user)
    return row


def delete_lane_mapping(name: str, user) -> bool:
    from audit import record
    from models import LaneMapping
    row = db.session.scalars(select(LaneMapping).where(LaneMapping.lane == name)).first()
    if row is None:
        return False
    record("process.lane_deleted", object_type="lane_mapping", object_id=name,
           before={"role": row.role, "unit": row.unit, "description": row.description}, user=user)
    db.session.delete(row)
    db.session.flush()
    return True


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


# ----------------------------------------------------------------------------- transfers and exchange/rotation
# The other school of a move is not the teacher's school: it is read from the teacher's pending
# transfer (records/transfers.py) or rotation (records/rotation.py) row, written before the flow starts.

def _pending_row(model_name: str, subject: Subject):
    import models
    model = getattr(models, model_name)
    if subject.teacher_id is None:
        raise UnknownLane(None)
    row = db.session.scalars(select(model).where(model.teacher_id == subject.teacher_id, model.state == "pending")
                             .order_by(model.id.desc()).limit(1)).first()
    if row is None:
        raise UnknownLane(None)
    return row


def _authority_of(org_id: int) -> int:
    from orgs.authority import reviewing_authority
    return reviewing_authority(org_chain(org_id)).id


def transfer_receiving_school(subject: Subject) -> int:
    return _pending_row("Transfer", subject).to_org_id


def transfer_receiving_authority(subject: Subject) -> int:
    return _authority_of(transfer_receiving_school(subject))


def transfer_sending_school(subject: Subject) -> int:
    return _pending_row("Transfer", subject).from_org_id


def transfer_sending_authority(subject: Subject) -> int:
    return _authority_of(transfer_sending_school(subject))


def rotation_host_authority(subject: Subject) -> int:
    return _authority_of(_pending_row("Rotation", subject).host_org_id)


LANES.update({lane.name: lane for lane in (
    Lane("调入学校信息管理员", ROLE_INFO_ADMIN, transfer_receiving_school, "调动的调入学校的信息管理员"),
    Lane("调入审核单位信息管理员", ROLE_INFO_ADMIN, transfer_receiving_authority, "调入学校的审核单位的信息管理员"),
    Lane("调出学校信息管理员", ROLE_INFO_ADMIN, transfer_sending_school, "调动的调出学校（教师原所在学校）的信息管理员"),
    Lane("调出审核单位信息管理员", ROLE_INFO_ADMIN, transfer_sending_authority, "调出学校的审核单位的信息管理员"),
    Lane("交流学校审核单位信息管理员", ROLE_INFO_ADMIN, rotation_host_authority,
         "交流轮岗接收学校的审核单位的信息管理员"),
)})
