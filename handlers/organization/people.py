"""Members talking to the bot: /start, /help, /join (and 登记姓名's question, answered by
a reply), and keeping rosters current."""

from __future__ import annotations

from telegram import ChatMemberUpdated, ForceReply, Message, ReplyKeyboardMarkup, Update, User
from telegram.constants import ChatMemberStatus
from telegram.ext import (
    BaseHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from core import messages
from core.config.branches import Branch
from core.organization.branches import ChatUser
from core.organization.commands import commands_for
from core.organization.roles import Role
from handlers.organization.guard import caller_role, guarded_command, is_private
from handlers.quizzes.private_quiz import review, send_quiz
from handlers.roster.roll_call_message import JOIN_PAYLOAD
from handlers.services import services
from handlers.telegram_messenger import button_rows

PRESENT = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
    ChatMemberStatus.RESTRICTED,
}


def chat_user(user: User) -> ChatUser:
    """The core's view of a Telegram user."""
    return ChatUser(user.id, user.full_name or str(user.id), user.username)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start in private: register for direct messages. From the roll call's link
    (`?start=join-<branch>`), also offer the branch's unclaimed names to pick one's own;
    from a group's 去私聊答题 (`?start=quiz`, `?start=review`), start the quiz or review."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    found = services(context)
    found.organization.register_private_chat(chat_user(user))
    keyboard = menu_keyboard(await caller_role(update, context))
    await message.reply_text(messages.WELCOME.format(name=user.full_name), reply_markup=keyboard)
    payload = (context.args or [""])[0]
    if payload == "quiz":  # from 去私聊答题 under /quiz or /start in a group
        await send_quiz(update, context, [])
        return
    if payload == "review":
        await review(update, context)
        return
    branch = found.organization.config.branch(payload.removeprefix(JOIN_PAYLOAD))
    if not payload.startswith(JOIN_PAYLOAD) or branch is None:
        return
    if found.rosters.claimed_entry(branch.id, user.id) is not None:
        return  # already named on the 名单
    choices = found.rosters.name_choices(branch)
    if choices:
        await message.reply_text(messages.CLAIM_PICK_PROMPT, reply_markup=button_rows(choices))


async def show_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: only what the caller may use here."""
    message = update.effective_message
    if message is None:
        return
    role = await caller_role(update, context)
    lines = [messages.HELP_HEADER]
    for entry in commands_for(role, is_private=is_private(update)):
        args = f" {entry.args}" if entry.args else ""
        lines.append(
            messages.HELP_LINE.format(command=entry.name, args=args, description=entry.description)
        )
    keyboard = menu_keyboard(role) if is_private(update) else None
    await message.reply_text("\n".join(lines), reply_markup=keyboard)


def menu_keyboard(role: Role) -> ReplyKeyboardMarkup:
    """The buttons under the private chat's input: each sends its label, read as the
    command it stands for (core/organization/command_text.py), so no one has to type."""
    labels = list(messages.MENU_BUTTONS)
    if role >= Role.SECRETARY:
        labels += list(messages.SECRETARY_MENU_BUTTONS)
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


async def join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/join 姓名: the real name used in reports. Alone in private (the menu's 登记姓名):
    ask for the name, to be given as a reply."""
    message = update.effective_message
    name = " ".join(context.args or [])
    if message is not None and not name.strip() and is_private(update):
        placeholder = messages.JOIN_ASK_PLACEHOLDER
        await message.reply_text(
            messages.JOIN_ASK, reply_markup=ForceReply(input_field_placeholder=placeholder)
        )
        return
    await register_name(update, context, name)


async def name_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A reply to 登记姓名's question: the name, as /join 姓名 would give it."""
    message = update.effective_message
    if message is not None:
        await register_name(update, context, message.text or "")


class _AnswersNameQuestion(filters.MessageFilter):
    """A reply to the bot's 请回复您的真实姓名: only those, so that other text in private
    still reaches 没看懂 (`handlers/understanding.py`). The question is read from the
    replied message itself, so it needs no stored state and works after a restart."""

    def filter(self, message: Message) -> bool:
        asked = message.reply_to_message
        return (
            asked is not None
            and asked.from_user is not None
            and asked.from_user.is_bot
            and asked.text == messages.JOIN_ASK
        )


