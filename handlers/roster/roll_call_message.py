"""The roll call message's parts that need no services: its keyboard, the group's head
count, and the edit of its count."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from core import messages
from core.config.branches import Branch
from core.roster.service import RollCallText, Rosters

log = logging.getLogger(__name__)

JOIN_PAYLOAD = "join-"  # https://t.me/<bot>?start=join-<branch>: pick your name in private


def private_chat_button(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch
) -> InlineKeyboardButton:
    """A link that opens the private chat with the bot (and offers the branch's names)."""
    url = f"https://t.me/{context.bot.username}?start={JOIN_PAYLOAD}{branch.id}"
    return InlineKeyboardButton(messages.ROLL_CALL_PRIVATE_BUTTON, url=url)


def roll_call_keyboard(
    context: ContextTypes.DEFAULT_TYPE, branch: Branch, shown: RollCallText
) -> InlineKeyboardMarkup:
    """报到 on the first row, the link to the private chat on the second."""
    rows = [[InlineKeyboardButton(b.label, callback_data=b.data)] for b in shown.buttons]
    return InlineKeyboardMarkup([*rows, [private_chat_button(context, branch)]])


async def human_member_count(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> int | None:
    """群成员 as the roll call counts them: the group's members but this bot (and, as far as
    Telegram tells a bot, other bots: those among the administrators)."""
    try:
        count = await context.bot.get_chat_member_count(chat_id)
        admins = await context.bot.get_chat_administrators(chat_id)
    except TelegramError as error:
        log.warning("Could not count the members of %s: %s", chat_id, error)
        return None
    other_bots = sum(1 for a in admins if a.user.is_bot and a.user.id != context.bot.id)
    return max(count - 1 - other_bots, 0)


async def edit_roll_call_count(
    context: ContextTypes.DEFAULT_TYPE, rosters: Rosters, branch: Branch
) -> None:
    """Show the roll call's count as stored now (run through `BurstEdits`)."""
    current = rosters.roll_call(branch.id)
    if current is None:
        return
    members = await human_member_count(context, current.chat_id)
    shown = rosters.roll_call_text(branch, members)
    try:
        await context.bot.edit_message_text(
            shown.text,
            chat_id=current.chat_id,
            message_id=current.message_id,
            reply_markup=roll_call_keyboard(context, branch, shown),
        )
    except TelegramError as error:  # "not modified", or gone: the next press tries again
        log.info("Roll call count of %s not edited: %s", branch.id, error)
