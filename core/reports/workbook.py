"""A branch's month as an Excel workbook (.xlsx) for /export: members, the 名单, tasks, quiz
answers.

Times are written as text in the bot's time zone ("2026-11-05 09:30"): Excel has no
time zones, and text of this shape sorts in time order and reads the same everywhere.
Every string is written as a text cell, whatever it starts with: a member named
`=HYPERLINK(...)` stays a name, never a live formula in the secretary's Excel.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core import messages
from core.reports.month_report import BranchMonthReport, MeetingLine

# Column widths in characters (a CJK character is about two).
MEMBER_WIDTHS = (14, 14, 6, 10, 8, 10, 8, 8, 8, 6, 10)
LIST_WIDTHS = (14, 14, 6, 14, 28, 12, 12, 20, 10)
MEETING_WIDTHS = (12, 16, 36, 10, 6, 30, 24, 24, 8)
TASK_WIDTHS = (16, 40, 18, 18, 10, 14, 12, 8)
ANSWER_WIDTHS = (18, 14, 14, 20, 14, 10, 6, 10)
TIME_FORMAT = "%Y-%m-%d %H:%M"
PERCENT_FORMAT = "0%"


def report_workbook(
    report: BranchMonthReport, tz: ZoneInfo, meetings: Sequence[MeetingLine] = ()
) -> bytes:
    """The .xlsx file's bytes: sheets 成员, 名单, 组织生活, 学习任务 and 答题记录, headers in
    Chinese."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    members = _sheet(
        workbook,
        messages.EXPORT_MEMBERS_SHEET,
        messages.EXPORT_MEMBER_HEADERS,
        MEMBER_WIDTHS,
        bold,
    )
    for m in report.members:
        rate = _percent_cell(members, m.rate if m.answered else None)
        _append(
            members,
            [
                m.name,
                m.user_id,
                messages.EXPORT_YES if m.on_roster else messages.EXPORT_NO,
                m.tasks_assigned,
                m.tasks_done,
                m.tasks_on_time,
                m.answered,
                m.correct,
                rate,
                m.points,
                messages.EXPORT_YES if m.participated else messages.EXPORT_NO,
            ],
        )

    _member_list_sheet(workbook, report, bold)
    _meetings_sheet(workbook, meetings, bold)
    tasks = _sheet(
        workbook, messages.EXPORT_TASKS_SHEET, messages.EXPORT_TASK_HEADERS, TASK_WIDTHS, bold
    )
    for t in report.tasks:
        _append(
            tasks,
            [
                t.task_id,
                t.title,
                format_time(t.assigned_at, tz),
                format_time(t.due_at, tz),
                t.done,
                t.on_time,
                t.members,
                _percent_cell(tasks, t.rate if t.members else None),
            ],
        )

    answers = _sheet(
        workbook,
        messages.EXPORT_ANSWERS_SHEET,
        messages.EXPORT_ANSWER_HEADERS,
        ANSWER_WIDTHS,
        bold,
    )
    names = {m.user_id: m.name for m in report.members}
    for a in report.answers:
        _append(
            answers,
            [
                format_time(a.at, tz),
                names.get(a.user_id, ""),
                a.user_id,
                a.bank_id,
                a.question_id,
                "".join(a.chosen),
                messages.EXPORT_RIGHT if a.correct else messages.EXPORT_WRONG,
                messages.EXPORT_MODE_NAMES.get(a.mode, a.mode),
            ],
        )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _member_list_sheet(workbook: Workbook, report: BranchMonthReport, bold: Font) -> None:
    """名单: everyone on the roster as the secretary keeps it (what a 名单 entry says, who
    reported, who was on leave), for the inspector to check the 成员 sheet against."""
    sheet = _sheet(
        workbook, messages.EXPORT_LIST_SHEET, messages.EXPORT_LIST_HEADERS, LIST_WIDTHS, bold
    )
    for m in report.roster:
        entry = m.entry
        leave = (
            messages.EXPORT_LEAVE.format(
                reason=m.leave.reason, first=m.leave.first_day, last=m.leave.last_day
            )
            if m.leave
            else ""
        )
        if m.excused:
            took_part = messages.EXPORT_EXCUSED
        else:
            took_part = messages.EXPORT_YES if m.participated else messages.EXPORT_NO
        _append(
            sheet,
            [
                m.name,
                entry.category if entry else messages.EXPORT_NOT_LISTED,
                messages.EXPORT_YES if m.reported else messages.EXPORT_NO,
                m.user_id,
                leave,
                _day(entry.joined if entry else None),
                _day(entry.confirmed if entry else None),
                entry.note if entry else "",
                took_part,
            ],
        )


def _meetings_sheet(workbook: Workbook, meetings: Sequence[MeetingLine], bold: Font) -> None:
    """组织生活: the month's recorded meetings, by date, with who came and who did not."""
    sheet = _sheet(
        workbook,
        messages.EXPORT_MEETINGS_SHEET,
        messages.EXPORT_MEETING_HEADERS,
        MEETING_WIDTHS,
        bold,
    )
    for m in meetings:
        _append(
            sheet,
            [
                _day(m.day),
                m.kind,
                m.topic,
                m.host,
                m.expected,
                m.present,
                m.excused,
                m.absent,
                m.attachments,
            ],
        )


def _day(day: date | None) -> str:
    """A date as text ('2020-07-01'), like the times: it reads the same in every Excel."""
    return f"{day:%Y-%m-%d}" if day else ""


def format_time(at: datetime, tz: ZoneInfo) -> str:
    """'2026-11-05 09:30' in `tz`."""
    return at.astimezone(tz).strftime(TIME_FORMAT)


def _sheet(
    workbook: Workbook,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    bold: Font,
) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title)
    # In write-only mode, widths and frozen panes must be set before the first row.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for text in headers:
        cell = _text_cell(sheet, text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    return sheet


def _append(sheet: WriteOnlyWorksheet, values: Iterable[object]) -> None:
    """Append one row, every string in it as a text cell."""
    sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in values])


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A cell that holds `text` as text: openpyxl would make "=..." a formula, "#N/A" an error.

    Control characters (a Telegram name may hold them) cannot be stored in the file at all:
    openpyxl refuses them and the whole export would fail, so they are dropped."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _percent_cell(sheet: WriteOnlyWorksheet, rate: float | None) -> WriteOnlyCell | None:
    if rate is None:
        return None
    cell = WriteOnlyCell(sheet, value=round(rate, 4))
    cell.number_format = PERCENT_FORMAT
    return cell
