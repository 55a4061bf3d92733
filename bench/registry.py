"""The registry of measures and the output format (one stdout line per measure)."""
from __future__ import annotations

import math
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Result:
    product: float
    floor: float | None
    unit: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor in (None, 0) or self.product is None:
            return None
        return self.product / self.floor

    def line(self, name: str) -> str:
        return f"{name}: product={_num(self.product)} floor={_num(self.floor)} ratio={_num(self.ratio)} unit={self.unit}"


def _num(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.1f}"


MEASURES: dict[str, Callable[[], Result]] = {}


def measure(name: str):
    def register(fn):
        MEASURES[name] = fn
        return fn
    return register


def median_ms(samples_s) -> float:
    return statistics.median(samples_s) * 1000.0


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(names=None, out=sys.stdout, err=sys.stderr) -> int:
    selected = list(names) if names else list(MEASURES)
    unknown = [n for n in selected if n not in MEASURES]
    if unknown:
        print(f"unknown measure(s): {', '.join(unknown)}; known: {', '.join(MEASURES)}", file=err)
        return 2
    status = 0
    for name in selected:
        try:
            result = MEASURES[name]()
        except Exception as exc:  # one broken measure must not hide the others
            print(f"{name}: failed: {type(exc).__name__}: {exc}", file=err)
            status = 1
            continue
        print(result.line(name), file=out, flush=True)
        if result.note:
            print(f"# {name}: {result.note}", file=err, flush=True)
    return status
