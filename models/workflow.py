"""Engine persistence: deployed diagram versions, instances, ready human tasks, event log.

Only `workflows/` reads or writes `state` and `spec`; everything else uses the
denormalised columns (the inbox never deserialises a workflow).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow


class ProcessDefinition(Base):
    """One immutable deployed version of a diagram, keyed by the hash of its bytes."""

    __tablename__ = "process_definitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    spec_json: Mapped[str] = mapped_column(Text, nullable=False)
    is_current: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("process_key", "version"),)


class ProcessInstance(Base):
    __tablename__ = "process_instances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), nullable=False)
    process_key: Mapped[str] = mapped_column(String(100), nullable=False)
    subject_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"), nullable=True)
    subject_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="running")
    state: Mapped[str] = mapped_column(Text, nullable=False)
    # Optimistic lock: every save bumps it and is conditional on the value loaded.
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    next_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    definition: Mapped[ProcessDefinition] = relationship()

    __table_args__ = (
        Index("ix_instances_teacher", "subject_teacher_id", "process_key"),
        Index("ix_instances_due", "next_due_at"),
    )


class HumanTask(Base):
    """One row per ready user task; what inboxes query."""

    __tablename__ = "human_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), nullable=False)
    task_uuid: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    process_key: Mapped[str] = mapped_column(String(100), nullable=False)
    task_key: Mapped[str] = mapped_column(String(100), nullable=False)
    task_name: Mapped[str] = mapped_column(String(200), nullable=False)
    lane: Mapped[str | None] = mapped_column(String(100))
    candidate_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    candidate_role: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"))
    subject_org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_tasks_queue", "candidate_org_id", "candidate_role", "created_at"),
        # Covers the inbox's per-queue summary (counts per step, the filter choices): an index-only scan.
        Index("ix_tasks_queue_summary", "candidate_org_id", "candidate_role", "process_key", "task_key", "task_name",
              "claimed_by_id"),
        Index("ix_tasks_claimed", "claimed_by_id", "created_at"),
        Index("ix_tasks_instance", "instance_id"),
        Index("ix_tasks_teacher", "subject_teacher_id"),
        # Rows are deleted when their task is done; SQLite must never hand a deleted id to a new
        # task, or a stale form for task N would act on whatever task got N next.
        {"sqlite_autoincrement": True},
    )


class WorkflowEvent(Base):
    """Event log: one row per state change of an instance, written in the same transaction."""

    __tablename__ = "workflow_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"), nullable=False)
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    task_key: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The human task row this event acted on. The row is deleted once the task is done, so this is
    # how a late second reviewer of task N is told who handled it and when.
    human_task_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_events_instance", "instance_id", "id"),
        Index("ix_events_task", "task_uuid"),
        Index("ix_events_human_task", "human_task_id"),
    )
