"""Members taking quizzes: privately one question at a time, or together in a branch group.

No Telegram here: handlers pass in who pressed what, and send the views returned.

Every answer reaches the records exactly once. A private answer advances the
session, updates the member's progress and queues the answer event (the
outbox) in one write of the member's quiz file; the outbox is then appended to
the event records, skipping an answer id already there, and is emptied by the
file's next write. A crash between the two steps leaves the answer in the
outbox, and the next look at that file (or the start-up recovery) appends it.
A group answer is one write of its group quiz; when the quiz closes, its answers
go to the records the same idempotent way and into each answerer's progress.

Every press may come twice: Telegram re-sends the updates a killed bot had not
confirmed. A private button says what it sets (select or unselect an option;
提交 names the selection it showed), and a group toggle is applied once per
callback query, so a replay changes nothing. The summary of a group quiz is
claimed before it is posted, so it is posted at most once, and a claim a crash
cut off is reported to the admins.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.banks import LETTERS, POLL_MAX_EXPLANATION, BankSet, Question, QuestionType
from core.config.branches import Branch
from core.delivery import Button
from core.errors import UserError
from core.organization.branches import Notice, Organization
from core.quizzes.questions import pick_questions
from core.store.database import ANSWER_ID, Store
from core.store.quiz_records import (
    BUTTONS,
    MULTIPLE_POLL,
    OPEN_STATUSES,
    QUIZ_POLL,
    REMEMBERED_PRESSES,
    SUMMARY_FAILED,
    SUMMARY_SENT,
    SUMMARY_UNCERTAIN,
    GroupAnswer,
    GroupQuestion,
    GroupQuiz,
    MemberQuizState,
)
from core.store.quiz_sessions import AnswerRecord, MemberProgress, QuestionKey, QuizSession
from core.store.records import Event

PRIVATE_PREFIX = "q:"
GROUP_PREFIX = "g:"
DEFAULT_COUNT = 5
MAX_COUNT = 20
# /groupquiz is for a meeting or a study session: an hour, not the scheduled quizzes' day.
GROUP_QUIZ_OPEN = timedelta(hours=1)
# Telegram closes a poll by itself only within 600 seconds (open_period); longer quizzes
# are stopped by the scheduler's rounds at their stored close time.
MAX_POLL_OPEN_PERIOD = 600
MIN_POLL_OPEN_PERIOD = 5
MAX_POLL_QUESTION = 300
MAX_MESSAGE = 4096
MAX_CALLBACK_DATA = 64  # bytes, Telegram's limit
SUBMIT = "s"
TOGGLE = "t"
SELECT, UNSELECT = "+", "-"
# q:<user>:<session>:<position>:<action>: an option index (answer), +<index> / -<index>
# (select / unselect a multiple-choice option) or s<hex> (submit the options the buttons
# showed selected, as a bit mask). Buttons drawn before they said what they set carry
# t<index> or a bare s: pressing one only redraws the buttons.
PRIVATE_DATA = re.compile(
    r"q:(\d{1,15}):([0-9a-f]{1,16}):(\d{1,3}):(s[0-9a-f]{0,2}|[-+t]?\d)", re.ASCII
)
NUMBER = re.compile(r"-?\d{1,6}", re.ASCII)
# g:<quiz>:<question>:<action>: an option index (answer), t<index> (toggle the presser's
# selection: the message is the same for everyone) or s (submit it).
GROUP_DATA = re.compile(r"g:(\d{4}-[0-9a-f]{8}):(\d{1,2}):(s|t?\d)", re.ASCII)

Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class QuestionView:
    """A message to send: a question with its buttons, or a closing text without any."""

    text: str
    keyboard: Keyboard = ()


@dataclass(frozen=True)
class Press:
    """What a button press changes: the short answer shown to the presser, and the messages."""

    reply: str
    alert: bool = False
    edit_text: str | None = None  # new text of the pressed message, its buttons removed
    keyboard: Keyboard | None = None  # new buttons of the pressed message, text unchanged
    follow_up: QuestionView | None = None  # the next question, or the score


@dataclass(frozen=True)
class GroupQuestionView:
    """One question of a group quiz as it goes out: a poll, or a message with buttons."""

    index: int
    delivery: str  # QUIZ_POLL | MULTIPLE_POLL | BUTTONS
    text: str  # the poll's question, or the whole message for BUTTONS
    options: tuple[str, ...] = ()
    correct_option_ids: tuple[int, ...] = ()
    explanation: str = ""
    open_period: int | None = None
    keyboard: Keyboard = ()


@dataclass(frozen=True)
class GroupQuizPlan:
    """A new group quiz (already stored) and the messages that start it, in order."""

    quiz: GroupQuiz
    intro: str
    questions: tuple[GroupQuestionView, ...]


@dataclass(frozen=True)
class _Action:
    kind: str  # "answer" | "toggle" | "select" | "unselect" | "submit" | "outdated"
    option: int = -1
    shown: frozenset[int] = frozenset()  # a private 提交: the selection its buttons showed


# --- choosing questions ---------------------------------------------------------


def parse_selection(args: Sequence[str], command: str, banks: BankSet) -> tuple[str | None, int]:
    """`[bank-id|tag] [n]` from a command's words: (selector, None meaning all; count)."""
    words = list(args)
    if len(words) > 2 or (len(words) == 2 and not NUMBER.fullmatch(words[1])):
        raise UserError(_usage(command, banks))
    count = DEFAULT_COUNT
    # A lone number is a count, unless a bank or tag is called that.
    if (
        words
        and NUMBER.fullmatch(words[-1])
        and (len(words) == 2 or not banks.questions_for(words[0]))
    ):
        count = int(words.pop())
        if not 1 <= count <= MAX_COUNT:
            raise UserError(messages.QUIZ_BAD_COUNT.format(max=MAX_COUNT, command=command))
    selector = words[0] if words else None
    candidates_for(banks, selector)  # refuse an unknown selector now, with the choices
    return selector, count


