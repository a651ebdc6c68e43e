"""The dates on the 名单 that matter to members: 政治生日 and the end of 预备期.

- 政治生日 is the anniversary of 入党日期 (29 February: the 28th in other years). The
  group greets a member on it, or on the next workday when it falls on a day off; the
  first greeting is one year after joining.
- 预备期 lasts one year from 入党日期 (《中国共产党章程》第七条). The secretary is reminded
  one month before it ends, moved to the next workday, to put 转正 before the 支部党员大会.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.dates.workdays import WorkCalendar
from core.store.roster_records import PROBATIONARY, ListEntry


@dataclass(frozen=True)
class Anniversary:
    """A member's 政治生日 in one year."""

    entry: ListEntry
    day: date  # the anniversary itself
    years: int  # years since joining


def shifted(day: date, *, years: int = 0, months: int = 0) -> date:
    """`day` moved by whole years and months, the day of month cut to the month's length."""
    index = day.year * 12 + day.month - 1 + years * 12 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def anniversary(entry: ListEntry, year: int) -> Anniversary | None:
    """The entry's 政治生日 in `year`; None without 入党日期 or before the first one."""
    if entry.joined is None or year <= entry.joined.year:
        return None
    day = shifted(entry.joined, years=year - entry.joined.year)
    return Anniversary(entry, day, year - entry.joined.year)


def greeted_on(
    entries: Iterable[ListEntry], day: date, calendar: WorkCalendar
) -> list[Anniversary]:
    """The anniversaries the group greets on `day`: a workday, and the first one on or
    after each anniversary (so those of the weekend before a Monday are greeted on it)."""
    if not calendar.is_workday(day):
        return []
    found = []
    for entry in entries:
        for year in (day.year - 1, day.year):  # 31 December is greeted in January
            found_one = anniversary(entry, year)
            if found_one and calendar.workday_on_or_after(found_one.day) == day:
                found.append(found_one)
    return sorted(found, key=lambda a: (a.day, a.entry.name))


def in_month(entries: Iterable[ListEntry], year: int, month: int) -> list[Anniversary]:
    """The anniversaries falling in a month, by day, for the secretary's list on its 1st."""
    found = [a for e in entries if (a := anniversary(e, year)) and a.day.month == month]
    return sorted(found, key=lambda a: (a.day, a.entry.name))


def probation_end(entry: ListEntry) -> date | None:
    """When a 预备党员's year of probation ends (None for anyone else, or without a date)."""
    if entry.category != PROBATIONARY or entry.joined is None:
        return None
    return shifted(entry.joined, years=1)


def probation_reminder_day(entry: ListEntry, calendar: WorkCalendar) -> date | None:
    """The workday the secretary hears that the probation ends in a month."""
    end = probation_end(entry)
    if end is None:
        return None
    return calendar.workday_on_or_after(shifted(end, months=-1))
