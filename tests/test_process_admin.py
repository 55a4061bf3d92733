"""Administering instances (suspend, resume, terminate, retry after fixing data), the instance page,
and the editable lane → role table (used by validation and by task assignment)."""
from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import insert, select

import workflows
from models import HumanTask, ProcessInstance, WorkflowEvent, db, utcnow
from tests.journey_helpers import new_teacher, org, user
from tests.process_diagrams import review_diagram
from tests.test_process_pages import admin_client, login, province  # noqa: F401 -- fixtures
from workflows import admin, lanes, validation


def tx(fn, *args, **kwargs):
    return workflows.run_in_transaction(fn, *args, **kwargs)


def rows(instance_id):
    db.session.expire_all()
    return db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()


def instance(instance_id) -> ProcessInstance:
    db.session.expire_all()
    return db.session.get(ProcessInstance, instance_id)


def start_leave(seq=50, **diagram):
    data = review_diagram(**diagram)
    try:
        workflows.current_definition(diagram.get("process_id", "leave"))
    except workflows.DefinitionNotFound:
        tx(workflows.deploy_bytes, data)
    teacher = new_teacher("2146000001", f"教师{chr(65 + seq % 26)}", seq=seq)
    return tx(workflows.start_instance, diagram.get("process_id", "leave"), subject_teacher_id=teacher.teacher_id,
              user=user("2146000001_sys")).id


ERRORING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="overtime" name="加班统计" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="单位信息管理员"><bpmn:flowNodeRef>review</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="wait" name="等待">
      <bpmn:timerEventDefinition id="t"><bpmn:timeDuration>"PT0.2S"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="compute" name="计算"><bpmn:script>total = days * 2</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="review" name="审核"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="compute"/>
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="review"/>
    <bpmn:sequenceFlow id="f4" sourceRef="review" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def errored_instance() -> int:
    """An instance whose timer fired into a script that failed (no `days`), as the scheduler records it:
    a `timer_error` event and its wake-up deferred."""
    try:
        workflows.current_definition("overtime")
    except workflows.DefinitionNotFound:
        tx(workflows.deploy_bytes, ERRORING)
    school = org("2146000001")
    created = tx(workflows.start_instance, "overtime", subject_org_id=school.id, user=user("2146000001_sys"))
    time.sleep(0.25)  # the timer is due; the scheduler fired it and the script failed:
    later = utcnow() + dt.timedelta(hours=1)
    db.session.execute(insert(WorkflowEvent).values(instance_id=created.id, action="timer_error", detail={
        "error": "流程元素 compute（计算）：流程数据中缺少 days"}, created_at=utcnow()))
    db.session.execute(ProcessInstance.__table__.update().where(ProcessInstance.id == created.id)
                       .values(next_due_at=later))
    db.session.commit()
    return created.id


# ----------------------------------------------------------------------------- suspend, resume, terminate

def test_suspend_resume_terminate(province):
    admin_user = user("460000_process")
    instance_id = start_leave()
    [task] = rows(instance_id)
    task_id, task_key, task_uuid = task.id, task.task_key, task.task_uuid
    due = instance(instance_id).next_due_at

    tx(admin.suspend, instance_id, admin_user, "核对数据")
    assert instance(instance_id).status == "suspended" and instance(instance_id).next_due_at is None
    assert rows(instance_id) == []                      # out of every inbox
    with pytest.raises(workflows.WorkflowError):
        tx(workflows.complete_task, task_id, user("2146000001_info"), {})
    with pytest.raises(admin.InstanceActionRefused):
        tx(admin.suspend, instance_id, admin_user)

    tx(admin.resume, instance_id, admin_user)
    assert instance(instance_id).status == "running" and instance(instance_id).next_due_at == due
    [again] = rows(instance_id)
    assert again.task_key == task_key and again.task_uuid == task_uuid
    tx(workflows.complete_task, again.id, user("2146000001_info"), {})   # works again
    assert instance(instance_id).next_due_at is not None                 # the review's reminder is armed

    with pytest.raises(workflows.InvalidTaskData):
        tx(admin.terminate, instance_id, admin_user, "  ")
    tx(admin.terminate, instance_id, admin_user, "重复发起")
    assert instance(instance_id).status == "terminated" and rows(instance_id) == []
    assert instance(instance_id).next_due_at is None
    with pytest.raises(admin.InstanceActionRefused):
        tx(admin.resume, instance_id, admin_user)
    actions = [e.action for e in workflows.instance_events(instance_id)]
    assert actions == ["started", "suspended", "resumed", "completed", "terminated"]


def test_retry_after_fixing_data(province):
    admin_user = user("460000_process")
    instance_id = errored_instance()
    view = admin.instance_view(instance_id)
    assert view.error and "days" in view.error and view.current == ["wait"]

    with pytest.raises(workflows.EngineError) as err:
        tx(admin.retry, instance_id, admin_user, {})      # the data is still wrong: the element is named
    assert "compute" in str(err.value) and "days" in str(err.value)
    assert admin.instance_view(instance_id).error                         # unchanged

    assert tx(admin.retry, instance_id, admin_user, {"days": 3}) == "running"
    view = admin.instance_view(instance_id)
    assert view.error is None and view.current == ["review"] and view.data["total"] == 6
    assert [r.task_key for r in rows(instance_id)] == ["review"]
    with pytest.raises(admin.InstanceActionRefused):
        tx(admin.retry, instance_id, admin_user, {})                      # nothing to retry any more


