"""Process administration: diagram drafts being edited, and the editable lane → role table.

Deployed versions themselves are `ProcessDefinition` rows (models/workflow.py), immutable.
A draft is whatever the administrator saved from the editor or uploaded (a refused file too, so it
can be fixed in the editor); publishing a draft deploys a new version and marks the draft published.
The lane table adds lanes to the ones declared in workflows/lanes.py (which cannot be changed here).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime, utcnow


class ProcessDraft(Base):
    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str | None] = mapped_column(String(100))    # None: a file with no single process
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    bpmn_xml: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="editor")  # editor / upload
    filename: Mapped[str | None] = mapped_column(String(200))
    base_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definitions.id"))
    # The last validation: [{"message", "element_id", "element_name", "line", "severity"}]
    problems: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    accepted: Mapped[bool] = mapped_column(nullable=False, default=False)
    published_definition_id: Mapped[int | None] = mapped_column(ForeignKey("process_definitions.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_process_drafts_key", "process_key", "updated_at"),)


class LaneMapping(Base):
    """A lane name used in diagrams → the role and the unit (relative to the subject) that work it."""

    __tablename__ = "lane_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lane: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    unit: Mapped[str] = mapped_column(String(40), nullable=False)    # a key of workflows.lanes.UNITS
    description: Mapped[str | None] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
