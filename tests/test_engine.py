"""The engine wrapper on a real database: deploy, start, complete, return, scripts, state storage."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

import workflows
from models import HumanTask, ProcessDefinition, ProcessInstance, RecordVersion, Teacher, WorkflowEvent, db
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from workflows import store

SHIPPED = Path(__file__).resolve().parent.parent / "bpmn" / "teacher_collection.bpmn"

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')


def diagram(process_id: str, body: str, lane: str | None = "学校信息管理员") -> bytes:
    """A one-lane diagram: start → body (elements ending at id 'last') → end."""
    lanes = ""
    if lane:
        lanes = (f'<bpmn:laneSet id="ls"><bpmn:lane id="l1" name="{lane}">'
                 f'<bpmn:flowNodeRef>last</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="测试流程" isExecutable="true">
    {lanes}
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    {body}
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_end" sourceRef="last" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def user_task(task_id="last", name="审核", incoming="f_start"):
    return (f'<bpmn:userTask id="{task_id}" name="{name}"><bpmn:incoming>{incoming}</bpmn:incoming>'
            f'<bpmn:outgoing>f_end</bpmn:outgoing></bpmn:userTask>'
            f'<bpmn:sequenceFlow id="{incoming}" sourceRef="start" targetRef="{task_id}"/>')


def script_task(script, task_id="last"):
    return (f'<bpmn:scriptTask id="{task_id}" name="计算"><bpmn:incoming>f_start</bpmn:incoming>'
            f'<bpmn:outgoing>f_end</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
            f'<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="{task_id}"/>')


def in_tx(fn, *args, **kwargs):
    return workflows.run_in_transaction(fn, *args, **kwargs)


def start(w, teacher=None, user=None):
    teacher = teacher or w.teacher
    return in_tx(workflows.start_instance, "teacher_collection", subject_teacher_id=teacher.id,
                 user=user or w.school_admin)


def open_task(instance_id) -> HumanTask:
    rows = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
    assert len(rows) == 1, rows
    return rows[0]


def teacher_state(teacher_id) -> Teacher:
    db.session.expire_all()
    return db.session.get(Teacher, teacher_id)


# ----------------------------------------------------------------------------- deploy

def test_deploy_is_idempotent_and_versions(world):
    # Other shipped diagrams (monthly reports, change requests, ...) deploy beside it; this test follows one.
    first = [(d, c) for d, c in workflows.deploy_shipped() if d.process_key == "teacher_collection"]
    assert [(d.process_key, d.version, created) for d, created in first] == [("teacher_collection", 1, True)]
    again = [(d, c) for d, c in workflows.deploy_shipped() if d.process_key == "teacher_collection"]
    assert [(d.id, created) for d, created in again] == [(first[0][0].id, False)]

    v1 = workflows.current_definition("teacher_collection")
    assert v1.version == 1 and v1.name == "教师信息采集与审核" and json.loads(v1.spec_json)["spec"]

    pinned = start(world)
    changed = SHIPPED.read_bytes().replace('name="学校审核"'.encode(), 'name="学校初审"'.encode())
    v2, created = in_tx(workflows.deploy_bytes, changed, world.school_admin)
    assert created and v2.version == 2 and v2.is_current
    assert workflows.current_definition("teacher_collection").id == v2.id
    assert db.session.get(ProcessDefinition, v1.id).is_current is False

    # Same bytes again: same version, and it does not take "current" back.
    again_v1, created = in_tx(workflows.deploy_bytes, SHIPPED.read_bytes())
    assert not created and again_v1.id == v1.id
    assert workflows.current_definition("teacher_collection").id == v2.id

    # The running instance keeps its version; a new one starts on v2.
    assert db.session.get(ProcessInstance, pinned.id).definition_id == v1.id
    newer = start(world, world.province_school_teacher, world.province_school_admin)
    assert newer.definition_id == v2.id
    task = open_task(pinned.id)
    result = in_tx(workflows.complete_task, task.id, world.teacher_user, {})
    assert result.opened[0].task_name == "学校审核"  # v1's name: the instance runs on v1
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)
                             .where(ProcessDefinition.process_key == "teacher_collection")) == 2


def test_deploy_refuses_bad_diagrams_and_keeps_versions(world):
    workflows.deploy_shipped()
    shipped = db.session.scalar(select(func.count()).select_from(ProcessDefinition))
    bad = {
        "import": diagram("evil", script_task("import os\nx = os.getcwd()")),
        "dunder": diagram("escape", script_task("x = ().__class__.__base__.__subclasses__()")),
        "open": diagram("reader", script_task("x = open('/etc/passwd').read()")),
        "doctype": b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   + diagram("xxe", user_task()).split(b"?>", 1)[1],
        "xml": b"<bpmn:definitions",
        "flow": diagram("dangling", user_task()).replace(b'targetRef="end"', b'targetRef="nowhere"'),
    }
    for label, data in bad.items():
        with pytest.raises(workflows.DeployError) as err:
            in_tx(workflows.deploy_bytes, data)
        assert err.value.problems, label
    message = str(pytest.raises(workflows.DeployError, workflows.deploy_bytes, bad["import"]).value)
    assert "last" in message and "import" in message
    assert "nowhere" in str(pytest.raises(workflows.DeployError, workflows.deploy_bytes, bad["flow"]).value)
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == shipped


def test_unquoted_timer_refused_at_upload():
    timer = ('<bpmn:intermediateCatchEvent id="last" name="等一天"><bpmn:incoming>f_start</bpmn:incoming>'
             '<bpmn:outgoing>f_end</bpmn:outgoing><bpmn:timerEventDefinition id="t">'
             '<bpmn:timeDuration>{}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
             '<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="last"/>')
    problems = workflows.check_bpmn(diagram("wait", timer.format("P1D"), lane=None))
    assert problems and problems[0].element_id == "last" and '"P1D"' in problems[0].message
    assert workflows.check_bpmn(diagram("wait", timer.format('"P1D"'), lane=None)) == []


# ----------------------------------------------------------------------------- the collection flow

def test_collection_to_effective(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    assert instance.status == "running" and instance.revision == 1
    fill = open_task(instance.id)
    assert (fill.task_key, fill.candidate_role, fill.candidate_org_id, fill.subject_teacher_id) == \
        ("fill", "teacher", w.school.id, w.teacher.id)
    assert teacher_state(w.teacher.id).state == "draft"

    r = in_tx(workflows.complete_task, fill.id, w.teacher_user, {"decision": "submit"})
    assert r.revision == 2 and [t.task_key for t in r.opened] == ["school_review"]
    t = teacher_state(w.teacher.id)
    assert t.state == "submitted" and t.submitted_at is not None
    review = open_task(instance.id)
    assert (review.candidate_role, review.candidate_org_id) == ("info_admin", w.school.id)
    assert review.due_at is not None and review.remind_at < review.due_at  # from the diagram's properties

    r = in_tx(workflows.complete_task, review.id, w.school_admin, {"decision": "approve"})
    assert teacher_state(w.teacher.id).state == "school_approved"
    authority = open_task(instance.id)
    assert (authority.task_key, authority.candidate_org_id) == ("authority_review", w.district.id)

    r = in_tx(workflows.complete_task, authority.id, w.district_admin, {"decision": "approve"})
    assert r.status == "completed" and r.opened == []
    t = teacher_state(w.teacher.id)
    assert t.state == "effective" and t.effective_at is not None
    versions = db.session.scalars(select(RecordVersion).where(RecordVersion.teacher_id == w.teacher.id)).all()
    assert [(v.number, v.reviewed_by_id, v.basic["name"]) for v in versions] == [(1, w.district_admin.id, "李老师")]
    assert db.session.scalar(select(func.count()).select_from(HumanTask)) == 0
    done = db.session.get(ProcessInstance, instance.id)
    assert done.status == "completed" and done.revision == 4
    actions = [(e.action, e.task_key, e.user_name) for e in workflows.instance_events(instance.id)]
    assert actions == [("started", None, "张三"), ("completed", "fill", "李老师"),
                       ("completed", "school_review", "张三"), ("completed", "authority_review", "赵四"),
                       ("finished", None, "赵四")]


def test_callers_unsaved_edits_survive(world):
    """A view edits the record and submits in one transaction: the edit is kept, the state moves."""
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    fill_id = open_task(instance.id).id

    def save_and_submit():
        teacher = db.session.get(Teacher, w.teacher.id)
        teacher.basic = {**teacher.basic, "phone": "13800000000"}  # not flushed yet
        workflows.complete_task(fill_id, w.teacher_user, {})
        assert teacher.state == "submitted" and teacher.basic["phone"] == "13800000000"

    in_tx(save_and_submit)
    t = teacher_state(w.teacher.id)
    assert t.state == "submitted" and t.basic["phone"] == "13800000000"


def test_province_run_school_reviews_its_own(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w, w.province_school_teacher, w.province_school_admin)
    in_tx(workflows.complete_task, open_task(instance.id).id, w.province_school_admin, {})
    in_tx(workflows.complete_task, open_task(instance.id).id, w.province_school_admin, {"decision": "approve"})
    authority = open_task(instance.id)
    assert authority.task_key == "authority_review" and authority.candidate_org_id == w.province_school.id


def test_return_loop_keeps_reason(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    in_tx(workflows.complete_task, open_task(instance.id).id, w.school_admin, {})  # the school fills in
    first_review = open_task(instance.id)
    in_tx(workflows.complete_task, first_review.id, w.school_admin, {"decision": "return", "reason": "学历信息缺失"})
    t = teacher_state(w.teacher.id)
    assert t.state == "returned" and t.return_reason == "学历信息缺失"
    refill = open_task(instance.id)
    assert refill.task_key == "fill" and refill.id != first_review.id

    in_tx(workflows.complete_task, refill.id, w.teacher_user, {"decision": "submit"})
    t = teacher_state(w.teacher.id)
    assert t.state == "submitted" and t.return_reason is None
    in_tx(workflows.complete_task, open_task(instance.id).id, w.school_admin, {"decision": "approve"})
    in_tx(workflows.complete_task, open_task(instance.id).id, w.district_admin,
          {"decision": "return", "reason": "职称与证书不符"})
    t = teacher_state(w.teacher.id)
    assert t.state == "returned" and t.return_reason == "职称与证书不符"
    assert open_task(instance.id).task_key == "fill"
    reasons = [e.detail["data"].get("reason") for e in workflows.instance_events(instance.id)
               if e.action == "completed" and e.detail["data"].get("decision") == "return"]
    assert reasons == ["学历信息缺失", "职称与证书不符"]


def test_who_may_act(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    other_teacher = in_tx(workflows.start_instance, "teacher_collection",
                          subject_teacher_id=w.province_school_teacher.id)
    with pytest.raises(workflows.NotAllowed):  # a teacher never acts on a colleague's record
        in_tx(workflows.complete_task, open_task(other_teacher.id).id, w.teacher_user, {})
    with pytest.raises(workflows.NotAllowed):  # another school's administrator
        in_tx(workflows.complete_task, open_task(instance.id).id, w.other_admin, {})
    in_tx(workflows.complete_task, open_task(instance.id).id, w.teacher_user, {})
    with pytest.raises(workflows.NotAllowed):  # the bureau does not do the school's review
        in_tx(workflows.complete_task, open_task(instance.id).id, w.district_admin, {"decision": "approve"})
    assert workflows.acting_roles("info_admin") == {"info_admin", "teacher"}
    assert workflows.acting_roles("teacher") == {"teacher"}


def test_completing_twice_names_who_did_it(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    in_tx(workflows.complete_task, open_task(instance.id).id, w.teacher_user, {})
    review = open_task(instance.id)
    in_tx(workflows.complete_task, review.id, w.school_admin, {"decision": "approve"})
    with pytest.raises(workflows.TaskAlreadyHandled) as err:
        in_tx(workflows.complete_task, review.id, w.school_admin2, {"decision": "return", "reason": "x"})
    assert err.value.handled_by_name == "张三" and err.value.task_name == "学校审核"
    assert str(err.value).startswith("任务“学校审核”已由 张三 于 ")
    with pytest.raises(workflows.TaskNotFound):
        in_tx(workflows.complete_task, 999999, w.school_admin, {})


def test_claims(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    in_tx(workflows.complete_task, open_task(instance.id).id, w.teacher_user, {})
    review = open_task(instance.id)
    in_tx(workflows.claim_task, review.id, w.school_admin)
    with pytest.raises(workflows.TaskClaimed) as err:
        in_tx(workflows.claim_task, review.id, w.school_admin2)
    assert "张三" in str(err.value)
    with pytest.raises(workflows.TaskClaimed):
        in_tx(workflows.complete_task, review.id, w.school_admin2, {"decision": "approve"})
    with pytest.raises(workflows.TaskClaimed):
        in_tx(workflows.unclaim_task, review.id, w.school_admin2)
    in_tx(workflows.unclaim_task, review.id, w.school_admin)
    in_tx(workflows.claim_task, review.id, w.school_admin2)
    r = in_tx(workflows.complete_task, review.id, w.school_admin2, {"decision": "approve"})
    assert r.task_key == "school_review"


def test_bad_task_data_and_decisions(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    fill = open_task(instance.id)
    for data in ({"_x": 1}, {"make_effective": 1}, {"when": dt.date(2026, 1, 1)}, ["decision"]):
        with pytest.raises(workflows.InvalidTaskData):
            in_tx(workflows.complete_task, fill.id, w.teacher_user, data)
    in_tx(workflows.complete_task, fill.id, w.teacher_user, {})
    review = open_task(instance.id)
    with pytest.raises(workflows.EngineError) as err:
        in_tx(workflows.complete_task, review.id, w.school_admin, {"decision": "maybe"})
    assert "school_decision" in str(err.value)
    # Nothing moved: the failed attempt rolled back completely.
    assert open_task(instance.id).id == review.id
    assert db.session.get(ProcessInstance, instance.id).revision == 2


# ----------------------------------------------------------------------------- state storage

def test_state_is_stored_without_spec_and_restores(world):
    w = world
    workflows.deploy_shipped()
    instance = start(w)
    in_tx(workflows.complete_task, open_task(instance.id).id, w.teacher_user, {"note": "已核对"})
    row = db.session.get(ProcessInstance, instance.id)
    state = json.loads(row.state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(row.state) < 8000
    definition = db.session.get(ProcessDefinition, row.definition_id)

    store.SPECS._by_hash.clear()  # as after a restart: restored from spec_json once
    deployed = workflows.deployed_spec(definition.id)
    assert workflows.deployed_spec(definition.id) is deployed
    wf = store.load_state(row.state, deployed)
    assert wf.spec is deployed.spec
    assert type(wf.script_engine).__name__ == "RestrictedScriptEngine"
    ready = [t for t in wf.get_tasks() if t.task_spec.name == "school_review" and t.state == 16]  # READY
    assert ready and ready[0].data["note"] == "已核对"
    assert store.dump_state(store.load_state(store.dump_state(wf), deployed)) == store.dump_state(wf)

    # And the product continues from the stored state after the cache was dropped.
    in_tx(workflows.complete_task, open_task(instance.id).id, w.school_admin, {"decision": "approve"})
    assert open_task(instance.id).task_key == "authority_review"


def test_script_values_round_trip(world):
    # start → script → user task (lane of the subject unit) → end
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="dates" name="日期" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="单位信息管理员"><bpmn:flowNodeRef>check</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc" name="计算"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>d = date(2026, 1, 2)
when = datetime(2026, 1, 2, 3, 4)
n = sum([x * 2 for x in range(4)])
n += 1
names = sorted(['b', 'a'])</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="check" name="核对"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="check"/>
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>""".encode()
    in_tx(workflows.deploy_bytes, data)
    instance = in_tx(workflows.start_instance, "dates", subject_org_id=world.school.id)
    wf = store.load_state(db.session.get(ProcessInstance, instance.id).state,
                          workflows.deployed_spec(instance.definition_id))
    check = [t for t in wf.get_tasks() if t.task_spec.name == "check"][0]
    assert check.data["d"] == dt.date(2026, 1, 2) and check.data["n"] == 13 and check.data["names"] == ["a", "b"]
    assert check.data["when"] == dt.datetime(2026, 1, 2, 3, 4)
    task = open_task(instance.id)
    assert (task.candidate_org_id, task.candidate_role) == (world.school.id, "info_admin")


