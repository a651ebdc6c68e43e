"""Confirm an update to Telegram only once it has been handled.

Telegram forgets an update when getUpdates is next called with a higher offset. PTB's
Updater asks for the next offset as soon as a batch is queued, so a crash while
updates wait in the queue loses them for good: a 学完了 press or a quiz answer
that Telegram will never send again. Here the offset sent to Telegram never passes the
oldest update not yet handled. After a crash Telegram delivers it again; within one run
an update fetched twice is passed on only once. Handlers are idempotent for the few
updates a crash replays (answers are kept once per member and question, presses once
per member and task).

An update that kills the process (out of memory, a crash in a C library) would come back
at every restart and kill it again. So the ids of updates being handled are journaled in
the store before their handlers run, and one that was being handled at three unclean
exits in a row is skipped: confirmed to Telegram without reaching a handler, and the
admins are told whose update it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, Defaults, ExtBot
from telegram.request import HTTPXRequest

from core import messages
from core.errors import DataFileError
from handlers.notify import send_to_admins
from handlers.services import SERVICES_KEY
from handlers.startup import until_reachable
from handlers.understanding import update_as_meant

log = logging.getLogger(__name__)

# PTB's default connection pool for API calls other than getUpdates.
REQUEST_POOL_SIZE = 256
# The longest a fetch waits for a handler to finish before asking Telegram again.
IDLE_WAIT_SECONDS = 10.0
# While only updates whose handlers run as tasks (block=False) are unhandled, Telegram
# answers every fetch at once with them: ask again this often, so new updates come in.
# A member's /help sent during a bank import waits for the next fetch: a tenth of a second.
HELD_WAIT_SECONDS = 0.1
# An update being handled at this many unclean exits in a row is skipped from then on.
# Not two: after a restart the update a kill interrupted is handled first, so a second kill
# soon after start (a restart storm) lands inside it by chance, and a skipped poll answer
# is a vote lost with nobody to ask again. A real poison update costs one restart more.
SKIP_AFTER_EXITS = 3


class UpdateJournal(Protocol):
    """Where the ledger keeps the updates being handled (the store)."""

    def updates_in_flight(self) -> dict[int, int]:
        """The journal the last run left: update id -> earlier unclean exits counted."""
        ...

    def save_updates_in_flight(self, updates: dict[int, int]) -> None:
        """Replace the journal."""
        ...


class UpdateLedger:
    """Which fetched updates are still being handled, and how far Telegram may forget.

    With a journal it also guards against a crash loop. Whatever the journal lists at
    start was being handled when the last run ended without a clean stop; each such
    update counts one more unclean exit, and one counted SKIP_AFTER_EXITS times is
    skipped. The journal is written only when what it should hold changes: before an
    update's handlers run (PTB hands over one update at a time, so in a burst each
    write replaces the previous update's id by the next one's) and, at the event
    loop's next turn after one is handled, to empty it. A journal that cannot be read
    or written is logged and otherwise ignored: the guard must never stop the bot.
    """

    def __init__(self, journal: UpdateJournal | None = None) -> None:
        self._newest_fetched = 0
        self._unhandled: set[int] = set()
        self._progress = asyncio.Event()
        self._journal = journal
        # update id -> unclean exits in a row it was being handled at, the last run's included
        self._exits = {u: n + 1 for u, n in _read_journal(journal).items()}
        self._in_flight: set[int] = set()
        self._skipped: set[int] = set()
        self._journaled: dict[int, int] | None = None  # None: not known to hold anything
        self._journal_failing = False
        # update id -> its handlers still running as tasks (block=False), and the updates
        # whose process_update returned while some were: handled once the last one ends.
        self._held: dict[int, int] = {}
        self._waiting_for_tasks: set[int] = set()

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

    def hold(self, update: Update) -> None:
        """A handler of this update runs on as a task: it is not handled before that ends."""
        self._held[update.update_id] = self._held.get(update.update_id, 0) + 1

    def release(self, update: Update) -> None:
        """A task `hold` announced has ended (whatever it did, errors included)."""
        left = self._held.pop(update.update_id, 1) - 1
        if left:
            self._held[update.update_id] = left
        elif update.update_id in self._waiting_for_tasks:
            self._waiting_for_tasks.discard(update.update_id)
            self.handled(update)

    def handled(self, update: object) -> None:
        """One update is done with (whatever its handlers did, errors included)."""
        if not isinstance(update, Update):
            return
        if update.update_id in self._held:
            self._waiting_for_tasks.add(update.update_id)
            return
        self._in_flight.discard(update.update_id)
        if update.update_id in self._unhandled:
            self._unhandled.discard(update.update_id)
            self._progress.set()

    def begin(self, update: Update) -> bool:
        """Journal that an update's handlers start; False if it is to be skipped instead."""
        if self._exits.get(update.update_id, 0) >= SKIP_AFTER_EXITS:
            # Journaled too: a crash before Telegram hears of the skip must not reset it.
            self._skipped.add(update.update_id)
            self.save_journal()
            return False
        self._in_flight.add(update.update_id)
        self.save_journal()
        return True

    def unclean_exits(self, update_id: int) -> int:
        """How many unclean exits in a row this update was being handled at."""
        return self._exits.get(update_id, 0)

    def save_journal(self) -> None:
        """Write the updates being handled (and those skipped), unless the journal has them."""
        wanted = {u: self._exits.get(u, 0) for u in self._in_flight | self._skipped}
        if self._journal is None or wanted == self._journaled:
            return
        try:
            self._journal.save_updates_in_flight(wanted)
        except OSError as error:  # a full disk: handling goes on, unguarded
            if not self._journal_failing:
                log.warning("Could not journal the updates being handled: %s", error)
            self._journal_failing, self._journaled = True, None
            return
        self._journal_failing, self._journaled = False, wanted

    def clear_journal(self) -> None:
        """A clean stop: nothing is being handled and no update counts an unclean exit."""
        self._exits.clear()
        self._in_flight.clear()
        self._skipped.clear()
        self._journaled = None
        self.save_journal()

    async def wait_for_progress(self) -> None:
        """Wait until some update is handled: no busy loop. At most IDLE_WAIT_SECONDS, or
        HELD_WAIT_SECONDS when every unhandled update is a running task's (the updates
        behind them are not fetched while the fetch waits)."""
        held = self._unhandled <= self._held.keys()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                self._progress.wait(), HELD_WAIT_SECONDS if held else IDLE_WAIT_SECONDS
            )
        self._progress.clear()

    def confirmed(self, offset: int) -> None:
        """Telegram was sent this offset: skipped updates before it are forgotten for good,
        so the journal need not keep them."""
        if any(u < offset for u in self._skipped):
            self._skipped = {u for u in self._skipped if u >= offset}
            self.save_journal()