def candidates_for(banks: BankSet, selector: str | None) -> list[Question]:
    """The questions a selector names; a `UserError` listing the choices when none."""
    if not banks.banks:
        raise UserError(messages.QUIZ_NO_BANKS)
    candidates = banks.questions_for(selector)
    if not candidates:
        raise UserError(
            messages.QUIZ_UNKNOWN_SELECTOR.format(
                selector=selector,
                banks="、".join(f"{b.id}（{b.title}）" for b in banks.banks),
                tags="、".join(sorted(banks.tags())) or messages.NOBODY,
            )
        )
    return candidates


def selection_title(banks: BankSet, selector: str | None) -> str:
    """How a selection is named to members: the bank's title, the tag, or 综合."""
    if selector is None:
        return messages.QUIZ_ALL_TITLE
    bank = banks.bank(selector)
    return bank.title if bank else selector


def _usage(command: str, banks: BankSet) -> str:
    example = banks.banks[0].id if banks.banks else "discipline-basics"
    return messages.QUIZ_USAGE.format(
        command=command, max=MAX_COUNT, default=DEFAULT_COUNT, example=example
    )


# --- showing questions ---------------------------------------------------------------


def question_text(question: Question, number: int, total: int) -> str:
    """A question as members read it: header, text, lettered options (never shuffled)."""
    kind = messages.QUIZ_TYPE_NAMES[question.type.value]
    parts = [
        messages.QUIZ_QUESTION.format(number=number, total=total, kind=kind, text=question.text)
    ]
    if question.type is not QuestionType.JUDGE:
        parts.append(
            "\n".join(
                messages.QUIZ_OPTION_LINE.format(letter=LETTERS[i], option=option)
                for i, option in enumerate(question.options)
            )
        )
    if question.type is QuestionType.MULTIPLE:
        parts.append(messages.QUIZ_MULTIPLE_HINT)
    return "\n\n".join(parts)


