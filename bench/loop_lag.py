"""The longest event-loop stall: a task sleeps 5 ms in a loop and keeps its worst overshoot.

Every phase of `python -m bench --size` uses it: in-process (`LoopLag` on the running
loop, `stall_ms` around a phase), and inside bot.py (bench.lagged_bot logs overshoots to
a file, `worst_logged` reads the worst of a time window back).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

TICK = 0.005  # seconds slept between two looks at the clock
LOGGED_MS = 2.0  # bench.lagged_bot logs overshoots above this (cheaper than every tick)


class LoopLag:
    """Watches the loop it was started on; `take` returns the worst stall since the last take."""

    def __init__(self, log: Path | None = None) -> None:
        self._log = log.open("a", buffering=1) if log is not None else None
        self._worst = 0.0
        self._asleep_since = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start watching the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._log is not None:
            self._log.close()

    def take(self) -> float:
        """The worst overshoot (ms) since the last take, the sleep still pending included."""
        pending = (time.monotonic() - self._asleep_since - TICK) * 1000
        worst = max(self._worst, pending)
        self._worst = 0.0
        return max(worst, 0.0)

    async def _watch(self) -> None:
        while True:
            self._asleep_since = time.monotonic()
            await asyncio.sleep(TICK)
            now = time.monotonic()
            over = (now - self._asleep_since - TICK) * 1000
            self._worst = max(self._worst, over)
            if self._log is not None and over > LOGGED_MS:
                self._log.write(f"{now:.4f} {over:.1f}\n")


def worst_logged(log: Path, since: float, until: float) -> float:
    """The worst stall (ms) bench.lagged_bot logged that ended in [since, until] (monotonic)."""
    worst = 0.0
    if log.exists():
        for line in log.read_text().splitlines():
            at, over = (float(word) for word in line.split())
            if since <= at <= until + over / 1000:
                worst = max(worst, over)
    return worst
