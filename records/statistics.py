"""Statistics of a unit's subtree: effective records counted by unit and by every dimension of
records/facts.py (age as bands of the month of birth), as tables the page charts and the xlsx exports.

The counts are read from the per-unit roll-up (`unit_counts`), refreshed first: a page costs a few
indexed reads whatever the unit's size (bench: province_stats). No identity data appears here; the
same tables serve every role, query users included.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models import Org, Teacher, db
from models.teachers import STATE_EFFECTIVE

from . import facts

AGE_BANDS = (("≤24", 0, 24), ("25-29", 25, 29), ("30-34", 30, 34), ("35-39", 35, 39), ("40-44", 40, 44),
             ("45-49", 45, 49), ("50-54", 50, 54), ("55-59", 55, 59), ("≥60", 60, 200))
UNKNOWN = "未填写"
# The by-unit table's columns: (dim, value, header).
UNIT_COLUMNS = (("gender", "1", "男"), ("gender", "2", "女"), ("staff_type", "payroll", "在编"),
                ("staff_category", "11", "专任教师"))


@dataclass
class Table:
    key: str
    title: str
    rows: list[tuple[str, int]]              # (label, count), display order
    total: int = 0

    def share(self, n: int) -> str:
        return f"{100 * n / self.total:.1f}%" if self.total else "0.0%"


@dataclass
class UnitRow:
    org: Org
    total: int
    columns: list[int]


@dataclass
class Statistics:
    unit: Org
    total: int
    tables: list[Table] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    not_effective: int = 0                   # records in scope not yet effective (not counted)
    today: dt.date | None = None
    total_columns: list[int] = field(default_factory=list)   # UNIT_COLUMNS over the whole subtree

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def age_at(birth_month: str, today: dt.date) -> int | None:
    try:
        year, month = int(birth_month[:4]), int(birth_month[5:7])
    except (TypeError, ValueError):
        return None
    return today.year - year - (1 if today.month < month else 0)


def age_table(births: dict[str, int], today: dt.date, total: int) -> Table:
    counts = {label: 0 for label, _, _ in AGE_BANDS}
    unknown = 0
    for month, n in births.items():
        age = age_at(month, today)
        band = next((label for label, low, high in AGE_BANDS if age is not None and low <= age <= high), None)
        if band is None:
            unknown += n
        else:
            counts[band] += n
    rows = list(counts.items()) + ([(UNKNOWN, unknown)] if unknown else [])
    return Table("age", "年龄段", rows, total)


def dimension_table(dim: facts.Dimension, values: dict[str, int], total: int) -> Table:
    ordered = [v for v in dim.order if v in values] + sorted((v for v in values if v not in dim.order),
                                                             key=lambda v: (-values[v], v))
    rows = [(dim.names.get(v, v) if v else UNKNOWN, values[v]) for v in ordered]
    return Table(dim.key, dim.label, rows, total)


def children_of(unit: Org) -> list[Org]:
    return list(db.session.scalars(select(Org).where(Org.parent_id == unit.id, Org.kind != "teaching_point")
                                   .order_by(Org.code)))


def subtree_statistics(unit: Org, *, today: dt.date | None = None, refresh: bool = True) -> Statistics:
    """Everything the statistics page shows for `unit` (the caller checked it is in the user's scope)."""
    from workflows import engine_now
    from workflows.timers import CHINA
    if refresh:
        facts.refresh()
    today = today or engine_now().astimezone(CHINA).date()
    counts = facts.unit_counts(unit.id)
    total = counts.get(facts.TOTAL, {}).get("", 0)
    stats = Statistics(unit, total, today=today)
    # the 合计 of the by-unit table: the whole subtree's own counts (a bureau's own teachers included)
    stats.total_columns = [counts.get(d, {}).get(v, 0) for d, v, _ in UNIT_COLUMNS]
    for dim in facts.DIMENSIONS:
        if dim.key == "birth":
            stats.tables.append(age_table(counts.get("birth", {}), today, total))
        else:
            stats.tables.append(dimension_table(dim, counts.get(dim.key, {}), total))
    children = children_of(unit)
    by_child = facts.totals_of([c.id for c in children], dims=(facts.TOTAL, *{d for d, _, _ in UNIT_COLUMNS}))
    for child in children:
        c = by_child.get(child.id, {})
        stats.units.append(UnitRow(child, c.get(facts.TOTAL, {}).get("", 0),
                                   [c.get(d, {}).get(v, 0) for d, v, _ in UNIT_COLUMNS]))
    stats.not_effective = not_effective_count(unit)
    return stats


def not_effective_count(unit: Org) -> int:
    return db.session.scalar(select(func.count()).select_from(Teacher).join(Org, Org.id == Teacher.org_id)
                             .where(Org.path.like(unit.path + "%"), Teacher.state != STATE_EFFECTIVE,
                                    Teacher.state != "left")) or 0


def chart_data(stats: Statistics) -> dict:
    """What the page's ECharts draw: one series per table, and the by-unit bars."""
    return {"tables": [{"key": t.key, "title": t.title, "labels": [r[0] for r in t.rows],
                        "values": [r[1] for r in t.rows]} for t in stats.tables],
            "units": {"labels": [u.org.name for u in stats.units], "values": [u.total for u in stats.units]}}


def as_dict(stats: Statistics) -> dict:
    """The same figures for the JSON API."""
    return {"unit": {"code": stats.unit.code, "name": stats.unit.name}, "total": stats.total,
            "not_effective": stats.not_effective, "as_of": stats.today.isoformat() if stats.today else None,
            "by_unit": [{"code": u.org.code, "name": u.org.name, "total": u.total,
                         **{h: n for (_, _, h), n in zip(UNIT_COLUMNS, u.columns)}} for u in stats.units],
            "tables": {t.key: {"title": t.title, "rows": [{"label": label, "count": n} for label, n in t.rows]}
                       for t in stats.tables}}


def xlsx(stats: Statistics) -> bytes:
    """Every table of the page in one workbook: 按单位 first, then one sheet per dimension."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    wb = Workbook()
    ws = wb.active
    ws.title = "按单位"
    bold = Font(bold=True)
    ws.append([f"{stats.unit.name}及下级 教师统计（已生效记录）", f"截至 {stats.today}"])
    ws.append(["单位", "单位代码", "教师数", *[h for _, _, h in UNIT_COLUMNS]])
    for cell in ws[2]:
        cell.font = bold
    for u in stats.units:
        ws.append([u.org.name, u.org.code, u.total, *u.columns])
    ws.append(["合计", stats.unit.code, stats.total, *stats.total_columns])
    ws.column_dimensions["A"].width = 36
    for t in stats.tables:
        sheet = wb.create_sheet(t.title[:31])
        sheet.append([t.title, "人数", "占比"])
        for cell in sheet[1]:
            cell.font = bold
        for label, n in t.rows:
            sheet.append([label, n, t.share(n)])
        sheet.append(["合计", t.total, "100.0%" if t.total else "0.0%"])
        sheet.column_dimensions["A"].width = 30
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
