"""Read-optimised facts of effective records: what statistics and training credits read.

Statistics count effective records only (reviewed data: 谁审核谁负责); the pipeline of records not yet
effective is the progress dashboard's job (records/progress.py). Three derived tables:

- `teacher_facts`: one narrow row per effective record: its school and one coded value per
  dimension of `DIMENSIONS` (gender, birth month, ethnicity, political status, highest education
  level, professional-title level, staff type, staff category, 人员状态, school type);
- `unit_counts`: for EVERY unit of the tree, how many effective records of its subtree have each
  value of each dimension (plus a "total"), so a unit's statistics are one indexed read of a few
  hundred rows, whatever its size, instead of a GROUP BY over its teachers;
- `credit_entries` of source "training": the hours of reviewed 国内培训 rows (records/credits.py).

They are refreshed incrementally from record versions: every change of an effective record (a review,
an addition, a change request, a transfer, a rotation status change, a departure) writes a new
RecordVersion, so `refresh()` re-derives the teachers with versions newer than a watermark, compares
each with its stored fact and applies the difference to the counts of every unit above its old and
new school. Refreshing a teacher twice changes nothing (the difference is then zero), so the
watermark only moves past versions older than two minutes: a version written by a transaction that
committed late (PostgreSQL hands out ids before commit) is still picked up. Refreshes are serialised
(a row lock on PostgreSQL, the writer lock on SQLite). A change of the org tree (a unit moved) is
detected by a signature of every unit's path and rebuilds the counts.

`rebuild()` (also `flask --app app stats rebuild`) derives everything again from scratch.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import String, cast, delete, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from models import Org, RecordItem, RecordVersion, Teacher, db, utcnow, write_intent
from models.mobility import CreditEntry, StatsState, TeacherFact, UnitCount
from models.teachers import STATE_EFFECTIVE

from .code_tables import table
from .fields import HIGHER, VOCATIONAL, school_group

SETTLE = dt.timedelta(minutes=2)    # versions younger than this are looked at again on the next refresh
CHUNK = 2000
TOTAL = "total"
WATERMARK, TREE = "facts.version_watermark", "facts.tree_signature"


# ----------------------------------------------------------------------------- the dimensions

@dataclass(frozen=True)
class Dimension:
    key: str            # the unit_counts.dim and teacher_facts column
    label: str
    names: dict         # value → display name (values not listed show as themselves)
    order: tuple = ()   # display order of values (others after, by count)


def _names(table_name: str) -> dict:
    return dict(table(table_name).choices)


EDUCATION_LEVELS = {"graduate": "研究生", "bachelor": "大学本科", "college": "大学专科",
                    "secondary": "中专、高中及以下", "": "未填写"}
TITLE_LEVELS = {"full": "正高级", "deputy": "副高级", "middle": "中级", "junior": "初级", "ungraded": "未定级",
                "none": "无", "": "未填写"}
STAFF_TYPES = {"payroll": "在编", "agency": "非在编-人事代理", "dispatch": "非在编-劳务派遣", "other": "非在编-其他",
               "": "未填写"}

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("gender", "性别", _names("性别"), ("1", "2")),
    Dimension("birth", "出生年月", {}),   # shown as age bands (records/statistics.py)
    Dimension("ethnicity", "民族", _names("民族")),
    Dimension("political", "政治面貌", _names("政治面貌")),
    Dimension("education", "最高学历", EDUCATION_LEVELS, tuple(EDUCATION_LEVELS)),
    Dimension("title", "专业技术职务", TITLE_LEVELS, tuple(TITLE_LEVELS)),
    Dimension("staff_type", "编制与用工", STAFF_TYPES, tuple(STAFF_TYPES)),
    Dimension("staff_category", "教职工类别", _names("教职工类别")),
    Dimension("personnel_status", "人员状态", _names("人员状态")),
    Dimension("school_type", "学校类型", {"11": "幼儿园", "21": "小学", "31": "普通初中", "34": "普通高中",
                                         "36": "中等职业学校", "41": "普通高校", "51": "特殊教育学校"}),
)
DIMENSION_KEYS = tuple(d.key for d in DIMENSIONS)
# teacher_facts column of each dimension ("birth" is the month of birth_date)
_COLUMN = {d.key: d.key for d in DIMENSIONS} | {"birth": "birth_date"}


def _education_level(rows: list[dict]) -> str:
    codes = sorted(int(c) for c in (str(r.get("education") or "") for r in rows) if c.isdigit() and c != "0")
    if not codes:
        return ""
    best = codes[0]
    return "graduate" if best < 20 else "bachelor" if best < 30 else "college" if best < 40 else "secondary"


_TITLE_K12 = {"1": "full", "2": "deputy", "3": "middle", "4": "junior", "5": "junior", "9": "ungraded", "0": "none"}
_TITLE_TWO_DIGIT = {"11": "full", "21": "full", "12": "deputy", "22": "deputy", "13": "middle", "23": "middle",
                    "14": "junior", "15": "junior", "24": "junior", "25": "junior", "9": "ungraded", "0": "none"}


def _title_level(rows: list[dict], school_type: str | None) -> str:
    if not rows:
        return ""
    latest = max(rows, key=lambda r: (str(r.get("start") or ""), str(r.get("end") or "9999")))
    code = str(latest.get("title") or "")
    mapping = _TITLE_TWO_DIGIT if school_group(school_type) in (VOCATIONAL, HIGHER) else _TITLE_K12
    return mapping.get(code, "")


def _staff_type(basic: dict) -> str:
    if basic.get("on_payroll") == "1":
        return "payroll"
    if basic.get("on_payroll") == "0":
        return {"1": "agency", "2": "dispatch"}.get(basic.get("employment_form"), "other")
    return ""


def _first(value) -> str:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return str(value or "").split(",")[0].split("、")[0][:20]


def derive(teacher_row, items: dict[str, list[dict]], school_type: str | None) -> dict:
    """The fact columns of one teacher (a row with org_id, gender, birth_date, basic)."""
    basic = teacher_row.basic or {}
    return {
        "org_id": teacher_row.org_id,
        "gender": str(teacher_row.gender or "")[:20],
        "birth_date": str(teacher_row.birth_date or "")[:10],
        "ethnicity": _first(basic.get("ethnicity")),
        "political": _first(basic.get("political_status")),
        "education": _education_level(items.get("study", [])),
        "title": _title_level(items.get("title", []), school_type),
        "staff_type": _staff_type(basic),
        "staff_category": _first(basic.get("staff_category")),
        "personnel_status": _first(basic.get("personnel_status")),
        "school_type": str(school_type or "")[:20],
    }


def dimension_values(fact: dict) -> list[tuple[str, str]]:
    """(dim, value) pairs a fact counts under, "total" included."""
    out = [(TOTAL, "")]
    for d in DIMENSIONS:
        value = fact[_COLUMN[d.key]]
        out.append((d.key, value[:7] if d.key == "birth" else value))
    return out


# ----------------------------------------------------------------------------- the org tree

class Tree:
    """Every unit's id, path and school type; the ids of the units above (and including) a school."""

    def __init__(self):
        rows = db.session.execute(select(Org.id, Org.code, Org.path, Org.school_type).order_by(Org.id)).all()
        self.by_code = {r.code: r.id for r in rows}
        self.path = {r.id: r.path for r in rows}
        self.school_type = {r.id: r.school_type for r in rows}
        self._above: dict[int, list[int]] = {}

    def above(self, org_id: int) -> list[int]:
        found = self._above.get(org_id)
        if found is None:
            codes = self.path.get(org_id, "").strip("/").split("/")
            found = self._above[org_id] = [self.by_code[c] for c in codes if c in self.by_code]
        return found


