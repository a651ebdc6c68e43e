"""Every benchmark in one run, one table: `python -m bench` (about 2 minutes on 2 cores).

`python -m bench --size S [--size M ...]` (or `--size all`) measures instead how the bot's
costs grow with the agency, on a year of data laid down once per size (bench.scale,
bench.sizes): S is 5 branches and 100 members, M 50 and 1,000, L 500 and 10,000.

Each bench module measures against the local fake Bot API (tests/fakeapi.py) and
returns its numbers; this prints them as measure | result | goal | ok on stdout, and
each phase's name and duration on stderr while it runs. bench.report and bench.startup
share one laid-down year of data. `python -m bench.<name>` runs one benchmark alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench import answers, bank_import, broadcast, report, scale, startup, store_write
from bench.progress import progress

T = TypeVar("T")
#: A failed phase's row shows this much of its error (the rest went to stderr).
MAX_FAILURE_TEXT = 90


@dataclass(frozen=True)
class Row:
    """One line of the table; `ok` is None where no goal was set."""

    measure: str
    result: str
    goal: str = "-"
    ok: bool | None = None


def phase(name: str, action: Callable[[], T], rows_of: Callable[[T], list[Row]]) -> list[Row]:
    """Run one benchmark with a progress line around it; its rows, or one failed row if it
    raised (a timeout, a crash): the other phases still run and the table still prints."""
    with progress(name):
        try:
            result = action()
        except Exception as error:  # whatever it was, it is this phase's row
            print(f"{name} failed: {error!r}", file=sys.stderr, flush=True)
            return [failed_row(name, f"{type(error).__name__}: {error}")]
    return rows_of(result)


def failed_row(name: str, why: str) -> Row:
    """A phase that gave no figures."""
    return Row(name, f"FAILED ({why})"[:MAX_FAILURE_TEXT], "-", False)


def broadcast_rows(r: broadcast.BroadcastResult) -> list[Row]:
    """Throughput under Telegram's limits, and that every group got the prompt once."""
    sound = r.lost == 0 and r.duplicates == 0
    return [
        Row(
            f"broadcast to {r.groups:,} groups (msg/s)",
            f"{r.rate:.1f}",
            f">= {broadcast.GOAL_RATE:.0f}",
            r.rate >= broadcast.GOAL_RATE,
        ),
        Row("broadcast: 429s received", str(r.rate_limited)),
        Row("broadcast: lost / duplicated messages", f"{r.lost} / {r.duplicates}", "0 / 0", sound),
    ]


def answer_rows(r: answers.AnswerTimes) -> list[Row]:
    """Per-answer handling time, and how long a poll's answers queue up."""
    polls = len(r.drains)
    drains = f"{min(r.drains):.2f} - {max(r.drains):.2f}"
    goal = answers.GOAL_P99_MS
    return [
        Row(f"answer handling p50 (ms), {r.members} x {polls} polls", f"{r.p50:.1f}"),
        Row("answer handling p99 (ms)", f"{r.p99:.1f}", f"< {goal:.0f}", r.p99 < goal),
        Row(f"drain of one poll's {r.members} answers (s)", drains),
    ]


def store_rows(costs: list[store_write.WriteCost]) -> list[Row]:
    """Mean cost of one durable write at each history size; the goal is on the largest."""
    rows = [
        Row(f"store write at {c.stored:,} events (ms)", f"{c.mean:.2f} (p95 {c.p95:.2f})")
        for c in costs
    ]
    goal = store_write.GOAL_MS
    rows[-1] = replace(rows[-1], goal=f"< {goal:.0f}", ok=costs[-1].mean < goal)
    return rows


def history_rows(history: dict[str, Any]) -> list[Row]:
    """The year of data that bench.report and bench.startup share."""
    return [Row("year of data laid down", f"{history['events']:,} events")]


