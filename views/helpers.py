"""Small helpers shared by the blueprints: safe redirects, bounded page numbers, ids from forms."""
from __future__ import annotations

import re

from flask import Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter


class TypedTextRequest(Request):
    """Form text with each line break as one character, as the browser counted it: a textarea posts
    line breaks as CRLF, so a remark the page's counter showed as 999 / 1000 arrived as 1008 and was
    refused. Every length check and every stored text sees LF only."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        pairs = list(form.items(multi=True)) if form is not None else []
        if any("\r" in value for _, value in pairs):
            self.__dict__["form"] = ImmutableMultiDict(
                [(key, value.replace("\r\n", "\n").replace("\r", "\n")) for key, value in pairs])


# Largest id any of our databases stores (SQLite and PostgreSQL bigint).
MAX_DB_ID = 2**63 - 1
MAX_PAGE = 100_000
_LOCAL_PATH = re.compile(r"^/(?!/)[A-Za-z0-9/_.~%?=&+-]*$")


class DbIdConverter(IntegerConverter):
    """`<int:...>` in our routes: ids past what the database stores are simply not found (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_DB_ID)
        super().__init__(map, *args, **kwargs)


def safe_next(default: str) -> str:
    """The form's `next` target when it is a plain local path; never off-site, never header injection."""
    target = request.form.get("next") or request.args.get("next") or ""
    return target if _LOCAL_PATH.match(target) else default


def page_arg(name: str = "page") -> int:
    raw = request.args.get(name, "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def form_ids(name: str) -> tuple[list[int], list[str]]:
    """Ids posted by checkboxes, and the raw values that are not ids."""
    ids, bad = [], []
    for raw in request.form.getlist(name):
        if raw.isdigit() and int(raw) <= MAX_DB_ID:
            ids.append(int(raw))
        else:
            bad.append(raw[:30])
    return ids, bad


def requested_unit():
    """The unit asked for with ?org=CODE, which must be the user's own or below it (404 otherwise);
    the user's own unit when none is asked for. Role checks stay with the caller."""
    from flask import abort
    from flask_login import current_user
    from sqlalchemy import select

    from models import Org, db
    from orgs.scope import org_in_scope
    code = request.args.get("org", "").strip()[:20]
    if not code:
        return current_user.org
    org = db.session.scalars(select(Org).where(Org.code == code)).first()
    if org is None or org_in_scope(current_user, org.id) is None:
        abort(404)
    return org
