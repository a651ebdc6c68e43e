"""What the store keeps for quizzes: each member's quiz file and each group quiz.

Their documents (`core.store.documents`, declared at the end) are their fields, but for
the first format's short names of a question's bank and id, a group quiz's questions
written last, and a member's user id, which is the file's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cattrs.gen import make_dict_unstructure_fn, override

from core.store.documents import converter, declare
from core.store.quiz_sessions import MemberProgress, QuestionKey, QuizSession
from core.store.records import Event

# How a group question is sent: a Telegram quiz poll (multiple choice too), or a message
# with buttons when Telegram's poll limits do not fit. Quizzes stored before quiz polls took
# several correct options sent multiple choice as a regular multiple-answer poll
# (MULTIPLE_POLL); those still close and are graded like the others, by the bot.
QUIZ_POLL, MULTIPLE_POLL, BUTTONS = "quiz_poll", "multiple_poll", "buttons"
# sending → open → closing → summarizing → closed; cancelled when nothing could be sent.
# `summarizing` claims the summary: a crash leaves it there, and the start-up recovery
# reports it as uncertain instead of posting it a second time.
OPEN_STATUSES = ("sending", "open")
UNFINISHED_STATUSES = ("sending", "open", "closing", "summarizing")
# What became of a closed quiz's summary (like a push's status).
SUMMARY_SENT, SUMMARY_UNCERTAIN, SUMMARY_FAILED = "sent", "uncertain", "failed"
# Callback query ids of the toggles applied to a member's selection, kept so that a press
# Telegram delivers again (after a kill) is not applied twice; a crash replays only the
# last few updates, so a few dozen are plenty.
REMEMBERED_PRESSES = 32
# Group quizzes already counted in a member's progress; kept for a re-run of a close.
REMEMBERED_GROUP_QUIZZES = 20


@dataclass(frozen=True)
class MemberQuizState:
    """One member's quiz file: session, progress and answers not yet in the records.

    All three change together in one write, so an answer can never advance the
    session without also being queued for the records (the outbox).
    """

    user_id: int
    session: QuizSession | None = None
    progress: MemberProgress | None = None
    outbox: tuple[Event, ...] = ()
    group_quizzes: tuple[str, ...] = ()  # group quizzes already counted in `progress`

    @property
    def member_progress(self) -> MemberProgress:
        """The progress (empty for a member who never answered)."""
        return self.progress or MemberProgress(self.user_id)

    @property
    def active_session(self) -> QuizSession | None:
        """The session still being answered, if any."""
        return self.session if self.session and not self.session.finished else None

    def counted_group_quiz(self, quiz_id: str) -> MemberQuizState:
        """A copy remembering that `quiz_id`'s answers are in the progress."""
        recent = (*self.group_quizzes, quiz_id)[-REMEMBERED_GROUP_QUIZZES:]
        return replace(self, group_quizzes=recent)


@dataclass(frozen=True)
class GroupAnswer:
    """A member's first answer to one question of a group quiz."""

    chosen: tuple[str, ...]
    correct: bool
    at: datetime


@dataclass(frozen=True)
class GroupQuestion:
    """One question of a group quiz, where it was sent and who answered it."""

    bank_id: str
    question_id: str
    delivery: str  # QUIZ_POLL | BUTTONS (| MULTIPLE_POLL, stored by earlier releases)
    poll_id: str | None = None
    message_id: int | None = None
    answers: Mapping[int, GroupAnswer] = field(default_factory=dict)
    selecting: Mapping[int, frozenset[int]] = field(default_factory=dict)  # buttons, multiple
    presses: Mapping[int, tuple[str, ...]] = field(default_factory=dict)  # toggles applied

    @property
    def key(self) -> QuestionKey:
        """(bank id, question id)."""
        return (self.bank_id, self.question_id)


@dataclass(frozen=True)
class GroupQuiz:
    """A quiz sent to a branch group; answers are kept here until it closes."""

    id: str
    branch_id: str
    chat_id: int
    title: str
    started_at: datetime
    closes_at: datetime
    status: str
    questions: tuple[GroupQuestion, ...]
    intro_message_id: int | None = None
    summary_status: str = ""  # SUMMARY_SENT | SUMMARY_UNCERTAIN | SUMMARY_FAILED once closed
    summary_message_id: int | None = None

    def answer_id(self, index: int, user_id: int) -> str:
        """The dedup id of one answer in the records: poll and user, else quiz, question, user."""
        poll_id = self.questions[index].poll_id
        return f"{poll_id}:{user_id}" if poll_id else f"{self.id}/{index}:{user_id}"

    def with_question(self, index: int, question: GroupQuestion) -> GroupQuiz:
        """A copy with one question replaced."""
        questions = list(self.questions)
        questions[index] = question
        return replace(self, questions=tuple(questions))

    def answerers(self) -> list[int]:
        """Everyone who answered at least one question, by user id."""
        return sorted({user for q in self.questions for user in q.answers})


declare(MemberQuizState, unwritten=["user_id"])
declare(GroupQuestion, bank_id=override(rename="bank"), question_id=override(rename="question"))
_group_quiz_fields = make_dict_unstructure_fn(GroupQuiz, converter)


def _group_quiz_document(quiz: GroupQuiz) -> dict[str, Any]:
    document = _group_quiz_fields(quiz)
    document["questions"] = document.pop("questions")  # last, where the first format had them
    return document


converter.register_unstructure_hook(GroupQuiz, _group_quiz_document)
