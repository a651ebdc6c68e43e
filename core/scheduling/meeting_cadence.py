"""Each workday, once: what the branches' meeting periods still owe (`core/meetings/cadence.py`).

- In the last days of a month or quarter, the secretaries hear what is still owed (季度提示),
  once per period.
- After a period the branch was bound for from its start, what it missed goes to the
  secretaries and to the admins (督查), once per period.

Both start with the branch's first recorded meeting (this quarter or the last): a branch
that has never used /meeting is not told each month that it missed everything (its 0/N in
/branches shows the admins), and an agency turning the ledger on is not flooded with
periods from before it existed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.branches import Branch
from core.dates.periods import quarter_period
from core.dates.workdays import WorkCalendar
from core.meetings.cadence import Owed, in_last_days, owed
from core.meetings.service import Meetings
from core.organization.branches import Notice, Organization
from core.scheduling.daily import due_day
from core.scheduling.secretaries import Secretaries
from core.scheduling.sent_once import claim_once
from core.store.meeting_records import Meeting
from core.store.records import Binding


class CadenceReminders:
    """季度提示 and 督查 of the meeting cadence."""

    def __init__(
        self,
        organization: Organization,
        secretaries: Secretaries,
        meetings: Meetings,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._organization = organization
        self._secretaries = secretaries
        self._meetings_book = meetings
        self._clock = clock
        self._timezone = timezone
        self._checked: date | None = None  # the day this process last looked (claims decide)

    async def run(self, calendar: WorkCalendar) -> list[Notice]:
        """One round: on a workday from `greetings.at`, once a day; the admins' 督查 notices."""
        config = self._organization.config
        today = due_day(self._clock, self._timezone, calendar, config.greetings.at)
        if today is None or self._checked == today:
            return []
        self._checked = today
        meetings = self._meetings(today)
        notices = []
        for branch in config.branches:
            binding = self._organization.store.binding_for_branch(branch.id)
            recorded = [m.day for m in meetings if m.branch_id == branch.id]
            if binding is None or not recorded:
                continue
            await self._remind_due(branch, binding, meetings, today)
            notice = await self._report_missed(branch, binding, meetings, today, min(recorded))
            if notice is not None:
                notices.append(notice)
        return notices

    async def _remind_due(
        self, branch: Branch, binding: Binding, meetings: list[Meeting], today: date
    ) -> None:
        due = [o for o in self._owed(branch, meetings, today) if in_last_days(o.period, today)]
        lines = []
        for period, kinds in _by_period(due).items():
            if claim_once(self._organization.store, branch.id, f"due:{period}", today):
                first = kinds[0].period
                days = (first.last - today).days + 1
                lines.append(
                    messages.CADENCE_DUE.format(
                        branch=branch.name,
                        period=first.label,
                        days=days,
                        kinds="、".join(o.kind for o in kinds),
                    )
                )
        if lines:
            await self._secretaries.tell(branch, "\n".join(lines), chat_id=binding.chat_id)

    async def _report_missed(
        self,
        branch: Branch,
        binding: Binding,
        meetings: list[Meeting],
        today: date,
        first_recorded: date,
    ) -> Notice | None:
        # The day before this month began is in the last month and, at a quarter's start,
        # in the last quarter: what owes there was missed.
        last_day = today.replace(day=1) - timedelta(days=1)
        bound_on = binding.bound_at.astimezone(self._timezone).date()
        missed = [
            o
            for o in self._owed(branch, meetings, last_day)
            # over, bound all along, and from the period of the first meeting recorded
            if o.period.last < today
            and bound_on <= o.period.first
            and first_recorded <= o.period.last
        ]
        lines, notices = [], []
        for period, kinds in _by_period(missed).items():
            if not claim_once(self._organization.store, branch.id, f"missed:{period}", today):
                continue
            names, label = "、".join(o.kind for o in kinds), kinds[0].period.label
            missed_line = messages.CADENCE_MISSED.format(
                branch=branch.name, period=label, kinds=names
            )
            lines.append(missed_line)
            notices.append(
                messages.CADENCE_MISSED_ADMIN.format(
                    branch=branch.name, branch_id=branch.id, period=label, kinds=names
                )
            )
        if not lines:
            return None
        await self._secretaries.tell(branch, "\n".join(lines), chat_id=binding.chat_id)
        return Notice("\n".join(notices))

    def _owed(self, branch: Branch, meetings: list[Meeting], day: date) -> list[Owed]:
        return owed(branch, self._organization.config.cadence, meetings, day)

    def _meetings(self, today: date) -> list[Meeting]:
        """The meetings of this quarter and the last (six month files)."""
        first = quarter_period(quarter_period(today).first - timedelta(days=1)).first
        return self._meetings_book.dated_between(first, today)


def _by_period(owed_kinds: list[Owed]) -> dict[str, list[Owed]]:
    grouped: dict[str, list[Owed]] = defaultdict(list)
    for item in owed_kinds:
        grouped[item.period.key].append(item)
    return dict(grouped)
