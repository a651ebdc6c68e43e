"""Chinese workday calendar: statutory holidays and 调休 make-up workdays.

Three sources, the first that knows a day wins:

1. the days the admins declared under `calendar:` in schedules.yaml (the State Council's
   announcement for a year the libraries do not know yet);
2. the ``chinesecalendar`` package (imported as ``chinese_calendar``), the official
   holidays and make-up workdays of the years already published;
3. for any other year, the statutory holidays the ``holidays`` package computes by rule
   (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆, with 补假 for those falling on a weekend) on
   top of Monday–Friday. A rule knows no 调休, so such days are reported as estimated.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import Holiday

from core import messages

logger = logging.getLogger(__name__)

WEEKEND = "周末"
"""Name reported for an ordinary weekend day that is not a workday."""

# Keyed by the English value chinese_calendar reports in get_holiday_detail().
HOLIDAY_NAMES_ZH: dict[str, str] = {
    Holiday.new_years_day.value: "元旦",
    Holiday.spring_festival.value: "春节",
    Holiday.tomb_sweeping_day.value: "清明节",
    Holiday.labour_day.value: "劳动节",
    Holiday.dragon_boat_festival.value: "端午节",
    Holiday.national_day.value: "国庆节",
    Holiday.mid_autumn_festival.value: "中秋节",
    Holiday.anti_fascist_70th_day.value: "抗战胜利纪念日",
}

# Used if chinese_calendar ever adds a holiday we have no translation for, and for a
# declared day off that no library names.
UNKNOWN_HOLIDAY = "节假日"

# The holidays package names days in Chinese (zh_CN) with a few variants of our names.
_RULE_SUFFIXES = ("（补假）",)
_RULE_NAME_ALIASES = {"农历除夕": "春节"}

# The longest run of non-workdays in the data is 10 days (2020 Spring Festival
# extension); a year without any workday would be a data bug, so stop searching.
_MAX_SEARCH_DAYS = 366


@dataclass(frozen=True)
class DeclaredDays:
    """Days declared in schedules.yaml `calendar:`; they win over every library."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    def covers(self, year: int) -> bool:
        """True if any declared day falls in `year`."""
        return any(day.year == year for day in self.holidays | self.workdays)


NO_DECLARED_DAYS = DeclaredDays()


def days_between(first: date, last: date) -> Iterable[date]:
    """Every day from `first` to `last`, both included."""
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


