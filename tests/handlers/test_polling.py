"""The update ledger: Telegram may forget an update only once it has been handled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Update

from core.config.agency import AgencyConfig
from core.store.database import UPDATES_FILE, Store
from handlers.polling import IDLE_WAIT_SECONDS, SKIP_AFTER_EXITS, UpdateLedger, describe_update
from tests.conftest import SHANGHAI, FakeClock
from tests.fakeapi import FakeBotApi
from tests.harness import running_bot, user


def updates(*ids: int) -> list[Update]:
    return [Update(update_id) for update_id in ids]


def test_offset_stays_at_the_oldest_update_being_handled() -> None:
    ledger = UpdateLedger()
    assert ledger.fresh(updates(5, 6, 7)) == tuple(updates(5, 6, 7))
    assert ledger.offset(8) == 5
    ledger.handled(Update(6))
    assert ledger.offset(8) == 5  # 5 is not done: a crash now must replay it
    ledger.handled(Update(5))
    assert ledger.offset(8) == 7
    ledger.handled(Update(7))
    assert ledger.offset(8) == 8
    assert ledger.next_offset() == 8


def test_updates_fetched_again_are_passed_on_once() -> None:
    ledger = UpdateLedger()
    ledger.fresh(updates(5, 6))
    assert ledger.fresh(updates(5, 6, 7)) == tuple(updates(7))


def test_updates_the_ledger_never_saw_change_nothing() -> None:
    ledger = UpdateLedger()
    ledger.fresh(updates(5))
    ledger.handled(Update(99))  # fed straight to process_update, as in-process tests do
    ledger.handled("not an update")
    assert ledger.offset(6) == 5
    assert ledger.next_offset() == 5


class Journal:
    """The store's journal of updates in flight, in memory; every write kept."""

    def __init__(self) -> None:
        self.writes: list[dict[int, int]] = []

    def updates_in_flight(self) -> dict[int, int]:
        return dict(self.writes[-1]) if self.writes else {}

    def save_updates_in_flight(self, updates: dict[int, int]) -> None:
        self.writes.append(dict(updates))


def test_an_update_is_journaled_before_its_handlers_run() -> None:
    journal = Journal()
    ledger = UpdateLedger(journal)
    assert ledger.begin(Update(5))
    assert journal.writes == [{5: 0}]
    ledger.handled(Update(5))
    assert journal.writes == [{5: 0}]  # emptied later, if no other update begins first
    ledger.save_journal()
    assert journal.writes == [{5: 0}, {}]
    ledger.save_journal()
    assert journal.writes == [{5: 0}, {}]  # nothing changed: nothing written


def test_a_burst_costs_one_journal_write_per_update() -> None:
    journal = Journal()
    ledger = UpdateLedger(journal)
    for update_id in (5, 6, 7):
        ledger.begin(Update(update_id))
        ledger.handled(Update(update_id))
        # The next update is queued already: the deferred save comes after its begin().
    ledger.save_journal()
    assert journal.writes == [{5: 0}, {6: 0}, {7: 0}, {}]


def restart(journal: Journal) -> UpdateLedger:
    """A new run after the last one died without a clean stop."""
    return UpdateLedger(journal)


def test_an_update_in_flight_at_three_unclean_exits_in_a_row_is_skipped() -> None:
    journal = Journal()
    assert UpdateLedger(journal).begin(Update(5))  # the process dies handling it
    second = restart(journal)
    assert second.unclean_exits(5) == 1
    assert second.begin(Update(5))  # once may be chance (killed by the host): handled again
    third = restart(journal)
    assert third.unclean_exits(5) == 2
    assert third.begin(Update(5))  # twice too: handled first after a restart, a storm hits it
    fourth = restart(journal)
    assert fourth.unclean_exits(5) == 3
    assert not fourth.begin(Update(5))
    fourth.handled(Update(5))  # confirmed to Telegram without reaching a handler
    assert fourth.offset(None) is None
    assert fourth.begin(Update(6))  # the updates behind it are handled


