"""Tests for core.dates.recurrence: rules, holiday policies and window edges (2026 data)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates.recurrence import (
    ADJUST_MARGIN,
    Cron,
    HolidayPolicy,
    MonthlyOnDay,
    MonthlyOnWeekday,
    Occurrence,
    Once,
    Weekly,
    WhenRule,
    adjust,
    next_occurrence,
    nominal_times,
    occurrences,
)
from core.dates.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)
NEXT = HolidayPolicy.NEXT_WORKDAY
PREV = HolidayPolicy.PREVIOUS_WORKDAY
SKIP = HolidayPolicy.SKIP
IGNORE = HolidayPolicy.IGNORE

# Shared so the hypothesis test needs no function-scoped fixture.
CALENDAR = WorkCalendar()


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def year_window(year: int) -> tuple[datetime, datetime]:
    return at(year, 1, 1, 0), at(year + 1, 1, 1, 0)


def one(rule: WhenRule, policy: HolidayPolicy, start: datetime, end: datetime) -> list[Occurrence]:
    return occurrences(rule, policy, CALENDAR, TZ, start, end)


# --- nominal times -----------------------------------------------------------


def test_monthly_day_31_clamps_to_month_end() -> None:
    times = list(nominal_times(MonthlyOnDay(31, NINE), TZ, *year_window(2026)))
    assert len(times) == 12
    assert at(2026, 2, 28) in times
    assert at(2026, 4, 30) in times
    assert at(2026, 1, 31) in times
    leap = list(nominal_times(MonthlyOnDay(30, NINE), TZ, at(2028, 2, 1, 0), at(2028, 3, 1, 0)))
    assert leap == [at(2028, 2, 29)]


def test_monthly_last_friday() -> None:
    times = list(nominal_times(MonthlyOnWeekday(4, -1, NINE), TZ, *year_window(2026)))
    assert len(times) == 12
    assert all(t.weekday() == 4 and (t + timedelta(days=7)).month != t.month for t in times)
    assert times[0] == at(2026, 1, 30)
    assert times[8] == at(2026, 9, 25)


def test_monthly_nth_weekday() -> None:
    times = list(nominal_times(MonthlyOnWeekday(1, 2, NINE), TZ, *year_window(2026)))
    assert times[0] == at(2026, 1, 13)  # second Tuesday of January 2026
    assert all(t.weekday() == 1 and 8 <= t.day <= 14 for t in times)


def test_weekly_is_52_or_53_per_year_and_respects_start_time() -> None:
    times = list(nominal_times(Weekly(5, NINE), TZ, *year_window(2026)))
    assert len(times) == 52
    assert all(t.weekday() == 5 for t in times)
    # Window starting Saturday 10:00 excludes that Saturday's 09:00.
    later = list(nominal_times(Weekly(5, NINE), TZ, at(2026, 1, 3, 10), at(2026, 1, 11)))
    assert later == [at(2026, 1, 10)]


def test_cron_matches_monthly_on_day() -> None:
    start, end = at(2025, 1, 1, 0), at(2028, 1, 1, 0)
    cron = list(nominal_times(Cron("0 9 1 * *"), TZ, start, end))
    monthly = list(nominal_times(MonthlyOnDay(1, NINE), TZ, start, end))
    assert cron == monthly
    assert len(cron) == 36
    assert one(Cron("0 9 1 * *"), NEXT, start, end) == one(MonthlyOnDay(1, NINE), NEXT, start, end)


def test_cron_end_is_exclusive_and_start_inclusive() -> None:
    times = list(nominal_times(Cron("0 9 * * *"), TZ, at(2026, 3, 1), at(2026, 3, 4)))
    assert times == [at(2026, 3, 1), at(2026, 3, 2), at(2026, 3, 3)]


def test_cron_that_never_fires_terminates() -> None:
    assert list(nominal_times(Cron("0 9 30 2 *"), TZ, *year_window(2026))) == []
    assert next_occurrence(Cron("0 9 30 2 *"), NEXT, CALENDAR, TZ, at(2026, 1, 1)) is None


def test_cron_validate() -> None:
    assert Cron.validate("0 9 1 * *") is None
    assert Cron.validate("30 8 * * mon-fri") is None
    assert Cron.validate("0 9 * *") == "Wrong number of fields; got 4, expected 5"
    assert Cron.validate("61 9 * * *") is not None
    assert Cron.validate("0 9 * * xyz") is not None
    # APScheduler 3.x counts weekdays from Monday=0, crontab from Sunday=0: refuse numbers.
    assert Cron.validate("0 9 * * 1-5") is not None
    with pytest.raises(ValueError, match="invalid cron expression"):
        Cron("not a cron")


def test_cron_weekday_names_mean_what_they_say() -> None:
    times = list(nominal_times(Cron("0 9 * * mon"), TZ, *year_window(2026)))
    assert times and all(t.weekday() == 0 for t in times)


def test_once() -> None:
    rule = Once(at(2026, 10, 1))
    assert list(nominal_times(rule, TZ, *year_window(2026))) == [at(2026, 10, 1)]
    assert list(nominal_times(rule, TZ, *year_window(2025))) == []
    assert one(rule, NEXT, *year_window(2026))[0].actual == at(2026, 10, 8)
    with pytest.raises(ValueError):
        Once(datetime(2026, 10, 1, 9))  # noqa: DTZ001 - checking naive input is rejected


@pytest.mark.parametrize(
    "make",
    [
        lambda: MonthlyOnDay(0, NINE),
        lambda: MonthlyOnDay(32, NINE),
        lambda: MonthlyOnWeekday(7, 1, NINE),
        lambda: MonthlyOnWeekday(0, 5, NINE),
        lambda: MonthlyOnWeekday(0, 0, NINE),
        lambda: Weekly(-1, NINE),
        lambda: Weekly(0, time(9, tzinfo=TZ)),
    ],
)
def test_invalid_rules_are_rejected(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


def test_naive_window_is_rejected() -> None:
    with pytest.raises(ValueError):
        list(nominal_times(Weekly(0, NINE), TZ, datetime(2026, 1, 1), at(2026, 2, 1)))  # noqa: DTZ001


# --- holiday policies ----------------------------------------------------------


def test_national_day_next_workday() -> None:
    [occ] = one(MonthlyOnDay(1, NINE), NEXT, at(2026, 10, 1, 0), at(2026, 11, 1, 0))
    assert occ.nominal == at(2026, 10, 1)
    assert occ.actual == at(2026, 10, 8)
    assert occ.reason == "国庆节"
    assert occ.moved


def test_national_day_previous_workday() -> None:
    occ = adjust(at(2026, 10, 1), PREV, CALENDAR)
    assert occ is not None
    assert occ.actual == at(2026, 9, 30)
    assert occ.reason == "国庆节"


def test_spring_festival_moves_to_feb_24() -> None:
    occ = adjust(at(2026, 2, 16), NEXT, CALENDAR)
    assert occ == Occurrence(at(2026, 2, 16), at(2026, 2, 24), "春节")


def test_make_up_saturday_is_not_moved() -> None:
    occs = one(Weekly(5, NINE), NEXT, at(2026, 10, 10, 0), at(2026, 10, 11, 0))
    assert occs == [Occurrence(at(2026, 10, 10), at(2026, 10, 10), None)]
    assert not occs[0].moved


def test_holiday_moves_onto_make_up_weekend_day() -> None:
    # 元旦 2026 runs 01-01..01-03; the next workday is the 调休 Sunday 01-04.
    occ = adjust(at(2026, 1, 1), NEXT, CALENDAR)
    assert occ == Occurrence(at(2026, 1, 1), at(2026, 1, 4), "元旦")
    assert occ.actual.weekday() == 6
    # 春节 starts Sunday 02-15; the previous workday is the 调休 Saturday 02-14.
    back = adjust(at(2026, 2, 15), PREV, CALENDAR)
    assert back is not None and back.actual == at(2026, 2, 14)


def test_plain_weekend_moves_to_monday() -> None:
    occ = adjust(at(2026, 3, 7), NEXT, CALENDAR)  # Saturday
    assert occ == Occurrence(at(2026, 3, 7), at(2026, 3, 9), "周末")


def test_last_friday_on_mid_autumn_moves_past_weekend() -> None:
    occs = one(MonthlyOnWeekday(4, -1, NINE), NEXT, at(2026, 9, 1, 0), at(2026, 10, 1, 0))
    assert occs == [Occurrence(at(2026, 9, 25), at(2026, 9, 28), "中秋节")]


def test_skip_drops_non_workdays_and_ignore_keeps_them() -> None:
    window = year_window(2026)
    skipped = one(MonthlyOnDay(1, NINE), SKIP, *window)
    assert [o.nominal.month for o in skipped] == [4, 6, 7, 9, 12]
    assert adjust(at(2026, 10, 1), SKIP, CALENDAR) is None
    ignored = one(MonthlyOnDay(1, NINE), IGNORE, *window)
    assert len(ignored) == 12
    assert all(not o.moved and o.reason is None for o in ignored)


def test_two_nominals_on_one_actual_are_both_kept() -> None:
    occs = one(Cron("0 9 * * *"), NEXT, at(2026, 10, 8, 0), at(2026, 10, 9, 0))
    assert [o.nominal.day for o in occs] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert {o.actual for o in occs} == {at(2026, 10, 8)}


# --- window edges and next_occurrence ------------------------------------------


def test_move_into_window_from_before_its_start() -> None:
    occs = one(MonthlyOnDay(1, NINE), NEXT, at(2026, 10, 5, 0), at(2026, 10, 31, 0))
    assert [(o.nominal, o.actual) for o in occs] == [(at(2026, 10, 1), at(2026, 10, 8))]


def test_move_out_of_window_past_its_end() -> None:
    occs = one(MonthlyOnDay(1, NINE), NEXT, at(2026, 9, 1, 0), at(2026, 10, 1, 0))
    assert [o.actual for o in occs] == [at(2026, 9, 1)]
    # The end is exclusive on the actual time.
    assert one(MonthlyOnDay(1, NINE), NEXT, at(2026, 10, 2, 0), at(2026, 10, 8)) == []


def test_previous_workday_moves_into_window_from_after_its_end() -> None:
    occs = one(MonthlyOnDay(1, NINE), PREV, at(2026, 9, 1, 0), at(2026, 10, 1, 0))
    assert [(o.nominal, o.actual) for o in occs] == [
        (at(2026, 9, 1), at(2026, 9, 1)),
        (at(2026, 10, 1), at(2026, 9, 30)),
    ]


def test_next_occurrence_follows_moves() -> None:
    rule = MonthlyOnDay(1, NINE)
    occ = next_occurrence(rule, NEXT, CALENDAR, TZ, at(2026, 10, 5))
    assert occ == Occurrence(at(2026, 10, 1), at(2026, 10, 8), "国庆节")
    after = next_occurrence(rule, NEXT, CALENDAR, TZ, at(2026, 10, 8))  # strictly after
    assert after == Occurrence(at(2026, 11, 1), at(2026, 11, 2), "周末")
    early = next_occurrence(rule, PREV, CALENDAR, TZ, at(2026, 9, 15))
    assert early is not None and early.actual == at(2026, 9, 30)


def test_next_occurrence_once_in_the_past_is_none() -> None:
    rule = Once(at(2026, 3, 2))
    assert next_occurrence(rule, NEXT, CALENDAR, TZ, at(2026, 6, 1)) is None
    assert next_occurrence(rule, NEXT, CALENDAR, TZ, at(2026, 3, 2)) is None
    occ = next_occurrence(rule, NEXT, CALENDAR, TZ, at(2026, 3, 1))
    assert occ is not None and occ.actual == at(2026, 3, 2)


def test_next_occurrence_gives_up_when_skip_never_fires() -> None:
    # In Mon-Fri fallback years no Sunday is a workday, so SKIP never fires.
    assert next_occurrence(Weekly(6, NINE), SKIP, WorkCalendar(), TZ, at(2027, 1, 1)) is None


def test_next_occurrence_agrees_with_occurrences() -> None:
    rule = Weekly(5, time(18, 30))
    now = at(2026, 1, 1, 0)
    expected = one(rule, NEXT, now, at(2027, 1, 1, 0))
    seen: list[Occurrence] = []
    while (occ := next_occurrence(rule, NEXT, CALENDAR, TZ, now)) and occ.actual < at(2027, 1, 1):
        seen.append(occ)
        now = occ.actual
    # next_occurrence yields one nominal per actual time; occurrences() keeps them all.
    assert [o.actual for o in seen] == sorted({o.actual for o in expected})


# --- time zones, fallback years, bulk --------------------------------------------


def test_all_results_are_aware_in_shanghai() -> None:
    start = datetime(2025, 12, 31, 16, tzinfo=UTC)  # 2026-01-01 00:00 in Shanghai
    end = datetime(2026, 12, 31, 16, tzinfo=UTC)
    rules: list[WhenRule] = [
        MonthlyOnDay(1, NINE),
        Weekly(0, NINE),
        Cron("0 9 * * mon-fri"),
        Once(datetime(2026, 10, 1, 1, tzinfo=UTC)),
    ]
    for rule in rules:
        found = one(rule, NEXT, start, end)
        assert found
        for occ in found:
            for value in (occ.nominal, occ.actual):
                assert value.tzinfo is not None
                assert value.utcoffset() == timedelta(hours=8)
                assert value.time() == NINE
    assert one(MonthlyOnDay(1, NINE), NEXT, start, end)[0].nominal == at(2026, 1, 1)


def test_2027_fallback_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="core.dates.workdays")
    calendar = WorkCalendar()
    found = occurrences(Cron("0 9 * * *"), NEXT, calendar, TZ, *year_window(2027))
    for _ in range(20):
        occurrences(MonthlyOnDay(1, NINE), NEXT, calendar, TZ, *year_window(2027))
    assert all(o.actual.weekday() < 5 for o in found)
    assert adjust(at(2027, 1, 2), NEXT, calendar) == Occurrence(
        at(2027, 1, 2), at(2027, 1, 4), "周末"
    )
    warnings = [r for r in caplog.records if r.args == (2027,)]
    assert len(warnings) == 1


def test_year_of_ten_rules_completes() -> None:
    rules: list[WhenRule] = [
        MonthlyOnDay(1, NINE),
        MonthlyOnDay(31, time(17)),
        MonthlyOnWeekday(4, -1, NINE),
        MonthlyOnWeekday(0, 1, NINE),
        Weekly(2, time(14, 30)),
        Weekly(5, NINE),
        Cron("0 9 1 * *"),
        Cron("30 8 * * mon-fri"),
        Cron("0 9,14 * * *"),
        Once(at(2026, 7, 1)),
    ]
    for policy in HolidayPolicy:
        total = sum(len(one(rule, policy, *year_window(2026))) for rule in rules)
        assert total > 365


# --- properties ----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    policy=st.sampled_from([NEXT, PREV, SKIP]),
)
def test_adjusted_day_is_a_workday(day: date, policy: HolidayPolicy) -> None:
    nominal = datetime.combine(day, NINE, tzinfo=TZ)
    occ = adjust(nominal, policy, CALENDAR)
    if occ is not None:
        assert CALENDAR.is_workday(occ.actual.date())
        assert occ.actual.time() == NINE
        assert abs(occ.actual - occ.nominal) < ADJUST_MARGIN
        assert occ.moved == (occ.reason is not None)
    following = CALENDAR.next_workday(day)
    assert following > day
    assert CALENDAR.is_workday(following)
    preceding = CALENDAR.previous_workday(day)
    assert preceding < day
    assert CALENDAR.is_workday(preceding)
