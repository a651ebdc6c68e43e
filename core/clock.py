"""Time as a parameter: production passes the system clock, tests pass their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]


def system_clock(timezone: ZoneInfo) -> Clock:
    """A clock returning the current aware time in `timezone`."""
    return lambda: datetime.now(timezone)


def file_clock(path: Path, timezone: ZoneInfo) -> Clock:
    """A clock that reads "now" (ISO 8601) from a file: end-to-end tests and rehearsals.

    Lets a test move the real bot process through a month of schedules in seconds.
    """

    def now() -> datetime:
        return datetime.fromisoformat(path.read_text().strip()).astimezone(timezone)

    return now


def configured_clock(fake_file: Path | None, timezone: ZoneInfo) -> Clock:
    """The file clock when one is configured (BOT_FAKE_CLOCK_FILE), else the system's."""
    return file_clock(fake_file, timezone) if fake_file else system_clock(timezone)
