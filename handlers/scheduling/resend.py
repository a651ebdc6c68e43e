"""补发: the button under a notice of pushes that may not have arrived."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages
from core.scheduling.dispatcher import RESEND_PREFIX
from handlers.organization.guard import admin_press
from handlers.services import services
from handlers.telegram_messenger import button_rows


async def resend_push(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """补发: an admin found an uncertain push missing from its group."""
    query = admin_press(update, context, messages.RESEND_NOT_ADMIN)
    if query is None or query.data is None:
        return
    found = services(context)
    await query.answer()
    outcome = await found.dispatcher.resend(query.data.removeprefix(RESEND_PREFIX))
    markup = button_rows(outcome.buttons)  # timed out again: a new button to press
    await context.bot.send_message(query.from_user.id, outcome.text, reply_markup=markup)


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    CallbackQueryHandler(resend_push, pattern=f"^{RESEND_PREFIX}"),
]
