"""Benchmarks: `python -m bench [NAME ...]` prints one line per measure,

    NAME: product=VALUE floor=VALUE ratio=VALUE unit=UNIT

`product` is the product doing the work through its own service layer (database included),
`floor` the same work done by the bare library underneath, measured in the same run, and
`ratio` = product / floor. A measure is a function registered with `@measure(name)` returning a
`Result`; modules listed in MEASURE_MODULES are imported so that their measures register.
"""
from .registry import MEASURES, Result, measure, run

MEASURE_MODULES = ("bench.complete_task", "bench.import_10k", "bench.timer_sweep", "bench.province_stats",
                   "bench.inbox_page", "bench.http_complete")

__all__ = ["MEASURES", "MEASURE_MODULES", "Result", "measure", "run"]
