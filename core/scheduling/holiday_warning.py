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
    """The reminder, if next year has no holiday data and a week has passed since the last."""
    year = now.year + 1
    if now.month < WARNING_MONTH or calendar.has_data_for(year):
        return []
    last = store.last_holiday_warning()
    if last is not None and now - last < WARNING_INTERVAL:
        return []
    # Recorded before it is sent: a reminder is better lost once than repeated.
    store.set_last_holiday_warning(now)
    return [Notice(messages.HOLIDAYS_MISSING.format(year=year))]
