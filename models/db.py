"""Database engine and session for the app, plus column types shared by all models.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy): `db.session` is a scoped session bound
when the app is created, removed at the end of every request.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator):
    """Stores aware UTC datetimes; SQLite hands back naive ones, so re-attach UTC on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


SQLITE_BUSY_MS = 10_000   # how long a writer waits for SQLite's one write lock before giving up


def _sqlite_pragmas(dbapi_conn, _record, busy_ms: int = SQLITE_BUSY_MS):
    # WAL lets readers run beside the one writer; NORMAL is durable in WAL mode
    # (a power cut can lose the last commits, never corrupt). Never weaker than that.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cur.close()


_READ_ONLY_VERBS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE")


def _writes(statement: str) -> bool:
    head = statement.lstrip()[:10].upper()
    if head.startswith("WITH"):
        upper = statement.upper()
        return any(verb in upper for verb in ("INSERT ", "UPDATE ", "DELETE "))
    return not head.startswith(_READ_ONLY_VERBS)


def make_engine(url: str, *, sqlite_busy_ms: int = SQLITE_BUSY_MS):
    kwargs = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", lambda conn, rec: _sqlite_pragmas(conn, rec, sqlite_busy_ms))
        # pysqlite's own transaction handling defers BEGIN; take the write lock
        # at BEGIN so two writers serialise instead of failing on upgrade.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn, _rec):
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.info["wrote"] = False
            conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

        @event.listens_for(engine, "before_cursor_execute")
        def _note_write(conn, _cursor, statement, _params, _context, _many):
            if _writes(statement):
                conn.info["wrote"] = True
    return engine


_write_intent = contextvars.ContextVar("write_intent", default=False)


@contextlib.contextmanager
def write_intent():
    """Mark the transaction about to begin as a writer.

    On SQLite a deferred transaction that read first and writes later fails with
    "database is locked" when another writer got in between; writers therefore
    take the write lock at BEGIN (and wait for it via busy_timeout). PostgreSQL ignores this.
    """
    token = _write_intent.set(True)
    try:
        _end_read_only_transaction()
        yield
    finally:
        _write_intent.reset(token)


def _end_read_only_transaction() -> None:
    """SQLite: a transaction that has only read so far (loading the signed-in user, the checks before
    the form was accepted) began deferred; writing from it after another writer committed fails at
    once with "database is locked". End it, so that the writer's first statement begins IMMEDIATE and
    waits its turn. Nothing is lost: it wrote nothing, and objects stay loaded (expire_on_commit=False)."""
    if db.engine is None or not db.is_sqlite:
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if not session.connection().info.get("wrote", True):
        session.commit()


class Database:
    def __init__(self):
        self.engine = None
        self.session = scoped_session(sessionmaker(expire_on_commit=False))

    def init_app(self, app):
        self.engine = make_engine(app.config["DATABASE_URL"],
                                  sqlite_busy_ms=app.config.get("SQLITE_BUSY_MS", SQLITE_BUSY_MS))
        self.session.remove()
        self.session.configure(bind=self.engine)
        app.extensions["db"] = self

        @app.teardown_appcontext
        def _remove(_exc):
            self.session.remove()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


db = Database()
