"""Binding groups to branches and looking at branches: /bind, /unbind, /branches,
and 撤销绑定 under the admins' notice of a bind."""

from __future__ import annotations

import asyncio
import contextlib

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from core import messages
from core.delivery import Button
from core.organization.branches import UNDO_BIND_PREFIX, Changed
from core.scheduling.unbound_digest import resume_button
from handlers.notify import notify_admins
from handlers.organization.guard import admin_press, caller_role, guarded_command
from handlers.roster.roll_call import post_roll_call
from handlers.roster.roll_call_message import private_chat_button
from handlers.services import services
from handlers.telegram_messenger import button_rows

GONE = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}
PAGE_PREFIX = "branches:"  # + the page number a 上一页/下一页 button shows


async def bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bind <branch-id> in a group."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    branch_id = context.args[0] if context.args else None
    role = await caller_role(update, context)
    title = chat.title or str(chat.id)
    found = services(context)
    changed = found.organization.bind(
        chat.id, title, branch_id, role=role, actor=user.id, actor_name=user.full_name
    )
    branch = found.organization.branch_for_chat(chat.id)
    if changed.notice is None or branch is None:
        await message.reply_text(changed.text)  # nothing changed
        return
    # Without admin rights, privacy mode hides ordinary messages and member joins from the
    # bot: the roster would stay at whoever presses a button. The secretary must know.
    text = changed.text
    if not await found.chat_admins.is_admin(context.bot, chat.id, context.bot.id):
        text += "\n\n" + messages.BOT_NOT_ADMIN
    keyboard = InlineKeyboardMarkup([[private_chat_button(context, branch)]])
    await message.reply_text(text, reply_markup=keyboard)
    notice = changed.notice.text
    if branch.id in found.store.paused_branches():  # else its pushes would stay silent
        notice += "\n" + messages.BIND_PUSHES_PAUSED
    await notify_admins(context, notice, changed.notice.buttons)
    await post_roll_call(context, branch, chat.id, message.message_id)


async def unbind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unbind in a branch group."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    organization = services(context).organization
    changed = organization.unbind(chat.id, actor=user.id, actor_name=user.full_name)
    await _reply_and_notify(message, context, changed)


async def _reply_and_notify(
    message: Message, context: ContextTypes.DEFAULT_TYPE, changed: Changed
) -> None:
    # The change is stored already: the group hears first, then the admins.
    await message.reply_text(changed.text)
    if changed.notice is not None:
        await notify_admins(context, changed.notice.text, changed.notice.buttons)


async def undo_bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """撤销绑定: an admin undoes the binding a notice told them of (that one only)."""
    query = admin_press(update, context, messages.UNDO_BIND_NOT_ADMIN)
    if query is None or query.data is None:
        return
    found = services(context)
    text = found.organization.undo_bind(query.data, actor=query.from_user.id)
    await query.answer(text, show_alert=True)


async def list_branches(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/branches (admins): every branch and its group, then all ranked by this month's rate;
    a summary and pages once that is more than one message holds."""
    message = update.effective_message
    if message is None:
        return
    found = services(context)
    shown = await asyncio.to_thread(found.reports.branches_overview)  # every branch's month
    resume = button_rows([resume_button(b.id, b.name) for b in shown.paused])
    if shown.summary is None:
        await message.reply_text(shown.page(1), reply_markup=resume)
        return
    await message.reply_text(shown.summary, reply_markup=resume)
    await message.reply_text(shown.page(1), reply_markup=_page_buttons(1, len(shown.pages)))


async def turn_branches_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """上一页/下一页 under /branches' pages: the button names the page it shows, so a press
    delivered twice shows the same page again (drawn from what is stored now)."""
    query = admin_press(update, context, messages.BRANCHES_NOT_ADMIN)
    if query is None or query.data is None:
        return
    found = services(context)
    await query.answer()
    shown = await asyncio.to_thread(found.reports.branches_overview)
    number = max(1, min(int(query.data.removeprefix(PAGE_PREFIX)), len(shown.pages)))
    with contextlib.suppress(BadRequest):  # the same page again: "message is not modified"
        await query.edit_message_text(
            shown.page(number), reply_markup=_page_buttons(number, len(shown.pages))
        )


def _page_buttons(number: int, pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if number > 1:
        buttons.append(Button(messages.BRANCHES_PREVIOUS, f"{PAGE_PREFIX}{number - 1}"))
    if number < pages:
        buttons.append(Button(messages.BRANCHES_NEXT, f"{PAGE_PREFIX}{number + 1}"))
    return button_rows(buttons, per_row=2)


async def bot_membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """my_chat_member: the bot was removed from a group, so its branch becomes unbound."""
    change = update.my_chat_member
    if change is None or change.new_chat_member.status not in GONE:
        return
    notice = services(context).organization.bot_removed(change.chat.id)
    if notice is not None:
        await notify_admins(context, notice.text)


async def chat_migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: follow the new chat id."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id is not None:
        old_id, new_id = message.chat_id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id is not None:
        old_id, new_id = message.migrate_from_chat_id, message.chat_id
    else:
        return
    notice = services(context).organization.chat_migrated(old_id, new_id)
    if notice is not None:
        await notify_admins(context, notice.text)


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("bind", bind),
    guarded_command("unbind", unbind),
    CallbackQueryHandler(undo_bind, pattern=f"^{UNDO_BIND_PREFIX}"),
    # Every branch's month is read beside other updates (block=False): presses go on.
    guarded_command("branches", list_branches, block=False),
    CallbackQueryHandler(turn_branches_page, pattern=rf"^{PAGE_PREFIX}\d+$", block=False),
    ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
]