def report_rows(r: dict[str, Any]) -> list[Row]:
    """One branch's month over the year: report and workbook, medians in-process."""
    load, export = statistics.median(r["report"]), statistics.median(r["export"])
    goals = report.GOALS
    return [
        Row(
            "monthly report: load + build (ms)",
            f"{load:.0f}",
            f"< {goals['report']:,.0f}",
            load < goals["report"],
        ),
        Row(
            "monthly report: xlsx export (ms)",
            f"{export:.0f}",
            f"< {goals['export']:,.0f}",
            export < goals["export"],
        ),
    ]


def startup_rows(r: startup.StartupResult) -> list[Row]:
    """The real bot.py on the same year: start-up, a report and export asked in chat, memory."""
    peak = report.GOALS["peak"]
    return [
        Row(f"bot start-up, median of {len(r.starts)} (s)", f"{r.median_start:.2f}"),
        Row(
            "bot /report, then /export in chat (s)",
            f"{r.report_seconds:.2f}, {r.export_seconds:.2f}",
        ),
        Row(
            "bot peak RSS after both (MB)",
            f"{r.peak_rss_mb:.0f}",
            f"< {peak:.0f}",
            r.peak_rss_mb < peak,
        ),
    ]


def bank_import_rows(r: bank_import.ImportResult) -> list[Row]:
    """The real 9,370-question bank imported from a spreadsheet, and a member meanwhile."""
    goal, reply = bank_import.GOAL_SECONDS, bank_import.GOAL_REPLY_MS
    return [
        Row(f"import-bank, {r.rows:,} rows (s)", f"{r.cli_seconds:.2f}", f"< {goal:.0f}",
            r.cli_seconds < goal),
        Row(f"bank sent in chat, {r.rows:,} rows (s)", f"{r.chat_seconds:.2f}", f"< {goal:.0f}",
            r.chat_seconds < goal),
        Row("a member's /help meanwhile, worst (ms)", f"{r.worst_reply_ms:.0f}", f"< {reply:.0f}",
            r.worst_reply_ms < reply),
    ]  # fmt: skip


def sizes_named(names: list[str]) -> list[str]:
    """The sizes of the --size options (`all` is every one), S among them: the growth goals
    compare each size with S (half a minute more when only L is named)."""
    named = list(scale.SIZES) if "all" in names else names
    return named if "S" in named else ["S", *named]


def print_table(rows: list[Row]) -> None:
    """measure | result | goal | ok, columns as wide as their longest cell."""
    cells = [("measure", "result", "goal", "ok")]
    cells += [
        (r.measure, r.result, r.goal, {True: "yes", False: "NO", None: ""}[r.ok]) for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(4)]
    for line in cells:
        row = " | ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print(row.rstrip())


def run_all() -> list[Row]:
    """Run every benchmark in the order of the table."""
    rows = phase("broadcast", broadcast.run_broadcast, broadcast_rows)
    rows += phase("answers", answers.run_answers, answer_rows)
    rows += phase("store write", store_write.run_store_write, store_rows)
    if bank_import.available():  # the real bank lies in ../shared, not in the project
        rows += phase("bank import", bank_import.run_bank_import, bank_import_rows)
    with tempfile.TemporaryDirectory() as name:
        year = Path(name)
        lay_down = partial(report.lay_down_in_child, year)
        laid = phase("lay down a year of data", lay_down, history_rows)
        rows += laid
        if laid[0].ok is False:
            return rows + [failed_row(n, "no year of data") for n in ("report", "bot start-up")]
        rows += phase("report", lambda: report.measure_in_child(year), report_rows)
        rows += phase("bot start-up", lambda: startup.measure(year), startup_rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run everything, then print the table; exit 1 if any row missed its goal or failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", action="append", choices=[*scale.SIZES, "all"], help="S, M, L or all"
    )
    parser.add_argument(
        "--limit", type=float, default=60.0, help="seconds a chat phase may run (with --size)"
    )
    args = parser.parse_args(argv)
    if args.size:
        return scale.run_growth(sizes_named(args.size), args.limit)
    with progress("all benchmarks"):
        rows = run_all()
    print_table(rows)
    return 1 if any(row.ok is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
