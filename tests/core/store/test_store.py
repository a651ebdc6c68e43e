"""The store keeps what it acknowledged, refuses what it cannot read, and admits one writer."""

from __future__ import annotations

import errno
import json
import random
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.errors import DataFileError
from core.store.database import Store
from core.store.quiz_records import GroupQuestion, GroupQuiz
from core.store.records import Binding, Event, Membership, Person, StudyTask
from tests.conftest import PROJECT, SHANGHAI, FakeClock

AT = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def test_everything_survives_reopening(tmp_path: Path) -> None:
    store = Store(tmp_path, SHANGHAI)
    store.bind(Binding("office", -100, "办公室群", AT))
    person = Person(7, "张三", "zhangsan", "张三丰", True).with_membership(
        Membership("office", True, AT)
    )
    store.save_person(person)
    store.record_event(Event("member_joined", "office", AT, 7, {"x": [1, 2]}))
    store.close()

    reopened = Store(tmp_path, SHANGHAI)
    assert reopened.bindings() == [Binding("office", -100, "办公室群", AT)]
    assert reopened.person(7) == person
    assert list(reopened.events("office", "2026-11")) == [
        Event("member_joined", "office", AT, 7, {"x": [1, 2]})
    ]
    reopened.close()


def test_binding_a_chat_or_branch_again_replaces_the_old_binding(store: Store) -> None:
    store.bind(Binding("office", -1, "A", AT))
    store.bind(Binding("policy", -2, "B", AT))
    store.bind(Binding("office", -2, "B", AT))
    assert store.bindings() == [Binding("office", -2, "B", AT)]
    assert store.move_binding(-2, -3) == Binding("office", -3, "B", AT)
    assert store.binding_for_chat(-2) is None
    assert store.unbind("office") == Binding("office", -3, "B", AT)
    assert store.bindings() == []


def test_events_are_sharded_by_branch_and_local_day(tmp_path: Path, store: Store) -> None:
    late_evening_utc = datetime(2026, 11, 2, 17, 0, tzinfo=SHANGHAI).astimezone(SHANGHAI)
    store.record_event(Event("a", "office", AT, 1))
    store.record_event(Event("b", "office", late_evening_utc + timedelta(hours=8), 1))
    store.record_event(Event("c", "policy", AT, 2))
    store.record_event(Event("d", None, AT, 3))
    files = sorted(p.relative_to(tmp_path / "data") for p in (tmp_path / "data").rglob("*.json"))
    assert [str(f) for f in files] == [
        "events/2026-11/_none/02.json",
        "events/2026-11/office/02.json",
        "events/2026-11/office/03.json",
        "events/2026-11/policy/02.json",
    ]
    assert [e.kind for e in store.events("office", "2026-11")] == ["a", "b"]
    assert [e.kind for e in store.events(None, "2026-11")] == ["d"]
    assert list(store.events("office", "2026-10")) == []


def test_unreadable_state_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    broken = b'{"people": {"1": {"display_name": "\xe5\xbc\xa0'
    (tmp_path / "state.json").write_bytes(broken)
    with pytest.raises(DataFileError, match=r"state\.json"):
        Store(tmp_path, SHANGHAI)
    assert (tmp_path / "state.json").read_bytes() == broken


def test_unreadable_event_shard_is_refused_at_start(tmp_path: Path, clock: FakeClock) -> None:
    shard = tmp_path / "events" / f"{clock():%Y-%m}" / "office" / "01.json"
    shard.parent.mkdir(parents=True)
    shard.write_text('{"events": {"1": ')
    with pytest.raises(DataFileError, match=r"01\.json"):
        Store(tmp_path, SHANGHAI, clock=clock)
    assert shard.read_text() == '{"events": {"1": '


def test_an_older_unreadable_shard_fails_the_write_and_is_not_overwritten(
    tmp_path: Path, store: Store
) -> None:
    shard = tmp_path / "data" / "events" / "2026-11" / "office" / "02.json"
    shard.parent.mkdir(parents=True)
    shard.write_text("[1, 2")
    with pytest.raises(DataFileError):
        store.record_event(Event("answer", "office", AT, 1))
    assert shard.read_text() == "[1, 2"


def test_a_second_process_cannot_open_the_same_data(tmp_path: Path, store: Store) -> None:
    with pytest.raises(DataFileError, match="another bot process"):
        Store(tmp_path / "data", SHANGHAI)


def test_leftover_temp_files_from_a_crash_are_removed(tmp_path: Path) -> None:
    (tmp_path / "state.json.tmp").write_text('{"half": ')
    Store(tmp_path, SHANGHAI).close()
    assert not (tmp_path / "state.json.tmp").exists()


