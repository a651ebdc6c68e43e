"""Who took part: /report and /export for secretaries, /me, /top and /rules for members,
/stats for admins, and the buttons under a report (提醒未完成, 导出, the branch picker)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages
from core.config.branches import Branch
from core.dates.periods import parse_period
from core.errors import UserError
from core.organization.roles import Role
from core.reports.chart import participation_chart
from core.reports.month_report import BranchMonthReport, format_report_text
from core.reports.points import rules_text
from core.reports.requests import (
    EXPORT,
    NUDGE,
    REPORT_PREFIX,
    SHOW,
    ReportRequest,
    export_file_name,
    parse_export_args,
    parse_report_args,
    parse_report_press,
    picker_buttons,
    report_buttons,
)
from handlers.errors import should_report
from handlers.notify import notify_admins
from handlers.organization.guard import (
    branches_led,
    guarded_command,
    is_private,
    is_secretary_of,
    not_allowed,
)
from handlers.quizzes.group_quiz_sender import inline_keyboard
from handlers.roster.roll_call_message import human_member_count
from handlers.services import services

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024  # characters of a photo's caption (Bot API sendPhoto)
CHART_FILE = "report.png"


async def show_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/report [branch] [month]: the month's participation, with its chart and buttons."""
    chat = update.effective_chat
    today = services(context).reports.today()
    request = parse_report_args(context.args or [], "report", today)
    branch = await _requested_branch(update, context, request, "report", SHOW)
    if chat is not None and branch is not None:
        await send_report(context, chat.id, branch, request.period)


async def export_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export [branch] [month | quarter | year]: the 台账 as an .xlsx document."""
    chat, user = update.effective_chat, update.effective_user
    request = parse_export_args(context.args or [], services(context).reports.today())
    branch = await _requested_branch(update, context, request, "export", EXPORT)
    if chat is not None and user is not None and branch is not None:
        await send_export(context, chat.id, branch, request.period, user.id)


async def report_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under a report or a branch picker: the presser's role is checked on every press."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    found = services(context)
    press = parse_report_press(query.data)
    branch = found.organization.config.branch(press.branch_id) if press else None
    chat = query.message.chat
    in_group = chat.type != ChatType.PRIVATE
    # In a group only the group's own branch: a forged button must not post another's data.
    if press is None or branch is None or (
        in_group and found.organization.branch_for_chat(chat.id) != branch
    ):
        await query.answer(messages.REPORT_BAD_BUTTON, show_alert=True)
        return
    if not await is_secretary_of(query.from_user.id, branch.id, context):
        # A member pressing 提醒未完成 in the group hears who may; anyone else, whose it is.
        refusal = messages.REPORT_NOT_YOURS.format(branch=branch.name)
        if press.kind == NUDGE and in_group:
            refusal = messages.NUDGE_NOT_SECRETARY
        await query.answer(refusal, show_alert=True)
        return
    if press.kind == NUDGE:
        reply = await found.reports.nudge(branch.id, found.messenger)
        with contextlib.suppress(BadRequest):  # the nudge is out even if the query expired
            await query.answer(reply, show_alert=True)
        return
    await query.answer()
    if press.kind == SHOW:
        await send_report(context, chat.id, branch, press.period)
    else:
        await send_export(context, chat.id, branch, press.period, query.from_user.id)


async def my_month(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/me: the caller's month: tasks done, quiz score, points, review list."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    branch = _member_branch(update, context, user.id)
    await message.reply_text(services(context).reports.member_text(user.id, branch))


async def top(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/top: the branch's points leaderboard of the month."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    branch = _member_branch(update, context, user.id)
    await message.reply_text(services(context).reports.leaderboard_text(branch))


async def points_rules(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rules: how points are earned, as schedules.yaml's `points` says."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(rules_text(services(context).organization.config.points))


async def question_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats [bank] [month|quarter] (admins): what to teach next, and the whole table."""
    message = update.effective_message
    if message is None:
        return
    found = services(context)
    # Every answer of a month or a quarter is read and analysed: in a worker thread.
    reply = await asyncio.to_thread(
        found.reports.question_stats, found.private_quizzes.banks, context.args or []
    )
    await message.reply_text(reply.text)
    if reply.workbook is not None:
        await message.reply_document(reply.workbook, filename=reply.file_name)


async def send_report(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, branch: Branch, month: str
) -> None:
    """The chart with the report as its caption, or the chart and then the text if too long."""
    reports = services(context).reports
    report = reports.report(branch.id, month)
    text = format_report_text(report, notes=await _group_notes(context, branch, report))
    keyboard = inline_keyboard(report_buttons(report, reports.today(), reports.work_due(report)))
    chart = await _chart(context, report)
    if chart is not None and len(text) <= CAPTION_LIMIT:
        await context.bot.send_photo(
            chat_id, chart, caption=text, reply_markup=keyboard, filename=CHART_FILE
        )
        return
    if chart is not None:
        await context.bot.send_photo(chat_id, chart, filename=CHART_FILE)
    await context.bot.send_message(chat_id, text, reply_markup=keyboard)