def answer_keyboard(
    question: Question, data: Callable[[str], str], selected: frozenset[int] | None = None
) -> Keyboard:
    """Option buttons (A, B … or 对 / 错); multiple choice selects, then 提交.

    With `selected` (a private question) each option is marked ☑/☐ and its button says
    what it sets, and 提交 names the selection shown: a press handled twice, or one on
    buttons drawn before the last change, cannot change the answer. None shows no marks,
    for a group message whose selection differs for everyone: there an option toggles
    the presser's selection, once per press (`GroupQuizzes.press`).
    """
    labels = question.labels(range(len(question.options)))
    if question.type is not QuestionType.MULTIPLE:
        return (tuple(Button(label, data(str(i))) for i, label in enumerate(labels)),)
    if selected is None:
        options = [Button(label, data(f"{TOGGLE}{i}")) for i, label in enumerate(labels)]
        return (tuple(options), (Button(messages.QUIZ_SUBMIT, data(SUBMIT)),))
    options = [
        Button(f"{messages.QUIZ_CHECKED} {label}", data(f"{UNSELECT}{i}"))
        if i in selected
        else Button(f"{messages.QUIZ_UNCHECKED} {label}", data(f"{SELECT}{i}"))
        for i, label in enumerate(labels)
    ]
    submit = f"{SUBMIT}{sum(1 << i for i in selected):x}"
    return (tuple(options), (Button(messages.QUIZ_SUBMIT, data(submit)),))


def feedback_text(question: Question, chosen: frozenset[int]) -> str:
    """Right or wrong, the correct answer, the explanation and the source."""
    right = question.is_correct(chosen)
    return messages.QUIZ_FEEDBACK.format(
        verdict=messages.QUIZ_RIGHT if right else messages.QUIZ_WRONG,
        chosen=question.letters(chosen),
        answer=question.letters(question.answer),
        explanation=question.explanation,
        source=question.source,
    )


def selected_reply(question: Question, pending: frozenset[int]) -> str:
    """What a toggle press answers: the options selected so far."""
    if not pending:
        return messages.QUIZ_SELECTED_NONE
    return messages.QUIZ_SELECTED.format(chosen=question.letters(pending))


