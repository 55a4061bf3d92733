"""Two reviewers complete the same task at the same moment: exactly one wins, the other is told who.

Each test runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL. Every thread has its own
session (db.session is thread-local).
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text

import workflows
from models import HumanTask, ProcessInstance, RecordVersion, WorkflowEvent, db
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from workflows import instances


def _at_school_review(w):
    workflows.deploy_shipped()
    instance = workflows.run_in_transaction(workflows.start_instance, "teacher_collection",
                                            subject_teacher_id=w.teacher.id, user=w.school_admin)
    fill = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    workflows.run_in_transaction(workflows.complete_task, fill.id, w.teacher_user, {})
    review = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).one()
    db.session.commit()
    return instance.id, review.id


def _assert_one_winner(results, users, instance_id, decisions):
    oks = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    errors = [(i, value) for i, (kind, value) in enumerate(results) if kind == "error"]
    assert len(oks) == 1, results
    assert len(errors) == len(results) - 1
    winner = oks[0]
    for _, exc in errors:
        assert isinstance(exc, workflows.TaskAlreadyHandled), repr(exc)
        assert exc.handled_by_name == users[winner].display_name
        assert users[winner].display_name in str(exc) and "学校审核" in str(exc)
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance_id)
    assert instance.revision == 3  # start, fill, one review: the loser wrote nothing
    completed = db.session.scalars(select(WorkflowEvent).where(
        WorkflowEvent.instance_id == instance_id, WorkflowEvent.task_key == "school_review")).all()
    assert len(completed) == 1 and completed[0].detail["data"]["decision"] == decisions[winner]
    open_tasks = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
    expected = "authority_review" if decisions[winner] == "approve" else "fill"
    assert [t.task_key for t in open_tasks] == [expected]


def test_two_reviewers_same_task(world):
    """The product path: both through run_in_transaction, as the views call it."""
    w = world
    instance_id, review_id = _at_school_review(w)
    users = [w.school_admin, w.school_admin2]
    decisions = [{"decision": "approve"}, {"decision": "return", "reason": "信息不全"}]
    go = threading.Barrier(2)

    def act(i):
        go.wait(5)
        return workflows.run_in_transaction(workflows.complete_task, review_id, users[i], decisions[i])

    results = run_threads(2, act)
    _assert_one_winner(results, users, instance_id, [d["decision"] for d in decisions])


def test_both_loaded_before_either_saved(world, monkeypatch):
    """Force the worst interleaving: both threads have loaded and run the engine before either saves.

    PostgreSQL: the second UPDATE waits for the first commit, finds the revision moved, and the
    loser is named the winner from the event log. SQLite: the second writer's snapshot is stale, its
    write fails, run_in_transaction retries and then finds the task handled.
    """
    w = world
    instance_id, review_id = _at_school_review(w)
    users = [w.school_admin, w.school_admin2]
    decisions = [{"decision": "approve"}, {"decision": "return", "reason": "照片不清晰"}]
    both_loaded = threading.Barrier(2)
    real_dump = instances.store.dump_state

    def dump_after_both_loaded(wf):
        try:
            both_loaded.wait(3)
        except threading.BrokenBarrierError:
            pass  # the other thread is past this point already (a retry)
        return real_dump(wf)

    monkeypatch.setattr(instances.store, "dump_state", dump_after_both_loaded)

    def act(i):
        session = db.session()
        session.execute(text("SELECT 1"))  # an ordinary (deferred) transaction, as a request has
        try:
            result = workflows.complete_task(review_id, users[i], decisions[i])
            session.commit()
            return result
        except workflows.ConcurrentUpdate:
            session.rollback()
            return workflows.run_in_transaction(workflows.complete_task, review_id, users[i], decisions[i])
        except BaseException:
            session.rollback()
            raise

    results = run_threads(2, act)
    _assert_one_winner(results, users, instance_id, [d["decision"] for d in decisions])


def test_many_reviewers_final_approval(world):
    """Four bureau administrators approve the same final review: one record version, one winner."""
    w = world
    instance_id, review_id = _at_school_review(w)
    workflows.run_in_transaction(workflows.complete_task, review_id, w.school_admin, {"decision": "approve"})
    authority_id = db.session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)).one()
    admins = [w.district_admin] + [_extra_admin(w, i) for i in range(3)]
    go = threading.Barrier(len(admins))

    def act(i):
        go.wait(5)
        return workflows.run_in_transaction(workflows.complete_task, authority_id, admins[i], {"decision": "approve"})

    results = run_threads(len(admins), act)
    assert sum(1 for kind, _ in results if kind == "ok") == 1, results
    for kind, value in results:
        if kind == "error":
            assert isinstance(value, workflows.TaskAlreadyHandled), repr(value)
    assert db.session.scalar(select(func.count()).select_from(RecordVersion)) == 1


def _extra_admin(w, i):
    from models import User
    user = User(username=f"district_admin_{i}", display_name=f"区管理员{i}", role="info_admin",
                org_id=w.district.id, must_change_password=False, password_hash="x")
    db.session.add(user)
    db.session.commit()
    return user


@pytest.mark.parametrize("n", [2])
def test_concurrent_claims(world, n):
    w = world
    _, review_id = _at_school_review(w)
    users = [w.school_admin, w.school_admin2]
    go = threading.Barrier(n)

    def act(i):
        go.wait(5)
        return workflows.run_in_transaction(workflows.claim_task, review_id, users[i])

    results = run_threads(n, act)
    assert sum(1 for kind, _ in results if kind == "ok") == 1, results
    loser = next(value for kind, value in results if kind == "error")
    assert isinstance(loser, workflows.TaskClaimed)
