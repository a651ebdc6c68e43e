"""When the once-a-day jobs of the rounds may run: greetings, cadence, 换届."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from core.clock import Clock
from core.dates.workdays import WorkCalendar


def due_day(clock: Clock, timezone: ZoneInfo, calendar: WorkCalendar, at: time) -> date | None:
    """Today, if it is a workday and its `at` (`greetings.at`) has come; else None."""
    now = clock().astimezone(timezone)
    if not calendar.is_workday(now.date()) or now.time() < at:
        return None
    return now.date()
