"""The restricted script environment every diagram runs in: scripts, gateway conditions, timer expressions.

Built on RestrictedPython: no imports, no dunder or underscore attributes, no open/exec/eval,
guarded item access and iteration. Compiled code is cached by source text, so a condition that
runs for every instance is compiled once per process.

Spiff does not serialise the script engine: `ENGINE` must be set again on every workflow that is
created or restored (store.py and instances.py do it; nothing else builds workflows).

`check_script` / `check_expression` return the problems of a piece of source as user-facing
messages with line numbers, for validating uploads before anything runs.

Not here: the functions diagrams may call (actions.py).
"""
from __future__ import annotations

import ast
import datetime as _dt
import math as _math
import sys
import threading
import time

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import actions, timers

FILENAME = "<string>"  # Spiff's error reporter looks for this frame name to find the failing line.

# Names a script may never call, even if some future change put them in reach.
FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars", "input",
    "breakpoint", "help", "exit", "quit", "memoryview", "getattr", "setattr", "delattr", "type",
    "object", "super", "classmethod", "staticmethod", "property", "dir",
})

_UNSAFE_BUILTINS = {"__build_class__", "setattr", "delattr", "id", "hash", "callable", "pow"}
_BUILTINS = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS}
_BUILTINS.update({
    "dict": dict, "list": list, "tuple": tuple, "set": set, "frozenset": frozenset,
    "sum": sum, "min": min, "max": max, "any": any, "all": all, "enumerate": enumerate,
    "sorted": sorted, "reversed": reversed, "zip": zip, "map": map, "filter": filter,
})


def _inplacevar(op, x, y):
    # Only plain arithmetic / sequence in-place operators, evaluated on values (no __iadd__ hooks).
    ops = {
        "+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b,
        "|=": lambda a, b: a | b, "&=": lambda a, b: a & b, "^=": lambda a, b: a ^ b,
    }
    if op not in ops:
        raise SyntaxError(f"不支持的运算 {op}")
    return ops[op](x, y)


SCRIPT_GLOBALS = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_print_": None,  # print() is refused at compile time below
    "math": _math,
    "datetime": _dt.datetime,
    "date": _dt.date,
    "timedelta": _dt.timedelta,
}
SCRIPT_GLOBALS.update(actions.ACTIONS)
SCRIPT_GLOBALS.update(timers.SCRIPT_FUNCTIONS)  # deadlines for timer expressions (pure functions)
GLOBAL_NAMES = frozenset(SCRIPT_GLOBALS)


# ----------------------------------------------------------------------------- checking

def _line_prefix(lineno) -> str:
    return f"第 {lineno} 行：" if lineno else ""


def _restricted_errors(messages) -> list[str]:
    """RestrictedPython reports 'Line N: text'; put it in the user's language, keeping the original."""
    out = []
    for msg in messages:
        lineno, text = None, msg
        if msg.startswith("Line "):
            head, _, rest = msg.partition(":")
            try:
                lineno = int(head[5:])
            except ValueError:
                lineno = None
            text = rest.strip()
        if "invalid attribute name because it starts with" in text or "invalid variable name" in text:
            zh = "不允许使用以下划线开头的名称或属性"
        elif "Eval calls" in text or "Exec calls" in text:
            zh = "不允许调用 eval / exec"
        elif text.startswith("SyntaxError"):
            zh = "语法错误"
        else:
            zh = "不允许的写法"
        out.append(f"{_line_prefix(lineno)}{zh}（{text}）")
    return out


