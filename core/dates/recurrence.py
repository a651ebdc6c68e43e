"""When-rules for pushes and their adjustment onto Chinese workdays.

All rule times are local wall-clock times in a caller-supplied ZoneInfo. Nothing here
reads the clock: every function takes its time window or reference instant as a
parameter, so schedulers and tests inject "now".
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from core.dates.workdays import WorkCalendar

ADJUST_MARGIN = timedelta(days=21)
"""Upper bound on how far a holiday policy can move a time.

The longest run of non-workdays in chinese_calendar's data is 10 days (2020 Spring
Festival extension); years estimated by rule stay under 10 and a declared run of days off
is at most 15 (core.config.schedules). Windows are widened by this margin before adjusting so
moves across a window edge are not lost.
"""

NEXT_OCCURRENCE_HORIZON = timedelta(days=366 * 9)
"""How far next_occurrence() looks ahead before giving up.

Nine years covers the longest gap between 29 Februarys (2096 -> 2104) and bounds the
search for rules that never fire, e.g. SKIP on Sundays in years estimated by rule.
"""


def _check_at(at: time) -> None:
    """Reject tz-aware rule times: the zone comes from the caller, not the rule."""
    if at.tzinfo is not None:
        raise ValueError("rule time must be a naive wall-clock time; pass the zone separately")


def _check_weekday(weekday: int) -> None:
    """Reject weekdays outside 0=Monday..6=Sunday."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {weekday}")


def _require_aware(value: datetime, name: str) -> None:
    """Reject naive datetimes, which would silently compare in an unknown zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True)
class MonthlyOnDay:
    """Every month on `day` (1..31) at `at`.

    A day beyond the month's length means the LAST day of that month (day=31 fires on
    28/29 February and 30 April). This deliberately differs from APScheduler's cron and
    PTB's run_monthly, which silently skip such months.
    """

    day: int
    at: time

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise ValueError(f"day must be 1..31, got {self.day}")
        _check_at(self.at)


@dataclass(frozen=True)
class MonthlyOnWeekday:
    """Every month on the `nth` (1..4, or -1 for last) `weekday` (0=Mon..6=Sun) at `at`."""

    weekday: int
    nth: int
    at: time

    def __post_init__(self) -> None:
        _check_weekday(self.weekday)
        if self.nth not in (1, 2, 3, 4, -1):
            raise ValueError(f"nth must be 1..4 or -1 (last), got {self.nth}")
        _check_at(self.at)


@dataclass(frozen=True)
class Weekly:
    """Every week on `weekday` (0=Mon..6=Sun) at `at`."""

    weekday: int
    at: time

    def __post_init__(self) -> None:
        _check_weekday(self.weekday)
        _check_at(self.at)


@dataclass(frozen=True)
class Cron:
    """A 5-field crontab expression (minute hour day month day-of-week), via APScheduler.

    The day-of-week field must use names (mon-fri, sat,sun): APScheduler 3.x numbers
    weekdays from Monday=0 while crontab uses Sunday=0, so a numeric field would fire on
    the wrong day without any error. Rejecting digits there makes that mistake loud.
    """

    expression: str

    def __post_init__(self) -> None:
        error = Cron.validate(self.expression)
        if error is not None:
            raise ValueError(f"invalid cron expression {self.expression!r}: {error}")

    @staticmethod
    def validate(expression: str) -> str | None:
        """Return a short English error for a bad expression, or None if it is valid."""
        fields = expression.split()
        if len(fields) == 5 and any(ch.isdigit() for ch in fields[4]):
            return "use day names (mon-fri) in the day-of-week field, not numbers"
        try:
            CronTrigger.from_crontab(expression, timezone=ZoneInfo("UTC"))
        except ValueError as exc:
            return str(exc)
        return None

    def trigger(self, tz: ZoneInfo) -> CronTrigger:
        """Build the APScheduler trigger that enumerates this expression in `tz`."""
        return CronTrigger.from_crontab(self.expression, timezone=tz)


@dataclass(frozen=True)
class Once:
    """A single timezone-aware instant."""

    at: datetime

    def __post_init__(self) -> None:
        _require_aware(self.at, "Once.at")


WhenRule: TypeAlias = MonthlyOnDay | MonthlyOnWeekday | Weekly | Cron | Once

# Picks the fire date of a monthly rule for (year, month).
_DayPicker: TypeAlias = Callable[[int, int], date]


def nominal_times(
    rule: WhenRule, tz: ZoneInfo, start: datetime, end: datetime
) -> Iterator[datetime]:
    """Yield every nominal fire time t with start <= t < end, ascending, aware in `tz`."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    match rule:
        case MonthlyOnDay(day=day, at=at):
            return _monthly(lambda y, m: _clamped_day(y, m, day), at, tz, start, end)
        case MonthlyOnWeekday(weekday=weekday, nth=nth, at=at):
            return _monthly(lambda y, m: _nth_weekday(y, m, weekday, nth), at, tz, start, end)
        case Weekly():
            return _weekly(rule, tz, start, end)
        case Cron():
            return _cron(rule, tz, start, end)
        case Once():
            return _once(rule, tz, start, end)
    raise TypeError(f"unsupported rule type: {type(rule).__name__}")


