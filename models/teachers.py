"""Teacher records: one row per person (one person, one number), basic information as JSON.

Values live in `basic` keyed by the indicator field keys declared in `records/indicators.py`;
the identity columns are copied out of it so they can be indexed and checked for uniqueness.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow
from .orgs import Org

# Basic items held in Teacher columns (indexed, checked for uniqueness) rather than in Teacher.basic.
IDENTITY_COLUMNS = ("name", "gender", "id_type", "id_number", "birth_date")


def basic_with_identity(basic: dict | None, identity: dict) -> dict:
    """The basic set as a record page shows it: Teacher.basic with the identity columns that hold a value over it."""
    values = dict(basic or {})
    values.update({k: v for k, v in identity.items() if v})
    return values


# Record states as a teacher or reviewer sees them; the review flow moves them.
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"          # waiting for the school
STATE_SCHOOL_APPROVED = "school_approved"  # waiting for the reviewing authority
STATE_EFFECTIVE = "effective"
STATE_RETURNED = "returned"
STATE_LEFT = "left"                    # left the unit through the departure flow; kept, read-only
RECORD_STATES = {
    STATE_DRAFT: "未报送",
    STATE_SUBMITTED: "待学校审核",
    STATE_SCHOOL_APPROVED: "待主管部门审核",
    STATE_EFFECTIVE: "已生效",
    STATE_RETURNED: "已退回",
    STATE_LEFT: "已离岗",
}
LOCKED_STATES = (STATE_SUBMITTED, STATE_SCHOOL_APPROVED)


class Teacher(Base):
    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    # Teachers of a teaching point are managed by its central school (org_id); this notes where they teach.
    teaching_point_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id"), nullable=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    id_type: Mapped[str] = mapped_column(String(2), nullable=False, default="1")
    id_number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    personal_number: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=STATE_DRAFT)
    return_reason: Mapped[str | None] = mapped_column(Text)
    basic: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", use_alter=True), nullable=True)
    filled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    effective_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    org: Mapped[Org] = relationship(foreign_keys=[org_id], lazy="joined")
    teaching_point: Mapped[Org | None] = relationship(foreign_keys=[teaching_point_id])

    __table_args__ = (Index("ix_teachers_org_state", "org_id", "state"),)

    @property
    def state_label(self) -> str:
        return RECORD_STATES.get(self.state, self.state)

    @property
    def is_locked(self) -> bool:
        return self.state in LOCKED_STATES


class RecordVersion(Base):
    """An effective version of a record, kept forever (taken each time a review makes it effective)."""

    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    basic: Mapped[dict] = mapped_column(JSON, nullable=False)
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
