"""Checking a diagram before anything is deployed: every problem of a file at once, in plain words.

    validate(data, filename, expected_key=None) -> Validation   (nothing deployed, nothing written)

Order, each step on what the previous one accepted:
1. the bytes: a size cap (`MAX_BYTES`), not empty; a DOCTYPE in the prolog is refused before any
   parsing, so an entity bomb or an external entity is never expanded;
2. XML: lxml with entities, DTDs and the network off (`huge_tree` off); not well-formed → the line;
3. a BPMN 2.0 `definitions` root (the namespace said in plain words when missing);
4. the product's own rules over the XML (validation_rules.py: processes and pools, references,
   unsupported elements, data stores, timers, scripts and conditions under the restricted
   environment, gateways, subprocesses, lanes, messages, other engines' extensions) — including the
   timer-literal rule, which quotes other modelers' bare ISO values in the tree;
5. the BPMN XSD (every schema error, not only the first);
6. Spiff's parser, a fresh parser per process that would run (a parser is half-built after an error);
   a process that is not executable is parsed as if it were, so the file's other problems show too.
   Problems Spiff reports about an element the rules already named are dropped (ours say more);
7. the process id must match the definition being edited (`expected_key`).

Severity: "error" refuses the file; "warning" (an unmapped lane, a wait for an outside message) and
"info" (which pool runs, converted timer literals, ignored vendor extensions) do not.

Not here: storing versions (deploy.py); the rules themselves (validation_rules.py).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import BpmnDataStoreSpecification
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import parser_messages, store
from .errors import DeployError, Problem
from .validation_rules import BPMN_NS, clean_name, local, q, run_rules

MAX_BYTES = 5 * 1024 * 1024
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE|<!\s*ENTITY", re.IGNORECASE)


@dataclass
class Validation:
    problems: list[Problem] = field(default_factory=list)
    process_key: str | None = None
    name: str | None = None
    xml: bytes | None = None          # the bytes to keep (other modelers' timer literals quoted); None if not XML
    deployed: store.DeployedSpec | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors and self.deployed is not None


def _refused(message: str, **where) -> Validation:
    return Validation([Problem(message, element_id=where.pop("element_id", "definitions"), **where)])


# ----------------------------------------------------------------------------- reading

def read_file(path: Path) -> bytes:
    """A diagram file's bytes, refusing (DeployError) anything over the size cap without reading it all."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise DeployError([Problem(f"无法读取文件：{exc.strerror or exc}", element_id="-")]) from None
    if len(data) > MAX_BYTES:
        raise DeployError([Problem(_too_large(), element_id="-")])
    return data


def _too_large() -> str:
    return f"文件过大（上限 {MAX_BYTES // (1024 * 1024)} MB）：BPMN 流程图通常只有几十 KB，请检查是否选错了文件"


def _prolog_has_doctype(data: bytes) -> bool:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:  # UTF-16/32: look at the text
        for encoding in ("utf-16", "utf-32"):
            try:
                head = data[:65536].decode(encoding, errors="ignore").encode("utf-8")
            except (LookupError, ValueError):
                continue
            if _DOCTYPE.search(head[:(_ELEMENT_START.search(head) or re.search(b"$", head)).start()]):
                return True
    start = _ELEMENT_START.search(data)
    return bool(_DOCTYPE.search(data[:start.start()] if start else data))


def _parse_xml(data: bytes):
    """(root, None) or (None, Validation refusing the file)."""
    if not data or not data.strip():
        return None, _refused("文件是空的：请选择一个 BPMN 流程图文件（.bpmn）")
    if len(data) > MAX_BYTES:
        return None, _refused(_too_large())
    if _prolog_has_doctype(data):
        return None, _refused("文件包含 DOCTYPE 声明（可能引用外部文件或定义实体）：BPMN 文件不需要它，"
                              "为安全起见拒绝上传。请删除 <!DOCTYPE …> 部分后重新上传")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        return None, _refused(f"不是格式正确的 XML：{parser_messages.xml_syntax(exc.msg)}。文件可能不完整或"
                              "不是 BPMN 文件，请从建模工具重新导出", line=line)
    except (ValueError, etree.LxmlError) as exc:
        return None, _refused(f"无法读取为 XML：{exc}")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        return None, _refused("文件包含 DOCTYPE 声明：BPMN 文件不需要它，为安全起见拒绝上传。请删除后重新上传")
    if root.tag != q("definitions"):
        if local(root) == "definitions":
            return None, _refused("不是 BPMN 2.0 文件：根元素 definitions 没有使用 BPMN 2.0 的命名空间"
                                  f"（{BPMN_NS}）。请在建模工具中导出为 BPMN 2.0 XML，或给根元素加上 "
                                  f"xmlns=\"{BPMN_NS}\"", line=root.sourceline)
        return None, _refused(f"不是 BPMN 2.0 文件：根元素是 <{local(root) or root.tag}>，应为 BPMN 的 definitions",
                              line=root.sourceline)
    return root, None


