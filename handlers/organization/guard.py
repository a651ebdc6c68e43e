"""Command registration that enforces the command table: chat kind and role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, ContextTypes

from core import messages
from core.config.branches import Branch
from core.delivery import Button
from core.errors import UserError
from core.organization.commands import ChatKind, command
from core.organization.roles import Role, role_of
from handlers.services import services
from handlers.telegram_messenger import button_rows

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
Command = CommandHandler[ContextTypes.DEFAULT_TYPE, None]


def is_private(update: Update) -> bool:
    """Whether the update comes from a private chat."""
    return update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE


async def caller_role(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Role:
    """The caller's role here: in a group, for its branch; in private, their highest anywhere."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return Role.MEMBER
    found = services(context)
    admins = found.settings.admin_ids
    if user.id in admins:
        return Role.ADMIN
    if not is_private(update):
        branch = found.organization.branch_for_chat(chat.id)
        is_chat_admin = await found.chat_admins.is_admin(context.bot, chat.id, user.id)
        return role_of(user.id, admin_ids=admins, branch=branch, is_chat_admin=is_chat_admin)
    return await _highest_role_in_branches(user.id, context)


async def is_secretary_of(
    user_id: int, branch_id: str, context: ContextTypes.DEFAULT_TYPE
) -> bool:
    """Whether the user leads this branch: admin, YAML secretary, or admin of its group."""
    found = services(context)
    branch = found.organization.config.branch(branch_id)
    binding = found.store.binding_for_branch(branch_id) if branch else None
    is_chat_admin = binding is not None and await found.chat_admins.is_admin(
        context.bot, binding.chat_id, user_id
    )
    role = role_of(
        user_id, admin_ids=found.settings.admin_ids, branch=branch, is_chat_admin=is_chat_admin
    )
    return role >= Role.SECRETARY


async def branches_led(user_id: int, context: ContextTypes.DEFAULT_TYPE) -> list[Branch]:
    """The branches whose reports the user may see (every branch for an admin)."""
    found = services(context)
    branches = found.organization.config.branches
    if user_id in found.settings.admin_ids:  # without asking Telegram about every group
        return list(branches)
    return [branch for branch in branches if await is_secretary_of(user_id, branch.id, context)]


async def _highest_role_in_branches(user_id: int, context: ContextTypes.DEFAULT_TYPE) -> Role:
    for branch in services(context).organization.config.branches:
        if await is_secretary_of(user_id, branch.id, context):
            return Role.SECRETARY
    return Role.MEMBER


def admin_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, refusal: str
) -> CallbackQuery | None:
    """The press of an admins-only button; `UserError(refusal)` for anyone else (None for a
    press without data)."""
    query = update.callback_query
    if query is None or query.data is None:
        return None
    if query.from_user.id not in services(context).settings.admin_ids:
        raise UserError(refusal)
    return query


def private_link(bot_username: str, command: str) -> InlineKeyboardMarkup | None:
    """A button opening the private chat, where Telegram sends `/start <command>` for the
    member (handlers/organization/people.py does the command); /start in a group is
    taken as wanting the quiz, the one thing the group cannot do."""
    payload = "quiz" if command == "start" else command
    label = messages.PRIVATE_LINK_LABELS.get(command, messages.PRIVATE_LINK_LABEL)
    return button_rows([Button(label, url=f"https://t.me/{bot_username}?start={payload}")])


def not_allowed(command: str, role: Role, user_id: int) -> str:
    """The refusal of a command for `role`, saying how that role is had."""
    how = messages.ROLE_HOW[role.key].format(user_id=user_id)
    return messages.NOT_ALLOWED.format(
        command=command, role=messages.ROLE_NAMES[role.key], how=how
    )


def guarded_command(name: str, callback: Callback, *, block: bool = True) -> Command:
    """A CommandHandler that first checks the command table's chat kind and role.

    `block=False` for a command that takes long: it then runs as a task beside the next
    updates (handlers/polling.py confirms its update only when the task is done)."""
    entry = command(name)

    async def check_then_run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None:
            return
        if entry.where is ChatKind.GROUP and is_private(update):
            await message.reply_text(messages.GROUP_ONLY.format(command=name))
            return
        if entry.where is ChatKind.PRIVATE and not is_private(update):
            text = messages.PRIVATE_ONLY.format(command=name)
            await message.reply_text(text, reply_markup=private_link(context.bot.username, name))
            return
        if entry.role > Role.MEMBER and await caller_role(update, context) < entry.role:
            user = update.effective_user
            await message.reply_text(not_allowed(name, entry.role, user.id if user else 0))
            return
        await callback(update, context)

    return CommandHandler(name, check_then_run, block=block)
