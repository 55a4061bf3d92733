"""Deploying diagram versions: parse, check, serialise the spec, store it keyed by its bytes.

- Parsing uses Spiff's *spiff* parser with its XSD validator, one fresh parser per parse (a parser
  is half-built after an error and must not be reused). A DOCTYPE is refused before parsing
  (no entity expansion, no external entities); lxml never touches the network.
- `check_bpmn(data)` reports every problem found (XML, XSD, structure, then a lint pass of our own
  over scripts, conditions, timers, lanes and task properties) without deploying anything.
- `deploy_bytes(data)`: same bytes (sha256) → the existing version, unchanged; different bytes →
  a new version (+1) that becomes current. Re-deploying old bytes does NOT make them current again:
  `deploy_shipped()` runs at every start and must not undo a diagram edited in the browser.
- Restored specs are cached by content hash (store.SPECS): restored once per version per process.

Not here: running instances (instances.py), how a spec is serialised (store.py).
"""
from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select, update

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptEngineTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from models import ProcessDefinition, db

from . import lanes, scripting, store, timers
from .errors import DefinitionNotFound, DeployError, Problem

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIR = ROOT / "bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE", re.IGNORECASE)


@dataclass
class Parsed:
    process_key: str
    name: str
    deployed: store.DeployedSpec
    warnings: list[Problem] = field(default_factory=list)


# ----------------------------------------------------------------------------- parsing

def _xml(data: bytes):
    if _DOCTYPE.search(data[:65536]):
        raise DeployError([Problem("文件包含 DOCTYPE 声明（可能引用外部文件或实体）；BPMN 文件不需要它，请删除后重新上传")])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) else None
        raise DeployError([Problem(f"不是格式正确的 XML：{exc.msg}", line=line)]) from None
    if root.getroottree().docinfo.doctype:
        raise DeployError([Problem("文件包含 DOCTYPE 声明；BPMN 文件不需要它，请删除后重新上传")])
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DeployError([Problem("不是 BPMN 2.0 文档：根元素应为 BPMN 命名空间（" + BPMN_NS + "）下的 definitions")])
    return root


def _lines(root) -> dict[str, int]:
    return {el.get("id"): el.sourceline for el in root.iter() if isinstance(el.tag, str) and el.get("id")}


def _structure_problems(root, lines: dict[str, int]) -> list[Problem]:
    """What Spiff reports badly or one at a time: flows pointing at elements that do not exist."""
    problems = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for attr, label in (("sourceRef", "起点"), ("targetRef", "终点")):
            ref = flow.get(attr)
            if ref and ref not in lines:
                problems.append(Problem(f"顺序流 {flow.get('id')} 的{label}指向不存在的元素 {ref}",
                                        element_id=flow.get("id"), element_name=flow.get("name"),
                                        line=flow.sourceline))
    return problems


def _problem_from_validation(exc: ValidationException, lines: dict[str, int]) -> Problem:
    element_id = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", "") or (lines.get(element_id) if element_id else None)
    msg = exc.args[0] if exc.args else str(exc)
    return Problem(f"流程图校验失败：{msg}", element_id=element_id,
                   element_name=getattr(exc, "name", "") or None, line=line if isinstance(line, int) else None)