def _clamped_day(year: int, month: int, day: int) -> date:
    """Return `day` of the month, clamped to the month's last day."""
    last = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(day, last))


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """Return the nth (or last, nth=-1) `weekday` of the month."""
    if nth == -1:
        last = _clamped_day(year, month, 31)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _monthly(
    pick: _DayPicker, at: time, tz: ZoneInfo, start: datetime, end: datetime
) -> Iterator[datetime]:
    """Yield one time per month from start's month to end's month (12 steps a year)."""
    first, last = start.astimezone(tz), end.astimezone(tz)
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        moment = datetime.combine(pick(year, month), at, tzinfo=tz)
        if start <= moment < end:
            yield moment
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _weekly(rule: Weekly, tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Yield one time per week, stepping 7 days from the first matching date."""
    local_start = start.astimezone(tz).date()
    day = local_start + timedelta(days=(rule.weekday - local_start.weekday()) % 7)
    while (moment := datetime.combine(day, rule.at, tzinfo=tz)) < end:
        if moment >= start:
            yield moment
        day += timedelta(days=7)


def _cron(rule: Cron, tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Yield the trigger's fire times by asking APScheduler for each next one."""
    trigger = rule.trigger(tz)
    # Bounding the trigger makes it stop at `end` instead of searching up to year 9999
    # for rare or impossible expressions such as "0 9 30 2 *".
    trigger.end_date = end.astimezone(tz)
    fire = trigger.get_next_fire_time(None, start.astimezone(tz))
    while fire is not None and fire < end:
        yield fire
        fire = trigger.get_next_fire_time(fire, fire)


def _once(rule: Once, tz: ZoneInfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Yield the single instant if it falls in the window."""
    if start <= rule.at < end:
        yield rule.at.astimezone(tz)


class HolidayPolicy(enum.Enum):
    """What to do when a nominal time falls on a non-workday."""

    NEXT_WORKDAY = "next_workday"
    PREVIOUS_WORKDAY = "previous_workday"
    SKIP = "skip"
    IGNORE = "ignore"


@dataclass(frozen=True)
class Occurrence:
    """A nominal fire time and the workday-adjusted time it actually fires.

    `reason` is the holiday_name() of the nominal day ("国庆节", "周末", ...) when the
    time was moved, None otherwise.
    """

    nominal: datetime
    actual: datetime
    reason: str | None

    @property
    def moved(self) -> bool:
        """Return True if the holiday policy moved this occurrence to another day."""
        return self.actual != self.nominal


def adjust(nominal: datetime, policy: HolidayPolicy, calendar: WorkCalendar) -> Occurrence | None:
    """Move `nominal` onto a workday at the same wall-clock time; None if SKIP drops it."""
    _require_aware(nominal, "nominal")
    day = nominal.date()
    if policy is HolidayPolicy.IGNORE or calendar.is_workday(day):
        return Occurrence(nominal=nominal, actual=nominal, reason=None)
    if policy is HolidayPolicy.SKIP:
        return None
    if policy is HolidayPolicy.NEXT_WORKDAY:
        target = calendar.next_workday(day)
    else:
        target = calendar.previous_workday(day)
    # replace() keeps tzinfo, so the wall-clock time is preserved and the UTC offset is
    # recomputed for the new date.
    actual = nominal.replace(year=target.year, month=target.month, day=target.day)
    return Occurrence(nominal=nominal, actual=actual, reason=calendar.holiday_name(day))


def _order(occurrence: Occurrence) -> tuple[datetime, datetime]:
    """Sort key: actual time, then nominal time for nominals moved onto the same slot."""
    return occurrence.actual, occurrence.nominal


def occurrences(
    rule: WhenRule,
    policy: HolidayPolicy,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Occurrence]:
    """Return every occurrence whose ACTUAL time is in [start, end), sorted by (actual, nominal).

    Nominal times are scanned over the window widened by ADJUST_MARGIN on both sides,
    because a move can cross the window edge (1 October moved to 8 October belongs to a
    window starting 5 October). Nominals moved onto the same actual time are all kept:
    each is a separate push keyed by its nominal time.
    """
    found: list[Occurrence] = []
    for nominal in nominal_times(rule, tz, start - ADJUST_MARGIN, end + ADJUST_MARGIN):
        occurrence = adjust(nominal, policy, calendar)
        if occurrence is not None and start <= occurrence.actual < end:
            found.append(occurrence)
    return sorted(found, key=_order)


def next_occurrence(
    rule: WhenRule,
    policy: HolidayPolicy,
    calendar: WorkCalendar,
    tz: ZoneInfo,
    after: datetime,
) -> Occurrence | None:
    """Return the first occurrence with actual > `after`, or None within the horizon.

    Ties on actual time return the earliest nominal; a scheduler waking at that time
    should collect all due pushes with occurrences(). A Once whose nominal time has
    passed but which a policy moved to after `after` is still returned.
    """
    _require_aware(after, "after")
    best: Occurrence | None = None
    for nominal in nominal_times(rule, tz, after - ADJUST_MARGIN, after + NEXT_OCCURRENCE_HORIZON):
        # A later nominal can move back by less than ADJUST_MARGIN, so once nominals
        # are that far past the best candidate nothing can beat it.
        if best is not None and nominal >= best.actual + ADJUST_MARGIN:
            break
        occurrence = adjust(nominal, policy, calendar)
        if occurrence is None or occurrence.actual <= after:
            continue
        if best is None or _order(occurrence) < _order(best):
            best = occurrence
    return best
