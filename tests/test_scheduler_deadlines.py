"""Deadlines in working days (Chinese public-holiday calendar) and holiday shifts, in the functions and
on a real review task whose boundary timers follow them."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

import workflows
from models import HumanTask, WorkflowEvent, db
from scheduler.tick import run_tick
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from tests.test_scheduler import at, review_instances
from workflows import timers


def test_working_days_skip_the_national_day_holiday():
    # 2026: Oct 1–7 off, Saturday Oct 10 worked in their place.
    due = workflows.deadline(at("2026-09-30T10:00"), "P5D", "working_days")
    assert due == at("2026-10-14T00:00")  # Oct 8, 9, 10 (Sat, a working day), 12, 13 → the end of the 13th
    assert workflows.reminder(due, "P1D", "working_days") == at("2026-10-13T00:00")
    assert not workflows.is_working_day(dt.date(2026, 10, 5)) and workflows.is_working_day(dt.date(2026, 10, 10))


def test_a_deadline_on_a_holiday_can_move_to_the_next_working_day():
    start = at("2026-09-24T10:00")
    assert workflows.deadline(start, "P7D") == at("2026-10-01T10:00")  # National Day itself
    assert workflows.deadline(start, "P7D", shift="next_working_day") == at("2026-10-08T10:00")
    # A monthly deadline on a holiday, when the diagram asks for the shift.
    fn = timers.SCRIPT_FUNCTIONS
    when = dt.datetime.fromisoformat
    assert when(fn["month_end_of_day"]("2026-10", 1)) == at("2026-10-02T00:00")
    assert when(fn["month_end_of_day"]("2026-10", 1, "next_working_day")) == at("2026-10-09T00:00")
    assert when(fn["next_month_end_of_day"]("2026-12", 1)) == at("2027-01-02T00:00")
    assert when(fn["before"](fn["month_end_of_day"]("2026-12", 25), "P3D")) == at("2026-12-23T00:00")


def test_a_year_without_calendar_data_counts_monday_to_friday():
    # chinese-calendar knows holidays only up to its release year; later years fall back to weekends.
    assert workflows.deadline(at("2030-01-04T10:00"), "P2D", "working_days") == at("2030-01-09T00:00")  # Fri → Mon, Tue


def test_working_day_durations_must_be_whole_days():
    import pytest
    with pytest.raises(ValueError):
        workflows.deadline(at("2026-09-30T10:00"), "PT5H", "working_days")


def test_review_submitted_before_a_holiday_is_due_after_it(world):
    w = world
    workflows.deploy_shipped()
    [instance_id] = review_instances(w, 1, at("2026-09-30T10:00"))
    task = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).one()
    assert task.task_key == "school_review"
    assert (task.due_at, task.remind_at) == (at("2026-10-14T00:00"), at("2026-10-13T00:00"))
    def reviews(now):  # the October reports open on the first tick too; look at the review only
        return [line for line in run_tick(now).lines if "学校审核" in line]

    assert reviews(at("2026-10-12T09:00")) == []  # a plain seven days later: not due yet
    assert reviews(at("2026-10-13T09:00")) == ["2026-10-13 09:00 学校审核到期提醒：教师0（海口市第一小学）"]
    assert reviews(at("2026-10-14T09:00")) == ["2026-10-14 09:00 学校审核逾期升级：教师0（海口市第一小学）"]
    assert run_tick(at("2026-10-14T09:00")).lines == []
    db.session.rollback()
    timers_fired = db.session.scalars(select(WorkflowEvent.detail).where(WorkflowEvent.instance_id == instance_id,
                                                                         WorkflowEvent.action == "timer")).all()
    assert [d["timers"] for d in timers_fired] == [["学校审核到期提醒"], ["学校审核逾期升级"]]
