"""Private quizzes: /quiz and /review, the buttons before the questions (题数, 题库,
继续, 放弃) and those under them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes

from core.quizzes.choices import CHOICE_PATTERN
from core.quizzes.views import PRIVATE_PREFIX, Press, QuestionView
from handlers.organization.guard import guarded_command
from handlers.quizzes.group_quiz_sender import inline_keyboard
from handlers.quizzes.replies import answer_query
from handlers.services import services


async def take_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quiz [bank|tag] [n]: 继续 or 放弃 an unfinished quiz; the 题数 buttons; or a new quiz."""
    await send_quiz(update, context, context.args or [])


async def send_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    """The member's quiz: 继续 or 放弃 the unfinished one, else a new one as `args` select
    (none: the 题数 buttons first)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    view = services(context).private_quizzes.start(user.id, args)
    await message.reply_text(view.text, reply_markup=inline_keyboard(view.keyboard))


async def review(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/review: the questions the member got wrong (错题本)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    view = services(context).private_quizzes.review(user.id)
    await message.reply_text(view.text, reply_markup=inline_keyboard(view.keyboard))


async def private_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under a private question: grade it, then show the next question or the score."""
    await handle_press(update, context, services(context).private_quizzes.press)


async def choice_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """题数, 题库, 继续 or 放弃: redraw the message as the next step, or start the questions."""
    await handle_press(update, context, services(context).private_quizzes.choose)


async def handle_press(
    update: Update, context: ContextTypes.DEFAULT_TYPE, handle: Callable[[int, str], Press]
) -> None:
    """Let the core `handle` the presser's button, show its answer, send what follows."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    press = handle(query.from_user.id, query.data)
    await show_press(query, press)
    if press.follow_up is not None:
        await send_view(context, query.from_user.id, press.follow_up)


async def show_press(query: CallbackQuery, press: Press) -> None:
    """Answer the press, then update the pressed message as the core says."""
    await answer_query(query, press)
    # The answer is stored already; an old message that can no longer be edited is fine.
    with contextlib.suppress(BadRequest):
        if press.edit_text is not None:
            markup = inline_keyboard(press.keyboard or ())
            await query.edit_message_text(press.edit_text, reply_markup=markup)
        elif press.keyboard is not None:
            await query.edit_message_reply_markup(inline_keyboard(press.keyboard))


async def send_view(context: ContextTypes.DEFAULT_TYPE, chat_id: int, view: QuestionView) -> None:
    """Send a question (with its buttons) or a closing text."""
    await context.bot.send_message(chat_id, view.text, reply_markup=inline_keyboard(view.keyboard))


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("quiz", take_quiz),
    guarded_command("review", review),
    CallbackQueryHandler(private_button, pattern=f"^{PRIVATE_PREFIX}"),
    CallbackQueryHandler(choice_button, pattern=CHOICE_PATTERN),
]
