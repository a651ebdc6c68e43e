"""`python bot.py` with bench.loop_lag watching its event loop: `python -m bench.lagged_bot`.

Overshoots go to the file BENCH_LAG_FILE names (monotonic time, ms), read back by
`bench.loop_lag.worst_logged` for a phase's time window. The watcher starts with the first
`run_forever` of a loop (PTB's start-up), so it sees every stall on the loop from then on.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import bot
from bench.loop_lag import LoopLag

_run_forever = asyncio.BaseEventLoop.run_forever
_watched: set[int] = set()


def run_forever_watched(loop: asyncio.BaseEventLoop) -> None:
    """The loop's own run_forever, with a LoopLag task scheduled first (once per loop)."""
    if id(loop) not in _watched:
        _watched.add(id(loop))
        lag = LoopLag(Path(os.environ["BENCH_LAG_FILE"]))
        loop.call_soon(lag.start)
    _run_forever(loop)


if __name__ == "__main__":
    asyncio.BaseEventLoop.run_forever = run_forever_watched  # type: ignore[method-assign,assignment]
    sys.exit(bot.main([]))
