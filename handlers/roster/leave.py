"""/leave 张三 2026-11 病假: a secretary records (or cancels) a member's leave."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes

from core.roster.leave import parse_leave
from handlers.organization.guard import branches_led, guarded_command, is_private
from handlers.roster.member_list import branch_here
from handlers.services import services


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


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("leave", leave),
]
