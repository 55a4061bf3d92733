"""The access policy, declared once: which role may do which action, on which scope, through which route.

- `SCOPES`: action → {role: scope}. A role absent from an action may not do it at all (403).
  The scope says which objects of the action the role reaches:
  `ANY` (no object: the role is enough), `PROVINCE` (only at the province's own unit),
  `SUBTREE` (the object's unit is the user's unit or below it), `OWN_UNIT` (the user's unit itself),
  `SELF` (the user's own record, notification or password sheet), `CANDIDATE` (a task whose candidate
  unit and role are the user's; for a teacher, a task on their own record), `MANAGED` (an account of
  the user's own unit, or a system administrator of a unit directly below).
- `ROUTES`: Flask endpoint → `Route(action, obj)`: the action a route performs and the URL argument
  naming its object (None when the route names no object). `PUBLIC` routes need no login; `SESSION`
  routes any signed-in user (their objects are their own).
- `POLICY`: action → roles, derived from `SCOPES` (what `allowed()` and the templates use).

The views enforce it through the loaders in records/access.py, orgs/scope.py and reports/service.py;
tests/test_permissions.py walks every route of the URL map × every role × own unit / a unit below /
a foreign unit and compares what happens with this declaration. A new route without a line in
`ROUTES` fails that test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from models.users import ROLE_INFO_ADMIN, ROLE_PROCESS_ADMIN, ROLE_QUERY, ROLE_SYS_ADMIN, ROLE_TEACHER

INFO, QUERY, SYS, TEACHER, PROCESS = ROLE_INFO_ADMIN, ROLE_QUERY, ROLE_SYS_ADMIN, ROLE_TEACHER, ROLE_PROCESS_ADMIN
ALL_ROLES = (TEACHER, SYS, INFO, QUERY, PROCESS)

ANY, PROVINCE, SUBTREE, OWN_UNIT, SELF, CANDIDATE, MANAGED = (
    "any", "province", "subtree", "own_unit", "self", "candidate", "managed")

SCOPES: dict[str, dict[str, str]] = {
    "public": {},                     # no login needed (see PUBLIC)
    "session": {r: ANY for r in ALL_ROLES},
    "notification.open": {r: SELF for r in ALL_ROLES},
    "record.own": {TEACHER: ANY},
    "record.list": {INFO: ANY, QUERY: ANY, SYS: ANY},
    "record.view": {INFO: SUBTREE, QUERY: SUBTREE, SYS: SUBTREE, TEACHER: SELF},
    "record.edit": {INFO: OWN_UNIT, TEACHER: SELF},
    "record.restart": {INFO: OWN_UNIT},        # a new collection flow after one was terminated
    "record.import": {INFO: ANY},
    "import.job": {INFO: SELF},                # one's own import job (progress, report of bad cells)
    "record.change": {INFO: OWN_UNIT},         # propose a change, register a departure, revise a change
    "record.addition": {TEACHER: SELF},        # add a row to an effective record, revise it
    "change.attachment": {INFO: SUBTREE},      # the scan shows the full ID number: never a masked role
    "task.list": {INFO: ANY, TEACHER: ANY},
    "task.work": {INFO: CANDIDATE, TEACHER: CANDIDATE},
    "accounts.manage": {SYS: ANY},
    "accounts.withdraw": {SYS: OWN_UNIT},
    "accounts.reset": {SYS: MANAGED},
    "accounts.sheet": {SYS: SELF},
    "orgs.view": {INFO: ANY, QUERY: ANY, SYS: ANY, PROCESS: ANY},
    "audit.view": {INFO: ANY, SYS: ANY},
    "report.list": {INFO: ANY, QUERY: ANY, SYS: ANY, PROCESS: ANY},
    "report.view": {INFO: SUBTREE, QUERY: SUBTREE, SYS: SUBTREE, PROCESS: SUBTREE},
    "report.submit": {INFO: CANDIDATE},
    "report.settings": {INFO: SUBTREE, SYS: SUBTREE},
    "scheduler.view": {PROCESS: ANY, SYS: PROVINCE},
    # transfers and exchange/rotation: an object held by two schools (from/to, home/host), in scope from either side
    "mobility.list": {INFO: ANY, QUERY: ANY, SYS: ANY},
    "mobility.view": {INFO: SUBTREE, QUERY: SUBTREE, SYS: SUBTREE, TEACHER: SELF},
    "transfer.apply": {INFO: ANY},             # the receiving school's administrator (refused politely elsewhere)
    "rotation.apply": {INFO: OWN_UNIT},
    # statistics, progress, search and training credits of a subtree
    "stats.view": {INFO: ANY, QUERY: ANY, SYS: ANY},
    "stats.urge": {INFO: SUBTREE},                 # a unit below (one's own is refused politely)
    "credits.list": {INFO: ANY, QUERY: ANY, SYS: ANY, TEACHER: ANY},
    "credits.view": {INFO: SUBTREE, QUERY: SUBTREE, SYS: SUBTREE, TEACHER: SELF},
    "credits.import": {INFO: ANY},
    "credits.settings": {INFO: PROVINCE},
    "credits.enter": {INFO: OWN_UNIT},
    # data exchange: pages and exports of a subtree; API tokens; the JSON API itself takes a bearer token
    # of a unit, never a session (every signed-in role gets 401 there)
    "exchange.view": {INFO: ANY, QUERY: ANY, SYS: ANY},
    "exchange.tokens": {INFO: ANY, QUERY: ANY},     # a token of one's own unit (revoke: only those)
    "api.token": {},
    "process.admin": {PROCESS: PROVINCE},
}

POLICY: dict[str, frozenset[str]] = {action: frozenset(roles) for action, roles in SCOPES.items()}

# Roles that see ID numbers masked.
MASKED_ROLES = frozenset({ROLE_QUERY, ROLE_SYS_ADMIN})


@dataclass(frozen=True)
class Route:
    action: str
    obj: str | None = None   # the URL argument that names the object


PUBLIC = frozenset({"auth.login", "home.set_language", "static", "api.openapi"})

ROUTES: dict[str, Route] = {
    # signing in and out, one's own settings, pages every user has
    "auth.login": Route("public"),
    "home.set_language": Route("public"),
    "static": Route("public"),
    "auth.logout": Route("session"),
    "auth.change_password": Route("session"),
    "home.index": Route("session"),
    "notifications.index": Route("session"),
    "notifications.read": Route("session"),
    "notifications.settings": Route("session"),
    "notifications.open_one": Route("notification.open", "notification_id"),
    "records.templates": Route("session"),
    "records.template_download": Route("session"),
    # records
    "records.my_record": Route("record.own"),
    "records.teacher_list": Route("record.list"),
    "records.detail": Route("record.view", "teacher_id"),
    "records.history": Route("record.view", "teacher_id"),
    "records.edit": Route("record.edit", "teacher_id"),
    "records.set_row": Route("record.edit", "teacher_id"),
    "records.set_row_delete": Route("record.edit", "teacher_id"),
    "records.restart_collection": Route("record.restart", "teacher_id"),
    "records.import_sheet": Route("record.import"),
    **{f"records.{name}": Route("import.job", "token") for name in ("import_job", "import_job_status",
                                                                     "import_job_report")},
    "changes.propose": Route("record.change", "teacher_id"),
    "changes.departure": Route("record.change", "teacher_id"),
    "changes.revise": Route("record.change", "change_id"),
    "changes.attachment": Route("change.attachment", "change_id"),
    "changes.add": Route("record.addition", "teacher_id"),
    "changes.start_addition": Route("record.addition", "teacher_id"),
    "changes.revise_addition": Route("record.addition", "change_id"),
    # review work
    "inbox.queue": Route("task.list"),
    "inbox.bulk_approve": Route("task.list"),
    "inbox.task_page": Route("task.work", "task_id"),
    "inbox.decide": Route("task.work", "task_id"),
    "inbox.claim": Route("task.work", "task_id"),
    # accounts and the audit log
    "accounts.index": Route("accounts.manage"),
    "accounts.create_teacher": Route("accounts.manage"),
    "accounts.create_teachers_from_sheet": Route("accounts.manage"),
    "accounts.generate": Route("accounts.manage"),
    "accounts.withdraw_teacher": Route("accounts.withdraw", "teacher_id"),
    "accounts.reset": Route("accounts.reset", "user_id"),
    "accounts.download_sheet": Route("accounts.sheet", "sheet_id"),
    "audit.index": Route("audit.view"),
    # monthly reports, deadlines, the scheduler
    "reports.index": Route("report.list"),
    "reports.detail": Route("report.view", "report_id"),
    "reports.download": Route("report.view", "report_id"),
    "reports.from_task": Route("report.view", "task_id"),
    "reports.submit": Route("report.submit", "report_id"),
    "reports.year_end": Route("report.submit", "report_id"),
    "reports.unit_settings": Route("report.settings", "org_id"),
    "notifications.scheduler_status": Route("scheduler.view"),
    # transfers and exchange/rotation
    "transfers.index": Route("mobility.list"),
    "transfers.rotation_index": Route("mobility.list"),
    "transfers.new": Route("transfer.apply"),
    "transfers.detail": Route("mobility.view", "transfer_id"),
    "transfers.rotation_detail": Route("mobility.view", "rotation_id"),
    "transfers.rotation_new": Route("rotation.apply", "teacher_id"),
    "transfers.from_task": Route("task.work", "task_id"),
    # statistics, progress, search, training credits
    **{f"stats.{name}": Route("stats.view") for name in ("index", "export", "progress_page", "progress_export",
                                                          "search_page")},
    "stats.urge": Route("stats.urge", "org_id"),
    "credits.index": Route("credits.list"),
    "credits.mine": Route("credits.list"),
    "credits.import_file": Route("credits.import"),
    "credits.settings": Route("credits.settings"),
    "credits.teacher": Route("credits.view", "teacher_id"),
    "credits.add_entry": Route("credits.enter", "teacher_id"),
    "credits.remove_entry": Route("credits.enter", "teacher_id"),
    # data exchange
    "api.exchange_page": Route("exchange.view"),
    "api.export_json": Route("exchange.view"),
    "api.export_xlsx": Route("exchange.view"),
    "api.create_token": Route("exchange.tokens"),
    "api.revoke_token": Route("exchange.tokens", "token_id"),
    "api.openapi": Route("public"),
    **{f"api.{name}": Route("api.token") for name in ("api_units", "api_teachers", "api_teacher", "api_statistics",
                                                      "api_credits")},
    # process administration (diagrams are the province's, not a unit's)
    **{f"process.{name}": Route("process.admin") for name in (
        "index", "versions", "view_version", "download_version", "make_current", "editor", "download_draft",
        "api_validate", "api_save_draft", "api_publish", "upload", "delete_draft", "instances", "migrate",
        "instance", "suspend", "resume", "terminate", "retry", "lane_table", "save_lane", "delete_lane")},
}


def allowed(user, action: str) -> bool:
    """May the user's role do `action` at all (objects aside)."""
    return user is not None and user.is_authenticated and user.role in POLICY[action]


