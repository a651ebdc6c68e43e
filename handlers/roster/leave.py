"""Leave (请假): `/leave 张三 2026-11 病假`, or /roster's 登记请假 buttons (member, then a
reason for this month), by a secretary."""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages
from core.errors import UserError
from core.roster.leave import parse_leave
from core.roster.service import (
    ALL_MEMBERS,
    LEAVE_PREFIX,
    leave_reason_buttons,
    parse_leave_data,
)
from handlers.organization.guard import branches_led, guarded_command, is_private, is_secretary_of
from handlers.roster.member_list import branch_here
from handlers.services import services
from handlers.telegram_messenger import button_rows

MEMBERS_PER_ROW = 3


async def leave(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In the branch group; in private, in the branch the caller leads that has the member."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    request = parse_leave(context.args or [])
    rosters = services(context).rosters
    if is_private(update):
        branch = rosters.branch_of_member(await branches_led(user.id, context), request.name)
    else:
        branch = await branch_here(update, context, None)
    await message.reply_text(rosters.set_leave(branch, request, user.id))


async def leave_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """登记请假 → a member → a reason. Every press re-checks that the presser leads the
    branch; the last one says what it records, so a second press records nothing more."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    found = services(context)
    pressed = parse_leave_data(query.data)
    branch = found.organization.config.branch(pressed[0]) if pressed else None
    if pressed is None or branch is None:
        raise UserError(messages.LEAVE_BUTTON_GONE)
    if not await is_secretary_of(query.from_user.id, branch.id, context):
        raise UserError(messages.ROSTER_NOT_YOURS.format(branch=branch.name))
    _, member_key, month, reason = pressed
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if member_key == ALL_MEMBERS:
        await query.answer()
        buttons = found.rosters.leave_choices(branch)
        await context.bot.send_message(
            chat_id, messages.LEAVE_PICK_MEMBER, reply_markup=button_rows(buttons, MEMBERS_PER_ROW)
        )
        return
    if not month:
        await query.answer()
        this_month = found.reports.this_month()
        name = found.rosters.member_name(branch, member_key)
        text = messages.LEAVE_PICK_REASON.format(name=name, month=this_month)
        buttons = leave_reason_buttons(branch.id, member_key, this_month)
        await context.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=button_rows(buttons, 3)
        )
        return
    done = found.rosters.leave_by_button(branch, member_key, month, reason, query.from_user.id)
    await query.answer(done, show_alert=True)
    with contextlib.suppress(TelegramError):  # the leave is recorded either way
        await context.bot.edit_message_text(done, chat_id=chat_id, message_id=message_id)


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("leave", leave),
    CallbackQueryHandler(leave_button, pattern=f"^{LEAVE_PREFIX}"),
]
