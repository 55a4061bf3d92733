"""province_stats: the statistics page's queries for the whole province, 150,000 teachers in 4,000 schools.

product: `records.statistics.subtree_statistics(province)` on a SQLite file (WAL, synchronous=NORMAL),
exactly what the statistics page runs: the facts refresh check (a writer transaction that finds no
new record version), the province's counts of every dimension from the per-unit roll-up, the by-unit
table for the units directly below, and the count of records not yet effective.
floor: a bare SQL GROUP BY of the same counts (total, every dimension, by unit below, not yet
effective) over the same database through sqlite3 directly: one grouped query per figure over
`teacher_facts` joined to the province's subtree, no ORM, no refresh, no Python afterwards. The floor's
figures are checked equal to the product's.

The data: a generated province (24 units under it, 4 of them cities with 4 districts each; 4,000
schools) and 150,000 effective teachers with a study row each and a professional title for half of
them, bulk-inserted with a record version each; the facts and the roll-up are then derived once
(`records.facts.rebuild`, timed and reported as a note). Samples of the two interleave.
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path

from .registry import Result, measure, median_ms, timed

TEACHERS = 150_000
SCHOOLS = 4_000
SAMPLES = 15
CHANGED = 1_000   # record versions written between two page views, for the note
WARMUP = 3
ROOT = "460000"


def _id_number(rng: random.Random, birth: dt.date, seq: int) -> str:
    body = f"460105{birth:%Y%m%d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def _generate(tmp: Path):
    from sqlalchemy import insert

    from app import create_app
    from models import Base, Org, RecordItem, RecordVersion, Teacher, db

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp / 'province.db'}", "TESTING": True})
    ctx = app.app_context()
    ctx.push()
    Base.metadata.create_all(db.engine)
    rng = random.Random(460000)
    O = Org.__table__
    orgs, next_id = [], [1]

    def org(code, name, kind, parent=None, school_type=None):
        row = {"id": next_id[0], "code": code, "name": name, "kind": kind, "parent_id": parent["id"] if parent else None,
               "school_type": school_type, "legal_entity": True, "division": None,
               "path": (parent["path"] if parent else "/") + code + "/", "depth": parent["depth"] + 1 if parent else 0}
        next_id[0] += 1
        orgs.append(row)
        return row

    province = org(ROOT, "省", "province")
    counties = []
    for c in range(4):
        city = org(f"46{c + 1:02d}00", f"市{c + 1}", "city", province)
        counties += [org(f"46{c + 1:02d}{d + 1:02d}", f"区{c + 1}-{d + 1}", "county", city) for d in range(4)]
    counties += [org(f"4690{c + 1:02d}", f"县{c + 1}", "county", province) for c in range(20)]
    types = ("11", "21", "21", "31", "34", "36", "51")
    schools = [org(f"{types[i % 7][:2]}46{i:06d}", f"学校{i}", "school", counties[i % len(counties)], types[i % 7])
               for i in range(SCHOOLS)]
    db.session.execute(insert(O), orgs)

    T, RV, RI = Teacher.__table__, RecordVersion.__table__, RecordItem.__table__
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    ethnic = ("01",) * 8 + ("19", "06")
    political = ("13",) * 5 + ("01", "01", "03")
    chunk = []
    for i in range(TEACHERS):
        birth = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 14_600))
        female = rng.random() < 0.7
        gender = "2" if female else "1"
        number = _id_number(rng, birth, 2 * (i % 500) + (0 if female else 1))
        payroll = rng.random() < 0.85
        basic = {"name": f"教师{i}", "gender": gender, "id_type": "1", "id_number": f"{number[:-4]}{i:04d}"[:18],
                 "birth_date": birth.isoformat(), "nationality": "156", "ethnicity": rng.choice(ethnic),
                 "political_status": rng.choice(political), "staff_category": rng.choice(("11", "11", "11", "12")),
                 "on_payroll": "1" if payroll else "0", "personnel_status": "100"}
        if not payroll:
            basic["employment_form"] = rng.choice(("1", "2", "9"))
        chunk.append({"id": i + 1, "org_id": schools[i % SCHOOLS]["id"], "teaching_point_id": None, "name": basic["name"],
                      "gender": gender, "birth_date": basic["birth_date"], "id_type": "1",
                      "id_number": f"X{i:09d}", "personal_number": None, "state": "effective", "return_reason": None,
                      "basic": basic, "filled_by_id": None, "filled_at": now, "submitted_at": now,
                      "effective_at": now, "created_at": now, "updated_at": now})
        if len(chunk) == 10_000:
            _flush(db, T, RV, RI, chunk, rng, now)
            chunk = []
    if chunk:
        _flush(db, T, RV, RI, chunk, rng, now)
    db.session.commit()
    return app, ctx, db.session.get(Org, province["id"])


def _flush(db, T, RV, RI, rows, rng, now):
    from sqlalchemy import insert
    db.session.execute(insert(T), rows)
    db.session.execute(insert(RV), [{"teacher_id": r["id"], "number": 1, "basic": r["basic"], "filled_by_id": None,
                                     "reviewed_by_id": None, "created_at": now} for r in rows])
    items = [{"teacher_id": r["id"], "set_key": "study", "position": 1, "entered_at": now, "updated_at": now,
              "values": {"education": rng.choice(("14", "21", "21", "21", "31", "41"))}} for r in rows]
    items += [{"teacher_id": r["id"], "set_key": "title", "position": 1, "entered_at": now, "updated_at": now,
               "values": {"title": rng.choice(("1", "2", "3", "3", "4", "9")), "start": "2015-09"}}
              for r in rows if r["id"] % 2]
    db.session.execute(insert(RI), items)


def _floor(path: str, root_path: str):
    """The same figures by bare GROUP BYs through sqlite3."""
    conn = sqlite3.connect(path)
    subtree = "FROM teacher_facts f JOIN orgs o ON o.id = f.org_id WHERE o.path LIKE ?"
    like = (root_path + "%",)
    columns = {"gender": "f.gender", "birth": "substr(f.birth_date, 1, 7)", "ethnicity": "f.ethnicity",
               "political": "f.political", "education": "f.education", "title": "f.title",
               "staff_type": "f.staff_type", "staff_category": "f.staff_category",
               "personnel_status": "f.personnel_status", "school_type": "f.school_type"}
    child = f"substr(o.path, 1, {len(root_path)} + instr(substr(o.path, {len(root_path) + 1}), '/'))"

    def run():
        out = {"total": conn.execute(f"SELECT count(*) {subtree}", like).fetchone()[0]}
        for key, expr in columns.items():
            out[key] = dict(conn.execute(f"SELECT {expr}, count(*) {subtree} GROUP BY 1", like).fetchall())
        out["units"] = dict(conn.execute(f"SELECT {child}, count(*) {subtree} GROUP BY 1", like).fetchall())
        out["not_effective"] = conn.execute(
            "SELECT count(*) FROM teachers t JOIN orgs o ON o.id = t.org_id WHERE o.path LIKE ? "
            "AND t.state NOT IN ('effective', 'left')", like).fetchone()[0]
        return out

    return run, conn


@measure("province_stats")
def province_stats() -> Result:
    import time

    from records import facts, statistics

    tmp = Path(tempfile.mkdtemp(prefix="bench_stats_"))
    try:
        started = time.perf_counter()
        app, ctx, province = _generate(tmp)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        facts.rebuild(now=dt.datetime.now(dt.timezone.utc))
        derived = time.perf_counter() - started
        floor_run, conn = _floor(str(tmp / "province.db"), province.path)
        try:
            product_run = lambda: statistics.subtree_statistics(province)  # noqa: E731
            stats, figures = product_run(), floor_run()
            _check(stats, figures)
            for _ in range(WARMUP):
                product_run()
                floor_run()
            gc.collect()
            product, floor = [], []
            for _ in range(SAMPLES):
                product.append(timed(product_run))
                floor.append(timed(floor_run))
            changed = _refresh_after_changes(province)
        finally:
            conn.close()
            from models import db
            db.session.remove()
            db.engine.dispose()
            ctx.pop()
        note = (f"{TEACHERS:,} teachers in {SCHOOLS:,} schools (generated in {generated:.1f} s); facts and roll-up "
                f"derived once in {derived:.1f} s; the page's refresh after {CHANGED:,} new record versions "
                f"{changed:.0f} ms; product and floor figures checked equal; goal product ≤ 500 ms")
        return Result(median_ms(product), median_ms(floor), "ms", note)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check(stats, figures) -> None:
    """The product's figures are the floor's (labels aside): a fast wrong answer would not count."""
    from records import facts
    assert stats.total == figures["total"] == TEACHERS, (stats.total, figures["total"])
    counts = facts.unit_counts(stats.unit.id)
    for key in ("gender", "ethnicity", "political", "education", "title", "staff_type", "staff_category",
                "personnel_status", "school_type", "birth"):
        assert counts.get(key, {}) == figures[key], key
    assert sorted(u.total for u in stats.units) == sorted(figures["units"].values())
    assert stats.not_effective == figures["not_effective"]
    json.dumps(figures)


def _refresh_after_changes(province) -> float:
    """What keeping the roll-up costs: CHANGED teachers get a new version (another ethnicity), then the
    statistics page's refresh applies them; returns its time in ms (checked against the floor)."""
    import time

    from sqlalchemy import insert, select, update

    from models import RecordVersion, Teacher, db
    from records import facts, statistics
    T, RV = Teacher.__table__, RecordVersion.__table__
    rng = random.Random(7)
    ids = rng.sample(range(1, TEACHERS + 1), CHANGED)
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    rows = db.session.execute(select(T.c.id, T.c.basic).where(T.c.id.in_(ids))).all()
    for tid, basic in rows:
        basic = {**basic, "ethnicity": "06"}
        db.session.execute(update(T).where(T.c.id == tid).values(basic=basic))
        db.session.execute(insert(RV).values(teacher_id=tid, number=2, basic=basic, created_at=now))
    db.session.commit()
    started = time.perf_counter()
    facts.refresh()
    took = (time.perf_counter() - started) * 1000
    assert facts.unit_counts(province.id)["ethnicity"].get("06", 0) >= CHANGED
    assert statistics.subtree_statistics(province).total == TEACHERS
    return took
