"""timer_sweep: the scheduler's sweep of due timers, with 100,000 instances waiting vs 1,000.

product: `scheduler.tick.sweep_timers` on a SQLite file (WAL, synchronous=NORMAL) holding 100,000
waiting monthly-report instances (timers months away) and 100 due ones (their reminder past):
the sweep claims each due instance through the index on next_due_at, restores it, fires the
timer, runs the reminder action (notifications to the unit's information administrators), saves
it under the revision check and commits, until nothing is due.
floor: the same sweep, same diagram, same 100 due instances, with 1,000 instances waiting.

The ratio shows that the cost follows the due work, not the waiting work. Waiting instances are
real ones: one is started through the engine, and its row (state, next due time) is copied in SQL
to make the rest. Each sample gets 100 fresh due instances; samples of the two databases alternate.
"""
from __future__ import annotations

import datetime as dt
import gc
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from .registry import Result, measure

DUE = 100
SAMPLES = 5
CST = dt.timezone(dt.timedelta(hours=8))
STARTED = dt.datetime(2026, 11, 1, 9, 0, tzinfo=CST)     # due ones: November's report, reminder Nov 23 00:00
SWEEP_AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=CST)


class World:
    def __init__(self, tmp: Path, waiting: int):
        from sqlalchemy import insert, select

        import workflows
        from app import create_app
        from models import Base, Org, ProcessInstance, User, db

        self.app = create_app({"DATABASE_URL": f"sqlite:///{tmp / f'sweep_{waiting}.db'}", "TESTING": True})
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.db = db
        Base.metadata.create_all(db.engine)
        province = Org(code="460000", name="海南省", kind="province", path="/460000/", depth=0)
        db.session.add(province)
        db.session.flush()
        self.units = []
        for i in range(20):
            code = f"4690{i:02d}"
            unit = Org(code=code, name=f"第{i}县教育局", kind="county", parent_id=province.id,
                       path=f"/460000/{code}/", depth=1)
            db.session.add(unit)
            db.session.flush()
            db.session.add(User(username=f"{code}_info", display_name=f"{code}信息管理员", role="info_admin",
                                org_id=unit.id, password_hash="x", must_change_password=False))
            self.units.append(unit.id)
        db.session.commit()
        diagram = Path(__file__).resolve().parent.parent / "bpmn" / "monthly_report.bpmn"
        workflows.run_in_transaction(workflows.deploy_bytes, diagram.read_bytes(), filename=diagram.name)
        # One real waiting instance (January's report: its timers are weeks after the sweep), copied in SQL.
        with workflows.frozen_clock(STARTED):
            [template] = workflows.run_in_transaction(workflows.start_instances, "monthly_report", [
                {"subject_org_id": self.units[0], "data": {"period": "2027-01"}}])
        pi = ProcessInstance.__table__
        row = db.session.execute(select(pi).where(pi.c.id == template)).one()._asdict()
        row.pop("id")
        batch = [dict(row, subject_org_id=self.units[i % len(self.units)]) for i in range(1000)]
        for _ in range(waiting // 1000):
            db.session.execute(insert(pi), batch)
        db.session.commit()
        self.waiting = waiting

    def add_due(self) -> None:
        import workflows
        with workflows.frozen_clock(STARTED):
            workflows.run_in_transaction(workflows.start_instances, "monthly_report", [
                {"subject_org_id": self.units[i % len(self.units)], "data": {"period": "2026-11"}}
                for i in range(DUE)])

    def sweep(self) -> float:
        import workflows
        from scheduler.tick import TickResult, sweep_timers
        self.ctx.push()
        try:
            result = TickResult(SWEEP_AT)
            gc.collect()
            start = time.perf_counter()
            with workflows.frozen_clock(SWEEP_AT):
                sweep_timers(SWEEP_AT.astimezone(dt.timezone.utc), result)
            elapsed = time.perf_counter() - start
        finally:
            self.ctx.pop()
        fired = [line for line in result.lines if "月报到期提醒" in line]
        if len(fired) != DUE or result.errors:
            raise RuntimeError(f"sweep fired {len(fired)} of {DUE} ({result.errors[:1]})")
        return elapsed

    def close(self) -> None:
        self.db.session.remove()
        self.db.engine.dispose()
        self.ctx.pop()


@measure("timer_sweep")
def timer_sweep() -> Result:
    tmp = Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    try:
        big = World(tmp, 100_000)
        big.ctx.pop()
        small = World(tmp, 1_000)
        small.ctx.pop()
        product, floor = [], []
        for i in range(SAMPLES + 1):
            for world, out in ((big, product), (small, floor)):
                world.ctx.push()
                world.add_due()
                world.ctx.pop()
                elapsed = world.sweep()
                if i:  # the first round warms caches (spec restore, compiled scripts)
                    out.append(elapsed)
        for world in (big, small):
            world.ctx.push()
            world.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Result(statistics.median(product) * 1000, statistics.median(floor) * 1000, "ms",
                  note=f"median of {SAMPLES} sweeps of {DUE} due instances; 100,000 vs 1,000 waiting; SQLite WAL")
