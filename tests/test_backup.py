"""Backup and restore through the documented commands (`flask db backup` / `flask db restore`): a backup
taken while the database is in use, the database changed afterwards, the backup restored — every table
equal to what it held at the backup. SQLite always (online backup API); PostgreSQL with
TEST_DATABASE_URL (pg_dump / pg_restore into a second database)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, inspect, select, text

from models import AuditEntry, Base, Teacher, db
from records import service
from tests.conftest import PG_URL, make_app, reset_postgres
from tests.journey_helpers import complete_basic, new_teacher, open_task, setup_province, user


def snapshot(engine) -> dict:
    """Every row of every table, in primary-key order (the audit log's backup/restore rows aside)."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            if table.name == AuditEntry.__tablename__:
                query = query.where(table.c.action.notin_(("db_backup", "db_restore")))
            out[table.name] = [tuple(r) for r in conn.execute(query)]
    return out


def _world():
    from records import review
    teachers = []
    for seq in range(10, 22, 2):
        u = new_teacher("2146000001", f"备份{chr(65 + seq)}", seq=seq)
        t = db.session.get(Teacher, u.teacher_id)
        assert service.save_basic(u, t, complete_basic(u), submit=True).ok
        teachers.append(t)
    assert review.decide(user("2146000001_info"), open_task(teachers[0].id).id, "approve").ok
    db.session.commit()
    return teachers


def _damage(teachers):
    """What a backup is for: data changed or lost after it was taken."""
    from records import review
    assert review.decide(user("2146000001_info"), open_task(teachers[1].id).id, "approve").ok
    db.session.execute(text("UPDATE teachers SET name = 'X' WHERE id = :id"), {"id": teachers[2].id})
    db.session.execute(text("DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log LIMIT 5)"))
    db.session.commit()


def test_sqlite_backup_while_in_use_then_restore(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.db'}")
    with app.app_context():
        setup_province(app)
        teachers = _world()
        runner = app.test_cli_runner()
        # a writer keeps working while the backup runs (the online API copies a consistent snapshot)
        stop = threading.Event()

        def writer():
            from models import write_intent
            with app.app_context():
                while not stop.is_set():
                    with write_intent():
                        db.session.execute(text("UPDATE orgs SET name = name WHERE code = '460000'"))
                        db.session.commit()
                db.session.remove()

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            result = runner.invoke(args=["db", "backup", str(tmp_path / "backups" / "teachers.db")])
        finally:
            stop.set()
            thread.join(10)
        assert result.exit_code == 0, result.output
        assert "完整性校验通过" in result.output
        before = snapshot(db.engine)
        _damage(teachers)
        assert snapshot(db.engine) != before
        refused = runner.invoke(args=["db", "restore", str(tmp_path / "backups" / "teachers.db")])
        assert refused.exit_code == 2 and "--yes" in refused.output
        result = runner.invoke(args=["db", "restore", "--yes", str(tmp_path / "backups" / "teachers.db")])
        assert result.exit_code == 0, result.output
        assert snapshot(db.engine) == before
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "db_restore")).all()
        # the restored database works: the next review goes through
        from records import review
        assert review.decide(user("2146000001_info"), open_task(teachers[1].id).id, "approve").ok
        db.session.remove()
        db.engine.dispose()


def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.db'}")
    with app.app_context():
        setup_province(app)
        runner = app.test_cli_runner()
        before = snapshot(db.engine)
        bad = tmp_path / "bad.db"
        bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
        result = runner.invoke(args=["db", "restore", "--yes", str(bad)])
        assert result.exit_code == 1 and ("损坏" in result.output or "不是有效" in result.output)
        assert snapshot(db.engine) == before
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")
def test_postgresql_pg_dump_then_pg_restore_into_a_new_database(tmp_path):
    from sqlalchemy.engine import make_url
    reset_postgres(PG_URL)
    app = make_app(PG_URL)
    with app.app_context():
        setup_province(app)
        _world()
        runner = app.test_cli_runner()
        dump = tmp_path / "teachers.dump"
        result = runner.invoke(args=["db", "backup", str(dump)])
        assert result.exit_code == 0, result.output
        before = snapshot(db.engine)
        db.session.remove()
        db.engine.dispose()
    # a second, empty database on the same server receives the backup
    url = make_url(PG_URL)
    target = url.set(database=f"{url.database}_restore")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
        conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    try:
        target_url = target.render_as_string(hide_password=False)
        other = make_app(target_url)  # creates the empty schema, as a fresh installation would
        with other.app_context():
            result = other.test_cli_runner().invoke(args=["db", "restore", "--yes", str(dump)])
            assert result.exit_code == 0, result.output
            assert snapshot(db.engine) == before
            assert set(inspect(db.engine).get_table_names()) >= {t.name for t in Base.metadata.sorted_tables}
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()
