"""The product's own checks of a diagram, over its XML: every problem of a file at once.

Spiff's parser stops at the first problem and words it for programmers; these rules walk the whole
file and say what to change, in the user's language, naming the element (id, name, line). They run
on the lxml tree before the parser (validation.py runs the parser afterwards for anything missed).

`RULES` is the declared list, in the order problems are shown; each rule is a function
`rule(diagram) -> [Problem]` and says in its docstring what it refuses. Tests enumerate it.

The timer-literal rule (see `timers`): a diagram in the Spiff dialect (the spiffworkflow namespace
declared: our own and bpmn.io-for-Spiff diagrams) must write timer values as expressions, so a bare
`P1D` is refused with the quoted suggestion `"P1D"`. A diagram from another modeler (no spiffworkflow
namespace: Camunda, Signavio, ARIS exports) writes bare ISO 8601 values by the BPMN standard; those
are converted to quoted expressions on import, and an informational note names each converted element.

Not here: reading the bytes, the XSD and the parser passes (validation.py); the restricted script
environment itself (scripting.py).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import lanes, scripting, timers
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
        executable = [p for p in d.processes if p.get("isExecutable", "true") == "true"]
        d.targets = executable or d.processes
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


# ----------------------------------------------------------------------------- rules

def processes_and_pools(d: Diagram) -> list[Problem]:
    """A file needs exactly one executable process; name the pool that runs when there are several."""
    if not d.processes:
        participants = list(d.root.iter(q("participant")))
        where = f"（只有泳池 {'、'.join(d.label(p) for p in participants)} 的外框）" if participants else ""
        return [Problem(f"文件中没有流程{where}：请在建模工具中画出流程（开始事件、任务、结束事件）后再上传",
                        element_id="definitions")]
    executable = [p for p in d.processes if p.get("isExecutable", "true") == "true"]
    if not executable:
        return [_problem(d, p, f"流程 {d.pool_label(p)} 未设置为可执行（isExecutable=\"false\"）：本系统只运行可执行的流程。"
                                "请在建模工具的流程属性中勾选“可执行”（Executable），或在文件中改为 isExecutable=\"true\"")
                for p in d.processes]
    if len(executable) > 1:
        pools = "、".join(d.pool_label(p) for p in executable)
        return [_problem(d, p, f"一个文件只能运行一个流程，现有 {len(executable)} 个可执行流程（{pools}）："
                               "请选择要运行的泳池，把其余泳池的“可执行”取消（isExecutable=\"false\"）")
                for p in executable]
    if len(d.processes) > 1:
        others = "、".join(d.pool_label(p) for p in d.processes if p is not executable[0])
        return [_problem(d, executable[0], f"运行的是泳池 {d.pool_label(executable[0])}；{others} 未设为可执行，"
                                           "只作说明，不会运行（泳池之间的消息流也不会执行）", "info")]
    return []


def dangling_references(d: Diagram) -> list[Problem]:
    """Flows, boundary events, default flows and call activities must point at elements that exist."""
    out = []
    for flow in d.root.iter(q("sequenceFlow")):
        for attr, label in (("sourceRef", "起点"), ("targetRef", "终点")):
            ref = flow.get(attr)
            if not ref:
                out.append(_problem(d, flow, f"顺序流 {flow.get('id')} 没有{label}：请把它连到一个元素上，或删除它"))
            elif ref not in d.ids:
                out.append(_problem(d, flow, f"顺序流 {flow.get('id')} 的{label}指向不存在的元素 {ref}："
                                             "请把它重新连到现有元素上，或删除它"))
    for event in d.root.iter(q("boundaryEvent")):
        ref = event.get("attachedToRef")
        if ref not in d.ids:
            out.append(_problem(d, event, f"边界事件附着的元素 {ref} 不存在：请把它放到一个任务的边框上"))
    for el in d.root.iter():
        default = el.get("default") if isinstance(el.tag, str) and el.tag.startswith(f"{{{BPMN_NS}}}") else None
        if default and default not in d.ids:
            out.append(_problem(d, el, f"默认流 {default} 不存在：请重新选择默认出口"))
    process_ids = {p.get("id") for p in d.processes}
    for call in d.root.iter(q("callActivity")):
        called = call.get("calledElement")
        if not called:
            out.append(_problem(d, call, "调用活动没有指定被调用的流程（calledElement）"))
        elif called not in process_ids:
            out.append(_problem(d, call, f"调用活动调用的流程 {called} 不在本文件中：被调用的流程要放在同一个文件里"))
    return out


def unsupported_elements(d: Diagram) -> list[Problem]:
    """Elements the engine would drop or cannot run are named, never silently ignored."""
    out = []
    for el in d.nodes():
        if not el.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        tag = local(el)
        parent = el.getparent()
        in_container = parent is not None and local(parent) in ({"process"} | SUBPROCESSES)
        if tag in UNSUPPORTED_NODES:
            if tag == "serviceTask" and el.find(f"{{{BPMN_NS}}}extensionElements/{{{SPIFF_NS}}}serviceTaskOperator") is not None:
                out.append(_problem(d, el, "服务任务不受支持：本系统没有提供任何外部服务操作（serviceTaskOperator）。"
                                           "请改为脚本任务或用户任务"))
            else:
                out.append(_problem(d, el, UNSUPPORTED_NODES[tag]))
        elif in_container and tag not in SUPPORTED_NODES and tag not in CONTAINER_CHILDREN:
            out.append(_problem(d, el, f"元素类型 {tag} 不受支持，运行时会被忽略：请删除它或换成支持的元素"))
        if tag in EVENT_DEFINITIONS:
            allowed = EVENT_DEFINITIONS[tag]
            for child in el:
                kind = local(child)
                if kind.endswith("EventDefinition") and kind not in allowed:
                    what = EVENT_DEFINITION_LABELS.get(kind, kind)
                    out.append(_problem(d, el, f"{EVENT_LABELS[tag]}不支持“{what}”类型（{kind}）：请改用其他类型的事件或删除它"))
    return out


def data_stores(d: Diagram) -> list[Problem]:
    """Data stores (external databases) are not supported; name each one."""
    out = []
    used = {}
    for ref in d.root.iter(q("dataStoreReference")):
        used.setdefault(ref.get("dataStoreRef"), []).append(ref)
    for store_el in d.root.iter(q("dataStore")):
        name = clean_name(store_el.get("name")) or store_el.get("id")
        refs = used.pop(store_el.get("id"), [])
        where = f"（图中引用：{'、'.join(r.get('id') for r in refs)}）" if refs else ""
        out.append(_problem(d, store_el, f"数据存储“{name}”不受支持{where}：本系统的流程不能读写外部数据存储。"
                                         "请删除它及其数据关联，需要的数据用流程变量或表单填写"))
    for refs in used.values():
        for ref in refs:
            name = clean_name(ref.get("name")) or ref.get("id")
            out.append(_problem(d, ref, f"数据存储“{name}”不受支持：本系统的流程不能读写外部数据存储，请删除它及其数据关联"))
    return out


_ISO_LIKE = re.compile(
    r"(R\d*/)?P(\d+[YMWD])*(T(\d+(\.\d+)?[HMS])+)?"
    r"|(R\d*/)?\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?(/P\S+)?",
    re.IGNORECASE,
)
TIMER_KINDS = {"timeDate": "日期", "timeDuration": "时长", "timeCycle": "周期"}


def bare_iso_literal(text: str) -> bool:
    text = text.strip()
    return bool(_ISO_LIKE.fullmatch(text)) and text.upper() not in ("P", "R/P")


def _iso_value_problem(kind: str, value: str) -> str | None:
    try:
        if kind == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(value)
        elif kind == "timeDate":
            TimerEventDefinition.parse_time_or_duration(value)
        else:
            return timers.check_duration(value)
    except Exception:  # Spiff raises bare Exceptions for malformed ISO values
        return f"计时器的值 {value!r} 不是有效的 ISO 8601 {TIMER_KINDS[kind]}"
    return None


def timer_values(d: Diagram) -> list[Problem]:
    """Every timer has a date, duration or cycle written as a valid expression (the timer-literal rule)."""
    out = []
    for definition in (el for el in d.nodes() if local(el) == "timerEventDefinition"):
        event = definition.getparent()
        values = [c for c in definition if local(c) in TIMER_KINDS]
        if not values or not (values[0].text or "").strip():
            out.append(_problem(d, event, "计时器没有设置日期、时长或周期：请在计时器属性中选择类型并填写值，"
                                          "例如时长 \"P1D\"（1 天）、\"PT12H\"（12 小时）"))
            continue
        el = values[0]
        kind, text = local(el), el.text.strip()
        if bare_iso_literal(text):
            if d.spiff_dialect:
                out.append(_problem(d, event, f"计时器表达式 {text} 不是有效的表达式：时间值要写成带引号的字符串，"
                                              f"例如 \"{text}\""))
            else:
                d.converted.append((event, text, f'"{text}"'))
                el.text = f'"{text}"'
                out.append(_problem(d, event, f"计时器的值 {text} 按其他建模工具的写法已转换为表达式 \"{text}\"", "info"))
            continue
        messages = scripting.check_expression(text)
        if messages:
            hint = "；本系统的表达式是 Python 写法，例如 \"P1D\" 或变量名" if text.startswith(("${", "#{", "=")) else ""
            out += [_problem(d, event, f"计时器表达式 {text} 有误：{m}{hint}") for m in messages]
            continue
        tree = ast.parse(text, mode="eval").body
        if isinstance(tree, ast.Constant):
            if not isinstance(tree.value, str):
                out.append(_problem(d, event, f"计时器表达式 {text} 应为 ISO 8601 {TIMER_KINDS[kind]}字符串，例如 \"P1D\""))
            else:
                msg = _iso_value_problem(kind, tree.value)
                if msg:
                    out.append(_problem(d, event, msg))
    return out


def _unknown_calls(src: str) -> list[str]:
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return []
    defined = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    defined |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda)) and hasattr(n, "name")}
    defined |= {a.arg for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda)) for a in n.args.args}
    builtins = set(scripting.SCRIPT_GLOBALS["__builtins__"]) | scripting.GLOBAL_NAMES
    return sorted({n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                   and n.func.id not in builtins and n.func.id not in defined and n.func.id != "print"})


def scripts_and_expressions(d: Diagram) -> list[Problem]:
    """Scripts, pre/post scripts and conditions compile under the restricted environment: no imports,
    no dunder access, no functions the system does not offer."""
    out = []
    offered = "、".join(sorted(n for n in scripting.GLOBAL_NAMES if not n.startswith("_"))) or "无"
    for el in d.nodes():
        tag = local(el)
        if tag == "scriptTask":
            script = el.find(q("script"))
            src = script.text if script is not None else None
            if not src or not src.strip():
                out.append(_problem(d, el, "脚本任务没有脚本：请填写脚本，或改为其他类型的任务"))
                continue
            out += [_problem(d, el, f"脚本不允许：{m}") for m in scripting.check_script(src)]
            out += [_problem(d, el, f"脚本调用了系统未提供的函数 {name}（可用：{offered}）")
                    for name in _unknown_calls(src)]
        elif el.tag in (f"{{{SPIFF_NS}}}preScript", f"{{{SPIFF_NS}}}postScript") and (el.text or "").strip():
            label = "前置脚本" if tag == "preScript" else "后置脚本"
            out += [_problem(d, el, f"{label}不允许：{m}") for m in scripting.check_script(el.text)]
            out += [_problem(d, el, f"{label}调用了系统未提供的函数 {name}（可用：{offered}）")
                    for name in _unknown_calls(el.text)]
        elif tag in EXPRESSION_TAGS and el.tag.startswith(f"{{{BPMN_NS}}}") and (el.text or "").strip():
            text = el.text.strip()
            owner = el.getparent()
            what = "条件" if tag in ("conditionExpression", "condition") else "表达式"
            hint = ("；${…} 是 Camunda/Activiti 的写法，本系统的条件是 Python 表达式，例如 approved == True"
                    if text.startswith(("${", "#{")) else "；本系统的条件是 Python 表达式，例如 decision == \"approve\"")
            out += [_problem(d, owner, f"{what} {text} 有误：{m}{hint if '语法错误' in m else ''}")
                    for m in scripting.check_expression(text)]
    return out


def _outgoing(d: Diagram, el) -> list:
    return [f for f in d.root.iter(q("sequenceFlow")) if f.get("sourceRef") == el.get("id")]


def gateways_and_splits(d: Diagram) -> list[Problem]:
    """A labelled/plain exclusive or inclusive gateway flow needs a condition unless it is the default;
    a task cannot split into several flows without a gateway."""
    out = []
    for el in d.nodes():
        tag = local(el)
        if not el.tag.startswith(f"{{{BPMN_NS}}}") or (tag not in SUPPORTED_NODES and tag not in UNSUPPORTED_NODES):
            continue
        flows = _outgoing(d, el)
        if tag in ("exclusiveGateway", "inclusiveGateway") and len(flows) > 1:
            for flow in flows:
                if flow.get("id") == el.get("default"):
                    continue
                cond = flow.find(q("conditionExpression"))
                if cond is None or not (cond.text or "").strip():
                    named = f"（标注“{clean_name(flow.get('name'))}”）" if clean_name(flow.get("name")) else ""
                    out.append(_problem(d, flow, f"网关 {d.label(el)} 的出口顺序流 {flow.get('id')}{named} 没有条件："
                                                 "请填写条件表达式（例如 decision == \"approve\"），或把它设为默认流"))
        elif tag not in GATEWAYS and tag != "startEvent" and len(flows) > 1:
            out.append(_problem(d, el, f"{d.label(el)} 有 {len(flows)} 条出口顺序流：本系统不支持从任务或事件直接分叉。"
                                       "请在它后面加一个并行网关（同时走）或排他网关（按条件选一条）"))
    return out


def starts_and_ends(d: Diagram) -> list[Problem]:
    """A process has a start event; an embedded subprocess exactly one start event and an end event."""
    out = []
    for process in d.targets:
        if process.find(q("startEvent")) is None:
            out.append(_problem(d, process, f"流程 {d.pool_label(process)} 没有开始事件：请添加一个开始事件"))
    for el in d.nodes():
        tag = local(el)
        if tag in ("subProcess", "transaction"):
            starts, ends = el.findall(q("startEvent")), el.findall(q("endEvent"))
            if len(starts) != 1:
                out.append(_problem(d, el, f"子流程 {d.label(el)} 需要恰好一个开始事件（现有 {len(starts)} 个）"))
            if not ends:
                out.append(_problem(d, el, f"子流程 {d.label(el)} 没有结束事件：请添加一个结束事件"))
        elif tag == "adHocSubProcess":
            if el.find(q("startEvent")) is not None or el.find(q("endEvent")) is not None:
                out.append(_problem(d, el, "自由子流程（ad hoc）里不能有开始或结束事件"))
            if el.get("ordering") == "Sequential":
                out.append(_problem(d, el, "自由子流程（ad hoc）不支持“顺序”排序，请改为“并行”"))
    return out


def lanes_and_properties(d: Diagram) -> list[Problem]:
    """Every human task is in a lane that maps to a role (a warning: the task cannot be assigned);
    `due_in` / `remind_before` properties are ISO durations."""
    out = []
    known = "、".join(sorted(d.known_lanes)) or "无"
    for el in d.nodes():
        tag = local(el)
        if tag not in HUMAN_TASKS or not el.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        lane = d.lane_of.get(el.get("id"))
        if lane not in d.known_lanes:
            msg = (f"泳道“{lane}”没有对应的办理角色，任务到达这里时无法分派（已定义的泳道：{known}）；"
                   "请改用已定义的泳道，或在“泳道与角色”页面添加映射"
                   if lane else f"任务不在任何泳道中，无法确定由谁办理：请把它放进一个泳道（已定义的泳道：{known}）")
            out.append(_problem(d, el, msg, "warning"))
        for prop in el.iter(f"{{{SPIFF_NS}}}property"):
            if prop.get("name") in ("due_in", "remind_before") and prop.get("value"):
                msg = timers.check_duration(prop.get("value"))
                if msg:
                    out.append(_problem(d, el, f"属性 {prop.get('name')}：{msg}"))
    return out


def message_waits(d: Diagram) -> list[Problem]:
    """The system delivers no outside messages: a wait for one never ends by itself (a warning)."""
    out = []
    for el in d.nodes():
        tag = local(el)
        waits = tag == "receiveTask" or (
            tag in ("intermediateCatchEvent", "startEvent") and el.find(q("messageEventDefinition")) is not None)
        if waits:
            out.append(_problem(d, el, "本系统不会向流程投递外部消息：流程到这里会一直等待（除非附有计时器等边界事件）", "warning"))
    return out


ASSIGNMENT_SETTINGS = {"assignee", "candidateUsers", "candidateGroups", "formKey", "assignmentDefinition",
                       "formDefinition", "taskDefinition"}


def vendor_extensions(d: Diagram) -> list[Problem]:
    """Other engines' extensions (camunda:assignee, zeebe:taskDefinition, …) are named as not executed."""
    found: dict[str, dict] = {}
    for el in d.nodes():
        names = []
        if el.tag.startswith("{") and el.tag[1:].split("}")[0] not in STANDARD_NS:
            names.append(el.tag)
        names += [a for a in el.attrib if a.startswith("{") and a[1:].split("}")[0] not in STANDARD_NS]
        for name in names:
            ns, _, attr = name[1:].partition("}")
            entry = found.setdefault(ns, {"attrs": {}, "first": el})
            entry["attrs"].setdefault(attr, 0)
            entry["attrs"][attr] += 1
    out = []
    for ns, entry in found.items():
        vendor = VENDOR_NAMES.get(ns, ns)
        attrs = "、".join(sorted(entry["attrs"])[:8])
        count = sum(entry["attrs"].values())
        hint = "（办理人由泳道决定，表单由系统提供）" if ASSIGNMENT_SETTINGS & set(entry["attrs"]) else ""
        out.append(Problem(f"{vendor} 的扩展设置（{attrs}，共 {count} 处）本系统不会执行，已忽略{hint}",
                           element_id="definitions", severity="info"))
    return out


RULES = (
    processes_and_pools,
    dangling_references,
    unsupported_elements,
    data_stores,
    timer_values,
    scripts_and_expressions,
    gateways_and_splits,
    starts_and_ends,
    lanes_and_properties,
    message_waits,
    vendor_extensions,
)


def run_rules(root, known_lanes=None) -> tuple[Diagram, list[Problem]]:
    """Apply every rule; returns the diagram (timer literals of other modelers converted in place)."""
    d = Diagram.of(root, lanes.known_lane_names() if known_lanes is None else known_lanes)
    problems: list[Problem] = []
    for rule in RULES:
        problems += rule(d)
    return d, problems
