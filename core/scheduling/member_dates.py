"""Each round, what the 名单's dates call for (`core/roster/member_dates.py`), sent once:

- on a workday, from `greetings.at`: the group's 政治生日 greeting of that day's members
  (one message for all of them);
- from the first workday of a month: the month's 政治生日 list to the secretaries;
- from the workday a month before a 预备党员's probation ends, until it ends: the
  secretary's reminder to prepare 转正.

Each is claimed (`core/scheduling/sent_once.py`) before it is sent, like a reminder:
after a crash it is missed rather than sent twice. A greeting is for its day
only; the list and the reminder are sent on a later day if the bot was down.
"""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.branches import Branch
from core.dates.workdays import WorkCalendar
from core.delivery import DeliveryError, Messenger
from core.organization.branches import Organization
from core.roster.member_dates import (
    Anniversary,
    greeted_on,
    in_month,
    probation_end,
    probation_reminder_day,
)
from core.scheduling.daily import due_day
from core.scheduling.secretaries import Secretaries
from core.scheduling.sent_once import claim_once
from core.store.roster_records import BranchRoster, ListEntry


@dataclass(frozen=True)
class _BranchDay:
    """One bound branch with a 名单, on one workday of a round."""

    branch: Branch
    chat_id: int
    roster: BranchRoster
    today: date
    calendar: WorkCalendar


class MemberDates:
    """Sends the greetings and reminders the 名单's dates call for, once each."""

    def __init__(
        self,
        organization: Organization,
        messenger: Messenger,
        secretaries: Secretaries,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._organization = organization
        self._messenger = messenger
        self._secretaries = secretaries
        self._clock = clock
        self._timezone = timezone

    async def run(self, calendar: WorkCalendar) -> None:
        """One round: every bound branch with a 名单."""
        greetings = self._organization.config.greetings
        today = due_day(self._clock, self._timezone, calendar, greetings.at)
        if today is None:
            return
        for branch in self._organization.config.branches:
            binding = self._organization.store.binding_for_branch(branch.id)
            roster = self._organization.store.branch_roster(branch.id)
            if binding is None or not roster.entries:
                continue
            day = _BranchDay(branch, binding.chat_id, roster, today, calendar)
            if greetings.political_birthday:
                await self._greet(day)
                await self._month_list(day)
            if greetings.probation:
                await self._probation(day)

    async def _greet(self, day: _BranchDay) -> None:
        due = greeted_on(day.roster.entries, day.today, day.calendar)
        if not due or not self._claim(day, f"birthday:{day.today}"):
            return
        names = "、".join(_mention(a.entry) for a in due)
        branch = html.escape(day.branch.name)
        text = messages.BIRTHDAY_GREETING.format(names=names, branch=branch)
        await self._messenger.wait_turn(day.chat_id)
        # Missed rather than sent twice, if it fails: the month's list has it.
        with contextlib.suppress(DeliveryError):
            await self._messenger.send(day.chat_id, text, html=True)

    async def _month_list(self, day: _BranchDay) -> None:
        today = day.today
        if today < day.calendar.workday_on_or_after(today.replace(day=1)):
            return
        month = in_month(day.roster.entries, today.year, today.month)
        if not month or not self._claim(day, f"birthdays:{today:%Y-%m}"):
            return
        lines = [messages.BIRTHDAY_LIST_LINE.format(**_line(a)) for a in month]
        text = messages.BIRTHDAY_LIST.format(
            branch=day.branch.name, month=today.month, lines="\n".join(lines)
        )
        await self._secretaries.tell(day.branch, text, chat_id=day.chat_id)

    async def _probation(self, day: _BranchDay) -> None:
        for entry in day.roster.entries:
            end = probation_end(entry)
            remind = probation_reminder_day(entry, day.calendar)
            if end is None or remind is None or not remind <= day.today < end:
                continue
            if not self._claim(day, f"probation:{entry.id}:{end}"):
                continue
            text = messages.PROBATION_REMINDER.format(
                branch=day.branch.name, name=entry.name, joined=entry.joined, end=end
            )
            await self._secretaries.tell(day.branch, text, chat_id=day.chat_id)

    def _claim(self, day: _BranchDay, key: str) -> bool:
        return claim_once(self._organization.store, day.branch.id, key, day.today)


def _mention(entry: ListEntry) -> str:
    name = html.escape(entry.name)
    if entry.user_id is None:
        return name
    return f'<a href="tg://user?id={entry.user_id}">{name}</a>'


def _line(anniversary: Anniversary) -> dict[str, object]:
    return {
        "name": anniversary.entry.name,
        "month": anniversary.day.month,
        "day": anniversary.day.day,
        "years": anniversary.years,
    }
