"""Group quizzes: /groupquiz in a branch group, the buttons under questions too long for a
poll, and poll answers."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, ContextTypes, PollAnswerHandler

from core import messages
from core.delivery import DeliveryError
from core.errors import UserError
from core.quizzes.views import GROUP_PREFIX, parse_group_selection
from handlers.organization.guard import guarded_command
from handlers.organization.people import chat_user
from handlers.quizzes.replies import answer_query
from handlers.services import services

log = logging.getLogger(__name__)


async def group_quiz(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/groupquiz [bank|tag] [n] [时长] in a branch group (secretaries): polls for everyone."""
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
    selector, count, open_for = parse_group_selection(
        context.args or [],
        found.group_quizzes.quizzes.banks,
        found.organization.config.group_quiz_duration,
    )
    try:
        await found.group_quizzes.start(branch, chat.id, selector, count, open_for, command)
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


HANDLERS: list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]] = [
    guarded_command("groupquiz", group_quiz),
    CallbackQueryHandler(group_button, pattern=f"^{GROUP_PREFIX}"),
    PollAnswerHandler(poll_answered),
]
