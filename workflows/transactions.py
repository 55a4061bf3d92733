"""Transactions for engine operations, and keeping ORM objects honest after Core writes.

`run_in_transaction(fn, ...)` is how callers run an operation: a writer transaction (SQLite takes
its write lock at BEGIN), commit, rollback on any exception, retry on ConcurrentUpdate.
`connection()` is what the operations write through: it flushes the caller's pending ORM changes
first, so Core statements see them and expiring an object never discards an unsaved edit.

Not here: the operations themselves (instances.py, claims.py).
"""
from __future__ import annotations

from sqlalchemy.orm.util import identity_key

from models import db, write_intent

from .errors import ConcurrentUpdate


def connection():
    """The session's connection; a transaction begun here is a writer (BEGIN IMMEDIATE on SQLite)."""
    session = db.session()
    if not session.in_transaction():
        with write_intent():
            return session.connection()
    session.flush()
    return session.connection()


def expire_row(model, pk) -> None:
    """A row changed by a Core statement: make an ORM object loaded for it read it again."""
    session = db.session()
    obj = session.identity_map.get(identity_key(model, pk))
    if obj is not None:
        session.expire(obj)


def forget_row(model, pk) -> None:
    """A row deleted by a Core statement: detach its ORM object, so its loaded values stay readable."""
    session = db.session()
    obj = session.identity_map.get(identity_key(model, pk))
    if obj is not None:
        session.expunge(obj)


def run_in_transaction(fn, *args, retries: int = 3, **kwargs):
    """Run `fn(*args, **kwargs)` as one writer transaction and commit; roll back on any exception.

    A read-only transaction the session already holds (e.g. from loading the current user) is ended
    first, so this one begins as a writer. ConcurrentUpdate is retried up to `retries` times (the
    retry then sees the winner's commit and usually ends in TaskAlreadyHandled naming them).
    If the session holds unsaved changes, they are committed together with fn's work, without retry.
    """
    session = db.session()
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            try:
                result = fn(*args, **kwargs)
                session.commit()
                return result
            except BaseException:
                session.rollback()
                raise
        session.commit()
    attempt = 0
    while True:
        try:
            with write_intent():
                result = fn(*args, **kwargs)
                session.commit()
            return result
        except ConcurrentUpdate:
            session.rollback()
            attempt += 1
            if attempt > retries:
                raise
        except BaseException:
            session.rollback()
            raise
