"""Every page without an id in its address, asked for with every query parameter any view reads set to junk,
by each kind of signed-in user: never a server error (a school's `/reports?period=abc` was a 500).

The parameter names are read from the views' source, so a new `request.args.get("x")` is covered the day it
is written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.journey_helpers import login

ROOT = Path(__file__).resolve().parents[1]
JUNK = ("abc", "2026-13", "9" * 23, "-1", "0", "😀\u3000", "%00x", "2026-02-30", "'; DROP TABLE users; --")
USERS = ("2146000001_info", "2146000001_query", "460105_info", "460105_sys", "460000_query", "460000_info")
SKIP = {"static", "auth.logout", "home.set_language"}   # not pages: a file, a POST, a language switch


def _param_names() -> list[str]:
    names = set()
    pattern = re.compile(r"""args(?:\.get|\.getlist)?[\[(]\s*["']([a-z_]+)["']|(?:_date|_date_arg|_int_arg|page_arg)\(\s*["']([a-z_]+)["']""")
    for path in (ROOT / "views").glob("*.py"):
        for a, b in pattern.findall(path.read_text(encoding="utf-8")):
            names.add(a or b)
    return sorted(names)


def test_the_parameter_list_is_read_from_the_views():
    names = _param_names()
    assert {"period", "page", "org", "year", "state", "from", "to"} <= set(names), names


@pytest.mark.parametrize("username", USERS)
def test_junk_query_parameters_never_fail(province, username):
    client = province.test_client()
    login(client, username)
    names = _param_names()
    rules = [r for r in province.url_map.iter_rules()
             if "GET" in r.methods and not r.arguments and r.endpoint not in SKIP]
    assert len(rules) > 20
    failures = []
    for rule in rules:
        for junk in JUNK:
            resp = client.get(rule.rule, query_string={name: junk for name in names})
            if resp.status_code >= 500:
                failures.append(f"{rule.rule} ({junk!r}): {resp.status_code}")
    assert not failures, failures