def tree_signature() -> str:
    """A digest of every unit's id and path (one aggregate query: no rows travel to Python)."""
    O = Org.__table__
    pair = cast(O.c.id, String) + ":" + O.c.path
    if db.session.get_bind().dialect.name == "postgresql":
        separator = postgresql.aggregate_order_by(literal("\n", String), O.c.id)   # string_agg(pair, '\n' ORDER BY id)
        text = db.session.scalar(select(func.string_agg(pair, separator)))
    else:
        ordered = select(pair.label("pair")).order_by(O.c.id).subquery()
        text = db.session.scalar(select(func.group_concat(ordered.c.pair, "\n")))
    return hashlib.sha256((text or "").encode()).hexdigest()[:40]


# ----------------------------------------------------------------------------- refreshing

def _upsert(table_obj, index_elements, set_):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table_obj)
    return stmt, (lambda s: s.on_conflict_do_update(index_elements=index_elements,
                                                    set_={k: v(s.excluded) for k, v in set_.items()}))


def _state(key: str, *, lock: bool = False) -> str | None:
    q = select(StatsState.value).where(StatsState.key == key)
    if lock and db.session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    return db.session.scalar(q)


def _set_state(key: str, value: str) -> None:
    stmt, conflict = _upsert(StatsState.__table__, ["key"], {"value": lambda e: e.value,
                                                               "updated_at": lambda e: e.updated_at})
    db.session.execute(conflict(stmt.values(key=key, value=value, updated_at=utcnow())))


