"""Change requests against effective records (the record_change flow keeps its state here too,
so that locks, pages and the inbox read it without a workflow)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime, utcnow

CHANGE_PENDING, CHANGE_RETURNED, CHANGE_APPLIED, CHANGE_WITHDRAWN = "pending", "returned", "applied", "withdrawn"
CHANGE_STATES = {CHANGE_PENDING: "待审核", CHANGE_RETURNED: "已退回", CHANGE_APPLIED: "已生效", CHANGE_WITHDRAWN: "已撤回"}


class ChangeRequest(Base):
    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False)
    # "change": new values of the basic set (school → authority); "addition": a new row of a
    # repeatable set (teacher → school), `set_key` naming the set.
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="change")
    set_key: Mapped[str | None] = mapped_column(String(40))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=CHANGE_PENDING)
    before: Mapped[dict] = mapped_column(JSON, nullable=False)     # field key → value when proposed
    proposed: Mapped[dict] = mapped_column(JSON, nullable=False)   # field key → new value (changed keys only)
    reason: Mapped[str | None] = mapped_column(Text)
    attachment_sha256: Mapped[str | None] = mapped_column(String(64))
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_type: Mapped[str | None] = mapped_column(String(40))
    attachment_size: Mapped[int | None] = mapped_column(Integer)
    return_reason: Mapped[str | None] = mapped_column(Text)
    version_number: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_change_requests_teacher", "teacher_id", "state"),)

    @property
    def state_label(self) -> str:
        return CHANGE_STATES.get(self.state, self.state)
