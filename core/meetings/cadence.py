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
from core.dates.periods import Period, month_period, quarter_period
from core.store.meeting_records import (
    CLOSED,
    MEETING_KINDS,
    MONTHLY,
    NOT_REQUIRED,
    QUARTERLY,
    Meeting,
)

REMIND_DAYS = 10


@dataclass(frozen=True)
class Owed:
    """A kind a period still owes."""

    kind: str
    period: Period
    held: int


def period_of(cadence: str, day: date) -> Period | None:
    """The period a kind with this cadence is counted in (None: not required)."""
    if cadence == MONTHLY:
        return month_period(day)
    if cadence == QUARTERLY:
        return quarter_period(day)
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
    return [
        Owed(kind, period, count)
        for kind, _, period, count in _held_in_periods(branch, cadence, meetings, day)
        if count < 1
    ]


def _held_in_periods(
    branch: Branch, cadence: Mapping[str, str], meetings: Iterable[Meeting], day: date
) -> list[tuple[str, str, Period, int]]:
    """Each required kind, its cadence, its period containing `day`, and how many of its
    meetings the branch closed in that period."""
    held = _closed(branch, meetings)
    found = []
    for kind, rule in required(branch, cadence).items():
        period = period_of(rule, day)
        assert period is not None
        count = sum(1 for m in held if m.kind == kind and period.holds(m.day))
        found.append((kind, rule, period, count))
    return found


def _closed(branch: Branch, meetings: Iterable[Meeting]) -> list[Meeting]:
    """The branch's closed meetings (the records) among `meetings`."""
    return [m for m in meetings if m.branch_id == branch.id and m.status == CLOSED]


def in_last_days(period: Period, day: date) -> bool:
    """Whether `day` is in the period's last `REMIND_DAYS` days."""
    return period.last - timedelta(days=REMIND_DAYS - 1) <= day <= period.last


def held_line(
    branch: Branch, cadence: Mapping[str, str], meetings: Iterable[Meeting], day: date
) -> str:
    """/report's lines: each required kind held so far in its period (this month's, this
    quarter's), marked ✅ once it is held."""
    scopes: dict[str, list[str]] = {MONTHLY: [], QUARTERLY: []}
    for kind, rule, _, count in _held_in_periods(branch, cadence, meetings, day):
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
    """(requirements met, requirements) of a whole quarter: a monthly kind counts once a
    month (the quarter's tally as on its last day, when every month of it has begun)."""
    rows = tally(branch, cadence, meetings, quarter, quarter.last)
    return sum(r.met for r in rows), sum(r.started for r in rows)


@dataclass(frozen=True)
class KindTally:
    """One kind of meeting over a ledger's period, against its cadence."""

    kind: str
    rule: str  # 每月 | 每季度 | 不要求
    days: tuple[date, ...]  # the closed meetings' dates, in order
    started: int  # the rule's months or quarters inside the period that have begun
    met: int  # of those, the ones with a meeting
    missed: tuple[Period, ...]  # ended ones without a meeting
    pending: bool  # the current one has none yet


def tally(
    branch: Branch,
    cadence: Mapping[str, str],
    meetings: Iterable[Meeting],
    period: Period,
    today: date,
) -> list[KindTally]:
    """Every kind's meetings in `period`, and the months or quarters inside it that lacked
    one (a quarterly kind has none inside a single month, so nothing is owed there)."""
    held = [m for m in _closed(branch, meetings) if period.holds(m.day)]
    rules = required(branch, cadence)
    found = []
    parts_of_rule = {MONTHLY: period.months(), QUARTERLY: period.quarters()}
    for kind in MEETING_KINDS:
        days = tuple(sorted(m.day for m in held if m.kind == kind))
        rule = rules.get(kind, NOT_REQUIRED)
        parts = parts_of_rule.get(rule, [])
        begun = [p for p in parts if p.first <= today]
        done = [p for p in begun if any(p.holds(day) for day in days)]
        missed = tuple(p for p in begun if p not in done and p.last < today)
        pending = any(p not in done and p.holds(today) for p in begun)
        found.append(KindTally(kind, rule, days, len(begun), len(done), missed, pending))
    return found