# ----------------------------------------------------------------------------- XSD and Spiff

def _element_at(root, line: int | None):
    if not line:
        return None
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline == line and el.get("id"):
            return el
    return None


def _schema_problems(root) -> list[Problem]:
    doc = copy.deepcopy(root)
    VALIDATOR.preprocess(doc)  # the same fix-up Spiff applies to bpmn.io's correlation expressions
    schema = VALIDATOR.validator
    if schema.validate(doc):
        return []
    out = []
    for error in schema.error_log:
        el = _element_at(root, error.line)
        out.append(Problem(f"不符合 BPMN 2.0 规范：{parser_messages.schema(error.message)}", element_id=el.get("id") if el is not None else "-",
                           element_name=clean_name(el.get("name")) if el is not None else None, line=error.line))
    return out


_SPIFF_MESSAGES = (
    ("No start event found", "流程没有开始事件：请添加一个开始事件"),
    ("Multiple outgoing flows are not supported", "不支持从任务直接分出多条顺序流：请在任务后加一个网关"),
    ("Non-default exclusive outgoing sequence flow without condition", "网关的出口顺序流没有条件：请填写条件或设为默认流"),
    ("A Service Task must have an operator", "服务任务不受支持"),
    ("Unknown Time Specification", "计时器没有设置日期、时长或周期"),
    ("Cannot resolve dataInputAssociation", "数据输入关联指向的对象无法识别：本系统只支持流程内的数据对象（dataObject），请删除这条数据关联"),
    ("Cannot resolve dataOutputAssociation", "数据输出关联指向的对象无法识别：本系统只支持流程内的数据对象（dataObject），请删除这条数据关联"),
    ("Exactly one start event is required in a SubWorkflow", "子流程需要恰好一个开始事件"),
    ("A SubWorkflow Must contain an End event", "子流程没有结束事件"),
    ("Unsupported Catch Event", "边界事件没有类型：请选择计时器、消息、错误等类型"),
    ("There is no support implemented for this task type", "该元素类型不受支持"),
)


def _spiff_problem(exc: Exception, root) -> tuple[Problem, bool]:
    """The parser's complaint in the user's words; the flag says whether it was one we know."""
    text = exc.args[0] if exc.args else str(exc)
    text = text if isinstance(text, str) else str(text)
    message = next((zh for key, zh in _SPIFF_MESSAGES if key in text), None)
    element_id = getattr(exc, "id", "") or None
    el = root.xpath("//*[@id=$id]", id=element_id) if element_id else []
    el = el[0] if el else None
    line = getattr(exc, "line_number", None)
    line = line if isinstance(line, int) and line > 0 else (el.sourceline if el is not None else None)
    return Problem(message or f"流程图无法解析（技术信息：{text}）", element_id=element_id or "-",
                   element_name=clean_name(getattr(exc, "name", "") or (el.get("name") if el is not None else None)),
                   line=line), message is not None


def _check_parser(data_store_names: set[str]):
    """A fresh parser. Data stores the rules already refused are given a placeholder so the parser
    goes on to find the file's other problems (nothing parsed this way is ever deployed)."""
    cls = type("CheckParser", (SpiffBpmnParser,),
               {"DATA_STORE_CLASSES": {n: BpmnDataStoreSpecification for n in data_store_names}})
    return cls(validator=None)


