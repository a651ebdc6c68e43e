"""The weekly reminder that next year's holidays are not known yet.

chinesecalendar only knows the years the State Council has published; past them the
calendar estimates holidays by rule and knows no 调休. From 1 November, while next year
has neither official data nor declared `calendar:` days, the admins are told once a week
what to add. The last warning is kept in the store, so a restart does not repeat it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core import messages
from core.dates.workdays import WorkCalendar
from core.organization.branches import Notice
from core.store.database import Store

WARNING_MONTH = 11
"""From the first day of this month on, next year's holidays are expected to be known."""

WARNING_INTERVAL = timedelta(days=7)


def missing_holidays_notices(now: datetime, calendar: WorkCalendar, store: Store) -> list[Notice]:
    """The reminder, once a week, while this year has no holiday data, or next year has
    none from November on (a warning nobody acted on goes on into the year it is about)."""
    year = missing_year(now, calendar)
    if year is None:
        return []
    last = store.last_holiday_warning()
    if last is not None and now - last < WARNING_INTERVAL:
        return []
    # Recorded before it is sent: a reminder is better lost once than repeated.
    store.set_last_holiday_warning(now)
    return [Notice(messages.HOLIDAYS_MISSING.format(year=year))]


def missing_year(now: datetime, calendar: WorkCalendar) -> int | None:
    """The year whose holidays the admins should declare now, if any."""
    if not calendar.has_data_for(now.year):
        return now.year
    if now.month >= WARNING_MONTH and not calendar.has_data_for(now.year + 1):
        return now.year + 1
    return None