def test_updates_only_fetched_at_an_unclean_exit_count_nothing() -> None:
    journal = Journal()
    first = UpdateLedger(journal)
    first.fresh(updates(5, 6, 7))  # 6 and 7 wait in PTB's queue behind 5
    first.begin(Update(5))
    second = restart(journal)
    assert (second.unclean_exits(5), second.unclean_exits(6), second.unclean_exits(7)) == (1, 0, 0)


def test_an_update_handled_between_two_unclean_exits_starts_its_count_again() -> None:
    journal = Journal()
    UpdateLedger(journal).begin(Update(5))
    second = restart(journal)
    second.begin(Update(5))
    second.handled(Update(5))
    second.begin(Update(6))  # the process dies handling another update
    third = restart(journal)
    assert third.unclean_exits(5) == 0
    assert third.unclean_exits(6) == 1
    assert third.begin(Update(5))


def skipping(journal: Journal) -> UpdateLedger:
    """The run after update 5 was being handled at every unclean exit the guard allows."""
    UpdateLedger(journal).begin(Update(5))
    for _ in range(SKIP_AFTER_EXITS - 1):
        restart(journal).begin(Update(5))
    return restart(journal)


def test_a_skip_holds_until_a_clean_stop() -> None:
    journal = Journal()
    skipping_run = skipping(journal)
    assert not skipping_run.begin(Update(5))
    skipping_run.handled(Update(5))
    skipping_run.save_journal()
    # Killed again before Telegram heard of the skip: it is skipped again, not retried.
    next_run = restart(journal)
    assert not next_run.begin(Update(5))
    next_run.handled(Update(5))
    next_run.clear_journal()  # a clean stop
    assert journal.writes[-1] == {}
    assert restart(journal).begin(Update(5))


def test_a_skip_is_forgotten_once_telegram_has_the_offset_past_it() -> None:
    journal = Journal()
    skipping_run = skipping(journal)
    assert not skipping_run.begin(Update(5))
    skipping_run.handled(Update(5))
    skipping_run.save_journal()
    assert journal.writes[-1] == {5: SKIP_AFTER_EXITS}
    skipping_run.confirmed(6)  # a getUpdates with offset 6: Telegram forgets update 5
    assert journal.writes[-1] == {}  # not kept until a clean stop that may never come


def test_an_update_whose_handler_runs_as_a_task_is_handled_when_the_task_ends() -> None:
    ledger = UpdateLedger()
    ledger.fresh([Update(7), Update(8)])
    ledger.begin(Update(7))
    ledger.hold(Update(7))  # a block=False handler took it
    ledger.handled(Update(7))  # process_update returned
    assert ledger.next_offset() == 7  # not confirmed while the task runs
    ledger.begin(Update(8))
    ledger.handled(Update(8))
    assert ledger.next_offset() == 7
    ledger.release(Update(7))
    assert ledger.next_offset() == 9


async def test_the_fetch_waits_briefly_while_only_running_tasks_are_unhandled() -> None:
    ledger = UpdateLedger()
    ledger.fresh([Update(7)])
    ledger.begin(Update(7))
    ledger.hold(Update(7))
    ledger.handled(Update(7))
    started = asyncio.get_running_loop().time()
    await ledger.wait_for_progress()  # the updates behind it must be fetched meanwhile
    assert asyncio.get_running_loop().time() - started < IDLE_WAIT_SECONDS / 2


def test_the_store_keeps_the_journal(tmp_path: Path) -> None:
    store = Store(tmp_path, SHANGHAI)
    UpdateLedger(store).begin(Update(100_001))
    assert store.updates_in_flight() == {100_001: 0}
    store.close()
    store = Store(tmp_path, SHANGHAI)  # the next run
    ledger = UpdateLedger(store)
    assert ledger.unclean_exits(100_001) == 1
    ledger.clear_journal()
    assert store.updates_in_flight() == {}
    store.close()


