"""The optional daily digest: recipients who asked for it get one e-mail a day listing what was held.

Once a day, from DIGEST_HOUR Beijing time, the first tick that claims the day (a unique
scheduler_runs row: two schedulers cannot both claim it) turns every held row (`digest`) into
`digested` and queues one digest notification per address, keyed by address and day, so even a
repeated run cannot queue a second digest for the same day.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select, update

from models import Notification, SchedulerRun, db, write_intent
from models.scheduling import EMAIL_DIGEST, EMAIL_DIGESTED, EMAIL_PENDING

from .centre import insert_ignoring_duplicates

DIGEST_HOUR = 8
N = Notification.__table__
SR = SchedulerRun.__table__


def run_daily_digest(now: dt.datetime) -> list[str]:
    from workflows.timers import CHINA
    local = now.astimezone(CHINA)
    if local.hour < DIGEST_HOUR:
        return []
    day = local.date().isoformat()
    if db.session().in_transaction():
        db.session.commit()
    lines = []
    with write_intent():
        try:
            claimed = db.session.execute(insert_ignoring_duplicates(SR).values(
                job="daily_digest", period=day, ran_at=now, detail=None).returning(SR.c.id)).scalar()
            if claimed is None:
                db.session.rollback()
                return []
            held = db.session.execute(select(N.c.id, N.c.recipient_email, N.c.title, N.c.created_at)
                                      .where(N.c.email_status == EMAIL_DIGEST).order_by(N.c.id)).all()
            by_email = defaultdict(list)
            for row in held:
                by_email[row.recipient_email.lower()].append(row)
            for email, items in by_email.items():
                body = "\n".join(f"{i + 1}. {r.title}（{r.created_at.astimezone(CHINA):%m-%d %H:%M}）"
                                 for i, r in enumerate(items))
                db.session.execute(insert_ignoring_duplicates(N).values(
                    idempotency_key=f"digest:{day}|e{email}", kind="digest", title=f"每日提醒摘要（{day}，共 {len(items)} 条）",
                    body=f"以下是您的待办提醒与逾期通知：\n\n{body}", created_at=now, email_status=EMAIL_PENDING,
                    recipient_email=email, email_attempts=0))
                lines.append(f"每日摘要：{email}（{len(items)} 条）")
            if held:
                db.session.execute(update(N).where(N.c.id.in_([r.id for r in held]))
                                   .values(email_status=EMAIL_DIGESTED))
            db.session.execute(update(SR).where(SR.c.job == "daily_digest", SR.c.period == day)
                               .values(detail={"recipients": len(by_email), "items": len(held)}))
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return lines
