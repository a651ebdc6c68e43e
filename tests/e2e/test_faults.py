"""Faults from Telegram, end to end: the real bot.py against a fake Bot API that misbehaves.

What is worth retrying is retried (429 after its retry_after, 500s and dropped connections
in the next round); what is not ends cleanly with a word to the admins (the bot was
kicked, the chat is gone, a push timed out and may or may not have arrived); and the bot
neither crashes nor spins while Telegram is down.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.botprocess import BotProcess
from tests.e2e.test_crash import (
    ADMIN,
    GROUP,
    OWNER,
    STUDY_CONFIG,
    bind_groups,
    broadcast_config,
    make_bot,
    say,
    set_clock,
)
from tests.fakeapi import Call, FakeBotApi

GROUPS = {-100500 - n: f"第{n}党支部" for n in range(6)}
FLOOD, OUTAGE, DROPPED, KICKED, NOT_FOUND, SLOW = GROUPS


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def bound_bot(fake: FakeBotApi, tmp_path: Path) -> BotProcess:
    """bot.py with six branches bound to their groups and a theme-day push due at 09:30."""
    bind_groups(fake, tmp_path / "data", list(GROUPS))
    bot = make_bot(fake, tmp_path, broadcast_config(len(GROUPS)))
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/start", "")  # the admin opens a chat to be told things
    return bot


def is_push(call: Call) -> bool:
    return call.method == "sendMessage" and call.params["text"].endswith("月内召开。")


def pushes(fake: FakeBotApi) -> tuple[Counter[int], Counter[int]]:
    """(attempts, deliveries) of the theme-day push per group."""
    attempts = Counter(c.params["chat_id"] for c in fake.calls() if is_push(c))
    delivered = Counter(c.params["chat_id"] for c in fake.calls() if is_push(c) and c.ok)
    return attempts, delivered


def to_admin(fake: FakeBotApi) -> str:
    """Everything the admin was told, one message per line block."""
    return "\n".join(fake.sent_texts(ADMIN["id"]))


@pytest.mark.slow
def test_each_push_fault_is_retried_or_reported(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = bound_bot(fake, tmp_path)
    fake.fail_next(
        "sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=FLOOD
    )
    fake.fail_next("sendMessage", 500, "Internal Server Error", times=2, chat_id=OUTAGE)
    fake.drop_next("sendMessage", chat_id=DROPPED)
    fake.fail_next(
        "sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat", chat_id=KICKED
    )
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=NOT_FOUND)
    fake.delay_next("sendMessage", 7, chat_id=SLOW)  # longer than the bot's 5 s read timeout
    started = time.monotonic()
    set_clock(tmp_path / "now", "2026-11-02 09:31")
    fake.wait_until(lambda: "无法确认" in to_admin(fake), timeout=20)
    say(fake, ADMIN["id"], ADMIN, "/help", "您可以使用")  # still answering
    assert bot.stop() == 0, bot.log()

    attempts, delivered = pushes(fake)
    # Worth retrying: delivered exactly once, after the flood wait.
    assert delivered[FLOOD] == delivered[OUTAGE] == delivered[DROPPED] == 1
    assert attempts[FLOOD] == 2 and attempts[OUTAGE] == 3 and attempts[DROPPED] == 2
    flood_retry = [c for c in fake.calls() if is_push(c) and c.params["chat_id"] == FLOOD][1]
    assert flood_retry.at - started >= 1
    # Not worth retrying: one attempt each, and the admins hear where to act.
    assert attempts[KICKED] == attempts[NOT_FOUND] == attempts[SLOW] == 1
    told = to_admin(fake)
    assert f"{GROUPS[KICKED]}" in told and "移出" in told
    assert f"发到{GROUPS[NOT_FOUND]}失败，Telegram 的答复是：Chat not found" in told
    assert "请在新群里发送 /bind b004" in told
    assert f"· {GROUPS[SLOW]} 2026-11-02 09:30 theme-day" in told
    assert delivered[SLOW] == 1  # it did arrive; the bot could not know, and did not resend


@pytest.mark.slow
def test_a_push_lost_on_the_way_is_resent_by_an_admin_press(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = bound_bot(fake, tmp_path)
    fake.stall_next("sendMessage", 7, chat_id=SLOW)  # never arrives; the bot times out
    set_clock(tmp_path / "now", "2026-11-02 09:31")
    notice = fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == ADMIN["id"] and "无法确认" in c.params["text"],
        20,
    )
    assert pushes(fake)[1][SLOW] == 0  # the admin checks the group: it is not there
    (row,) = notice.params["reply_markup"]["inline_keyboard"]
    assert row[0]["text"] == f"补发：{GROUPS[SLOW]} 2026-11-02 09:30 theme-day"

    def press_resend() -> str:
        since = len(fake.requests)
        fake.press_button(ADMIN["id"], notice.result["message_id"], ADMIN, row[0]["callback_data"])
        reply = fake.wait_for(
            "sendMessage", lambda c: c.params["chat_id"] == ADMIN["id"], 15, since
        )
        return str(reply.params["text"])

    assert press_resend() == f"✅ 已补发到{GROUPS[SLOW]}。"
    assert press_resend() == "这条推送已经补发过，或已不在计划中，无需再发。"
    assert bot.stop() == 0, bot.log()
    assert pushes(fake)[1] == {chat: 1 for chat in GROUPS}


@pytest.mark.slow
def test_while_telegram_is_down_each_round_stops_at_the_first_failure(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = bound_bot(fake, tmp_path)
    fake.fail_next("sendMessage", 500, "Internal Server Error", times=10_000)
    set_clock(tmp_path / "now", "2026-11-02 09:31")
    # Two rounds (the second waits for the group's pacing slot, about 3 s).
    fake.wait_until(lambda: sum(pushes(fake)[0].values()) >= 2, timeout=10)
    attempts, delivered = pushes(fake)
    assert not delivered
    assert len(attempts) == 1  # each round stopped at its first failure: one group tried
    fake.clear_faults()  # Telegram is back
    fake.wait_until(lambda: len(pushes(fake)[1]) == len(GROUPS), timeout=10)
    assert bot.stop() == 0, bot.log()
    assert set(pushes(fake)[1].values()) == {1}
    assert "无法确认" not in to_admin(fake)


def test_polling_outlasts_500s_and_dropped_connections(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = bound_bot(fake, tmp_path)
    since = len(fake.requests)

    def failed_polls() -> list[Call]:
        polls = [c for c in fake.requests[since:] if c.method == "getUpdates"]
        return [c for c in polls if not c.ok and (c.error_code or c.fault)]

    fake.fail_next("getUpdates", 500, "Internal Server Error")
    fake.drop_next("getUpdates")
    fake.send_text(ADMIN["id"], ADMIN, "/me")  # ends the waiting poll: the next two fail
    fake.wait_until(lambda: len(failed_polls()) == 2, timeout=15)
    fake.send_text(ADMIN["id"], ADMIN, "/help")
    fake.wait_for("sendMessage", lambda c: c.params["text"].startswith("您可以使用"), 15, since)
    # Counted before the stop: the stop's final confirmation ends the long poll still
    # open with Telegram's 409 Conflict, which the stopping bot no longer waits for.
    failed = failed_polls()
    polls = [c for c in fake.requests[since:] if c.method == "getUpdates"]
    assert bot.stop() == 0, bot.log()
    assert [c.error_code or c.fault for c in failed] == ["dropped", 500]
    assert len(polls) <= 6  # backs off after each failure instead of asking again at once


def test_a_secretary_who_blocked_the_bot_is_told_in_the_group(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    fake.add_chat(GROUP, title="办公室党支部群")
    fake.set_member_status(GROUP, OWNER["id"], "creator")
    bot = make_bot(fake, tmp_path, STUDY_CONFIG)
    bot.start()
    say(fake, ADMIN["id"], ADMIN, "/start", "")
    say(fake, OWNER["id"], OWNER, "/start", "")
    say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
    fake.block_bot(OWNER["id"])
    set_clock(tmp_path / "now", "2026-11-02 09:31")
    task = fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == GROUP and "学完了" in str(c.params)
    )
    set_clock(tmp_path / "now", "2026-11-05 09:31")  # the task is due: time for the summary
    told = fake.wait_for(
        "sendMessage", lambda c: c.params["chat_id"] == GROUP and "已截止" in c.params["text"]
    )
    say(fake, ADMIN["id"], ADMIN, "/help", "您可以使用")
    assert bot.stop() == 0, bot.log()
    # In the group, mentioning the secretary, as a reply to the task it sums up; the
    # admins, who cannot act on it, hear nothing.
    assert told.params["text"].startswith(f'<a href="tg://user?id={OWNER["id"]}">')
    assert told.params["reply_parameters"]["message_id"] == task.result["message_id"]
    assert not any("已截止" in text for text in fake.sent_texts(ADMIN["id"]))
    to_owner = [c for c in fake.calls("sendMessage") if c.params["chat_id"] == OWNER["id"]]
    assert [c.error_code for c in to_owner][-1] == 403
