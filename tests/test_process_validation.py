"""Diagram validation: the bad uploads, the diagrams from other modelers, a Camunda export, the
timer-literal rule, the `process check` command, and that a refused upload changes nothing."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import workflows
from models import HumanTask, ProcessDefinition, ProcessInstance, db
from tests.conftest import DATA
from tests.engine_fixtures import *  # noqa: F401,F403 -- fixtures
from workflows import validation
from workflows.validation_rules import RULES

BAD = DATA / "bpmn_bad"
REAL = DATA / "bpmn_real"
CAMUNDA = DATA / "bpmn_camunda" / "leave_request_camunda7.bpmn"
SHIPPED = sorted((Path(__file__).resolve().parent.parent / "bpmn").glob("*.bpmn"))


def errors(result):
    return [p for p in result.problems if p.severity == "error"]


def text(problems):
    return "\n".join(validation.problem_line(p) for p in problems)


# ----------------------------------------------------------------------------- bad uploads

# file -> (element that must be named, words the message must contain)
BAD_OUTCOMES = {
    "script_imports_os.bpmn": ("run_shell", ["导入模块", "操作系统"]),
    "dunder_escape.bpmn": ("peek", ["下划线"]),
    "xxe_file_read.bpmn": ("definitions", ["DOCTYPE"]),
    "entity_bomb.bpmn": ("definitions", ["DOCTYPE"]),
    "unquoted_timer.bpmn": ("wait_a_day", ['"P1D"', "不是有效的表达式"]),
    "dangling_flow.bpmn": ("f2", ["nowhere", "不存在"]),
    "truncated.bpmn": ("definitions", ["XML"]),
}


def test_every_bad_sample_has_an_expected_outcome():
    assert sorted(BAD_OUTCOMES) == sorted(p.name for p in BAD.glob("*.bpmn"))


@pytest.mark.parametrize("name", sorted(BAD_OUTCOMES))
def test_bad_diagram_refused_naming_the_element(app, name):
    element, words = BAD_OUTCOMES[name]
    result = validation.validate((BAD / name).read_bytes(), name)
    assert not result.ok and result.deployed is None
    named = [p for p in errors(result) if p.element_id == element]
    assert named, text(result.problems)
    for word in words:
        assert any(word in p.message for p in named), (word, text(result.problems))


def test_truncated_names_the_line(app):
    [problem] = errors(validation.validate((BAD / "truncated.bpmn").read_bytes()))
    assert problem.line == 7


def test_unquoted_timer_names_event_and_line(app):
    [problem] = errors(validation.validate((BAD / "unquoted_timer.bpmn").read_bytes()))
    assert (problem.element_id, problem.element_name, problem.line) == ("wait_a_day", "Wait one day", 5)


def test_server_files_never_appear(app):
    for name in ("xxe_file_read.bpmn", "entity_bomb.bpmn"):
        result = validation.validate((BAD / name).read_bytes())
        assert "root:" not in text(result.problems) and "aaaaaaaaaa" not in text(result.problems)


def test_entity_bomb_refused_quickly_in_any_encoding(app):
    data = (BAD / "entity_bomb.bpmn").read_text(encoding="utf-8")
    for raw in (data.encode("utf-8"), data.replace("UTF-8", "UTF-16").encode("utf-16")):
        started = time.perf_counter()
        result = validation.validate(raw)
        assert time.perf_counter() - started < 1.0
        assert not result.ok and "DOCTYPE" in text(result.problems)


def test_refused_uploads_leave_versions_and_instances_unchanged(world):
    workflows.deploy_shipped()
    instance = workflows.run_in_transaction(workflows.start_instance, "teacher_collection",
                                            subject_teacher_id=world.teacher.id, user=world.school_admin)

    def snapshot():
        db.session.expire_all()
        definitions = db.session.execute(select(ProcessDefinition.id, ProcessDefinition.content_hash,
                                                ProcessDefinition.is_current, ProcessDefinition.version)).all()
        instances = db.session.execute(select(ProcessInstance.id, ProcessInstance.definition_id,
                                              ProcessInstance.state, ProcessInstance.revision,
                                              ProcessInstance.status)).all()
        tasks = db.session.execute(select(HumanTask.id, HumanTask.task_uuid, HumanTask.definition_id)).all()
        return definitions, instances, tasks

    before = snapshot()
    refused = [*(BAD / n for n in BAD_OUTCOMES), *(REAL / n for n in REFUSED_REAL)]
    for path in refused:
        with pytest.raises(workflows.DeployError) as err:
            workflows.run_in_transaction(workflows.deploy_bytes, path.read_bytes(), world.school_admin,
                                         filename=path.name)
        assert err.value.errors, path.name
    assert snapshot() == before
    assert db.session.get(ProcessInstance, instance.id).status == "running"


# ----------------------------------------------------------------------------- other modelers

ACCEPTED_REAL = {
    "miwg_reference_C.9.1.bpmn": "requestDocument_en",
    "miwg_bpmnio_A.4.0-export.bpmn": "Process_0elb8rq",
    "miwg_aris_A.1.0-export.bpmn": "Process_ID-ca36d590-70ba-11e9-69f8-f48e38b53512",
}
# file -> (element named, words of the message)
REFUSED_REAL = {
    "miwg_signavio_A.1.0-export.bpmn": ("sid-f90c361f-1f0b-4c91-8c49-61e5c68c8b0f", ["可执行", 'isExecutable="true"']),
    "miwg_reference_C.1.1.bpmn": ("sid-14ef3d18-7218-4f57-98f0-bb595114754b", ["Financial Accounting System", "数据存储"]),
    "miwg_bpmnio_C.6.0-export.bpmn": ("Event_0isfp1w", ["没有设置日期、时长或周期"]),
    "bpmnjs_no-process-collaboration.bpmn": ("definitions", ["没有流程"]),
    "bpmnjs_missing-namespace.bpmn": ("definitions", ["不是 BPMN 2.0 文件", "命名空间"]),
}


def test_every_real_sample_has_an_expected_outcome():
    assert sorted([*ACCEPTED_REAL, *REFUSED_REAL]) == sorted(p.name for p in REAL.glob("*.bpmn"))


@pytest.mark.parametrize("name", sorted(ACCEPTED_REAL))
def test_real_diagram_accepted(app, name):
    result = validation.validate((REAL / name).read_bytes(), name)
    assert result.ok, text(result.problems)
    assert result.process_key == ACCEPTED_REAL[name]


@pytest.mark.parametrize("name", sorted(REFUSED_REAL))
def test_real_diagram_refused_in_plain_words(app, name):
    element, words = REFUSED_REAL[name]
    result = validation.validate((REAL / name).read_bytes(), name)
    assert not result.ok
    named = [p for p in errors(result) if p.element_id == element]
    assert named, text(result.problems)
    for word in words:
        assert any(word in p.message for p in named), (word, text(result.problems))
    assert not any("ValidationException" in p.message or "Traceback" in p.message for p in result.problems)


def test_signavio_parses_once_executable(app):
    data = (REAL / "miwg_signavio_A.1.0-export.bpmn").read_bytes().replace(
        b'isExecutable="false"', b'isExecutable="true"')
    assert validation.validate(data).ok


def test_all_problems_of_a_file_at_once(app):
    result = validation.validate((REAL / "miwg_bpmnio_C.6.0-export.bpmn").read_bytes())
    timers = {p.element_id for p in errors(result) if "没有设置日期、时长或周期" in p.message}
    assert timers == {"Event_1gu9t77", "Event_0isfp1w"}
    assert any("服务任务" in p.message for p in errors(result))
    assert any("补偿" in p.message for p in errors(result))
    by_id = {p.element_id: p for p in errors(result)}
    assert by_id["Event_1gu9t77"].element_name == "24 Hours" and by_id["Event_1gu9t77"].line == 33

    c11 = validation.validate((REAL / "miwg_reference_C.1.1.bpmn").read_bytes())
    kinds = {"数据存储", "服务任务", "条件"}
    assert all(any(k in p.message for p in errors(c11)) for k in kinds), text(c11.problems)


def test_two_pools_names_the_one_that_runs(app):
    result = validation.validate((REAL / "miwg_bpmnio_A.4.0-export.bpmn").read_bytes())
    [note] = [p for p in result.problems if p.severity == "info" and p.element_id == "Process_0elb8rq"]
    assert "“Pool”" in note.message and "Process_0wqyt7t" in note.message and "不会运行" in note.message


def test_several_executable_pools_ask_to_choose(app):
    data = (REAL / "miwg_bpmnio_A.4.0-export.bpmn").read_bytes().replace(
        b'isExecutable="false"', b'isExecutable="true"')
    result = validation.validate(data)
    choose = [p for p in errors(result) if "选择要运行的泳池" in p.message]
    assert {p.element_id for p in choose} == {"Process_0elb8rq", "Process_0wqyt7t"}
    assert any(p.element_id == "Task3Task" and "并行网关" in p.message for p in errors(result))  # the other pool's own


# ----------------------------------------------------------------------------- the timer-literal rule

def test_other_modelers_timer_literals_are_converted_with_a_note(app):
    result = validation.validate((REAL / "miwg_reference_C.9.1.bpmn").read_bytes())
    notes = {p.element_id: p.message for p in result.problems if p.severity == "info" and "已转换" in p.message}
    assert set(notes) == {"BoundaryEvent_1", "BoundaryEvent_2"}
    assert '"R6/P1D"' in notes["BoundaryEvent_1"] and '"P7D"' in notes["BoundaryEvent_2"]
    assert b'>"P7D"</bpmn:timeDuration>' in result.xml and b'>"R6/P1D"</bpmn:timeCycle>' in result.xml


def test_spiff_dialect_must_quote_while_the_same_diagram_without_it_is_converted(app):
    spiff = (BAD / "unquoted_timer.bpmn").read_bytes()
    plain = spiff.replace(b' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"', b"")
    refused = validation.validate(spiff)
    assert not refused.ok and '"P1D"' in errors(refused)[0].message
    converted = validation.validate(plain)
    assert converted.ok and converted.xml != plain and b'"P1D"' in converted.xml
    quoted = validation.validate(spiff.replace(b">P1D<", b'>"P1D"<'))
    assert quoted.ok and quoted.xml == spiff.replace(b">P1D<", b'>"P1D"<')  # Spiff dialect: bytes kept as is


def test_converted_diagram_deploys_and_its_timer_runs(world):
    data = (REAL / "miwg_reference_C.9.1.bpmn").read_bytes()
    definition, created = workflows.run_in_transaction(workflows.deploy_bytes, data)
    assert created and b'"P7D"' in definition.bpmn_xml
    again, created = workflows.run_in_transaction(workflows.deploy_bytes, data)
    assert not created and again.id == definition.id  # the original bytes map to the converted version
    instance = workflows.run_in_transaction(workflows.start_instance, "requestDocument_en",
                                            subject_org_id=world.school.id)
    db.session.refresh(instance)
    assert instance.status == "running" and instance.next_due_at is not None  # R6/P1D and P7D timers armed


def test_bad_timer_values(app):
    timer = ('<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:incoming>f1</bpmn:incoming>'
             '<bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition id="t">{}</bpmn:timerEventDefinition>'
             '</bpmn:intermediateCatchEvent>')
    cases = {
        '<bpmn:timeDuration>"P1X"</bpmn:timeDuration>': "不是有效的 ISO 8601",
        '<bpmn:timeDuration>42</bpmn:timeDuration>': "应为 ISO 8601",
        '<bpmn:timeDuration>__import__("os")</bpmn:timeDuration>': "__import__",
        '<bpmn:timeDuration></bpmn:timeDuration>': "没有设置日期、时长或周期",
        '': "没有设置日期、时长或周期",
    }
    for body, words in cases.items():
        result = validation.validate(linear(timer.format(body)))
        assert {p.element_id for p in errors(result)} == {"wait"}, body
        assert any(words in p.message for p in errors(result)), body


# ----------------------------------------------------------------------------- a Camunda export

def test_camunda_export_refused_for_its_juel_conditions_only(app):
    result = validation.validate(CAMUNDA.read_bytes(), CAMUNDA.name)
    assert {p.element_id for p in errors(result)} == {"Flow_approved", "Flow_rejected"}
    assert all("Python 表达式" in p.message for p in errors(result))
    assert {p.element_name for p in errors(result)} == {"批准", "不批准"}


def test_camunda_export_with_python_conditions_accepted_with_notes_and_runs(world):
    data = CAMUNDA.read_bytes().replace(b"${approved}", b"approved").replace(b"${!approved}", b"not approved")
    result = validation.validate(data)
    assert result.ok, text(result.problems)
    notes = [p.message for p in result.problems if p.severity == "info"]
    assert any("PT48H" in n and "已转换" in n for n in notes)
    assert any("Camunda" in n and "assignee" in n and "candidateGroups" in n for n in notes)
    assert not [p for p in result.problems if p.severity == "warning"]  # both lanes map to roles
    workflows.run_in_transaction(workflows.deploy_bytes, data)
    instance = workflows.run_in_transaction(workflows.start_instance, "leave_request",
                                            subject_teacher_id=world.teacher.id, user=world.school_admin)
    [task] = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    assert (task.task_key, task.lane, task.candidate_org_id) == ("fill_request", "教师", world.school.id)


# ----------------------------------------------------------------------------- rules, one by one

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"')


def linear(body: str, process_id: str = "p", extra: str = "") -> bytes:
    """start -f1-> body (one element, in f1, out f2) -f2-> end, in the Spiff dialect."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {body}
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{_first_id(body)}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="{_first_id(body)}" targetRef="end"/>
    {extra}
  </bpmn:process>
