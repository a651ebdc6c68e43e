"""Bot API failures become the core's delivery outcomes; sends are paced inside the limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from core.delivery import (
    Button,
    ChatGone,
    ChatMoved,
    DeliveryError,
    MaybeDelivered,
    TryLater,
    Undeliverable,
)
from handlers.telegram_messenger import SendPacer, TelegramMessenger
from tests.fakeapi import FakeBotApi
from tests.harness import TOKEN

GROUP = -100333


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(GROUP, title="支部群")
        yield server


@pytest.fixture
async def messenger(fake: FakeBotApi) -> AsyncIterator[TelegramMessenger]:
    bot = Bot(TOKEN, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")
    async with bot:
        yield TelegramMessenger(bot)


async def test_send_returns_the_message_id_and_carries_buttons(
    fake: FakeBotApi, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(GROUP, "学习任务", buttons=[Button("✅ 学完了", "study:x")])
    call = fake.calls("sendMessage")[-1]
    assert call.result is not None and call.result["message_id"] == message_id
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "study:x"


@pytest.mark.parametrize(
    ("code", "description", "extra", "outcome"),
    [
        (403, "Forbidden: bot was kicked from the supergroup chat", {}, ChatGone),
        (403, "Forbidden: bot was blocked by the user", {}, ChatGone),
        (400, "Bad Request: chat not found", {}, Undeliverable),
        (429, "Too Many Requests: retry after 1", {"retry_after": 1}, TryLater),
        (500, "Internal Server Error", {}, TryLater),
    ],
)
async def test_failures_are_translated(
    fake: FakeBotApi,
    messenger: TelegramMessenger,
    code: int,
    description: str,
    extra: dict[str, int],
    outcome: type[DeliveryError],
) -> None:
    fake.fail_next("sendMessage", code, description, **extra)
    with pytest.raises(outcome):
        await messenger.send(GROUP, "提示")


async def test_migration_names_the_new_chat(
    fake: FakeBotApi, messenger: TelegramMessenger
) -> None:
    fake.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-100999,
    )
    with pytest.raises(ChatMoved) as moved:
        await messenger.send(GROUP, "提示")
    assert moved.value.new_chat_id == -100999


async def test_a_timeout_may_have_delivered(fake: FakeBotApi) -> None:
    impatient = HTTPXRequest(read_timeout=0.1)
    bot = Bot(TOKEN, base_url=f"{fake.url}/bot", request=impatient)
    fake.delay_next("sendMessage", 0.5)
    async with bot:
        with pytest.raises(MaybeDelivered):
            await TelegramMessenger(bot).send(GROUP, "提示")


async def test_editing_an_unchanged_message_is_not_an_error(
    fake: FakeBotApi, messenger: TelegramMessenger
) -> None:
    message_id = await messenger.send(GROUP, "已完成 1/3")
    await messenger.edit(GROUP, message_id, "已完成 1/3")
    await messenger.edit(GROUP, message_id, "已完成 2/3")
    assert fake.sent_texts(GROUP)[-1] == "已完成 2/3"


async def test_group_admins_are_the_humans_in_charge(
    fake: FakeBotApi, messenger: TelegramMessenger
) -> None:
    fake.set_member_status(GROUP, 21, "creator")
    fake.set_member_status(GROUP, 22, "administrator")
    fake.set_member_status(GROUP, 23, "member")
    assert sorted(await messenger.group_admin_ids(GROUP)) == [21, 22]


async def test_pacer_spaces_sends_within_telegram_limits() -> None:
    now = [100.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    pacer = SendPacer(0.5, 3.0, monotonic=lambda: now[0], sleep=fake_sleep)
    for chat in (-1, -2, -3, -1, 42):
        await pacer.wait_turn(chat)
    # -2 and -3 wait their overall turn; the second -1 waits for its group's 3 s; 42 is private.
    assert slept == [0.5, 0.5, 2.0, 0.5]
    assert now[0] == 103.5
