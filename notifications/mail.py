"""E-mail: SMTP settings and the outbox sender.

Settings come from the app config, else the environment: SMTP_HOST (no host: nothing is sent,
rows wait in the outbox), SMTP_PORT (25), SMTP_SECURITY ("none", "starttls" or "ssl"),
SMTP_USERNAME / SMTP_PASSWORD (optional), SMTP_SENDER, SMTP_TIMEOUT (seconds).

`send_outbox(now)` sends the rows waiting in the outbox. A batch is claimed first (FOR UPDATE
SKIP LOCKED on PostgreSQL; SQLite's writer lock) and marked `sending` in its own commit, then
sent over one SMTP connection, then each row is marked `sent`. A row that was claimed but whose
sender died is never sent again automatically (it stays `sending`, visible on the scheduler page):
a lost e-mail can be resent by hand, a duplicate cannot be taken back. A refused message (SMTP
error) is retried up to MAX_ATTEMPTS times. Each message carries a Message-ID made from the
notification's idempotency key, so a mail system that sees it twice can tell.

Not here: which notifications exist (centre.py).
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr

from flask import current_app, has_app_context
from sqlalchemy import select, update

from models import Notification, db, write_intent
from models.scheduling import EMAIL_FAILED, EMAIL_PENDING, EMAIL_SENDING, EMAIL_SENT

N = Notification.__table__
MAX_ATTEMPTS = 3
BATCH = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    security: str = "none"          # none / starttls / ssl
    username: str | None = None
    password: str | None = None
    sender: str = "海南省教师管理信息系统 <noreply@localhost>"
    timeout: float = 20.0


def _setting(name: str, default=None):
    if has_app_context() and current_app.config.get(name) not in (None, ""):
        return current_app.config[name]
    return os.environ.get(name) or default


def smtp_settings() -> SmtpSettings | None:
    host = _setting("SMTP_HOST")
    if not host:
        return None
    security = str(_setting("SMTP_SECURITY", "none")).lower()
    if security not in ("none", "starttls", "ssl"):
        raise ValueError(f"SMTP_SECURITY 只能是 none、starttls 或 ssl，而不是 {security}")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
    return SmtpSettings(host=str(host), port=int(_setting("SMTP_PORT", default_port)), security=security,
                        username=_setting("SMTP_USERNAME"), password=_setting("SMTP_PASSWORD"),
                        sender=str(_setting("SMTP_SENDER", SmtpSettings.sender)),
                        timeout=float(_setting("SMTP_TIMEOUT", 20)))


def build_message(row, settings: SmtpSettings) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = row.title
    msg["From"] = settings.sender
    msg["To"] = row.recipient_email
    msg["Date"] = formatdate(localtime=False)
    domain = parseaddr(settings.sender)[1].partition("@")[2] or "localhost"
    msg["Message-ID"] = f"<{hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]}@{domain}>"
    msg["X-Notification-Key"] = row.idempotency_key
    body = row.body or row.title
    if row.link:
        body += f"\n\n详情：{row.link}"
    msg.set_content(body + "\n\n（本邮件由海南省教师管理信息系统自动发送，请勿直接回复。）")
    if row.attachment:
        maintype, _, subtype = XLSX.partition("/")
        msg.add_attachment(bytes(row.attachment), maintype=maintype, subtype=subtype,
                           filename=row.attachment_name or "report.xlsx")
    return msg


def _connect(settings: SmtpSettings):
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if settings.username:
        client.login(settings.username, settings.password or "")
    return client


def _claim(limit: int, now) -> list:
    """Mark up to `limit` pending rows `sending` and commit; returns them."""
    with write_intent():
        query = select(N).where(N.c.email_status == EMAIL_PENDING).order_by(N.c.id).limit(limit)
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        try:
            rows = db.session.execute(query).all()
            if rows:
                db.session.execute(update(N).where(N.c.id.in_([r.id for r in rows]))
                                   .values(email_status=EMAIL_SENDING, email_attempts=N.c.email_attempts + 1))
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return rows


def _finish(row_id: int, status: str, now, error: str | None = None) -> None:
    with write_intent():
        values = {"email_status": status, "email_error": error}
        if status == EMAIL_SENT:
            values["emailed_at"] = now
        db.session.execute(update(N).where(N.c.id == row_id, N.c.email_status == EMAIL_SENDING).values(**values))
        db.session.commit()


def send_outbox(now, settings: SmtpSettings | None = None, *, limit: int = 1000) -> list[str]:
    """Send pending e-mails; one output line per message sent or given up on."""
    settings = settings or smtp_settings()
    if settings is None:
        return []
    if db.session().in_transaction():
        db.session.commit()
    lines, done = [], 0
    while done < limit:
        rows = _claim(min(BATCH, limit - done), now)
        if not rows:
            break
        done += len(rows)
        try:
            client = _connect(settings)
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:  # never reached the server: safe to try again later
                _finish(row.id, EMAIL_PENDING if row.email_attempts + 1 < MAX_ATTEMPTS else EMAIL_FAILED, now,
                        f"无法连接邮件服务器 {settings.host}:{settings.port}：{exc}")
            lines.append(f"邮件发送失败：无法连接邮件服务器 {settings.host}:{settings.port}（{exc}）")
            break
        try:
            for row in rows:
                try:
                    client.send_message(build_message(row, settings),
                                        from_addr=parseaddr(settings.sender)[1] or None,
                                        to_addrs=[row.recipient_email])
                except smtplib.SMTPRecipientsRefused as exc:
                    _finish(row.id, EMAIL_FAILED, now, f"收件人被拒绝：{exc.recipients}")
                    lines.append(f"邮件被拒收：{row.recipient_email}《{row.title}》")
                    continue
                except smtplib.SMTPResponseException as exc:
                    retry = row.email_attempts + 1 < MAX_ATTEMPTS and exc.smtp_code < 500
                    _finish(row.id, EMAIL_PENDING if retry else EMAIL_FAILED, now, f"{exc.smtp_code} {exc.smtp_error!r}")
                    lines.append(f"邮件发送失败：{row.recipient_email}《{row.title}》（{exc.smtp_code}）")
                    continue
                _finish(row.id, EMAIL_SENT, now)
                name = formataddr(("", row.recipient_email)).strip()
                lines.append(f"邮件已发送：{name}《{row.title}》" + (f"（附件 {row.attachment_name}）" if row.attachment else ""))
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
    return lines
