"""One edit per burst: a live count under a message (the roll call's 已报到, a meeting's
已签到) is edited a moment after the first press of a burst, once, with what is stored
then. Telegram allows about 20 messages a minute per group, edits included, so editing on
every press of a busy minute would hold up the group's other messages."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram.ext import ContextTypes

EDIT_DELAY_SECONDS = 1.0


class BurstEdits:
    """Runs at most one pending edit per key."""

    def __init__(self, delay: float = EDIT_DELAY_SECONDS) -> None:
        self._delay = delay
        self._pending: set[str] = set()

    def request(
        self, context: ContextTypes.DEFAULT_TYPE, key: str, edit: Callable[[], Awaitable[None]]
    ) -> None:
        """Run `edit` soon (off the update that asked), unless one for `key` is on its way;
        `edit` reads what to show when it runs, so it shows every press before it."""
        if key in self._pending:
            return
        self._pending.add(key)
        context.application.create_task(self._run(key, edit))

    async def _run(self, key: str, edit: Callable[[], Awaitable[None]]) -> None:
        try:
            await asyncio.sleep(self._delay)
        finally:
            self._pending.discard(key)
        await edit()
