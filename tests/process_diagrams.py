"""Small diagrams for the process administration tests (Spiff dialect, no drawing information).

`review_diagram()`: start → fill (lane 教师) → review (lane 学校信息管理员, with a non-interrupting
reminder timer) → end. Keyword arguments make the versions the migration tests need.
"""
from __future__ import annotations

NS = ('xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')


def review_diagram(process_id: str = "leave", *, fill_id: str = "fill", fill_name: str = "填写",
                   review_id: str = "review", review_name: str = "审核", review_lane: str = "学校信息管理员",
                   timer: str = '"P3D"', after_review: str = "", script: str | None = None) -> bytes:
    """`after_review`: extra elements between review and end (must go from `review` … to `end` via
    flows named f_x…); `script`: a script task `compute` between fill and review."""
    between = f'<bpmn:sequenceFlow id="f2" sourceRef="{fill_id}" targetRef="{review_id}"/>'
    script_task = ""
    if script is not None:
        between = (f'<bpmn:sequenceFlow id="f2" sourceRef="{fill_id}" targetRef="compute"/>'
                   f'<bpmn:sequenceFlow id="f2b" sourceRef="compute" targetRef="{review_id}"/>')
        script_task = f'<bpmn:scriptTask id="compute" name="计算"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>'
    end_flow = (after_review or f'<bpmn:sequenceFlow id="f3" sourceRef="{review_id}" targetRef="end"/>')
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="d_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{process_id}" name="请假审批" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_teacher" name="教师"><bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>{fill_id}</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="lane_review" name="{review_lane}"><bpmn:flowNodeRef>{review_id}</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="{fill_id}" name="{fill_name}"/>
    {script_task}
    <bpmn:userTask id="{review_id}" name="{review_name}"/>
    <bpmn:boundaryEvent id="remind" name="提醒" cancelActivity="false" attachedToRef="{review_id}">
      <bpmn:timerEventDefinition id="remind_def"><bpmn:timeDuration>{timer}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="reminded"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="{fill_id}"/>
    {between}
    {end_flow}
    <bpmn:sequenceFlow id="f4" sourceRef="remind" targetRef="reminded"/>
  </bpmn:process>
</bpmn:definitions>""".encode()
