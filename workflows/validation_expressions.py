"""Validation rules for the expressions in a diagram: timer values (with the timer-literal rule), scripts,
pre/post scripts and conditions, all under the restricted environment (scripting.py).

The timer-literal rule: a diagram in the Spiff dialect (the spiffworkflow namespace declared: our own and
bpmn.io-for-Spiff diagrams) must write timer values as expressions, so a bare `P1D` is refused with the
quoted suggestion `"P1D"`. A diagram from another modeler (no spiffworkflow namespace: Camunda, Signavio,
ARIS exports) writes bare ISO 8601 values by the BPMN standard; those are converted to quoted expressions
on import, and an informational note names each converted element.

Not here: the structural rules and the list of all rules (validation_rules.py).
"""
from __future__ import annotations

import ast
import re

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from . import scripting, timers
from .errors import Problem
from .validation_diagram import BPMN_NS, EXPRESSION_TAGS, SPIFF_NS, Diagram, _problem, local, q

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
