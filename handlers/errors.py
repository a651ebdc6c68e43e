"""The one error handler: user mistakes are answered, bugs are logged and reported."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ContextTypes

from core import messages
from core.errors import UserError
from handlers.notify import notify_admins

log = logging.getLogger(__name__)


async def handle_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with a `UserError`'s message; log anything else with its traceback and tell admins."""
    error = context.error
    query = update.callback_query if isinstance(update, Update) else None
    message = update.effective_message if isinstance(update, Update) else None
    if isinstance(error, UserError):
        if query is not None:  # a button press is answered where it was pressed
            await query.answer(error.message, show_alert=True)
        elif message is not None:
            await message.reply_text(error.message)
        return
    log.error("Unhandled error while processing %s", update, exc_info=error)
    if query is not None:
        await query.answer(messages.UNEXPECTED_ERROR, show_alert=True)
    elif message is not None:
        await message.reply_text(messages.UNEXPECTED_ERROR)
    await notify_admins(context, messages.ADMIN_ERROR_REPORT.format(error=repr(error)[:300]))