# ----------------------------------------------------------------------------- scripts

@pytest.mark.parametrize("src, needle", [
    ("import os", "import"),
    ("from os import path", "import"),
    ("x = ().__class__.__base__.__subclasses__()", "下划线"),
    ("x = open('/etc/passwd').read()", "open"),
    ("x = eval('1+1')", "eval"),
    ("exec('x = 1')", "exec"),
    ("x = __import__('os')", "__import__"),
    ("x = getattr(1, '__class__')", "getattr"),
    ("x = (\n1 +", "语法错误"),
])
def test_check_script_refuses(src, needle):
    problems = workflows.check_script(src)
    assert problems and any(needle in p for p in problems), problems
    assert problems[0].startswith("第 ")


def test_check_expression():
    assert workflows.check_expression('decision == "approve"') == []
    assert workflows.check_expression("x.__class__")
    assert workflows.check_expression("import os")
    assert workflows.check_expression("")


def test_restricted_environment_at_run_time():
    from workflows.scripting import ENGINE, ScriptRefused

    env = ENGINE.environment
    data = {"a": [1, 2, 3]}
    env.execute("b = sum(a)\nc = {'k': a[0]}\nc['j'] = 2\nfor x in a:\n    b += x", data)
    assert data == {"a": [1, 2, 3], "b": 12, "c": {"k": 1, "j": 2}, "x": 3}  # no globals left behind
    assert env.evaluate("b > 10 and len(a) == 3", data) is True
    for bad in ("import os", "x = ().__class__", "x = open('f')"):
        with pytest.raises(ScriptRefused):
            env.execute(bad, {})
    # Names outside the declared set are simply undefined.
    with pytest.raises(NameError):
        env.execute("x = compile_all()", {})
    with pytest.raises(ValueError):  # task data may not shadow an action
        env.execute("x = 1", {"make_effective": 1})


