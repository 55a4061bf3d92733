"""A BPMN file as the validation rules see it: its processes, pools, lanes and ids, and how to say
where a problem is (element id, name, line). Shared by validation_rules.py and validation_expressions.py.

Not here: the rules themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
STANDARD_NS = {
    BPMN_NS, SPIFF_NS,
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/XML/1998/namespace",
}
# Namespaces of other modelers / engines, for the note that their extensions are not executed.
VENDOR_NAMES = {
    "http://camunda.org/schema/1.0/bpmn": "Camunda",
    "http://camunda.org/schema/zeebe/1.0": "Camunda 8（Zeebe）",
    "http://camunda.org/schema/modeler/1.0": "Camunda Modeler",
    "http://www.signavio.com": "Signavio",
    "http://activiti.org/bpmn": "Activiti",
    "http://www.softwareag.com/aris/ebpmn": "ARIS",
    "http://flowable.org/bpmn": "Flowable",
}


def q(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


# ----------------------------------------------------------------------------- the diagram

# Flow nodes the engine runs, and the event definitions each kind of event understands (what Spiff's
# parser reads; anything else it silently drops, so it is named here instead).
EVENT_DEFINITIONS = {
    "startEvent": {"messageEventDefinition", "signalEventDefinition", "timerEventDefinition",
                   "conditionalEventDefinition"},
    "endEvent": {"messageEventDefinition", "cancelEventDefinition", "errorEventDefinition",
                 "escalationEventDefinition", "terminateEventDefinition"},
    "intermediateCatchEvent": {"messageEventDefinition", "signalEventDefinition", "timerEventDefinition",
                               "conditionalEventDefinition"},
    "intermediateThrowEvent": {"escalationEventDefinition", "messageEventDefinition", "signalEventDefinition"},
    "boundaryEvent": {"cancelEventDefinition", "errorEventDefinition", "escalationEventDefinition",
                      "messageEventDefinition", "signalEventDefinition", "timerEventDefinition",
                      "conditionalEventDefinition"},
}
GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway"}
HUMAN_TASKS = {"userTask", "manualTask", "task"}
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}
SUPPORTED_NODES = (set(EVENT_DEFINITIONS) | GATEWAYS | HUMAN_TASKS | SUBPROCESSES
                   | {"scriptTask", "sendTask", "receiveTask", "callActivity"})
# Flow nodes of BPMN that the engine cannot run, and what to use instead.
UNSUPPORTED_NODES = {
    "serviceTask": "服务任务不受支持：本系统的流程不调用外部服务。请改为脚本任务（调用系统提供的函数）或用户任务",
    "businessRuleTask": "业务规则任务（DMN 决策表）不受支持。请改为排他网关加条件，或脚本任务",
    "complexGateway": "复杂网关不受支持。请改为排他网关、包容网关或并行网关",
}
EVENT_DEFINITION_LABELS = {
    "messageEventDefinition": "消息", "signalEventDefinition": "信号", "timerEventDefinition": "计时器",
    "conditionalEventDefinition": "条件", "cancelEventDefinition": "取消", "errorEventDefinition": "错误",
    "escalationEventDefinition": "升级", "terminateEventDefinition": "终止",
    "compensateEventDefinition": "补偿", "linkEventDefinition": "链接",
}
EVENT_LABELS = {"startEvent": "开始事件", "endEvent": "结束事件", "intermediateCatchEvent": "中间捕获事件",
                "intermediateThrowEvent": "中间抛出事件", "boundaryEvent": "边界事件"}
# Elements inside a process that are not flow nodes and are fine to meet.
CONTAINER_CHILDREN = {
    "sequenceFlow", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
    "association", "group", "documentation", "extensionElements", "ioSpecification", "property",
    "incoming", "outgoing", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
    "dataInputAssociation", "dataOutputAssociation", "auditing", "monitoring", "category",
    "completionCondition",
}
EXPRESSION_TAGS = ("conditionExpression", "condition", "completionCondition", "loopCardinality", "loopCondition")


def clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value or None


@dataclass
class Diagram:
    """A parsed BPMN file and what the rules share: its processes, pools, lanes and ids."""

    root: object
    known_lanes: set[str]
    spiff_dialect: bool = False
    processes: list = field(default_factory=list)
    pools: dict[str, str] = field(default_factory=dict)     # process id -> participant name
    targets: list = field(default_factory=list)             # the processes that run (or would)
    ids: dict = field(default_factory=dict)                 # id -> element (whole file)
    lane_of: dict[str, str | None] = field(default_factory=dict)
    converted: list = field(default_factory=list)           # (element, old, new) timer literals quoted
    called: set = field(default_factory=set)                # process ids called by call activities
    executable: list = field(default_factory=list)
    runnable: list = field(default_factory=list)            # executable and not called: the one to deploy

    @classmethod
    def of(cls, root, known_lanes) -> "Diagram":
        d = cls(root, set(known_lanes))
        d.spiff_dialect = any(SPIFF_NS in (el.nsmap or {}).values() for el in root.iter() if isinstance(el.tag, str))
        d.processes = list(root.iter(q("process")))
        for participant in root.iter(q("participant")):
            if participant.get("processRef"):
                d.pools[participant.get("processRef")] = clean_name(participant.get("name")) or ""
        d.ids = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
        for ref in root.iter(q("flowNodeRef")):   # innermost lane wins, as in Spiff's parser
            if ref.text:
                d.lane_of[ref.text.strip()] = clean_name(ref.getparent().get("name"))
        d.called = {c.get("calledElement") for c in root.iter(q("callActivity")) if c.get("calledElement")}
        d.executable = [p for p in d.processes if p.get("isExecutable", "true") == "true"]
        # What runs: executable processes that no call activity of the file calls (those are its parts).
        d.runnable = [p for p in d.executable if p.get("id") not in d.called]
        d.targets = d.executable or d.processes
        return d

    def where(self, el, **extra) -> dict:
        owner = el
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        owner = owner if owner is not None else el
        return dict(element_id=owner.get("id"), element_name=clean_name(owner.get("name")),
                    line=owner.sourceline, **extra)

    def label(self, el) -> str:
        name = clean_name(el.get("name"))
        return f"“{name}”" if name else (el.get("id") or "")

    def pool_label(self, process) -> str:
        name = self.pools.get(process.get("id")) or clean_name(process.get("name"))
        return f"“{name}”（{process.get('id')}）" if name else process.get("id")

    def nodes(self):
        """Every element inside the processes that run, nested subprocesses included."""
        for process in self.targets:
            yield from (el for el in process.iter() if isinstance(el.tag, str))


def _problem(d: Diagram, el, message: str, severity: str = "error") -> Problem:
    return Problem(message, severity=severity, **d.where(el))
