"""The one APScheduler of the process (deadline work arrives with the scheduler issue)."""
from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

_scheduler: BackgroundScheduler | None = None


def start_background_scheduler(app) -> BackgroundScheduler:
    global _scheduler
    if _scheduler is None:
        _scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"misfire_grace_time": 3600, "coalesce": True})
        _scheduler.start()
        app.logger.info("scheduler started")
    return _scheduler
