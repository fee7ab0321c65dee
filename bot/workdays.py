"""Working days for 限时办结: the official Chinese calendar, with a stated fallback.

Which calendar: `chinese_calendar` (State Council holiday notices, make-up workdays included) for
the years it covers. For a year it does not cover yet (the notice for next year comes out in
November), we fall back to Monday–Friday minus the fixed-date statutory holidays (元旦 1/1,
劳动节 5/1–5/2, 国庆 10/1–10/3) and log a warning once per year; lunar holidays (春节, 清明, 端午,
中秋) are then counted as working days until the package is updated.

Rule for a due date: the N-th working day after the day of submission (that day itself never
counts), at the end of the working day (DAIBAN_WORKDAY_END, default 18:00) local time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}
_warned_years: set[int] = set()


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """True when government offices work on `day`."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "chinese_calendar has no data for %s: using Mon-Fri minus fixed-date holidays; "
                "upgrade chinese-calendar when the State Council notice is out",
                day.year,
            )
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def add_workdays(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def due_at(created: datetime, days: int, zone: ZoneInfo, end_of_day: time = time(18)) -> datetime:
    """Deadline for a matter with a limit of `days` working days, created at `created`."""
    local_day = created.astimezone(zone).date()
    return datetime.combine(add_workdays(local_day, days), end_of_day, tzinfo=zone)
