"""The one error handler: user mistakes are answered, bugs are logged and reported."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.ext import ContextTypes

from core import messages
from core.errors import UserError
from handlers.notify import notify_admins

log = logging.getLogger(__name__)

# A fault that recurs on every scheduler round must not message the admins every few seconds.
REPEAT_REPORT_SECONDS = 15 * 60
_last_reported: dict[str, float] = {}


def should_report(error: BaseException, now: float | None = None) -> bool:
    """True when an error is new or was last reported a quiet period ago (it is always logged)."""
    now = time.monotonic() if now is None else now
    key = f"{type(error).__name__}: {error}"
    last = _last_reported.get(key)
    if last is not None and now - last < REPEAT_REPORT_SECONDS:
        return False
    _last_reported[key] = now
    return True


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
    if error is not None and should_report(error):
        await notify_admins(context, messages.ADMIN_ERROR_REPORT.format(error=repr(error)[:300]))
