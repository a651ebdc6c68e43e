"""Quiet hours (夜间免打扰): the part of each night in which the bot sends nobody anything.

What falls due inside them waits for their end, so a member's phone stays silent at night
and the morning brings what the night held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end` each day, local time; an `end` before `start` runs past midnight,
    and equal ones mean no quiet hours at all."""

    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` (aware, in the agency's time zone) is inside quiet hours."""
        now = moment.time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def over_at(self, moment: datetime) -> datetime:
        """When something due at `moment` may be sent: the end of the quiet hours it falls
        in, else `moment` itself."""
        if not self.contains(moment):
            return moment
        end = moment.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > moment else end + timedelta(days=1)

    def describe(self) -> str:
        """As people read it: 21:00～08:00."""
        return f"{self.start:%H:%M}～{self.end:%H:%M}"


NIGHT = QuietHours(time(21, 0), time(8, 0))
