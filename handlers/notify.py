"""Messages to the bot's admins about things a human must act on."""

from __future__ import annotations

import logging

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.services import services

log = logging.getLogger(__name__)


async def notify_admins(context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    """Send `text` to every admin who can be reached privately; log the rest."""
    for admin_id in sorted(services(context).settings.admin_ids):
        try:
            await context.bot.send_message(admin_id, text)
        except TelegramError as error:
            log.warning("Could not notify admin %s (%s): %s", admin_id, error, text)
