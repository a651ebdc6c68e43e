"""Binding groups to branches and looking at branches: /bind, /unbind, /branches,
and 撤销绑定 under the admins' notice of a bind."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from core import messages
from core.config.branches import Branch
from core.errors import UserError
from core.organization.branches import UNDO_BIND_PREFIX, Changed
from core.reports.month_report import format_ranking
from core.scheduling.term_reminders import overdue
from core.scheduling.unbound_digest import resume_button
from handlers.notify import notify_admins
from handlers.organization.guard import caller_role, guarded_command
from handlers.roster.roll_call import post_roll_call
from handlers.roster.roll_call_message import private_chat_button
from handlers.services import services
from handlers.telegram_messenger import button_rows

GONE = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}


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
    query = update.callback_query
    if query is None or query.data is None:
        return
    found = services(context)
    if query.from_user.id not in found.settings.admin_ids:
        raise UserError(messages.UNDO_BIND_NOT_ADMIN)
    text = found.organization.undo_bind(query.data, actor=query.from_user.id)
    await query.answer(text, show_alert=True)


async def list_branches(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/branches (admins): every branch and its group, then all ranked by this month's rate."""
    message = update.effective_message
    if message is None:
        return
    found = services(context)
    organization = found.organization
    branches = organization.config.branches
    lines = [messages.BRANCHES_HEADER.format(count=len(branches))]
    paused = organization.store.paused_branches()
    for branch in branches:
        binding = organization.store.binding_for_branch(branch.id)
        mark = messages.BRANCHES_PAUSED if branch.id in paused else ""
        if binding is None:
            line = messages.BRANCHES_UNBOUND.format(name=branch.name, branch_id=branch.id)
            lines.append(line + mark)
            continue
        met, needed = found.reports.quarter_compliance(branch)
        lines.append(
            messages.BRANCHES_BOUND.format(
                name=branch.name,
                branch_id=branch.id,
                chat=binding.chat_title,
                members=len(found.rosters.members(branch.id)),
            )
            + messages.CADENCE_COMPLIANCE.format(met=met, needed=needed)
            + _term_note(branch, found.reports.today())
            + mark
        )
    unbound = {b.id for b in branches if organization.store.binding_for_branch(b.id) is None}
    ranking = format_ranking(found.reports.ranking(found.reports.this_month()), unbound)
    resume = [resume_button(b.id, b.name) for b in branches if b.id in paused]
    await message.reply_text("\n".join([*lines, "", ranking]), reply_markup=button_rows(resume))


def _term_note(branch: Branch, today: date) -> str:
    """换届已逾期, for a branch whose term ended without a new `elected` date."""
    if branch.term_ends is None or not overdue(branch, today):
        return ""
    return messages.TERM_OVERDUE.format(end=f"{branch.term_ends:%Y-%m-%d}")


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
    guarded_command("branches", list_branches),
    ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
]
