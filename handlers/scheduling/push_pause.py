"""暂停该支部推送 under the admins' digest of undeliverable pushes, and 恢复推送 under the
pause's reply and /branches. A button says the state it sets
(core/scheduling/unbound_digest.py)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages
from core.errors import UserError
from core.scheduling.unbound_digest import (
    PAUSE_PREFIX,
    parse_pause_press,
    pause_button,
    resume_button,
)
from handlers.organization.guard import admin_press
from handlers.services import services
from handlers.telegram_messenger import button_rows


async def pause_pushes(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin pauses or resumes a branch's pushes; a repeated press only says the state."""
    query = admin_press(update, context, messages.PUSH_PAUSE_NOT_ADMIN)
    if query is None or query.data is None:
        return
    found = services(context)
    press = parse_pause_press(query.data)
    branch = found.organization.config.branch(press.branch_id) if press else None
    if press is None or branch is None:
        raise UserError(messages.PUSH_PAUSE_UNKNOWN)
    if not found.store.set_pushes_paused(branch.id, press.paused):
        same = messages.PUSH_ALREADY_PAUSED if press.paused else messages.PUSH_NOT_PAUSED
        await query.answer(same.format(branch=branch.name), show_alert=True)
        return
    await query.answer()
    if press.paused:
        text = messages.PUSH_PAUSED.format(branch=branch.name)
        markup = button_rows([resume_button(branch.id, branch.name)])
    else:
        text = messages.PUSH_RESUMED.format(branch=branch.name)
        markup = button_rows([pause_button(branch.id, branch.name)])
    await context.bot.send_message(query.from_user.id, text, reply_markup=markup)


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    CallbackQueryHandler(pause_pushes, pattern=f"^{PAUSE_PREFIX}"),
]
