"""The scheduler on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
a full month of reports, each timer once with two schedulers (threads and processes), a scheduler
killed mid-sweep, work due while no scheduler ran, the tick command."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import workflows
from models import (
    HumanTask,
    MonthlyReport,
    Notification,
    ProcessInstance,
    ReportSetting,
    SchedulerHeartbeat,
    Teacher,
    UnitManager,
    User,
    WorkflowEvent,
    db,
)
from reports import reports_visible_to, submit_report, submit_year_end
from scheduler.tick import run_tick
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures

ROOT = Path(__file__).resolve().parent.parent
CST = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CST) if "+" not in text else dt.datetime.fromisoformat(text)


def province_admin(w) -> User:
    user = User(username="province_info", display_name="省信息管理员", role="info_admin", org_id=w.province.id,
                must_change_password=False, password_hash="x")
    city = User(username="city_info", display_name="市信息管理员", role="info_admin", org_id=w.city.id,
                must_change_password=False, password_hash="x")
    db.session.add_all([user, city])
    db.session.commit()
    return user


def report(org, period="2026-12", kind="unit") -> MonthlyReport:
    db.session.expire_all()
    return db.session.scalars(select(MonthlyReport).where(MonthlyReport.org_id == org.id, MonthlyReport.period == period,
                                                          MonthlyReport.kind == kind)).one()


def count(model, *conds) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*conds)) or 0


# ----------------------------------------------------------------------------- a month

def test_month_cycle_reminders_due_escalation_province_and_the_first(world):
    w = world
    workflows.deploy_shipped()
    province_user = province_admin(w)
    db.session.add_all([
        UnitManager(org_id=w.province_school.id, name="孙校长", email="head@school.example.org"),
        ReportSetting(org_id=w.city.id, inbox_email="reports@city.example.org"),
        ReportSetting(org_id=w.province.id, inbox_email="reports@province.example.org",
                      upstream_email="ministry@example.org"),
    ])
    db.session.commit()

    # The 1st: every reporting unit's report opens (county bureau, city bureau for its own schools,
    # province-run school) and the province report; again: nothing.
    lines = run_tick(at("2026-12-01T09:00")).lines
    assert len(lines) == 4, lines
    assert any("秀英区教育局" in line and "月报开启" in line for line in lines)
    assert any("海口市教育局" in line for line in lines) and any("海南中学" in line for line in lines)
    assert any("省级月报开启" in line for line in lines)
    assert run_tick(at("2026-12-01T09:00")).lines == []
    assert run_tick(at("2026-12-10T09:00")).lines == []
    district = report(w.district)
    assert district.due_at == at("2026-12-26T00:00")          # the end of the 25th, Beijing time
    assert district.remind_at == at("2026-12-23T00:00")       # "P3D" before, as the diagram says
    task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == district.instance_id)).one()
    assert (task.task_key, task.candidate_org_id, task.due_at) == ("submit_report", w.district.id, district.due_at)
    assert count(Notification, Notification.kind == "report_opened", Notification.recipient_user_id == w.district_admin.id) == 1

    # Reminders N days before the 25th, once.
    lines = run_tick(at("2026-12-23T08:00")).lines
    assert sorted(line.split("：")[1] for line in lines) == sorted(
        ["秀英区教育局 2026年12月月报", "海口市教育局 2026年12月月报", "海南中学 2026年12月月报"]), lines
    assert all("月报到期提醒" in line for line in lines)
    assert count(Notification, Notification.kind == "task_reminder", Notification.recipient_user_id == w.district_admin.id) == 1
    assert run_tick(at("2026-12-23T08:00")).lines == []

    # The county submits with a remark: figures frozen, e-mail with the xlsx queued for the city's address.
    message = submit_report(w.district_admin, report(w.district), "本月新增两所学校的数据")
    assert "已提交" in message
    district = report(w.district)
    assert district.status == "submitted" and district.remark == "本月新增两所学校的数据"
    assert district.figures["expected"] == 1 and district.figures["schools"] == 2
    mail = db.session.scalars(select(Notification).where(Notification.kind == "report_submitted",
                                                         Notification.recipient_email.is_not(None))).one()
    assert mail.recipient_email == "reports@city.example.org" and mail.attachment_name.endswith(".xlsx")
    assert mail.attachment[:2] == b"PK"  # an xlsx (zip) file
    # December: the year-end summary follows.
    assert db.session.scalars(select(HumanTask.task_key).where(HumanTask.instance_id == district.instance_id)).one() \
        == "year_end_summary"
    assert submit_year_end(w.district_admin, district, "全年完成采集工作") == "年度总结已提交"

    # After the 25th: the two others escalate (unit managers told), the province starts compiling.
    lines = run_tick(at("2026-12-26T09:00")).lines
    assert len(lines) == 3, lines
    assert sum("月报逾期升级" in line for line in lines) == 2
    assert any("开启“汇总并上报省级月报”" in line for line in lines)
    manager_mail = db.session.scalars(select(Notification).where(Notification.kind == "task_overdue",
                                                                 Notification.recipient_email == "head@school.example.org")).one()
    assert "海南中学" in manager_mail.title and manager_mail.email_status == "pending"
    # The level above sees them overdue; the city sees its county's report, the county not the city's.
    now = at("2026-12-26T09:00")
    overdue = [r.org.name for r in reports_visible_to(province_user, "2026-12") if r.is_overdue(now)]
    assert sorted(overdue) == ["海南中学", "海口市教育局"]
    city_user = db.session.scalars(select(User).where(User.username == "city_info")).one()
    assert {r.org_id for r in reports_visible_to(city_user, "2026-12")} == {w.city.id, w.district.id}
    assert {r.org_id for r in reports_visible_to(w.district_admin, "2026-12")} == {w.district.id}
    assert count(Notification, Notification.kind == "report_overdue_below") == 2
    assert run_tick(at("2026-12-26T09:00")).lines == []

    # The province compiles and submits; the compiled xlsx goes to the Ministry's address.
    province = report(w.province, kind="province")
    assert province.due_at == at("2027-01-02T00:00")  # the end of the 1st
    with workflows.frozen_clock(at("2026-12-28T10:00")):
        submit_report(province_user, province, "")
    province = report(w.province, kind="province")
    assert province.figures["total"]["expected"] == 2
    assert sorted(u["name"] for u in province.figures["units"]) == ["海南中学", "海口市教育局", "秀英区教育局"]
    assert count(Notification, Notification.recipient_email == "ministry@example.org") == 1

    # The 1st of January: January's reports open; nothing of December fires again.
    lines = run_tick(at("2027-01-01T09:00")).lines
    assert len(lines) == 4 and all("2027年1月" in line for line in lines), lines
    assert count(WorkflowEvent, WorkflowEvent.action == "timer") == 3 + 2 + 1


# ----------------------------------------------------------------------------- two schedulers

def review_instances(w, n: int, opened_at: dt.datetime) -> list[int]:
    """n teachers at the school, each submitted at `opened_at`: a school review with reminder/overdue timers."""
    teachers = [Teacher(org_id=w.school.id, name=f"教师{i}", gender="1", id_number=f"46010519900101{i:04d}",
                        state="draft", basic={}) for i in range(n)]
    db.session.add_all(teachers)
    db.session.commit()
    with workflows.frozen_clock(opened_at):
        ids = workflows.run_in_transaction(workflows.start_instances, "teacher_collection",
                                           [{"subject_teacher_id": t.id} for t in teachers])
        fills = db.session.scalars(select(HumanTask.id).where(HumanTask.instance_id.in_(ids))).all()
        for task_id in fills:
            workflows.run_in_transaction(workflows.complete_task, task_id, w.school_admin, {})
    return ids


def timer_events_per_instance(ids) -> dict[int, int]:
    db.session.rollback()  # a fresh snapshot: other threads and processes committed meanwhile
    rows = db.session.execute(select(WorkflowEvent.instance_id, func.count()).where(
        WorkflowEvent.action == "timer", WorkflowEvent.instance_id.in_(ids)).group_by(WorkflowEvent.instance_id)).all()
    return dict(rows)


def test_two_schedulers_fire_each_timer_once(world, engine_app):
    w = world
    workflows.deploy_shipped()
    ids = review_instances(w, 24, at("2026-12-01T10:00"))
    due = db.session.scalars(select(HumanTask.due_at).where(HumanTask.instance_id == ids[0])).one()
    assert due == at("2026-12-09T00:00")  # five working days: Dec 2, 3, 4, 7, 8 → the end of the 8th
    now = at("2026-12-20T09:00")
    barrier = threading.Barrier(2)

    def scheduler(i):
        with engine_app.app_context():
            barrier.wait()
            return run_tick(now, name=f"scheduler-{i}").lines

    results = run_threads(2, scheduler)
    assert [r[0] for r in results] == ["ok", "ok"], results
    lines = results[0][1] + results[1][1]
    review_lines = [line for line in lines if "学校审核" in line]
    assert len(review_lines) == 24, lines  # each instance fired once, by one of the two
    assert timer_events_per_instance(ids) == {i: 1 for i in ids}
    # Reminder and escalation each notified once per recipient (two school admins).
    assert count(Notification, Notification.kind == "task_reminder") == 24 * 2
    assert count(Notification, Notification.kind == "task_overdue") == 24 * 2
    assert count(SchedulerHeartbeat) == 2
    assert run_tick(now).lines == []


def _flask(url, *args, **popen):
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def test_two_scheduler_processes_fire_each_timer_once(world):
    w = world
    workflows.deploy_shipped()
    ids = review_instances(w, 30, at("2026-12-01T10:00"))
    url = db.engine.url.render_as_string(hide_password=False)
    db.session.remove()
    procs = [_flask(url, "scheduler", "tick", "--now", "2026-12-20T09:00+08:00") for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    lines = [line for out, _err in outputs for line in out.splitlines() if "学校审核" in line]
    assert len(lines) == 30
    assert timer_events_per_instance(ids) == {i: 1 for i in ids}
    assert count(Notification, Notification.kind == "task_overdue") == 30 * 2


def test_scheduler_killed_mid_sweep_loses_and_doubles_nothing(world):
    w = world
    workflows.deploy_shipped()
    ids = review_instances(w, 60, at("2026-12-01T10:00"))
    url = db.engine.url.render_as_string(hide_password=False)
    db.session.remove()
    first = _flask(url, "scheduler", "tick", "--now", "2026-12-20T09:00+08:00", start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not timer_events_per_instance(ids):
        time.sleep(0.05)
        db.session.remove()
    os.killpg(first.pid, signal.SIGKILL)  # mid-sweep: some fired and committed, one perhaps half done
    first.communicate()
    fired_before = timer_events_per_instance(ids)
    assert 0 < len(fired_before) <= 60
    db.session.remove()
    second = _flask(url, "scheduler", "tick", "--now", "2026-12-20T09:00+08:00")
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    assert timer_events_per_instance(ids) == {i: 1 for i in ids}
    assert len([line for line in out.splitlines() if "学校审核" in line]) == 60 - len(fired_before)
    assert count(Notification, Notification.kind == "task_overdue") == 60 * 2


def test_work_due_while_down_fires_when_the_scheduler_starts(world, engine_app):
    from scheduler import runner
    w = world
    workflows.deploy_shipped()
    ids = review_instances(w, 3, at("2026-11-02T10:00"))  # due weeks ago: the scheduler was down
    runner.start_background_scheduler(engine_app, seconds=3600)
    try:
        assert runner.start_background_scheduler(engine_app) is runner._scheduler  # one per process
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(timer_events_per_instance(ids)) < 3:
            time.sleep(0.1)
            db.session.remove()
    finally:
        runner.shutdown()
    assert timer_events_per_instance(ids) == {i: 1 for i in ids}
    beat = db.session.scalars(select(SchedulerHeartbeat)).one()
    assert beat.ticks >= 1 and beat.last_fired >= 3 and beat.last_lag_seconds == 0


def test_tick_command_prints_what_fired_once(world, engine_app):
    workflows.deploy_shipped()
    runner = engine_app.test_cli_runner()
    first = runner.invoke(args=["scheduler", "tick", "--now", "2026-12-01T09:00+08:00"])
    assert first.exit_code == 0, first.output
    assert first.output.count("\n") == 4 and "月报开启" in first.output
    again = runner.invoke(args=["scheduler", "tick", "--now", "2026-12-01T09:00+08:00"])
    assert again.exit_code == 0 and again.output == ""
    bad = runner.invoke(args=["scheduler", "tick", "--now", "2026-12-01T09:00"])
    assert bad.exit_code != 0 and "时区" in bad.output


def test_failing_instance_is_deferred_not_stalling_the_sweep(world):
    w = world
    workflows.deploy_shipped()
    ids = review_instances(w, 3, at("2026-12-01T10:00"))
    broken = db.session.get(ProcessInstance, ids[0])
    broken.state = '{"format": "not a state"}'
    db.session.commit()
    result = run_tick(at("2026-12-20T09:00"))
    assert len(result.errors) == 1 and str(ids[0]) in result.errors[0]
    assert timer_events_per_instance(ids) == {ids[1]: 1, ids[2]: 1}
    db.session.expire_all()
    assert db.session.get(ProcessInstance, ids[0]).next_due_at == at("2026-12-20T10:00")


def test_admin_page_shows_last_tick_and_lag(world, engine_app):
    from models.users import ROLE_PROCESS_ADMIN
    w = world
    workflows.deploy_shipped()
    admin = User(username="process_admin", display_name="流程管理员", role=ROLE_PROCESS_ADMIN, org_id=w.province.id,
                 must_change_password=False, password_hash="x")
    admin.set_password("Pass1234")
    w.school_admin.set_password("Pass1234")
    db.session.add(admin)
    db.session.commit()
    review_instances(w, 2, at("2026-11-02T10:00"))
    run_tick(at("2026-11-02T11:00"), name="host-a:1")  # nothing of the reviews due yet at that time
    client = engine_app.test_client()
    client.post("/login", data={"username": "process_admin", "password": "Pass1234"})
    page = client.get("/admin/scheduler").get_data(as_text=True)
    assert "运行中" in page and "host-a:1" in page
    import re
    due = int(re.search(r"当前已到期、尚未触发的计时器：<strong>(\d+)</strong>", page).group(1))
    assert due >= 2 and "最早的已延迟" in page  # the real time is weeks past the reviews (and November's reports)
    with engine_app.app_context():
        school = engine_app.test_client()
        school.post("/login", data={"username": "school_admin", "password": "Pass1234"})
        assert school.get("/admin/scheduler").status_code == 403