@pytest.mark.parametrize("text", ["", "{not json", '{"updates": [5]}', '{"updates": {"x": 1}}'])
def test_an_unreadable_journal_is_ignored_and_the_bot_starts(tmp_path: Path, text: str) -> None:
    (tmp_path / UPDATES_FILE).write_text(text)  # e.g. emptied by a power cut
    store = Store(tmp_path, SHANGHAI)
    ledger = UpdateLedger(store)
    assert ledger.begin(Update(5))
    assert store.updates_in_flight() == {5: 0}
    store.close()


ADMIN = user(1, "管理员")
MEMBER = user(3, "小王")
GROUP = -100111


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(GROUP, title="办公室党支部群")
        yield server


async def test_the_application_skips_a_crash_looping_update_and_tells_the_admins(
    fake: FakeBotApi, tmp_path: Path, agency: AgencyConfig, clock: FakeClock
) -> None:
    poison = fake.send_text(MEMBER["id"], MEMBER, "/help")
    store = Store(tmp_path / "data", SHANGHAI)
    store.save_updates_in_flight({poison["update_id"]: 2})  # and the last two runs died on it too
    store.close()
    async with running_bot(fake, tmp_path / "data", agency, clock, admins="1") as bot:
        await bot.say(ADMIN["id"], ADMIN, "/start")
        assert await bot.feed(poison) == [
            "⚠️ 机器人连续 3 次在处理同一条更新时意外退出（可能是内存不足或程序崩溃）。"
            "为免反复重启，这条更新已跳过，不再处理：\n"
            f"类型：消息\n来自：小王（ID 3）\n更新编号：{poison['update_id']}\n"
            "按钮会回复对方“请再按一次”，其他操作没有得到回应，必要时请对方重新操作；原因请查看日志。"
        ]
        assert fake.sent_texts(MEMBER["id"]) == []
        (reply,) = await bot.say(MEMBER["id"], MEMBER, "/help")
        assert reply.startswith("您可以使用")
        await asyncio.sleep(0)  # the bot is idle: the journal is emptied, but for the skip
        assert bot.services.store.updates_in_flight() == {poison["update_id"]: 3}


async def test_a_skipped_press_asks_the_member_to_press_again(
    fake: FakeBotApi, tmp_path: Path, agency: AgencyConfig, clock: FakeClock
) -> None:
    async with running_bot(fake, tmp_path / "data", agency, clock, admins="1") as bot:
        await bot.say(MEMBER["id"], MEMBER, "/start")  # a message of the bot's to press on
    message_id = fake.calls("sendMessage")[-1].result["message_id"]
    poison = fake.press_button(MEMBER["id"], message_id, MEMBER, "study:2611-0", strict=False)
    store = Store(tmp_path / "data", SHANGHAI)
    store.save_updates_in_flight({poison["update_id"]: 2})
    store.close()
    async with running_bot(fake, tmp_path / "data", agency, clock, admins="1") as bot:
        await bot.feed(poison)
        (answer,) = fake.calls("answerCallbackQuery")
        assert answer.params["callback_query_id"] == poison["callback_query"]["id"]
        assert answer.params["text"] == "这次操作没有完成，请再按一次。"


def test_the_admins_hear_the_kind_and_sender_of_an_update_not_its_content(
    fake: FakeBotApi,
) -> None:
    in_group = Update.de_json(fake.send_text(GROUP, MEMBER, "/report 秘密"), None)
    assert describe_update(in_group) == ("消息", "小王（ID 3），在“办公室党支部群”")
    assert describe_update(Update(7)) == ("其他（）", "未知")


class FullDisk(Journal):
    def save_updates_in_flight(self, updates: dict[int, int]) -> None:
        raise OSError(28, "No space left on device")


def test_a_journal_that_cannot_be_written_never_stops_the_handling() -> None:
    ledger = UpdateLedger(FullDisk())
    assert ledger.begin(Update(5))
    ledger.handled(Update(5))
    ledger.save_journal()
    assert ledger.offset(None) is None
