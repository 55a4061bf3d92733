"""Version migration: selected waiting instances move in bulk when their current tasks exist in the
target; incompatible ones are refused with a reason; running instances never move by themselves."""
from __future__ import annotations

from sqlalchemy import select

import workflows
from models import AuditEntry, HumanTask, ProcessInstance, WorkflowEvent, db
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from tests.process_diagrams import review_diagram
from workflows import admin, migration


def tx(fn, *args, **kwargs):
    return workflows.run_in_transaction(fn, *args, **kwargs)


def deploy(data):
    definition, created = tx(workflows.deploy_bytes, data)
    assert created
    return definition


def start(w, teacher=None):
    return tx(workflows.start_instance, "leave", subject_teacher_id=(teacher or w.teacher).id, user=w.school_admin).id


def rows(instance_id):
    db.session.expire_all()
    return db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                              .order_by(HumanTask.id)).all()


def complete(w, instance_id, user=None):
    [task] = rows(instance_id)
    return tx(workflows.complete_task, task.id, user or (w.teacher_user if task.task_key == "fill" else w.school_admin),
              {})


def instance(instance_id) -> ProcessInstance:
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id)


def test_new_version_leaves_running_instances_on_theirs(world):
    v1 = deploy(review_diagram())
    first = start(world)
    v2 = deploy(review_diagram(review_name="学校审批"))
    second = start(world, world.province_school_teacher)
    assert instance(first).definition_id == v1.id and instance(second).definition_id == v2.id


def test_compatible_instances_migrate_in_bulk(world):
    v1 = deploy(review_diagram())
    at_fill = start(world)
    at_review = start(world, world.province_school_teacher)
    [task] = rows(at_review)
    tx(workflows.complete_task, task.id, world.province_school_admin, {})  # the province-run school fills in
    due_before = instance(at_review).next_due_at
    assert due_before is not None
    tx(workflows.claim_task, rows(at_review)[0].id, world.province_school_admin)

    v2 = deploy(review_diagram(review_name="学校审批", fill_name="填写申请"))
    checked = migration.check_migration([at_fill, at_review], v2)
    assert [(r.instance_id, r.ok) for r in checked] == [(at_fill, True), (at_review, True)]
    assert instance(at_fill).definition_id == v1.id  # checking writes nothing

    reports = tx(migration.migrate_instances, [at_fill, at_review], v2, world.school_admin)
    assert all(r.migrated and r.from_version == 1 and r.to_version == 2 for r in reports)
    for instance_id in (at_fill, at_review):
        assert instance(instance_id).definition_id == v2.id
        assert all(r.definition_id == v2.id for r in rows(instance_id))
    assert rows(at_fill)[0].task_name == "填写申请"          # the new version's names
    review_row = rows(at_review)[0]
    assert review_row.task_name == "学校审批" and review_row.claimed_by_id == world.province_school_admin.id
    assert instance(at_review).next_due_at == due_before       # the waiting reminder keeps its due time
    events = db.session.scalars(select(WorkflowEvent).where(WorkflowEvent.instance_id == at_fill,
                                                            WorkflowEvent.action == "migrated")).all()
    assert events and events[0].detail["to_version"] == 2
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "process.instances_migrated")).all()

    # The migrated instances run on the new version to the end.
    complete(world, at_fill)
    assert rows(at_fill)[0].task_name == "学校审批"
    complete(world, at_fill)
    assert instance(at_fill).status == "completed"


def test_incompatible_instances_refused_with_reasons_while_compatible_ones_move(world):
    deploy(review_diagram())
    at_fill = start(world)
    at_review = start(world, world.province_school_teacher)
    [task] = rows(at_review)
    tx(workflows.complete_task, task.id, world.province_school_admin, {})
    review_state = instance(at_review).state

    v2 = deploy(review_diagram(review_id="approve", review_name="审批"))  # the review step has a new id
    reports = {r.instance_id: r for r in tx(migration.migrate_instances, [at_fill, at_review, 99999], v2,
                                            world.school_admin)}
    assert reports[at_fill].migrated
    refused = reports[at_review]
    assert not refused.ok and not refused.migrated
    assert any("review" in reason and "不存在" in reason for reason in refused.reasons), refused.reasons
    assert reports[99999].reasons == ["流程实例不存在"]
    assert instance(at_review).state == review_state and instance(at_review).definition_id != v2.id
    assert rows(at_review)[0].task_key == "review"          # still in its inbox on its own version


