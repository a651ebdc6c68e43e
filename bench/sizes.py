"""The agency sizes of `python -m bench --size`, each laid down once into a cache folder.

    python -m bench.sizes --size S   # lay down (or find) the cached year, print its folder

S is 5 branches and 100 members, M 50 and 1,000, L 500 and 10,000: 20 members a branch.
A size's year runs up to NOW, late in a month: bench.report's generator writes the people,
a study task pushed weekly to every branch (most members press 学完了) and the quiz
answers; on top come each branch's binding to its group, a quiz file per member and the
current month's push log with every branch's pushes so far. Only the Store's public
methods write, in a child process, into `.bench-cache/<size>-<fingerprint>/data`; the
fingerprint hashes core/store/*.py and the lay-down code, so a change of either lays the
size down again. A benchmark copies the folder before it writes (`copy_of`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.report import DAYS, Agency, lay_down_history
from core.store.database import Store
from core.store.quiz_records import MemberQuizState
from core.store.quiz_sessions import MemberProgress, QuestionKey, QuestionProgress
from core.store.records import Binding, PushRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
PROJECT = Path(__file__).resolve().parent.parent
CACHE = PROJECT / ".bench-cache"
MEMBERS_PER_BRANCH = 20
ANSWERS_PER_MEMBER = 120  # a year's quiz answers per member
QUESTIONS_IN_QUIZ_FILE = 40  # questions of a member's progress in their quiz file
NOW = datetime(2026, 11, 27, 9, 31, tzinfo=SHANGHAI)  # late in the month: its log is full
YEAR_START = NOW.replace(hour=0, minute=0) - timedelta(days=DAYS)
FIRST_GROUP = -1001000000000  # branch n's group is FIRST_GROUP - n (as in bench.broadcast)
# The monthly schedules of schedules.yaml due before NOW: (schedule id, day, hour, minute).
MONTHLY_PUSHES = (
    ("theme-day-notice", 1, 9, 0),
    ("committee-meeting", 2, 9, 0),  # the first Monday of 2026-11
    ("study-monthly", 5, 9, 30),
    ("party-group-meeting", 10, 9, 0),
    ("quiz-monthly", 15, 10, 0),
)
LAY_DOWN_CODE = (Path(__file__), PROJECT / "bench" / "report.py")


@dataclass(frozen=True)
class Size:
    """One agency size."""

    name: str
    branches: int

    @property
    def members(self) -> int:
        """20 members a branch."""
        return self.branches * MEMBERS_PER_BRANCH

    @property
    def branch_ids(self) -> tuple[str, ...]:
        """b0000, b0001, ... as bench.broadcast names them."""
        return tuple(f"b{n:04d}" for n in range(self.branches))

    @property
    def agency(self) -> Agency:
        """bench.report's generator, at this size."""
        return Agency(self.branch_ids, self.members, YEAR_START, FIRST_GROUP)


SIZES = {s.name: s for s in (Size("S", 5), Size("M", 50), Size("L", 500))}


def branch_name(index: int) -> str:
    """Branch n's name in the config."""
    return f"第{index + 1}党支部"


def config_yaml(size: Size, schedules: str = "") -> str:
    """A config declaring the size's branches, with `schedules` (YAML) if any."""
    branches = "\n".join(
        f"  - {{id: {b}, name: {branch_name(n)}}}" for n, b in enumerate(size.branch_ids)
    )
    return "timezone: Asia/Shanghai\nbranches:\n" + branches + "\n" + schedules


def fingerprint() -> str:
    """A hash of the store's code and of the lay-down code: a change of either lays down again."""
    digest = hashlib.sha256()
    for path in sorted((PROJECT / "core" / "store").glob("*.py")) + list(LAY_DOWN_CODE):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def cache_folder(size: Size) -> Path:
    """Where the size's year is kept: `<folder>/data` and `<folder>/laid.json`."""
    return CACHE / f"{size.name}-{fingerprint()}"


