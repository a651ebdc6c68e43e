"""A branch's 台账 as an Excel workbook (.xlsx) for /export: the printable first sheet,
then 成员, 名单, 组织生活, 更正记录, 学习任务 and 答题记录 over every month of the period.

Times are written as text in the bot's time zone ("2026-11-05 09:30"), and every string
as a text cell (core/reports/cells.py).
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from core import messages
from core.reports.cells import append, day_text, format_time, percent_cell, table_sheet
from core.reports.ledger import Ledger
from core.reports.ledger_cover import cover_sheet

# Column widths in characters (a CJK character is about two).
MEMBER_WIDTHS = (14, 14, 6, 10, 8, 10, 8, 8, 8, 6, 10)
LIST_WIDTHS = (14, 14, 6, 14, 28, 12, 12, 20, 10)
MEETING_WIDTHS = (12, 16, 36, 10, 6, 30, 24, 24, 8)
CORRECTION_WIDTHS = (12, 16, 10, 24, 24, 12, 18)
TASK_WIDTHS = (16, 40, 18, 18, 10, 14, 12, 8)
ANSWER_WIDTHS = (18, 14, 14, 20, 14, 40, 10, 6, 10)


def ledger_workbook(ledger: Ledger, tz: ZoneInfo) -> bytes:
    """The .xlsx file's bytes, headers in Chinese."""
    workbook = Workbook(write_only=True)
    cover_sheet(workbook, ledger)
    _members_sheet(workbook, ledger)
    _member_list_sheet(workbook, ledger)
    _meetings_sheet(workbook, ledger)
    _corrections_sheet(workbook, ledger, tz)
    _tasks_sheet(workbook, ledger, tz)
    _answers_sheet(workbook, ledger, tz)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _members_sheet(workbook: Workbook, ledger: Ledger) -> None:
    """成员: each member's period added up, with their user id."""
    headers = list(messages.EXPORT_MEMBER_HEADERS)
    if not ledger.single_month:
        headers[-1] = messages.EXPORT_PERIOD_TOOK_PART
    sheet = table_sheet(workbook, messages.EXPORT_MEMBERS_SHEET, headers, MEMBER_WIDTHS)
    for m in ledger.members:
        rate = percent_cell(sheet, m.rate if m.answered else None)
        append(
            sheet,
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
                ledger.took_part(m),
            ],
        )


def _member_list_sheet(workbook: Workbook, ledger: Ledger) -> None:
    """名单: everyone on the roster as the secretary keeps it now (what a 名单 entry says,
    who reported, their leave in the period), for the inspector to check 成员 against."""
    sheet = table_sheet(
        workbook, messages.EXPORT_LIST_SHEET, messages.EXPORT_LIST_HEADERS, LIST_WIDTHS
    )
    periods = {m.key: m for m in ledger.members}
    latest = ledger.months[-1].roster if ledger.months else ()
    for m in latest:
        entry, period = m.entry, periods.get(m.key)
        append(
            sheet,
            [
                m.name,
                entry.category if entry else messages.EXPORT_NOT_LISTED,
                messages.EXPORT_YES if m.reported else messages.EXPORT_NO,
                m.user_id,
                "；".join(period.leave) if period else "",
                day_text(entry.joined if entry else None),
                day_text(entry.confirmed if entry else None),
                entry.note if entry else "",
                ledger.took_part(period) if period else messages.EXPORT_NO,
            ],
        )


def _meetings_sheet(workbook: Workbook, ledger: Ledger) -> None:
    """组织生活: the period's recorded meetings, by date, with who came and who did not."""
    sheet = table_sheet(
        workbook, messages.EXPORT_MEETINGS_SHEET, messages.EXPORT_MEETING_HEADERS, MEETING_WIDTHS
    )
    for m in ledger.meetings:
        append(
            sheet,
            [
                day_text(m.day),
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


def _corrections_sheet(workbook: Workbook, ledger: Ledger, tz: ZoneInfo) -> None:
    """更正记录: every change to a meeting's record after it closed: who, what, when."""
    sheet = table_sheet(
        workbook,
        messages.EXPORT_CORRECTIONS_SHEET,
        messages.EXPORT_CORRECTION_HEADERS,
        CORRECTION_WIDTHS,
    )
    for c in ledger.corrections:
        append(
            sheet,
            [day_text(c.meeting_day), c.kind, c.field, c.old, c.new, c.by, format_time(c.at, tz)],
        )


def _tasks_sheet(workbook: Workbook, ledger: Ledger, tz: ZoneInfo) -> None:
    """学习任务: every task pushed in the period, with how many finished it."""
    sheet = table_sheet(
        workbook, messages.EXPORT_TASKS_SHEET, messages.EXPORT_TASK_HEADERS, TASK_WIDTHS
    )
    for report in ledger.months:
        for t in report.tasks:
            append(
                sheet,
                [
                    t.task_id,
                    t.title,
                    format_time(t.assigned_at, tz),
                    format_time(t.due_at, tz),
                    t.done,
                    t.on_time,
                    t.members,
                    percent_cell(sheet, t.rate if t.members else None),
                ],
            )


def _answers_sheet(workbook: Workbook, ledger: Ledger, tz: ZoneInfo) -> None:
    """答题记录: every answer of the period, by name and with the question's text."""
    sheet = table_sheet(
        workbook, messages.EXPORT_ANSWERS_SHEET, messages.EXPORT_ANSWER_HEADERS, ANSWER_WIDTHS
    )
    for report in ledger.months:
        names = report.names()
        for a in report.answers:
            question = ledger.questions.get((a.bank_id, a.question_id))
            append(
                sheet,
                [
                    format_time(a.at, tz),
                    names.get(a.user_id, ""),
                    a.user_id,
                    a.bank_id,
                    a.question_id,
                    question if question is not None else messages.EXPORT_QUESTION_GONE,
                    "".join(a.chosen),
                    messages.EXPORT_RIGHT if a.correct else messages.EXPORT_WRONG,
                    messages.EXPORT_MODE_NAMES.get(a.mode, a.mode),
                ],
            )
