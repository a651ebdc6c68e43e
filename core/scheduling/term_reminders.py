"""换届: the secretaries and the admins are reminded 6, 3 and 1 months before a branch's
支部委员会 term ends (`term:` in schedules.yaml), once at each mark, on a workday round.

A bot started after a mark sends only the latest mark passed (a branch 2 months from its
end hears "3 个月" once, not "6 个月" too); each is claimed before it is sent
(`core/scheduling/sent_once.py`). Overdue branches are listed by /branches instead.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.branches import Branch
from core.dates.workdays import WorkCalendar
from core.organization.branches import Notice, Organization
from core.roster.member_dates import shifted
from core.scheduling.daily import due_day
from core.scheduling.secretaries import Secretaries
from core.scheduling.sent_once import claim_once

MARKS_MONTHS = (6, 3, 1)


def latest_mark(term_ends: date, today: date) -> int | None:
    """The nearest mark (months before the end) that `today` has reached; None before the
    first or once the term has ended."""
    if today >= term_ends:
        return None
    passed = [months for months in MARKS_MONTHS if shifted(term_ends, months=-months) <= today]
    return min(passed) if passed else None


def overdue(branch: Branch, today: date) -> bool:
    """Whether the branch's term has ended without a new `elected` date."""
    return branch.term_ends is not None and today >= branch.term_ends


class TermReminders:
    """Sends each branch's 换届 reminders once per mark."""

    def __init__(
        self,
        organization: Organization,
        secretaries: Secretaries,
        clock: Clock,
        timezone: ZoneInfo,
    ) -> None:
        self._organization = organization
        self._secretaries = secretaries
        self._clock = clock
        self._timezone = timezone

    async def run(self, calendar: WorkCalendar) -> list[Notice]:
        """One round: on a workday from `greetings.at`; the admins' notices."""
        config = self._organization.config
        today = due_day(self._clock, self._timezone, calendar, config.greetings.at)
        if today is None:
            return []
        notices = []
        for branch in config.branches:
            if branch.term_ends is None:
                continue
            mark = latest_mark(branch.term_ends, today)
            if mark is None or not self._claim_marks(branch, branch.term_ends, mark, today):
                continue
            text = messages.TERM_REMINDER.format(
                branch=branch.name,
                days=(branch.term_ends - today).days,
                end=f"{branch.term_ends:%Y-%m-%d}",
            )
            binding = self._organization.store.binding_for_branch(branch.id)
            chat_id = binding.chat_id if binding else None
            await self._secretaries.tell(branch, text, chat_id=chat_id)
            notices.append(Notice(f"{text}（{branch.id}）"))
        return notices

    def _claim_marks(self, branch: Branch, ends: date, mark: int, today: date) -> bool:
        """Claim `mark` and the earlier marks it passes over; True if `mark` was new."""
        store = self._organization.store
        for earlier in (m for m in MARKS_MONTHS if m > mark):
            claim_once(store, branch.id, f"term:{ends}:{earlier}", today)
        return claim_once(store, branch.id, f"term:{ends}:{mark}", today)