def test_scripts_are_bounded_in_time(monkeypatch):
    import time

    from workflows import scripting
    monkeypatch.setattr(scripting, "TIME_LIMIT_SECONDS", 0.2)
    started = time.monotonic()
    with pytest.raises(scripting.ScriptTimeout):
        scripting.ENGINE.environment.execute("n = 0\nwhile True:\n    n += 1", {})
    with pytest.raises(scripting.ScriptTimeout):
        scripting.ENGINE.environment.evaluate("[x for x in range(10 ** 12)]", {})
    assert time.monotonic() - started < 2


def test_unknown_lane_is_a_clear_error(world):
    in_tx(workflows.deploy_bytes, diagram("canteen", user_task(), lane="食堂"))
    with pytest.raises(workflows.UnknownLane) as err:
        in_tx(workflows.start_instance, "canteen", subject_teacher_id=world.teacher.id)
    assert "食堂" in str(err.value) and "last" in str(err.value)
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_timer_due_time_on_instance(world):
    timer = ('<bpmn:intermediateCatchEvent id="wait" name="等一小时"><bpmn:incoming>f_start</bpmn:incoming>'
             '<bpmn:outgoing>f_mid</bpmn:outgoing><bpmn:timerEventDefinition id="t">'
             '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
             '<bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="wait"/>'
             '<bpmn:scriptTask id="last" name="记"><bpmn:incoming>f_mid</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing>'
             '<bpmn:script>done = True</bpmn:script></bpmn:scriptTask>'
             '<bpmn:sequenceFlow id="f_mid" sourceRef="wait" targetRef="last"/>')
    in_tx(workflows.deploy_bytes, diagram("waiting", timer, lane=None))
    before = dt.datetime.now(dt.timezone.utc)
    instance = in_tx(workflows.start_instance, "waiting", subject_org_id=world.school.id)
    row = db.session.get(ProcessInstance, instance.id)
    assert row.status == "running"
    assert before + dt.timedelta(minutes=59) < row.next_due_at < before + dt.timedelta(minutes=61)
    assert row.next_due_at.tzinfo is not None


def test_bulk_start(world):
    w = world
    workflows.deploy_shipped()
    ids = in_tx(workflows.start_instances, "teacher_collection",
                [{"subject_teacher_id": w.teacher.id}, {"subject_teacher_id": w.province_school_teacher.id}],
                user=w.school_admin)
    assert len(ids) == 2
    tasks = db.session.scalars(select(HumanTask).order_by(HumanTask.instance_id)).all()
    assert [(t.instance_id, t.task_key, t.candidate_org_id) for t in tasks] == \
        [(ids[0], "fill", w.school.id), (ids[1], "fill", w.province_school.id)]
    assert db.session.scalar(select(func.count()).select_from(WorkflowEvent)
                             .where(WorkflowEvent.action == "started")) == 2


def test_task_info_for_forms(world):
    workflows.deploy_shipped()
    instance = start(world)
    info = workflows.task_info(open_task(instance.id).id)
    assert info.task_key == "fill" and "报送" in info.documentation
    assert info.properties["record_state"] == "draft" and info.revision == 1
