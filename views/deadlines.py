"""How a deadline reads: the `deadline` Jinja filter for every due time a page shows (a task's due or
reminder time, a monthly report's deadline), and `deadline_text` for the texts written outside a
page in Chinese (notification bodies, the report's xlsx).

The product writes "by the end of the 25th" as the 26th's 00:00 Beijing time (workflows/timers.py
`end_of_day`; a working-day deadline is the end of its last working day too). Shown as
"2026-12-26 00:00" it reads as one more day than people have, so a deadline at Beijing midnight is
shown as its last day: "2026-12-25 当日" (English: "end of 2026-12-25"). Any other time is shown as
it is ("2026-12-12 14:30"). Not here: times that are not deadlines (when something arrived or was
done) keep `china_time`.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
DAY = "%Y-%m-%d"
MINUTE = "%Y-%m-%d %H:%M"


def _local(when: dt.datetime) -> dt.datetime:
    if when.tzinfo is None:  # stored times are UTC
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(CHINA)


def last_day(when: dt.datetime | None) -> dt.date | None:
    """The last day a deadline at Beijing midnight leaves (the day before); None for any other time."""
    if when is None:
        return None
    local = _local(when)
    if local.time() != dt.time(0, 0):
        return None
    return local.date() - dt.timedelta(days=1)


def deadline_text(when: dt.datetime | None) -> str:
    """A deadline in Chinese, for stored texts: "2026-12-25 当日" or "2026-12-12 14:30"; "" for none."""
    if when is None:
        return ""
    day = last_day(when)
    return f"{day.strftime(DAY)} 当日" if day else _local(when).strftime(MINUTE)


def deadline(when: dt.datetime | None) -> str:
    """The Jinja filter: a deadline in the reader's language ("end of 2026-12-25" in English)."""
    from flask_babel import gettext
    if when is None:
        return ""
    day = last_day(when)
    if day is None:
        return _local(when).strftime(MINUTE)
    return gettext("%(date)s 当日", date=day.strftime(DAY))
