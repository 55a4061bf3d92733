"""Faults: the process killed (SIGKILL) in the middle of a 10,000-row import leaves nothing partial;
the database going away under a running server gives a clear error page, then the server recovers
(PostgreSQL: every connection of the app terminated with pg_terminate_backend, as a restart does)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent

IMPORTER = r"""
import sys, pathlib
sys.path.insert(0, {root!r})
from bench.import_10k import _product_setup, generated_sheet
from records import service
tmp = pathlib.Path({tmp!r})
data, _ = generated_sheet(10_000)
admin, close = _product_setup(tmp)
log = open(tmp / "progress.log", "a", buffering=1)
def progress(phase, done, total):
    log.write(f"{{phase}} {{done}} {{total}}\n")
service.import_basic_sheet(admin, data, "kill9.xlsx", progress=progress)
log.write("DONE\n")
"""


def test_kill_9_during_a_10000_row_import_leaves_nothing(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", IMPORTER.format(root=str(ROOT), tmp=str(tmp_path))],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = tmp_path / "progress.log"
    deadline = time.monotonic() + 240
    killed_at = None
    while time.monotonic() < deadline and proc.poll() is None:
        lines = log.read_text().splitlines() if log.exists() else []
        writing = [line for line in lines if line.startswith("写入")]
        if writing:
            # inside the write transaction: teachers and accounts are being inserted
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = writing[-1]
            break
        time.sleep(0.02)
    proc.wait(30)
    assert killed_at is not None, (proc.returncode, proc.stderr.read().decode()[-2000:])
    assert proc.returncode == -signal.SIGKILL
    db_file = tmp_path / "bench.db"
    conn = sqlite3.connect(db_file)  # opening it recovers from the WAL as SQLite does after a crash
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("teachers", "process_instances", "human_tasks", "workflow_events")}
        assert counts == {"teachers": 0, "process_instances": 0, "human_tasks": 0, "workflow_events": 0}, killed_at
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1  # the administrator only
        assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'records_imported'").fetchone()[0] == 0
    finally:
        conn.close()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL")
def test_database_connections_killed_under_a_running_server(tmp_path):
    from models import db
    from tests.conftest import make_app, reset_postgres
    from tests.journey_helpers import PASSWORD, setup_province
    reset_postgres(PG_URL)
    app = make_app(PG_URL, PROPAGATE_EXCEPTIONS=False)  # as in production: errors become the error page
    with app.app_context():
        setup_province(app)
        client = app.test_client()
        client.post("/login", data={"username": "2146000001_info", "password": PASSWORD})
        assert client.get("/inbox").status_code == 200
        admin = create_engine(PG_URL)

        def terminate_app_connections():
            with admin.begin() as conn:
                return conn.execute(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()

        # a request that is inside a transaction when its connection dies
        db.session.execute(text("SELECT 1"))
        assert terminate_app_connections() >= 1
        statuses = []
        for _ in range(3):
            resp = client.get("/inbox")
            statuses.append(resp.status_code)
            if resp.status_code == 500:
                page = resp.get_data(as_text=True)
                assert "系统出错了" in page and "未保存" in page  # a clear page, not a stack trace
        assert statuses[-1] == 200, statuses  # recovered without a restart of the server
        # and writes work again
        assert client.post("/logout").status_code == 302
        with admin.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'logout'")).scalar() == 1
        admin.dispose()
        db.session.remove()
        db.engine.dispose()
