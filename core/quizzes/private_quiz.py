"""Members taking quizzes privately: /quiz and /review, one question at a time.

No Telegram here: handlers pass in who pressed what, and send the views returned.

Every answer reaches the records exactly once. A private answer advances the
session, updates the member's progress and queues the answer event (the
outbox) in one write of the member's quiz file; the outbox is then appended to
the event records, skipping an answer id already there, and is emptied by the
file's next write. A crash between the two steps leaves the answer in the
outbox, and the next look at that file (or the start-up recovery) appends it.

Every press may come twice: Telegram re-sends the updates a killed bot had not
confirmed. A private button says what it sets (select or unselect an option;
提交 names the selection it showed), so a replay changes nothing. So do the buttons
before the questions (`core/quizzes/choices.py`): 题数 and 题库 name the draw the quiz
takes its id from, 继续 and 放弃 the session they were drawn for.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from core import messages
from core.clock import Clock
from core.config.banks import BankSet, Question
from core.quizzes.choices import (
    THEN_MENU,
    THEN_QUIZ,
    THEN_REVIEW,
    Choice,
    count_keyboard,
    parse_choice,
    resume_keyboard,
    selection_keyboard,
    then_quiz,
)
from core.quizzes.questions import pick_questions
from core.quizzes.views import (
    MAX_COUNT,
    PRIVATE_DATA,
    PRIVATE_PREFIX,
    Keyboard,
    Press,
    QuestionView,
    answer_keyboard,
    candidates_for,
    feedback_text,
    fit,
    parse_selection,
    percent,
    private_action,
    question_text,
    selected_reply,
    selection_title,
)
from core.store.database import ANSWER_ID, Store
from core.store.quiz_records import MemberQuizState
from core.store.quiz_sessions import AnswerRecord, MemberProgress, QuestionKey, QuizSession
from core.store.records import Event

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

# The lines closing a quiz about its points: (member, session id) → text. Reports count
# points (`Reports.quiz_points_text`), and this package may not import them.
QuizPoints = Callable[[int, str], str]


class PrivateQuizzes:
    """/quiz and /review in a private chat: one session per member, surviving restarts."""

    def __init__(
        self,
        store: Store,
        banks: BankSet,
        clock: Clock,
        timezone: ZoneInfo,
        rng: random.Random | None = None,
        points: QuizPoints | None = None,
    ) -> None:
        self._store = store
        self.banks = banks
        self._clock = clock
        self._timezone = timezone
        self._rng = rng or random.Random()
        self._points = points

    def recover(self) -> int:
        """At start-up: append answers a crash left in outboxes; return how many were missing."""
        pending = [event for state in self._store.members_with_outbox() for event in state.outbox]
        return self._store.record_events_once(pending)

    def start(self, user_id: int, args: Sequence[str]) -> QuestionView:
        """/quiz [bank|tag] [n]: with a quiz unfinished, 继续 or 放弃; alone, the 题数
        buttons; else a new quiz of what the words select, unseen questions first."""
        state = load_member(self._store, user_id)
        selection = parse_selection(args, "quiz", self.banks) if args else None
        if state.active_session is not None:
            then = then_quiz(selection[1], selection[0]) if selection else THEN_MENU
            return self._offer_resume(state.active_session, then)
        if selection is None:
            return self._count_menu()
        selector, count = selection
        return self._begin_quiz(state, self._new_id(), selector, count)

    def review(self, user_id: int) -> QuestionView:
        """/review: ask again the questions on the member's review list (错题本)."""
        state = load_member(self._store, user_id)
        if state.active_session is not None:
            return self._offer_resume(state.active_session, THEN_REVIEW)
        return self._begin_review(state)

    def choose(self, user_id: int, data: str) -> Press:
        """A button before the questions: 题数, 题库, 继续 or 放弃 (`core/quizzes/choices.py`).

        A replay finds what the first press did: the draw's quiz started, the session
        past the position 继续 was drawn at, or the session 放弃 names gone.
        """
        choice = parse_choice(data)
        if choice is None:
            return Press(messages.QUIZ_BAD_BUTTON)
        state = load_member(self._store, user_id)
        if choice.kind in ("count", "selection"):
            return self._chosen(state, choice)
        active = state.active_session
        if active is None or active.id != choice.token:
            return Press(messages.QUIZ_SESSION_GONE)
        if choice.kind == "abandon":
            return self._abandon(state, choice)
        if choice.position != active.position:
            return Press(messages.QUIZ_ALREADY_CONTINUED)
        view = self._resume(state)
        return Press("", edit_text=view.text, keyboard=view.keyboard)

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
                return Press(messages.QUIZ_ALREADY_ANSWERED_PRIVATE)
            return Press(messages.QUIZ_BAD_BUTTON)
        question = self._question(session)
        action = private_action(match[4], question) if question else None
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

    def _chosen(self, state: MemberQuizState, choice: Choice) -> Press:
        """题数 or 题库 pressed: the next step, or the quiz the draw starts."""
        session = state.session
        if session is not None and session.id.startswith(choice.token):  # the draw's quiz
            return Press(
                messages.QUIZ_FINISHED if session.finished else messages.QUIZ_CHOICE_STARTED
            )
        active = state.active_session
        if active is not None:  # another quiz began since these buttons were drawn
            then = (
                then_quiz(choice.count, choice.selector)
                if choice.kind == "selection"
                else THEN_MENU
            )
            offer = self._offer_resume(active, then)
            return Press("", edit_text=offer.text, keyboard=offer.keyboard)
        candidates_for(self.banks, None)  # every bank gone since (a reload): say so
        selections = selection_keyboard(self.banks, choice.token, choice.count)
        ask = messages.QUIZ_CHOOSE_SELECTION.format(count=choice.count)
        if choice.kind == "count":
            return Press("", edit_text=ask, keyboard=selections)
        if not self.banks.questions_for(choice.selector):  # gone since it was drawn
            return Press(messages.QUIZ_CHOICE_GONE, edit_text=ask, keyboard=selections)
        # The draw's id begins the session's, and the rest is new: a draw started again
        # (a replay after the member started another quiz) never reuses answer ids.
        session_id = f"{choice.token}{self._rng.getrandbits(16):04x}"
        view = self._begin_quiz(state, session_id, choice.selector, choice.count)
        title = selection_title(self.banks, choice.selector)
        chosen = messages.QUIZ_CHOSEN.format(title=title, count=choice.count)
        return Press("", edit_text=chosen, follow_up=view)

    def _abandon(self, state: MemberQuizState, choice: Choice) -> Press:
        """放弃 pressed on the unfinished session: drop it, then what the button says."""
        # Refuse before dropping anything: no banks, or the one the command named is gone.
        candidates_for(self.banks, choice.selector if choice.then == THEN_QUIZ else None)
        assert state.session is not None
        dropped = replace(state, session=state.session.abandoned())
        self._store.save_member_quiz(dropped)  # the answers given stay recorded
        if choice.then == THEN_MENU:
            menu = self._count_menu()
            text = f"{messages.QUIZ_ABANDONED}\n\n{menu.text}"
            return Press(messages.QUIZ_ABANDONED, edit_text=text, keyboard=menu.keyboard)
        if choice.then == THEN_REVIEW:
            view = self._begin_review(dropped)
        else:
            view = self._begin_quiz(dropped, self._new_id(), choice.selector, choice.count)
        return Press(messages.QUIZ_ABANDONED, edit_text=messages.QUIZ_ABANDONED, follow_up=view)

    def _count_menu(self) -> QuestionView:
        """题数 buttons, naming a new draw (which begins the id of the quiz they start)."""
        candidates_for(self.banks, None)  # no banks at all: say so now
        return QuestionView(messages.QUIZ_CHOOSE_COUNT, count_keyboard(self._new_id()))

    def _offer_resume(self, session: QuizSession, then: str) -> QuestionView:
        text = messages.QUIZ_UNFINISHED.format(
            done=session.position, total=len(session.question_keys)
        )
        return QuestionView(text, resume_keyboard(session, then))

    def _begin_quiz(
        self, state: MemberQuizState, session_id: str, selector: str | None, count: int
    ) -> QuestionView:
        candidates = candidates_for(self.banks, selector)
        picked = pick_questions(candidates, state.member_progress, count, self._rng)
        return self._begin(state, session_id, "private", [q.key for q in picked])

    def _begin_review(self, state: MemberQuizState) -> QuestionView:
        keys = [k for k in state.member_progress.review_list() if self.banks.question(k)]
        if not keys:
            return QuestionView(messages.REVIEW_EMPTY)
        self._rng.shuffle(keys)
        return self._begin(state, self._new_id(), "review", keys[:MAX_COUNT])

    def _begin(
        self, state: MemberQuizState, session_id: str, mode: str, keys: list[QuestionKey]
    ) -> QuestionView:
        session = QuizSession.start(session_id, state.user_id, mode, keys, self._clock())
        return self._current_view(replace(state, session=session), saved=False)

    def _new_id(self) -> str:
        return f"{self._rng.getrandbits(48):012x}"

    def _resume(self, state: MemberQuizState) -> QuestionView:
        view = self._current_view(state, saved=True)
        session = state.active_session
        if session is None or not view.keyboard:  # nothing left to ask: just the score
            return view
        header = messages.QUIZ_RESUMING.format(
            number=session.position + 1, total=len(session.question_keys)
        )
        return replace(view, text=fit(f"{header}\n\n{view.text}"))

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
            edit_text=fit(f"{shown}\n\n{feedback_text(question, chosen)}"),
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
        return QuestionView(fit(text), self._keys(session))

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
            text = self._review_text(session, progress)
        else:
            done = messages.QUIZ_DONE.format(total=total, right=right, rate=percent(right, total))
            hint = (
                messages.QUIZ_DONE_REVIEW_HINT if right < total else messages.QUIZ_DONE_AGAIN_HINT
            )
            text = f"{done}\n{hint}"
        if self._points is None:
            return text
        return f"{text}\n\n{self._points(session.user_id, session.id)}"

    @staticmethod
    def _review_text(session: QuizSession, progress: MemberProgress) -> str:
        """What the review did for the 错题本: the questions it took off, those still on it."""
        right, left = session.correct_count, len(progress.review_list())
        removed = sum(not progress.progress(k).in_review for k in set(session.question_keys))
        text = messages.REVIEW_DONE.format(total=len(session.question_keys), right=right)
        if removed:
            text += messages.REVIEW_REMOVED.format(removed=removed)
        text += messages.REVIEW_LEFT.format(left=left) if left else messages.REVIEW_CLEARED
        # Right answers that left their question on the list: say why it stays.
        return f"{text}\n{messages.REVIEW_RULE}" if right > removed and left else text

    def _branch_of(self, user_id: int) -> str | None:
        person = self._store.person(user_id)
        active = sorted(m.branch_id for m in person.memberships if m.active) if person else []
        return active[0] if active else None