def _fit(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _group_action(action: str, question: Question) -> _Action | None:
    multiple = question.type is QuestionType.MULTIPLE
    if action == SUBMIT:
        return _Action("submit") if multiple else None
    option = int(action.removeprefix(TOGGLE))
    if option >= len(question.options) or multiple != action.startswith(TOGGLE):
        return None
    return _Action("toggle" if multiple else "answer", option)


def _private_action(action: str, question: Question) -> _Action | None:
    multiple = question.type is QuestionType.MULTIPLE
    count = len(question.options)
    if action.startswith(SUBMIT):
        if not multiple:
            return None
        if action == SUBMIT:
            return _Action("outdated")
        mask = int(action.removeprefix(SUBMIT), 16)
        if mask >> count:
            return None
        return _Action("submit", shown=frozenset(i for i in range(count) if mask >> i & 1))
    option = int(action.lstrip(SELECT + UNSELECT + TOGGLE))
    if option >= count or multiple == action[0].isdigit():
        return None
    kinds = {TOGGLE: "outdated", SELECT: "select", UNSELECT: "unselect"}
    return _Action(kinds.get(action[0], "answer"), option)


def _rate(right: int, total: int) -> int:
    return round(100 * right / total) if total else 0


# --- each member's quiz file -------------------------------------------------------------


def load_member(store: Store, user_id: int) -> MemberQuizState:
    """A member's quiz state, its outbox first appended to the records (idempotently).

    The returned state has an empty outbox, so the next write empties it on disk.
    """
    state = store.member_quiz(user_id)
    if state.outbox:
        store.record_events_once(state.outbox)
    return replace(state, outbox=())


def answer_event(record: AnswerRecord, answer_id: str) -> Event:
    """The record's event, carrying the id that keeps it from being recorded twice."""
    event = record.to_event()
    return replace(event, data={**event.data, ANSWER_ID: answer_id})


# --- private quizzes ----------------------------------------------------------------------


class PrivateQuizzes:
    """/quiz and /review in a private chat: one session per member, surviving restarts."""

    def __init__(
        self,
        store: Store,
        banks: BankSet,
        clock: Clock,
        timezone: ZoneInfo,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self.banks = banks
        self._clock = clock
        self._timezone = timezone
        self._rng = rng or random.Random()

    def recover(self) -> int:
        """At start-up: append answers a crash left in outboxes; return how many were missing."""
        pending = [event for state in self._store.members_with_outbox() for event in state.outbox]
        return self._store.record_events_once(pending)

    def start(self, user_id: int, args: Sequence[str]) -> QuestionView:
        """/quiz [bank|tag] [n]: resume the unfinished session, else start one, unseen first."""
        state = load_member(self._store, user_id)
        if state.active_session is not None:
            return self._resume(state)
        selector, count = parse_selection(args, "quiz", self.banks)
        candidates = candidates_for(self.banks, selector)
        picked = pick_questions(candidates, state.member_progress, count, self._rng)
        return self._begin(state, "private", [q.key for q in picked])

    def review(self, user_id: int) -> QuestionView:
        """/review: ask again the questions on the member's review list (错题本)."""
        state = load_member(self._store, user_id)
        if state.active_session is not None:
            return self._resume(state)
        keys = [k for k in state.member_progress.review_list() if self.banks.question(k)]
        if not keys:
            return QuestionView(messages.REVIEW_EMPTY)
        self._rng.shuffle(keys)
        return self._begin(state, "review", keys[:MAX_COUNT])

    def press(self, user_id: int, data: str) -> Press:
        """A button under a question; anything stale, foreign or forged records nothing.

        Handling a press twice changes nothing more: an answer moves the session on, so
        its replay finds the question answered; an option's button sets it rather than
        flipping it; 提交 grades only the selection its buttons showed.
        """
        match = PRIVATE_DATA.fullmatch(data)
        if match is None:
            return Press(messages.QUIZ_BAD_BUTTON)
        owner, session_id, position = int(match[1]), match[2], int(match[3])
        if owner != user_id:
            return Press(messages.QUIZ_NOT_YOURS)
        state = load_member(self._store, user_id)
        session = state.session
        if session is None or session.id != session_id or session.finished:
            return Press(messages.QUIZ_FINISHED)
        if position != session.position:
            if position < session.position:
                return Press(messages.QUIZ_ALREADY_ANSWERED)
            return Press(messages.QUIZ_BAD_BUTTON)
        question = self._question(session)
        action = _private_action(match[4], question) if question else None
        if question is None or action is None:
            return Press(messages.QUIZ_BAD_BUTTON)
        if action.kind == "outdated":  # its effect depends on what it was drawn from
            return Press(messages.QUIZ_BUTTONS_REDRAWN, keyboard=self._keys(session))
        if action.kind in ("select", "unselect"):
            selected = session.select(action.option, action.kind == "select")
            if selected != session:
                self._store.save_member_quiz(replace(state, session=selected))
            reply = selected_reply(question, selected.pending)
            return Press(reply, keyboard=self._keys(selected))
        if action.kind == "submit" and action.shown != session.pending:
            # Drawn before a change it does not show (an edit that never arrived, or a
            # press faster than the edit): grade nothing the member did not see.
            chosen_now = question.letters(session.pending) if session.pending else messages.NOBODY
            reply = messages.QUIZ_SELECTION_CHANGED.format(chosen=chosen_now)
            return Press(reply, alert=True, keyboard=self._keys(session))
        chosen = session.pending if action.kind == "submit" else frozenset({action.option})
        if not chosen:
            return Press(messages.QUIZ_CHOOSE_FIRST)
        return self._answer(state, session, question, chosen)

    # --- steps -----------------------------------------------------------------

    def _begin(self, state: MemberQuizState, mode: str, keys: list[QuestionKey]) -> QuestionView:
        session_id = f"{self._rng.getrandbits(48):012x}"
        session = QuizSession.start(session_id, state.user_id, mode, keys, self._clock())
        return self._current_view(replace(state, session=session), saved=False)

    def _resume(self, state: MemberQuizState) -> QuestionView:
        view = self._current_view(state, saved=True)
        session = state.active_session
        if session is None or not view.keyboard:  # nothing left to ask: just the score
            return view
        header = messages.QUIZ_RESUMING.format(
            number=session.position + 1, total=len(session.question_keys)
        )
        return replace(view, text=_fit(f"{header}\n\n{view.text}"))

    def _answer(
        self,
        state: MemberQuizState,
        session: QuizSession,
        question: Question,
        chosen: frozenset[int],
    ) -> Press:
        now = self._clock()
        correct = question.is_correct(chosen)
        record = AnswerRecord(
            user_id=state.user_id,
            branch_id=self._branch_of(state.user_id),
            bank_id=question.bank_id,
            question_id=question.id,
            chosen=question.labels(chosen),
            correct=correct,
            mode=session.mode,
            at=now,
        )
        event = answer_event(record, f"{session.id}:{session.position}")
        progress = state.member_progress.record(
            question.key, correct, now.astimezone(self._timezone).date()
        )
        answered = replace(
            state, session=session.answered(correct), progress=progress, outbox=(event,)
        )
        self._store.save_member_quiz(answered)  # session, progress and outbox: one write
        self._store.record_events_once(answered.outbox)
        shown = question_text(question, session.position + 1, len(session.question_keys))
        reply = (
            messages.QUIZ_REPLY_RIGHT
            if correct
            else messages.QUIZ_REPLY_WRONG.format(answer=question.letters(question.answer))
        )
        return Press(
            reply,
            edit_text=_fit(f"{shown}\n\n{feedback_text(question, chosen)}"),
            follow_up=self._current_view(replace(answered, outbox=()), saved=True),
        )

    def _current_view(self, state: MemberQuizState, *, saved: bool) -> QuestionView:
        """The session's current question (skipping ones no longer in the banks), or the score."""
        session = state.session
        assert session is not None
        skipped = False
        while not session.finished and self._question(session) is None:
            session, skipped = session.answered(False), True
        if skipped or not saved:
            self._store.save_member_quiz(replace(state, session=session))
        if session.finished:
            return QuestionView(self._score_text(session, state.member_progress))
        question = self._question(session)
        assert question is not None
        text = question_text(question, session.position + 1, len(session.question_keys))
        return QuestionView(_fit(text), self._keys(session))

    def _keys(self, session: QuizSession) -> Keyboard:
        question = self._question(session)
        assert question is not None
        prefix = f"{PRIVATE_PREFIX}{session.user_id}:{session.id}:{session.position}:"
        return answer_keyboard(question, lambda action: prefix + action, session.pending)

    def _question(self, session: QuizSession) -> Question | None:
        key = session.current_key
        return self.banks.question(key) if key else None

    def _score_text(self, session: QuizSession, progress: MemberProgress) -> str:
        total, right = len(session.question_keys), session.correct_count
        if session.mode == "review":
            left = len(progress.review_list())
            text = messages.REVIEW_DONE.format(total=total, right=right, left=left)
            return f"{text}\n{messages.REVIEW_RULE}" if left else text
        text = messages.QUIZ_DONE.format(total=total, right=right, rate=_rate(right, total))
        hint = messages.QUIZ_DONE_REVIEW_HINT if right < total else messages.QUIZ_DONE_AGAIN_HINT
        return f"{text}\n{hint}"

    def _branch_of(self, user_id: int) -> str | None:
        person = self._store.person(user_id)
        active = sorted(m.branch_id for m in person.memberships if m.active) if person else []
        return active[0] if active else None


# --- group quizzes ---------------------------------------------------------------------------


def delivery_for(question: Question) -> str:
    """How a question goes to a group: quiz poll, multiple-answer poll, or buttons."""
    if not question.fits_native_poll:
        return BUTTONS
    return MULTIPLE_POLL if question.type is QuestionType.MULTIPLE else QUIZ_POLL


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
        seconds = int(open_for.total_seconds())
        open_period = seconds if MIN_POLL_OPEN_PERIOD <= seconds <= MAX_POLL_OPEN_PERIOD else None
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
                quiz.status not in OPEN_STATUSES
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
            if quiz.status not in OPEN_STATUSES:
                return None, Press(messages.GROUP_QUIZ_CLOSED)
            asked = quiz.questions[index]
            if user_id in asked.answers:  # a later press, or 提交 delivered again
                return None, Press(messages.QUIZ_ALREADY_ANSWERED)
            question = self.banks.question(asked.key)
            action = _group_action(action_text, question) if question else None
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
        return Notice(text)

    def summary_failed(self, quiz_id: str, reason: str) -> Notice:
        """Telegram refused the summary: the admins get it instead."""
        quiz = self._update(
            quiz_id, lambda q: replace(q, status="closed", summary_status=SUMMARY_FAILED)
        )
        text = messages.GROUP_QUIZ_SUMMARY_UNDELIVERED.format(
            branch=self.branch_name(quiz), reason=reason, summary=self.summary_text(quiz)
        )
        return Notice(text)

    def recover(self) -> list[Notice]:
        """At start-up: a summary a crash left claimed is uncertain, reported once."""
        now = self._clock()
        claimed = [
            q.id for q in self._store.unfinished_group_quizzes(now) if q.status == "summarizing"
        ]
        return [self.summary_uncertain(quiz_id) for quiz_id in claimed]

    def summary_text(self, quiz: GroupQuiz) -> str:
        """How many answered, the correct rate of each question, who got everything right."""
        lines = []
        for number, question in enumerate(quiz.questions, start=1):
            answered = len(question.answers)
            right = sum(a.correct for a in question.answers.values())
            if answered:
                rate = _rate(right, answered)
                line = messages.GROUP_QUIZ_SUMMARY_LINE.format(
                    number=number, rate=rate, right=right, answered=answered
                )
            else:
                line = messages.GROUP_QUIZ_SUMMARY_NO_ANSWER.format(number=number)
            lines.append(line)
        people = quiz.answerers()
        perfect = sorted(
            self._name(user)
            for user in people
            if all(user in q.answers and q.answers[user].correct for q in quiz.questions)
        )
        return messages.GROUP_QUIZ_SUMMARY.format(
            branch=self.branch_name(quiz),
            title=quiz.title,
            people=len(people),
            lines="\n".join(lines),
            perfect_count=len(perfect),
            perfect="、".join(perfect) or messages.NOBODY,
        )

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
                _fit(question_text(question, number, total)),
                keyboard=answer_keyboard(question, lambda action: prefix + action),
            )
        suffix = messages.GROUP_QUIZ_POLL_MULTIPLE if delivery == MULTIPLE_POLL else ""
        candidates = (f"{number}/{total} {question.text}{suffix}", question.text + suffix)
        text = next((t for t in candidates if len(t) <= MAX_POLL_QUESTION), question.text)
        explanation = ""
        if delivery == QUIZ_POLL:
            with_source = f"{question.explanation}\n{question.source}"
            fits = len(with_source) <= POLL_MAX_EXPLANATION and with_source.count("\n") <= 2
            explanation = with_source if fits else question.explanation
        return GroupQuestionView(
            index,
            delivery,
            text,
            options=question.options,
            correct_option_ids=tuple(sorted(question.answer)) if delivery == QUIZ_POLL else (),
            explanation=explanation,
            open_period=open_period,
        )

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


def _command_digest(command: str) -> str:
    """8 hex digits naming the message that asked for a group quiz."""
    return hashlib.sha1(command.encode()).hexdigest()[:8]
