"""The admins' daily digest of pushes no group could take, through the real Application:
one message for all unbound branches, 暂停该支部推送 under it, 恢复推送 to undo, /branches
showing what is paused."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CallbackContext

from handlers.scheduling.rounds import scheduler_round
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

ADMIN = user(1, "管理员")
OWNER = user(2, "书记")
OFFICE_GROUP = -100111
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
  - {id: policy, name: 政策法规处党支部}
  - {id: finance, name: 财务处党支部}
schedules:
  - id: daily-notice
    title: 每日提示
    when: {cron: "0 9 * * *"}
    holidays: ignore
    to: all
    prompt: "{branch}：今日提示。"
"""


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    config_dir = write_config_dir(tmp_path / "config", SCHEDULES)
    async with running_bot_from_config(
        fake, tmp_path / "data", config_dir, clock, admins="1"
    ) as harness:
        yield harness


def to_admin(bot: BotHarness, since: int) -> list[Call]:
    return [
        c
        for c in bot.fake.requests[since:]
        if c.method == "sendMessage" and c.params["chat_id"] == ADMIN["id"]
    ]


def digests(bot: BotHarness, since: int) -> list[Call]:
    return [c for c in to_admin(bot, since) if c.params["text"].startswith("⚠️ 以下支部尚未")]


def keys(call: Call) -> dict[str, str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def press(bot: BotHarness, call: Call, who: dict[str, Any], label: str) -> str:
    """Press the button `label` under `call`'s message; what the press was answered."""
    since = len(bot.fake.requests)
    chat, message_id = call.params["chat_id"], call.result["message_id"]
    await bot.feed(bot.fake.press_button(chat, message_id, who, keys(call)[label]))
    answers = [c for c in bot.fake.requests[since:] if c.method == "answerCallbackQuery"]
    return str(answers[0].params.get("text", ""))


async def test_unbound_branches_come_in_one_digest_and_can_be_paused(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(ADMIN["id"], ADMIN, "/start")
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    context = CallbackContext(bot.application)
    since = len(bot.fake.requests)
    await scheduler_round(context)  # 2 November 09:00
    (digest,) = digests(bot, since)  # besides the weekly note on next year's holidays
    assert digest.params["text"] == (
        "⚠️ 以下支部尚未绑定群，这些推送未能发出：\n"
        "· 政策法规处党支部（policy）：每日提示（11-02 09:00）\n"
        "· 财务处党支部（finance）：每日提示（11-02 09:00）\n"
        "请支部书记在本支部群里发送 /bind 支部ID。暂时不用机器人的支部，可点下面的按钮暂停推送，"
        "以后在 /branches 里恢复。这份清单每天最多发一次。"
    )
    assert list(keys(digest)) == [
        "暂停该支部推送：政策法规处党支部",
        "暂停该支部推送：财务处党支部",
    ]

    # Only an admin may pause; the button says what it sets, so a second press changes nothing.
    assert await press(bot, digest, OWNER, "暂停该支部推送：政策法规处党支部") == (
        "只有机器人管理员可以暂停或恢复支部推送。"
    )
    assert bot.services.store.paused_branches() == frozenset()
    since = len(bot.fake.requests)
    await press(bot, digest, ADMIN, "暂停该支部推送：政策法规处党支部")
    (paused,) = to_admin(bot, since)
    assert paused.params["text"] == (
        "⏸ 已暂停向政策法规处党支部推送。需要时点下面的按钮，或在 /branches 里恢复。"
    )
    assert bot.services.store.paused_branches() == frozenset({"policy"})
    since = len(bot.fake.requests)
    again = await press(bot, digest, ADMIN, "暂停该支部推送：政策法规处党支部")
    assert again == "政策法规处党支部的推送已经是暂停状态。" and to_admin(bot, since) == []

    # /branches shows it, unranked and paused, with the way back.
    since = len(bot.fake.requests)
    await bot.say(ADMIN["id"], ADMIN, "/branches")
    (branches,) = to_admin(bot, since)
    lines = branches.params["text"].splitlines()
    assert "⛔ 政策法规处党支部（policy）— 未绑定，⏸ 推送已暂停" in lines
    assert "⛔ 财务处党支部（finance）— 未绑定" in lines
    assert lines[-2:] == ["财务处党支部 —（未绑定）", "政策法规处党支部 —（未绑定）"]
    assert list(keys(branches)) == ["恢复推送：政策法规处党支部"]

    # The next day's push to policy is held back and not reported; finance's is, once.
    clock.advance(days=1)
    since = len(bot.fake.requests)
    await scheduler_round(context)
    clock.advance(hours=1)
    await scheduler_round(context)
    (digest,) = digests(bot, since)
    assert "政策法规处党支部" not in digest.params["text"]
    assert "· 财务处党支部（finance）：每日提示（11-03 09:00）" in digest.params["text"]
    (held,) = bot.services.store.pushes_with_status("paused", clock.now)
    assert held.branch_id == "policy"

    since = len(bot.fake.requests)
    await press(bot, branches, ADMIN, "恢复推送：政策法规处党支部")
    (resumed,) = to_admin(bot, since)
    assert resumed.params["text"] == "▶️ 已恢复向政策法规处党支部推送，从下一次推送起照常发出。"
    assert list(keys(resumed)) == ["暂停该支部推送：政策法规处党支部"]
    assert bot.services.store.paused_branches() == frozenset()
    assert await press(bot, branches, ADMIN, "恢复推送：政策法规处党支部") == (
        "政策法规处党支部的推送没有暂停，照常发出。"
    )


async def test_binding_a_paused_branch_reminds_the_admins_to_resume(bot: BotHarness) -> None:
    await bot.say(ADMIN["id"], ADMIN, "/start")
    bot.services.store.set_pushes_paused("office", True)
    since = len(bot.fake.requests)
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    (notice,) = [c for c in to_admin(bot, since) if "办公室党支部" in c.params["text"]]
    assert notice.params["text"].endswith(
        "\n注意：该支部的推送已暂停，管理员可在 /branches 里点“恢复推送”。"
    )