class WorkCalendar:
    """Chinese workdays: declared days, then chinese_calendar, then the statutory rule.

    Years chinese_calendar does not cover use the rule, with exactly one logged warning
    per such year (per calendar instance) unless the admins declared days for it.
    """

    def __init__(self, declared: DeclaredDays = NO_DECLARED_DAYS) -> None:
        self.declared = declared
        self._warned_years: set[int] = set()
        # chinese_calendar rescans its whole holiday table on every call (~20 µs), and
        # schedulers ask about the same few hundred days over and over.
        self._workday_cache: dict[date, bool] = {}
        self._rule_years: dict[int, dict[date, str]] = {}
        self._derived: WorkCalendar | None = None

    def declaring(self, declared: DeclaredDays) -> WorkCalendar:
        """This calendar with `declared` as the admins' days (the last one asked is kept).

        `/reload` can change the declared days at any time; callers ask for the calendar
        of the configuration they are using, and keep the caches while it does not change.
        """
        if declared == self.declared:
            return self
        if self._derived is None or self._derived.declared != declared:
            self._derived = WorkCalendar(declared)
        return self._derived

    @staticmethod
    @functools.cache
    def covered_years() -> range:
        """Return the years for which chinese_calendar has official holiday data."""
        years = [day.year for day in chinese_calendar.holidays]
        return range(min(years), max(years) + 1)

    def has_data_for(self, year: int) -> bool:
        """True if `year`'s holidays are known: chinese_calendar has it, or days are declared."""
        return year in self.covered_years() or self.declared.covers(year)

    def is_estimated(self, day: date) -> bool:
        """True if whether `day` is a workday comes from the statutory rule, not a list."""
        if day in self.declared.holidays or day in self.declared.workdays:
            return False
        return day.year not in self.covered_years()

    def is_workday(self, day: date) -> bool:
        """Return True if people work on `day` (weekdays minus holidays plus 调休 days)."""
        cached = self._workday_cache.get(day)
        if cached is None:
            cached = self._workday_cache[day] = self._lookup_workday(day)
        return cached

    def _lookup_workday(self, day: date) -> bool:
        """Declared days first, then chinese_calendar, then the rule for uncovered years."""
        if day in self.declared.workdays:
            return True
        if day in self.declared.holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5 and day not in self._rule_holidays(day.year)

    def holiday_name(self, day: date) -> str | None:
        """Return the Chinese holiday name, "周末" for a plain weekend, None for a workday.

        A holiday known only by rule is marked （按法定假日推算）.
        """
        if self.is_workday(day):
            return None
        if day in self.declared.holidays:
            return self._declared_name(day)
        name = self._library_name(day)
        if name is None:
            return WEEKEND
        if self.is_estimated(day):
            return messages.HOLIDAY_BY_RULE.format(name=name)
        return name

    def _declared_name(self, day: date) -> str:
        """A declared day off is named after a library holiday in the same run of days off."""
        run = [day]
        for step in (timedelta(days=-1), timedelta(days=1)):
            other = day + step
            while other in self.declared.holidays:
                run.append(other)
                other += step
        names = (self._library_name(d) for d in sorted(run))
        return next((name for name in names if name is not None), UNKNOWN_HOLIDAY)

    def _library_name(self, day: date) -> str | None:
        """The holiday chinese_calendar or the rule gives `day`, ignoring declared days."""
        try:
            on_holiday, english = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            return self._rule_holidays(day.year).get(day)
        if not on_holiday or english is None:
            return None
        return HOLIDAY_NAMES_ZH.get(english, UNKNOWN_HOLIDAY)

    def _rule_holidays(self, year: int) -> dict[date, str]:
        """The statutory holidays of `year` by rule, with our names; warns once per year."""
        found = self._rule_years.get(year)
        if found is None:
            found = self._rule_years[year] = _statutory_holidays(year)
            self._warn_uncovered(year)
        return found

    def next_workday(self, day: date) -> date:
        """Return the first workday strictly after `day` (never `day` itself)."""
        return self._search(day + timedelta(days=1), timedelta(days=1))

    def previous_workday(self, day: date) -> date:
        """Return the last workday strictly before `day` (never `day` itself)."""
        return self._search(day - timedelta(days=1), timedelta(days=-1))

    def workday_on_or_after(self, day: date) -> date:
        """Return `day` if it is a workday, otherwise the next workday after it."""
        return self._search(day, timedelta(days=1))

    def workday_on_or_before(self, day: date) -> date:
        """Return `day` if it is a workday, otherwise the last workday before it."""
        return self._search(day, timedelta(days=-1))

    def _search(self, first: date, step: timedelta) -> date:
        """Walk from `first` (inclusive) in `step` direction to the first workday."""
        candidate = first
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_workday(candidate):
                return candidate
            candidate += step
        raise RuntimeError(f"no workday within {_MAX_SEARCH_DAYS} days of {first}")

    def _warn_uncovered(self, year: int) -> None:
        """Log the rule fallback once per year so logs stay readable."""
        if year in self._warned_years or self.declared.covers(year):
            return
        self._warned_years.add(year)
        logger.warning(
            "chinese_calendar has no holiday data for %d; using the statutory holidays "
            "computed by rule (no 调休 make-up workdays). Declare the State Council's days "
            "under calendar: in schedules.yaml once they are published",
            year,
        )


def _statutory_holidays(year: int) -> dict[date, str]:
    """`holidays.China` for one year, named like chinese_calendar ("春节", not "农历除夕")."""
    # Imported here: the package loads every country (~0.15 s), and only years past
    # chinese_calendar's data need it.
    from holidays.countries.china import China

    named: dict[date, str] = {}
    for day, name in China(years=year, language="zh_CN").items():
        for suffix in _RULE_SUFFIXES:
            name = name.removesuffix(suffix)
        named[day] = _RULE_NAME_ALIASES.get(name, name)
    return named
