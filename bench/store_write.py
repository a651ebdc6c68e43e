"""Per-write cost of recording one event, with 1k, 100k and 300k events already stored.

    python -m bench.store_write [--writes 300]

History is laid down as a year of events over 20 branches (as an agency would
accumulate it), then `--writes` events are recorded one by one for "today",
each fsynced and atomically replaced like every production write.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.store.database import Store
from core.store.records import Event

SHANGHAI = ZoneInfo("Asia/Shanghai")
BRANCHES = [f"branch{n:02d}" for n in range(20)]
YEAR_START = datetime(2025, 11, 1, 9, 0, tzinfo=SHANGHAI)
TODAY = datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)
SIZES = (1_000, 100_000, 300_000)
GOAL_MS = 5.0  # per write, with the largest history stored


def history(count: int) -> list[Event]:
    """`count` quiz-answer events spread evenly over a year and 20 branches."""
    step = timedelta(days=365) / count
    return [
        Event(
            "answer",
            BRANCHES[i % len(BRANCHES)],
            YEAR_START + step * i,
            100_000 + i % 1_000,
            {"bank": "discipline-basics", "question": f"dq-{i % 90:03d}", "chosen": ["A"]},
        )
        for i in range(count)
    ]


def measure(stored: int, writes: int) -> list[float]:
    """Milliseconds of each of `writes` single-event writes on top of `stored` events."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder), SHANGHAI)
        store.record_events(history(stored))
        durations = []
        for i in range(writes):
            event = Event("answer", BRANCHES[0], TODAY + timedelta(seconds=i), 1, {"n": i})
            started = time.perf_counter()
            store.record_event(event)
            durations.append((time.perf_counter() - started) * 1000)
        store.close()
        return durations


@dataclass(frozen=True)
class WriteCost:
    """Milliseconds per single-event write with `stored` events already there."""

    stored: int
    mean: float
    median: float
    p95: float


def run_store_write(writes: int = 300) -> list[WriteCost]:
    """The cost of `writes` writes at each history size of SIZES."""
    costs = []
    for stored in SIZES:
        durations = measure(stored, writes)
        p95 = statistics.quantiles(durations, n=20)[-1]
        median = statistics.median(durations)
        costs.append(WriteCost(stored, statistics.fmean(durations), median, p95))
    return costs


def main() -> None:
    """Print one row per history size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=300)
    args = parser.parse_args()
    print(f"{'stored events':>14} {'mean ms':>9} {'median ms':>10} {'p95 ms':>8} {'vs 1k':>7}")
    costs = run_store_write(args.writes)
    for c in costs:
        ratio = c.mean / costs[0].mean
        print(f"{c.stored:>14,} {c.mean:>9.3f} {c.median:>10.3f} {c.p95:>8.3f} {ratio:>6.2f}x")


if __name__ == "__main__":
    main()