def pushes_of_month(size: Size) -> Iterator[PushRecord]:
    """Every branch's pushes of NOW's month so far: the monthly prompts and weekly tasks."""
    month = NOW.replace(day=1, hour=0, minute=0)
    mondays = [month + timedelta(days=d) for d in range(NOW.day) if (month.weekday() + d) % 7 == 0]
    for index, branch in enumerate(size.branch_ids):
        planned = [(s, month.replace(day=d, hour=h, minute=m)) for s, d, h, m in MONTHLY_PUSHES]
        planned += [("study-weekly", monday.replace(hour=9)) for monday in mondays]
        for message_id, (schedule_id, at) in enumerate(sorted(planned, key=lambda p: p[1])):
            yield PushRecord(
                key=f"{schedule_id}/{branch}/{at:%Y-%m-%dT%H:%M}",
                schedule_id=schedule_id,
                branch_id=branch,
                nominal=at,
                actual=at,
                status="sent",
                updated_at=at + timedelta(seconds=index / 25),
                chat_id=FIRST_GROUP - index,
                message_id=100 + message_id,
            )


def quiz_file(user_id: int, rng: random.Random) -> MemberQuizState:
    """A member's quiz file: their progress on the questions they answered over the year."""
    questions: dict[QuestionKey, QuestionProgress] = {}
    for n in rng.sample(range(300), QUESTIONS_IN_QUIZ_FILE):
        answered = rng.randint(1, 4)
        right = rng.randint(0, answered)
        day = (NOW - timedelta(days=rng.randrange(DAYS))).date()
        questions[("theory-2026", f"q-{n:03d}")] = QuestionProgress(
            answered, right, min(right, 2), day if right else None, right < answered
        )
    return MemberQuizState(user_id, progress=MemberProgress(user_id, questions))


def lay_down(size: Size, folder: Path) -> dict[str, float]:
    """Write the size's year into a store at `folder` with the Store's public methods only."""
    started = time.perf_counter()
    events, tasks = lay_down_history(folder, ANSWERS_PER_MEMBER, size.agency, until=NOW)
    print(f"{size.name}: people, tasks, answers: {time.perf_counter() - started:.0f} s",
          file=sys.stderr, flush=True)  # fmt: skip
    store = Store(folder, SHANGHAI, clock=lambda: NOW)
    rng = random.Random(size.members)
    try:
        for index, branch in enumerate(size.branch_ids):
            bound = YEAR_START + timedelta(hours=index)
            store.bind(Binding(branch, FIRST_GROUP - index, f"{branch_name(index)}群", bound))
        for user_id in range(size.members):
            store.save_member_quiz(quiz_file(user_id, rng))
        pushes = 0
        for record in pushes_of_month(size):
            store.save_push(record)
            pushes += 1
    finally:
        store.close()
    seconds = time.perf_counter() - started
    return {"events": events, "tasks": tasks, "pushes": pushes, "seconds": seconds}


def cached(size: Size) -> tuple[Path, dict[str, float]]:
    """The size's cached data folder (laid down in a child process first if missing)."""
    folder = cache_folder(size)
    laid = folder / "laid.json"
    if not laid.exists():
        CACHE.mkdir(exist_ok=True)
        (CACHE / ".gitignore").write_text("*\n")
        staging = Path(tempfile.mkdtemp(prefix=f"{size.name}-", dir=CACHE))
        try:
            command = [sys.executable, "-m", "bench.sizes", "--lay-down", size.name]
            child = subprocess.run(
                [*command, "--into", str(staging / "data")],
                check=True, stdout=subprocess.PIPE, text=True, cwd=PROJECT,
            )  # fmt: skip
            (staging / "laid.json").write_text(child.stdout)
            staging.rename(folder)  # whole or not at all
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return folder / "data", json.loads(laid.read_text())


def copy_of(data: Path, into: Path) -> Path:
    """A copy of a cached data folder, for a benchmark that writes."""
    return Path(shutil.copytree(data, into / "data", ignore=shutil.ignore_patterns(".lock")))


def main() -> None:
    """Lay down one size (a child's job), or find it in the cache and print where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--lay-down", choices=SIZES, help=argparse.SUPPRESS)  # a child's job
    parser.add_argument("--into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lay_down:
        print(json.dumps(lay_down(SIZES[args.lay_down], args.into)))
        return
    data, laid = cached(SIZES[args.size])
    print(data, json.dumps(laid))


if __name__ == "__main__":
    main()
