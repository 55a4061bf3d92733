"""Races (SQLite and, with TEST_DATABASE_URL, PostgreSQL): eight reviewers complete one task at once —
exactly one wins, the seven others are told who handled it; two schools import the same teachers at
the same moment — one import wins, the other imports nothing and is told which school holds them."""
from __future__ import annotations

import io
import threading
import time

from sqlalchemy import func, select

import workflows
from models import HumanTask, Org, ProcessInstance, RecordVersion, Teacher, User, WorkflowEvent, db
from tests.conftest import DATA
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures (engine_app on SQLite and PostgreSQL)


def _at_school_review(w):
    workflows.deploy_shipped()
    instance = workflows.run_in_transaction(workflows.start_instance, "teacher_collection",
                                            subject_teacher_id=w.teacher.id, user=w.school_admin)
    fill = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    workflows.run_in_transaction(workflows.complete_task, fill.id, w.teacher_user, {})
    review = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    db.session.commit()
    return instance.id, review.id


def _reviewers(w, n):
    users = [w.school_admin, w.school_admin2]
    for i in range(n - len(users)):
        u = User(username=f"school_admin_x{i}", display_name=f"学校管理员{i}", role="info_admin",
                 org_id=w.school.id, must_change_password=False, password_hash="x")
        db.session.add(u)
        users.append(u)
    db.session.commit()
    return users


def test_eight_reviewers_complete_one_task(world):
    w = world
    instance_id, review_id = _at_school_review(w)
    users = _reviewers(w, 8)
    go = threading.Barrier(8)

    def act(i):
        go.wait(10)
        decision = {"decision": "approve"} if i % 2 == 0 else {"decision": "return", "reason": f"第{i}人退回"}
        return workflows.run_in_transaction(workflows.complete_task, review_id, users[i], decision)

    results = run_threads(8, act)  # noqa: F405
    winners = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    assert len(winners) == 1, results
    winner = users[winners[0]]
    for kind, value in results:
        if kind == "error":
            assert isinstance(value, workflows.TaskAlreadyHandled), repr(value)
            assert winner.display_name in str(value)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance_id).revision == 3  # start, fill, one review
    events = db.session.scalar(select(func.count()).select_from(WorkflowEvent).where(
        WorkflowEvent.instance_id == instance_id, WorkflowEvent.task_key == "school_review"))
    assert events == 1
    assert db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.instance_id == instance_id)) == 1
    assert db.session.scalar(select(func.count()).select_from(RecordVersion)) == 0


def _school_sheet() -> bytes:
    """The sample school's basic-information sheet (no 学校标识码 column): any primary school may upload it."""
    from openpyxl import Workbook
    from records.reading import read_sheets
    rows = read_sheets((DATA / "school_2146000001_basic_info.xlsx").read_bytes())[0][1]
    wb = Workbook()
    for row in rows:
        wb.active.append(["" if c is None else c for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_two_schools_import_the_same_teachers_at_once(world):
    from records import service
    w = world
    workflows.deploy_shipped()
    db.session.commit()
    data = _school_sheet()
    admins = [w.school_admin, w.other_admin]
    assert w.other_admin.org.kind == "school" and w.other_admin.org.school_type == w.school.school_type
    go = threading.Barrier(2)

    def act(i):
        go.wait(10)
        outcome = service.import_basic_sheet(db.session.merge(admins[i]), data, f"school{i}.xlsx")
        db.session.remove()
        return outcome

    results = run_threads(2, act)  # noqa: F405
    outcomes = [value for kind, value in results]
    assert all(kind == "ok" for kind, _ in results), results  # no exception escapes: the loser is told
    oks = [o for o in outcomes if o.ok]
    assert len(oks) == 1, [o.message for o in outcomes]
    loser = next(o for o in outcomes if not o.ok)
    winner_school = admins[outcomes.index(oks[0])].org
    assert "未导入任何数据" in loser.message
    assert loser.problems and all(winner_school.name in p.message for p in loser.problems
                                  if p.key == "id_number"), [p.message for p in loser.problems][:3]
    db.session.expire_all()
    world_ids = {w.teacher.id, w.province_school_teacher.id}
    orgs = {t.org_id for t in db.session.scalars(select(Teacher)) if t.id not in world_ids}
    assert orgs == {winner_school.id}  # nothing of the losing import was kept


def test_concurrent_flows_on_one_record(any_db_app):
    """Two change requests and a departure filed for one effective record at the same moment (two tabs,
    two officials): one is accepted, the others are refused naming the flow that holds the record, and
    exactly one flow runs. Before the record's row was locked, PostgreSQL accepted all three."""
    from models.changes import ChangeRequest
    from orgs.importer import import_orgs_file
    from records import changes, departures
    from tests.journey_helpers import setup_province, user
    from tests.test_changes import effective_teacher
    import_orgs_file(DATA / "hainan_orgs.csv")
    setup_province(any_db_app)
    _, teacher = effective_teacher()
    teacher_id = db.session.get(Teacher, teacher.id).id
    db.session.commit()
    go = threading.Barrier(3)

    def act(i):
        admin = user("2146000001_info")
        record = db.session.get(Teacher, teacher_id)
        db.session.commit()  # start each attempt in a fresh transaction, as a request would
        go.wait(10)
        if i < 2:
            return changes.propose(admin, record, {"health": str(i + 2)}, "", None)
        return departures.propose(admin, record, "retired", "2026-11-30", "")

    results = run_threads(3, act)  # noqa: F405
    assert all(kind == "ok" for kind, _ in results), results  # nobody sees an error page
    outcomes = [value for _, value in results]
    accepted = [o for o in outcomes if o.ok]
    assert len(accepted) == 1, [o.message for o in outcomes]
    for refused in (o for o in outcomes if not o.ok):
        assert "教师信息变更" in refused.message or "离岗" in refused.message, refused.message
    db.session.expire_all()
    pending = db.session.scalars(select(ChangeRequest).where(ChangeRequest.teacher_id == teacher_id,
                                                             ChangeRequest.state == "pending")).all()
    assert len(pending) == 1
    running = db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.subject_teacher_id == teacher_id, ProcessInstance.status == "running"))
    assert running == 1


