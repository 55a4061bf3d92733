"""Notifications: the in-app centre, e-mail through SMTP, idempotency, the daily digest, managers.

    notify(key=..., kind=..., title=..., body=..., org_id=..., users=[...], managers=[...], emails=[...])
        -> int                    one row per recipient, keyed "<key>|<recipient>": never twice
    unread_count(user), inbox(user, page), mark_read(user, ids | None)
    send_outbox(now) -> [line]    e-mail pending rows (claimed under row locks), at most once each
    run_daily_digest(now) -> [line]
    task_deadline_event(kind, instance_id, task_key)   what the diagrams' remind()/escalate() do

Modules: centre (rows, recipients, reading), mail (SMTP settings and the outbox), digest (the daily
digest), deadlines (reminder and escalation messages for open tasks).
Not here: when things fall due (workflows/timers.py, scheduler/).
"""
from .centre import inbox, managers_of, mark_read, notify, unread_count, users_with_role
from .deadlines import task_deadline_event
from .digest import run_daily_digest
from .mail import SmtpSettings, send_outbox, smtp_settings

__all__ = [
    "SmtpSettings", "inbox", "managers_of", "mark_read", "notify", "run_daily_digest", "send_outbox", "smtp_settings",
    "task_deadline_event", "unread_count", "users_with_role",
]