def test_deleted_passed_step_is_refused(world):
    deploy(review_diagram())
    at_review = start(world)
    complete(world, at_review)
    v2 = deploy(review_diagram(fill_id="apply", fill_name="申请"))
    [report] = migration.check_migration([at_review], v2)
    assert not report.ok and any("fill" in r and "删除" in r for r in report.reasons), report.reasons


def test_changed_kind_of_current_task_is_refused(world):
    deploy(review_diagram())
    at_fill = start(world)
    changed = review_diagram().replace(b'<bpmn:userTask id="fill" name="\xe5\xa1\xab\xe5\x86\x99"/>',
                                       b'<bpmn:manualTask id="fill" name="\xe5\xa1\xab\xe5\x86\x99"/>')
    assert changed != review_diagram()
    v2 = deploy(changed)
    [report] = migration.check_migration([at_fill], v2)
    assert not report.ok and "类型改变" in report.reasons[0]


def test_only_running_instances_of_the_same_process_move(world):
    v1 = deploy(review_diagram())
    suspended = start(world)
    tx(admin.suspend, suspended, world.school_admin, "核对数据")
    other = deploy(review_diagram(process_id="other"))
    v2 = deploy(review_diagram(review_name="新名称"))
    on_v2 = start(world, world.province_school_teacher)
    reports = {r.instance_id: r for r in migration.check_migration([suspended, on_v2], v2)}
    assert "已挂起" in reports[suspended].reasons[0]
    assert reports[on_v2].reasons == ["已在版本 2 上"]
    [foreign] = migration.check_migration([suspended], other)
    assert "另一个流程" in foreign.reasons[0]
    assert v1.id != v2.id


def test_migrate_pages_over_http(world):
    from werkzeug.security import generate_password_hash

    from models import User
    deploy(review_diagram())
    ids = [start(world), start(world, world.province_school_teacher)]
    v2 = deploy(review_diagram(review_id="approve"))
    [task] = rows(ids[1])
    tx(workflows.complete_task, task.id, world.province_school_admin, {})
    admin_user = User(username="460000_process", display_name="流程管理员", role="process_admin",
                      org_id=world.province.id, must_change_password=False,
                      password_hash=generate_password_hash("Pass1234"))
    db.session.add(admin_user)
    db.session.commit()
    client = world_client(world, "460000_process")
    page = client.get("/process/leave/instances").get_data(as_text=True)
    assert all(f'value="{i}"' in page for i in ids)
    check = client.post("/process/leave/migrate", data={"instance_id": [str(i) for i in ids], "target": str(v2.id),
                                                       "action": "check"}).get_data(as_text=True)
    assert "1 个可以迁移，1 个不兼容" in check and "review" in check
    assert instance(ids[0]).definition_id != v2.id
    done = client.post("/process/leave/migrate", data={"instance_id": [str(i) for i in ids], "target": str(v2.id),
                                                      "action": "migrate"}).get_data(as_text=True)
    assert "已迁移 1 个，拒绝 1 个" in done
    assert instance(ids[0]).definition_id == v2.id and instance(ids[1]).definition_id != v2.id


def world_client(world, username, password="Pass1234"):
    from flask import current_app
    client = current_app.test_client()
    client.post("/login", data={"username": username, "password": password})
    return client


def test_migrate_command(world, engine_app):
    deploy(review_diagram())
    at_fill = start(world)
    at_review = start(world, world.province_school_teacher)
    [task] = rows(at_review)
    tx(workflows.complete_task, task.id, world.province_school_admin, {})
    v2 = deploy(review_diagram(review_id="approve"))
    runner = engine_app.test_cli_runner()
    checked = runner.invoke(args=["process", "migrate", "leave", "--check"])
    assert checked.exit_code == 1, checked.output
    assert f"{at_fill}: 可以迁移（版本 1 → 2）" in checked.output and f"{at_review}: 不兼容" in checked.output
    assert instance(at_fill).definition_id != v2.id
    done = runner.invoke(args=["process", "migrate", "leave", "--to", "2", "--from", "1"])
    assert done.exit_code == 1 and f"{at_fill}: 已迁移" in done.output and "已迁移 1 个，不兼容 1 个" in done.output
    assert instance(at_fill).definition_id == v2.id
    again = runner.invoke(args=["process", "migrate", "leave"])
    assert "不兼容 1 个" in again.output
    missing = runner.invoke(args=["process", "migrate", "leave", "--to", "9"])
    assert missing.exit_code == 1 and "没有版本 9" in missing.output
