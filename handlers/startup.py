"""Wait for Telegram at start instead of exiting.

A server often boots before its network (or its proxy) is up, and a process that exits
then stays dead unless something restarts it. So the first contact with Telegram is
retried with a growing pause, one log line per attempt, until it succeeds. Only a token
Telegram refuses ends the wait: retrying cannot fix it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram.error import InvalidToken, NetworkError, RetryAfter

log = logging.getLogger(__name__)

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 300.0


class TokenRefused(Exception):
    """Telegram does not know the token, or the API URL answers 404 like Telegram does
    for one (bot.py exits 2, as for a malformed token)."""


async def until_reachable(
    connect: Callable[[], Awaitable[None]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run `connect` until it gets through; pauses double from 1 s up to 5 min."""
    pause = FIRST_PAUSE_SECONDS
    for attempt in itertools.count(1):
        try:
            await connect()
        except InvalidToken:
            # Not a TelegramError any more: PTB's own retry loop would log a traceback.
            # Nor its text, which holds the token.
            raise TokenRefused from None
        except RetryAfter as error:
            wait, reason = _seconds(error.retry_after), str(error)
        except NetworkError as error:  # no route, refused, timed out, 5xx, a proxy's fault
            wait, reason = pause, str(error)
            pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
        else:
            if attempt > 1:
                log.warning("已连上 Telegram（第 %s 次尝试）。", attempt)
            return
        log.warning("连不上 Telegram（第 %s 次）：%s。%g 秒后重试。", attempt, reason, wait)
        await sleep(wait)


def _seconds(retry_after: float | timedelta) -> float:
    """RetryAfter.retry_after is seconds, or a timedelta where PTB_TIMEDELTA is set."""
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after
