"""Backup and restore of the whole database (graded protection: data backup and recovery).

- SQLite (the embedded default): SQLite's online backup API copies a consistent snapshot while the
  server keeps running (readers and writers are not stopped; WAL content is included); the copy is
  checked with `PRAGMA integrity_check`. Restore copies a backup back over the database file with the
  same API: stop the web server and the scheduler first.
- PostgreSQL: `pg_dump --format=custom` (consistent: one repeatable-read snapshot) and `pg_restore
  --clean --if-exists --no-owner --single-transaction` (all or nothing). The client tools must be
  installed (`apt-get install postgresql-client`), of the server's major version or newer.

`flask --app app db backup FILE` / `flask --app app db restore FILE` call these.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def _sqlite_path(url) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(url.database)


def _libpq_url(url) -> str:
    # libpq understands postgresql://…; SQLAlchemy's driver suffix (+psycopg) is not part of it.
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"找不到 {args[0]}：请安装 PostgreSQL 客户端（apt-get install postgresql-client）")
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{args[0]} 失败：{done.stderr.strip()[-2000:]}")


def backup(database_url: str, target: Path) -> str:
    """Write a backup of the database to `target`; returns a one-line description."""
    url = make_url(database_url)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupError(f"数据库文件不存在：{source_path}")
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        source, copy = sqlite3.connect(source_path), sqlite3.connect(tmp)
        try:
            with copy:
                source.backup(copy, pages=1024)  # in steps, so writers are held up only briefly
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            source.close()
            copy.close()
        if check != "ok":
            tmp.unlink(missing_ok=True)
            raise BackupError(f"备份文件校验失败：{check}")
        tmp.replace(target)
        return f"SQLite 在线备份完成：{target}（{target.stat().st_size // 1024} KB，完整性校验通过）"
    if url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url(url)])
        return f"PostgreSQL 备份完成（pg_dump 自定义格式）：{target}（{target.stat().st_size // 1024} KB）"
    raise BackupError(f"不支持的数据库：{url.get_backend_name()}")


def restore(database_url: str, source: Path) -> str:
    """Replace the database's content with the backup `source` (all or nothing)."""
    url = make_url(database_url)
    source = Path(source)
    if not source.exists():
        raise BackupError(f"备份文件不存在：{source}")
    if url.get_backend_name() == "sqlite":
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            check = backup_db.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"备份文件已损坏，未恢复：{check}")
            live = sqlite3.connect(_sqlite_path(url))
            try:
                with live:
                    backup_db.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"不是有效的 SQLite 备份文件：{exc}") from exc
        finally:
            backup_db.close()
        return f"已从 {source} 恢复 SQLite 数据库 {url.database}"
    if url.get_backend_name() == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
              f"--dbname={_libpq_url(url)}", str(source)])
        return f"已从 {source} 恢复 PostgreSQL 数据库 {url.database}"
    raise BackupError(f"不支持的数据库：{url.get_backend_name()}")


def record_operation(action: str, path) -> None:
    """The audit row of a backup or restore (written after it: a restored database records its restore)."""
    import audit
    from models import db, write_intent
    with write_intent():
        audit.record(action, object_type="database", object_id=str(path)[-60:])
        db.session.commit()
