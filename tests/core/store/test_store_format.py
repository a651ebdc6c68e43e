"""The files in `data/` keep their format: a data folder written by each format
(`tests/fixtures/data_v1/`, `data_v2/`: every kind of record, with the optional and edge
fields) reads back as the records below; writing those records again gives the bytes of
the current format; a folder of the first format is moved to the current one on start
with nothing lost.

v2 moved people out of `state.json` into `people/NN.json` and push records into
`pushes/<month>/<branch>.json`. Each folder was written once, by the store as it was then,
with `python -m tests.core.store.test_store_format`; never regenerate one to make a change
pass.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tinydb import TinyDB

from core.store.database import Store
from core.store.quiz_records import (
    BUTTONS,
    MULTIPLE_POLL,
    QUIZ_POLL,
    GroupAnswer,
    GroupQuestion,
    GroupQuiz,
    MemberQuizState,
)
from core.store.quiz_sessions import AnswerRecord, MemberProgress, QuestionProgress, QuizSession
from core.store.records import Binding, Event, Membership, Person, PushRecord, StudyTask
from tests.conftest import SHANGHAI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FIRST, CURRENT = FIXTURES / "data_v1", FIXTURES / "data_v2"
MONTH = datetime(2026, 11, 1, tzinfo=SHANGHAI)
AT = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
LATER = datetime(2026, 11, 2, 21, 30, 5, 123456, tzinfo=SHANGHAI)

BINDINGS = [
    Binding("office", -1001, "办公室党支部", AT),
    Binding("policy", -1002, 'Policy "群" 🚩', datetime(2026, 11, 1, 1, 0, tzinfo=UTC)),
]
PEOPLE = [
    Person(7, "张三", "zhangsan", "张三丰", True)
    .with_membership(Membership("office", True, AT))
    .with_membership(Membership("policy", False, AT, LATER)),
    Person(8, "Li Si"),
    Person(9, "王五", None, None, False, (Membership("office", False, AT, None),)),
]
ANSWER = AnswerRecord(7, "office", "discipline-basics", "dq-001", ("A", "C"), False, "group", AT)
EVENTS = [  # in the order month_events reads them: no branch first, then by branch
    Event("bot_added", None, AT),
    Event("member_joined", "office", AT, 7, {"via": "/join", "names": ["张三", None]}),
    Event("study_done", "office", LATER, 7, {"task": "2611-aa", "n": 3, "ok": True}),
    replace(ANSWER.to_event(), data={**ANSWER.to_event().data, "answer_id": "p1:7"}),
    Event("note", "policy", AT, None, {}),
]
NUDGES: dict[str, datetime | None] = {"office": AT, "policy": LATER}
UPDATES = {5: 0, 9: 2}


def push(
    key: str,
    status: str,
    chat_id: int | None = None,
    message_id: int | None = None,
    detail: str = "",
) -> PushRecord:
    return PushRecord(
        key, "study", "office", AT, LATER, status, LATER, chat_id, message_id, detail
    )


PUSHES = [
    push("study:office:1", "sending"),
    push("study:office:2", "sent", chat_id=-1001, message_id=55),
    push("study:office:3", "uncertain", chat_id=-1001, detail="timed out"),
    push("study:office:4", "missed", detail="the bot was down"),
    push("study:office:5", "failed", chat_id=-1001, detail="Forbidden: 机器人被移出群"),
    push("study:office:6", "unbound"),
]
STATUSES = ("sending", "sent", "uncertain", "missed", "failed", "unbound")
TASKS = [
    StudyTask(
        "2611-aa", "study:office:2", "office", -1001, "学习", "正文\n第二行", None, AT, LATER, None
    ),
    StudyTask(
        "2611-bb",
        "study:policy:1",
        "policy",
        -1002,
        "Title",
        "",
        "https://example.org/a?b=1",
        AT,
        LATER,
        LATER,
        message_id=77,
        done={9: LATER, 3: AT},
        reminded=True,
        summarized=True,
        shown_done=2,
    ),
]
PROGRESS = MemberProgress(
    7,
    {
        ("b", "q1"): QuestionProgress(3, 1, 0, None, True),
        ("a-b", "x"): QuestionProgress(1, 1, 1, date(2026, 11, 2), False),
        ("a", "x"): QuestionProgress(),
    },
)
MEMBER_QUIZZES = [
    MemberQuizState(
        7,
        QuizSession(
            "Ab3_x-9Z", 7, "review", (("b", "q1"), ("a", "x")), 1, frozenset({3, 0}), 1, AT
        ),
        PROGRESS,
        (ANSWER.to_event(), Event("quiz_answer", None, LATER, 7, {"answer_id": "s:1"})),
        ("2611-g1", "2611-g0"),
    ),
    MemberQuizState(8),
]
GROUP_QUIZZES = [
    GroupQuiz(
        "2611-g1",
        "office",
        -1001,
        "纪律知识",
        AT,
        LATER,
        "closed",
        (
            GroupQuestion(
                "discipline-basics",
                "dq-001",
                QUIZ_POLL,
                "poll-1",
                101,
                {9: GroupAnswer(("B",), True, LATER), 7: GroupAnswer(("A", "C"), False, AT)},
            ),
            GroupQuestion(
                "discipline-basics",
                "dq-002",
                BUTTONS,
                None,
                102,
                {7: GroupAnswer((), False, AT)},
                {8: frozenset({2, 0}), 9: frozenset()},
                {8: ("cq1", "cq2"), 9: ()},
            ),
        ),
        intro_message_id=100,
        summary_status="sent",
        summary_message_id=103,
    ),
    GroupQuiz(
        "2611-g2",
        "policy",
        -1002,
        "",
        AT,
        LATER,
        "open",
        (GroupQuestion("b", "q", MULTIPLE_POLL),),
    ),
]


@dataclass(frozen=True)
class Records:
    """Every record a data folder holds, of each kind."""

    bindings: list[Binding]
    people: list[Person]
    events: list[Event]
    nudges: dict[str, datetime | None]
    updates: dict[int, int]
    pushes: list[PushRecord]
    tasks: list[StudyTask]
    member_quizzes: list[MemberQuizState]
    group_quizzes: list[GroupQuiz]


EXPECTED = Records(
    BINDINGS, PEOPLE, EVENTS, NUDGES, UPDATES, PUSHES, TASKS, MEMBER_QUIZZES, GROUP_QUIZZES
)


def write(store: Store, records: Records) -> None:
    """Lay the records down in a fixed order (the order decides document ids)."""
    for binding in records.bindings:
        store.bind(binding)
    for person in records.people:
        store.save_person(person)
    store.record_events(records.events)
    for branch_id, at in records.nudges.items():
        assert at is not None
        store.set_last_nudge(branch_id, at)
    store.set_last_tick(LATER)
    store.set_last_holiday_warning(AT)
    store.save_updates_in_flight(records.updates)
    for record in records.pushes:
        store.save_push(record)
    for task in records.tasks:
        store.add_study_task(task)
    for state in records.member_quizzes:
        store.save_member_quiz(state)
    for quiz in records.group_quizzes:
        store.save_group_quiz(quiz)


def read(store: Store) -> Records:
    """Every record of the fixture, read through the store's public methods."""
    return Records(
        bindings=store.bindings(),
        people=store.people(),
        events=list(store.month_events("2026-11")),
        nudges={b.branch_id: store.last_nudge(b.branch_id) for b in store.bindings()},
        updates=store.updates_in_flight(),
        pushes=[p for status in STATUSES for p in store.pushes_with_status(status, MONTH)],
        tasks=store.study_tasks_of_month(MONTH),
        member_quizzes=[store.member_quiz(7), store.member_quiz(8)],
        group_quizzes=[q for i in ("2611-g1", "2611-g2") if (q := store.group_quiz(i))],
    )


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*.json"))
    }