def _read_journal(journal: UpdateJournal | None) -> dict[int, int]:
    """The journal the last run left; an unreadable one counts as empty (it only guards)."""
    if journal is None:
        return {}
    try:
        return journal.updates_in_flight()
    except DataFileError as error:
        log.warning("Ignoring the journal of updates in flight: %s", error)
        return {}


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
        proxy: str | None = None,
    ) -> None:
        super().__init__(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            defaults=defaults,
            rate_limiter=rate_limiter,
            request=HTTPXRequest(connection_pool_size=REQUEST_POOL_SIZE, proxy=proxy),
            # Two: a long poll cancelled at a stop keeps its connection until Telegram
            # answers it, and the final confirmation in LedgerApplication.stop needs one.
            get_updates_request=HTTPXRequest(connection_pool_size=2, proxy=proxy),
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
        sent_offset = self._ledger.offset(offset)
        updates = await super().get_updates(
            offset=sent_offset,
            limit=limit,
            timeout=timeout,
            allowed_updates=allowed_updates,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if sent_offset is not None:
            self._ledger.confirmed(sent_offset)
        fresh = self._ledger.fresh(updates)
        if timeout and updates and not fresh:  # a long poll got only updates in progress
            await self._ledger.wait_for_progress()
        return fresh


class LedgerApplication(Application):
    """An Application that tells the ledger when each update has been handled."""

    def __init__(self, *, ledger: UpdateLedger, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ledger = ledger
        # Tasks of block=False handlers, by update: PTB does not await those created while
        # it stops, and in webhook mode an update is answered only once its tasks end.
        self._update_tasks: dict[int, set[asyncio.Task[Any]]] = {}

    async def initialize(self) -> None:
        """Initialize as PTB does, once Telegram can be reached (handlers/startup.py)."""
        await until_reachable(super().initialize)

    async def process_update(self, update: object) -> None:
        """Handle as PTB does, then let Telegram forget the update."""
        if isinstance(update, Update) and not self.ledger.begin(update):
            await self._skip(update)
            return
        try:
            await super().process_update(update_as_meant(update, self.bot))
        finally:
            self.ledger.handled(update)
            # Not now: if the next update is already queued, its begin() writes the
            # journal anyway, and one write replaces the other.
            asyncio.get_running_loop().call_soon(self.ledger.save_journal)

    def create_task(
        self, coroutine: Any, update: object | None = None, *, name: str | None = None
    ) -> asyncio.Task[Any]:
        """PTB runs a handler with block=False as a task: its update is handled, and
        confirmed, only when that task ends (a crash before then replays it)."""
        task = super().create_task(coroutine, update=update, name=name)
        if isinstance(update, Update):
            self.ledger.hold(update)
            self._update_tasks.setdefault(update.update_id, set()).add(task)
            task.add_done_callback(lambda _: self._task_ended(task, update))
        return task

    async def tasks_ended(self, update: Update) -> None:
        """Wait for the tasks this update's handlers started (webhook mode)."""
        tasks = self._update_tasks.get(update.update_id, set())
        await asyncio.gather(*tasks, return_exceptions=True)

    def _task_ended(self, task: asyncio.Task[Any], update: Update) -> None:
        tasks = self._update_tasks.get(update.update_id, set())
        tasks.discard(task)
        if not tasks:
            self._update_tasks.pop(update.update_id, None)
        self.ledger.release(update)
        asyncio.get_running_loop().call_soon(self.ledger.save_journal)

    async def _skip(self, update: Update) -> None:
        """Pass a crash-looping update to no handler; tell the admins, then confirm it."""
        kind, sender = describe_update(update)
        exits = self.ledger.unclean_exits(update.update_id)
        log.error(
            "Skipped update %s (%s from %s): it was being handled at %s unclean exits in a row",
            update.update_id,
            kind,
            sender,
            exits,
        )
        try:
            await self._answer_skipped_press(update)
            found = self.bot_data.get(SERVICES_KEY)
            admin_ids = found.settings.admin_ids if found is not None else ()
            text = messages.ADMIN_UPDATE_SKIPPED.format(
                kind=kind, sender=sender, update_id=update.update_id, exits=exits
            )
            await send_to_admins(self.bot, admin_ids, text)
        finally:
            self.ledger.handled(update)

    async def _answer_skipped_press(self, update: Update) -> None:
        """A press gets an answer all the same: not "已记录", which may not be true, but
        a request to press again (the press is then handled as a new update)."""
        if update.callback_query is None:
            return
        try:
            await self.bot.answer_callback_query(
                update.callback_query.id, messages.UPDATE_SKIPPED_PRESS
            )
        except TelegramError as error:  # too old to answer: the spinner has stopped anyway
            log.warning("Could not answer the skipped press: %s", error)

    async def stop(self) -> None:
        """Stop as PTB does, then (polling) let Telegram forget what was handled since
        polling stopped."""
        await super().stop()
        # A block=False handler started while PTB drained its queue is not awaited by it.
        running = [task for tasks in self._update_tasks.values() for task in tasks]
        await asyncio.gather(*running, return_exceptions=True)
        if self.updater is None:  # webhook mode: each answer confirmed its update
            self.ledger.clear_journal()
            return
        try:
            await self.bot.get_updates(offset=self.ledger.next_offset(), timeout=0, limit=1)
        except TelegramError as error:  # Telegram re-sends them after the restart: harmless
            log.warning("Could not confirm the updates handled while stopping: %s", error)
        self.ledger.clear_journal()


def describe_update(update: Update) -> tuple[str, str]:
    """An update's kind and who sent it, for the admins: none of what it says."""
    kind = next((str(k) for k in Update.ALL_TYPES if getattr(update, k, None) is not None), "")
    kind_text = messages.UPDATE_KINDS.get(kind) or messages.UPDATE_KIND_OTHER.format(kind=kind)
    user, chat = update.effective_user, update.effective_chat
    if user is not None:
        sender = messages.UPDATE_SENDER.format(name=user.full_name, user_id=user.id)
    elif chat is not None:
        sender = messages.UPDATE_SENDER.format(name=chat.effective_name or "", user_id=chat.id)
    else:
        sender = messages.UPDATE_SENDER_UNKNOWN
    if chat is not None and chat.type != chat.PRIVATE:
        sender = messages.UPDATE_SENDER_IN_CHAT.format(sender=sender, chat=chat.effective_name)
    return kind_text, sender
