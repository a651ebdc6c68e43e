"""Chinese workday calendar: statutory holidays and 调休 make-up workdays.

Data comes from the ``chinesecalendar`` package (imported as ``chinese_calendar``),
which only knows the years the State Council has already published. For any other
year we fall back to plain Monday–Friday and log one warning per year, because a
push landing on an unannounced holiday is better than the bot crashing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import Holiday

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

# Used if chinese_calendar ever adds a holiday we have no translation for.
UNKNOWN_HOLIDAY = "节假日"

# The longest run of non-workdays in the data is 10 days (2020 Spring Festival
# extension); a year without any workday would be a data bug, so stop searching.
_MAX_SEARCH_DAYS = 366


class WorkCalendar:
    """Chinese workdays: statutory holidays and 调休 make-up workdays from chinese_calendar.

    Years chinese_calendar does not cover fall back to Monday–Friday, with exactly one
    logged warning per uncovered year (per calendar instance), never an exception.
    """

    def __init__(self) -> None:
        self._warned_years: set[int] = set()
        # chinese_calendar rescans its whole holiday table on every call (~20 µs), and
        # schedulers ask about the same few hundred days over and over.
        self._workday_cache: dict[date, bool] = {}

    @staticmethod
    def covered_years() -> range:
        """Return the years for which chinese_calendar has official holiday data."""
        years = [day.year for day in chinese_calendar.holidays]
        return range(min(years), max(years) + 1)

    def is_workday(self, day: date) -> bool:
        """Return True if people work on `day` (weekdays minus holidays plus 调休 days)."""
        cached = self._workday_cache.get(day)
        if cached is None:
            cached = self._workday_cache[day] = self._lookup_workday(day)
        return cached

    def _lookup_workday(self, day: date) -> bool:
        """Ask chinese_calendar, falling back to Mon–Fri for years it does not cover."""
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self._warn_uncovered(day.year)
            return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        """Return the Chinese holiday name, "周末" for a plain weekend, None for a workday."""
        if self.is_workday(day):
            return None
        try:
            _, english = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            # Fallback years only know weekends; is_workday() already warned.
            return WEEKEND
        if english is None:
            return WEEKEND
        return HOLIDAY_NAMES_ZH.get(english, UNKNOWN_HOLIDAY)

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
        """Log the Mon–Fri fallback once per year so logs stay readable."""
        if year in self._warned_years:
            return
        self._warned_years.add(year)
        logger.warning(
            "chinese_calendar has no holiday data for %d; treating Mon-Fri as workdays "
            "(upgrade chinesecalendar once the State Council publishes the schedule)",
            year,
        )
