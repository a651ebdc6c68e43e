"""Quizzes: /quiz and /review in private, /groupquiz in branch groups, buttons, poll answers."""

from __future__ import annotations

import contextlib
import logging

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ContextTypes,
    PollAnswerHandler,
)

from core import messages
from core.delivery import DeliveryError
from core.errors import UserError
from core.quizzes.quizzing import (
    GROUP_PREFIX,
    GROUP_QUIZ_OPEN,
    PRIVATE_PREFIX,
    Press,
    QuestionView,
    parse_selection,
)
from handlers.errors import is_expired_press
from handlers.organization.guard import guarded_command
from handlers.organization.people import chat_user
from handlers.quizzes.group_quiz_sender import inline_keyboard
from handlers.services import services

log = logging.getLogger(__name__)


async def take_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quiz [bank|tag] [n]: resume the unfinished quiz, or start a new one."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    view = services(context).private_quizzes.start(user.id, context.args or [])
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
    query = update.callback_query
    if query is None or query.data is None:
        return
    press = services(context).private_quizzes.press(query.from_user.id, query.data)
    await show_press(query, press)
    if press.follow_up is not None:
        await send_view(context, query.from_user.id, press.follow_up)


async def group_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/groupquiz [bank|tag] [n] in a branch group (secretaries): polls for everyone."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    found = services(context)
    branch = found.organization.branch_for_chat(chat.id)
    if branch is None:
        raise UserError(messages.NOT_A_BRANCH_GROUP)
    command = f"{chat.id}:{message.message_id}"
    if found.group_quizzes.quizzes.already_started(chat.id, command):
        if update.edited_message is not None:
            raise UserError(messages.GROUP_QUIZ_COMMAND_EDITED)
        # Telegram sent the command again: the bot was killed before confirming it.
        log.info("/groupquiz message %s came again after a restart: not resent", command)
        return
    selector, count = parse_selection(
        context.args or [], "groupquiz", found.group_quizzes.quizzes.banks
    )
    try:
        await found.group_quizzes.start(branch, chat.id, selector, count, GROUP_QUIZ_OPEN, command)
    except DeliveryError as error:
        raise UserError(messages.GROUP_QUIZ_SEND_FAILED.format(reason=error)) from error


async def group_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under a group question too long for a poll: one answer per member."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    quizzes = services(context).group_quizzes.quizzes
    press = quizzes.press(query.from_user.id, query.message.chat.id, query.data, query.id)
    await answer_query(query, press)


async def poll_answered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A vote in a quiz poll; it carries no chat, so the poll id finds the group quiz."""
    answer = update.poll_answer
    if answer is None or answer.user is None:  # a vote on behalf of a chat is nobody's answer
        return
    found = services(context)
    quiz = found.group_quizzes.quizzes.record_poll_answer(
        answer.poll_id, answer.user.id, answer.option_ids
    )
    if quiz is not None:  # answering counts as activity in the group, like speaking
        found.organization.seen_in_group(quiz.chat_id, chat_user(answer.user))


async def show_press(query: CallbackQuery, press: Press) -> None:
    """Answer the press, then update the pressed message as the core says."""
    await answer_query(query, press)
    # The answer is stored already; an old message that can no longer be edited is fine.
    with contextlib.suppress(BadRequest):
        if press.edit_text is not None:
            await query.edit_message_text(press.edit_text, reply_markup=None)
        elif press.keyboard is not None:
            await query.edit_message_reply_markup(inline_keyboard(press.keyboard))


async def answer_query(query: CallbackQuery, press: Press) -> None:
    """Show the press's short answer. The press is recorded already, so a refused answer
    must not stop the quiz: one too old to answer (redelivered) is expected, others logged."""
    try:
        await query.answer(press.reply, show_alert=press.alert)
    except BadRequest as error:
        if not is_expired_press(error):
            log.warning("Telegram refused the answer to a quiz press: %s", error)


async def send_view(context: ContextTypes.DEFAULT_TYPE, chat_id: int, view: QuestionView) -> None:
    """Send a question (with its buttons) or a closing text."""
    await context.bot.send_message(chat_id, view.text, reply_markup=inline_keyboard(view.keyboard))


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("quiz", take_quiz),
    guarded_command("review", review),
    guarded_command("groupquiz", group_quiz),
    CallbackQueryHandler(private_button, pattern=f"^{PRIVATE_PREFIX}"),
    CallbackQueryHandler(group_button, pattern=f"^{GROUP_PREFIX}"),
    PollAnswerHandler(poll_answered),
]
