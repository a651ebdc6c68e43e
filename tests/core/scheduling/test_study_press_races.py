"""学完了 presses recorded while the scheduler awaits Telegram are never overwritten.

The dispatcher edits the task message's count, sends the task, reminds and summarizes,
each with an `await` in the middle; members press meanwhile. Every press answered
"已记录" must then be in the stored task, in the month's report and in its workbook.
Each scenario is repeated with 20 seeded interleavings.
"""

from __future__ import annotations

import asyncio
import io
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from core.config.banks import BankSet
from core.dates.periods import parse_period
from core.dates.workdays import WorkCalendar
from core.delivery import Button
from core.organization.branches import ChatUser, Organization
from core.reports.service import Reports
from core.reports.workbook import ledger_workbook
from core.scheduling.dispatcher import Dispatcher
from core.store.database import Store
from core.store.records import Binding
from tests.conftest import SHANGHAI, FakeClock
from tests.core.scheduling.test_dispatcher import OFFICE_CHAT, FakeMessenger, config

REPETITIONS = 20
MEMBERS = [ChatUser(10_000 + n, f"党员{n}") for n in range(200)]
ASSIGNED = datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI)  # CONFIG's study push, after 国庆


class SlowMessenger(FakeMessenger):
    """Each call to Telegram takes a few turns of the event loop, as a real request does."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self._rng = rng
        self.sending = asyncio.Event()  # set once a message with a button is on its way

    async def _travel(self) -> None:
        for _ in range(self._rng.randint(1, 6)):
            await asyncio.sleep(0)

    async def send(
        self,
        chat_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
        reply_to: int | None = None,
    ) -> int:
        if buttons:
            self.sending.set()
        await self._travel()
        return await super().send(chat_id, text, buttons=buttons, html=html)

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        buttons: Sequence[Button] = (),
        html: bool = False,
    ) -> None:
        await self._travel()
        await super().edit(chat_id, message_id, text, buttons=buttons, html=html)


def engine_for(store: Store, clock: FakeClock, messenger: SlowMessenger) -> Dispatcher:
    store.bind(Binding("office", OFFICE_CHAT, "办公室群", clock()))
    organization = Organization(store, config(), clock)
    for member in MEMBERS:
        organization.seen_in_group(OFFICE_CHAT, member)
    seconds = iter(range(0, 10**9, 10))  # every count edit allowed: the widest race
    return Dispatcher(
        organization, messenger, WorkCalendar(), clock, SHANGHAI, monotonic=lambda: next(seconds)
    )


async def press_all(engine: Dispatcher, task_id: str, rng: random.Random) -> list[int]:
    """Each member presses once, in random order, each press followed by its count edit
    running concurrently with the others; return who was told "已记录"."""
    told: list[int] = []

    async def press(member: ChatUser) -> None:
        for _ in range(rng.randint(0, 8)):
            await asyncio.sleep(0)
        if engine.study.complete(task_id, member).newly_done:
            told.append(member.user_id)
            await engine.refresh_count(task_id)

    order = rng.sample(MEMBERS, len(MEMBERS))
    await asyncio.gather(*(press(member) for member in order))
    return told


def assert_every_press_kept(store: Store, clock: FakeClock, task_id: str, told: list[int]) -> None:
    task = store.study_task(task_id)
    assert task is not None
    assert sorted(task.done) == sorted(told) == [m.user_id for m in MEMBERS]
    reports = Reports(Organization(store, config(), clock), clock, SHANGHAI)
    report = reports.report("office", "2026-10")
    assert {m.user_id for m in report.members if m.tasks_done == 1} == set(told)
    ledger = reports.ledger("office", parse_period("2026-10"), BankSet())
    workbook = load_workbook(io.BytesIO(ledger_workbook(ledger, SHANGHAI)), read_only=True)
    members = list(workbook["成员"].iter_rows(min_row=2, values_only=True))
    assert sum(1 for row in members if row[4] == 1) == len(told)  # column 完成任务


@pytest.mark.parametrize("seed", range(REPETITIONS))
async def test_presses_during_count_edits_are_all_kept(
    store: Store, clock: FakeClock, seed: int
) -> None:
    rng = random.Random(seed)
    messenger = SlowMessenger(rng)
    engine = engine_for(store, clock, messenger)
    clock.now = ASSIGNED
    await engine.tick()
    (task,) = store.study_tasks_of_month(ASSIGNED)

    told = await press_all(engine, task.id, rng)
    assert_every_press_kept(store, clock, task.id, told)
    clock.advance(minutes=1)
    await engine.tick()  # the round catches the count up
    assert messenger.edits[-1].text.endswith(f"已完成 {len(MEMBERS)}/{len(MEMBERS)}")


@pytest.mark.parametrize("seed", range(REPETITIONS))
async def test_presses_during_the_rounds_of_a_task_are_all_kept(
    store: Store, clock: FakeClock, seed: int
) -> None:
    """Presses while the task is sent, while the reminder goes out and while the round
    edits counts (the reminder and the summary are sent with an await in between)."""
    rng = random.Random(seed)
    messenger = SlowMessenger(rng)
    engine = engine_for(store, clock, messenger)
    messenger.reachable |= {m.user_id for m in MEMBERS} | {900}
    task_id = None
    clock.now = ASSIGNED - timedelta(seconds=1)

    async def rounds() -> None:
        clock.now = ASSIGNED
        await engine.tick()  # the task is sent
        (task,) = store.study_tasks_of_month(ASSIGNED)
        assert task.remind_at is not None
        clock.now = task.remind_at + timedelta(minutes=1)
        await engine.tick()  # the reminder goes out

    async def members() -> list[int]:
        nonlocal task_id
        await messenger.sending.wait()  # the task is stored before its message leaves
        (task,) = store.study_tasks_of_month(ASSIGNED)
        task_id = task.id
        return await press_all(engine, task_id, rng)

    _, told = await asyncio.gather(rounds(), members())
    assert task_id is not None
    assert_every_press_kept(store, clock, task_id, told)
    stored = store.study_task(task_id)
    assert stored is not None and stored.reminded
    clock.now = stored.due_at + timedelta(minutes=1)
    await engine.tick()  # the summary, after the due date
    summary = next(s.text for s in messenger.sent if s.chat_id == 900)
    assert f"已完成 {len(MEMBERS)} 人" in summary and "未完成 0 人" in summary
