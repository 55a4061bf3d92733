"""Transfers, exchange/rotation, statistics facts, training credits, progress reminders, API tokens.

- `transfers`: one 调动 of a teacher's record from one school to another (the teacher_transfer flow
  keeps its state here too, so pages, locks and lanes read it without a workflow).
- `rotations`: one 交流轮岗 assignment (exchange_rotation flow), with the 人员状态 it replaced.
- `teacher_facts` / `unit_counts` / `stats_state`: read-optimised facts of effective records (one
  narrow row per teacher) and their roll-up per unit of the tree (every unit's subtree counts per
  dimension value), refreshed incrementally from new record versions (records/facts.py).
- `credit_requirements` / `credit_entries`: the yearly 学时 requirement per school type and the
  training-hours ledger (reviewed 国内培训 rows, platform imports, hand entries, API pushes).
- `unit_urges`: a 督促 sent to a lagging unit (at most one per unit and day).
- `api_tokens`: per-unit tokens of the read-only JSON API (only a hash is stored).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow
from .orgs import Org

# ----------------------------------------------------------------------------- transfers
TRANSFER_PENDING, TRANSFER_DONE, TRANSFER_RETURNED = "pending", "done", "returned"
TRANSFER_STATES = {TRANSFER_PENDING: "办理中", TRANSFER_DONE: "已调动", TRANSFER_RETURNED: "已退回"}
# How far the move reaches, for lists and statistics: same county, another county of the same city,
# another city (or a county-level unit / province-run school directly under the province).
TRANSFER_SCOPES = {"county": "县域内", "city": "跨县（市、区）", "province": "跨市"}


class Transfer(Base):
    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False)
    from_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    to_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    scope: Mapped[str] = mapped_column(String(20), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=TRANSFER_PENDING)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    join_month: Mapped[str] = mapped_column(String(7), nullable=False)     # 进本校年月 at the new school
    reason: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    returned_step: Mapped[str | None] = mapped_column(String(100))
    version_number: Mapped[int | None] = mapped_column(Integer)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    from_org: Mapped[Org] = relationship(foreign_keys=[from_org_id], lazy="joined")
    to_org: Mapped[Org] = relationship(foreign_keys=[to_org_id], lazy="joined")

    __table_args__ = (
        Index("ix_transfers_teacher", "teacher_id", "state"),
        Index("ix_transfers_from", "from_org_id", "created_at"),
        Index("ix_transfers_to", "to_org_id", "created_at"),
    )

    @property
    def state_label(self) -> str:
        return TRANSFER_STATES.get(self.state, self.state)

    @property
    def scope_label(self) -> str:
        return TRANSFER_SCOPES.get(self.scope, self.scope)


# ----------------------------------------------------------------------------- exchange / rotation
ROTATION_PENDING, ROTATION_APPROVED, ROTATION_ACTIVE = "pending", "approved", "active"
ROTATION_FINISHED, ROTATION_RETURNED = "finished", "returned"
ROTATION_STATES = {ROTATION_PENDING: "审批中", ROTATION_APPROVED: "待开始", ROTATION_ACTIVE: "交流中",
                   ROTATION_FINISHED: "已结束", ROTATION_RETURNED: "已退回"}


class Rotation(Base):
    __tablename__ = "rotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False)
    home_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    host_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    rotation_type: Mapped[str] = mapped_column(String(4), nullable=False)      # 交流轮岗类型 code
    moves_relationship: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    start_month: Mapped[str] = mapped_column(String(7), nullable=False)
    end_month: Mapped[str] = mapped_column(String(7), nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default=ROTATION_PENDING)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    previous_status: Mapped[str | None] = mapped_column(String(4))             # 人员状态 before the start
    return_reason: Mapped[str | None] = mapped_column(Text)
    returned_step: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    home_org: Mapped[Org] = relationship(foreign_keys=[home_org_id], lazy="joined")
    host_org: Mapped[Org] = relationship(foreign_keys=[host_org_id], lazy="joined")

    __table_args__ = (
        Index("ix_rotations_teacher", "teacher_id", "state"),
        Index("ix_rotations_host", "host_org_id", "state"),
        Index("ix_rotations_home", "home_org_id", "state"),
    )

    @property
    def state_label(self) -> str:
        return ROTATION_STATES.get(self.state, self.state)


# ----------------------------------------------------------------------------- statistics facts
class TeacherFact(Base):
    """One effective record, reduced to the values statistics group by (refreshed from its latest version)."""

    __tablename__ = "teacher_facts"

    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)
    # One column per dimension of records/facts.py DIMENSIONS (codes or our own level keys).
    gender: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    birth_date: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    ethnicity: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    political: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    education: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    title: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    staff_type: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    staff_category: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    personnel_status: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    school_type: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    refreshed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_teacher_facts_org", "org_id"),)


class UnitCount(Base):
    """How many effective records of a unit's subtree have `value` in dimension `dim`."""

    __tablename__ = "unit_counts"

    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True)
    dim: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class StatsState(Base):
    """Bookkeeping of the facts refresh: the record-version watermark and the org tree signature."""

    __tablename__ = "stats_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


# ----------------------------------------------------------------------------- training credits
CREDIT_SOURCES = {"training": "国内培训（已审核）", "platform": "继续教育平台导入", "manual": "学校录入",
                  "api": "接口推送"}


class CreditRequirement(Base):
    """The yearly training-hours requirement of teachers of one school type ("*": every other type)."""

    __tablename__ = "credit_requirements"

    school_type: Mapped[str] = mapped_column(String(4), primary_key=True)
    hours: Mapped[float] = mapped_column(Float, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class CreditEntry(Base):
    __tablename__ = "credit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    hours: Mapped[float] = mapped_column(Float, nullable=False)
    credits: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    project: Mapped[str] = mapped_column(String(200), nullable=False)
    external_id: Mapped[str] = mapped_column(String(120), nullable=False)   # dedupe key within the source
    batch: Mapped[str | None] = mapped_column(String(200))                  # file name / API client
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        UniqueConstraint("teacher_id", "source", "external_id", name="uq_credit_entries_source"),
        Index("ix_credit_entries_year", "year", "teacher_id"),
    )

    @property
    def source_label(self) -> str:
        return CREDIT_SOURCES.get(self.source, self.source)


# ----------------------------------------------------------------------------- progress reminders
class UnitUrge(Base):
    __tablename__ = "unit_urges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    day: Mapped[str] = mapped_column(String(10), nullable=False)              # Beijing date
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (UniqueConstraint("org_id", "day", name="uq_unit_urges_day"),)


# ----------------------------------------------------------------------------- API tokens
class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    masked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    can_push_credits: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    org: Mapped[Org] = relationship(lazy="joined")

    __table_args__ = (Index("ix_api_tokens_org", "org_id"),)