def test_a_failed_write_leaves_the_last_good_state(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_person(Person(1, "张三"))

    def disk_full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("core.store.atomic_files.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        store.save_person(Person(2, "李四"))
    monkeypatch.undo()
    assert store.person(2) is None
    assert store.person(1) == Person(1, "张三")
    store.save_person(Person(3, "王五"))
    assert [p.user_id for p in store.people()] == [1, 3]


def test_unchanged_person_is_not_rewritten(tmp_path: Path, store: Store) -> None:
    store.save_person(Person(1, "张三"))
    state = tmp_path / "data" / "people" / "01.json"
    before = state.stat().st_mtime_ns
    store.save_person(Person(1, "张三"))
    assert state.stat().st_mtime_ns == before


@pytest.mark.parametrize("trial", range(20))
def test_sigkill_at_any_moment_keeps_every_acknowledged_write(tmp_path: Path, trial: int) -> None:
    data_dir = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.store_writer", str(data_dir)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    wanted = random.Random(trial).randint(1, 60)
    acknowledged = -1
    for line in writer.stdout:
        acknowledged = int(line)
        if acknowledged >= wanted:
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    # The process may have written more than it acknowledged, never less.
    for path in data_dir.rglob("*.json"):
        json.loads(path.read_text())
    store = Store(data_dir, SHANGHAI)
    recorded = [e.user_id for e in store.events("office", "2026-11")]
    assert recorded[: acknowledged + 1] == list(range(acknowledged + 1))
    assert len(recorded) == len(set(recorded))
    assert all(store.person(i) is not None for i in range(acknowledged + 1))
    binding = store.binding_for_branch("office")
    assert binding is not None and binding.chat_id <= -1000 - acknowledged
    store.close()


def test_bulk_recording_lands_in_the_same_shards(store: Store) -> None:
    events = [Event("a", "office", AT + timedelta(hours=h), h) for h in range(0, 48, 6)]
    assert store.record_events(events) == 8
    assert list(store.events("office", "2026-11")) == events


def test_answer_events_are_appended_once_per_answer_id(tmp_path: Path) -> None:
    def answer(answer_id: str, at: datetime) -> Event:
        return Event("quiz_answer", "office", at, 7, {"answer_id": answer_id})

    store = Store(tmp_path, SHANGHAI)
    batch = [answer("s:0", AT), answer("s:1", AT + timedelta(days=1)), answer("s:0", AT)]
    assert store.record_events_once(batch) == 2  # a duplicate within the batch, too
    store.close()
    store = Store(tmp_path, SHANGHAI)
    assert store.record_events_once(batch) == 0
    assert store.record_events_once([answer("s:2", AT)]) == 1
    ids = [e.data["answer_id"] for e in store.events("office", "2026-11")]
    assert ids == ["s:0", "s:2", "s:1"]
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.json"))
    assert files == ["events/2026-11/office/02.json", "events/2026-11/office/03.json"]
    store.close()


def test_group_quizzes_are_found_by_poll_and_status_after_reopening(tmp_path: Path) -> None:
    def quiz(number: int, status: str) -> GroupQuiz:
        questions = tuple(
            replace(GroupQuestion("bank", f"q{i}", "poll"), poll_id=f"poll-{number}-{i}")
            for i in range(2)
        )
        closes = AT + timedelta(hours=1)
        return GroupQuiz(f"2611-{number:08x}", "office", -1, "测验", AT, closes, status, questions)

    store = Store(tmp_path, SHANGHAI)
    store.save_group_quiz(quiz(1, "closed"))
    store.save_group_quiz(quiz(2, "open"))
    store.close()

    reopened = Store(tmp_path, SHANGHAI)
    found = reopened.group_quiz_for_poll("poll-1-1", AT)
    assert found is not None and found.id == "2611-00000001"
    assert [q.id for q in reopened.unfinished_group_quizzes(AT)] == ["2611-00000002"]
    reopened.save_group_quiz(quiz(2, "closed"))
    assert reopened.unfinished_group_quizzes(AT) == []
    assert reopened.group_quiz_for_poll("poll-9-0", AT) is None
    assert sorted(p.name for p in (tmp_path / "quiz" / "group" / "2026-11").iterdir()) == [
        "2611-00000001.json",
        "2611-00000002.json",
    ]
    reopened.close()


def test_a_branch_month_of_tasks_is_read_alone_and_follows_what_is_added(
    tmp_path: Path,
) -> None:
    def task(task_id: str, branch: str) -> StudyTask:
        return StudyTask(
            task_id, f"push:{task_id}", branch, -100, "学习党章", "", None, AT,
            AT + timedelta(days=3), None,
        )  # fmt: skip

    store = Store(tmp_path / "data", SHANGHAI, clock=lambda: AT)
    for n, branch in enumerate(["office", "policy", "office"]):
        store.add_study_task(task(f"2611-t{n}", branch))
    ids = lambda tasks: [t.id for t in tasks]  # noqa: E731
    assert ids(store.study_tasks_of_month(AT, "office")) == ["2611-t0", "2611-t2"]
    store.add_study_task(task("2611-t3", "office"))  # after the branch index was built
    store.add_study_task(task("2611-t0", "policy"))  # an id stored already: kept as it was
    store.change_study_task(
        "2611-t2", lambda t: (replace(t, done={7: AT + timedelta(hours=1)}), None)
    )
    office = store.study_tasks_of_month(AT, "office")
    assert ids(office) == ["2611-t0", "2611-t2", "2611-t3"] and office[1].done
    assert ids(store.study_tasks_of_month(AT, "policy")) == ["2611-t1"]
    assert ids(store.study_tasks_of_month(AT, "nobody")) == []
    store.close()
    again = Store(tmp_path / "data", SHANGHAI, clock=lambda: AT)
    assert again.study_tasks_of_month(AT, "office") == office
    assert len(again.study_tasks_of_month(AT)) == 4
