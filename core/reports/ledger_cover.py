"""The 台账's first sheet, laid out to be printed on A4 and handed to an inspector: the
title, 组织生活 by kind against the cadence, each month's participation, each member's
study and quiz, then the 制表人 and 日期 lines to sign."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core import messages
from core.dates.periods import Period
from core.meetings.cadence import KindTally
from core.reports.cells import BOLD, BOX, WRAP, new_sheet, percent_cell, text_cell
from core.reports.ledger import Ledger, MemberPeriod
from core.reports.month_report import BranchMonthReport
from core.store.meeting_records import MONTHLY, QUARTERLY

# 序号, then the tables' columns: every table on the sheet shares these widths.
WIDTHS = (6, 16, 14, 12, 9, 9, 9, 11, 28)
LAST_COLUMN = "I"
TITLE_FONT = Font(bold=True, size=16)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def cover_sheet(workbook: Workbook, ledger: Ledger) -> None:
    """Write the first sheet (it must be created before the others to come first)."""
    sheet = new_sheet(workbook, messages.LEDGER_SHEET, WIDTHS, landscape=False)
    rows = _Rows(sheet)
    rows.line(ledger.title, font=TITLE_FONT, align=CENTER)
    period = messages.LEDGER_SPAN.format(
        branch=ledger.branch_name, first=ledger.period.first, last=ledger.period.last
    )
    rows.line(period, align=CENTER)
    rows.blank()
    _meetings(rows, ledger.kinds)
    rows.blank()
    _months(rows, ledger.months)
    rows.blank()
    _members(rows, ledger)
    rows.blank()
    made = ledger.made_on
    made_on = (
        messages.LEDGER_DATE.format(year=made.year, month=made.month, day=made.day) if made else ""
    )
    rows.line(messages.LEDGER_SIGNATURES.format(maker=ledger.maker or "", day=made_on))
    rows.line(messages.LEDGER_SECRETARY_SIGNS)


class _Rows:
    """Rows appended one after another, remembering which to merge across the page."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.count = 0

    def line(self, text: str, font: Font | None = None, align: Alignment | None = None) -> None:
        """A line of text across the whole width."""
        cell = text_cell(self.sheet, text)
        cell.font = font or Font()
        cell.alignment = align or Alignment(vertical="center")
        self.sheet.append([cell])
        self.count += 1
        self.sheet.merged_cells.add(f"A{self.count}:{LAST_COLUMN}{self.count}")

    def heading(self, text: str) -> None:
        """A section's heading."""
        self.line(text, font=BOLD)

    def blank(self) -> None:
        self.sheet.append([])
        self.count += 1

    def table(self, values: Sequence[object], bold: bool = False) -> None:
        """A row of a boxed table, starting with its number (序号) or header."""
        cells = []
        for value in values:
            cell = self._cell(value)
            cell.border = BOX
            cell.alignment = WRAP
            if bold:
                cell.font = BOLD
            cells.append(cell)
        self.sheet.append(cells)
        self.count += 1


    def _cell(self, value: object) -> Cell:
        """A cell to style: text as text, a percentage as drawn, any other value as is."""
        if isinstance(value, str):
            return text_cell(self.sheet, value)
        if isinstance(value, Cell):
            return value
        return WriteOnlyCell(self.sheet, value=value)


def _meetings(rows: _Rows, kinds: Sequence[KindTally]) -> None:
    """一、组织生活: each kind, how often it is required, when it was held, what is missing."""
    rows.heading(messages.LEDGER_MEETINGS_HEADING)
    rows.table(messages.LEDGER_MEETING_HEADERS, bold=True)
    for number, kind in enumerate(kinds, start=1):
        days = "、".join(f"{day:%m-%d}" for day in kind.days) or "—"
        met = f"{kind.met}/{kind.started}" if kind.started else "—"
        rows.table(
            [number, kind.kind, messages.LEDGER_RULES[kind.rule], len(kind.days), met, days,
             None, None, _state(kind)]
        )  # fmt: skip
        rows.sheet.merged_cells.add(f"F{rows.count}:H{rows.count}")


def _state(kind: KindTally) -> str:
    """达标, what is missing, 进行中, or 不要求."""
    if kind.rule not in (MONTHLY, QUARTERLY):
        return messages.LEDGER_NOT_REQUIRED
    if kind.missed:
        return messages.LEDGER_MISSED.format(periods="、".join(map(_short, kind.missed)))
    if kind.pending:
        return messages.LEDGER_PENDING
    return messages.LEDGER_MET if kind.started else "—"


def _short(period: Period) -> str:
    """'11月' or '第四季度': the year is in the title."""
    return period.label[period.label.index("年") + 1 :]


def _months(rows: _Rows, months: Sequence[BranchMonthReport]) -> None:
    """二、各月参与: participation, study and quiz of each month."""
    rows.heading(messages.LEDGER_MONTHS_HEADING)
    rows.table(messages.LEDGER_MONTH_HEADERS, bold=True)
    for number, report in enumerate(months, start=1):
        rows.table(
            [
                number,
                report.month,
                f"{report.participants}/{len(report.counted)}",
                percent_cell(rows.sheet, report.participation_rate if report.counted else None),
                report.tasks_done,
                report.tasks_expected,
                report.answered,
                percent_cell(rows.sheet, report.correct_rate if report.answered else None),
                "、".join(m.name for m in report.non_participants),
            ]
        )


def _members(rows: _Rows, ledger: Ledger) -> None:
    """三、党员学习与答题: every member's period, by name."""
    rows.heading(messages.LEDGER_MEMBERS_HEADING)
    rows.table(messages.LEDGER_MEMBER_HEADERS, bold=True)
    for number, member in enumerate(ledger.members, start=1):
        rows.table(
            [
                number,
                member.name,
                member.category or messages.EXPORT_NOT_LISTED,
                f"{member.tasks_done}/{member.tasks_assigned}",
                member.tasks_on_time,
                member.answered,
                percent_cell(rows.sheet, member.rate if member.answered else None),
                ledger.took_part(member),
                _remarks(member),
            ]
        )


def _remarks(member: MemberPeriod) -> str:
    """已离开, 未报到 and leave, as the secretary would note them by hand."""
    notes = []
    if not member.on_roster:
        notes.append(messages.LEDGER_LEFT)
    elif not member.reported:
        notes.append(messages.LEDGER_UNREPORTED)
    notes += (messages.LEDGER_LEAVE.format(leave=leave) for leave in member.leave)
    return "；".join(notes)
