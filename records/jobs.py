"""Import jobs: one upload, run inline when small and on a background thread when large, so a
10,000-row file never blocks the web worker; its progress while it runs and its outcome after.

A job is a row of `import_jobs` (the upload, then the problem list and the marked workbook).
Progress lives in this process's memory (`progress_of`), updated by the worker thread through
the importers' `progress(phase, done, total)` callback: the one web process (`flask serve`, the
threaded server) answers the polling page. The outcome is in the database, so a finished job can
be read from any process. A job left "running" by a process that died is reported as
interrupted after JOB_STALE.

The import itself is the service's (records.service.import_basic_sheet, records.items.import_set_sheet):
all or nothing, one transaction. Not here: the pages (views/records.py).
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading

from flask import current_app
from sqlalchemy import select

from models import ImportJob, User, db, utcnow, write_intent
from models.records_sets import IMPORT_DONE, IMPORT_FAILED, IMPORT_QUEUED, IMPORT_RUNNING

log = logging.getLogger(__name__)

JOB_STALE = dt.timedelta(hours=2)
BACKGROUND_BYTES = 200_000       # uploads larger than this run on a thread (≈ 1,500 basic rows)
MAX_LISTED = 2_000               # problems kept for the page and the list sheet

_PROGRESS: dict[str, dict] = {}
_LOCK = threading.Lock()
# SQLite has one writer at a time and an import writes for seconds: imports of this process take turns
# (an upload arriving while one runs is queued on a thread, its page shows 排队) instead of several
# transactions waiting on the file lock until one gives up with "database is locked". PostgreSQL
# imports run side by side (their rows lock only what they touch).
_SQLITE_TURN = threading.Lock()


def _set_progress(token: str, **values) -> None:
    with _LOCK:
        _PROGRESS.setdefault(token, {}).update(values)


def progress_of(job: ImportJob) -> dict:
    """{status, phase, done, total, percent} for the progress bar."""
    with _LOCK:
        live = dict(_PROGRESS.get(job.token, {}))
    status = job.status
    if status in (IMPORT_QUEUED, IMPORT_RUNNING) and not live and job.created_at < utcnow() - JOB_STALE:
        status = "interrupted"
    done, total = live.get("done", 0), live.get("total", 0)
    if status in (IMPORT_DONE, IMPORT_FAILED):
        percent = 100
    else:
        percent = int(100 * done / total) if total else 0
        # reading is the first third of the work, writing the rest
        started = live and live.get("phase") != "排队"
        percent = min(99, percent // 3 if live.get("phase") == "校验" else 33 + percent * 2 // 3) if started else 0
    return {"status": status, "phase": live.get("phase", "排队" if status == IMPORT_QUEUED else ""),
            "done": done, "total": total, "percent": percent, "ok": job.ok, "message": job.message or ""}


def job_for(user, token: str) -> ImportJob | None:
    """A job of this user (nobody else sees another's uploads or problem lists)."""
    job = db.session.scalars(select(ImportJob).where(ImportJob.token == token)).one_or_none()
    return job if job is not None and job.user_id == user.id else None


def start_import(user, set_key: str, school_type: str | None, filename: str, data: bytes) -> ImportJob:
    """Record the upload and run it: inline when small (or when the app says so), else on a thread."""
    job = ImportJob(token=secrets.token_urlsafe(16), user_id=user.id, set_key=set_key, school_type=school_type,
                    filename=(filename or "upload.xlsx")[:200], status=IMPORT_QUEUED, upload=data)
    with write_intent():
        db.session.add(job)
        db.session.commit()
    limit = current_app.config.get("IMPORT_BACKGROUND_BYTES", None if current_app.testing else BACKGROUND_BYTES)
    background = limit is not None and len(data) > limit
    if not background and db.is_sqlite and _SQLITE_TURN.locked():
        background = True  # another import is writing: queue this one rather than hold the page
    if background:
        _set_progress(job.token, phase="排队", done=0, total=0)
        app = current_app._get_current_object()
        thread = threading.Thread(target=_run_in_app, args=(app, job.id), name=f"import-{job.id}", daemon=True)
        thread.start()
    else:
        run_job(job.id)
        db.session.refresh(job)
    return job


def _short(value, limit: int = 200):
    """A cell's value as the problem list keeps it: a 32,767-character cell is not worth keeping whole."""
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    return value


def _run_in_app(app, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def run_job(job_id: int) -> None:
    """Run one queued job to its outcome (on SQLite after the imports before it); never raises: a crash
    becomes a failed job with a message."""
    if not db.is_sqlite:
        _run_job(job_id)
        return
    with _SQLITE_TURN:
        _run_job(job_id)


def _run_job(job_id: int) -> None:
    from . import error_report, items, service

    job = db.session.get(ImportJob, job_id)
    token = job.token
    data = job.upload or b""

    def progress(phase: str, done: int, total: int) -> None:
        _set_progress(token, phase=phase, done=done, total=total)

    try:
        with write_intent():
            job.status = IMPORT_RUNNING
            db.session.commit()
        _set_progress(token, phase="读取", done=0, total=0)
        actor = db.session.get(User, job.user_id)
        if job.set_key == "basic":
            outcome = service.import_basic_sheet(actor, data, job.filename, progress=progress)
        else:
            outcome = items.import_set_sheet(actor, data, job.filename, job.set_key, job.school_type,
                                             progress=progress)
        problems = list(outcome.problems)
        report = error_report.marked_workbook(data, problems) if problems else None
        ok, message = outcome.ok, outcome.message
    except Exception as exc:  # noqa: BLE001 - the user gets a message, the log gets the trace
        log.exception("import job %s failed", job_id)
        db.session.rollback()
        problems, report, ok = [], None, False
        message = f"导入时出错，未导入任何数据（{type(exc).__name__}）。请检查文件后重试，或联系管理员"
    try:
        with write_intent():
            job = db.session.get(ImportJob, job_id)
            job.status = IMPORT_DONE if ok or problems else IMPORT_FAILED
            job.ok = ok
            job.message = message
            job.problems = [[p.row, p.column, _short(p.value), p.message] for p in problems[:MAX_LISTED]]
            job.report = report
            job.upload = None
            job.finished_at = utcnow()
            db.session.commit()
    except Exception:  # noqa: BLE001 - the outcome is lost, not the data: the page reports it interrupted
        log.exception("import job %s: its outcome could not be written", job_id)
        db.session.rollback()
    finally:
        with _LOCK:
            _PROGRESS.pop(token, None)
