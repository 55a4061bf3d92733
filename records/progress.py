"""The progress dashboard: how far each unit below the user's unit is with collection, and 督促.

For each unit directly below (a school's user sees their own school), over its subtree's records:
expected (records), entered, submitted, reviewed (passed the school: waiting for the authority or
effective), effective, returned, completion rate = effective ÷ expected (the monthly report's
definitions, reports/figures.py), the unit's monthly report state for the current month when it is a
reporting unit, and when it was last urged. Laggards first: lowest completion rate, then most records.

督促 (urge): an information administrator sends a reminder to a unit strictly below their own; it goes
to that unit's information administrators (in the app and by e-mail where they gave an address), is
audited, and is refused a second time the same day (Beijing date; one `unit_urges` row per unit and day).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

import audit
from models import MonthlyReport, Org, Teacher, User, db, write_intent
from models.mobility import UnitUrge
from models.teachers import STATE_DRAFT, STATE_EFFECTIVE, STATE_RETURNED, STATE_SCHOOL_APPROVED, STATE_SUBMITTED
from models.users import ROLE_INFO_ADMIN

COUNTS = ("expected", "entered", "submitted", "reviewed", "effective", "returned")
LABELS = {"expected": "应采集", "entered": "已录入", "submitted": "已报送", "reviewed": "学校已审核",
          "effective": "已生效", "returned": "已退回"}


@dataclass
class UnitProgress:
    org: Org
    expected: int = 0
    entered: int = 0
    submitted: int = 0
    reviewed: int = 0
    effective: int = 0
    returned: int = 0
    report: MonthlyReport | None = None
    urged_on: str | None = None

    @property
    def rate(self) -> float:
        return self.effective / self.expected if self.expected else 0.0

    def add(self, counts: dict) -> None:
        for key in COUNTS:
            setattr(self, key, getattr(self, key) + counts.get(key, 0))


def _school_counts(unit: Org) -> dict[int, dict]:
    """{school id: counts} for the schools of the unit's subtree, in one grouped query."""
    t = Teacher.__table__
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    entered = (t.c.filled_at.is_not(None)) | (t.c.state != STATE_DRAFT)
    submitted = (t.c.submitted_at.is_not(None)) | t.c.state.in_((STATE_SUBMITTED, STATE_SCHOOL_APPROVED,
                                                                  STATE_EFFECTIVE, STATE_RETURNED))
    rows = db.session.execute(
        select(t.c.org_id, func.count(), one(entered), one(submitted),
               one(t.c.state.in_((STATE_SCHOOL_APPROVED, STATE_EFFECTIVE))), one(t.c.state == STATE_EFFECTIVE),
               one(t.c.state == STATE_RETURNED))
        .join(Org, Org.id == t.c.org_id).where(Org.path.like(unit.path + "%"), t.c.state != "left")
        .group_by(t.c.org_id)).all()
    return {r[0]: dict(zip(COUNTS, (int(v or 0) for v in r[1:]))) for r in rows}


def units_below(unit: Org) -> list[Org]:
    if unit.kind == "school":
        return [unit]
    return list(db.session.scalars(select(Org).where(Org.parent_id == unit.id, Org.kind != "teaching_point")
                                   .order_by(Org.code)))


def dashboard(unit: Org, *, period: str | None = None, today: str | None = None) -> list[UnitProgress]:
    from workflows import engine_now
    from workflows.timers import CHINA
    now = engine_now().astimezone(CHINA)
    period = period or now.strftime("%Y-%m")
    today = today or now.strftime("%Y-%m-%d")
    units = units_below(unit)
    rows = [UnitProgress(o) for o in units]
    paths = sorted(((o.path, r) for o, r in zip(units, rows)), key=lambda p: -len(p[0]))
    school_paths = dict(db.session.execute(select(Org.id, Org.path).where(Org.path.like(unit.path + "%"))).all())
    for school_id, counts in _school_counts(unit).items():
        path = school_paths.get(school_id, "")
        target = next((r for p, r in paths if path.startswith(p)), None)
        if target is not None:
            target.add(counts)
    ids = [o.id for o in units]
    reports = {r.org_id: r for r in db.session.scalars(select(MonthlyReport).where(
        MonthlyReport.org_id.in_(ids), MonthlyReport.period == period, MonthlyReport.kind == "unit"))} if ids else {}
    urged = dict(db.session.execute(select(UnitUrge.org_id, func.max(UnitUrge.day))
                                    .where(UnitUrge.org_id.in_(ids)).group_by(UnitUrge.org_id)).all()) if ids else {}
    for r in rows:
        r.report, r.urged_on = reports.get(r.org.id), urged.get(r.org.id)
    # Laggards first; a unit with nobody to collect has no rate and goes last, not first as "0 %".
    rows.sort(key=lambda r: (r.expected == 0, r.rate, -r.expected, r.org.code))
    return rows


