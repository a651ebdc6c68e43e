"""How often each kind of meeting must be held, and what a period still owes.

A kind's period is a calendar month (每月) or quarter (每季度) in the bot's time zone. A
period owes a kind while fewer than one closed meeting of it has a date in the period. The
secretary is told what is still owed in the last `REMIND_DAYS` days of a period (季度提示),
and after the period what was missed goes to the secretary and the admins (督查).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from core import messages
from core.config.branches import Branch
from core.store.meeting_records import CLOSED, MEETING_KINDS, MONTHLY, QUARTERLY, Meeting

REMIND_DAYS = 10


@dataclass(frozen=True)
class Period:
    """A month or a quarter."""

    first: date
    last: date
    key: str  # "2026-11" or "2026Q4"
    label: str  # "2026年11月" or "2026年第四季度"

    def holds(self, day: date) -> bool:
        """Whether `day` is in the period."""
        return self.first <= day <= self.last


@dataclass(frozen=True)
class Owed:
    """A kind a period still owes."""

    kind: str
    period: Period
    held: int


QUARTER_NAMES = "一二三四"


def month_of(day: date) -> Period:
    """The month `day` is in."""
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    label = messages.MONTH_LABEL.format(year=day.year, month=day.month)
    return Period(first, last, f"{day:%Y-%m}", label)


def quarter_of(day: date) -> Period:
    """The quarter `day` is in."""
    index = (day.month - 1) // 3
    first = date(day.year, index * 3 + 1, 1)
    last = month_of(date(day.year, index * 3 + 3, 1)).last
    label = messages.QUARTER_LABEL.format(year=day.year, quarter=QUARTER_NAMES[index])
    return Period(first, last, f"{day.year}Q{index + 1}", label)


def period_of(cadence: str, day: date) -> Period | None:
    """The period a kind with this cadence is counted in (None: not required)."""
    if cadence == MONTHLY:
        return month_of(day)
    if cadence == QUARTERLY:
        return quarter_of(day)
    return None


def required(branch: Branch, cadence: Mapping[str, str]) -> dict[str, str]:
    """The kinds the branch must hold, with their cadence, in the kinds' order."""
    return {
        kind: cadence[kind]
        for kind in MEETING_KINDS
        if cadence.get(kind) in (MONTHLY, QUARTERLY) and kind not in branch.meetings_not_required
    }


def owed(
    branch: Branch, cadence: Mapping[str, str], meetings: Iterable[Meeting], day: date
) -> list[Owed]:
    """What the periods containing `day` still owe (meetings of other branches ignored)."""
    held = [m for m in meetings if m.branch_id == branch.id and m.status == CLOSED]
    found = []
    for kind, rule in required(branch, cadence).items():
        period = period_of(rule, day)
        assert period is not None
        count = sum(1 for m in held if m.kind == kind and period.holds(m.day))
        if count < 1:
            found.append(Owed(kind, period, count))
    return found


def in_last_days(period: Period, day: date) -> bool:
    """Whether `day` is in the period's last `REMIND_DAYS` days."""
    return period.last - timedelta(days=REMIND_DAYS - 1) <= day <= period.last


def held_line(
    branch: Branch, cadence: Mapping[str, str], meetings: Iterable[Meeting], day: date
) -> str:
    """/report's lines: each required kind held so far in its period (this month's, this
    quarter's), marked ✅ once it is held."""
    held = [m for m in meetings if m.branch_id == branch.id and m.status == CLOSED]
    scopes: dict[str, list[str]] = {MONTHLY: [], QUARTERLY: []}
    for kind, rule in required(branch, cadence).items():
        period = period_of(rule, day)
        assert period is not None
        count = sum(1 for m in held if m.kind == kind and period.holds(m.day))
        mark = "✅" if count >= 1 else "⬜"
        scopes[rule].append(messages.CADENCE_PART.format(mark=mark, kind=kind, held=count))
    names = {MONTHLY: messages.CADENCE_THIS_MONTH, QUARTERLY: messages.CADENCE_THIS_QUARTER}
    return "\n".join(
        messages.CADENCE_LINE.format(scope=names[rule], parts=" · ".join(parts))
        for rule, parts in scopes.items()
        if parts
    )


def compliance(
    branch: Branch, cadence: Mapping[str, str], meetings: Iterable[Meeting], quarter: Period
) -> tuple[int, int]:
    """(requirements met, requirements) of a quarter: a monthly kind counts once a month."""
    held = [m for m in meetings if m.branch_id == branch.id and m.status == CLOSED]
    months = [month_of(quarter.first + timedelta(days=31 * i)) for i in range(3)]
    met = needed = 0
    for kind, rule in required(branch, cadence).items():
        periods = months if rule == MONTHLY else [quarter]
        for period in periods:
            needed += 1
            met += any(m.kind == kind and period.holds(m.day) for m in held)
    return met, needed
