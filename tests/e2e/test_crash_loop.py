"""The crash-loop guard, end to end: an update that kills bot.py is not handed over forever.

Telegram re-sends an update until the bot confirms it, and the bot confirms an update only
once it is handled; so an update whose handling kills the process (out of memory, a crash
in a C library) would kill every restart. Here the test plays that update: whenever the
bot answers it, the process is SIGKILLed from outside while the reply is on its way (the
fake API holds the reply, so the kill lands inside the handler every time).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.store.database import UPDATES_FILE
from tests.e2e.test_crash import ADMIN, CONFIG, make_bot, say
from tests.fakeapi import FakeBotApi
from tests.harness import user

POISON = user(20, "小张")
BYSTANDER = user(21, "小李")


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def replies_to(fake: FakeBotApi, chat_id: int) -> int:
    """How many messages the bot tried to send to a chat (arrived or not)."""
    return sum(1 for c in fake.calls("sendMessage") if c.params.get("chat_id") == chat_id)


def replied(fake: FakeBotApi, chat_id: int, times: int) -> Callable[[], bool]:
    """A condition: the bot has tried to send `times` messages to a chat."""
    return lambda: replies_to(fake, chat_id) == times


def test_an_update_that_killed_the_bot_three_times_is_skipped_and_reported(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = make_bot(fake, tmp_path, CONFIG)
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/start", "")  # the admin opens a chat to be told things
    fake.stall_next("sendMessage", 10, times=3, chat_id=POISON["id"])
    poison = fake.send_text(POISON["id"], POISON, "/help")
    fake.send_text(BYSTANDER["id"], BYSTANDER, "/help")  # waits behind it in the bot's queue
    for unclean_exit in (1, 2, 3):
        fake.wait_until(replied(fake, POISON["id"], times=unclean_exit), 20)
        bot.kill()  # the poison kills the process while it is being handled
        bot.start()  # the restart policy; Telegram sends the poison again

    notice = fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == ADMIN["id"] and "跳过" in c.params["text"]
    )
    assert "类型：消息\n来自：小张（ID 20）" in notice.params["text"]
    assert "/help" not in notice.params["text"]  # who and what kind, not what it said
    fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == BYSTANDER["id"])
    fake.wait_until(lambda: poison["update_id"] not in pending_ids(fake), 15)  # confirmed
    say(fake, POISON["id"], POISON, "/help", "您可以使用")  # the sender's next update is fine
    assert bot.stop() == 0, bot.log()
    assert replies_to(fake, POISON["id"]) == 4  # three died on the way, and the last /help
    assert replies_to(fake, BYSTANDER["id"]) == 1
    assert len([t for t in fake.sent_texts(ADMIN["id"]) if "跳过" in t]) == 1
    journal = json.loads((tmp_path / "data" / UPDATES_FILE).read_text())
    assert journal == {"updates": {}}  # a clean stop clears it


def pending_ids(fake: FakeBotApi) -> set[int]:
    """Ids of the updates Telegram would still send."""
    return {u["update_id"] for u in fake.pending_updates()}