def _lock() -> None:
    """Serialise refreshes: make sure the watermark row exists, then lock it (PostgreSQL)."""
    if _state(WATERMARK) is None:
        stmt = (postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite).insert(
            StatsState.__table__).values(key=WATERMARK, value="0", updated_at=utcnow()).on_conflict_do_nothing()
        db.session.execute(stmt)
    _state(WATERMARK, lock=True)


def _facts_of(teacher_ids: list[int], tree: Tree) -> dict[int, dict]:
    """Freshly derived facts of the effective teachers among `teacher_ids` (others: absent)."""
    T, RI = Teacher.__table__, RecordItem.__table__
    out = {}
    for i in range(0, len(teacher_ids), CHUNK):
        chunk = teacher_ids[i:i + CHUNK]
        teachers = db.session.execute(select(T.c.id, T.c.org_id, T.c.gender, T.c.birth_date, T.c.basic)
                                      .where(T.c.id.in_(chunk), T.c.state == STATE_EFFECTIVE)).all()
        if not teachers:
            continue
        items: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for tid, set_key, values in db.session.execute(
                select(RI.c.teacher_id, RI.c.set_key, RI.c["values"])
                .where(RI.c.teacher_id.in_([t.id for t in teachers]), RI.c.set_key.in_(("study", "title")))):
            items[tid][set_key].append(values or {})
        for t in teachers:
            out[t.id] = derive(t, items.get(t.id, {}), tree.school_type.get(t.org_id))
    return out


def _stored_facts(teacher_ids: list[int]) -> dict[int, dict]:
    F = TeacherFact.__table__
    cols = ["org_id", *sorted(set(_COLUMN.values()))]
    out = {}
    for i in range(0, len(teacher_ids), CHUNK):
        for row in db.session.execute(select(F.c.teacher_id, *[F.c[c] for c in cols])
                                      .where(F.c.teacher_id.in_(teacher_ids[i:i + CHUNK]))):
            out[row.teacher_id] = {c: getattr(row, c) for c in cols}
    return out


def _apply(teacher_ids: list[int], versions: dict[int, int], tree: Tree, now: dt.datetime) -> None:
    new, old = _facts_of(teacher_ids, tree), _stored_facts(teacher_ids)
    # The difference per school first, then carried to every unit above (and including) the school.
    at_school: dict[tuple[int, str, str], int] = defaultdict(int)
    for tid in teacher_ids:
        before, after = old.get(tid), new.get(tid)
        if before == after:
            continue
        for fact, sign in ((before, -1), (after, 1)):
            if fact is not None:
                school = fact["org_id"]
                for dim, value in dimension_values(fact):
                    at_school[(school, dim, value)] += sign
    delta: dict[tuple[int, str, str], int] = defaultdict(int)
    for (school, dim, value), n in at_school.items():
        if n:
            for unit in tree.above(school):
                delta[(unit, dim, value)] += n
    changes = [{"org_id": u, "dim": d, "value": v, "n": n} for (u, d, v), n in delta.items() if n]
    if changes:
        stmt, conflict = _upsert(UnitCount.__table__, ["org_id", "dim", "value"],
                                 {"n": lambda e: UnitCount.__table__.c.n + e.n})
        db.session.execute(conflict(stmt), changes)
        db.session.execute(delete(UnitCount).where(UnitCount.n <= 0))
    F = TeacherFact.__table__
    gone = [tid for tid in teacher_ids if tid not in new]
    for i in range(0, len(gone), CHUNK):
        db.session.execute(delete(F).where(F.c.teacher_id.in_(gone[i:i + CHUNK])))
    rows = [{"teacher_id": tid, "version_id": versions.get(tid, 0), "refreshed_at": now, **fact}
            for tid, fact in new.items() if old.get(tid) != fact or tid not in old]
    if rows:
        stmt, conflict = _upsert(F, ["teacher_id"], {c: (lambda name: (lambda e: e[name]))(c)
                                                     for c in rows[0] if c != "teacher_id"})
        for i in range(0, len(rows), CHUNK):
            db.session.execute(conflict(stmt), rows[i:i + CHUNK])
    from .credits import sync_training
    sync_training(teacher_ids, set(new), now)