</bpmn:definitions>""".encode()


def _first_id(body: str) -> str:
    return body.split('id="', 1)[1].split('"', 1)[0]


RULE_CASES = {
    "processes_and_pools": (linear('<bpmn:task id="t"/>').replace(b'isExecutable="true"', b'isExecutable="false"'),
                            "p", "可执行"),
    "dangling_references": (linear('<bpmn:boundaryEvent id="b" attachedToRef="ghost">'
                                   '<bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration>'
                                   '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'), "b", "ghost"),
    "unsupported_elements": (linear('<bpmn:complexGateway id="cg"/>'), "cg", "复杂网关"),
    "data_stores": (linear('<bpmn:dataStoreReference id="ds" name="人事库"/><bpmn:task id="t"/>'), "ds", "人事库"),
    "timer_values": (linear('<bpmn:intermediateCatchEvent id="w"><bpmn:timerEventDefinition>'
                            '<bpmn:timeCycle>"R3/PX"</bpmn:timeCycle></bpmn:timerEventDefinition>'
                            '</bpmn:intermediateCatchEvent>'), "w", "计时器"),
    "scripts_and_expressions": (linear('<bpmn:scriptTask id="s"><bpmn:script>send_mail(to)</bpmn:script>'
                                       '</bpmn:scriptTask>'), "s", "send_mail"),
    "gateways_and_splits": (linear('<bpmn:exclusiveGateway id="g"/>',
                                   extra='<bpmn:sequenceFlow id="f3" name="否" sourceRef="g" targetRef="end"/>'),
                            "f3", "没有条件"),
    "starts_and_ends": (linear('<bpmn:subProcess id="sp"><bpmn:task id="inner"/></bpmn:subProcess>'), "sp",
                        "开始事件"),
    "lanes_and_properties": (linear('<bpmn:userTask id="u"><bpmn:extensionElements><spiffworkflow:properties>'
                                    '<spiffworkflow:property name="due_in" value="7 days"/>'
                                    '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>'),
                             "u", "due_in"),
    "message_waits": (linear('<bpmn:receiveTask id="r"/>'), "r", "外部消息"),
    "vendor_extensions": (linear('<bpmn:task id="t" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
                                 'camunda:assignee="x"/>'), "definitions", "Camunda"),
}


def test_every_rule_has_a_case():
    assert sorted(RULE_CASES) == sorted(rule.__name__ for rule in RULES)
    assert all(rule.__doc__ for rule in RULES)


@pytest.mark.parametrize("rule", sorted(RULE_CASES))
def test_rule(app, rule):
    data, element, words = RULE_CASES[rule]
    result = validation.validate(data)
    found = [p for p in result.problems if p.element_id == element and words in p.message]
    assert found, text(result.problems)
    assert all(p.line for p in found if p.element_id != "definitions")


def test_expected_process_id(app):
    data = linear('<bpmn:scriptTask id="s"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>')
    assert validation.validate(data, expected_key="p").ok
    result = validation.validate(data, expected_key="teacher_collection")
    assert not result.ok and "teacher_collection" in errors(result)[0].message


def test_size_cap_and_not_xml(app, tmp_path):
    big = tmp_path / "big.bpmn"
    big.write_bytes(b"<" + b"a" * validation.MAX_BYTES)
    with pytest.raises(workflows.DeployError) as err:
        validation.read_file(big)
    assert "过大" in str(err.value)
    assert "过大" in text(validation.validate(b"<" + b"a" * validation.MAX_BYTES).problems)
    for junk in (b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "普通文本".encode()):
        result = validation.validate(junk)
        assert not result.ok and result.problems[0].element_id == "definitions"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_diagrams_pass(app, path):
    result = validation.validate(path.read_bytes(), path.name)
    assert result.ok and not result.problems, text(result.problems)


# ----------------------------------------------------------------------------- process check

@pytest.mark.parametrize("path,code", [
    *[(BAD / n, 1) for n in sorted(BAD_OUTCOMES)],
    *[(REAL / n, 0) for n in sorted(ACCEPTED_REAL)],
    *[(REAL / n, 1) for n in sorted(REFUSED_REAL)],
    *[(p, 0) for p in SHIPPED],
    (CAMUNDA, 1),
], ids=lambda v: v.name if isinstance(v, Path) else str(v))
def test_process_check_command(app, path, code):
    result = app.test_cli_runner().invoke(args=["process", "check", str(path)])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line and not line.startswith("可以发布")]
    assert all(": " in line and " " not in line.split(": ", 1)[0] for line in lines), result.output
    if code == 1:
        assert lines


def test_process_check_output(app):
    out = app.test_cli_runner().invoke(args=["process", "check", str(BAD / "unquoted_timer.bpmn")]).output
    assert out.splitlines()[0].startswith('wait_a_day: 计时器表达式 P1D 不是有效的表达式')
    assert '"P1D"' in out and "第 5 行" in out
    out = app.test_cli_runner().invoke(args=["process", "check", str(REAL / "miwg_reference_C.9.1.bpmn")]).output
    assert "BoundaryEvent_2: 提示：" in out and "可以发布" in out
    missing = app.test_cli_runner().invoke(args=["process", "check", "/nonexistent/x.bpmn"])
    assert missing.exit_code == 1 and missing.output.startswith("-: ")
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == 0


CALLING = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d" targetNamespace="x">
  <bpmn:process id="main" name="主流程" isExecutable="true">
    <bpmn:startEvent id="s"/><bpmn:callActivity id="call" name="调用审核" calledElement="sub"/><bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="m1" sourceRef="s" targetRef="call"/><bpmn:sequenceFlow id="m2" sourceRef="call" targetRef="e"/>
  </bpmn:process>
  <bpmn:process id="sub" name="审核" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="学校信息管理员"><bpmn:flowNodeRef>u</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="ss"/><bpmn:userTask id="u" name="学校审核"/><bpmn:endEvent id="se"/>
    <bpmn:sequenceFlow id="s1" sourceRef="ss" targetRef="u"/><bpmn:sequenceFlow id="s2" sourceRef="u" targetRef="se"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def test_a_called_process_is_part_of_the_caller_not_a_second_one(world):
    result = validation.validate(CALLING)
    assert result.ok and result.process_key == "main" and not result.problems, text(result.problems)
    workflows.run_in_transaction(workflows.deploy_bytes, CALLING)
    instance = workflows.run_in_transaction(workflows.start_instance, "main", subject_teacher_id=world.teacher.id,
                                            user=world.school_admin)
    [task] = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)).all()
    assert (task.task_key, task.candidate_org_id) == ("u", world.school.id)
    missing = CALLING.replace(b'calledElement="sub"', b'calledElement="nope"')
    assert "nope" in text(validation.validate(missing).problems)


def test_a_process_without_an_end_event_is_refused():
    """A blank new process (a start event only) used to pass 校验 and publish as one that ends at once."""
    blank = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="Process_new" isExecutable="true"><bpmn:startEvent id="StartEvent_1"/></bpmn:process>
</bpmn:definitions>""".encode()
    result = validation.validate(blank)
    assert not result.ok
    assert [(p.element_id, p.message) for p in errors(result)] == [
        ("Process_new", "流程 Process_new 没有结束事件：请在流程办完的地方添加一个结束事件")]
    # an end event inside a subprocess does not end the process
    nested = linear('<bpmn:subProcess id="sp"><bpmn:startEvent id="s2"/><bpmn:endEvent id="e2"/></bpmn:subProcess>')
    assert validation.validate(nested).ok
    assert not validation.validate(nested.replace(b'<bpmn:endEvent id="end">', b'<bpmn:task id="end">')
                                   .replace(b'</bpmn:endEvent>\n    <bpmn:sequenceFlow id="f1"',
                                            b'</bpmn:task>\n    <bpmn:sequenceFlow id="f1"')).ok