def parse(data: bytes, filename: str = "diagram.bpmn") -> Parsed:
    """Parse and check one diagram file; raises DeployError listing every problem found."""
    root = _xml(data)
    lines = _lines(root)
    problems = _structure_problems(root, lines)
    if problems:
        raise DeployError(problems)
    parser = SpiffBpmnParser(validator=VALIDATOR)  # fresh parser for every parse
    try:
        parser.add_bpmn_xml(root, filename=filename)
    except ValidationException as exc:
        raise DeployError([_problem_from_validation(exc, lines)]) from None
    process_ids = parser.get_process_ids()
    if not process_ids:
        all_ids = list(parser.process_parsers)
        if all_ids:
            raise DeployError([Problem("流程未设置为可执行（isExecutable=\"true\"）；请在流程属性中勾选“可执行”",
                                       element_id=all_ids[0], line=lines.get(all_ids[0]))])
        raise DeployError([Problem("文件中没有流程（process）元素")])
    if len(process_ids) > 1:
        raise DeployError([Problem("一个文件只能包含一个可执行流程，现有：" + "、".join(process_ids))])
    process_key = process_ids[0]
    try:
        spec = parser.get_spec(process_key)
        subprocess_specs = parser.get_subprocess_specs(process_key)
    except ValidationException as exc:
        raise DeployError([_problem_from_validation(exc, lines)]) from None
    problems = lint(spec, subprocess_specs, lines)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DeployError(errors)
    name = (spec.description or process_key).strip()[:200]
    return Parsed(process_key, name, store.DeployedSpec(spec, subprocess_specs),
                  [p for p in problems if p.severity != "error"])


def check_bpmn(data: bytes, filename: str = "diagram.bpmn") -> list[Problem]:
    """Every problem of a diagram (errors and warnings), without deploying it."""
    try:
        parsed = parse(data, filename)
    except DeployError as exc:
        return exc.problems
    return parsed.warnings


# ----------------------------------------------------------------------------- lint

def _all_task_specs(spec, subprocess_specs):
    for process in [spec, *subprocess_specs.values()]:
        if process is not None:
            yield from process.task_specs.values()


def _where(task_spec, lines):
    element_id = getattr(task_spec, "bpmn_id", None)
    return dict(element_id=element_id, element_name=getattr(task_spec, "bpmn_name", None),
                line=lines.get(element_id) if element_id else None)