async def send_export(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, branch: Branch, period: str, by: int
) -> None:
    """The period's 台账 as an .xlsx document named after the branch and the period; `by`
    asked for it and is its 制表人. Read and written off the event loop: a year of records
    takes a while."""
    from core.reports.workbook import (
        ledger_workbook,  # openpyxl's memory only once someone exports
    )

    found = services(context)
    person = found.store.person(by)
    maker = person.report_name if person else ""
    banks = found.private_quizzes.banks
    reports = found.reports
    ledger = await asyncio.to_thread(reports.ledger, branch.id, parse_period(period), banks, maker)
    workbook = await asyncio.to_thread(ledger_workbook, ledger, reports.timezone)
    caption = messages.EXPORT_CAPTION.format(title=ledger.title)
    await context.bot.send_document(
        chat_id, workbook, filename=export_file_name(ledger), caption=caption
    )


async def _group_notes(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, report: BranchMonthReport
) -> list[str]:
    """The month's meetings against the cadence; then the group as the bot sees it: 群成员
    against who reported, and a warning when the bot is no administrator (then it cannot
    see who is in the group at all)."""
    found = services(context)
    meetings = found.reports.meeting_line(branch, report.month)
    notes = [meetings] if meetings else []
    binding = found.store.binding_for_branch(branch.id)
    if binding is None or report.month != found.reports.this_month():
        return notes
    members = await human_member_count(context, binding.chat_id)
    if members is not None:
        reported = sum(1 for m in report.roster if m.reported)
        notes.append(messages.REPORT_GROUP_GAP.format(members=members, reported=reported))
    if not await found.chat_admins.is_admin(context.bot, binding.chat_id, context.bot.id):
        notes.append(messages.BOT_NOT_ADMIN)
    return notes


async def _requested_branch(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    request: ReportRequest,
    command: str,
    kind: str,
) -> Branch | None:
    """The branch a /report or /export is about; None when a branch picker was sent instead.

    In a group it is the group's branch (the guard checked the caller leads it); in
    private the named branch, if the caller leads it, else the one they lead.
    """
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return None
    if not is_private(update):
        branch = services(context).organization.branch_for_chat(chat.id)
        if branch is None:
            raise UserError(messages.NOT_A_BRANCH_GROUP)
        if request.branch_id not in (None, branch.id):
            raise UserError(messages.REPORT_OTHER_BRANCH.format(command=command))
        return branch
    return await _private_branch(update, context, request, command, kind)


async def _private_branch(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    request: ReportRequest,
    command: str,
    kind: str,
) -> Branch | None:
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    reports = services(context).reports
    if request.branch_id is not None:
        branch = reports.branch(request.branch_id)
        if not await is_secretary_of(user.id, branch.id, context):
            raise UserError(messages.REPORT_NOT_YOURS.format(branch=branch.name))
        return branch
    led = await branches_led(user.id, context)
    if not led:  # demoted since the guard looked
        raise UserError(not_allowed(command, Role.SECRETARY, user.id))
    if len(led) == 1:
        return led[0]
    buttons = picker_buttons(led, kind, request.period)
    keyboard = inline_keyboard(tuple((button,) for button in buttons))
    text = messages.REPORT_PICK_BRANCH.format(month=parse_period(request.period).label)
    await message.reply_text(text, reply_markup=keyboard)
    return None


def _member_branch(update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: int) -> Branch:
    found = services(context)
    chat = update.effective_chat
    if is_private(update) or chat is None:
        return found.reports.home_branch(user_id)
    branch = found.organization.branch_for_chat(chat.id)
    if branch is None:
        raise UserError(messages.NOT_A_BRANCH_GROUP)
    return branch


async def _chart(context: ContextTypes.DEFAULT_TYPE, report: BranchMonthReport) -> bytes | None:
    """The PNG, drawn off the event loop; None (the text still goes out) if it cannot be drawn."""
    try:
        reports = services(context).reports
        return await asyncio.to_thread(
            participation_chart, report, reports.timezone, reports.today()
        )
    except RuntimeError as error:  # e.g. no CJK font installed: the admins are told what to do
        log.warning("No chart for the report: %s", error)
        if should_report(error):
            await notify_admins(context, str(error))
        return None


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    # Reading a branch's month runs beside other updates (block=False): a member's press
    # is not kept waiting while a report, a ledger or the statistics are worked out.
    guarded_command("report", show_report, block=False),
    guarded_command("export", export_report, block=False),
    guarded_command("me", my_month),
    guarded_command("top", top),
    guarded_command("rules", points_rules),
    guarded_command("stats", question_stats, block=False),
    CallbackQueryHandler(report_button, pattern=f"^{REPORT_PREFIX}", block=False),
]
