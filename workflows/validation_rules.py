"""The product's own checks of a diagram, over its XML: every problem of a file at once.

Spiff's parser stops at the first problem and words it for programmers; these rules walk the whole
file and say what to change, in the user's language, naming the element (id, name, line). They run
on the lxml tree before the parser (validation.py runs the parser afterwards for anything missed).

`RULES` is the declared list, in the order problems are shown; each rule is a function
`rule(diagram) -> [Problem]` and says in its docstring what it refuses. Tests enumerate it.

The rules about expressions (timers with the timer-literal rule, scripts, conditions) are in
validation_expressions.py; the shared picture of the file (`Diagram`) in validation_diagram.py.

Not here: reading the bytes, the XSD and the parser passes (validation.py); the restricted script
environment itself (scripting.py).
"""
from __future__ import annotations

from . import lanes, timers
from .errors import Problem
from .validation_diagram import (  # noqa: F401 -- re-exported for validation.py
    BPMN_NS, EVENT_DEFINITION_LABELS, EVENT_DEFINITIONS, EVENT_LABELS, GATEWAYS, HUMAN_TASKS, SPIFF_NS, STANDARD_NS,
    SUBPROCESSES, SUPPORTED_NODES, UNSUPPORTED_NODES, VENDOR_NAMES, CONTAINER_CHILDREN, Diagram, _problem, clean_name,
    local, q,
)
from .validation_expressions import scripts_and_expressions, timer_values

# ----------------------------------------------------------------------------- rules

def processes_and_pools(d: Diagram) -> list[Problem]:
    """A file needs exactly one executable process; name the pool that runs when there are several."""
    if not d.processes:
        participants = list(d.root.iter(q("participant")))
        where = f"（只有泳池 {'、'.join(d.label(p) for p in participants)} 的外框）" if participants else ""
        return [Problem(f"文件中没有流程{where}：请在建模工具中画出流程（开始事件、任务、结束事件）后再上传",
                        element_id="definitions")]
    if not d.executable:
        return [_problem(d, p, f"流程 {d.pool_label(p)} 未设置为可执行（isExecutable=\"false\"）：本系统只运行可执行的流程。"
                                "请在建模工具的流程属性中勾选“可执行”（Executable），或在文件中改为 isExecutable=\"true\"")
                for p in d.processes]
    runnable = d.runnable
    if not runnable:
        return [_problem(d, p, f"流程 {d.pool_label(p)} 只被调用活动调用，文件中没有可以单独发起的流程") for p in d.executable]
    if len(runnable) > 1:
        pools = "、".join(d.pool_label(p) for p in runnable)
        return [_problem(d, p, f"一个文件只能运行一个流程，现有 {len(runnable)} 个可执行流程（{pools}）："
                               "请选择要运行的泳池，把其余泳池的“可执行”取消（isExecutable=\"false\"）")
                for p in runnable]
    others = [p for p in d.processes if p is not runnable[0] and p.get("id") not in d.called]
    if others:
        names = "、".join(d.pool_label(p) for p in others)
        return [_problem(d, runnable[0], f"运行的是泳池 {d.pool_label(runnable[0])}；{names} 未设为可执行，"
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
    """A process has a start event and an end event; an embedded subprocess exactly one start event and an
    end event. (BPMN allows a path to end without an end event, but a diagram without any is unfinished:
    a blank new process would otherwise publish as one that ends as soon as it starts.)"""
    out = []
    for process in d.targets:
        if process.find(q("startEvent")) is None:
            out.append(_problem(d, process, f"流程 {d.pool_label(process)} 没有开始事件：请添加一个开始事件"))
        if process.find(q("endEvent")) is None:
            out.append(_problem(d, process, f"流程 {d.pool_label(process)} 没有结束事件：请在流程办完的地方添加一个结束事件"))
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
