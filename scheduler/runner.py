"""The one APScheduler of the deployment: `scheduler run` (production) or beside the dev server (`serve`).

APScheduler only paces the ticks; all timers, reminders and deadlines live in the product's own
tables and are claimed under row locks by `run_tick` (tick.py), so nothing is lost when the
process stops and nothing fires twice if a second scheduler is started by mistake. One job, held
in memory (no job store to share), with an explicit id, `max_instances=1` (ticks never overlap
within a process), `coalesce=True` and a generous misfire grace (a late tick still runs). A
first tick runs at start, so work that fell due while no scheduler ran fires at once.

A tick that fails (database down, …) is logged and recorded on the heartbeat row; the next tick
tries again.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

log = logging.getLogger("scheduler")
TICK_SECONDS = 30
JOB_ID = "tick"

_app = None
_scheduler = None
_lock = threading.Lock()


def tick_job() -> None:
    """The job APScheduler runs (a module-level function, as APScheduler wants)."""
    from models import db

    from .tick import run_tick
    with _app.app_context():
        try:
            result = run_tick()
            for line in result.lines:
                log.info(line)
        except Exception:  # noqa: BLE001 -- keep the scheduler alive; the heartbeat records the error
            log.exception("scheduler tick failed")
        finally:
            db.session.remove()


def _configure(scheduler, app, seconds: int):
    global _app
    _app = app
    scheduler.add_job(tick_job, "interval", seconds=seconds, id=JOB_ID, replace_existing=True,
                      max_instances=1, coalesce=True, misfire_grace_time=3600,
                      next_run_time=dt.datetime.now(dt.timezone.utc))  # a first tick at start: catch up
    return scheduler


def start_background_scheduler(app, seconds: int | None = None) -> BackgroundScheduler:
    """Start the process's one background scheduler (idempotent: a second call returns the first)."""
    global _scheduler
    with _lock:
        if _scheduler is None:
            seconds = seconds or int(app.config.get("SCHEDULER_TICK_SECONDS", TICK_SECONDS))
            _scheduler = _configure(BackgroundScheduler(timezone="UTC"), app, seconds)
            _scheduler.start()
            app.logger.info("scheduler started (every %s s)", seconds)
    return _scheduler


def run_blocking_scheduler(app, seconds: int | None = None) -> None:
    """Run the scheduler in the foreground until interrupted (`flask --app app scheduler run`)."""
    seconds = seconds or int(app.config.get("SCHEDULER_TICK_SECONDS", TICK_SECONDS))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    scheduler = _configure(BlockingScheduler(timezone="UTC"), app, seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def shutdown() -> None:
    global _scheduler
    with _lock:
        if _scheduler is not None:
            _scheduler.shutdown(wait=True)
            _scheduler = None