def test_instance_page_and_actions_over_http(admin_client):
    instance_id = start_leave(seq=52)
    [task] = rows(instance_id)
    tx(workflows.complete_task, task.id, user("2146000001_info"), {})
    page = admin_client.get(f"/process/instances/{instance_id}").get_data(as_text=True)
    done = json.loads(_attr(page, "data-done"))
    current = json.loads(_attr(page, "data-current"))
    assert {"start", "fill"} <= set(done) and set(current) == {"review", "remind"}
    assert "事件记录" in page and "办理" in page and "挂起" in page

    admin_client.post(f"/process/instances/{instance_id}/suspend", data={"reason": "核对"})
    assert instance(instance_id).status == "suspended"
    page = admin_client.get(f"/process/instances/{instance_id}").get_data(as_text=True)
    assert "已挂起" in page and "恢复" in page
    admin_client.post(f"/process/instances/{instance_id}/resume")
    refused = admin_client.post(f"/process/instances/{instance_id}/terminate", data={"reason": ""},
                                follow_redirects=True).get_data(as_text=True)
    assert "请填写终止原因" in refused and instance(instance_id).status == "running"

    errored = errored_instance()
    page = admin_client.get(f"/process/instances/{errored}").get_data(as_text=True)
    assert "修正数据并重试" in page and "days" in page
    bad = admin_client.post(f"/process/instances/{errored}/retry", data={"data": "{days: 2"},
                            follow_redirects=True).get_data(as_text=True)
    assert "不是有效的 JSON" in bad
    admin_client.post(f"/process/instances/{errored}/retry", data={"data": '{"days": 2}'})
    assert admin.instance_view(errored).current == ["review"]


def _attr(page: str, name: str) -> str:
    import html
    import re
    return html.unescape(re.search(rf'{name}="([^"]*)"', page).group(1))


# ----------------------------------------------------------------------------- lanes

def test_lane_table_maps_new_lanes_for_validation_and_assignment(province):
    admin_user = user("460000_process")
    data = review_diagram(process_id="leave2", review_lane="学校审核")
    warned = [p for p in validation.validate(data).problems if p.severity == "warning"]
    assert warned and warned[0].element_id == "review" and "学校审核" in warned[0].message

    tx(lanes.save_lane_mapping, "学校审核", "info_admin", "teacher_school", "学校的信息管理员审核", admin_user)
    assert not [p for p in validation.validate(data).problems if p.severity == "warning"]
    instance_id = start_leave(seq=54, process_id="leave2", review_lane="学校审核")
    [task] = rows(instance_id)
    tx(workflows.complete_task, task.id, user("2146000001_info"), {})
    [review] = rows(instance_id)
    assert (review.lane, review.candidate_org_id, review.candidate_role) == ("学校审核", org("2146000001").id,
                                                                            "info_admin")

    tx(lanes.save_lane_mapping, "主管部门审核", "info_admin", "reviewing_authority", "", admin_user)
    tx(lanes.save_lane_mapping, "省级审核", "info_admin", "province", "", admin_user)
    subject = lanes.Subject(None, org("2146000001").id, None)
    assert lanes.resolve("主管部门审核", subject) == (org("460105").id, "info_admin")
    assert lanes.resolve("省级审核", subject) == (org("460000").id, "info_admin")

    for bad in (("教师", "teacher", "teacher_school"), ("", "info_admin", "teacher_school"),
                ("新泳道", "sys_admin", "teacher_school"), ("新泳道", "info_admin", "moon")):
        with pytest.raises(ValueError):
            tx(lanes.save_lane_mapping, *bad, "", admin_user)
    assert tx(lanes.delete_lane_mapping, "省级审核", admin_user)
    with pytest.raises(workflows.UnknownLane):
        lanes.resolve("省级审核", subject)


def test_lane_page_lists_declared_mapped_and_unmapped(admin_client):
    tx(workflows.deploy_bytes, review_diagram(process_id="leave3", review_lane="年级组审核"))
    page = admin_client.get("/process/lanes").get_data(as_text=True)
    assert "审核单位信息管理员" in page and "内置" in page
    assert "年级组审核" in page and 'id="unmapped"' in page
    admin_client.post("/process/lanes", data={"lane": "年级组审核", "role": "info_admin", "unit": "teacher_school",
                                              "description": "年级组长所在学校"})
    page = admin_client.get("/process/lanes").get_data(as_text=True)
    assert 'data-lane="年级组审核"' in page and 'id="unmapped"' not in page
    refused = admin_client.post("/process/lanes", data={"lane": "教师", "role": "info_admin", "unit": "teacher_school"},
                                follow_redirects=True).get_data(as_text=True)
    assert "内置" in refused
