"""The one error handler: user mistakes are answered, bugs are logged and reported."""

from __future__ import annotations

import logging
import time

from telegram import CallbackQuery, Message, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from core import messages
from core.errors import UserError
from handlers.notify import notify_admins

log = logging.getLogger(__name__)

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096 characters
ALERT_LIMIT = 200  # a callback answer's alert text
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
        await _answer(query, message, error.message)
        return
    if is_expired_press(error):  # handled, but too late to show the member a reply
        log.info("A button press was handled after Telegram stopped waiting: %s", error)
        return
    log.error("Unhandled error while processing %s", update, exc_info=error)
    await _answer(query, message, messages.UNEXPECTED_ERROR)
    if error is not None and should_report(error):
        await notify_admins(context, messages.ADMIN_ERROR_REPORT.format(error=repr(error)[:300]))


def is_expired_press(error: BaseException | None) -> bool:
    """Telegram waits about 15 s for a button press to be answered (longer after a restart:
    the press is handled once the bot is back, but can no longer be answered)."""
    return isinstance(error, BadRequest) and "query is too old" in error.message.lower()


async def _answer(query: CallbackQuery | None, message: Message | None, text: str) -> None:
    """Tell the user, where they acted; a failure to tell them is logged, never raised."""
    try:
        if query is not None:  # a button press is answered where it was pressed
            await query.answer(_fit(text, ALERT_LIMIT), show_alert=True)
        elif message is not None:
            await message.reply_text(_fit(text, MESSAGE_LIMIT))
    except TelegramError as failure:
        log.warning("Could not answer the user (%s): %s", failure, text[:200])


def _fit(text: str, limit: int) -> str:
    # A message may echo what the user typed; Telegram refuses anything past its limit.
    return text if len(text) <= limit else text[: limit - 1] + "…"
