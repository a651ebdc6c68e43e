"""The figures of `python -m bench --size S|M|L`, measured on each size's cached year.

Each phase copies the size's data folder (bench.sizes) before it writes. The chat phases
(/branches, /export, the per-write costs) and the poll answers run the real Application
in-process (updates handed to it as PTB's update fetcher does), each in a child process
(`python -m bench.scale --phase ...`) with a time limit: at the limit the child sends
itself SIGTERM and reports what it has not measured yet as a lower bound (">60"). The round and
the start-up run the real bot.py with its event loop watched (bench.lagged_bot). Every
phase gives its longest event-loop stall.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from telegram import Update

from bench import answers, broadcast, sizes, startup
from bench.growth import SIZE_ORDER, Figure, Goal, Value, missed, render, table
from bench.loop_lag import LoopLag, worst_logged
from bench.progress import progress
from bench.sizes import FIRST_GROUP, NOW, SHANGHAI, SIZES, Size
from bench.startup import ask, is_export, peak_rss_mb, stop, timed_start
from core.scheduling.study_tasks import CALLBACK_PREFIX
from core.store.database import Store
from core.store.quiz_sessions import AnswerRecord
from core.store.records import PushRecord
from tests.botprocess import BotProcess
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

ADMIN = user(1_000_000, "管理员")
TELEGRAM_LIMIT = 4096
PRESS_AFTER = 0.02  # a member presses 学完了 this long after the command was sent
QUIET = 0.5  # a reply is complete once nothing more was sent to the admin for this long
WRITES = 40  # samples of each per-write cost
GROUP_QUIZ_POLLS = 3
ANSWERERS = {"S": 250, "M": 500, "L": 1_000}  # members answering one poll at once
EXPORT_PERIOD = "2026-10"  # the last full month before NOW
STARTS = 3
CHILD_GRACE = 15.0  # seconds a child has after SIGTERM to report its lower bounds
LIMITS = {"crowd": 3.0}  # times --limit: 1,000 answers drained 26-99 s before issue 15
SETUP_LIMIT = 600.0  # seconds a child may take to copy the year and start the bot

STALL = Goal("<", 100)
LINEAR = Goal("<=", 2)  # per-write costs and the drain per answer at most double from S to L
FIGURES = [
    Figure("branches_first_s", "/branches at start, nothing kept yet (s)", 2),
    Figure("press_branches_first_ms", "学完了 during it: answered (ms)", 0, Goal("<", 200)),
    Figure("stall_branches_first_ms", "... longest loop stall (ms)", 0, STALL),
    Figure("branches_s", "/branches, every branch changed since (s)", 2, Goal("<", 1)),
    Figure("press_branches_ms", "学完了 during it: answered (ms)", 0, Goal("<", 200)),
    Figure("stall_branches_ms", "... longest loop stall (ms)", 0, STALL),
    Figure("branches_chars", "/branches: longest message (chars)", 0, Goal("<=", TELEGRAM_LIMIT)),
    Figure("export_s", "/export one branch's month: reply (s)", 2),
    Figure("press_export_ms", "学完了 during /export: answered (ms)", 0, Goal("<", 200)),
    Figure("stall_export_ms", "/export: longest loop stall (ms)", 0, STALL),
    Figure("round_rate", "round to every group, month's log full (msg/s)", 1, Goal(">=", 27)),
    Figure("round_lost", "round: groups lost + duplicated", 0, Goal("<=", 0)),
    Figure("stall_round_ms", "round: longest loop stall (ms)", 0, STALL),
    Figure("push_ms", "save_push (ms, mean)", 2, growth=LINEAR),
    Figure("push_p95_ms", "save_push (ms, p95)", 2),
    Figure("person_ms", "save_person (ms, mean)", 2, growth=LINEAR),
    Figure("person_p95_ms", "save_person (ms, p95)", 2),
    Figure("answer_ms", "group-quiz poll answer (ms, mean)", 2, growth=LINEAR),
    Figure("answer_p95_ms", "group-quiz poll answer (ms, p95)", 2),
    Figure("stall_writes_ms", "poll answers: longest loop stall (ms)", 0, STALL),
    Figure("startup_s", "bot.py start-up, median (s)", 2, Goal("<", 2)),
    Figure("stall_startup_ms", "start-up: longest loop stall (ms)", 0, STALL),
    Figure("peak_rss_mb", "bot.py peak RSS after /export (MB)", 0, Goal("<", 200)),
    Figure("crowd_p99_ms", "250/500/1,000 answer a poll at once: p99 (ms)", 1, Goal("<", 50)),
    Figure("crowd_drain_s", "250/500/1,000 answer at once: drain (s)", 2),
    Figure("crowd_per_answer_ms", "... drain per answer (ms): flat if linear", 2, growth=LINEAR),
    Figure("stall_crowd_ms", "250/500/1,000 answer at once: loop stall (ms)", 0, STALL),
    Figure("laid_events", "year laid down: answer events", 0),
    Figure("laid_s", "year laid down, once (s)", 0),
]


# --- a child's figures, streamed as JSON lines ---------------------------------------------


class Figures:
    """What a child measured so far, one JSON line each; on SIGTERM the rest as lower bounds.

    The first figure waited for starts the clock: `limit` seconds later the child sends
    itself SIGTERM (setting up, a copy of L's year and the bot, is not counted)."""

    def __init__(self, limit: float) -> None:
        self._pending: dict[str, Callable[[], float]] = {}
        self._limit = limit
        self._watchdog: threading.Timer | None = None
        signal.signal(signal.SIGTERM, self._cut_off)

    def waiting(self, key: str, lower_bound: Callable[[], float]) -> None:
        """`key` is being measured; if cut off, it is above `lower_bound()`."""
        self._pending[key] = lower_bound
        if self._watchdog is None:
            self._watchdog = threading.Timer(self._limit, os.kill, (os.getpid(), signal.SIGTERM))
            self._watchdog.daemon = True
            self._watchdog.start()

    def give(self, key: str, number: float, above: bool = False) -> None:
        """One figure, measured."""
        self._pending.pop(key, None)
        print(json.dumps({"key": key, "number": number, "above": above}), flush=True)

    def _cut_off(self, signum: int, frame: FrameType | None) -> None:
        for key, lower_bound in list(self._pending.items()):
            self.give(key, lower_bound(), above=True)
        os._exit(0)


def since(started: float, scale: float = 1.0) -> Callable[[], float]:
    """The time since `started` (monotonic), times `scale`."""
    return lambda: (time.monotonic() - started) * scale


# --- the chat phases, in a child --------------------------------------------------------------


async def message_to(bot: BotHarness, member: dict[str, Any]) -> int:
    """The member writes to the bot in private; the id of the bot's answer (to press under)."""
    await bot.say(member["id"], member, "/help")
    sent = [c for c in bot.fake.calls("sendMessage") if c.params["chat_id"] == member["id"]]
    if not sent:
        raise RuntimeError("the bot did not answer /help in private")
    message_id: int = sent[-1].result["message_id"]
    return message_id


async def press_later(
    bot: BotHarness, member: dict[str, Any], message_id: int, task_id: str, at: float
) -> float:
    """The member presses 学完了 at `at` (monotonic); return when it was answered."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    data = f"{CALLBACK_PREFIX}{task_id}"
    press = bot.fake.press_button(member["id"], message_id, member, data, strict=False)
    query_id = press["callback_query"]["id"]
    await dispatched(bot, press)
    answered = [
        c.at
        for c in bot.fake.calls("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id
    ]
    if not answered:
        raise RuntimeError("the 学完了 press was never answered")
    return answered[0]


async def dispatched(bot: BotHarness, raw: dict[str, Any]) -> None:
    """Handle one update as PTB's update fetcher does: through the application's update
    processor, which lets as many updates run at once as the bot is built for (one, unless
    it says otherwise): a press waits for a command still being handled."""
    application = bot.application
    update = Update.de_json(raw, application.bot)
    await application.update_processor.process_update(update, application.process_update(update))


def to_admin(call: Call) -> bool:
    """Anything sent to the admin's private chat."""
    return call.method.startswith("send") and call.params.get("chat_id") == ADMIN["id"]


async def reply_done(bot: BotHarness, start: int, done: Callable[[list[Call]], bool]) -> float:
    """Wait until the calls since `start` satisfy `done` and a QUIET moment passed; when
    the last call to the admin arrived (monotonic)."""
    while True:
        calls = [c for c in bot.fake.requests[start:] if to_admin(c)]
        if calls and done(calls) and time.monotonic() - calls[-1].at > QUIET:
            return calls[-1].at
        await asyncio.sleep(0.01)


async def command_with_press(
    bot: BotHarness, figures: Figures, name: str, text: str, done: Callable[[list[Call]], bool]
) -> list[Call]:
    """The admin sends `text` and a member presses 学完了 PRESS_AFTER later; the reply's
    seconds, the press's ms and the longest stall, as `<name>_s`, `press_<name>_ms`,
    `stall_<name>_ms`. Returns the calls to the admin."""
    (task,) = [t for t in bot.services.store.open_study_tasks(NOW) if t.branch_id == "b0000"]
    member = user(len(bot.services.organization.config.branches) * 3, "成员")  # of b0000
    message_id = await message_to(bot, member)
    lag = LoopLag()
    lag.start()
    await asyncio.sleep(0.05)
    start = len(bot.fake.requests)
    started = time.monotonic()
    press_at = started + PRESS_AFTER
    figures.waiting(f"{name}_s", since(started))
    figures.waiting(f"press_{name}_ms", since(press_at, 1000))
    figures.waiting(f"stall_{name}_ms", lag.take)
    lag.take()
    update = bot.fake.send_text(ADMIN["id"], ADMIN, text)
    command = asyncio.create_task(dispatched(bot, update))
    pressed = asyncio.create_task(press_later(bot, member, message_id, task.id, press_at))
    answered = await pressed
    figures.give(f"press_{name}_ms", (answered - press_at) * 1000)
    await command
    replied = await reply_done(bot, start, done)
    figures.give(f"{name}_s", replied - started)
    figures.give(f"stall_{name}_ms", lag.take())
    await lag.stop()
    return [c for c in bot.fake.requests[start:] if to_admin(c)]


@contextmanager
def chat_bot_folder(data: Path) -> Iterator[Path]:
    """A temp folder holding a copy of the cached `data`."""
    with tempfile.TemporaryDirectory() as name:
        sizes.copy_of(data, Path(name))
        yield Path(name)


async def chat_phase(phase: str, size: Size, data: Path, figures: Figures) -> None:
    """/branches or /export with a press meanwhile, or the per-write costs."""
    with chat_bot_folder(data) as folder:
        if phase == "writes":
            store_writes(folder / "data", size, figures)
        config = write_config_dir(folder / "config", sizes.config_yaml(size))
        with FakeBotApi() as fake:
            for index in range(size.branches):
                fake.add_chat(FIRST_GROUP - index, title=f"{sizes.branch_name(index)}群")
            clock, admins = FakeClock(NOW), str(ADMIN["id"])
            copy = folder / "data"
            async with running_bot_from_config(fake, copy, config, clock, admins) as bot:
                gc.freeze()  # what start-up loaded, as bot.py's post_init does
                if phase == "branches":
                    await branches(bot, size, figures)
                elif phase == "export":
                    exported = lambda calls: any(c.method == "sendDocument" for c in calls)  # noqa: E731
                    await command_with_press(
                        bot, figures, "export", f"/export b0000 {EXPORT_PERIOD}", exported
                    )
                else:
                    await poll_answers(bot, size, figures)


async def branches(bot: BotHarness, size: Size, figures: Figures) -> None:
    """/branches as the first command after a start (the ranking the start builds not
    kept yet: bot.py builds it once it runs), then again after every branch changed
    (one more answer in each: the kept ranking is built again from the kept tallies)."""
    every = lambda calls: True  # noqa: E731
    calls = await command_with_press(bot, figures, "branches_first", "/branches", every)
    store = bot.services.store
    for index, branch in enumerate(size.branch_ids):  # member `index` is of branch `index`
        answer = AnswerRecord(index, branch, "bench", "q1", ("A",), True, "private", NOW)
        store.record_event(answer.to_event())
    calls += await command_with_press(bot, figures, "branches", "/branches", every)
    figures.give("branches_chars", max(len(c.params.get("text") or "") for c in calls))


def store_writes(data: Path, size: Size, figures: Figures) -> None:
    """save_push of a new push and save_person of a changed member, WRITES times each."""
    store = Store(data, SHANGHAI, clock=lambda: NOW)
    try:
        push_ms, person_ms = [], []
        for n in range(WRITES):
            branch = size.branch_ids[n % size.branches]
            at = NOW + timedelta(minutes=n)
            record = PushRecord(
                f"bench-write/{branch}/{at:%Y-%m-%dT%H:%M}", "bench-write", branch, at, at,
                "sending", at, FIRST_GROUP - n % size.branches,
            )  # fmt: skip
            started = time.perf_counter()
            store.save_push(record)
            push_ms.append((time.perf_counter() - started) * 1000)
            person = store.person(n * size.members // WRITES)
            assert person is not None
            changed = replace(person, display_name=f"{person.display_name}+")
            started = time.perf_counter()
            store.save_person(changed)
            person_ms.append((time.perf_counter() - started) * 1000)
    finally:
        store.close()
    figures.give("push_ms", statistics.mean(push_ms))
    figures.give("push_p95_ms", p95(push_ms))
    figures.give("person_ms", statistics.mean(person_ms))
    figures.give("person_p95_ms", p95(person_ms))


def p95(samples: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(samples, n=20)[-1]


async def poll_answers(bot: BotHarness, size: Size, figures: Figures) -> None:
    """b0000's secretary starts a group quiz; each of its members answers every poll."""
    members = [user(u, f"成员{u}") for u in range(0, size.members, size.branches)]
    secretary = members[0]
    bot.fake.set_member_status(FIRST_GROUP, secretary["id"], "creator")
    await bot.say(FIRST_GROUP, secretary, f"/groupquiz basics {GROUP_QUIZ_POLLS}")
    polls = [c.result["poll"]["id"] for c in bot.fake.calls("sendPoll") if c.ok]
    if len(polls) != GROUP_QUIZ_POLLS:
        raise RuntimeError(f"expected {GROUP_QUIZ_POLLS} polls, the bot sent {len(polls)}")
    lag = LoopLag()
    lag.start()
    figures.waiting("stall_writes_ms", lag.take)
    lag.take()
    latencies = []
    for poll_id in polls:
        for member in members:
            update = bot.fake.answer_poll(poll_id, member, [0])
            started = time.perf_counter()
            await bot.feed(update)
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0)  # the loop's turn between two updates: stalls are per update
    figures.give("stall_writes_ms", lag.take())
    await lag.stop()
    figures.give("answer_ms", statistics.mean(latencies))
    figures.give("answer_p95_ms", p95(latencies))


def crowd_phase(size: Size, figures: Figures) -> None:
    """bench.answers: ANSWERERS[size] members answer one poll at once, on a fresh store."""
    started = time.monotonic()
    figures.waiting("crowd_drain_s", since(started))
    r = answers.run_answers(ANSWERERS[size.name], polls=1)
    figures.give("crowd_p99_ms", r.p99)
    figures.give("crowd_drain_s", max(r.drains))
    figures.give("crowd_per_answer_ms", max(r.drains) / r.members * 1000)
    figures.give("stall_crowd_ms", r.stall_ms)


def child_main(phase: str, size: Size, data: Path, limit: float) -> None:
    """A child's job: measure one phase, print its figures as JSON lines."""
    figures = Figures(limit)
    if phase == "crowd":
        crowd_phase(size, figures)
    else:
        asyncio.run(chat_phase(phase, size, data, figures))


# --- the parent: children with a time limit, and the bot.py phases ---------------------------


def in_child(phase: str, size: Size, data: Path, limit: float) -> dict[str, Value]:
    """Run one phase in a child that stops measuring at `limit` seconds; its figures.

    The child cuts itself off; a child stuck in setting up is sent SIGTERM here later."""
    command = [sys.executable, "-m", "bench.scale", "--phase", phase, "--size", size.name]
    child = subprocess.Popen(
        [*command, "--data", str(data), "--limit", str(limit)],
        stdout=subprocess.PIPE, text=True, cwd=sizes.PROJECT,
    )  # fmt: skip
    try:
        out, _ = child.communicate(timeout=limit + SETUP_LIMIT)
    except subprocess.TimeoutExpired:
        print(f"{size.name} {phase}: stuck, stopped", file=sys.stderr, flush=True)
        child.send_signal(signal.SIGTERM)
        try:
            out, _ = child.communicate(timeout=CHILD_GRACE)
        except subprocess.TimeoutExpired:
            child.kill()
            out, _ = child.communicate()
    found = {}
    for line in out.splitlines():
        given = json.loads(line)
        found[given["key"]] = Value(given["number"], given["above"])
        if given["above"]:
            print(f"{size.name} {phase}: {given['key']} cut off at {limit:g} s",
                  file=sys.stderr, flush=True)  # fmt: skip
    if child.returncode not in (0, -signal.SIGTERM) and not found:
        raise RuntimeError(f"{phase} child exited with {child.returncode}")
    return found


def round_phase(size: Size, data: Path) -> dict[str, Value]:
    """bench.broadcast on the size's year: every group, late in the month."""
    at = NOW - timedelta(minutes=1)
    r = broadcast.run_broadcast(size.branches, data=data, at=at)
    return {
        "round_rate": Value(r.rate),
        "round_lost": Value(r.lost + r.duplicates),
        "stall_round_ms": Value(r.stall_ms),
    }


def startup_phase(size: Size, data: Path) -> dict[str, Value]:
    """bot.py on a copy of the year: STARTS start-ups, an /export, then its peak RSS."""
    with FakeBotApi() as fake, tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        copy = sizes.copy_of(data, folder)
        config = write_config_dir(folder / "config", sizes.config_yaml(size))
        (folder / "now").write_text(NOW.isoformat())
        lag_log = folder / "lag.log"
        bot = BotProcess(
            fake, copy, folder / "bot.log",
            CONFIG_DIR=str(config), BOT_ADMINS=str(startup.ADMIN["id"]),
            BOT_FAKE_CLOCK_FILE=str(folder / "now"), BENCH_LAG_FILE=str(lag_log),
        )  # fmt: skip
        bot.command = [sys.executable, "-m", "bench.lagged_bot"]
        starts, stalls = [], []
        try:
            for attempt in range(STARTS):
                if attempt:
                    stop(bot)
                launched = time.monotonic()
                starts.append(timed_start(bot))
                stalls.append(worst_logged(lag_log, launched, time.monotonic()))
            ask(fake, f"/export b0000 {EXPORT_PERIOD}", is_export)
            assert bot.process is not None
            peak = peak_rss_mb(bot.process.pid)
            stop(bot)
        finally:
            if bot.process is not None and bot.process.poll() is None:
                bot.kill()
    return {
        "startup_s": Value(statistics.median(starts)),
        "stall_startup_ms": Value(max(stalls)),
        "peak_rss_mb": Value(peak),
    }


def measure_size(size: Size, limit: float) -> dict[str, Value]:
    """Every figure at one size; a phase that fails leaves its figures missing."""
    with progress(f"{size.name}: lay down (or find) the year"):
        data, laid = sizes.cached(size)
    found = {"laid_events": Value(laid["events"]), "laid_s": Value(laid["seconds"])}
    phases: list[tuple[str, Callable[[], dict[str, Value]]]] = [
        (p, lambda p=p: in_child(p, size, data, limit * LIMITS.get(p, 1)))  # type: ignore[misc]
        for p in ("branches", "export", "writes", "crowd")
    ]
    phases += [("round", lambda: round_phase(size, data))]
    phases += [("start-up", lambda: startup_phase(size, data))]
    for name, action in phases:
        with progress(f"{size.name}: {name}"):
            try:
                found.update(action())
            except Exception as error:  # the table still prints, the figures missing
                print(f"{size.name} {name} failed: {error!r}", file=sys.stderr, flush=True)
    return found


def run_growth(names: list[str], limit: float) -> int:
    """Measure the sizes named, smallest first; print the growth table; 1 if a goal is missed."""
    ordered = [n for n in SIZE_ORDER if n in names]
    measured = {}
    with progress(f"growth at {', '.join(ordered)}"):
        for name in ordered:
            measured[name] = measure_size(SIZES[name], limit)
            print(f"{name}: {len(measured[name])} figures", file=sys.stderr, flush=True)
    print(render(table(FIGURES, measured, ordered)))
    failing = missed(FIGURES, measured)
    if failing:
        print(f"goals missed: {len(failing)}", file=sys.stderr)
    return 1 if failing else 0


def main() -> None:
    """A child's entry point: `python -m bench.scale --phase P --size S --data DIR`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", required=True)
    parser.add_argument("--size", choices=SIZES, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--limit", type=float, default=60.0)
    args = parser.parse_args()
    child_main(args.phase, SIZES[args.size], args.data, args.limit)


if __name__ == "__main__":
    main()