async def register_name(update: Update, context: ContextTypes.DEFAULT_TYPE, name: str) -> None:
    """Set the caller's real name; with a 名单, claim the entry of that name."""
    user, message, chat = update.effective_user, update.effective_message, update.effective_chat
    if user is None or message is None or chat is None or user.is_bot:
        return  # other bots are never members
    group_id = None if is_private(update) else chat.id
    found = services(context)
    reply = found.organization.set_real_name(chat_user(user), name, group_id)
    claims = [
        claim
        for branch in _join_branches(update, context, user.id)
        if (claim := found.rosters.claim_by_name(branch, user.id, " ".join(name.split())))
    ]
    if not claims:
        await message.reply_text(reply)
        return
    for claim in claims:  # the 名单 speaks for the name: its answer replaces the generic one
        await message.reply_text(claim.text, reply_markup=button_rows(claim.buttons))


def _join_branches(
    update: Update, context: ContextTypes.DEFAULT_TYPE, user_id: int
) -> list[Branch]:
    """The branches whose 名单 a /join claims from: the group's, or in private every
    branch whose roster the member is on."""
    found = services(context)
    chat = update.effective_chat
    if chat is not None and not is_private(update):
        branch = found.organization.branch_for_chat(chat.id)
        return [branch] if branch else []
    person = found.store.person(user_id)
    active = [m.branch_id for m in person.memberships if m.active] if person else []
    return [b for b in map(found.organization.config.branch, active) if b is not None]


async def track_activity(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Anyone who speaks or presses a button in a branch group is on its roster."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot or is_private(update):
        return
    if update.chat_member is not None or update.my_chat_member is not None:
        return  # membership changes are handled below, with their own meaning
    message = update.effective_message
    if message is not None and message.left_chat_member is not None:
        return  # the sender of a "left" notice may be the one who left
    services(context).organization.seen_in_group(chat.id, chat_user(user))


async def members_joined(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """New members added to a branch group (service message)."""
    message = update.effective_message
    if message is None:
        return
    organization = services(context).organization
    for user in message.new_chat_members:
        if not user.is_bot:
            organization.seen_in_group(message.chat_id, chat_user(user))


async def member_left(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A member left or was removed (service message); the bot itself is handled elsewhere."""
    message = update.effective_message
    if message is None or message.left_chat_member is None:
        return
    user = message.left_chat_member
    if user.id != context.bot.id and not user.is_bot:
        services(context).organization.left_group(message.chat_id, chat_user(user))


async def member_status_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """chat_member update: joins, leaves, promotions (which change who is a secretary)."""
    change: ChatMemberUpdated | None = update.chat_member
    if change is None or change.new_chat_member.user.is_bot:
        return
    found = services(context)
    user = change.new_chat_member.user
    found.chat_admins.forget(change.chat.id, user.id)
    if change.new_chat_member.status in PRESENT:
        found.organization.seen_in_group(change.chat.id, chat_user(user))
    else:
        found.organization.left_group(change.chat.id, chat_user(user))


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("start", start),
    guarded_command("help", show_help),
    guarded_command("join", join),
    # Before 没看懂 (handlers/understanding.py, registered last): the name asked for.
    MessageHandler(
        filters.UpdateType.MESSAGE
        & filters.ChatType.PRIVATE
        & filters.TEXT
        & ~filters.COMMAND
        & _AnswersNameQuestion(),
        name_reply,
    ),
    MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, members_joined),
    MessageHandler(filters.StatusUpdate.LEFT_CHAT_MEMBER, member_left),
    ChatMemberHandler(member_status_changed, ChatMemberHandler.CHAT_MEMBER),
]

# Runs before everything else (its own handler group) so every update counts.
ACTIVITY_TRACKER = TypeHandler(Update, track_activity)
