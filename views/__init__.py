"""Flask blueprints, templates and static files. `init_views(app)` wires extensions and blueprints."""
from __future__ import annotations


def init_views(app) -> None:
    pass
