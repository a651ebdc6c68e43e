"""WorkCalendar: chinese_calendar's 2026 data, the rule after it, declared days."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar
import pytest

from core.dates.workdays import NO_DECLARED_DAYS, WEEKEND, DeclaredDays, WorkCalendar, days_between


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
    # core.dates.recurrence.ADJUST_MARGIN relies on holiday runs being well under 21 days.
    longest = run = 0
    day = date(min(cal.covered_years()), 1, 1)
    end = date(max(cal.covered_years()) + 1, 1, 1)
    while day < end:
        run = 0 if cal.is_workday(day) else run + 1
        longest = max(longest, run)
        day += timedelta(days=1)
    assert longest == 10  # 2020 Spring Festival extension
    assert longest < 21


def test_uncovered_year_uses_the_statutory_rule_with_one_warning_per_year(
    cal: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 1))
    caplog.set_level(logging.WARNING, logger="core.dates.workdays")
    for offset in range(60):
        day = date(2027, 1, 1) + timedelta(days=offset)
        cal.is_workday(day)
        cal.holiday_name(day)
        cal.next_workday(day)
    assert cal.holiday_name(date(2027, 1, 2)) == "周末"  # Saturday
    assert cal.holiday_name(date(2027, 1, 1)) == "元旦（按法定假日推算）"  # Friday
    assert cal.next_workday(date(2027, 1, 1)) == date(2027, 1, 4)
    cal.is_workday(date(2028, 3, 1))
    cal.is_workday(date(2028, 3, 2))
    years = [r.args for r in caplog.records if r.name == "core.dates.workdays"]
    assert years == [(2027,), (2028,)]
    assert all(r.levelno == logging.WARNING for r in caplog.records)


# 2027 by rule: 除夕 and 初一–初三 (2025 rules) with 补假 for the weekend days, 劳动节 two days
# with two 补假, 国庆节 three days with two 补假; no 调休 workdays.
RULE_DAYS_OFF_2027 = (
    [date(2027, 1, 1)]
    + [date(2027, 2, d) for d in range(5, 11)]
    + [date(2027, 4, 5)]
    + [date(2027, 5, d) for d in range(1, 5)]
    + [date(2027, 6, 9), date(2027, 9, 15)]
    + [date(2027, 10, d) for d in range(1, 6)]
)


@pytest.mark.parametrize("day", RULE_DAYS_OFF_2027)
def test_statutory_holidays_by_rule_past_the_official_data(cal: WorkCalendar, day: date) -> None:
    assert not cal.is_workday(day)
    name = cal.holiday_name(day)
    assert name is not None and name.endswith("（按法定假日推算）")
    assert name != "周末（按法定假日推算）"
    assert cal.is_estimated(day)


def test_rule_names_match_chinese_calendar(cal: WorkCalendar) -> None:
    assert cal.holiday_name(date(2027, 2, 5)) == "春节（按法定假日推算）"  # 农历除夕
    assert cal.holiday_name(date(2027, 2, 9)) == "春节（按法定假日推算）"  # 补假
    assert cal.holiday_name(date(2027, 10, 5)) == "国庆节（按法定假日推算）"
    assert cal.holiday_name(date(2027, 5, 3)) == "劳动节（按法定假日推算）"


def test_rule_years_keep_weekends_and_plain_weekdays(cal: WorkCalendar) -> None:
    assert cal.is_workday(date(2027, 2, 11))  # Thursday after the rule's 春节
    assert cal.is_workday(date(2027, 10, 6))
    assert not cal.is_workday(date(2027, 2, 14))  # Sunday: a rule knows no 调休
    assert cal.holiday_name(date(2027, 2, 14)) == WEEKEND
    assert not cal.is_estimated(date(2026, 10, 1))


def test_crossing_from_covered_into_uncovered_year(cal: WorkCalendar) -> None:
    # 2026-12-31 is Thursday; 2027-01-01 is 元旦 by rule, then a weekend.
    assert cal.next_workday(date(2026, 12, 31)) == date(2027, 1, 4)
    assert cal.previous_workday(date(2027, 1, 4)) == date(2026, 12, 31)


def test_rule_years_fit_the_recurrence_margin(cal: WorkCalendar) -> None:
    longest = run = 0
    day, end = date(2027, 1, 1), date(2036, 1, 1)
    while day < end:
        run = 0 if cal.is_workday(day) else run + 1
        longest = max(longest, run)
        day += timedelta(days=1)
    assert 6 <= longest < 21  # core.dates.recurrence.ADJUST_MARGIN


# ---------------------------------------------------------------- days declared in schedules.yaml

SPRING_2027 = frozenset(days_between(date(2027, 2, 5), date(2027, 2, 11)))
DECLARED_2027 = DeclaredDays(
    holidays=SPRING_2027, workdays=frozenset({date(2027, 2, 14), date(2027, 5, 3)})
)


def test_declared_days_win_over_the_rule() -> None:
    cal = WorkCalendar(DECLARED_2027)
    assert not cal.is_workday(date(2027, 2, 11))  # a Thursday the rule calls a workday
    assert cal.holiday_name(date(2027, 2, 11)) == "春节"  # official: no 推算 mark
    assert not cal.is_estimated(date(2027, 2, 11))
    assert cal.is_workday(date(2027, 2, 14))  # 调休 Sunday
    assert cal.is_workday(date(2027, 5, 3))  # the rule's 补假, declared a workday
    assert cal.next_workday(date(2027, 2, 4)) == date(2027, 2, 12)
    # Days not declared still follow the rule.
    assert cal.holiday_name(date(2027, 5, 4)) == "劳动节（按法定假日推算）"
    assert cal.is_estimated(date(2027, 5, 4))


def test_declared_days_win_over_chinese_calendar() -> None:
    declared = DeclaredDays(
        holidays=frozenset({date(2026, 10, 10)}), workdays=frozenset({date(2026, 10, 7)})
    )
    cal = WorkCalendar(declared)
    assert not cal.is_workday(date(2026, 10, 10))  # officially a 调休 Saturday
    assert cal.holiday_name(date(2026, 10, 10)) == "节假日"  # no library names that day
    assert cal.is_workday(date(2026, 10, 7))  # officially 国庆节
    assert WorkCalendar().is_workday(date(2026, 10, 10))


def test_which_years_have_data() -> None:
    assert WorkCalendar().has_data_for(2026)
    assert not WorkCalendar().has_data_for(2027)
    assert WorkCalendar(DECLARED_2027).has_data_for(2027)
    assert not WorkCalendar(DECLARED_2027).has_data_for(2028)


def test_no_rule_warning_for_a_declared_year(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="core.dates.workdays")
    WorkCalendar(DECLARED_2027).is_workday(date(2027, 3, 1))
    assert caplog.records == []


def test_declaring_keeps_the_calendar_while_the_days_stay_the_same() -> None:
    cal = WorkCalendar()
    assert cal.declaring(NO_DECLARED_DAYS) is cal
    declared = cal.declaring(DECLARED_2027)
    assert declared.declared == DECLARED_2027
    assert cal.declaring(DeclaredDays(SPRING_2027, DECLARED_2027.workdays)) is declared
    assert not declared.is_workday(date(2027, 2, 11))
    assert cal.is_workday(date(2027, 2, 11))
