"""Messages to the bot's admins about things a human must act on."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from core.delivery import Button
from handlers.services import services
from handlers.telegram_messenger import button_rows

log = logging.getLogger(__name__)


async def send_to_admins(
    bot: Bot, admin_ids: Iterable[int], text: str, buttons: Sequence[Button] = ()
) -> None:
    """Send `text` to every admin who can be reached privately; log the rest."""
    markup = button_rows(buttons)
    for admin_id in sorted(admin_ids):
        try:
            await bot.send_message(admin_id, text, reply_markup=markup)
        except TelegramError as error:
            log.warning("Could not notify admin %s (%s): %s", admin_id, error, text)


async def notify_admins(
    context: ContextTypes.DEFAULT_TYPE, text: str, buttons: Sequence[Button] = ()
) -> None:
    """`send_to_admins` from inside a handler or job."""
    await send_to_admins(context.bot, services(context).settings.admin_ids, text, buttons)