def progress_xlsx(unit: Org, rows: list[UnitProgress]) -> bytes:
    """The dashboard as a sheet: one line per unit below, then the 合计 line of the whole subtree."""
    import io

    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "采集进度"
    ws.append(["单位", "单位代码", *LABELS.values(), "完成率", "本月月报", "最近督促"])

    def rate(r: UnitProgress) -> str:
        return f"{100 * r.rate:.1f}%" if r.expected else "无需采集"

    for r in rows:
        ws.append([r.org.name, r.org.code, *[getattr(r, k) for k in COUNTS], rate(r),
                   r.report.status_label if r.report else "", r.urged_on or ""])
    total = totals(rows, unit)
    ws.append(["合计", unit.code, *[getattr(total, k) for k in COUNTS], rate(total), "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def totals(rows: list[UnitProgress], unit: Org) -> UnitProgress:
    out = UnitProgress(unit)
    for r in rows:
        out.add({k: getattr(r, k) for k in COUNTS})
    return out


# ----------------------------------------------------------------------------- 督促

class UrgeRefused(Exception):
    """The reminder was not sent; the message is for the user."""


def urge_refusal(actor, target: Org | None) -> str | None:
    if actor.role != ROLE_INFO_ADMIN:
        return "督促由信息管理员发出"
    if target is None or target.id == actor.org_id or not actor.org.contains(target):
        return "只能督促本单位的下级单位"
    return None


def urge(actor, target: Org, note: str = "") -> int:
    """Send the reminder; returns the number of recipients. Raises UrgeRefused. Commits."""
    from notifications import notify, users_with_role
    from workflows import engine_now
    from workflows.timers import CHINA
    refusal = urge_refusal(actor, target)
    if refusal:
        raise UrgeRefused(refusal)
    note = " ".join((note or "").split())[:200]
    now = engine_now()
    day = now.astimezone(CHINA).strftime("%Y-%m-%d")
    with write_intent():
        earlier = db.session.scalars(select(UnitUrge).where(UnitUrge.org_id == target.id, UnitUrge.day == day)).first()
        if earlier is not None:
            db.session.rollback()
            who = db.session.get(User, earlier.sent_by_id)
            raise UrgeRefused(f"今天已督促过{target.name}（{earlier.sent_at.astimezone(CHINA):%H:%M}，"
                              f"{who.display_name if who else ''}），每个单位每天只督促一次")
        recipients = users_with_role(target.id, ROLE_INFO_ADMIN)
        if not recipients:
            db.session.rollback()
            raise UrgeRefused(f"{target.name}没有可接收督促的信息管理员账号")
        mine = totals(dashboard(target), target)
        row = UnitUrge(org_id=target.id, day=day, sent_by_id=actor.id, sent_at=now, recipients=len(recipients))
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise UrgeRefused(f"今天已督促过{target.name}，每个单位每天只督促一次") from None
        body = (f"{actor.org.name}提醒：{target.name}教师信息采集完成率为 {100 * mine.rate:.1f}%"
                f"（应采集 {mine.expected}，已生效 {mine.effective}，已退回待修改 {mine.returned}）。请尽快组织填报和审核。"
                + (f"附言：{note}" if note else ""))
        notify(key=f"urge:{target.id}:{day}", kind="progress_urge", org_id=target.id, users=recipients, now=now,
               link="/progress", title=f"【督促】{actor.org.name}督促{target.name}加快教师信息采集", body=body)
        audit.record("progress_urged", object_type="org", object_id=target.code, user=actor,
                     after={"day": day, "recipients": len(recipients), "rate": round(mine.rate, 4), "note": note})
        db.session.commit()
    return len(recipients)
