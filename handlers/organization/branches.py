"""Binding groups to branches and looking at branches: /bind, /unbind, /roster, /branches,
and 撤销绑定 under the admins' notice of a bind."""

from __future__ import annotations

from telegram import Message, Update
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
from core.errors import UserError
from core.organization.branches import UNDO_BIND_PREFIX, Changed
from core.reports.month_report import format_ranking
from core.store.records import Person
from handlers.notify import notify_admins
from handlers.organization.guard import caller_role, guarded_command, is_private, is_secretary_of
from handlers.services import services

GONE = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}


async def bind(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/bind <branch-id> in a group."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    branch_id = context.args[0] if context.args else None
    role = await caller_role(update, context)
    title = chat.title or str(chat.id)
    organization = services(context).organization
    changed = organization.bind(
        chat.id, title, branch_id, role=role, actor=user.id, actor_name=user.full_name
    )
    await _reply_and_notify(message, context, changed)


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


async def roster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/roster: in a branch group its roster; in private `/roster <branch-id>`."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    organization = services(context).organization
    if is_private(update):
        branch_id = context.args[0] if context.args else None
        if branch_id is None:
            example = organization.config.branches[0].id
            raise UserError(messages.ROSTER_PRIVATE_USAGE.format(example=example))
        branch = organization.config.branch(branch_id)
        if branch is None:
            ids = "、".join(b.id for b in organization.config.branches)
            raise UserError(messages.BIND_UNKNOWN_BRANCH.format(branch_id=branch_id, ids=ids))
        if not await is_secretary_of(user.id, branch.id, context):
            raise UserError(messages.ROSTER_NOT_YOURS.format(branch=branch.name))
    else:
        found = organization.branch_for_chat(chat.id)
        if found is None:
            raise UserError(messages.NOT_A_BRANCH_GROUP)
        branch = found
    await message.reply_text(format_roster(branch.name, organization.roster(branch.id)))


def format_roster(branch_name: str, members: list[Person]) -> str:
    """The roster as a numbered list, flagging who has not registered a real name."""
    if not members:
        return messages.ROSTER_EMPTY.format(branch=branch_name)
    lines = [messages.ROSTER_HEADER.format(branch=branch_name, count=len(members))]
    for index, person in enumerate(members, start=1):
        note = "" if person.real_name else messages.ROSTER_NO_REAL_NAME
        lines.append(messages.ROSTER_LINE.format(index=index, name=person.report_name, note=note))
    return "\n".join(lines)


async def list_branches(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/branches (admins): every branch and its group, then all ranked by this month's rate."""
    message = update.effective_message
    if message is None:
        return
    found = services(context)
    organization = found.organization
    branches = organization.config.branches
    lines = [messages.BRANCHES_HEADER.format(count=len(branches))]
    for branch in branches:
        binding = organization.store.binding_for_branch(branch.id)
        if binding is None:
            lines.append(messages.BRANCHES_UNBOUND.format(name=branch.name, branch_id=branch.id))
            continue
        lines.append(
            messages.BRANCHES_BOUND.format(
                name=branch.name,
                branch_id=branch.id,
                chat=binding.chat_title,
                members=len(organization.roster(branch.id)),
            )
        )
    ranking = format_ranking(found.reports.ranking(found.reports.this_month()))
    await message.reply_text("\n".join([*lines, "", ranking]))


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
    guarded_command("roster", roster),
    guarded_command("branches", list_branches),
    ChatMemberHandler(bot_membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated),
]