def _spiff_pass(root, process_id: str, data_store_names: set[str], filename: str, called: set[str]):
    """(spec, subprocess_specs, None) or (None, None, (Problem, known)). The process and the processes
    its call activities call are parsed as executable; the others not."""
    doc = copy.deepcopy(root)
    for process in doc.iter(q("process")):
        process.set("isExecutable", "true" if process.get("id") == process_id or process.get("id") in called
                    else "false")
    parser = _check_parser(data_store_names)
    try:
        parser.add_bpmn_xml(doc, filename=filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        return None, None, _spiff_problem(exc, root)
    except Exception as exc:  # noqa: BLE001 -- the parser raises anything (NotImplementedError, KeyError…)
        return None, None, _spiff_problem(exc, root)
    return spec, subprocess_specs, None


# ----------------------------------------------------------------------------- validate

def validate(data: bytes, filename: str = "diagram.bpmn", *, expected_key: str | None = None) -> Validation:
    """Every problem of one diagram file (errors, warnings, notes); the spec when it would be accepted."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    root, refused = _parse_xml(data)
    if refused is not None:
        return refused
    diagram, problems = run_rules(root)
    result = Validation(problems)
    schema = _schema_problems(root)
    result.problems += schema

    runnable = diagram.runnable
    stores = {s.get("name") for s in root.iter(q("dataStore")) if s.get("name")}
    spec = subprocess_specs = None
    if not schema:
        named = {p.element_id for p in result.errors}
        for process in [p for p in diagram.targets if p.get("id") not in diagram.called] or diagram.targets:
            got, subs, found = _spiff_pass(root, process.get("id"), stores, filename, diagram.called)
            if found is not None:
                # After our own refusals, the parser mostly trips over the same causes: keep only
                # what it says in words we know, about an element not named yet.
                problem, known = found
                if problem.element_id in named or (result.errors and (problem.element_id == "-" or not known)):
                    continue
                result.problems.append(problem)
                named.add(problem.element_id)
            elif len(runnable) == 1 and process is runnable[0]:
                spec, subprocess_specs = got, subs
    if len(runnable) == 1:
        process = runnable[0]
        result.process_key = process.get("id")
        if not result.process_key:   # the schema allows it; a version needs it as the process's key
            result.problems.append(Problem(
                "流程（process）没有 id：请在建模工具中为流程填写 id（如 teacher_leave），它是流程的标识，发布后不能更改",
                element_id="-", element_name=clean_name(process.get("name")), line=process.sourceline))
        result.name = (clean_name(process.get("name")) or diagram.pools.get(process.get("id"))
                       or process.get("id") or "")[:200]
        if expected_key and result.process_key != expected_key:
            result.problems.append(Problem(
                f"流程 id 是 {result.process_key}，而正在编辑的流程是 {expected_key}：请把流程 id 改回 {expected_key}"
                "（id 不同会成为另一个流程）", element_id=result.process_key, line=process.sourceline))
    result.xml = data if not diagram.converted else etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="UTF-8")
    if not result.errors and spec is not None:
        result.deployed = store.DeployedSpec(spec, subprocess_specs)
    return result


def check_bpmn(data: bytes, filename: str = "diagram.bpmn", *, expected_key: str | None = None) -> list[Problem]:
    """Every problem of a diagram (errors, warnings and notes), without deploying it."""
    return validate(data, filename, expected_key=expected_key).problems


# ----------------------------------------------------------------------------- the command line

SEVERITY_LABELS = {"error": "", "warning": "警告：", "info": "提示："}


def problem_line(problem: Problem) -> str:
    """`ELEMENT_ID: message` (file-level problems: `definitions` or `-`), with the name and line."""
    where = []
    if problem.element_name and problem.element_name != problem.element_id:
        where.append(f"名称“{problem.element_name}”")
    if problem.line:
        where.append(f"第 {problem.line} 行")
    suffix = f"（{'，'.join(where)}）" if where else ""
    return f"{problem.element_id or '-'}: {SEVERITY_LABELS.get(problem.severity, '')}{problem.message}{suffix}"


def check_file_cli(path: Path, echo) -> int:
    """`process check FILE`: one line per problem; 1 if the diagram would be refused, else 0."""
    try:
        result = validate(read_file(path), Path(path).name)
    except DeployError as exc:
        for problem in exc.problems:
            echo(problem_line(problem))
        return 1
    order = {"error": 0, "warning": 1, "info": 2}
    for problem in sorted(result.problems, key=lambda p: order.get(p.severity, 3)):
        echo(problem_line(problem))
    if result.ok:
        echo(f"可以发布：流程 {result.process_key}（{result.name}）" if result.problems else
             f"可以发布：流程 {result.process_key}（{result.name}），没有发现问题")
        return 0
    return 1
