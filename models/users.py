"""Accounts. A user belongs to one unit and has one role; permissions cover that unit's subtree."""
from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .db import Base, UTCDateTime, utcnow
from .orgs import Org

# The three accounts every legal-entity unit gets, plus teachers and the province's process administrator.
ROLE_SYS_ADMIN = "sys_admin"
ROLE_INFO_ADMIN = "info_admin"
ROLE_QUERY = "query"
ROLE_TEACHER = "teacher"
ROLE_PROCESS_ADMIN = "process_admin"
UNIT_ROLES = (ROLE_SYS_ADMIN, ROLE_INFO_ADMIN, ROLE_QUERY)
ROLE_LABELS = {
    ROLE_SYS_ADMIN: "系统管理员",
    ROLE_INFO_ADMIN: "信息管理员",
    ROLE_QUERY: "信息查询员",
    ROLE_TEACHER: "教师",
    ROLE_PROCESS_ADMIN: "流程管理员",
}


class User(Base, UserMixin):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(100), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), nullable=False)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id"), nullable=True, unique=True)
    # Part of the login session id; rotated at logout and password change (see views/__init__.py).
    session_token: Mapped[str] = mapped_column(String(32), nullable=False, default=lambda: secrets.token_hex(16))
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    # Loaded when used: most writes need only org_id and role, and joining the org with its parent
    # chain into every request's user query cost more than the rest of an approval's reads.
    org: Mapped[Org] = relationship(lazy="select")

    __table_args__ = (Index("ix_users_org_role", "org_id", "role"),)

    def set_password(self, password: str) -> None:
        # pbkdf2 with a modest cost: demo loads create thousands of accounts.
        self.password_hash = generate_password_hash(password, method="pbkdf2:sha256:60000")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}:{self.session_token}"

    def rotate_session(self) -> None:
        self.session_token = secrets.token_hex(16)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active
