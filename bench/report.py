"""One branch's monthly report and its .xlsx export, on a year of records for 1,000 members.

    python -m bench.report [--answers-per-member 600]

A year of history is laid down first: 1,000 members in 20 branches, a study task
pushed to every branch each Monday (most members finish it, some late), and about
600,000 quiz answers. The report phase then runs in a fresh subprocess, so that its
peak memory is what the bot would use rather than what generating the data took:
load one branch's month from the store and build the report (goal < 200 ms), write
the workbook (goal < 2 s), draw the chart, and rank all 20 branches (/branches).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from core.config.points_rule import DEFAULT_POINTS
from core.reports.month_report import (
    BranchMonthReport,
    build_report,
    format_report_text,
    rank_branches,
    task_months,
)
from core.roster.members import branch_members
from core.store.database import Store
from core.store.quiz_sessions import ANSWER_EVENT_KIND, AnswerRecord
from core.store.records import Membership, Person, StudyTask

SHANGHAI = ZoneInfo("Asia/Shanghai")
BRANCHES = [f"branch{n:02d}" for n in range(20)]
MEMBERS = 1_000
YEAR_START = datetime(2025, 11, 1, tzinfo=SHANGHAI)
DAYS = 365
REPORT_MONTH = "2026-10"  # the last full month of the year laid down
REPORT_BRANCH = BRANCHES[7]
BANKS = ("discipline-basics", "party-history", "theory-2026")
REPEATS = 5
GOALS = {"report": 200.0, "export": 2_000.0, "peak": 200.0}
ANSWERS_PER_MEMBER = 600  # a year's quiz answers per member: about 600,000 events


@dataclass(frozen=True)
class Agency:
    """Whom a year is laid down for: its branches, its members (spread evenly), the year."""

    branches: tuple[str, ...] = tuple(BRANCHES)
    members: int = MEMBERS
    start: datetime = YEAR_START
    first_chat: int = -1000  # branch n's group is first_chat - n

    def branch_of(self, user_id: int) -> str:
        """Members are spread evenly over the branches."""
        return self.branches[user_id % len(self.branches)]

    def chat_of(self, index: int) -> int:
        """The group chat of the branch at `index`."""
        return self.first_chat - index


DEFAULT_AGENCY = Agency()


def member_branch(user_id: int) -> str:
    """Members are spread evenly over the branches."""
    return DEFAULT_AGENCY.branch_of(user_id)


def people(agency: Agency = DEFAULT_AGENCY) -> list[Person]:
    """The members, each on one branch's roster since the start of the year."""
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    return [
        Person(
            user_id=user_id,
            display_name=f"user{user_id}",
            real_name=surnames[user_id % 20]
            + given[(user_id // 20) % len(given)]
            + given[user_id % 7],
            memberships=(Membership(agency.branch_of(user_id), True, agency.start),),
        )
        for user_id in range(agency.members)
    ]


def study_tasks(
    rng: random.Random, agency: Agency = DEFAULT_AGENCY, until: datetime | None = None
) -> Iterator[StudyTask]:
    """A task for every branch each Monday 09:00, due in 7 days; ~80% finish, a few late.

    Tasks due before `until` are stored as the scheduler leaves them: reminded, summarized.
    """
    first_monday = agency.start + timedelta(days=(7 - agency.start.weekday()) % 7, hours=9)
    week = 0
    count = len(agency.branches)
    while (assigned := first_monday + timedelta(weeks=week)) < agency.start + timedelta(DAYS):
        over = until is not None and assigned + timedelta(days=7) < until
        for index, branch in enumerate(agency.branches):
            done = {
                user_id: assigned + timedelta(hours=rng.uniform(1, 24 * 8))
                for user_id in range(index, agency.members, count)
                if rng.random() < 0.8
            }
            if until is not None:
                done = {user_id: at for user_id, at in done.items() if at < until}
            yield StudyTask(
                id=task_id(assigned, week, branch),
                push_key=f"push:study-weekly:{branch}:{assigned:%Y-%m-%d}",
                branch_id=branch,
                chat_id=agency.chat_of(index),
                title=f"第{week + 1}周理论学习：学习贯彻党的二十大精神",
                body="",
                link=None,
                assigned_at=assigned,
                due_at=assigned + timedelta(days=7),
                remind_at=assigned + timedelta(days=6),
                done=done,
                reminded=over,
                summarized=over,
            )
        week += 1


def task_id(assigned: datetime, week: int, branch: str) -> str:
    """A study task's id: its month first (the store files it by that), then week and branch."""
    return f"{assigned:%y%m}-w{week:02d}-{branch}"


def answers_of_month(
    rng: random.Random,
    month_start: datetime,
    month_end: datetime,
    per_member: int,
    agency: Agency = DEFAULT_AGENCY,
) -> Iterator[AnswerRecord]:
    """Each member's share of `per_member` yearly answers that fall in one month."""
    seconds = (month_end - month_start).total_seconds()
    expected = per_member * seconds / (DAYS * 86_400)
    for user_id in range(agency.members):
        for _ in range(round(rng.gauss(expected, expected / 4))):
            at = month_start + timedelta(seconds=rng.uniform(0, seconds))
            yield AnswerRecord(
                user_id=user_id,
                branch_id=agency.branch_of(user_id),
                bank_id=rng.choice(BANKS),
                question_id=f"q-{rng.randrange(300):03d}",
                chosen=(rng.choice("ABCD"),),
                correct=rng.random() < 0.75,
                mode=rng.choice(("private", "private", "group", "review")),
                at=at,
            )


def lay_down_history(
    folder: Path, per_member: int, agency: Agency = DEFAULT_AGENCY, until: datetime | None = None
) -> tuple[int, int]:
    """Write the year into a store at `folder`; return (events, tasks).

    With `until` (the moment the bot will run at), tasks due before it are summarized and
    nothing happens after it: no press, no answer.
    """
    rng = random.Random(20261101)
    store = Store(folder, SHANGHAI)
    try:
        for person in people(agency):
            store.save_person(person)
        tasks = 0
        for task in study_tasks(rng, agency, until):
            store.add_study_task(task)
            tasks += 1
        events = 0
        month = agency.start
        end = agency.start + timedelta(days=DAYS)
        if until is not None:
            end = min(end, until)
        while month < end:
            # One month at a time: a month never splits a shard, and memory stays small.
            following = _next_month(month)
            records = answers_of_month(rng, month, min(following, end), per_member, agency)
            events += store.record_events(r.to_event() for r in records)
            month = following
        return events, tasks
    finally:
        store.close()


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1, day=1)


# --- the report phase, in a fresh process ---------------------------------------------------


def load_report(
    store: Store,
    branch_id: str,
    month: str,
    people: list[Person] | None = None,
    tasks: list[StudyTask] | None = None,
) -> BranchMonthReport:
    """What /report does: roster, the tasks that can count, the month's answers, the report.

    /branches loads `people` and `tasks` (every branch's) once and passes them in.
    """
    if people is None:
        people = store.people()
    if tasks is None:
        tasks = month_tasks(store, month)
    roster = branch_members(branch_id, people, store.branch_roster(branch_id))
    answers = [
        AnswerRecord.from_event(e)
        for e in store.events(branch_id, month)
        if e.kind == ANSWER_EVENT_KIND
    ]
    return build_report(
        branch_id, branch_id, month, roster, tasks, answers, DEFAULT_POINTS, SHANGHAI
    )


def month_tasks(store: Store, month: str) -> list[StudyTask]:
    """Every branch's tasks that can be finished in `month`."""
    return [t for m in task_months(month, SHANGHAI) for t in store.study_tasks_of_month(m)]


def rank_all(store: Store, month: str) -> list[BranchMonthReport]:
    """What /branches does: every branch's report, people and tasks read once."""
    people, tasks = store.people(), month_tasks(store, month)
    return rank_branches(load_report(store, b, month, people, tasks) for b in BRANCHES)


def peak_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Milliseconds of each run, and the last result."""
    durations = []
    result = None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        durations.append((time.perf_counter() - started) * 1000)
    return durations, result


def measure(folder: Path) -> dict[str, Any]:
    """Run every phase once the store is open; timings in ms, memory in MB."""
    # Peak RSS so far: this interpreter, the store's modules, no openpyxl or matplotlib.
    results: dict[str, Any] = {"baseline": peak_mb()}
    from core.dates.periods import parse_period
    from core.reports.chart import participation_chart
    from core.reports.ledger import build_ledger
    from core.reports.workbook import ledger_workbook

    store = Store(folder, SHANGHAI)
    try:
        report_ms, report = timed(lambda: load_report(store, REPORT_BRANCH, REPORT_MONTH), REPEATS)
        text_ms, text = timed(lambda: format_report_text(report), 1)
        ledger = build_ledger(REPORT_BRANCH, parse_period(REPORT_MONTH), [report])
        export_ms, workbook = timed(lambda: ledger_workbook(ledger, SHANGHAI), 3)
        results["peak"] = peak_mb()
        last_day = parse_period(REPORT_MONTH).last  # every week drawn
        chart_ms, png = timed(lambda: participation_chart(report, SHANGHAI, last_day), 2)
        results["peak_chart"] = peak_mb()
        ranking_ms, _ = timed(lambda: [load_report(store, b, REPORT_MONTH) for b in BRANCHES], 1)
    finally:
        store.close()
    results.update(
        report=report_ms,
        text=text_ms,
        export=export_ms,
        chart=chart_ms,
        ranking=ranking_ms,
        members=len(report.members),
        answers=report.answered,
        tasks=len(report.tasks),
        text_chars=len(text),
        xlsx_kb=len(workbook) / 1024,
        png_kb=len(png) / 1024,
    )
    return results


def print_table(events: int, tasks: int, generate_s: float, r: dict[str, Any]) -> None:
    """One table: the first (cold) run, the median, the goal."""
    print(
        f"history: {events:,} answer events, {tasks:,} study tasks, {MEMBERS:,} members, "
        f"{len(BRANCHES)} branches (laid down in {generate_s:.0f} s)"
    )
    print(
        f"report: {REPORT_BRANCH} {REPORT_MONTH}: {r['members']} members, {r['tasks']} tasks, "
        f"{r['answers']:,} answers; text {r['text_chars']} chars, xlsx {r['xlsx_kb']:.0f} KB, "
        f"png {r['png_kb']:.0f} KB"
    )
    print(f"{'phase':<40} {'first':>10} {'median':>10} {'goal':>10}")
    rows = [
        ("load month + build_report (ms)", r["report"], GOALS["report"]),
        ("format_report_text (ms)", r["text"], None),
        ("ledger_workbook .xlsx (ms)", r["export"], GOALS["export"]),
        ("participation_chart .png (ms)", r["chart"], None),
        ("all 20 branches, /branches (ms)", r["ranking"], None),
    ]
    for name, durations, goal in rows:
        target = f"< {goal:,.0f}" if goal else "-"
        first, median = durations[0], statistics.median(durations)
        print(f"{name:<40} {first:>10,.1f} {median:>10,.1f} {target:>10}")
    print(f"{'peak RSS before openpyxl import (MB)':<40} {r['baseline']:>10.0f}")
    print(f"{'bot peak RSS, report + export (MB)':<40} {r['peak']:>10.0f} {'':>10} {'< 200':>10}")
    print(f"{'peak RSS once a chart is drawn (MB)':<40} {r['peak_chart']:>10.0f}")


def run_child(*args: str) -> dict[str, Any]:
    """Run one phase of this benchmark in a fresh interpreter and read back its JSON line."""
    command = [sys.executable, "-m", "bench.report", *args]
    child = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(child.stdout)
    return result


def lay_down_in_child(folder: Path, per_member: int = ANSWERS_PER_MEMBER) -> dict[str, Any]:
    """Lay down the year at `folder` in a fresh interpreter; {events, tasks, seconds}.

    Linux keeps a process's peak RSS across fork and exec, so the caller stays small
    and the generator's peak never shows up in a later measuring child's number.
    """
    return run_child("--lay-down", str(folder), "--answers-per-member", str(per_member))


def measure_in_child(folder: Path) -> dict[str, Any]:
    """`measure` on the history at `folder`, in a fresh interpreter."""
    return run_child("--measure", str(folder))


def run_report(per_member: int = ANSWERS_PER_MEMBER) -> tuple[dict[str, Any], dict[str, Any]]:
    """Lay down a year in a temp dir and measure on it: (history, results)."""
    with tempfile.TemporaryDirectory() as folder:
        history = lay_down_in_child(Path(folder), per_member)
        return history, measure_in_child(Path(folder))


def main() -> None:
    """Lay down the history, then measure, each in its own process; print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--answers-per-member", type=int, default=ANSWERS_PER_MEMBER, help="per year"
    )
    parser.add_argument("--lay-down", type=Path, help=argparse.SUPPRESS)  # a child's job
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # a child's job
    args = parser.parse_args()
    if args.lay_down:
        started = time.perf_counter()
        events, tasks = lay_down_history(args.lay_down, args.answers_per_member)
        seconds = time.perf_counter() - started
        print(json.dumps({"events": events, "tasks": tasks, "seconds": seconds}))
        return
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    history, results = run_report(args.answers_per_member)
    print_table(history["events"], history["tasks"], history["seconds"], results)


if __name__ == "__main__":
    main()
