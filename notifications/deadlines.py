"""What a diagram's `remind("task")` and `escalate("task")` do, once the timer that ran them is saved.

remind:   the open task's candidates (the holders of its role in its unit; a teacher's own task: the
          teacher) are told it falls due soon.
escalate: the candidates are told it is overdue, and so are the unit's managers; for a unit's
          own process (a monthly report) the information administrators of the level above too.

The event key is the human task's uuid and the kind, so one activation of a task is reminded and
escalated once, whatever happens to the timer (a returned and resubmitted record is a new task,
reminded again). A monthly report row records when it was reminded and escalated.

This runs once per fired timer inside the scheduler's sweep, so it reads with a few Core queries
rather than loading ORM objects.
"""
from __future__ import annotations

from sqlalchemy import select, update

from models import HumanTask, MonthlyReport, Org, Teacher, User, db
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER

from .centre import managers_of, notify, users_with_role

HT = HumanTask.__table__
MR = MonthlyReport.__table__
O = Org.__table__
T = Teacher.__table__
U = User.__table__


def _candidates(task) -> list[int]:
    if task.candidate_role == ROLE_TEACHER:
        return list(db.session.execute(select(U.c.id).where(U.c.teacher_id == task.subject_teacher_id,
                                                            U.c.active.is_(True))).scalars())
    return users_with_role(task.candidate_org_id, task.candidate_role)


def _bureau_above(org_path: str) -> int | None:
    """The nearest education bureau strictly above the unit with materialised path `org_path`."""
    codes = [c for c in org_path.strip("/").split("/")][:-1]
    if not codes:
        return None
    rows = dict(db.session.execute(select(O.c.code, O.c.id).where(O.c.code.in_(codes),
                                                                  O.c.kind.in_(("province", "city", "county")))).all())
    for code in reversed(codes):
        if code in rows:
            return rows[code]
    return None


def _fmt(when) -> str:
    """A deadline as pages show it: the end of the 25th reads "2026-12-25 当日", not the 26th's 00:00."""
    from views.deadlines import deadline_text
    return deadline_text(when) if when else "（未设期限）"


def _aware(when):
    import datetime as dt
    return when.replace(tzinfo=dt.timezone.utc) if when is not None and when.tzinfo is None else when


def task_deadline_event(kind: str, instance_id: int, task_key: str) -> int:
    from workflows import engine_now
    now = engine_now()
    task = db.session.execute(
        select(HT.c.id, HT.c.task_uuid, HT.c.task_name, HT.c.candidate_org_id, HT.c.candidate_role,
               HT.c.subject_teacher_id, HT.c.due_at, O.c.name.label("unit_name"))
        .select_from(HT.join(O, O.c.id == HT.c.candidate_org_id))
        .where(HT.c.instance_id == instance_id, HT.c.task_key == task_key).order_by(HT.c.id.desc()).limit(1)).first()
    if task is None:  # done meanwhile: nothing to remind of
        return 0
    report = db.session.execute(
        select(MR.c.id, MR.c.period, MR.c.due_at, O.c.name, O.c.path)
        .select_from(MR.join(O, O.c.id == MR.c.org_id)).where(MR.c.instance_id == instance_id)).first()
    due = _aware(task.due_at) or (_aware(report.due_at) if report else None)
    if report is not None:
        subject = f"{report.name} {report.period[:4]}年{int(report.period[5:])}月"
        link = f"/reports/{report.id}"
    elif task.subject_teacher_id is not None:
        teacher = db.session.execute(select(T.c.name, O.c.name.label("school")).select_from(
            T.join(O, O.c.id == T.c.org_id)).where(T.c.id == task.subject_teacher_id)).first()
        subject = f"{teacher.name}（{teacher.school}）"
        link = f"/tasks/{task.id}"
    else:
        subject, link = task.unit_name, f"/tasks/{task.id}"
    key = f"task:{task.task_uuid}:{kind}"
    unit_id, unit_name = task.candidate_org_id, task.unit_name
    users = _candidates(task)
    if kind == "remind":
        created = notify(key=key, kind="task_reminder", org_id=unit_id, link=link, users=users, now=now,
                         title=f"【即将到期】{task.task_name}：{subject}",
                         body=f"{unit_name}的待办任务“{task.task_name}”（{subject}）的期限是 {_fmt(due)}，即将到期，请及时办理。")
        if report is not None:
            db.session.execute(update(MR).where(MR.c.id == report.id, MR.c.reminded_at.is_(None)).values(reminded_at=now))
        return created
    title = f"【已逾期】{task.task_name}：{subject}"
    body = (f"{unit_name}的待办任务“{task.task_name}”（{subject}）的期限是 {_fmt(due)}，至今未办理。"
            f"请督促本单位信息管理员尽快办理。")
    created = notify(key=key, kind="task_overdue", org_id=unit_id, link=link, users=users,
                     managers=managers_of(unit_id), title=title, body=body, now=now)
    if report is not None:
        above = _bureau_above(report.path)
        if above is not None:
            created += notify(key=key + ":above", kind="report_overdue_below", org_id=unit_id, link=link, now=now,
                              users=users_with_role(above, ROLE_INFO_ADMIN),
                              title=f"【下级逾期】{subject}月报未按期报送",
                              body=f"{unit_name} {report.period} 的月报期限是 {_fmt(due)}，尚未报送。")
        db.session.execute(update(MR).where(MR.c.id == report.id, MR.c.escalated_at.is_(None)).values(escalated_at=now))
    return created
