"""What a secretary asks a report for: the arguments of /report and /export, and the
buttons under a report (上月 / 本月, 提醒未完成, 导出) or a branch picker, as data that
survives a restart (a button carries all it means).

Months are read as people write them (`core.dates.periods.read_month`). In the first
`LAST_MONTH_DAYS` days of a month /report without a month shows the month just ended:
that is the one a secretary reports on then."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from core import messages
from core.config.branches import Branch
from core.dates.periods import (
    Period,
    last_month,
    looks_like_period,
    month_period,
    parse_period,
    read_month,
    read_period,
)
from core.delivery import Button
from core.errors import UserError
from core.reports.ledger import Ledger
from core.reports.month_report import BranchMonthReport

REPORT_PREFIX = "rep:"
SHOW, EXPORT, NUDGE = "r", "x", "n"
# rep:r:<branch>:<YYYY-MM> shows a report, rep:x:<branch>:<YYYY-MM|YYYYQn|YYYY> exports,
# rep:n:<branch> nudges; a branch id has at most 32 characters, so the data stays within
# Telegram's 64 bytes.
REPORT_DATA = re.compile(
    r"rep:(?P<kind>[rxn]):(?P<branch>[a-z0-9][a-z0-9_-]{0,31})"
    r"(?::(?P<period>\d{4}(?:-\d{2}|Q[1-4])?))?",
    re.ASCII,
)
MONTH = re.compile(r"\d{4}-\d{2}", re.ASCII)
LAST_MONTH_DAYS = 5


@dataclass(frozen=True)
class ReportRequest:
    """What /report or /export asked for: a branch (None: the caller's) and a period (a
    month for /report; a month, quarter or year for /export), by its key."""

    branch_id: str | None
    period: str


@dataclass(frozen=True)
class ReportPress:
    """A button under a report or a branch picker."""

    kind: str  # SHOW | EXPORT | NUDGE
    branch_id: str
    period: str  # a month to show, a period to export; "" for NUDGE (always this month)


def parse_month(word: str, today: date) -> str:
    """The 'YYYY-MM' of a month as people write it ("10月", "上月", "2026-10"), not after
    `today`'s; a `UserError` for anything else."""
    return read_month(word, today).key


def name_and_month(args: Sequence[str], usage: str, today: date) -> tuple[str | None, str | None]:
    """`[name] [month]` in either order; a `UserError` with `usage` for anything else."""
    return _name_and_word(args, usage, looks_like_period, lambda word: parse_month(word, today))


def name_and_period(
    args: Sequence[str], usage: str, today: date
) -> tuple[str | None, Period | None]:
    """`[name] [month | quarter]` in either order (上月, 本季度, 2026Q4…); a `UserError`
    with `usage` otherwise."""
    name, key = _name_and_word(args, usage, looks_like_period, lambda w: read_period(w, today).key)
    if key is None:
        return name, None
    period = parse_period(key)
    if period.key.isdigit():  # a whole year: too long a span to teach from
        raise UserError(usage)
    return name, period


def _name_and_word(
    args: Sequence[str], usage: str, is_word: Callable[[str], bool], parse: Callable[[str], str]
) -> tuple[str | None, str | None]:
    """A name and a word `is_word` recognises (parsed), in either order, each at most once."""
    name: str | None = None
    found: str | None = None
    for arg in args:
        if is_word(arg) and found is None:
            found = parse(arg)
        elif not is_word(arg) and name is None:
            name = arg
        else:
            raise UserError(usage)
    return name, found


def default_month(today: date) -> str:
    """The month /report shows when none is named: last month in the first days of a
    month, this month after them."""
    month = last_month(today) if today.day <= LAST_MONTH_DAYS else month_period(today)
    return month.key


def parse_report_args(args: Sequence[str], command: str, today: date) -> ReportRequest:
    """/report's `[branch-id] [month]`, in either order."""
    usage = messages.REPORT_USAGE.format(command=command, month=f"{today:%Y-%m}")
    branch_id, month = name_and_month(args, usage, today)
    return ReportRequest(branch_id, month or default_month(today))


def parse_export_args(args: Sequence[str], today: date) -> ReportRequest:
    """/export's `[branch-id] [month | quarter | year]`, in either order."""
    this_month = f"{today:%Y-%m}"
    usage = messages.EXPORT_USAGE.format(month=this_month)
    branch_id, period = _name_and_word(
        args, usage, looks_like_period, lambda word: read_period(word, today).key
    )
    return ReportRequest(branch_id, period or this_month)


def report_data(kind: str, branch_id: str, period: str = "") -> str:
    """A button's callback data."""
    return (
        f"{REPORT_PREFIX}{kind}:{branch_id}:{period}"
        if period
        else f"{REPORT_PREFIX}{kind}:{branch_id}"
    )


def parse_report_press(data: str) -> ReportPress | None:
    """The press a button's data describes; None for anything stale or forged."""
    match = REPORT_DATA.fullmatch(data)
    if match is None or (match["kind"] == NUDGE) != (match["period"] is None):
        return None
    period = match["period"] or ""
    if match["kind"] == SHOW and not MONTH.fullmatch(period):
        return None
    try:
        key = parse_period(period).key if period else ""
    except UserError:
        return None
    return ReportPress(match["kind"], match["branch"], key)


def report_buttons(
    report: BranchMonthReport, today: date, work_due: bool
) -> tuple[tuple[Button, ...], ...]:
    """Rows under a report: 上月 / 本月 (those not shown), then 提醒未完成 (this month, when
    work is due and someone has done nothing yet) and 导出."""
    this_month, previous = month_period(today), last_month(today)
    months = tuple(
        Button(
            label.format(month=month.first.month), report_data(SHOW, report.branch_id, month.key)
        )
        for label, month in (
            (messages.REPORT_BUTTON_LAST_MONTH, previous),
            (messages.REPORT_BUTTON_THIS_MONTH, this_month),
        )
        if month.key != report.month
    )
    actions = []
    if report.month == this_month.key and work_due and report.non_participants:
        actions.append(Button(messages.REPORT_BUTTON_NUDGE, report_data(NUDGE, report.branch_id)))
    export = report_data(EXPORT, report.branch_id, report.month)
    actions.append(Button(messages.REPORT_BUTTON_EXPORT, export))
    return months, tuple(actions)


def picker_buttons(branches: Iterable[Branch], kind: str, period: str) -> tuple[Button, ...]:
    """One button per branch, for a caller who leads several."""
    return tuple(Button(b.name, report_data(kind, b.id, period)) for b in branches)


def export_file_name(ledger: Ledger) -> str:
    """'办公室党支部-2026Q4.xlsx' (no path separators, whatever the branch is called)."""
    name = re.sub(r'[\\/:*?"<>|]', "_", ledger.branch_name)
    return f"{name}-{ledger.period.key}.xlsx"
