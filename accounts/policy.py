"""The access policy, declared once: which role may do which action, and on what scope.

Scope is always the user's unit subtree (checked by the loaders in orgs/scope.py and
records/access.py); this table adds the role dimension. Tests enumerate it.
"""
from __future__ import annotations

from models.users import ROLE_INFO_ADMIN, ROLE_PROCESS_ADMIN, ROLE_QUERY, ROLE_SYS_ADMIN, ROLE_TEACHER

POLICY: dict[str, frozenset[str]] = {
    "record.view": frozenset({ROLE_INFO_ADMIN, ROLE_QUERY, ROLE_SYS_ADMIN, ROLE_TEACHER}),
    "record.edit": frozenset({ROLE_INFO_ADMIN, ROLE_TEACHER}),
    "record.import": frozenset({ROLE_INFO_ADMIN}),
    "task.work": frozenset({ROLE_INFO_ADMIN, ROLE_TEACHER}),
    "accounts.manage": frozenset({ROLE_SYS_ADMIN}),
    "orgs.view": frozenset({ROLE_INFO_ADMIN, ROLE_QUERY, ROLE_SYS_ADMIN, ROLE_PROCESS_ADMIN}),
    "audit.view": frozenset({ROLE_INFO_ADMIN, ROLE_SYS_ADMIN}),
    "process.admin": frozenset({ROLE_PROCESS_ADMIN}),
}
# Roles that see ID numbers masked.
MASKED_ROLES = frozenset({ROLE_QUERY, ROLE_SYS_ADMIN})


def allowed(user, action: str) -> bool:
    return user is not None and user.is_authenticated and user.role in POLICY[action]


def mask_id(number: str | None, role: str) -> str:
    if not number:
        return ""
    if role in MASKED_ROLES and len(number) > 8:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return number
