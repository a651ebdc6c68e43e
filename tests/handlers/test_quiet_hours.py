"""Quiet hours (夜间免打扰): a month of the shipped schedules, walked with a clock through
the real Application's scheduler rounds, sends nobody anything between 21:00 and 08:00;
what falls due at night arrives in the morning, and a nudge at night is declined."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext

from core import messages
from core.config.agency import parse_agency_config
from core.config.yaml_loader import ConfigErrors, parse_yaml_text
from handlers.scheduling.rounds import scheduler_round
from handlers.telegram_messenger import SendPacer, TelegramMessenger
from tests.conftest import PROJECT, SHANGHAI, FakeClock
from tests.fakeapi import FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

ADMIN = user(1, "管理员")
SECRETARY = user(2, "书记")
MEMBER = user(3, "小王")
GROUPS = {"office": -1001, "policy": -1002, "finance": -1003, "retired": -1004}
SENDS = ("sendMessage", "sendPoll", "sendDocument", "sendPhoto")


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        for chat in GROUPS.values():
            server.add_branch_group(chat, "支部群", SECRETARY["id"], [MEMBER["id"]])
        yield server


def at_night(moment: datetime) -> bool:
    return not time(8, 0) <= moment.time() < time(21, 0)


async def walk(bot: BotHarness, clock: FakeClock, end: datetime) -> list[tuple[datetime, str]]:
    """Scheduler rounds every hour until `end` (a push due in between goes at the next
    one): when each message the rounds sent went, and to whom."""
    context = CallbackContext(bot.application)
    sent: list[tuple[datetime, str]] = []
    while clock.now < end:
        before = len(bot.fake.requests)
        await scheduler_round(context)
        for call in bot.fake.requests[before:]:
            if call.method in SENDS and call.ok:
                sent.append((clock.now, f"{call.method} {call.params['chat_id']}"))
        clock.now += timedelta(hours=1)
    return sent


def pace_by(bot: BotHarness, clock: FakeClock) -> None:
    """Space sends by the test's clock, which moves an hour a round, and never wait in real
    time (3 s between messages to a group would make the month take a minute)."""

    async def waited(seconds: float) -> None:
        return None

    messenger = bot.services.messenger
    assert isinstance(messenger, TelegramMessenger)
    messenger.pacer = SendPacer(monotonic=lambda: clock.now.timestamp(), sleep=waited)
    # PTB's AIORateLimiter, behind the pacer, counts real seconds too: a month's 25 messages
    # to a group in a few real seconds would wait on it (about 20 s). Telegram's limits are
    # the broadcast benchmark's and the rate-limit tests' business, not this test's.
    bot.application.bot._rate_limiter = None


async def open_chats(bot: BotHarness) -> None:
    for branch, chat in GROUPS.items():
        await bot.say(chat, SECRETARY, f"/bind {branch}")
    for person in (ADMIN, SECRETARY, MEMBER):  # private reminders and notices reach them
        await bot.say(person["id"], person, "/start")


async def test_a_month_of_the_shipped_schedules_keeps_every_night_quiet(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 30, 22, 0, tzinfo=SHANGHAI)  # set up late in the evening
    async with running_bot_from_config(fake, tmp_path / "data", PROJECT, clock, "1") as bot:
        pace_by(bot, clock)
        await open_chats(bot)
        sent = await walk(bot, clock, datetime(2027, 1, 1, tzinfo=SHANGHAI))
        pushes = bot.services.store.pushes_with_status(
            "sent", datetime(2026, 12, 1, tzinfo=SHANGHAI)
        )
    assert [(moment, to) for moment, to in sent if at_night(moment)] == []
    assert (datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI), "sendMessage 1") in sent  # 2027's
    # holidays unknown: the admin is told in the morning, not when the bot started at 22:00
    to_groups = [to for _, to in sent if to.endswith(tuple(str(c) for c in GROUPS.values()))]
    assert len(to_groups) >= 4 * 8  # every branch got December's prompts, study and quiz
    assert {p.branch_id for p in pushes} == set(GROUPS)


NIGHT_PUSH = """\
timezone: Asia/Shanghai
catch_up_hours: 1  # lateness counts from 08:00, not from 22:30: not a missed push
branches:
  - {id: office, name: 办公室党支部}
schedules:
  - id: late
    when: {once: "2026-11-02 22:30"}
    to: all
    prompt: "{branch}：夜里到点的提示。"
"""


async def test_what_falls_due_at_night_arrives_in_the_morning(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    config = write_config_dir(tmp_path / "config", NIGHT_PUSH)
    clock.now = datetime(2026, 11, 2, 20, 0, tzinfo=SHANGHAI)
    async with running_bot_from_config(fake, tmp_path / "data", config, clock, "1") as bot:
        await bot.say(GROUPS["office"], SECRETARY, "/bind office")
        await bot.say(GROUPS["office"], SECRETARY, "/groupquiz basics 1")  # closes 21:00
        sent = await walk(bot, clock, datetime(2026, 11, 3, 8, 30, tzinfo=SHANGHAI))
        clock.now = datetime(2026, 11, 2, 22, 0, tzinfo=SHANGHAI)
        nudged = bot.services.reports.nudge("office", bot.services.messenger)
        assert await nudged == messages.NUDGE_QUIET.format(hours="21:00～08:00", end="08:00")
    morning = datetime(2026, 11, 3, 8, 0, tzinfo=SHANGHAI)
    texts = [c.params["text"] for c in fake.calls("sendMessage") if c.params["chat_id"] < 0]
    assert "办公室党支部：夜里到点的提示。" in texts
    assert any(t.startswith("📊") for t in texts)  # the quiz's summary
    assert [moment for moment, _ in sent] == [morning, morning]  # both at 08:00, nothing before


def test_quiet_hours_are_configurable_and_checked() -> None:
    raw = NIGHT_PUSH.replace("schedules:", 'quiet_hours: {start: "22:00", end: 25}\nschedules:')
    with pytest.raises(ConfigErrors) as caught:
        parse_agency_config(parse_yaml_text(raw.encode(), "schedules.yaml"), "schedules.yaml")
    assert [str(p) for p in caught.value.problems] == [
        'schedules.yaml:5: quiet_hours.end: 应为带引号的时间 "HH:MM"，例如 "09:00"，实际是 数字 25'
    ]
    fine = NIGHT_PUSH.replace(
        "schedules:", 'quiet_hours: {start: "22:00", end: "06:30"}\nschedules:'
    )
    agency = parse_agency_config(
        parse_yaml_text(fine.encode(), "schedules.yaml"), "schedules.yaml"
    )
    assert agency.quiet_hours.describe() == "22:00～06:30"
    assert agency.quiet_hours.contains(datetime(2026, 11, 2, 6, 0, tzinfo=SHANGHAI))
    assert not agency.quiet_hours.contains(datetime(2026, 11, 2, 21, 30, tzinfo=SHANGHAI))
