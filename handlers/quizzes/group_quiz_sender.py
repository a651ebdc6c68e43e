"""Group quizzes on top of python-telegram-bot: polls and buttons out, polls stopped on time.

Implements the scheduler's `GroupQuizStarter` (a `quiz:` schedule) and serves
/groupquiz; both start the same core `GroupQuizzes`.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Poll
from telegram.error import TelegramError

from core.config.branches import Branch
from core.config.schedules import QuizAction
from core.delivery import DeliveryError, MaybeDelivered, Messenger, TryLater, Undeliverable
from core.errors import UserError
from core.organization.branches import Notice
from core.quizzes.group_quiz import GroupQuestionView, GroupQuizPlan, GroupQuizzes
from core.quizzes.views import Keyboard
from core.store.quiz_records import BUTTONS, GroupQuiz
from handlers.telegram_messenger import TelegramMessenger, translate

log = logging.getLogger(__name__)


def inline_keyboard(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """The core's rows of buttons as Telegram's inline keyboard (None: no buttons)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )


class TelegramGroupQuizzes:
    """Sends group quizzes through the bot and closes them when the scheduler says so."""

    def __init__(
        self, bot: Bot, quizzes: GroupQuizzes, messenger: Messenger | None = None
    ) -> None:
        self._bot = bot
        self.quizzes = quizzes
        self._messenger = messenger or TelegramMessenger(bot)  # paces and translates

    async def start_group_quiz(
        self, branch: Branch, chat_id: int, action: QuizAction, at: datetime
    ) -> int:
        """A `quiz:` schedule is due: send its quiz; return the intro message's id."""
        open_for = timedelta(hours=action.open_hours)
        try:
            plan = self.quizzes.create(branch, chat_id, action.bank, action.count, open_for)
        except UserError as error:  # e.g. the bank was refused at start-up
            raise Undeliverable(error.message) from error
        return await self.send(plan)

    async def start(
        self,
        branch: Branch,
        chat_id: int,
        selector: str | None,
        count: int,
        open_for: timedelta,
        command: str,
    ) -> int:
        """/groupquiz: the same, with the secretary's choice of questions."""
        plan = self.quizzes.create(branch, chat_id, selector, count, open_for, command)
        return await self.send(plan)

    async def send(self, plan: GroupQuizPlan) -> int:
        """The intro, then each question; every message is stored as soon as it is out.

        Raises `DeliveryError` if anything failed; the questions already out stay open.
        """
        quiz = plan.quiz
        try:
            intro = await self._bot.send_message(quiz.chat_id, plan.intro)
        except TelegramError as error:
            self.quizzes.cancel(quiz.id)
            raise translate(error) from error
        self.quizzes.intro_sent(quiz.id, intro.message_id)
        failure: TelegramError | None = None
        for view in plan.questions:
            try:
                message_id, poll_id = await self._send_question(quiz.chat_id, view)
            except TelegramError as error:
                failure = error
                break
            self.quizzes.question_sent(quiz.id, view.index, message_id, poll_id)
        self.quizzes.opened(quiz.id)
        if failure is not None:
            raise translate(failure) from failure
        return intro.message_id

    async def close_due(self) -> list[Notice]:
        """Close the quizzes whose time is up: stop the polls, record, post the summary.

        The summary goes the way of a scheduled push (`Dispatcher._claim_and_send`): a
        send slot first, then the claim, then the send, then the outcome recorded. It is
        never posted twice; one that may not have arrived is reported to the admins.
        """
        notices = []
        for due in self.quizzes.due_closes():
            quiz = self.quizzes.begin_close(due.id)
            await self._stop_answers(quiz)
            await self._messenger.wait_turn(quiz.chat_id)
            summary = self.quizzes.finish_close(quiz.id)
            if summary is None:
                continue  # claimed already
            try:
                message_id = await self._messenger.send(quiz.chat_id, summary)
            except TryLater:
                self.quizzes.summary_later(quiz.id)
            except MaybeDelivered:
                notices.append(self.quizzes.summary_uncertain(quiz.id))
            except DeliveryError as error:
                notices.append(self.quizzes.summary_failed(quiz.id, str(error)))
            else:
                self.quizzes.summary_posted(quiz.id, message_id)
        return notices

    async def _send_question(
        self, chat_id: int, view: GroupQuestionView
    ) -> tuple[int, str | None]:
        if view.delivery == BUTTONS:
            message = await self._bot.send_message(
                chat_id, view.text, reply_markup=inline_keyboard(view.keyboard)
            )
            return message.message_id, None
        # PTB types option ids as Literal[0..11]; banks allow six options at most (A–F).
        correct: Any = view.correct_option_ids
        message = await self._bot.send_poll(
            chat_id,
            view.text,
            view.options,
            is_anonymous=False,  # answers must come back with the member who gave them
            type=Poll.QUIZ,
            allows_multiple_answers=view.multiple,
            allows_revoting=False,  # only the first answer counts, so offer no change
            correct_option_ids=correct,
            # Votes still name the options in the order sent, so grading is by the bank's.
            shuffle_options=view.shuffle,
            explanation=view.explanation or None,
            open_period=view.open_period,
        )
        assert message.poll is not None
        return message.message_id, message.poll.id

    async def _stop_answers(self, quiz: GroupQuiz) -> None:
        # Best effort: a poll Telegram already closed (open_period) or a deleted message
        # changes nothing, since the quiz no longer takes answers anyway.
        for question in quiz.questions:
            if question.message_id is None:
                continue
            with contextlib.suppress(TelegramError):
                if question.poll_id is not None:
                    await self._bot.stop_poll(quiz.chat_id, question.message_id)
                else:
                    await self._bot.edit_message_reply_markup(
                        quiz.chat_id, question.message_id, reply_markup=None
                    )
