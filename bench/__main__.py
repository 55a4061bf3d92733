"""`python -m bench [NAME ...]`: run the registered measures (all by default)."""
import importlib
import sys

from . import MEASURE_MODULES, run

for module in MEASURE_MODULES:
    importlib.import_module(module)

sys.exit(run(sys.argv[1:]))
