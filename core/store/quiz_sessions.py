"""Quiz sessions, answers and each member's review list (错题本), as the store keeps them.

All state is frozen dataclasses: every change returns a new value, and
`to_dict` / `from_dict` turn each one into JSON-ready data for the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

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


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without time zone: {text!r}")
    return moment


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

    def to_event_data(self) -> dict[str, Any]:
        """The `Event.data` payload (user, branch and time live on the event itself)."""
        return {
            "bank": self.bank_id,
            "question": self.question_id,
            "chosen": list(self.chosen),
            "correct": self.correct,
            "mode": self.mode,
        }

    @classmethod
    def from_event_data(
        cls, data: Mapping[str, Any], user_id: int, branch_id: str | None, at: datetime
    ) -> AnswerRecord:
        """Rebuild a record from an event's payload and its envelope."""
        return cls(
            user_id=user_id,
            branch_id=branch_id,
            bank_id=str(data["bank"]),
            question_id=str(data["question"]),
            chosen=tuple(str(c) for c in data["chosen"]),
            correct=bool(data["correct"]),
            mode=str(data["mode"]),
            at=at,
        )

    def to_event(self) -> Event:
        """The event to store."""
        data = self.to_event_data()
        return Event(ANSWER_EVENT_KIND, self.branch_id, self.at, self.user_id, data)

    @classmethod
    def from_event(cls, event: Event) -> AnswerRecord:
        """The record an answer event holds."""
        if event.kind != ANSWER_EVENT_KIND or event.user_id is None:
            raise ValueError(f"not a quiz answer event: {event.kind!r}")
        return cls.from_event_data(event.data, event.user_id, event.branch_id, event.at)


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "answered": self.times_answered,
            "right": self.times_right,
            "streak": self.right_streak,
            "last_right_day": self.last_right_day.isoformat() if self.last_right_day else None,
            "in_review": self.in_review,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuestionProgress:
        """The inverse of `to_dict`."""
        day = data.get("last_right_day")
        return cls(
            times_answered=int(data["answered"]),
            times_right=int(data["right"]),
            right_streak=int(data["streak"]),
            last_right_day=date.fromisoformat(day) if day else None,
            in_review=bool(data["in_review"]),
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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; question keys become 'bank/question'."""
        return {
            "user_id": self.user_id,
            "questions": {key_to_text(k): p.to_dict() for k, p in sorted(self.questions.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MemberProgress:
        """The inverse of `to_dict`."""
        questions = {
            key_from_text(text): QuestionProgress.from_dict(progress)
            for text, progress in data.get("questions", {}).items()
        }
        return cls(user_id=int(data["user_id"]), questions=questions)


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.id,
            "user_id": self.user_id,
            "mode": self.mode,
            "questions": [key_to_text(k) for k in self.question_keys],
            "position": self.position,
            "pending": sorted(self.pending),
            "correct_count": self.correct_count,
            "started_at": self.started_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuizSession:
        """The inverse of `to_dict`."""
        return cls(
            id=str(data["id"]),
            user_id=int(data["user_id"]),
            mode=str(data["mode"]),
            question_keys=tuple(key_from_text(t) for t in data["questions"]),
            position=int(data["position"]),
            pending=frozenset(int(i) for i in data["pending"]),
            correct_count=int(data["correct_count"]),
            started_at=_aware(data["started_at"]),
        )
