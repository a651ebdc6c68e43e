"""Tests for core.workdays.WorkCalendar against chinese_calendar's 2026 data."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar
import pytest

from core.workdays import WEEKEND, WorkCalendar


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_library_covers_2026_but_not_2027(cal: WorkCalendar) -> None:
    assert 2026 in cal.covered_years()
    assert 2027 not in cal.covered_years()


@pytest.mark.parametrize(
    "day",
    [date(2026, 10, d) for d in range(1, 8)] + [date(2026, 2, d) for d in range(15, 24)],
)
def test_statutory_holidays_are_not_workdays(cal: WorkCalendar, day: date) -> None:
    assert not cal.is_workday(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 4),  # Sunday, 元旦 调休
        date(2026, 2, 14),  # Saturday, 春节 调休
        date(2026, 2, 28),  # Saturday, 春节 调休
        date(2026, 5, 9),  # Saturday, 劳动节 调休
        date(2026, 9, 20),  # Sunday, 国庆节 调休
        date(2026, 10, 10),  # Saturday, 国庆节 调休
    ],
)
def test_make_up_weekend_days_are_workdays(cal: WorkCalendar, day: date) -> None:
    assert day.weekday() >= 5
    assert cal.is_workday(day)
    assert cal.holiday_name(day) is None


def test_holiday_names_are_chinese(cal: WorkCalendar) -> None:
    assert cal.holiday_name(date(2026, 10, 1)) == "国庆节"
    assert cal.holiday_name(date(2026, 10, 3)) == "国庆节"  # Saturday inside the holiday
    assert cal.holiday_name(date(2026, 2, 16)) == "春节"
    assert cal.holiday_name(date(2026, 1, 1)) == "元旦"
    assert cal.holiday_name(date(2026, 4, 5)) == "清明节"
    assert cal.holiday_name(date(2026, 5, 1)) == "劳动节"
    assert cal.holiday_name(date(2026, 6, 19)) == "端午节"
    assert cal.holiday_name(date(2026, 9, 25)) == "中秋节"


def test_plain_weekend_and_workday_names(cal: WorkCalendar) -> None:
    assert cal.holiday_name(date(2026, 3, 7)) == WEEKEND == "周末"
    assert cal.holiday_name(date(2026, 10, 8)) is None


def test_next_and_previous_are_strict(cal: WorkCalendar) -> None:
    workday = date(2026, 9, 30)  # Wednesday
    assert cal.next_workday(workday) == date(2026, 10, 8)
    assert cal.previous_workday(date(2026, 10, 8)) == workday
    assert cal.previous_workday(workday) == date(2026, 9, 29)


def test_on_or_after_and_before_keep_workdays(cal: WorkCalendar) -> None:
    assert cal.workday_on_or_after(date(2026, 9, 30)) == date(2026, 9, 30)
    assert cal.workday_on_or_before(date(2026, 9, 30)) == date(2026, 9, 30)
    assert cal.workday_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)
    assert cal.workday_on_or_before(date(2026, 10, 1)) == date(2026, 9, 30)


def test_next_workday_can_be_a_make_up_weekend(cal: WorkCalendar) -> None:
    # 元旦 2026 ends on Saturday 01-03; the next workday is the make-up Sunday 01-04.
    assert cal.next_workday(date(2026, 1, 3)) == date(2026, 1, 4)
    # 春节 starts on Sunday 02-15; the previous workday is the make-up Saturday 02-14.
    assert cal.previous_workday(date(2026, 2, 15)) == date(2026, 2, 14)


def test_spring_festival_next_workday(cal: WorkCalendar) -> None:
    assert cal.next_workday(date(2026, 2, 16)) == date(2026, 2, 24)


def test_longest_non_workday_run_fits_recurrence_margin(cal: WorkCalendar) -> None:
    # core.recurrence.ADJUST_MARGIN relies on holiday runs being well under 21 days.
    longest = run = 0
    day = date(min(cal.covered_years()), 1, 1)
    end = date(max(cal.covered_years()) + 1, 1, 1)
    while day < end:
        run = 0 if cal.is_workday(day) else run + 1
        longest = max(longest, run)
        day += timedelta(days=1)
    assert longest == 10  # 2020 Spring Festival extension
    assert longest < 21


def test_uncovered_year_falls_back_with_one_warning_per_year(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))
    caplog.set_level(logging.WARNING, logger="core.workdays")
    for offset in range(60):
        day = date(2027, 1, 1) + timedelta(days=offset)
        assert cal.is_workday(day) == (day.weekday() < 5)
        cal.holiday_name(day)
        cal.next_workday(day)
    assert cal.holiday_name(date(2027, 1, 2)) == "周末"  # Saturday
    assert cal.holiday_name(date(2027, 1, 1)) is None  # Friday: no data, so a workday
    assert cal.next_workday(date(2027, 1, 1)) == date(2027, 1, 4)
    cal.is_workday(date(2028, 3, 1))
    cal.is_workday(date(2028, 3, 2))
    years = [r.args for r in caplog.records if r.name == "core.workdays"]
    assert years == [(2027,), (2028,)]
    assert all(r.levelno == logging.WARNING for r in caplog.records)


def test_crossing_from_covered_into_uncovered_year(cal: WorkCalendar) -> None:
    # 2026-12-31 is Thursday; 2027-01-01 has no data, so it is an ordinary Friday.
    assert cal.next_workday(date(2026, 12, 31)) == date(2027, 1, 1)
    assert cal.previous_workday(date(2027, 1, 1)) == date(2026, 12, 31)
