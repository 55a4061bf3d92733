"""What a diagram's `remind("task")` and `escalate("task")` do, once the timer that ran them is saved.

remind:   the open task's candidates (the holders of its role in its unit; a teacher's own task: the
          teacher) are told it falls due soon.
escalate: the candidates are told it is overdue, and so are the unit's managers; for a unit's
          own process (a monthly report) the information administrators of the level above too.

The event key is the human task's uuid and the kind, so one activation of a task is reminded and
escalated once, whatever happens to the timer (a returned and resubmitted record is a new task,
reminded again). A monthly report row records when it was reminded and escalated.
"""
from __future__ import annotations

from sqlalchemy import select, update

from models import HumanTask, MonthlyReport, Org, Teacher, User, db
from models.users import ROLE_INFO_ADMIN, ROLE_TEACHER

from .centre import managers_of, notify, users_with_role


def _candidates(task: HumanTask) -> list[User]:
    if task.candidate_role == ROLE_TEACHER:
        return list(db.session.scalars(select(User).where(User.teacher_id == task.subject_teacher_id,
                                                          User.active.is_(True))))
    return users_with_role(task.candidate_org_id, task.candidate_role)


def level_above(org: Org) -> Org | None:
    """The nearest education bureau strictly above `org`."""
    node = org.parent
    while node is not None and not node.is_bureau:
        node = node.parent
    return node


def _fmt(when) -> str:
    from workflows.timers import CHINA
    return when.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if when else "（未设期限）"


def task_deadline_event(kind: str, instance_id: int, task_key: str) -> int:
    from workflows import engine_now
    now = engine_now()
    task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                      HumanTask.task_key == task_key)
                              .order_by(HumanTask.id.desc())).first()
    if task is None:  # done meanwhile: nothing to remind of
        return 0
    unit = db.session.get(Org, task.candidate_org_id)
    report = db.session.scalars(select(MonthlyReport).where(MonthlyReport.instance_id == instance_id)).first()
    due = task.due_at or (report.due_at if report else None)
    if report is not None:
        subject = f"{report.org.name} {report.period[:4]}年{int(report.period[5:])}月"
        link = f"/reports/{report.id}"
    elif task.subject_teacher_id is not None:
        teacher = db.session.get(Teacher, task.subject_teacher_id)
        subject = f"{teacher.name}（{teacher.org.name}）"
        link = f"/tasks/{task.id}"
    else:
        subject, link = unit.name, f"/tasks/{task.id}"
    key = f"task:{task.task_uuid}:{kind}"
    users = _candidates(task)
    if kind == "remind":
        created = notify(key=key, kind="task_reminder", org_id=unit.id, link=link, users=users, now=now,
                         title=f"【即将到期】{task.task_name}：{subject}",
                         body=f"{unit.name}的待办任务“{task.task_name}”（{subject}）将于 {_fmt(due)} 到期，请及时办理。")
        if report is not None:
            db.session.execute(update(MonthlyReport).where(MonthlyReport.id == report.id,
                                                           MonthlyReport.reminded_at.is_(None)).values(reminded_at=now))
        return created
    title = f"【已逾期】{task.task_name}：{subject}"
    body = (f"{unit.name}的待办任务“{task.task_name}”（{subject}）已于 {_fmt(due)} 到期，至今未办理。"
            f"请督促本单位信息管理员尽快办理。")
    created = notify(key=key, kind="task_overdue", org_id=unit.id, link=link, users=users,
                     managers=managers_of(unit.id), title=title, body=body, now=now)
    if report is not None:
        above = level_above(report.org)
        if above is not None:
            created += notify(key=key + ":above", kind="report_overdue_below", org_id=unit.id, link=link, now=now,
                              users=users_with_role(above.id, ROLE_INFO_ADMIN),
                              title=f"【下级逾期】{subject}月报未按期报送",
                              body=f"{unit.name} {report.period} 的月报已于 {_fmt(due)} 到期，尚未报送。")
        db.session.execute(update(MonthlyReport).where(MonthlyReport.id == report.id,
                                                       MonthlyReport.escalated_at.is_(None)).values(escalated_at=now))
    return created
