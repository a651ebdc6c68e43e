"""Members taking a quiz together in a branch group: polls, or buttons for a question
that does not fit one.

No Telegram here: handlers pass in who pressed what, and send the views returned.

Every answer reaches the records exactly once. A group answer is one write of its
group quiz; when the quiz closes, its answers go to the records the same idempotent
way as a private answer's (`private_quiz.answer_event`) and into each answerer's
progress.

Every press may come twice: Telegram re-sends the updates a killed bot had not
confirmed. A group toggle is applied once per callback query, so a replay changes
nothing. The summary of a group quiz is claimed before it is posted, so it is posted
at most once, and a claim a crash cut off is reported to the admins.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.banks import LETTERS, POLL_MAX_EXPLANATION, BankSet, Question, QuestionType
from core.config.branches import Branch
from core.organization.branches import Notice, Organization
from core.quizzes.private_quiz import answer_event, load_member
from core.quizzes.questions import pick_questions
from core.quizzes.views import (
    GROUP_DATA,
    GROUP_PREFIX,
    Keyboard,
    Press,
    answer_keyboard,
    candidates_for,
    fit,
    group_action,
    percent,
    question_text,
    selected_reply,
    selection_title,
    shorten,
)
from core.store.database import Store
from core.store.quiz_records import (
    BUTTONS,
    OPEN_STATUSES,
    QUIZ_POLL,
    REMEMBERED_PRESSES,
    SUMMARY_FAILED,
    SUMMARY_SENT,
    SUMMARY_UNCERTAIN,
    GroupAnswer,
    GroupQuestion,
    GroupQuiz,
)
from core.store.quiz_sessions import AnswerRecord, MemberProgress
from core.store.records import Event

# Telegram closes a poll by itself after its open_period (5 s to about 30 days), so a poll
# closes with its quiz even while the bot is down; the scheduler's rounds still stop every
# question at the stored close time, record the answers and post the summary.
MIN_POLL_OPEN_PERIOD, MAX_POLL_OPEN_PERIOD = 5, 2_628_000
MAX_POLL_QUESTION = 300
SUMMARY_NAME_LENGTH = 20  # a question or option as the summary names it


@dataclass(frozen=True)
class GroupQuestionView:
    """One question of a group quiz as it goes out: a poll, or a message with buttons."""

    index: int
    delivery: str  # QUIZ_POLL | BUTTONS
    text: str  # the poll's question, or the whole message for BUTTONS
    options: tuple[str, ...] = ()
    correct_option_ids: tuple[int, ...] = ()  # in the bank's order, as Telegram reports votes
    multiple: bool = False  # a quiz poll with several correct options
    shuffle: bool = False  # Telegram shows the options in random order
    explanation: str = ""
    open_period: int | None = None
    keyboard: Keyboard = ()


@dataclass(frozen=True)
class GroupQuizPlan:
    """A new group quiz (already stored) and the messages that start it, in order."""

    quiz: GroupQuiz
    intro: str
    questions: tuple[GroupQuestionView, ...]


# --- group quizzes ---------------------------------------------------------------------------


def delivery_for(question: Question) -> str:
    """How a question goes to a group: a quiz poll (multiple choice too), or buttons.

    Quizzes stored by earlier releases may hold MULTIPLE_POLL questions: regular polls,
    graded like every poll by the bot from the options voted.
    """
    return QUIZ_POLL if question.fits_native_poll else BUTTONS


def poll_open_period(open_for: timedelta) -> int | None:
    """The open_period of a quiz's polls: all of it, within what Telegram allows."""
    seconds = int(open_for.total_seconds())
    return min(seconds, MAX_POLL_OPEN_PERIOD) if seconds >= MIN_POLL_OPEN_PERIOD else None


