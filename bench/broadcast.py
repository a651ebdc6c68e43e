"""One prompt pushed to 1,000 groups through the fake Bot API with Telegram's limits enforced.

    python -m bench.broadcast [--groups 1000]

The real bot.py runs against tests/fakeapi.py, which answers 429 beyond 30
messages a second overall or 20 a minute per group, as Telegram does. Prints
the messages per second achieved (goal: at least 27 of the 30 allowed), the
429s received and the messages lost or duplicated (both must be 0).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.loop_lag import worst_logged
from core.store.database import Store
from core.store.records import Binding
from tests.botprocess import BotProcess
from tests.fakeapi import Call, FakeBotApi

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_GROUP = -1001000000000
PUSH_SUFFIX = "月内召开。"
GOAL_RATE = 27.0  # messages per second: 90% of the 30 Telegram allows
PUSH_AT = datetime(2026, 11, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def schedules_yaml(groups: int, at: datetime = PUSH_AT) -> str:
    """Branches b0000.. and one prompt due at `at` for all of them."""
    branches = "\n".join(f"  - {{id: b{n:04d}, name: 第{n}党支部}}" for n in range(groups))
    return (
        "timezone: Asia/Shanghai\nbranches:\n"
        + branches
        + f'\nschedules:\n  - id: theme-day\n    when: {{once: "{at:%Y-%m-%d %H:%M}"}}\n'
        + '    to: all\n    prompt: "{branch}：本月主题党日请于{month}月内召开。"\n'
    )


def prepare(folder: Path, fake: FakeBotApi, groups: int, at: datetime, bound: bool) -> None:
    """Config, a clock past the push time, and every branch bound to its group (unless the
    data folder has them `bound` already: a laid-down agency, bench.sizes)."""
    (folder / "config").mkdir()
    (folder / "config" / "schedules.yaml").write_text(schedules_yaml(groups, at))
    (folder / "now").write_text((at + timedelta(minutes=1)).isoformat())
    for n in range(groups):
        fake.add_chat(FIRST_GROUP - n, title=f"群{n}")
    if bound:
        return
    store = Store(folder / "data", SHANGHAI)
    bound_at = datetime(2026, 11, 1, tzinfo=SHANGHAI)
    for n in range(groups):
        store.bind(Binding(f"b{n:04d}", FIRST_GROUP - n, f"群{n}", bound_at))
    store.close()


def is_push(call: Call) -> bool:
    """A successful delivery of the prompt."""
    return call.method == "sendMessage" and call.ok and call.params["text"].endswith(PUSH_SUFFIX)


@dataclass(frozen=True)
class BroadcastResult:
    """What one broadcast achieved; `seconds` runs from the first delivery to the last."""

    groups: int
    seconds: float
    rate: float  # messages per second
    rate_limited: int  # 429s the bot received
    lost: int  # groups that never got the prompt
    duplicates: int  # groups that got it more than once
    stall_ms: float = 0.0  # bot.py's longest event-loop stall during the round (if watched)


def run_broadcast(
    groups: int = 1000, data: Path | None = None, at: datetime = PUSH_AT
) -> BroadcastResult:
    """Push one prompt to `groups` groups with the real bot.py; count what arrived.

    With `data`, a laid-down agency (bench.sizes: b0000.. bound, its month's push log full)
    is copied and pushed to at `at`, and bot.py's event loop is watched (bench.lagged_bot).
    """
    with FakeBotApi() as fake, tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if data is not None:
            shutil.copytree(data, folder / "data", ignore=shutil.ignore_patterns(".lock"))
        prepare(folder, fake, groups, at, bound=data is not None)
        fake.enforce_rate_limits(per_second=30, per_group_per_minute=20)
        lag_log = folder / "lag.log"
        bot = BotProcess(
            fake,
            folder / "data",
            folder / "bot.log",
            CONFIG_DIR=str(folder / "config"),
            BOT_FAKE_CLOCK_FILE=str(folder / "now"),
            BOT_TICK_SECONDS="1",
            BENCH_LAG_FILE=str(lag_log),
        )
        if data is not None:
            bot.command = [sys.executable, "-m", "bench.lagged_bot"]
        bot.start()
        try:
            deadline = time.monotonic() + groups / 20 + 60
            while len({c.params["chat_id"] for c in fake.calls() if is_push(c)}) < groups:
                if time.monotonic() > deadline:
                    break
                fake.wait_for("sendMessage", is_push, since=len(fake.requests), timeout=30)
        finally:
            bot.stop()  # also when waiting failed: leave no bot.py polling a port
        pushes = [c for c in fake.requests if is_push(c)]
        per_group = Counter(c.params["chat_id"] for c in pushes)
        rate_limited = sum(1 for c in fake.requests if c.error_code == 429)
        stall = worst_logged(lag_log, pushes[0].at, pushes[-1].at) if pushes else 0.0
    if not pushes:
        raise RuntimeError(f"no group got the prompt; bot.py's log ends:\n{bot.log()[-2000:]}")
    seconds = pushes[-1].at - pushes[0].at
    return BroadcastResult(
        groups=groups,
        seconds=seconds,
        rate=(len(pushes) - 1) / seconds,
        rate_limited=rate_limited,
        lost=groups - len(per_group),
        duplicates=sum(1 for n in per_group.values() if n > 1),
        stall_ms=stall,
    )


def main() -> None:
    """Run the broadcast and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    args = parser.parse_args()
    r = run_broadcast(args.groups)
    print(f"{'groups':>7} {'seconds':>8} {'messages/s':>11} {'429s':>5} {'lost':>5} {'dupes':>6}")
    row = (r.groups, r.seconds, r.rate, r.rate_limited, r.lost, r.duplicates)
    print("{:>7} {:>8.1f} {:>11.1f} {:>5} {:>5} {:>6}".format(*row))


if __name__ == "__main__":
    main()
