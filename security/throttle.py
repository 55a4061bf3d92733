"""Login throttling and lockout, counted from the audit log (every failed login is already an audit row
with the name typed and the client address, so no second ledger can disagree with it).

- per account: `LOGIN_MAX_FAILURES` failures (default 5) within `LOGIN_LOCK_MINUTES` (default 15) since
  the last successful login lock the name until the last failure + `LOGIN_LOCK_MINUTES`;
- per address: `LOGIN_MAX_FAILURES_PER_ADDRESS` failures (default 20) from one client address within the
  same window lock that address for every name (password spraying).

While locked, attempts are refused without checking the password and audited as `login_locked`;
they do not count as failures, so a lock ends on time however often someone keeps trying.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from models import AuditEntry, db, utcnow

DEFAULTS = {"LOGIN_MAX_FAILURES": 5, "LOGIN_MAX_FAILURES_PER_ADDRESS": 20, "LOGIN_LOCK_MINUTES": 15}


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


@dataclass
class Lock:
    until: dt.datetime
    by_address: bool

    def message(self) -> str:
        from views import china_time  # display in Asia/Shanghai, like every time the product shows
        when = china_time(self.until, "%H:%M")
        if self.by_address:
            return f"该地址登录失败次数过多，已暂停登录，请于 {when} 后再试（北京时间）。"
        return (f"登录失败次数过多，账号已锁定至 {when}（北京时间），请届时再试；"
                "如忘记密码，请联系本单位系统管理员重置。")


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=_setting("LOGIN_LOCK_MINUTES"))


def _lock_from(failures: list[dt.datetime], limit: int, by_address: bool, now: dt.datetime) -> Lock | None:
    if len(failures) < limit:
        return None
    until = max(failures) + dt.timedelta(minutes=_setting("LOGIN_LOCK_MINUTES"))
    return Lock(until, by_address) if until > now else None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def account_failures(username: str, user_id: int | None, now: dt.datetime) -> list[dt.datetime]:
    since = _window_start(now)
    if user_id is not None:
        last_ok = db.session.scalar(select(func.max(AuditEntry.created_at)).where(
            AuditEntry.action.in_(("login", "password_reset", "password_changed")),
            AuditEntry.object_id == str(user_id), AuditEntry.created_at >= since))
        if last_ok is not None:
            since = max(since, _aware(last_ok))
    return [_aware(t) for t in db.session.scalars(select(AuditEntry.created_at).where(
        AuditEntry.action == "login_failed", AuditEntry.object_id == username, AuditEntry.created_at >= since))]


def current_lock(username: str, user_id: int | None, address: str | None, now: dt.datetime | None = None) -> Lock | None:
    """The lock on this name or this address now, or None."""
    now = now or utcnow()
    if address:
        by_address = [_aware(t) for t in db.session.scalars(select(AuditEntry.created_at).where(
            AuditEntry.action == "login_failed", AuditEntry.ip == address, AuditEntry.created_at >= _window_start(now)))]
        lock = _lock_from(by_address, _setting("LOGIN_MAX_FAILURES_PER_ADDRESS"), True, now)
        if lock:
            return lock
    return _lock_from(account_failures(username, user_id, now), _setting("LOGIN_MAX_FAILURES"), False, now)


def attempts_left(username: str, user_id: int | None, now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    return max(0, _setting("LOGIN_MAX_FAILURES") - len(account_failures(username, user_id, now)))
