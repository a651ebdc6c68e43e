"""Start-up time and peak memory of the real bot.py on a year of data.

    python -m bench.startup [--answers-per-member 600]

A year is laid down with bench.report's generator (1,000 members in 20 branches, about
600,000 quiz answers) and the config declares the same 20 branches. bot.py is launched
against the fake Bot API three times: start-up is the wall time from launch until it
long-polls (the median is reported). The third time it stays up while an admin asks it,
in private, for a branch's monthly report (chart included) and its .xlsx ledger, the
heaviest everyday work; then its peak resident memory (VmHWM) is read from /proc.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.report import (
    ANSWERS_PER_MEMBER,
    BRANCHES,
    GOALS,
    REPORT_BRANCH,
    REPORT_MONTH,
    lay_down_in_child,
)
from core.reports.month_report import month_label
from tests.botprocess import BotProcess
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user, write_config_dir

ADMIN = user(1, "管理员")
STARTS = 3
NOW = "2026-11-02T09:00:00+08:00"  # the day after the year laid down ends
REPLY_TIMEOUT = 120.0
RUNNING_LOG = " is running"  # bot.py's post_init logs "Bot @name is running"


@dataclass(frozen=True)
class StartupResult:
    """Seconds from launch to long polling (each start), the work's seconds, peak RSS."""

    starts: list[float]
    report_seconds: float  # /report sent until its text arrives (chart drawn first)
    export_seconds: float  # /export sent until the .xlsx arrives
    peak_rss_mb: float

    @property
    def median_start(self) -> float:
        """The median start-up time, in seconds."""
        return statistics.median(self.starts)


def branch_name(branch_id: str) -> str:
    """The name each of bench.report's branches gets in the config."""
    return f"第{BRANCHES.index(branch_id) + 1}党支部"


def schedules_yaml() -> str:
    """The 20 branches of bench.report, no schedules: start-up does only its own work."""
    branches = "\n".join(f"  - {{id: {b}, name: {branch_name(b)}}}" for b in BRANCHES)
    return "timezone: Asia/Shanghai\nbranches:\n" + branches + "\n"


def timed_start(bot: BotProcess) -> float:
    """Seconds from launching bot.py until it long-polls.

    The fake takes any token, so a bot.py left running by an earlier test run whose old
    port this fake happens to get polls it too, and `start` would return early. This
    bot logs that it runs just before its first poll: without that line, fail loudly.
    """
    logged = len(bot.log()) if bot.log_path.exists() else 0
    started = time.perf_counter()
    bot.start()
    seconds = time.perf_counter() - started
    if RUNNING_LOG not in bot.log()[logged:]:
        raise RuntimeError(
            "another process polls the fake Bot API (a bot.py left over from a test run? "
            "see `ps -ef | grep bot.py`); start-up was not measured"
        )
    return seconds


def stop(bot: BotProcess) -> None:
    """A graceful stop that must succeed."""
    code = bot.stop()
    if code != 0:
        raise RuntimeError(f"bot.py exited with {code}:\n{bot.log()[-3000:]}")


def ask(fake: FakeBotApi, text: str, is_reply: Callable[[Call], bool]) -> float:
    """Seconds from the admin sending `text` in private until a call matching `is_reply`."""
    since = len(fake.requests)
    started = time.perf_counter()
    fake.send_text(ADMIN["id"], ADMIN, text)
    fake.wait_until(lambda: any(is_reply(c) for c in fake.requests[since:]), REPLY_TIMEOUT)
    return time.perf_counter() - started


def is_report(call: Call) -> bool:
    """The report's text: a photo's caption, or a message after the photo when too long."""
    header = f"{branch_name(REPORT_BRANCH)} {month_label(REPORT_MONTH)} 参与情况"
    text = call.params.get("caption") or call.params.get("text") or ""
    return call.ok and call.params.get("chat_id") == ADMIN["id"] and str(text).startswith(header)


def is_export(call: Call) -> bool:
    """The .xlsx ledger sent to the admin."""
    return call.ok and call.method == "sendDocument" and call.params["chat_id"] == ADMIN["id"]


def peak_rss_mb(pid: int) -> float:
    """VmHWM, the peak resident memory of a live process so far (Linux reports kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM in /proc/{pid}/status")


def exercise(fake: FakeBotApi, bot: BotProcess) -> StartupResult:
    """Start bot.py STARTS times, stopping it in between; the last run does the work."""
    starts = []
    for attempt in range(STARTS):
        if attempt:
            stop(bot)
        starts.append(timed_start(bot))
    report = ask(fake, f"/report {REPORT_BRANCH} {REPORT_MONTH}", is_report)
    export = ask(fake, f"/export {REPORT_BRANCH} {REPORT_MONTH}", is_export)
    assert bot.process is not None
    peak = peak_rss_mb(bot.process.pid)
    stop(bot)
    return StartupResult(starts, report, export, peak)


def measure(data_dir: Path) -> StartupResult:
    """Run bot.py on the year at `data_dir` with a config of the same branches."""
    with FakeBotApi() as fake, tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        config = write_config_dir(folder / "config", schedules_yaml())
        (folder / "now").write_text(NOW)
        bot = BotProcess(
            fake,
            data_dir,
            folder / "bot.log",
            CONFIG_DIR=str(config),
            BOT_ADMINS=str(ADMIN["id"]),
            BOT_FAKE_CLOCK_FILE=str(folder / "now"),
        )
        try:
            return exercise(fake, bot)
        finally:
            if bot.process is not None and bot.process.poll() is None:
                bot.kill()  # whatever failed, leave no bot.py polling a port


def run_startup(per_member: int = ANSWERS_PER_MEMBER) -> StartupResult:
    """Lay down a year in a temp dir (in a child process, as bench.report does), then measure."""
    with tempfile.TemporaryDirectory() as folder:
        lay_down_in_child(Path(folder), per_member)
        return measure(Path(folder))


def main() -> None:
    """Print the start-up times, the work's times and the peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--answers-per-member", type=int, default=ANSWERS_PER_MEMBER, help="per year"
    )
    args = parser.parse_args()
    r = run_startup(args.answers_per_member)
    starts = " ".join(f"{s:.2f}" for s in r.starts)
    print(f"start-up until long polling (s): {starts}; median {r.median_start:.2f}")
    print(f"/report {REPORT_BRANCH} {REPORT_MONTH} (s): {r.report_seconds:.2f}")
    print(f"/export {REPORT_BRANCH} {REPORT_MONTH} (s): {r.export_seconds:.2f}")
    print(f"bot peak RSS (MB): {r.peak_rss_mb:.0f} (goal < {GOALS['peak']:.0f})")


if __name__ == "__main__":
    main()
