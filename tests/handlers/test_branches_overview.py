"""/branches for a large agency: a summary, then pages within Telegram's 4,096 characters
turned with 上一页/下一页; a member's press is answered while /branches or /export is still
being worked out (both run off the event loop, beside other updates); the ranking is kept
and built again only for the branches whose records changed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.config.branches import Branch
from core.reports.month_report import BranchMonthReport
from core.scheduling.study_tasks import CALLBACK_PREFIX
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Binding, Membership, Person, StudyTask
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

ADMIN = user(1, "管理员")
MEMBER = user(3, "小王")
BRANCHES = 120
FIRST_GROUP = -1_000_000
SCHEDULES = "timezone: Asia/Shanghai\nbranches:\n" + "".join(
    f"  - {{id: b{n:03d}, name: 机关事务管理局第{n}党支部}}\n" for n in range(1, BRANCHES + 1)
)
LIMIT = 4_096
WAIT = 5.0  # seconds a press may take to be answered here (Telegram gives up after ~15)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    config = write_config_dir(tmp_path / "config", SCHEDULES)
    async with running_bot_from_config(
        fake, tmp_path / "data", config, clock, str(ADMIN["id"])
    ) as harness:
        for n in range(1, BRANCHES + 1):
            group = FIRST_GROUP - n
            harness.services.store.bind(Binding(f"b{n:03d}", group, f"第{n}支部群", clock()))
        await harness.say(ADMIN["id"], ADMIN, "你好")  # lets the admin receive messages
        yield harness


def sent_to(bot: BotHarness, chat_id: int, since: int) -> list[Call]:
    return [
        call
        for call in bot.fake.requests[since:]
        if call.method in ("sendMessage", "editMessageText")
        and call.params.get("chat_id") == chat_id
        and call.ok
    ]


def buttons(call: Call) -> dict[str, str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def turn(bot: BotHarness, page: Call, label: str, who: dict[str, Any] = ADMIN) -> Call:
    """Press `label` under the page message; the edit it caused."""
    since = len(bot.fake.requests)
    message_id = (
        page.result["message_id"] if page.method == "sendMessage" else page.params["message_id"]
    )
    press = bot.fake.press_button(who["id"], message_id, who, buttons(page)[label], strict=False)
    await bot.feed(press)
    (edit,) = [c for c in bot.fake.requests[since:] if c.method == "editMessageText"]
    return edit


async def test_120_branches_come_as_a_summary_and_pages_within_the_limit(
    bot: BotHarness,
) -> None:
    since = len(bot.fake.requests)
    await bot.say(ADMIN["id"], ADMIN, "/branches")
    summary, first = sent_to(bot, ADMIN["id"], since)
    assert summary.params["text"].startswith(
        "全部支部 120 个：已绑定 120 个，未绑定 0 个，推送暂停 0 个，换届逾期 0 个。"
    )
    assert "各支部参与率（前 10 名）：" in summary.params["text"]
    pages = [first]
    while "下一页 ▶" in buttons(pages[-1]):
        pages.append(await turn(bot, pages[-1], "下一页 ▶"))
    count = len(pages)
    assert count > 1
    texts = [page.params["text"] for page in pages]
    assert [text.splitlines()[0] for text in texts] == [
        f"全部支部 · 第 {n}/{count} 页" for n in range(1, count + 1)
    ]
    assert all(len(text) <= LIMIT for text in [summary.params["text"], *texts])
    lines = [line for text in texts for line in text.splitlines()[1:]]
    for n in range(1, BRANCHES + 1):  # each branch's line once, and its place in the ranking
        assert sum(line.startswith(f"✅ 机关事务管理局第{n}党支部（") for line in lines) == 1
        assert sum(line.endswith(f" 机关事务管理局第{n}党支部 0%（0/0）") for line in lines) == 1
    assert "◀ 上一页" not in buttons(pages[0]) and "下一页 ▶" not in buttons(pages[-1])

    back = await turn(bot, pages[1], "◀ 上一页")
    assert back.params["text"] == texts[0]
    again = await turn(bot, pages[1], "◀ 上一页")  # delivered twice: the same page
    assert again.params["text"] == texts[0]


async def test_a_member_cannot_turn_the_pages(bot: BotHarness) -> None:
    await bot.say(ADMIN["id"], ADMIN, "/branches")
    page = bot.fake.calls("sendMessage")[-1]
    since = len(bot.fake.requests)
    press = bot.fake.press_button(ADMIN["id"], page.result["message_id"], MEMBER, "branches:2")
    await bot.feed(press)
    (answer,) = [c for c in bot.fake.requests[since:] if c.method == "answerCallbackQuery"]
    assert answer.params["text"] == "只有机器人管理员可以查看全部支部。"
    assert not [c for c in bot.fake.requests[since:] if c.method == "editMessageText"]


def held_until(release: threading.Event, work: Callable[..., Any]) -> Callable[..., Any]:
    """`work`, kept from finishing (in its worker thread) until `release` is set."""

    def held(*args: Any, **kwargs: Any) -> Any:
        if not release.wait(timeout=10):
            raise TimeoutError("the press was not answered while the work ran")
        return work(*args, **kwargs)

    return held


@pytest.mark.parametrize(("command", "method"), [("/branches", "branches_overview"),
                                                 ("/export b001", "ledger")])  # fmt: skip
async def test_a_press_is_answered_while_a_long_request_runs(
    bot: BotHarness, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, command: str, method: str
) -> None:
    group = FIRST_GROUP - 1
    bot.fake.add_chat(group, title="第1支部群")
    sent = await bot.application.bot.send_message(group, "本周理论学习：学习党章")
    task = StudyTask(
        "2611-aa", "study:b001:1", "b001", group, "学习党章", "", None, clock(),
        clock() + timedelta(days=7), None, message_id=sent.message_id,
    )  # fmt: skip
    bot.services.store.add_study_task(task)
    reports = bot.services.reports
    release = threading.Event()
    monkeypatch.setattr(reports, method, held_until(release, getattr(reports, method)))

    since = len(bot.fake.requests)
    asked = asyncio.create_task(bot.dispatch(bot.fake.send_text(ADMIN["id"], ADMIN, command)))
    await asyncio.sleep(0.05)  # the request is under way, its work held in a thread
    data = f"{CALLBACK_PREFIX}{task.id}"
    press = bot.fake.press_button(group, sent.message_id, MEMBER, data, strict=False)
    pressed = asyncio.create_task(bot.dispatch(press))
    answered = await until(lambda: calls(bot, since, "answerCallbackQuery"))
    replied = calls(bot, since, "sendMessage", "sendDocument", chat_id=ADMIN["id"])
    release.set()
    assert answered and not replied  # answered while the request was still being worked out
    await asyncio.wait_for(asyncio.gather(asked, pressed), timeout=30)
    assert await until(
        lambda: calls(bot, since, "sendMessage", "sendDocument", chat_id=ADMIN["id"])
    )
    stored = bot.services.store.study_task(task.id)
    assert stored is not None and MEMBER["id"] in stored.done


def calls(bot: BotHarness, since: int, *methods: str, chat_id: int | None = None) -> list[Call]:
    return [
        c
        for c in bot.fake.requests[since:]
        if c.method in methods and (chat_id is None or c.params.get("chat_id") == chat_id)
    ]


async def until(found: Callable[[], list[Call]]) -> list[Call]:
    """What `found` gives once it gives something, waiting at most WAIT seconds."""
    for _ in range(int(WAIT / 0.01)):
        if result := found():
            return result
        await asyncio.sleep(0.01)
    return found()


async def test_the_ranking_is_kept_and_built_again_only_for_a_branch_that_changed(
    bot: BotHarness, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = bot.services.reports
    built: list[str] = []
    build = reports._build

    def counted(branch: Branch, month: str, tasks: Any, totals_only: bool) -> BranchMonthReport:
        built.append(branch.id)
        return build(branch, month, tasks, totals_only=totals_only)

    monkeypatch.setattr(reports, "_build", counted)
    month = reports.this_month()
    first = reports.ranking(month)
    assert len(built) == BRANCHES
    built.clear()
    assert reports.ranking(month) == first and built == []

    store = bot.services.store  # a member joins b002 and answers: b002 leads, alone rebuilt
    store.save_person(Person(7, "小李").with_membership(Membership("b002", True, clock())))
    answer = AnswerRecord(7, "b002", "basics", "s1", ("C",), True, "private", clock())
    store.record_event(answer.to_event())
    ranked = reports.ranking(month)
    assert built == ["b002"]
    assert (ranked[0].branch_id, ranked[0].participation_rate) == ("b002", 1.0)