def _ast_errors(tree) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(f"{_line_prefix(node.lineno)}脚本不能导入模块（import），也不能访问操作系统")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            out.append(f"{_line_prefix(node.lineno)}不允许使用 {node.id}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            out.append(f"{_line_prefix(node.lineno)}脚本中不能使用 print")
        elif isinstance(node, (ast.ClassDef, ast.AsyncFunctionDef, ast.Global, ast.Nonlocal, ast.Await,
                               ast.Yield, ast.YieldFrom)):
            out.append(f"{_line_prefix(node.lineno)}脚本中不允许 {type(node).__name__} 语句")
    return out


def _check(src: str, mode: str) -> list[str]:
    if src is None or not str(src).strip():
        return ["表达式为空"] if mode == "eval" else []
    try:
        tree = ast.parse(src, FILENAME, mode)
    except SyntaxError as exc:
        return [f"{_line_prefix(exc.lineno)}语法错误（{exc.msg}）"]
    problems = _ast_errors(tree)
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(src, FILENAME)
    problems += _restricted_errors(result.errors)
    # Keep order, drop duplicates (the same line can be flagged by both passes).
    return list(dict.fromkeys(problems))


def check_script(src: str) -> list[str]:
    """Problems of a script task's script (empty list = acceptable)."""
    return _check(src, "exec")


def check_expression(src: str) -> list[str]:
    """Problems of a condition / timer / other expression (empty list = acceptable)."""
    return _check(src, "eval")


# ----------------------------------------------------------------------------- running

class ScriptRefused(SyntaxError):
    """Raised at run time when source fails the checks (only reachable for code never checked)."""


_cache: dict[tuple[str, str], object] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 4096


def compiled(src: str, mode: str):
    key = (mode, src)
    code = _cache.get(key)
    if code is not None:
        return code
    problems = _check(src, mode)
    if problems:
        err = ScriptRefused("；".join(problems))
        err.lineno = 0  # Spiff's error formatter needs an int
        raise err
    code = (compile_restricted_eval if mode == "eval" else compile_restricted_exec)(src, FILENAME).code
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = code
    return code


# Wall-clock bound for one script or expression. Checked on every line the script runs (a tracer
# that is active only inside diagram code), so `while True: pass` stops; a single huge C-level
# operation (e.g. 10 ** 10 ** 9) is not interruptible this way.
TIME_LIMIT_SECONDS = 2.0


class ScriptTimeout(RuntimeError):
    def __init__(self, limit):
        super().__init__(f"脚本运行超过 {limit:g} 秒，已停止")


def _bounded(run):
    limit = TIME_LIMIT_SECONDS
    deadline = time.monotonic() + limit
    previous = sys.gettrace()

    def on_line(frame, event, arg):
        if time.monotonic() > deadline:
            raise ScriptTimeout(limit)
        return on_line

    def on_call(frame, event, arg):
        return on_line if frame.f_code.co_filename == FILENAME else None

    sys.settrace(on_call)
    try:
        return run()
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Task data is the script's namespace (as in Spiff's TaskDataEnvironment), with guarded globals."""

    def __init__(self):
        super().__init__(SCRIPT_GLOBALS)

    def evaluate(self, expression, context, external_context=None):
        code = compiled(expression, "eval")
        scope = dict(context)
        if external_context:
            scope.update(external_context)
        scope.update(self.globals)
        return _bounded(lambda: eval(code, scope))  # noqa: S307 -- restricted code, guarded globals

    def execute(self, script, context, external_context=None):
        code = compiled(script, "exec")
        clash = GLOBAL_NAMES.intersection(context)
        if external_context:
            clash |= set(external_context).intersection(context)
        if clash:
            raise ValueError(f"流程数据中的名称与内置函数冲突：{', '.join(sorted(clash))}")
        context.update(self.globals)
        if external_context:
            context.update(external_context)
        try:
            _bounded(lambda: exec(code, context))  # noqa: S102 -- restricted code, guarded globals
        finally:
            for key in list(context):
                if key in GLOBAL_NAMES or (external_context and key in external_context) \
                        or key == "__builtins__" or callable(context[key]):
                    del context[key]
        return True

    def call_service(self, context, **kwargs):
        raise NotImplementedError("本系统的流程不支持服务任务")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self):
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression):
        problems = check_expression(expression)
        if problems:
            raise SyntaxError("；".join(problems))


ENGINE = RestrictedScriptEngine()