_ISO_LIKE = re.compile(
    r"(R\d*/)?P(\d+[YMWD])*(T(\d+(\.\d+)?[HMS])+)?"
    r"|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)


def _timer_problems(event_definition, where) -> list[Problem]:
    expr = getattr(event_definition, "expression", None)
    if not expr or not str(expr).strip():
        return [Problem("计时器没有设置日期、时长或周期", **where)]
    expr = str(expr).strip()
    if _ISO_LIKE.fullmatch(expr) and expr.upper() != "P":
        # A bare ISO value is read as Python (a name, or a subtraction) and fails only when it fires.
        return [Problem(f"计时器表达式 {expr} 不是有效的表达式：时间值要写成带引号的字符串，例如 \"{expr}\"", **where)]
    problems = [Problem(f"计时器表达式有误：{m}", **where) for m in scripting.check_expression(expr)]
    if problems:
        return problems
    tree = ast.parse(expr, mode="eval").body
    if isinstance(tree, ast.Constant):
        if not isinstance(tree.value, str):
            return [Problem(f"计时器表达式 {expr} 应为 ISO 8601 日期、时长或周期字符串", **where)]
        try:
            if isinstance(event_definition, CycleTimerEventDefinition):
                TimerEventDefinition.parse_iso_recurring_interval(tree.value)
            elif isinstance(event_definition, TimeDateEventDefinition):
                TimerEventDefinition.parse_time_or_duration(tree.value)
            else:
                msg = timers.check_duration(tree.value)
                if msg:
                    return [Problem(f"计时器：{msg}", **where)]
        except Exception:  # Spiff raises bare Exceptions for malformed ISO values
            return [Problem(f"计时器的值 {tree.value!r} 不是有效的 ISO 8601 日期、时长或周期", **where)]
    return []


def lint(spec, subprocess_specs, lines: dict[str, int]) -> list[Problem]:
    problems: list[Problem] = []
    for task_spec in _all_task_specs(spec, subprocess_specs):
        where = _where(task_spec, lines)
        if isinstance(task_spec, ScriptEngineTask):
            script = getattr(task_spec, "script", None)
            if not script or not script.strip():
                problems.append(Problem("脚本任务没有脚本", **where))
            else:
                problems += [Problem(f"脚本不允许：{m}", **where) for m in scripting.check_script(script)]
        for attr, label in (("prescript", "前置脚本"), ("postscript", "后置脚本")):
            src = getattr(task_spec, attr, None)
            if src and src.strip():
                problems += [Problem(f"{label}不允许：{m}", **where) for m in scripting.check_script(src)]
        for condition, target in getattr(task_spec, "cond_task_specs", None) or []:
            if condition is None:
                continue
            expr = condition.args[0] if getattr(condition, "args", None) else None
            if not isinstance(expr, str):
                continue
            problems += [Problem(f"通往 {target} 的条件有误：{m}", **where) for m in scripting.check_expression(expr)]
        event_definition = getattr(task_spec, "event_definition", None)
        definitions = event_definition.event_definitions if isinstance(event_definition, MultipleEventDefinition) \
            else [event_definition]
        for definition in definitions:
            if isinstance(definition, TimerEventDefinition):
                problems += _timer_problems(definition, where)
        if getattr(task_spec, "manual", False) and getattr(task_spec, "bpmn_id", None):
            if task_spec.lane not in lanes.LANES:
                known = "、".join(lanes.LANES)
                msg = (f"泳道“{task_spec.lane}”未定义办理角色（已定义：{known}）" if task_spec.lane
                       else f"用户任务不在任何泳道中，无法确定由谁办理（可用泳道：{known}）")
                problems.append(Problem(msg, severity="warning", **where))
            props = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
            for key in ("due_in", "remind_before"):
                if props.get(key):
                    msg = timers.check_duration(props[key])
                    if msg:
                        problems.append(Problem(f"属性 {key}：{msg}", **where))
    return problems


# ----------------------------------------------------------------------------- deploying

def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def deploy_bytes(data: bytes, user=None, *, filename: str = "diagram.bpmn") -> tuple[ProcessDefinition, bool]:
    """Deploy one diagram; returns (definition, created). Flushes, does not commit."""
    session = db.session()
    content_hash = _hash(data)
    existing = session.scalars(select(ProcessDefinition).where(ProcessDefinition.content_hash == content_hash)).first()
    if existing is not None:
        return existing, False
    parsed = parse(data, filename)
    last = session.scalar(select(func.max(ProcessDefinition.version))
                          .where(ProcessDefinition.process_key == parsed.process_key))
    session.execute(update(ProcessDefinition).where(ProcessDefinition.process_key == parsed.process_key,
                                                    ProcessDefinition.is_current.is_(True))
                    .values(is_current=False), execution_options={"synchronize_session": "fetch"})
    definition = ProcessDefinition(
        process_key=parsed.process_key, name=parsed.name, version=(last or 0) + 1, content_hash=content_hash,
        bpmn_xml=data, spec_json=store.dump_spec(parsed.deployed.spec, parsed.deployed.subprocess_specs),
        is_current=True, created_by_id=getattr(user, "id", None),
    )
    session.add(definition)
    session.flush()
    return definition, True


def shipped_files() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.bpmn"))


def deploy_shipped() -> list[tuple[ProcessDefinition, bool]]:
    """Deploy every bpmn/*.bpmn (new versions only where the bytes changed) and commit."""
    from .transactions import run_in_transaction

    def _deploy():
        return [deploy_bytes(path.read_bytes(), filename=path.name) for path in shipped_files()]

    return run_in_transaction(_deploy)


def current_definition(process_key: str) -> ProcessDefinition:
    found = db.session.scalars(select(ProcessDefinition).where(
        ProcessDefinition.process_key == process_key, ProcessDefinition.is_current.is_(True))).first()
    if found is None:
        raise DefinitionNotFound(process_key)
    return found


def deployed_spec(definition_id: int, content_hash: str | None = None) -> store.DeployedSpec:
    """The restored spec of a deployed version (restored once per process, then cached)."""
    session = db.session()
    if content_hash is None:
        content_hash = session.scalar(select(ProcessDefinition.content_hash)
                                      .where(ProcessDefinition.id == definition_id))

    def fetch():
        return session.scalar(select(ProcessDefinition.spec_json).where(ProcessDefinition.id == definition_id))

    return store.SPECS.get(content_hash, fetch)
