"""政治生日 and the end of 预备期, from the dates on the 名单 and the real workday calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.dates.workdays import WorkCalendar
from core.roster.member_dates import (
    anniversary,
    greeted_on,
    in_month,
    probation_end,
    probation_reminder_day,
)
from core.store.roster_records import ListEntry, entry_id

CALENDAR = WorkCalendar()


def member(name: str, joined: date | None, category: str = "正式党员") -> ListEntry:
    return ListEntry(entry_id(name, ""), name, category, joined=joined)


def greeted_days(entries: list[ListEntry], first: date, last: date) -> dict[date, list[str]]:
    """Every day from `first` to `last` on which the group greets someone, and whom."""
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return {
        day: [a.entry.name for a in found]
        for day in days
        if (found := greeted_on(entries, day, CALENDAR))
    }


def test_anniversary_counts_the_years_and_none_in_the_joining_year() -> None:
    zhang = member("张三", date(2016, 7, 1))
    assert anniversary(zhang, 2016) is None
    assert anniversary(zhang, 2015) is None
    first = anniversary(zhang, 2017)
    assert first is not None and (first.day, first.years) == (date(2017, 7, 1), 1)
    tenth = anniversary(zhang, 2026)
    assert tenth is not None and (tenth.day, tenth.years) == (date(2026, 7, 1), 10)
    assert anniversary(member("李四", None), 2026) is None


def test_joined_on_29_february_is_greeted_on_the_28th_in_common_years() -> None:
    leap = member("张三", date(2024, 2, 29))
    assert anniversary(leap, 2024) is None
    days = {year: anniversary(leap, year) for year in (2025, 2027, 2028)}
    assert {year: a.day for year, a in days.items() if a} == {
        2025: date(2025, 2, 28),
        2027: date(2027, 2, 28),
        2028: date(2028, 2, 29),
    }


def test_a_sunday_anniversary_is_greeted_on_the_monday_only() -> None:
    zhang = member("张三", date(2016, 11, 8))  # 2026-11-08 is a Sunday
    assert greeted_on([zhang], date(2026, 11, 8), CALENDAR) == []
    found = greeted_on([zhang], date(2026, 11, 9), CALENDAR)
    assert [(a.entry.name, a.day, a.years) for a in found] == [("张三", date(2026, 11, 8), 10)]
    assert greeted_days([zhang], date(2026, 11, 1), date(2026, 11, 30)) == {
        date(2026, 11, 9): ["张三"]
    }


def test_a_weekend_and_its_monday_are_greeted_together_in_day_order() -> None:
    entries = [
        member("李四", date(2020, 11, 9)),  # Monday itself
        member("王五", date(2020, 11, 7)),  # Saturday
        member("张三", date(2020, 11, 8)),  # Sunday
    ]
    found = greeted_on(entries, date(2026, 11, 9), CALENDAR)
    assert [a.entry.name for a in found] == ["王五", "张三", "李四"]


def test_a_workday_anniversary_is_greeted_that_day() -> None:
    zhang = member("张三", date(2016, 11, 3))  # a Tuesday in 2026
    assert greeted_days([zhang], date(2026, 11, 1), date(2026, 11, 30)) == {
        date(2026, 11, 3): ["张三"]
    }


def test_31_december_before_the_new_year_holiday_is_greeted_in_january() -> None:
    # 2023-12-31 is a Sunday and 2024-01-01 元旦 (chinesecalendar's official data): the
    # first workday after it is Tuesday 2024-01-02.
    assert CALENDAR.has_data_for(2024)
    zhang = member("张三", date(2000, 12, 31))
    assert greeted_days([zhang], date(2023, 12, 25), date(2024, 1, 10)) == {
        date(2024, 1, 2): ["张三"]
    }
    found = greeted_on([zhang], date(2024, 1, 2), CALENDAR)
    assert [(a.day, a.years) for a in found] == [(date(2023, 12, 31), 23)]


def test_the_new_year_holiday_itself_greets_nobody() -> None:
    zhang = member("张三", date(2000, 1, 1))
    assert greeted_on([zhang], date(2024, 1, 1), CALENDAR) == []
    assert [a.entry.name for a in greeted_on([zhang], date(2024, 1, 2), CALENDAR)] == ["张三"]


def test_greeted_every_year_from_the_first_anniversary() -> None:
    zhang = member("张三", date(2024, 3, 5))
    greeted = greeted_days([zhang], date(2024, 1, 1), date(2026, 12, 31))
    assert list(greeted) == [date(2025, 3, 5), date(2026, 3, 5)]


def test_in_month_lists_the_months_anniversaries_by_day() -> None:
    entries = [
        member("张三", date(2010, 11, 20)),
        member("李四", date(2015, 11, 3)),
        member("王五", date(2015, 12, 1)),
        member("赵六", date(2026, 11, 1)),  # joined this year: no anniversary yet
        member("钱七", None),
    ]
    found = in_month(entries, 2026, 11)
    assert [(a.entry.name, a.day, a.years) for a in found] == [
        ("李四", date(2026, 11, 3), 11),
        ("张三", date(2026, 11, 20), 16),
    ]
    assert in_month(entries, 2026, 10) == []


def test_probation_ends_a_year_after_joining() -> None:
    probationer = member("张三", date(2026, 3, 15), "预备党员")
    assert probation_end(probationer) == date(2027, 3, 15)
    assert probation_end(member("李四", date(2026, 3, 15))) is None  # 正式党员
    assert probation_end(member("王五", None, "预备党员")) is None
    assert probation_end(member("赵六", date(2024, 2, 29), "预备党员")) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("joined", "reminded"),
    [
        # A month before 2026-12-15 is Sunday 2026-11-15: moved to Monday 11-16.
        (date(2025, 12, 15), date(2026, 11, 16)),
        # A month before 2026-11-03 is Saturday 10-03, inside the 国庆 holiday (10-01..07).
        (date(2025, 11, 3), date(2026, 10, 8)),
        # Already a workday (Tuesday 2026-11-03).
        (date(2025, 12, 3), date(2026, 11, 3)),
        # February has no 31st: a month before 2026-03-31 is 02-28, a Saturday but a
        # 调休 make-up workday in 2026.
        (date(2025, 3, 31), date(2026, 2, 28)),
    ],
)
def test_the_probation_reminder_is_a_month_before_on_a_workday(
    joined: date, reminded: date
) -> None:
    probationer = member("张三", joined, "预备党员")
    day = probation_reminder_day(probationer, CALENDAR)
    assert day == reminded
    assert CALENDAR.is_workday(reminded)


def test_no_reminder_for_a_full_member() -> None:
    assert probation_reminder_day(member("张三", date(2025, 12, 15)), CALENDAR) is None
