"""A branch's 台账 for a month, a quarter or a year: what /export and `python bot.py
export` write, as data (core/reports/workbook.py lays it out).

A period's ledger is its months' reports side by side (each month counts as
core/reports/month_report.py says), its recorded meetings against the cadence, and each
member's months added up. Pure: the store is read in core/reports/service.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from core import messages
from core.dates.periods import Period
from core.meetings.cadence import KindTally
from core.reports.month_report import BranchMonthReport, MeetingLine, MemberMonth


@dataclass(frozen=True)
class MemberPeriod:
    """One member over the period's months."""

    key: str  # the member key (core/roster/members.py)
    name: str
    user_id: int | None
    category: str  # the 名单 entry's 类别, "" if not listed
    on_roster: bool
    reported: bool
    months: int  # months they were counted in (on leave without taking part: not counted)
    took_part: int  # months they took part in
    tasks_assigned: int
    tasks_done: int
    tasks_on_time: int
    answered: int
    correct: int
    points: int
    leave: tuple[str, ...]  # "病假（2026-10-01至2026-10-31）", once per distinct leave

    @property
    def rate(self) -> float:
        """Share of answers that were right, 0.0–1.0 (0.0 with no answers)."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class CorrectionLine:
    """One correction of a meeting's record, with names (the 更正记录 sheet)."""

    meeting_day: date
    kind: str
    field: str
    old: str
    new: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Ledger:
    """Everything the export of one branch's period holds."""

    branch_name: str
    period: Period
    months: tuple[BranchMonthReport, ...]
    members: tuple[MemberPeriod, ...]
    meetings: tuple[MeetingLine, ...] = ()
    kinds: tuple[KindTally, ...] = ()
    corrections: tuple[CorrectionLine, ...] = ()
    questions: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (bank, id) → text
    maker: str = ""  # 制表人: who asked for the export
    made_on: date | None = None

    @property
    def title(self) -> str:
        """'办公室党支部2026年第四季度党建工作台账'."""
        return messages.LEDGER_TITLE.format(branch=self.branch_name, period=self.period.label)

    @property
    def single_month(self) -> bool:
        """Whether the period is one month (then 参与 is 是 or 否, not a count of months)."""
        return len(self.months) == 1

    def took_part(self, member: MemberPeriod) -> str:
        """参与: 是 / 否 / 请假 for a month; '2/3 个月' for a longer period."""
        if self.single_month:
            if member.took_part:
                return messages.EXPORT_YES
            return messages.EXPORT_EXCUSED if member.leave else messages.EXPORT_NO
        return messages.LEDGER_MONTHS_TOOK_PART.format(took=member.took_part, months=member.months)


def build_ledger(
    branch_name: str,
    period: Period,
    months: Sequence[BranchMonthReport],
    meetings: Sequence[MeetingLine] = (),
    kinds: Sequence[KindTally] = (),
    corrections: Sequence[CorrectionLine] = (),
    questions: Mapping[tuple[str, str], str] | None = None,
    maker: str = "",
    made_on: date | None = None,
) -> Ledger:
    """The ledger of `months` (the period's month reports, in order)."""
    return Ledger(
        branch_name=branch_name,
        period=period,
        months=tuple(months),
        members=member_periods(months),
        meetings=tuple(meetings),
        kinds=tuple(kinds),
        corrections=tuple(corrections),
        questions=dict(questions or {}),
        maker=maker,
        made_on=made_on,
    )


def member_periods(months: Sequence[BranchMonthReport]) -> tuple[MemberPeriod, ...]:
    """Each member's months added up, in the last month's order, then anyone who appears
    only in earlier months (they have left since)."""
    lines: dict[str, list[MemberMonth]] = {}
    for report in reversed(months):
        for member in report.members:
            lines.setdefault(member.key, []).append(member)
    return tuple(_added_up(list(reversed(found))) for found in lines.values())


def _added_up(months: list[MemberMonth]) -> MemberPeriod:
    """One member's lines, oldest first; what they are now comes from the latest."""
    latest = months[-1]
    leave = tuple(
        dict.fromkeys(
            messages.EXPORT_LEAVE.format(
                reason=m.leave.reason, first=m.leave.first_day, last=m.leave.last_day
            )
            for m in months
            if m.leave is not None
        )
    )
    return MemberPeriod(
        key=latest.key,
        name=latest.name,
        user_id=latest.user_id,
        category=latest.entry.category if latest.entry else "",
        on_roster=latest.on_roster,
        reported=latest.reported,
        months=sum(1 for m in months if not m.excused),
        took_part=sum(1 for m in months if m.participated),
        tasks_assigned=sum(m.tasks_assigned for m in months),
        tasks_done=sum(m.tasks_done for m in months),
        tasks_on_time=sum(m.tasks_on_time for m in months),
        answered=sum(m.answered for m in months),
        correct=sum(m.correct for m in months),
        points=sum(m.points for m in months),
        leave=leave,
    )
