"""Answering a quiz button press, private or group: the short reply under the spinner."""

from __future__ import annotations

import logging

from telegram import CallbackQuery
from telegram.error import BadRequest

from core.quizzes.views import Press
from handlers.errors import is_expired_press

log = logging.getLogger(__name__)


async def answer_query(query: CallbackQuery, press: Press) -> None:
    """Show the press's short answer. The press is recorded already, so a refused answer
    must not stop the quiz: one too old to answer (redelivered) is expected, others logged."""
    try:
        await query.answer(press.reply or None, show_alert=press.alert)
    except BadRequest as error:
        if not is_expired_press(error):
            log.warning("Telegram refused the answer to a quiz press: %s", error)
