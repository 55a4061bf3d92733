"""Rows of the repeatable information sets, their snapshots in effective versions, and import jobs.

One generic table for every set (`record_items`): the set's fields are data (records/sets.py),
so a row is its values as JSON keyed by field key, like Teacher.basic. `position` orders a
teacher's rows of one set as they were entered or imported (an export writes them in that order,
so export → import gives the same rows). Every row knows who entered it and when.

`record_version_items` keeps the set rows of each effective version beside RecordVersion
(which keeps the basic set), so an effective record is never silently overwritten.

`import_jobs` is one upload: its progress while a background thread runs it, and the outcome
(the problem list, the original workbook with the bad cells marked) afterwards.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base, UTCDateTime, utcnow


class RecordItem(Base):
    __tablename__ = "record_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False)
    set_key: Mapped[str] = mapped_column(String(40), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    values: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    entered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_record_items_teacher_set", "teacher_id", "set_key", "position"),)


class RecordVersionItems(Base):
    """The set rows of effective version `number` of a teacher's record: {set_key: [values, …]}."""

    __tablename__ = "record_version_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id"), nullable=False)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    items: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (Index("ix_record_version_items_teacher", "teacher_id", "number", unique=True),)


IMPORT_QUEUED, IMPORT_RUNNING, IMPORT_DONE, IMPORT_FAILED = "queued", "running", "done", "failed"


class ImportJob(Base):
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False)
    set_key: Mapped[str] = mapped_column(String(40), nullable=False)
    school_type: Mapped[str | None] = mapped_column(String(4), nullable=True)
    filename: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=IMPORT_QUEUED)
    ok: Mapped[bool | None] = mapped_column(nullable=True)
    message: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list | None] = mapped_column(JSON, nullable=True)   # [[row, column, value, message], …]
    report: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # the upload, bad cells marked
    upload: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # dropped once the job is done
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_import_jobs_user", "user_id", "created_at"),)
