"""Confirm an update to Telegram only once it has been handled.

Telegram forgets an update when getUpdates is next called with a higher offset. PTB's
Updater asks for the next offset as soon as a batch is queued, so a crash while
updates wait in the queue loses them for good: a 学完了 press or a quiz answer
that Telegram will never send again. Here the offset sent to Telegram never passes the
oldest update not yet handled. After a crash Telegram delivers it again; within one run
an update fetched twice is passed on only once. Handlers are idempotent for the few
updates a crash replays (answers are kept once per member and question, presses once
per member and task).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, Defaults, ExtBot
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

# PTB's default connection pool for API calls other than getUpdates.
REQUEST_POOL_SIZE = 256
# The longest a fetch waits for a handler to finish before asking Telegram again.
IDLE_WAIT_SECONDS = 10.0


class UpdateLedger:
    """Which fetched updates are still being handled, and how far Telegram may forget."""

    def __init__(self) -> None:
        self._newest_fetched = 0
        self._unhandled: set[int] = set()
        self._progress = asyncio.Event()

    def offset(self, requested: int | None) -> int | None:
        """The offset to send: never past an update that is not handled yet."""
        return self.next_offset() if self._unhandled else requested

    def next_offset(self) -> int:
        """The offset that confirms every handled update."""
        return min(self._unhandled, default=self._newest_fetched + 1)

    def fresh(self, updates: Sequence[Update]) -> tuple[Update, ...]:
        """The updates not fetched before; they are now awaited as unhandled."""
        new = tuple(u for u in updates if u.update_id > self._newest_fetched)
        for update in new:
            self._unhandled.add(update.update_id)
            self._newest_fetched = update.update_id
        return new

    def handled(self, update: object) -> None:
        """One update is done with (whatever its handlers did, errors included)."""
        if isinstance(update, Update) and update.update_id in self._unhandled:
            self._unhandled.discard(update.update_id)
            self._progress.set()

    async def wait_for_progress(self) -> None:
        """Wait until some update is handled (at most IDLE_WAIT_SECONDS): no busy loop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._progress.wait(), IDLE_WAIT_SECONDS)
        self._progress.clear()


class LedgerBot(ExtBot[int]):
    """An ExtBot whose getUpdates keeps unhandled updates on Telegram's side."""

    def __init__(
        self,
        ledger: UpdateLedger,
        token: str,
        *,
        base_url: str,
        base_file_url: str,
        defaults: Defaults,
        rate_limiter: AIORateLimiter,
    ) -> None:
        super().__init__(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            defaults=defaults,
            rate_limiter=rate_limiter,
            request=HTTPXRequest(connection_pool_size=REQUEST_POOL_SIZE),
            # Two: a long poll cancelled at a stop keeps its connection until Telegram
            # answers it, and the final confirmation in LedgerApplication.stop needs one.
            get_updates_request=HTTPXRequest(connection_pool_size=2),
        )
        self._ledger = ledger

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109 - the signature PTB calls
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """Fetch with the ledger's offset; pass on only updates not fetched before."""
        updates = await super().get_updates(
            offset=self._ledger.offset(offset),
            limit=limit,
            timeout=timeout,
            allowed_updates=allowed_updates,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        fresh = self._ledger.fresh(updates)
        if timeout and updates and not fresh:  # a long poll got only updates in progress
            await self._ledger.wait_for_progress()
        return fresh


class LedgerApplication(Application):
    """An Application that tells the ledger when each update has been handled."""

    def __init__(self, *, ledger: UpdateLedger, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ledger = ledger

    async def process_update(self, update: object) -> None:
        """Handle as PTB does, then let Telegram forget the update."""
        try:
            await super().process_update(update)
        finally:
            self.ledger.handled(update)

    async def stop(self) -> None:
        """Stop as PTB does, then let Telegram forget what was handled since polling stopped."""
        await super().stop()
        try:
            await self.bot.get_updates(offset=self.ledger.next_offset(), timeout=0, limit=1)
        except TelegramError as error:  # Telegram re-sends them after the restart: harmless
            log.warning("Could not confirm the updates handled while stopping: %s", error)
