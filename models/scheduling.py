"""Deadlines: monthly reports, unit managers, report settings, notifications, the scheduler's heartbeat.

Timers themselves live on the instance rows (process_instances.next_due_at); these tables hold
what the timers act on and what they produce. Uniqueness constraints are the idempotency:
one report per unit, period and kind; one notification per idempotency key.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow
from .orgs import Org

REPORT_UNIT = "unit"          # a reporting unit's monthly progress report (due the 25th)
REPORT_PROVINCE = "province"  # the province's compiled report to the Ministry (due the 1st)
REPORT_OPEN = "open"
REPORT_SUBMITTED = "submitted"
REPORT_STATUS_LABELS = {REPORT_OPEN: "待报送", REPORT_SUBMITTED: "已报送"}


class MonthlyReport(Base):
    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    period: Mapped[str] = mapped_column(String(7), nullable=False)        # "2026-12"
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default=REPORT_UNIT)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=REPORT_OPEN)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), nullable=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    remark: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict | None] = mapped_column(JSON)                    # frozen at submission
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    year_end_summary: Mapped[str | None] = mapped_column(Text)            # December only
    year_end_submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("org_id", "period", "kind", name="uq_monthly_reports_unit_period"),
        Index("ix_monthly_reports_period", "period", "kind", "status"),
        Index("ix_monthly_reports_instance", "instance_id"),
    )

    @property
    def status_label(self) -> str:
        return REPORT_STATUS_LABELS.get(self.status, self.status)

    def is_overdue(self, at: dt.datetime) -> bool:
        return self.status != REPORT_SUBMITTED and self.due_at is not None and self.due_at < at


class UnitManager(Base):
    """A unit's manager (unit head, bureau leader): receives escalations by e-mail (and in the app
    when linked to an account)."""

    __tablename__ = "unit_managers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    daily_digest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_unit_managers_org", "org_id"),)


class ReportSetting(Base):
    """Per unit: where reports of the units directly below it are e-mailed (inbox_email), and for the
    top unit where its own report goes (upstream_email: the Ministry)."""

    __tablename__ = "report_settings"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    inbox_email: Mapped[str | None] = mapped_column(String(200))
    upstream_email: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class NotificationContact(Base):
    """A user's e-mail address for notifications and whether they want one daily digest instead."""

    __tablename__ = "notification_contacts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(200))
    daily_digest: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


EMAIL_NONE = "none"        # in-app only
EMAIL_PENDING = "pending"  # waiting in the outbox
EMAIL_SENDING = "sending"  # claimed by a sender (not retried automatically: never send twice)
EMAIL_SENT = "sent"
EMAIL_FAILED = "failed"
EMAIL_DIGEST = "digest"    # held for the recipient's daily digest
EMAIL_DIGESTED = "digested"


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(250), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))           # the unit it concerns
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_manager_id: Mapped[int | None] = mapped_column(ForeignKey("unit_managers.id"))
    recipient_email: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email_status: Mapped[str] = mapped_column(String(12), nullable=False, default=EMAIL_NONE)
    email_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (
        Index("ix_notifications_inbox", "recipient_user_id", "read_at", "id"),
        Index("ix_notifications_outbox", "email_status", "id"),
    )


class SchedulerRun(Base):
    """A once-per-period job that has run (e.g. the daily digest of one day): the unique key is the claim."""

    __tablename__ = "scheduler_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60), nullable=False)
    period: Mapped[str] = mapped_column(String(40), nullable=False)
    ran_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    detail: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("job", "period", name="uq_scheduler_runs_job_period"),)


class SchedulerHeartbeat(Base):
    """One row per scheduler process: when it started, its last tick, and what that tick did."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)        # host:pid
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_tick_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)   # wall clock
    last_now: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)       # the time the tick ran "as of"
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
    last_fired: Mapped[int | None] = mapped_column(Integer)
    last_lag_seconds: Mapped[int | None] = mapped_column(Integer)           # oldest due work left unfired
    last_error: Mapped[str | None] = mapped_column(Text)
    ticks: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
