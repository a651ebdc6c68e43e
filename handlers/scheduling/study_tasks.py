"""The 学完了 button under a study task."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core.scheduling.study_tasks import CALLBACK_PREFIX
from handlers.organization.people import chat_user
from handlers.services import services


async def study_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the press once; the message's count is refreshed by the scheduler's rounds."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    dispatcher = services(context).dispatcher
    task_id = query.data.removeprefix(CALLBACK_PREFIX)
    completion = dispatcher.study.complete(task_id, chat_user(query.from_user))
    await query.answer(completion.reply)
    if completion.newly_done:
        await dispatcher.refresh_count(task_id)


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    CallbackQueryHandler(study_done, pattern=f"^{CALLBACK_PREFIX}"),
]