def scope_of(user, action: str) -> str | None:
    """The scope the user's role has for `action`, or None when the role may not do it."""
    if user is None or not user.is_authenticated:
        return None
    return SCOPES[action].get(user.role)


def permits_unit(user, action: str, unit) -> bool:
    """May the user do `action` on an object held by `unit` (an Org) — the unit part of the policy."""
    scope = scope_of(user, action)
    if scope is None:
        return False
    if scope == ANY:
        return True
    if scope == PROVINCE:
        return user.org is not None and user.org.kind == "province"
    if unit is None:
        return False
    if scope == SUBTREE:
        return user.org.contains(unit)
    if scope in (OWN_UNIT, CANDIDATE):
        return user.org_id == unit.id
    return False


_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")


def is_id_number_shaped(text) -> bool:
    """A whole text shaped like a resident ID number (a teacher's login name is one)."""
    return bool(_ID_NUMBER.fullmatch((text or "").strip()))


def mask_text(text, role: str) -> str:
    """`text` with every resident ID number in it masked for a masked role (audit entries, messages)."""
    text = "" if text is None else str(text)
    if role not in MASKED_ROLES:
        return text
    return _ID_NUMBER.sub(lambda m: mask_id(m.group(0), role), text)


def mask_id(number: str | None, role: str) -> str:
    if not number:
        return ""
    if role in MASKED_ROLES and len(number) > 8:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return number
