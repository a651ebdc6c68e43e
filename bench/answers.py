"""How long the bot takes to handle one poll answer when 200 members answer a group quiz at once.

    python -m bench.answers [--members 200]

The real Application runs in-process, wired as bot.py wires it, with a store on disk
and the fake Bot API. A secretary binds the group and sends `/groupquiz basics 5`;
then, poll by poll, every member's answer is built at once and handed to the
application one after another, as PTB does with updates it fetched (one at a time).
Each call is timed: the handling time of one answer, its durable store write included
(goal: p99 under 50 ms). The drain time is how long one poll's answers take back to
back: the last member's answer waits for all those before it.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.loop_lag import LoopLag
from tests.conftest import SHANGHAI, FakeClock
from tests.fakeapi import FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

CONFIG = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""
GROUP = -100111
SECRETARY = user(2, "书记")
FIRST_MEMBER = 10_000
POLLS = 5
GOAL_P99_MS = 50.0


@dataclass(frozen=True)
class AnswerTimes:
    """Per-answer handling times (ms) over every poll, and each poll's drain time (s)."""

    members: int
    latencies: list[float]
    drains: list[float]
    stall_ms: float = 0.0  # the event loop's longest stall while the answers were handled

    @property
    def p50(self) -> float:
        """Median handling time of one answer, in ms."""
        return statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        """99th percentile handling time of one answer, in ms."""
        return statistics.quantiles(self.latencies, n=100)[-1]


async def send_quiz(bot: BotHarness, polls: int = POLLS) -> list[str]:
    """Bind the group, start a group quiz of `polls` questions; return its poll ids."""
    await bot.say(GROUP, SECRETARY, "/bind office")
    await bot.say(GROUP, SECRETARY, f"/groupquiz basics {polls}")
    sent = [c.result["poll"]["id"] for c in bot.fake.calls("sendPoll") if c.ok]
    if len(sent) != polls:
        raise RuntimeError(f"expected {polls} quiz polls, the bot sent {len(sent)}")
    return sent


async def answer_poll(bot: BotHarness, poll_id: str, members: int) -> tuple[list[float], float]:
    """Every member answers one poll at once; (ms per answer, seconds for all of them)."""
    updates = [
        bot.fake.answer_poll(poll_id, user(member, f"成员{member}"), [0])
        for member in range(FIRST_MEMBER, FIRST_MEMBER + members)
    ]
    latencies = []
    drain_started = time.perf_counter()
    for update in updates:
        started = time.perf_counter()
        await bot.feed(update)
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0)  # a turn of the loop between two updates, as for any other
    return latencies, time.perf_counter() - drain_started


def check_recorded(bot: BotHarness, poll_id: str, now: datetime, members: int) -> None:
    """Fail loudly unless the quiz holds one answer per member for this poll."""
    quiz = bot.services.store.group_quiz_for_poll(poll_id, now)
    if quiz is None:
        raise RuntimeError(f"no group quiz found for poll {poll_id}")
    (question,) = [q for q in quiz.questions if q.poll_id == poll_id]
    if len(question.answers) != members:
        raise RuntimeError(f"poll {poll_id}: {len(question.answers)} of {members} recorded")


async def measure(folder: Path, members: int, polls: int = POLLS) -> AnswerTimes:
    """Run the quiz against a fresh store in `folder`."""
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    config = write_config_dir(folder / "config", CONFIG)
    with FakeBotApi() as fake:
        fake.add_chat(GROUP, title="办公室党支部群")
        fake.set_member_status(GROUP, SECRETARY["id"], "creator")
        async with running_bot_from_config(fake, folder / "data", config, clock, "") as bot:
            latencies: list[float] = []
            drains = []
            poll_ids = await send_quiz(bot, polls)
            gc.freeze()  # as bot.py's post_init does once start-up is done
            lag = LoopLag()
            lag.start()
            for poll_id in poll_ids:
                times, drain = await answer_poll(bot, poll_id, members)
                check_recorded(bot, poll_id, clock(), members)
                latencies += times
                drains.append(drain)
            stall = lag.take()
            await lag.stop()
    return AnswerTimes(members, latencies, drains, stall)


def run_answers(members: int = 200, polls: int = POLLS) -> AnswerTimes:
    """Measure in a temp dir."""
    with tempfile.TemporaryDirectory() as name:
        return asyncio.run(measure(Path(name), members, polls))


def main() -> None:
    """Print the answer latencies and the drain time per poll."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    args = parser.parse_args()
    r = run_answers(args.members)
    print(f"{len(r.latencies):,} answers ({r.members} members x {POLLS} polls)")
    print(f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'goal p99':>9}")
    goal = f"< {GOAL_P99_MS:.0f}"
    print(f"{r.p50:>8.2f} {r.p99:>8.2f} {max(r.latencies):>8.2f} {goal:>9}")
    drains = " ".join(f"{d:.2f}" for d in r.drains)
    print(f"drain time of each poll's {r.members} answers (s): {drains}")


if __name__ == "__main__":
    main()
