from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.workdays import add_workdays, due_at, is_workday

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_weekend_is_skipped() -> None:
    # Friday 2026-11-20 + 1 working day = Monday 2026-11-23
    assert add_workdays(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_national_day_holiday_and_make_up_saturday() -> None:
    # 2026-09-30 (Wed) + 1: Oct 1-7 are holidays, Oct 8 (Thu) is the next working day.
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # Saturday 2026-10-10 is a make-up working day (调休上班).
    assert is_workday(date(2026, 10, 10))
    assert add_workdays(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_mid_autumn_friday_is_a_holiday() -> None:
    assert not is_workday(date(2026, 9, 25))


def test_year_beyond_the_calendar_falls_back_to_weekdays_and_fixed_holidays(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert not is_workday(date(2027, 1, 1))  # 元旦, fixed date
    assert is_workday(date(2027, 1, 4))  # a Monday
    assert not is_workday(date(2027, 1, 9))  # a Saturday


def test_due_at_is_end_of_the_nth_working_day_local_time() -> None:
    created = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
    due = due_at(created, 3, SHANGHAI, time(18))
    assert due == datetime(2026, 11, 26, 18, 0, tzinfo=SHANGHAI)


def test_late_evening_submission_counts_from_the_local_day() -> None:
    created = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # Saturday 00:30 in Shanghai
    assert due_at(created, 1, SHANGHAI).date() == date(2026, 11, 23)


def test_zero_days_is_refused() -> None:
    with pytest.raises(ValueError):
        add_workdays(date(2026, 11, 23), 0)