class GroupQuizzes:
    """Quizzes in branch groups: started by /groupquiz or a `quiz:` schedule, closed on time."""

    def __init__(
        self,
        organization: Organization,
        banks: BankSet,
        clock: Clock,
        timezone: ZoneInfo,
        rng: random.Random | None = None,
    ) -> None:
        self._organization = organization
        self.banks = banks
        self._clock = clock
        self._timezone = timezone
        self._rng = rng or random.Random()

    @property
    def _store(self) -> Store:
        return self._organization.store

    # --- starting ------------------------------------------------------------

    def create(
        self,
        branch: Branch,
        chat_id: int,
        selector: str | None,
        count: int,
        open_for: timedelta,
        command: str | None = None,
    ) -> GroupQuizPlan:
        """Pick the questions and store the quiz (status `sending`); return what to send.

        ``command`` names the chat message that asked for the quiz (see `already_started`).
        """
        candidates = candidates_for(self.banks, selector)
        picked = pick_questions(candidates, MemberProgress(0), count, self._rng)
        now = self._clock()
        quiz = GroupQuiz(
            id=self._new_id(command),
            branch_id=branch.id,
            chat_id=chat_id,
            title=selection_title(self.banks, selector),
            started_at=now,
            closes_at=now + open_for,
            status="sending",
            questions=tuple(GroupQuestion(q.bank_id, q.id, delivery_for(q)) for q in picked),
        )
        self._store.save_group_quiz(quiz)
        intro = messages.GROUP_QUIZ_INTRO.format(
            branch=branch.name,
            title=quiz.title,
            count=len(picked),
            closes=messages.format_due(quiz.closes_at.astimezone(self._timezone)),
        )
        open_period = poll_open_period(open_for)
        views = tuple(
            self._view(quiz, index, question, open_period) for index, question in enumerate(picked)
        )
        return GroupQuizPlan(quiz, intro, views)

    def already_started(self, chat_id: int, command: str) -> bool:
        """Whether the message ``command`` already started a quiz in this chat.

        Telegram sends a message again if the bot was killed before confirming it; the
        quiz it started then must not be sent a second time.
        """
        quiz = self._store.group_quiz(self._quiz_id(_command_digest(command)))
        return quiz is not None and quiz.chat_id == chat_id

    def intro_sent(self, quiz_id: str, message_id: int) -> None:
        """The intro message went out."""
        self._update(quiz_id, lambda quiz: replace(quiz, intro_message_id=message_id))

    def question_sent(
        self, quiz_id: str, index: int, message_id: int, poll_id: str | None
    ) -> None:
        """A question went out: remember its message and poll (answers find the quiz by it)."""

        def sent(quiz: GroupQuiz) -> GroupQuiz:
            question = replace(quiz.questions[index], message_id=message_id, poll_id=poll_id)
            return quiz.with_question(index, question)

        self._update(quiz_id, sent)

    def opened(self, quiz_id: str) -> None:
        """Every question went out (or as many as could)."""
        self._update(quiz_id, lambda quiz: replace(quiz, status="open"))

    def cancel(self, quiz_id: str) -> None:
        """Nothing could be sent: the quiz never existed for the group."""
        self._update(quiz_id, lambda quiz: replace(quiz, status="cancelled"))

    # --- answers -----------------------------------------------------------------

    def record_poll_answer(
        self, poll_id: str, user_id: int, option_ids: Sequence[int]
    ) -> GroupQuiz | None:
        """A vote in one of the quiz polls: the first per member and question is kept.

        Returns the quiz the poll belongs to (None for a poll the bot does not know).
        """
        found = self._store.group_quiz_for_poll(poll_id, self._clock())
        if found is None:
            return None
        chosen = frozenset(option_ids)

        def first_answer(quiz: GroupQuiz) -> tuple[GroupQuiz | None, GroupQuiz]:
            index = next(i for i, q in enumerate(quiz.questions) if q.poll_id == poll_id)
            question = self.banks.question(quiz.questions[index].key)
            if (
                not self._open(quiz)
                or user_id in quiz.questions[index].answers  # a second vote, or a replay
                or question is None
                or not chosen  # a retracted vote
                or not all(0 <= i < len(question.options) for i in chosen)
            ):
                return None, quiz
            return self._answered(quiz, index, user_id, question, chosen), quiz

        return self._store.change_group_quiz(found.id, first_answer)

    def press(self, user_id: int, chat_id: int, data: str, press_id: str) -> Press:
        """A button under a group question that did not fit a poll.

        ``press_id`` is the callback query's id, the same when Telegram delivers the
        press again: a toggle already applied under it is not applied twice (the
        buttons are the same for everyone, so they cannot say what they set).
        """
        match = GROUP_DATA.fullmatch(data)
        if match is None:
            return Press(messages.GROUP_QUIZ_BAD_BUTTON)
        index, action_text = int(match[2]), match[3]

        def pressed(quiz: GroupQuiz) -> tuple[GroupQuiz | None, Press]:
            if (
                quiz.chat_id != chat_id
                or index >= len(quiz.questions)
                or quiz.questions[index].delivery != BUTTONS
            ):
                return None, Press(messages.GROUP_QUIZ_BAD_BUTTON)
            if not self._open(quiz):
                return None, Press(messages.GROUP_QUIZ_CLOSED)
            asked = quiz.questions[index]
            if user_id in asked.answers:  # a later press, or 提交 delivered again
                return None, Press(messages.QUIZ_ALREADY_ANSWERED)
            question = self.banks.question(asked.key)
            action = group_action(action_text, question) if question else None
            if question is None or action is None:
                return None, Press(messages.GROUP_QUIZ_BAD_BUTTON)
            pending = asked.selecting.get(user_id, frozenset())
            if action.kind == "toggle":
                applied = asked.presses.get(user_id, ())
                if press_id in applied:  # delivered again after a kill
                    return None, Press(selected_reply(question, pending))
                pending = pending ^ {action.option}
                toggled = replace(
                    asked,
                    selecting={**asked.selecting, user_id: pending},
                    presses={
                        **asked.presses,
                        user_id: (*applied, press_id)[-REMEMBERED_PRESSES:],
                    },
                )
                return quiz.with_question(index, toggled), Press(selected_reply(question, pending))
            chosen = pending if action.kind == "submit" else frozenset({action.option})
            if not chosen:
                return None, Press(messages.QUIZ_CHOOSE_FIRST)
            answered = self._answered(quiz, index, user_id, question, chosen)
            if question.is_correct(chosen):
                return answered, Press(messages.QUIZ_REPLY_RIGHT, alert=True)
            answer = question.letters(question.answer)
            return answered, Press(messages.QUIZ_REPLY_WRONG.format(answer=answer), alert=True)

        outcome = self._store.change_group_quiz(match[1], pressed)
        return outcome or Press(messages.GROUP_QUIZ_BAD_BUTTON)

    # --- closing -------------------------------------------------------------------

    def due_closes(self) -> list[GroupQuiz]:
        """Quizzes whose close time has come, including a close a crash interrupted.

        A quiz whose summary is claimed is not among them: its summary is being posted,
        or a crash cut it off and `recover` reports it.
        """
        now = self._clock()
        return [
            q
            for q in self._store.unfinished_group_quizzes(now)
            if q.closes_at <= now and q.status != "summarizing"
        ]

    def begin_close(self, quiz_id: str) -> GroupQuiz:
        """Stop taking answers (the polls are stopped next)."""
        return self._update(quiz_id, lambda quiz: replace(quiz, status="closing"))

    def finish_close(self, quiz_id: str) -> str | None:
        """Answers into the records and each answerer's progress, once; then claim the
        summary (status `summarizing`) and return it, or None if it was claimed before.

        Recording is idempotent, so a close interrupted by a crash is simply redone; the
        claim is taken once, so the summary is posted at most once. Send it, then say
        how that went: `summary_posted`, `summary_later`, `summary_uncertain`, `summary_failed`.
        """
        quiz = self._store.group_quiz(quiz_id)
        assert quiz is not None
        if quiz.status != "closing":
            return None
        self._store.record_events_once(self._events(quiz))
        for user_id in quiz.answerers():
            self._count_in_progress(quiz, user_id)

        def claim(current: GroupQuiz) -> tuple[GroupQuiz | None, str | None]:
            if current.status != "closing":
                return None, None
            return replace(current, status="summarizing"), self.summary_text(current)

        return self._store.change_group_quiz(quiz_id, claim)

    def summary_posted(self, quiz_id: str, message_id: int) -> None:
        """Telegram took the summary: the quiz is closed."""
        self._update(
            quiz_id,
            lambda quiz: replace(
                quiz, status="closed", summary_status=SUMMARY_SENT, summary_message_id=message_id
            ),
        )

    def summary_later(self, quiz_id: str) -> None:
        """Nothing went out (Telegram unreachable, flood wait): the next round tries again."""
        self._update(quiz_id, lambda quiz: replace(quiz, status="closing"))

    def summary_uncertain(self, quiz_id: str) -> Notice:
        """The summary may or may not be in the group: never posted again; tell the admins."""
        quiz = self._update(
            quiz_id, lambda q: replace(q, status="closed", summary_status=SUMMARY_UNCERTAIN)
        )
        text = messages.GROUP_QUIZ_SUMMARY_UNCERTAIN.format(
            branch=self.branch_name(quiz), summary=self.summary_text(quiz)
        )
        return Notice(fit(text))  # a summary near the limit, with the notice before it

    def summary_failed(self, quiz_id: str, reason: str) -> Notice:
        """Telegram refused the summary: the admins get it instead."""
        quiz = self._update(
            quiz_id, lambda q: replace(q, status="closed", summary_status=SUMMARY_FAILED)
        )
        text = messages.GROUP_QUIZ_SUMMARY_UNDELIVERED.format(
            branch=self.branch_name(quiz), reason=reason, summary=self.summary_text(quiz)
        )
        return Notice(fit(text))

    def recover(self) -> list[Notice]:
        """At start-up: a summary a crash left claimed is uncertain, reported once."""
        now = self._clock()
        claimed = [
            q.id for q in self._store.unfinished_group_quizzes(now) if q.status == "summarizing"
        ]
        return [self.summary_uncertain(quiz_id) for quiz_id in claimed]

    def summary_text(self, quiz: GroupQuiz) -> str:
        """Each question (shortened) with its answer and correct rate, who got everything
        right, and the explanation of the question fewest got right; one message at most."""
        lines = [
            self._summary_line(number, asked)
            for number, asked in enumerate(quiz.questions, start=1)
        ]
        people = quiz.answerers()
        perfect = sorted(
            self._name(user)
            for user in people
            if all(user in q.answers and q.answers[user].correct for q in quiz.questions)
        )
        text = messages.GROUP_QUIZ_SUMMARY.format(
            branch=self.branch_name(quiz),
            title=quiz.title,
            people=len(people),
            lines="\n".join(lines),
            perfect_count=len(perfect),
            perfect="、".join(perfect) or messages.NOBODY,
        )
        hardest = self._hardest(quiz)
        return fit(f"{text}\n\n{hardest}" if hardest else text)

    def branch_name(self, quiz: GroupQuiz) -> str:
        """The name of the quiz's branch (its id if no longer declared)."""
        branch = self._organization.config.branch(quiz.branch_id)
        return branch.name if branch else quiz.branch_id

    # --- helpers ---------------------------------------------------------------------

    def _view(
        self, quiz: GroupQuiz, index: int, question: Question, open_period: int | None
    ) -> GroupQuestionView:
        number, total = index + 1, len(quiz.questions)
        delivery = quiz.questions[index].delivery
        if delivery == BUTTONS:
            prefix = f"{GROUP_PREFIX}{quiz.id}:{index}:"
            return GroupQuestionView(
                index,
                delivery,
                fit(question_text(question, number, total)),
                keyboard=answer_keyboard(question, lambda action: prefix + action),
            )
        multiple = question.type is QuestionType.MULTIPLE
        suffix = messages.GROUP_QUIZ_POLL_MULTIPLE if multiple else ""
        candidates = (f"{number}/{total} {question.text}{suffix}", question.text + suffix)
        text = next((t for t in candidates if len(t) <= MAX_POLL_QUESTION), question.text)
        with_source = "\n".join(filter(None, (question.explanation, question.source)))
        fits = len(with_source) <= POLL_MAX_EXPLANATION and with_source.count("\n") <= 2
        return GroupQuestionView(
            index,
            delivery,
            text,
            options=question.options,
            correct_option_ids=tuple(sorted(question.answer)),
            multiple=multiple,
            shuffle=question.shuffle,
            explanation=with_source if fits else question.explanation,
            open_period=open_period,
        )

    def _summary_line(self, number: int, asked: GroupQuestion) -> str:
        question = self.banks.question(asked.key)
        name = messages.GROUP_QUIZ_QUESTION_GONE
        answer = "—"
        if question is not None:
            name, answer = shorten(question.text, SUMMARY_NAME_LENGTH), _answer_text(question)
        right, answered = _score(asked)
        if not answered:
            return messages.GROUP_QUIZ_SUMMARY_NO_ANSWER.format(
                number=number, question=name, answer=answer
            )
        return messages.GROUP_QUIZ_SUMMARY_LINE.format(
            number=number,
            question=name,
            answer=answer,
            rate=percent(right, answered),
            right=right,
            answered=answered,
        )

    def _hardest(self, quiz: GroupQuiz) -> str | None:
        """The explanation of the answered question with the lowest correct rate (the first
        of equals); None when nobody answered or every answer was right."""
        hardest: tuple[float, int, Question] | None = None
        for number, asked in enumerate(quiz.questions, start=1):
            right, answered = _score(asked)
            question = self.banks.question(asked.key)
            if not answered or question is None:
                continue
            if hardest is None or right / answered < hardest[0]:
                hardest = (right / answered, number, question)
        if hardest is None or hardest[0] == 1:
            return None
        rate, number, question = hardest
        return messages.GROUP_QUIZ_SUMMARY_HARDEST.format(
            number=number,
            rate=round(100 * rate),  # as `percent` rounds it
            explanation=question.explanation,
            source=question.source,
        )

    def _open(self, quiz: GroupQuiz) -> bool:
        """Whether answers are still taken: not closed, and its time not up (the close
        itself may wait, e.g. for quiet hours to end)."""
        return quiz.status in OPEN_STATUSES and self._clock() < quiz.closes_at

    def _answered(
        self, quiz: GroupQuiz, index: int, user_id: int, question: Question, chosen: frozenset[int]
    ) -> GroupQuiz:
        """The quiz with the member's answer to one question (their selection dropped)."""
        asked = quiz.questions[index]
        answer = GroupAnswer(question.labels(chosen), question.is_correct(chosen), self._clock())
        answered = replace(
            asked,
            answers={**asked.answers, user_id: answer},
            selecting={user: s for user, s in asked.selecting.items() if user != user_id},
            presses={user: p for user, p in asked.presses.items() if user != user_id},
        )
        return quiz.with_question(index, answered)

    def _events(self, quiz: GroupQuiz) -> list[Event]:
        events = []
        for index, question in enumerate(quiz.questions):
            for user_id, answer in sorted(question.answers.items()):
                record = AnswerRecord(
                    user_id=user_id,
                    branch_id=quiz.branch_id,
                    bank_id=question.bank_id,
                    question_id=question.question_id,
                    chosen=answer.chosen,
                    correct=answer.correct,
                    mode="group",
                    at=answer.at,
                )
                events.append(answer_event(record, quiz.answer_id(index, user_id)))
        return events

    def _count_in_progress(self, quiz: GroupQuiz, user_id: int) -> None:
        state = load_member(self._store, user_id)
        if quiz.id in state.group_quizzes:
            return  # counted before a crash interrupted the close
        progress = state.member_progress
        for question in quiz.questions:
            answer = question.answers.get(user_id)
            if answer is not None:
                day = answer.at.astimezone(self._timezone).date()
                progress = progress.record(question.key, answer.correct, day)
        self._store.save_member_quiz(replace(state, progress=progress).counted_group_quiz(quiz.id))

    def _new_id(self, command: str | None) -> str:
        """Derived from the asking message, else random; never an existing quiz's."""
        if command is not None:
            quiz_id = self._quiz_id(_command_digest(command))
            if self._store.group_quiz(quiz_id) is None:  # else another chat's, hashed alike
                return quiz_id
        while True:
            quiz_id = self._quiz_id(f"{self._rng.getrandbits(32):08x}")
            if self._store.group_quiz(quiz_id) is None:
                return quiz_id

    def _quiz_id(self, suffix: str) -> str:
        """A group quiz id: the month (its file's folder), then 8 hex digits."""
        return f"{self._clock().astimezone(self._timezone):%y%m}-{suffix}"

    def _update(self, quiz_id: str, change: Callable[[GroupQuiz], GroupQuiz]) -> GroupQuiz:
        def changed(quiz: GroupQuiz) -> tuple[GroupQuiz, GroupQuiz]:
            updated = change(quiz)
            return updated, updated

        updated = self._store.change_group_quiz(quiz_id, changed)
        assert updated is not None, f"unknown group quiz {quiz_id}"
        return updated

    def _name(self, user_id: int) -> str:
        person = self._store.person(user_id)
        return person.report_name if person else str(user_id)


def _score(asked: GroupQuestion) -> tuple[int, int]:
    """(right, answered) of one question."""
    return sum(a.correct for a in asked.answers.values()), len(asked.answers)


def _answer_text(question: Question) -> str:
    """The correct answer as the summary names it: 对 / 错, or each letter with its option."""
    if question.type is QuestionType.JUDGE:
        return question.letters(question.answer)
    return "、".join(
        f"{LETTERS[i]}. {shorten(question.options[i], SUMMARY_NAME_LENGTH)}"
        for i in sorted(question.answer)
    )


def _command_digest(command: str) -> str:
    """8 hex digits naming the message that asked for a group quiz."""
    return hashlib.sha1(command.encode()).hexdigest()[:8]