def refresh(*, now: dt.datetime | None = None) -> int:
    """Bring the facts, the unit counts and the training credits up to date; returns how many
    teachers were looked at. Commits (its own writer transaction)."""
    session = db.session()
    if session.in_transaction():
        session.commit()
    now = now or utcnow()
    with write_intent():
        try:
            count = _refresh(now)
            session.commit()
            return count
        except BaseException:
            session.rollback()
            raise


def _refresh(now: dt.datetime) -> int:
    _lock()
    signature = tree_signature()
    if _state(TREE) != signature:
        if _state(TREE) is not None:
            return _rebuild(Tree(), now, signature)
        _set_state(TREE, signature)
    watermark = int(_state(WATERMARK) or 0)
    RV = RecordVersion.__table__
    rows = db.session.execute(select(RV.c.id, RV.c.teacher_id, RV.c.created_at).where(RV.c.id > watermark)
                              .order_by(RV.c.id)).all()
    if not rows:
        return 0
    latest: dict[int, int] = {}
    for r in rows:
        latest[r.teacher_id] = r.id
    _apply(sorted(latest), latest, Tree(), now)
    settled = [r.id for r in rows if _aware(r.created_at) < now - SETTLE]
    # Advance only past versions older than SETTLE, and never past a younger one.
    young = [r.id for r in rows if _aware(r.created_at) >= now - SETTLE]
    limit = min(young) - 1 if young else None
    new_mark = max([i for i in settled if limit is None or i <= limit], default=watermark)
    if new_mark != watermark:
        _set_state(WATERMARK, str(new_mark))
    return len(latest)


def _aware(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def _rebuild(tree: Tree, now: dt.datetime, signature: str | None = None) -> int:
    db.session.execute(delete(UnitCount))
    db.session.execute(delete(TeacherFact))
    db.session.execute(delete(CreditEntry).where(CreditEntry.source == "training"))
    RV = RecordVersion.__table__
    latest = dict(db.session.execute(select(RV.c.teacher_id, func.max(RV.c.id)).group_by(RV.c.teacher_id)).all())
    ids = sorted(latest)
    for i in range(0, len(ids), CHUNK * 5):
        _apply(ids[i:i + CHUNK * 5], latest, tree, now)
    mark = db.session.scalar(select(func.max(RV.c.id)).where(RV.c.created_at < now - SETTLE)) or 0
    _set_state(WATERMARK, str(mark))
    _set_state(TREE, signature or tree_signature())
    return len(ids)


def rebuild(*, now: dt.datetime | None = None) -> int:
    """Derive every fact, count and training credit again (after a bulk load, or to check). Commits."""
    session = db.session()
    if session.in_transaction():
        session.commit()
    now = now or utcnow()
    with write_intent():
        try:
            _lock()
            count = _rebuild(Tree(), now)
            session.commit()
            return count
        except BaseException:
            session.rollback()
            raise


# ----------------------------------------------------------------------------- reading

def unit_counts(org_id: int) -> dict[str, dict[str, int]]:
    """{dim: {value: n}} of a unit's subtree ("total": {"": n})."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for dim, value, n in db.session.execute(select(UnitCount.dim, UnitCount.value, UnitCount.n)
                                            .where(UnitCount.org_id == org_id)):
        out[dim][value] = n
    return out


def totals_of(org_ids: list[int], dims=(TOTAL,)) -> dict[int, dict[str, dict[str, int]]]:
    """{org id: {dim: {value: n}}} for several units and a few dimensions (the by-unit table)."""
    out: dict[int, dict] = {i: defaultdict(dict) for i in org_ids}
    if not org_ids:
        return out
    for org_id, dim, value, n in db.session.execute(
            select(UnitCount.org_id, UnitCount.dim, UnitCount.value, UnitCount.n)
            .where(UnitCount.org_id.in_(org_ids), UnitCount.dim.in_(list(dims)))):
        out[org_id][dim][value] = n
    return out
