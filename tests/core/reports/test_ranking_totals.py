"""The ranking's totals come from the answers as the store keeps them counted (a tally per
branch and month, read once, then counted on as answers are recorded); every figure must
equal what the branch's full report, built from the answers themselves, says."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from core.config.agency import AgencyConfig
from core.config.points_rule import PointsRule
from core.organization.branches import Organization
from core.reports.service import Reports
from core.store.answer_tally import AnswerTally
from core.store.database import ANSWER_ID, Store
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Event, Membership, Person, StudyTask
from core.store.roster_records import BranchRoster, Leave, ListEntry
from tests.conftest import SHANGHAI, FakeClock

MONTH = "2026-11"
BRANCH_IDS = ("office", "policy")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=SHANGHAI)


def answer(user_id: int, branch: str, when: datetime, correct: bool, n: int) -> AnswerRecord:
    return AnswerRecord(user_id, branch, "basics", f"q{n}", ("A",), correct, "private", when)


def task(task_id: str, branch: str, assigned: datetime, done: dict[int, datetime]) -> StudyTask:
    return StudyTask(
        task_id, f"push:{task_id}", branch, -100, "学习党章", "", None, assigned,
        assigned + timedelta(days=3), None, done=done,
    )  # fmt: skip


def tallied(store: Store, branch: str) -> dict[int, tuple[int, int, dict[date, int]]]:
    members = store.answer_tally(branch, MONTH).members
    return {u: (m.answered, m.correct, m.rights_by_day) for u, m in members.items()}


def expected(store: Store, branch: str) -> dict[int, tuple[int, int, dict[date, int]]]:
    members = AnswerTally.of(store.answers(branch, MONTH), SHANGHAI).members
    return {u: (m.answered, m.correct, m.rights_by_day) for u, m in members.items()}


def test_a_kept_tally_counts_every_answer_recorded_after_it_and_only_answers(
    store: Store, tmp_path: Path
) -> None:
    store.record_event(answer(1, "office", at(2, 9), True, 1).to_event())
    first = store.answer_tally("office", MONTH)  # read from the shards, then kept
    assert tallied(store, "office") == {1: (1, 1, {date(2026, 11, 2): 1})}

    store.record_event(answer(1, "office", at(2, 23), True, 2).to_event())  # one at a time
    store.record_events([answer(2, "office", at(3, 9), False, 3).to_event()])  # an import
    once = answer(2, "office", at(3, 10), True, 4).to_event()
    once.data[ANSWER_ID] = "s1:4"
    assert store.record_events_once([once, once]) == 1  # a flush redone: counted once
    assert store.record_events_once([once]) == 0
    store.record_event(Event("joined", "office", at(3, 11), 2, {}))  # not an answer
    store.record_event(answer(3, "policy", at(3, 12), True, 5).to_event())  # another branch
    store.record_event(answer(1, "office", at(30, 23) + timedelta(hours=2), True, 6).to_event())

    assert (
        tallied(store, "office")
        == expected(store, "office")
        == {
            1: (2, 2, {date(2026, 11, 2): 2}),  # 12-01 01:00 is next month's
            2: (2, 1, {date(2026, 11, 3): 1}),
        }
    )
    assert first.members[1].answered == 1  # what was handed out stays as it was
    reopened = Store(tmp_path / "data", SHANGHAI, read_only=True)
    assert tallied(reopened, "office") == expected(store, "office")  # the files agree


@pytest.mark.parametrize("seed", range(5))
def test_the_ranking_says_what_each_branch_report_says(
    store: Store, agency: AgencyConfig, clock: FakeClock, seed: int
) -> None:
    """Random months (answers right and wrong past the daily cap, tasks on time and late,
    a member who left, leave, an unclaimed 名单 entry): each ranked report equals the
    full report less its answers, activity and tasks, before and after more answers."""
    rng = random.Random(seed)
    agency = replace(agency, points=PointsRule(study_on_time=2, correct_answer=1, daily_cap=4))
    since = datetime(2026, 10, 1, tzinfo=SHANGHAI)
    for user_id in range(1, 13):
        branch = BRANCH_IDS[user_id % 2]
        person = Person(user_id, f"成员{user_id}").with_membership(Membership(branch, True, since))
        if user_id == 11:  # left in November, after answering
            person = person.with_membership(Membership(branch, False, at(10, 9)))
        store.save_person(person)
    unclaimed = ListEntry("e1", "未报到者", "正式党员")
    entries = (unclaimed, ListEntry("e2", "成员2", "正式党员", user_id=2))
    leave = Leave("e2", date(2026, 11, 5), date(2026, 11, 9), "出差", 1, at(4, 9))
    store.change_branch_roster(
        "policy", lambda r: (BranchRoster("policy", entries, (leave,)), None)
    )
    for n in range(3):
        branch = BRANCH_IDS[n % 2]
        done = {u: at(rng.randint(2, 20), 9) for u in range(1, 13) if rng.random() < 0.5}
        store.add_study_task(task(f"2611-t{n}", branch, at(2 + n, 8), done))
    reports = Reports(Organization(store, agency, clock), clock, SHANGHAI)

    def record_answers(count: int) -> None:
        for n in range(count):
            user_id = rng.randint(1, 12)
            when = at(rng.randint(1, 30), rng.randint(0, 23))
            correct = rng.random() < 0.7
            event = answer(user_id, BRANCH_IDS[user_id % 2], when, correct, n).to_event()
            store.record_event(event)

    def agree() -> None:
        ranked = {report.branch_id: report for report in reports.ranking(MONTH)}
        for branch in BRANCH_IDS:
            full = reports.report(branch, MONTH)
            assert full.answers  # the months have answers to count
            assert ranked[branch] == replace(full, answers=(), activity=(), tasks=())

    record_answers(120)
    agree()
    record_answers(60)  # counted on into the kept tallies
    agree()
