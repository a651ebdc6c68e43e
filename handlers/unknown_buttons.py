"""The last word on button presses: anything no other handler took is answered.

An unanswered press keeps the member's button spinning for about 15 s. Presses reach
this handler when their data is unknown: a button from an older version of the bot,
one whose feature was removed, or forged data.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core import messages


async def answer_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the member the button no longer works (instead of letting it spin)."""
    query = update.callback_query
    if query is not None:
        await query.answer(messages.BUTTON_EXPIRED)


# Registered after every other handler of its group: it matches every press.
HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    CallbackQueryHandler(answer_unknown_button),
]
