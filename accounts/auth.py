"""Authentication operations, each audited (logins, failed logins, refused attempts while locked,
password changes). Throttling and lockout: security/throttle.py; the password policy: security/passwords.py."""
from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from sqlalchemy import select

import audit
from models import User, db, write_intent
from security import throttle
from security.passwords import password_problem


@dataclass
class LoginOutcome:
    user: User | None
    message: str | None = None   # for the login page when refused


def _normalise(username: str) -> str:
    # Resident ID numbers are logins; their check character may be typed in lower case.
    return username.upper() if len(username) == 18 else username


def login_attempt(username: str, password: str) -> LoginOutcome:
    username = _normalise(username)
    address = request.remote_addr if has_request_context() else None
    with write_intent():
        user = db.session.scalars(select(User).where(User.username == username)).first()
        lock = throttle.current_lock(username, user.id if user else None, address)
        if lock is not None:
            audit.record("login_locked", object_type="user", object_id=username, user=None,
                         org_id=user.org_id if user else None,
                         after={"until": lock.until.isoformat(), "by_address": lock.by_address})
            db.session.commit()
            return LoginOutcome(None, lock.message())
        if user is not None and not user.active and user.check_password(password):
            # the right password of a disabled account (a departed teacher): say so, and where to turn. Only
            # with the right password, so this tells a guesser nothing about which names exist.
            # Its own action: the lockout counts login_failed, and the owner trying again is no guesser.
            audit.record("login_disabled", object_type="user", object_id=username, user=None, org_id=user.org_id)
            db.session.commit()
            return LoginOutcome(None, "该账号已停用（教师已离岗，或账号被停用），不能登录；如有疑问请联系所在学校")
        if user is None or not user.active or not user.check_password(password):
            audit.record("login_failed", object_type="user", object_id=username, user=None,
                         org_id=user.org_id if user else None)
            db.session.flush()
            lock = throttle.current_lock(username, user.id if user else None, address)
            db.session.commit()
            if lock is not None:
                return LoginOutcome(None, "账号或密码错误。" + lock.message())
            left = throttle.attempts_left(username, user.id if user else None)
            hint = f"（再错 {left} 次账号将被锁定 {throttle._setting('LOGIN_LOCK_MINUTES')} 分钟）" if left <= 3 else ""
            return LoginOutcome(None, "账号或密码错误" + hint)
        audit.record("login", object_type="user", object_id=user.id, user=user)
        db.session.commit()
        return LoginOutcome(user)


def authenticate(username: str, password: str) -> User | None:
    return login_attempt(username, password).user


def record_logout(user: User, reason: str | None = None) -> None:
    """Audit the logout and end every session of the user (the session token changes)."""
    with write_intent():
        user = db.session.merge(user)
        user.rotate_session()
        audit.record("logout", object_type="user", object_id=user.id, user=user,
                     after={"reason": reason} if reason else None)
        db.session.commit()


def change_password(user: User, old: str, new: str) -> str | None:
    """Returns a message for the user when the change is refused."""
    if not user.check_password(old):
        return "原密码不正确"
    if old == new:
        return "新密码不能与原密码相同"
    id_number = user.username if user.role == "teacher" else None
    problem = password_problem(new, username=user.username, id_number=id_number)
    if problem:
        return problem
    with write_intent():
        user = db.session.merge(user)
        user.set_password(new)
        user.must_change_password = False
        user.rotate_session()  # other sessions of this account end here
        audit.record("password_changed", object_type="user", object_id=user.id, user=user)
        db.session.commit()
    return None
