"""How long something stays open, written as people say it: 30分钟, 2小时, 1天."""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {
    "分钟": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "个小时": timedelta(hours=1),
    "小时": timedelta(hours=1),
    "天": timedelta(days=1),
}
DURATION_PATTERN = r"^\s*(\d{1,5})\s*(分钟|分|个小时|小时|天)\s*$"
_DURATION = re.compile(DURATION_PATTERN)
# Written as a duration, if not as one we read: a number with something after it (5秒,
# 1.5小时, 2周) or a unit at the end (两小时).
_MEANT_AS_DURATION = re.compile(r"^\s*(\d+(\.\d+)?\s*[^\d\s_-]+|.*(分钟|小时|天))\s*$")


def parse_duration(text: str) -> timedelta | None:
    """The duration a text names (`30分钟` is 30 minutes), or None if it names none."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    return int(match[1]) * UNITS[match[2]]


def meant_as_duration(text: str) -> bool:
    """Whether a word looks written as a duration, even one `parse_duration` cannot read."""
    return _MEANT_AS_DURATION.fullmatch(text) is not None


def format_duration(duration: timedelta) -> str:
    """A duration in the largest whole unit: 1天, 2小时, 90分钟."""
    minutes = int(duration.total_seconds()) // 60
    if minutes and minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}天"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}小时"
    return f"{minutes}分钟"
