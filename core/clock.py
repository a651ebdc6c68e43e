"""Time as a parameter: production passes the system clock, tests pass their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock(timezone: ZoneInfo) -> Clock:
    """A clock returning the current aware time in `timezone`."""
    return lambda: datetime.now(timezone)
