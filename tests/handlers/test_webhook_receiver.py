"""Webhook answers: 200 only for a handled update, the same answer for a copy Telegram sent
while the first was handled, 403 without the secret, 503 once stopping."""

from __future__ import annotations

import asyncio
import json
from typing import cast

from telegram import Update

from handlers.polling import LedgerApplication
from handlers.webhook import WebhookReceiver

SECRET = "s3cret"


class StubApplication:
    """process_update waits for `release`, then fails while `failing` is set."""

    bot = None

    def __init__(self) -> None:
        self.processed: list[int] = []
        self.release = asyncio.Event()
        self.failing = False

    async def process_update(self, update: Update) -> None:
        self.processed.append(update.update_id)
        await self.release.wait()
        if self.failing:
            raise OSError("disk full")

    async def tasks_ended(self, update: Update) -> None:
        return None


def receiver_for(application: StubApplication) -> WebhookReceiver:
    return WebhookReceiver(cast(LedgerApplication, application), SECRET)


def body(update_id: int) -> bytes:
    return json.dumps({"update_id": update_id}).encode()


async def test_a_copy_sent_during_handling_waits_and_shares_the_answer() -> None:
    application = StubApplication()
    receiver = receiver_for(application)
    first = asyncio.ensure_future(receiver.receive(SECRET, body(7)))
    copy = asyncio.ensure_future(receiver.receive(SECRET, body(7)))
    await asyncio.sleep(0.01)
    assert not first.done() and not copy.done()  # no answer before it is handled
    application.release.set()
    assert await first == 200 and await copy == 200
    assert await receiver.receive(SECRET, body(7)) == 200  # answered earlier in this run
    assert application.processed == [7]


async def test_a_failed_update_is_500_for_every_copy_and_handled_again_later() -> None:
    application = StubApplication()
    application.failing = True
    receiver = receiver_for(application)
    first = asyncio.ensure_future(receiver.receive(SECRET, body(8)))
    copy = asyncio.ensure_future(receiver.receive(SECRET, body(8)))
    await asyncio.sleep(0.01)
    application.release.set()
    assert (await first, await copy) == (500, 500)  # Telegram keeps it
    application.failing = False
    assert await receiver.receive(SECRET, body(8)) == 200
    assert application.processed == [8, 8]


async def test_forged_malformed_and_late_posts_are_refused() -> None:
    application = StubApplication()
    application.release.set()
    receiver = receiver_for(application)
    assert await receiver.receive(None, body(1)) == 403
    assert await receiver.receive("guess", body(1)) == 403
    assert await receiver.receive(SECRET, b"{not json") == 400
    assert await receiver.receive(SECRET, b"null") == 400
    await receiver.close()
    assert await receiver.receive(SECRET, body(2)) == 503  # stopping: sent to the next run
    assert application.processed == []
