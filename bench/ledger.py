"""The yearly 台账 of one branch, at three sizes of branch: how its cost grows.

    python -m bench.ledger

For each size a year (2026) is laid down in a fresh store: the branch's members, a study
task each Monday that most finish, about 600 quiz answers per member, and the year's
meetings (支委会, 党小组会 and 主题党日 monthly, 党员大会 and 党课 quarterly) with every
member signed in. Then, on 2027-01-05, `Reports.ledger` reads the year and
`ledger_workbook` writes it, as /export 2026 does. Goal: under 5 s at the largest size.
"""

from __future__ import annotations

import random
import statistics
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.report import timed
from core.config.agency import AgencyConfig
from core.config.banks import BankSet
from core.config.branches import Branch
from core.dates.periods import parse_period
from core.organization.branches import Organization
from core.reports.service import Reports
from core.reports.workbook import ledger_workbook
from core.store.database import Store
from core.store.meeting_records import (
    CLOSED,
    DEFAULT_CADENCE,
    MEETING_KINDS,
    MONTHLY,
    Attendance,
    Meeting,
)
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Binding, Membership, Person, StudyTask

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Members of one branch: 《中国共产党支部工作条例（试行）》 puts a 支部 at 3 to about 50
# 党员 (a larger one becomes a 党总支 with branches under it), so L is the largest 支部.
SIZES = {"S": 10, "M": 25, "L": 50}
YEAR = 2026
ANSWERS_PER_MEMBER = 600
REPEATS = 3
GOAL_SECONDS = 5.0
BRANCH = Branch("office", "办公室党支部")


@dataclass(frozen=True)
class LedgerCost:
    """One size: what was laid down and how long the yearly export took."""

    size: str
    members: int
    answers: int
    meetings: int
    read_s: float  # Reports.ledger, median
    write_s: float  # ledger_workbook, median
    xlsx_kb: float

    @property
    def total_s(self) -> float:
        return self.read_s + self.write_s


def lay_down(store: Store, members: int, rng: random.Random) -> tuple[int, int]:
    """A year of one branch; returns (answers, meetings)."""
    start = datetime(YEAR, 1, 1, tzinfo=SHANGHAI)
    store.bind(Binding(BRANCH.id, -1001, "办公室党支部群", start - timedelta(days=1)))
    ids = list(range(1, members + 1))
    for user_id in ids:
        since = Membership(BRANCH.id, True, start)
        store.save_person(Person(user_id, f"党员{user_id}", memberships=(since,)))
    monday = start + timedelta(days=(7 - start.weekday()) % 7, hours=9)
    for week in range(52):
        assigned = monday + timedelta(weeks=week)
        late = timedelta(hours=rng.uniform(1, 190))
        done = {u: assigned + late for u in ids if rng.random() < 0.8}
        store.add_study_task(
            StudyTask(
                id=f"{assigned:%y%m}-w{week:02d}", push_key=f"push:study:{assigned:%F}",
                branch_id=BRANCH.id, chat_id=-1001, title=f"第{week + 1}周理论学习", body="",
                link=None, assigned_at=assigned, due_at=assigned + timedelta(days=7),
                remind_at=assigned + timedelta(days=6), done=done,
            )
        )  # fmt: skip
    seconds = 365 * 86_400
    answers = [
        AnswerRecord(
            user_id=u, branch_id=BRANCH.id, bank_id="discipline",
            question_id=f"q{rng.randrange(300)}", chosen=("A",), correct=rng.random() < 0.75,
            mode="private",
            at=start + timedelta(seconds=rng.uniform(0, seconds)),
        )
        for u in ids
        for _ in range(ANSWERS_PER_MEMBER)
    ]  # fmt: skip
    answers.sort(key=lambda a: a.at)
    store.record_events(a.to_event() for a in answers)
    meetings = 0
    for month in range(1, 13):
        for kind, rule in DEFAULT_CADENCE.items():
            if rule == MONTHLY or month % 3 == 0:
                store.add_meeting(_meeting(kind, date(YEAR, month, 15), ids))
                meetings += 1
    return len(answers), meetings


def _meeting(kind: str, day: date, ids: list[int]) -> Meeting:
    at = datetime.combine(day, datetime.min.time(), SHANGHAI) + timedelta(hours=15)
    return Meeting(
        id=f"{day:%y%m}-kind{MEETING_KINDS.index(kind)}", branch_id=BRANCH.id, kind=kind,
        day=day, chat_id=-1001, created_by=1, created_at=at, status=CLOSED, topic="学习",
        host="党员1", attendance={u: Attendance(at) for u in ids},
        expected=tuple(f"党员{u}" for u in ids),
    )  # fmt: skip


def measure(size: str, members: int) -> LedgerCost:
    """Lay down a year for `members` and time the yearly export at 2027-01-05."""
    rng = random.Random(members)
    now = datetime(YEAR + 1, 1, 5, 10, tzinfo=SHANGHAI)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder), SHANGHAI, clock=lambda: now)
        try:
            answers, meetings = lay_down(store, members, rng)
            agency = AgencyConfig(SHANGHAI, (BRANCH,))
            reports = Reports(Organization(store, agency, lambda: now), lambda: now, SHANGHAI)
            period = parse_period(str(YEAR))
            read_ms, ledger = timed(
                lambda: reports.ledger(BRANCH.id, period, BankSet(), "陈书记"), REPEATS
            )
            write_ms, xlsx = timed(lambda: ledger_workbook(ledger, SHANGHAI), REPEATS)
        finally:
            store.close()
    return LedgerCost(
        size, members, answers, meetings, statistics.median(read_ms) / 1000,
        statistics.median(write_ms) / 1000, len(xlsx) / 1024,
    )  # fmt: skip


def run() -> list[LedgerCost]:
    """Every size, smallest first."""
    return [measure(size, members) for size, members in SIZES.items()]


def print_table(costs: list[LedgerCost]) -> None:
    """One line per size, with its cost against the smallest's."""
    print(f"{'size':<5} {'members':>8} {'answers':>9} {'meetings':>9} {'read s':>8} "
          f"{'write s':>8} {'total s':>8} {'xlsx KB':>8} {'x S':>6}")  # fmt: skip
    base = costs[0].total_s
    for c in costs:
        print(
            f"{c.size:<5} {c.members:>8} {c.answers:>9,} {c.meetings:>9} {c.read_s:>8.2f} "
            f"{c.write_s:>8.2f} {c.total_s:>8.2f} {c.xlsx_kb:>8.0f} {c.total_s / base:>6.1f}"
        )
    largest = costs[-1]
    ok = "ok" if largest.total_s < GOAL_SECONDS else "OVER"
    print(f"goal: yearly export of the {largest.size} branch < {GOAL_SECONDS:.0f} s: {ok}")


if __name__ == "__main__":
    print_table(run())
