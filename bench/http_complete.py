"""http_complete: review completions per second over HTTP, against gunicorn with 2 workers on PostgreSQL.

product: COUNT school-review tasks approved through `POST /tasks/<id>/decide` (the real route: session,
CSRF, scope, the engine, task rows, event log, audit, commit) by CLIENTS keep-alive connections on
loopback, each its own logged-in session of the school's information administrator; completions per
second over the wall time of the whole batch. floor: the same number of completions through the
service layer (records.review.decide) in one process, no HTTP. Goal: product ≥ 300 per second.
The database (BENCH_DATABASE_URL, else postgres@127.0.0.1:5432/bench_http) is dropped and rebuilt.
"""
from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from .registry import Result, measure

COUNT = 1500
CLIENTS = 8
SCHOOL = "2146000001"
PASSWORD = "Bench-2026x"
ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    return os.environ.get("BENCH_HTTP_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/bench_http"


def _seed(url: str) -> None:
    """The Hainan tree, unit accounts, and 2 × COUNT teachers of one school submitted for review."""
    from sqlalchemy import select

    import workflows
    from accounts.unit_accounts import create_unit_accounts
    from app import create_app
    from models import Base, Org, Teacher, db
    from orgs.importer import import_orgs_file
    from records import service

    from .import_10k import generated_sheet
    from .inbox_page import _ensure_database
    _ensure_database(url)
    app = create_app({"DATABASE_URL": url, "TESTING": False})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        import_orgs_file(ROOT / "demo" / "data" / "hainan_orgs.csv")
        workflows.deploy_shipped()
        db.session.commit()
        province = db.session.scalars(select(Org).where(Org.code == "460000")).one()
        create_unit_accounts(province, None, password=PASSWORD, must_change=False)
        db.session.commit()
        data, _ = generated_sheet(2 * COUNT)
        admin = db.session.scalars(select(__import__("models").User).where(
            __import__("models").User.username == f"{SCHOOL}_info")).one()
        outcome = service.import_basic_sheet(admin, data, "bench.xlsx")
        assert outcome.ok, outcome.message
        for teacher in db.session.scalars(select(Teacher).order_by(Teacher.id)).all():
            service.submit_as_demo(teacher)
    db.engine.dispose()


def _tasks(url: str) -> list[tuple[int, str]]:
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, task_uuid FROM human_tasks WHERE task_key = 'school_review' ORDER BY id")).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


class _Client:
    """One browser-like keep-alive session: cookies and the CSRF token of its pages."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.token = ""

    def request(self, method, path, form=None):
        body = urllib.parse.urlencode(form) if form else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        for value in resp.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        if token:
            self.token = token.group(1)
        return resp.status, text

    def login(self):
        self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"csrf_token": self.token, "username": f"{SCHOOL}_info",
                                                     "password": PASSWORD})
        assert status == 302, f"login failed: {status}"
        self.request("GET", "/inbox/unit")


def _serve(url: str, port: int):
    env = {**os.environ, "DATABASE_URL": url, "SESSION_COOKIE_SECURE": "0", "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    extra = os.environ.get("BENCH_GUNICORN_ARGS", "").split()
    proc = subprocess.Popen([str(gunicorn), "-w", "2", *extra, "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "app:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/login")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not start: " + proc.stderr.read().decode()[-2000:])


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds() -> dict[str, float]:
    """CPU time so far of the web workers, the PostgreSQL backends and this load generator (Linux /proc),
    so the note can say where each approval's time goes on the machine of the run."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"web": 0.0, "postgres": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        kind = "web" if b"gunicorn" in cmd else "postgres" if cmd.startswith(b"postgres") or b"/bin/postgres" in cmd else None
        if kind:
            out[kind] += (int(fields[11]) + int(fields[12])) / tick
    out["client"] = time.process_time()
    return out


def _product(url: str, tasks) -> tuple[float, int, dict]:
    port = _free_port()
    proc = _serve(url, port)
    try:
        clients = [_Client(port) for _ in range(CLIENTS)]
        for c in clients:
            c.login()
        failures = []

        def work(client, share):
            for task_id, uuid in share:
                status, _ = client.request("POST", f"/tasks/{task_id}/decide",
                                           {"csrf_token": client.token, "decision": "approve", "task_uuid": uuid})
                if status != 302:
                    failures.append((task_id, status))

        threads = [threading.Thread(target=work, args=(c, tasks[i::CLIENTS])) for i, c in enumerate(clients)]
        cpu0, t0 = _cpu_seconds(), time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        cpu1 = _cpu_seconds()
        per_request = {k: (cpu1[k] - cpu0[k]) * 1000 / len(tasks) for k in cpu0}
        return len(tasks) / elapsed, len(failures), per_request
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _floor(url: str, tasks) -> float:
    from sqlalchemy import select

    from app import create_app
    from models import User, db
    from records import review
    app = create_app({"DATABASE_URL": url, "TESTING": False})
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == f"{SCHOOL}_info")).one()
        t0 = time.perf_counter()
        for task_id, uuid in tasks:
            assert review.decide(admin, task_id, "approve", task_uuid=uuid).ok
        elapsed = time.perf_counter() - t0
    db.engine.dispose()
    return len(tasks) / elapsed


@measure("http_complete")
def http_complete() -> Result:
    url = database_url()
    t0 = time.perf_counter()
    _seed(url)
    seeded = time.perf_counter() - t0
    tasks = _tasks(url)
    product, failures, cpu = _product(url, tasks[:COUNT])
    floor = _floor(url, tasks[COUNT:2 * COUNT])
    remaining = len(_tasks(url))
    note = (f"{COUNT} approvals over HTTP by {CLIENTS} keep-alive sessions against gunicorn -w 2 on PostgreSQL "
            f"(seeded in {seeded:.0f} s); {failures} failed; {remaining} school reviews left after product and "
            f"floor; CPU per approval: web workers {cpu['web']:.1f} ms, PostgreSQL {cpu['postgres']:.1f} ms, "
            f"load generator {cpu['client']:.1f} ms on {os.cpu_count()} cores; floor = the same number through "
            f"records.review.decide in one process; goal ≥ 300/s")
    return Result(product=product, floor=floor, unit="per_s", note=note)
