"""What `/leave 张三 2026-11 病假` asks for: a member, the days, a reason (or 取消)."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from core import messages
from core.errors import UserError

MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)
DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
CANCEL = "取消"
MAX_REASON_CHARS = 20
MAX_LEAVE_DAYS = 366


@dataclass(frozen=True)
class LeaveRequest:
    """A member's leave from `first_day` to `last_day` (both included); `cancel` removes
    the leave recorded for those days instead."""

    name: str
    first_day: date
    last_day: date
    reason: str

    @property
    def cancel(self) -> bool:
        """Whether this asks to remove leave rather than record it."""
        return self.reason == CANCEL


def parse_leave(args: Sequence[str]) -> LeaveRequest:
    """`姓名 月份|日期 [到日期] 事由`: `张三 2026-11 病假`, `张三 2026-11-03 2026-11-20 出差`."""
    words = list(args)
    if len(words) < 3:
        raise UserError(messages.LEAVE_USAGE)
    name, words = words[0], words[1:]
    first, last = _days(words[0])
    words = words[1:]
    if words and DAY.fullmatch(words[0]):
        if len(words) == 1:
            raise UserError(messages.LEAVE_USAGE)  # an end day and no reason, not a reason
        last = _days(words[0])[1]
        words = words[1:]
    reason = "".join(words).strip()
    if not reason:
        raise UserError(messages.LEAVE_USAGE)
    if len(reason) > MAX_REASON_CHARS:
        raise UserError(messages.LEAVE_REASON_TOO_LONG.format(limit=MAX_REASON_CHARS))
    if last < first:
        raise UserError(messages.LEAVE_BACKWARDS.format(first=first, last=last))
    if (last - first).days >= MAX_LEAVE_DAYS:
        raise UserError(messages.LEAVE_TOO_LONG.format(days=MAX_LEAVE_DAYS))
    return LeaveRequest(name, first, last, reason)


def _days(word: str) -> tuple[date, date]:
    """A month ('2026-11': its first and last day) or a day ('2026-11-03': that day)."""
    try:
        if match := DAY.fullmatch(word):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return day, day
        if match := MONTH.fullmatch(word):
            year, month = int(match[1]), int(match[2])
            return date(year, month, 1), date(year, month, monthrange(year, month)[1])
    except ValueError:
        pass
    raise UserError(messages.LEAVE_BAD_DAYS.format(word=word))
