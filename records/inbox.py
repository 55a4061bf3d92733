"""Inbox queries: read the human-task table only (never a workflow), with filters, sort and paging."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Load

from models import HumanTask, Org, Teacher, User, db
from models.users import ROLE_TEACHER

CHINA = ZoneInfo("Asia/Shanghai")
SORTS = {
    "created": HumanTask.created_at.asc(),
    "-created": HumanTask.created_at.desc(),
    "teacher": Teacher.name.asc(),
    "school": Org.code.asc(),
}


@dataclass
class InboxFilter:
    view: str = "unit"              # "mine" (claimed by me) or "unit" (my unit's queue)
    process: str = ""
    step: str = ""
    school: str = ""                # org code or part of a name
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""                     # teacher name or ID number
    sort: str = "created"
    page: int = 1
    per_page: int = 20


@dataclass
class InboxPage:
    rows: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def _base_conditions(user, flt: InboxFilter) -> list:
    if user.role == ROLE_TEACHER:
        return [HumanTask.candidate_role == ROLE_TEACHER, HumanTask.subject_teacher_id == user.teacher_id]
    conds = [HumanTask.candidate_org_id == user.org_id, HumanTask.candidate_role == user.role]
    if flt.view == "mine":
        conds.append(HumanTask.claimed_by_id == user.id)
    return conds


def _day_start_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=CHINA).astimezone(dt.timezone.utc)


def inbox_page(user, flt: InboxFilter, known_total: int | None = None) -> InboxPage:
    conds = _base_conditions(user, flt)
    if flt.process:
        conds.append(HumanTask.process_key == flt.process)
    if flt.step:
        conds.append(HumanTask.task_key == flt.step)
    if flt.school:
        conds.append((Org.code == flt.school) | Org.name.contains(flt.school))
    if flt.date_from:
        conds.append(HumanTask.created_at >= _day_start_utc(flt.date_from))
    if flt.date_to:
        conds.append(HumanTask.created_at < _day_start_utc(flt.date_to + dt.timedelta(days=1)))
    if flt.q:
        conds.append((Teacher.name.contains(flt.q)) | (Teacher.id_number == flt.q.upper()))
    # The inbox shows names only: no eager loading of each row's org and parent chain (which made
    # the planner join orgs eight times for a 20-row page).
    joined = (select(HumanTask, Teacher, Org, User)
              .options(Load(Teacher).lazyload("*"), Load(Org).lazyload("*"), Load(User).lazyload("*"))
              .outerjoin(Teacher, HumanTask.subject_teacher_id == Teacher.id)
              .outerjoin(Org, Teacher.org_id == Org.id)
              .outerjoin(User, HumanTask.claimed_by_id == User.id)
              .where(and_(*conds)))
    if flt.school or flt.q:
        count_q = (select(func.count()).select_from(HumanTask)
                   .outerjoin(Teacher, HumanTask.subject_teacher_id == Teacher.id)
                   .outerjoin(Org, Teacher.org_id == Org.id).where(and_(*conds)))
    else:  # no condition on the teacher or the school: the queue index alone answers the count
        count_q = select(func.count()).select_from(HumanTask).where(and_(*conds))
    total = known_total if known_total is not None else db.session.scalar(count_q)
    # Past the last page: show the last page rather than an empty one.
    flt.page = max(1, min(flt.page, (total + flt.per_page - 1) // flt.per_page or 1))
    order = SORTS.get(flt.sort, SORTS["created"])
    rows = db.session.execute(joined.order_by(order, HumanTask.id)
                              .limit(flt.per_page).offset((flt.page - 1) * flt.per_page)).all()
    return InboxPage(rows=rows, total=total, page=flt.page, per_page=flt.per_page)


def step_choices(user) -> list[tuple[str, str]]:
    """The (task_key, task_name) pairs present in the user's queue, for the step filter."""
    conds = _base_conditions(user, InboxFilter())
    rows = db.session.execute(select(HumanTask.task_key, HumanTask.task_name).where(and_(*conds)).distinct()).all()
    return sorted({(k, n) for k, n in rows})


def process_choices(user) -> list[str]:
    conds = _base_conditions(user, InboxFilter())
    return sorted(db.session.scalars(select(HumanTask.process_key).where(and_(*conds)).distinct()))


def queue_counts(user) -> dict[str, int]:
    unit = db.session.scalar(select(func.count()).select_from(HumanTask).where(and_(*_base_conditions(user, InboxFilter()))))
    mine = db.session.scalar(select(func.count()).select_from(HumanTask)
                             .where(and_(*_base_conditions(user, InboxFilter(view="mine")))))
    return {"unit": unit or 0, "mine": mine or 0}


def queue_summary(user) -> tuple[dict[str, int], list[tuple[str, str]], list[str]]:
    """(queue_counts, step_choices, process_choices) in one pass over the queue's index instead of three
    (a county's queue holds tens of thousands of tasks; the inbox page needs all three every time)."""
    conds = _base_conditions(user, InboxFilter())
    mine = func.sum(case((HumanTask.claimed_by_id == user.id, 1), else_=0))
    rows = db.session.execute(select(HumanTask.process_key, HumanTask.task_key, HumanTask.task_name, func.count(), mine)
                              .where(and_(*conds))
                              .group_by(HumanTask.process_key, HumanTask.task_key, HumanTask.task_name)).all()
    counts = {"unit": sum(r[3] for r in rows), "mine": sum(r[4] or 0 for r in rows)}
    return counts, sorted({(r[1], r[2]) for r in rows}), sorted({r[0] for r in rows})


def process_names() -> dict[str, str]:
    """Process key → the current version's name, for the process filter."""
    from models import ProcessDefinition
    return dict(db.session.execute(select(ProcessDefinition.process_key, ProcessDefinition.name)
                                   .where(ProcessDefinition.is_current.is_(True))).all())
