"""Authentication operations, each audited (logins, failed logins, password changes)."""
from __future__ import annotations

from sqlalchemy import select

import audit
from models import User, db, write_intent


def authenticate(username: str, password: str) -> User | None:
    with write_intent():
        user = db.session.scalars(select(User).where(User.username == username.upper() if len(username) == 18 else User.username == username)).first()
        if user is None or not user.active or not user.check_password(password):
            audit.record("login_failed", object_type="user", object_id=username, user=None,
                         org_id=user.org_id if user else None)
            db.session.commit()
            return None
        audit.record("login", object_type="user", object_id=user.id, user=user)
        db.session.commit()
        return user


def record_logout(user: User) -> None:
    """Audit the logout and end every session of the user (the session token changes)."""
    with write_intent():
        user = db.session.merge(user)
        user.rotate_session()
        audit.record("logout", object_type="user", object_id=user.id, user=user)
        db.session.commit()


def change_password(user: User, old: str, new: str) -> str | None:
    """Returns a message for the user when the change is refused."""
    if not user.check_password(old):
        return "原密码不正确"
    if old == new:
        return "新密码不能与原密码相同"
    if len(new) > 128:
        return "新密码不能超过 128 位"
    if new.isdigit() or new.isalpha():
        return "新密码须同时包含字母和数字"
    with write_intent():
        user = db.session.merge(user)
        user.set_password(new)
        user.must_change_password = False
        user.rotate_session()  # other sessions of this account end here
        audit.record("password_changed", object_type="user", object_id=user.id, user=user)
        db.session.commit()
    return None
