"""Quiz sessions, answers and each member's review list (错题本), as the store keeps them.

All state is frozen dataclasses: every change returns a new value. Their documents
(`core.store.documents`, declared at the end) keep the first format's short names, and
question keys are written as 'bank/question'.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from cattrs.gen import override

from core.store.documents import converter, declare
from core.store.records import Event

QuestionKey = tuple[str, str]
ANSWER_EVENT_KIND = "quiz_answer"
ANSWER_MODES = ("private", "group", "review")
SESSION_MODES = ("private", "review")
# Two right answers in a row, on different days, take a question off the review list.
STREAK_TO_LEAVE_REVIEW = 2


def key_to_text(key: QuestionKey) -> str:
    """'bank/question': ids never contain '/', so this splits back unambiguously."""
    return f"{key[0]}/{key[1]}"


def key_from_text(text: str) -> QuestionKey:
    """The inverse of `key_to_text`."""
    bank_id, slash, question_id = text.partition("/")
    if not slash or not bank_id or not question_id:
        raise ValueError(f"not a question key: {text!r}")
    return (bank_id, question_id)


def _check_mode(mode: str, allowed: tuple[str, ...]) -> None:
    if mode not in allowed:
        raise ValueError(f"mode must be one of {allowed}, not {mode!r}")


@dataclass(frozen=True)
class AnswerRecord:
    """One answer by one member, as kept in the participation records."""

    user_id: int
    branch_id: str | None
    bank_id: str
    question_id: str
    chosen: tuple[str, ...]
    correct: bool
    mode: str
    at: datetime

    def __post_init__(self) -> None:
        _check_mode(self.mode, ANSWER_MODES)
        if self.at.tzinfo is None:
            raise ValueError("AnswerRecord.at must be time-zone aware")

    @property
    def key(self) -> QuestionKey:
        """(bank id, question id)."""
        return (self.bank_id, self.question_id)

    def to_event(self) -> Event:
        """The event to store."""
        data = converter.unstructure(self)
        return Event(ANSWER_EVENT_KIND, self.branch_id, self.at, self.user_id, data)

    @classmethod
    def from_event(cls, event: Event) -> AnswerRecord:
        """The record an answer event holds."""
        if event.kind != ANSWER_EVENT_KIND or event.user_id is None:
            raise ValueError(f"not a quiz answer event: {event.kind!r}")
        return cls.from_parts(event.data, event.user_id, event.branch_id, event.at)

    @classmethod
    def from_parts(
        cls, data: Mapping[str, Any], user_id: int, branch_id: str | None, at: datetime
    ) -> AnswerRecord:
        """The record from an answer event's data and envelope (its stored document read
        without building the event first)."""
        envelope = {"user_id": user_id, "branch_id": branch_id, "at": at}
        return converter.structure({**data, **envelope}, cls)


@dataclass(frozen=True)
class QuestionProgress:
    """How one member has done on one question."""

    times_answered: int = 0
    times_right: int = 0
    right_streak: int = 0
    last_right_day: date | None = None
    in_review: bool = False

    def after_answer(self, correct: bool, day: date) -> QuestionProgress:
        """The progress after one more answer given on `day` (the member's local date)."""
        if not correct:
            return replace(
                self, times_answered=self.times_answered + 1, right_streak=0, in_review=True
            )
        # Rights on one day count once, so drilling a question today cannot clear it;
        # the first right after a wrong always counts, even on the day of an earlier right.
        counts = self.right_streak == 0 or day != self.last_right_day
        streak = self.right_streak + 1 if counts else self.right_streak
        return QuestionProgress(
            times_answered=self.times_answered + 1,
            times_right=self.times_right + 1,
            right_streak=streak,
            last_right_day=day,
            in_review=self.in_review and streak < STREAK_TO_LEAVE_REVIEW,
        )


@dataclass(frozen=True)
class MemberProgress:
    """One member's progress on every question they have answered."""

    user_id: int
    questions: Mapping[QuestionKey, QuestionProgress] = field(default_factory=dict)

    def progress(self, key: QuestionKey) -> QuestionProgress:
        """Progress on one question (a fresh one if never answered)."""
        return self.questions.get(key) or QuestionProgress()

    def record(self, key: QuestionKey, correct: bool, day: date) -> MemberProgress:
        """The progress after answering `key` on `day`."""
        updated = dict(self.questions)
        updated[key] = self.progress(key).after_answer(correct, day)
        return replace(self, questions=updated)

    def seen(self, key: QuestionKey) -> bool:
        """Whether the member has ever answered this question."""
        return key in self.questions

    def review_list(self) -> list[QuestionKey]:
        """Questions still to review, in key order (stable across saves)."""
        return sorted(key for key, progress in self.questions.items() if progress.in_review)


@dataclass(frozen=True)
class QuizSession:
    """A run of questions answered one by one in a private chat."""

    id: str
    user_id: int
    mode: str
    question_keys: tuple[QuestionKey, ...]
    position: int
    pending: frozenset[int]
    correct_count: int
    started_at: datetime

    def __post_init__(self) -> None:
        _check_mode(self.mode, SESSION_MODES)
        if self.started_at.tzinfo is None:
            raise ValueError("QuizSession.started_at must be time-zone aware")

    @classmethod
    def start(
        cls,
        session_id: str,
        user_id: int,
        mode: str,
        question_keys: Sequence[QuestionKey],
        started_at: datetime,
    ) -> QuizSession:
        """A new session at its first question."""
        return cls(session_id, user_id, mode, tuple(question_keys), 0, frozenset(), 0, started_at)

    @property
    def finished(self) -> bool:
        """Whether every question has been answered."""
        return self.position >= len(self.question_keys)

    @property
    def current_key(self) -> QuestionKey | None:
        """The question being asked, or None once finished."""
        return None if self.finished else self.question_keys[self.position]

    def select(self, option: int, selected: bool = True) -> QuizSession:
        """Set one option of a multiple-choice question on or off before submitting.

        Setting, not flipping: the same press applied twice (Telegram re-sends a press
        the bot had not confirmed before a crash) leaves the selection as once.
        """
        if self.finished:
            return self  # a stale button pressed after the end changes nothing
        pending = self.pending | {option} if selected else self.pending - {option}
        return replace(self, pending=pending)

    def abandoned(self) -> QuizSession:
        """Ended early (放弃): finished, so none of its buttons answers any more, and kept
        on the member's file, so a late press of the menu that started it finds it."""
        return replace(self, position=len(self.question_keys), pending=frozenset())

    def answered(self, correct: bool) -> QuizSession:
        """Move past the current question, counting it if right."""
        if self.finished:
            raise ValueError("the quiz session is already finished")
        return replace(
            self,
            position=self.position + 1,
            pending=frozenset(),
            correct_count=self.correct_count + int(correct),
        )


def _progress_document(questions: Mapping[QuestionKey, QuestionProgress]) -> dict[str, Any]:
    # Sorted as keys, not as text (('a', 'x') before ('a-b', 'x')), as the first format was.
    ordered = sorted(questions.items())
    return {key_to_text(key): converter.unstructure(progress) for key, progress in ordered}


converter.register_unstructure_hook_func(lambda cls: cls == QuestionKey, key_to_text)
converter.register_structure_hook_func(
    lambda cls: cls == QuestionKey, lambda text, _: key_from_text(text)
)
declare(
    AnswerRecord,
    # The event holds who, where and when (a datetime already); its data holds the rest.
    unwritten=["user_id", "branch_id", "at"],
    bank_id=override(rename="bank"),
    question_id=override(rename="question"),
    at=override(struct_hook=lambda at, _: at),
)
declare(
    QuestionProgress,
    times_answered=override(rename="answered"),
    times_right=override(rename="right"),
    right_streak=override(rename="streak"),
)
declare(MemberProgress, questions=override(unstruct_hook=_progress_document))
declare(QuizSession, question_keys=override(rename="questions"))