@pytest.mark.parametrize("fixture", [FIRST, CURRENT], ids=["v1", "v2"])
def test_each_format_reads_as_its_records(fixture: Path) -> None:
    store = Store(fixture, SHANGHAI, read_only=True)
    records = read(store)
    assert records == EXPECTED
    # What equality alone does not show: the order of memberships and of a done dict.
    assert [m.branch_id for m in records.people[0].memberships] == ["office", "policy"]
    assert list(records.tasks[1].done) == [9, 3]
    assert store.last_tick() == LATER and store.last_holiday_warning() == AT
    assert store.push("study:office:2", AT) == PUSHES[1]
    assert store.study_task("2611-bb") == TASKS[1]
    assert [quiz.id for quiz in store.unfinished_group_quizzes(LATER)] == ["2611-g2"]
    assert store.group_quiz_for_poll("poll-1", LATER) == GROUP_QUIZZES[0]
    assert store.members_with_outbox() == [MEMBER_QUIZZES[0]]
    assert [p.user_id for p in store.branch_people("office")] == [7, 9]


def test_writing_the_records_again_gives_the_current_format(tmp_path: Path) -> None:
    store = Store(tmp_path, SHANGHAI)
    write(store, read(Store(FIRST, SHANGHAI, read_only=True)))
    store.close()
    assert files(tmp_path) == files(CURRENT)


def test_a_first_format_folder_is_moved_to_the_current_one_on_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIRST, data)
    Store(data, SHANGHAI, clock=lambda: AT).close()
    assert read(Store(data, SHANGHAI, read_only=True)) == EXPECTED
    assert files(data) == files(CURRENT)  # the old people table and month file are gone


def test_a_move_cut_short_is_done_again_on_the_next_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIRST, data)

    def killed(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies after writing people/, before state.json

    with monkeypatch.context() as patched:
        patched.setattr(TinyDB, "drop_table", killed)
        with pytest.raises(KeyboardInterrupt):
            Store(data, SHANGHAI, clock=lambda: AT)
    assert b'"people"' in (data / "state.json").read_bytes()  # the old copy is still there
    Store(data, SHANGHAI, clock=lambda: AT).close()
    assert files(data) == files(CURRENT)


def test_memberships_are_written_in_branch_order(tmp_path: Path) -> None:
    first = PEOPLE[0]
    shuffled = replace(first, memberships=first.memberships[::-1])
    store = Store(tmp_path, SHANGHAI)
    write(store, replace(EXPECTED, people=[shuffled, *PEOPLE[1:]]))
    store.close()
    assert files(tmp_path) == files(CURRENT)


if __name__ == "__main__":
    if CURRENT.exists():
        sys.exit(f"{CURRENT} exists: it is the current format, never regenerate it")
    CURRENT.mkdir(parents=True)
    fixture_store = Store(CURRENT, SHANGHAI)
    write(fixture_store, EXPECTED)
    fixture_store.close()
    for written_by_the_store in (".lock", ".snapshot.lock"):
        (CURRENT / written_by_the_store).unlink(missing_ok=True)
