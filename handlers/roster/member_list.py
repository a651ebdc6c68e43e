"""The branch's 名单: /roster (and /roster add), a 名单 file sent in private, and the name
buttons a member picks their own entry from."""

from __future__ import annotations

import asyncio
import logging

from telegram import Document, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages
from core.config.branches import Branch
from core.errors import UserError
from core.roster.member_list import parse_member_list, parse_names
from core.roster.service import PICK_PREFIX, parse_pick
from handlers.organization.guard import branches_led, guarded_command, is_private, is_secretary_of
from handlers.roster.roll_call_message import human_member_count
from handlers.services import services
from handlers.telegram_messenger import button_rows

log = logging.getLogger(__name__)

MAX_LIST_BYTES = 2 * 1024 * 1024  # a 名单 of 2,000 rows is far smaller


async def roster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/roster [支部ID]: the 名单 against who reported; /roster add 张三 李四 adds names."""
    message = update.effective_message
    if message is None:
        return
    args = list(context.args or [])
    adding = bool(args) and args[0] == "add"
    if adding:
        args = args[1:]
    found = services(context)
    branch_id = None if adding or not args else args[0]
    branch = await branch_here(update, context, branch_id)
    if adding:
        if not args:
            raise UserError(messages.ROSTER_ADD_USAGE)
        names = parse_names(" ".join(args))
        await message.reply_text(found.rosters.add_names(branch, names))
        return
    binding = found.store.binding_for_branch(branch.id)
    members = await human_member_count(context, binding.chat_id) if binding else None
    overview = found.rosters.overview(branch, found.reports.today(), members)
    keyboard = button_rows((found.rosters.leave_start(branch),))
    await message.reply_text(overview, reply_markup=keyboard)


async def list_branch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Branch:
    """The branch a 名单 file is for: named in its caption, or the only one the sender leads
    (a `UserError` for anyone who leads none: checked before the file is downloaded)."""
    message = update.effective_message
    assert message is not None
    return await _upload_branch(update, context, (message.caption or "").strip())


def check_list_size(document: Document) -> None:
    """Refuse, before downloading, a file far larger than any 名单."""
    if (document.file_size or 0) > MAX_LIST_BYTES:
        limit = MAX_LIST_BYTES // 2**20
        raise UserError(messages.LIST_TOO_BIG.format(name=document.file_name, limit=limit))


async def install_member_list(
    update: Update, context: ContextTypes.DEFAULT_TYPE, branch: Branch, content: bytes
) -> None:
    """A 名单 file, downloaded: read it and replace the branch's list, all of it or nothing."""
    message = update.effective_message
    assert message is not None and message.document is not None
    # Reading a spreadsheet takes a while: in a worker thread, the loop goes on meanwhile.
    name = message.document.file_name or ""
    entries = await asyncio.to_thread(parse_member_list, name, content)
    await message.reply_text(services(context).rosters.replace_list(branch, entries))


async def pick_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A name button: "this entry is me" (pressing it again changes nothing)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    found = services(context)
    picked = parse_pick(query.data)
    branch = found.organization.config.branch(picked[0]) if picked else None
    if picked is None or branch is None:
        await query.answer(messages.CLAIM_GONE, show_alert=True)
        return
    reply = found.rosters.pick(branch, query.from_user.id, picked[1])
    await query.answer(reply, show_alert=True)
    if query.message is not None and is_private(update):
        await context.bot.send_message(query.message.chat.id, reply)


async def branch_here(
    update: Update, context: ContextTypes.DEFAULT_TYPE, branch_id: str | None
) -> Branch:
    """The group's branch; in private the one named, or the only one the caller leads."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    organization = services(context).organization
    if not is_private(update):
        branch = organization.branch_for_chat(chat.id)
        if branch is None:
            raise UserError(messages.NOT_A_BRANCH_GROUP)
        return branch
    if branch_id is not None:
        return await _named_branch_led(context, user.id, branch_id)
    led = await branches_led(user.id, context)
    if len(led) == 1:
        return led[0]
    example = (led or organization.config.branches)[0].id
    raise UserError(messages.ROSTER_PRIVATE_USAGE.format(example=example))


async def _upload_branch(
    update: Update, context: ContextTypes.DEFAULT_TYPE, caption: str
) -> Branch:
    """The branch a 名单 file is for: named in its caption, or the only one the sender leads."""
    user = update.effective_user
    assert user is not None
    if caption:
        return await _named_branch_led(context, user.id, caption)
    led = await branches_led(user.id, context)
    if not led:
        raise UserError(messages.LIST_NOT_SECRETARY)
    if len(led) > 1:
        raise UserError(messages.LIST_PICK_BRANCH.format(example=led[0].id))
    return led[0]


async def _named_branch_led(
    context: ContextTypes.DEFAULT_TYPE, user_id: int, branch_id: str
) -> Branch:
    """The branch named, if the user leads it (a `UserError` saying which it is otherwise)."""
    config = services(context).organization.config
    branch = config.branch(branch_id)
    if branch is None:
        ids = "、".join(b.id for b in config.branches)
        raise UserError(messages.BIND_UNKNOWN_BRANCH.format(branch_id=branch_id, ids=ids))
    if not await is_secretary_of(user_id, branch.id, context):
        raise UserError(messages.ROSTER_NOT_YOURS.format(branch=branch.name))
    return branch


# 名单 files come through handlers/spreadsheets.py, which tells them from question banks.
HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("roster", roster),
    CallbackQueryHandler(pick_name, pattern=f"^{PICK_PREFIX}"),
]
