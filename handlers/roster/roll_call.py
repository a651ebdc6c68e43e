"""Roll call (报到): the message after /bind or /rollcall and its 报到 button.

Telegram gives a bot no list of a group's members, only their number: the roll call is
how members who never speak get onto the roster. Its count is edited once per burst of
presses (`handlers/burst_edits.py`).
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages
from core.config.branches import Branch
from core.errors import UserError
from core.roster.service import ROLL_CALL_PREFIX
from core.store.roster_records import RollCall
from handlers.organization.guard import guarded_command
from handlers.organization.people import chat_user
from handlers.roster.roll_call_message import (
    edit_roll_call_count,
    human_member_count,
    roll_call_keyboard,
)
from handlers.services import services

log = logging.getLogger(__name__)


async def post_roll_call(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, chat_id: int, request_id: int
) -> None:
    """Post the branch's roll call (once per request), closing the one it replaces."""
    rosters = services(context).rosters
    if rosters.roll_call_posted_for(branch, request_id):
        return  # the same /rollcall or /bind delivered again
    shown = rosters.roll_call_text(branch, await human_member_count(context, chat_id))
    message = await context.bot.send_message(
        chat_id, shown.text, reply_markup=roll_call_keyboard(context, branch, shown)
    )
    posted = RollCall(chat_id, message.message_id, services(context).clock(), request_id)
    old = rosters.replace_roll_call(branch, posted)
    if old is not None and old.message_id != posted.message_id:
        with contextlib.suppress(TelegramError):  # deleted or too old to edit: fine
            await context.bot.edit_message_text(
                messages.ROLL_CALL_REPLACED, chat_id=old.chat_id, message_id=old.message_id
            )


async def roll_call_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/rollcall in a branch group (secretaries)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    branch = services(context).organization.branch_for_chat(chat.id)
    if branch is None:
        raise UserError(messages.NOT_A_BRANCH_GROUP)
    await post_roll_call(context, branch, chat.id, message.message_id)


async def report_in(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """报到 pressed: on the roster (the activity tracker did it already; this says so)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    found = services(context)
    chat_id = query.message.chat.id
    reply = found.rosters.report_in(chat_id, chat_user(query.from_user))
    await query.answer(reply, show_alert=reply != messages.ROLL_CALL_DONE)
    branch = found.organization.branch_for_chat(chat_id)
    if branch is not None:
        key = f"rollcall:{branch.id}"
        found.edits.request(
            context, key, lambda: edit_roll_call_count(context, found.rosters, branch)
        )


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("rollcall", roll_call_command),
    CallbackQueryHandler(report_in, pattern=f"^{ROLL_CALL_PREFIX}"),
]
