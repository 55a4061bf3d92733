"""Small helpers shared by the blueprints."""
from __future__ import annotations

from flask import request


def safe_next(default: str) -> str:
    """The form's `next` target when it is a local path; never an off-site redirect."""
    target = request.form.get("next") or request.args.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default