@pytest.mark.parametrize("xml,words", [
    (b'<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
     b'</definitions>', "开始标签 <process>（第 2 行）与结束标签 </definitions> 不配对"),
    (b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="a" id="b"/>', "属性 id 写了两次"),
    (b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">R&D</process></definitions>',
     "&amp;"),
])
def test_xml_syntax_errors_are_told_in_chinese(app, xml, words):
    [problem] = errors(validation.validate(xml))
    assert words in problem.message and "技术信息" not in problem.message, problem.message


def test_schema_errors_are_told_in_chinese(app):
    xml = (b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">'
           b'<process id="1p" isExecutable="true"><startEvent id="s"/><bogus id="b"/></process></definitions>')
    messages = text(errors(validation.validate(xml)))
    assert "“1p”不是合法的标识" in messages and "元素 bpmn:bogus 不应出现在这里" in messages, messages
    assert "This element" not in messages and "atomic type" not in messages


def test_a_process_without_id_or_name_is_refused_not_a_crash(app):
    """Found by the fuzz run: the only runnable process with neither id nor name crashed the validator; with a
    name it was accepted (the schema allows a process without id) and would have been deployed without a key."""
    from lxml import etree
    root = etree.fromstring((Path(__file__).resolve().parents[1] / "bpmn" / "exchange_rotation.bpmn").read_bytes())
    process = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    for key in ("id", "name"):
        process.attrib.pop(key, None)
    result = validation.validate(etree.tostring(root))
    assert not result.ok and any("没有 id" in p.message for p in result.errors), result.problems