def test_schools_uploading_at_the_same_moment_all_get_their_import(any_db_app):
    """Three schools post their basic-information sheets to 批量导入 at once, through the real pages. On
    SQLite a second writer used to fail with 'database is locked' (a 500), and a background job whose
    first write failed stayed 排队 for ever; now imports take turns there (a busy moment queues the upload,
    its page shows 排队) and every upload ends with its outcome."""
    from models import ImportJob
    from models.records_sets import IMPORT_DONE
    from orgs.importer import import_orgs_file
    from tests.journey_helpers import login, setup_province
    import_orgs_file(DATA / "hainan_orgs.csv")
    setup_province(any_db_app)
    schools = ["2146000001", "1146000001", "3446000001"]
    files = {code: (DATA / f"school_{code}_basic_info.xlsx").read_bytes() for code in schools}
    go = threading.Barrier(len(schools))

    def upload(i):
        code = schools[i]
        client = any_db_app.test_client()
        login(client, f"{code}_info")
        go.wait(10)
        resp = client.post("/import", data={"set_key": "basic", "file": (io.BytesIO(files[code]), "basic.xlsx")},
                           content_type="multipart/form-data")
        return resp.status_code

    statuses = run_threads(len(schools), upload)  # noqa: F405
    assert all(kind == "ok" and status in (200, 302) for kind, status in statuses), statuses  # no 500
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:      # queued uploads run on their own threads
        db.session.rollback()   # a new transaction: SQLite would keep showing the first poll's snapshot
        jobs = db.session.scalars(select(ImportJob).order_by(ImportJob.id)).all()
        if len(jobs) == len(schools) and all(j.status == IMPORT_DONE for j in jobs):
            break
        time.sleep(0.2)
    assert [(j.status, j.ok) for j in jobs] == [(IMPORT_DONE, True)] * len(schools), [(j.status, j.message) for j in jobs]
    for code in schools:
        school = db.session.scalars(select(Org).where(Org.code == code)).one()
        assert db.session.scalar(select(func.count()).select_from(Teacher).where(Teacher.org_id == school.id)) > 0, code


def test_a_write_that_waits_out_the_sqlite_lock_says_busy_not_error(tmp_path):
    """Another process holds SQLite's write lock longer than a request waits: the user gets a 503 page in
    Chinese saying the system is busy and nothing was saved — not 系统出错了, not a traceback."""
    import sqlite3

    from tests.conftest import make_app
    from tests.journey_helpers import login, setup_province
    path = tmp_path / "busy.db"
    app = make_app(f"sqlite:///{path}", SQLITE_BUSY_MS=200, PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        setup_province(app)
        client = app.test_client()
        login(client, "2146000001_sys")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")          # e.g. a command-line import writing
        try:
            resp = client.post("/notifications/settings", data={"email": "a@example.cn"})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        page = resp.get_data(as_text=True)
        assert resp.status_code == 503 and "系统正忙" in page and "未保存" in page and "Traceback" not in page
        assert client.post("/notifications/settings", data={"email": "a@example.cn"}).status_code in (200, 302)
    db.session.remove()
    db.engine.dispose()
