"""Which pushes happen when: the agency's schedules expanded onto its branches.

Pure functions only: nothing here reads the clock or sends anything. The scheduler asks
`plan` for a window, `/preview`-style commands print it with `format_preview`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.config.agency import AgencyConfig
from core.config.schedules import QuizAction
from core.dates.recurrence import next_occurrence, occurrences
from core.dates.workdays import WorkCalendar

TIME_FORMAT = "%Y-%m-%d %H:%M"
NOTHING_PLANNED = "  （无）"


@dataclass(frozen=True, order=True)
class PlannedPush:
    """One schedule pushed to one branch at one time.

    Sorting is by actual time first, then branch and schedule.
    """

    actual: datetime
    branch_id: str
    schedule_id: str
    nominal: datetime
    reason: str | None

    @property
    def key(self) -> str:
        """The stable identity of this push, by its NOMINAL time (a move does not change it)."""
        return f"{self.schedule_id}/{self.branch_id}/{self.nominal:%Y-%m-%dT%H:%M}"

    @property
    def moved(self) -> bool:
        """True if the holiday policy moved this push off its nominal time."""
        return self.actual != self.nominal


def plan(
    config: AgencyConfig, calendar: WorkCalendar, tz: ZoneInfo, start: datetime, end: datetime
) -> list[PlannedPush]:
    """Every push whose actual time is in [start, end), sorted; times are aware in `tz`."""
    pushes: list[PlannedPush] = []
    for schedule in config.schedules:
        targets = [b for b in config.branches if schedule.target.includes(b)]
        if isinstance(schedule.action, QuizAction):
            targets = [b for b in targets if not b.quiz_exempt]  # 免答题
        if not targets:
            continue
        found = occurrences(schedule.when, schedule.holidays, calendar, tz, start, end)
        for occurrence in found:
            actual, nominal = occurrence.actual.astimezone(tz), occurrence.nominal.astimezone(tz)
            pushes.extend(
                PlannedPush(actual, branch.id, schedule.id, nominal, occurrence.reason)
                for branch in targets
            )
    return sorted(pushes)


def next_push_time(
    config: AgencyConfig, calendar: WorkCalendar, tz: ZoneInfo, after: datetime
) -> datetime | None:
    """The earliest actual push time strictly after `after`, or None if nothing is ahead."""
    best: datetime | None = None
    for schedule in config.schedules:
        if not any(schedule.target.includes(b) for b in config.branches):
            continue
        found = next_occurrence(schedule.when, schedule.holidays, calendar, tz, after)
        if found is not None and (best is None or found.actual < best):
            best = found.actual
    return None if best is None else best.astimezone(tz)


def format_preview(config: AgencyConfig, pushes: Sequence[PlannedPush]) -> str:
    """The pushes grouped per declared branch, one line each, in the order given.

    办公室党支部（office）
      2026-10-01 09:00 → 2026-10-08 09:00 (国庆节)  theme-day-notice
      2026-10-10 09:00  party-group-meeting
    """
    blocks: list[str] = []
    for branch in config.branches:
        lines = [f"{branch.name}（{branch.id}）"]
        lines.extend(_preview_line(p) for p in pushes if p.branch_id == branch.id)
        if len(lines) == 1:
            lines.append(NOTHING_PLANNED)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _preview_line(push: PlannedPush) -> str:
    actual = f"{push.actual:{TIME_FORMAT}}"
    if not push.moved:
        return f"  {actual}  {push.schedule_id}"
    reason = f" ({push.reason})" if push.reason else ""
    return f"  {push.nominal:{TIME_FORMAT}} → {actual}{reason}  {push.schedule_id}"
