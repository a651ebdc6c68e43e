"""The 名单 through the real Application: files with mistakes change nothing and say where
every mistake is; a good file is live at once; names, leave and roll call presses sent
twice (Telegram redelivers what a crash left unconfirmed) change nothing the second time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from core import messages
from core.organization.roles import Role
from handlers.organization.guard import not_allowed
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir
from tests.spreadsheets import gbk_csv, xlsx

ADMIN = user(1, "管理员")
OWNER = user(2, "书记")
MEMBER = user(3, "小王")
OFFICE_GROUP = -100111
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_branch_group(OFFICE_GROUP, "办公室党支部群", OWNER["id"], [MEMBER["id"]])
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    config = write_config_dir(tmp_path / "config", SCHEDULES)
    async with running_bot_from_config(
        fake, tmp_path / "data", config, clock, admins="1"
    ) as harness:
        await harness.say(OFFICE_GROUP, OWNER, "/bind office")
        yield harness






def buttons(message: Call) -> dict[str, str]:
    rows = message.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def send_list(bot: BotHarness, name: str, content: bytes) -> list[str]:
    return await bot.feed(bot.fake.send_document(OWNER["id"], OWNER, name, content, XLSX))


async def test_every_mistake_is_listed_and_nothing_changes(bot: BotHarness) -> None:
    before = await bot.say(OWNER["id"], OWNER, "/roster")
    no_category = xlsx(
        [
            ["姓名", "入党日期", "备注"],
            ["张伟", "2020-07-01", ""],
            ["李娜", "2020-13-01", ""],
            ["张伟", "2019-05-04", ""],
        ]
    )
    assert await send_list(bot, "名单.xlsx", no_category) == [
        "⛔ 名单“名单.xlsx”有 3 处问题，未做任何改动。请改正后重新发送：\n"
        "第 1 行：缺少“类别”列（表头应为第一个非空行，现有的列：姓名、入党日期、备注）\n"
        "第 3 行，入党日期：“2020-13-01”不是日期，请写成 2020-07-01\n"
        "第 4 行，姓名：“张伟”与第 2 行重名，请在备注中注明区别（如科室）"
    ]
    wrong_values = gbk_csv(
        [
            ["姓名", "类别", "入党日期", "转正日期", "备注"],
            ["张伟", "党员", "2020-07-01", "2021-07-01", ""],
            ["王芳", "预备党员", "", "", ""],
            ["", "正式党员", "", "", "综合科"],
        ]
    )
    assert await send_list(bot, "名单.csv", wrong_values) == [
        "⛔ 名单“名单.csv”有 3 处问题，未做任何改动。请改正后重新发送：\n"
        "第 2 行，类别：“党员”不是可选值（正式党员、预备党员、入党积极分子、其他）\n"
        "第 3 行，入党日期：预备党员须填写入党日期（用于预备期满前的提醒）\n"
        "第 4 行，姓名：没有填写"
    ]
    assert await bot.say(OWNER["id"], OWNER, "/roster") == before
    assert bot.services.store.branch_roster("office").entries == ()


async def test_a_good_list_is_live_at_once(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, MEMBER, "/join 王芳")
    good = xlsx(
        [
            ["序号", "姓名", "类别", "入党日期", "备注"],
            [1, "王芳", "正式党员", "2015-07-01", ""],
            [2, "张伟", "正式党员", "2012-05-04", "综合科"],
            [3, "张伟", "预备党员", "2026-03-01", "财务科"],
        ]
    )
    assert await send_list(bot, "名单.xlsx", good) == [
        "✅ 已更新办公室党支部名单：共 3 人（正式党员 2，预备党员 1）。\n"
        "已报到 1 人，未报到 2 人。发送 /roster 查看详情。"
    ]
    assert await bot.say(OFFICE_GROUP, OWNER, "/roster") == [
        "办公室党支部名单\n名单 3 人 · 已报到 1 人\n未报到：张伟、张伟\n群内未在名单：书记\n"
        + messages.ROSTER_GROUP_GAP.format(members=2, reported=2)
    ]
    # Two 张伟: the 备注 tells them apart, and a press says which.
    newcomer = user(4, "zw")
    bot.fake.set_member_status(OFFICE_GROUP, newcomer["id"], "member")
    which = await bot.say(OFFICE_GROUP, newcomer, "/join 张伟")
    assert which == [messages.CLAIM_WHICH.format(name="张伟")]
    asked = bot.fake.calls("sendMessage")[-1]
    keyboard = asked.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["张伟（综合科）", "张伟（财务科）"]
    data = keyboard[1][0]["callback_data"]
    for _ in range(2):  # a press delivered twice claims once
        message_id = asked.result["message_id"]
        await bot.feed(bot.fake.press_button(OFFICE_GROUP, message_id, newcomer, data))
        answer = bot.fake.calls("answerCallbackQuery")[-1]
        assert answer.params["text"] == "✅ 已将您登记为办公室党支部名单中的“张伟”。"
    claimed = [e for e in bot.services.store.branch_roster("office").entries if e.user_id]
    assert sorted((e.name, e.note, e.user_id) for e in claimed) == [
        ("张伟", "财务科", 4),
        ("王芳", "", MEMBER["id"]),
    ]


async def test_leave_given_twice_is_recorded_once_and_can_be_cancelled(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, MEMBER, "/join 小王")
    for _ in range(2):
        replies = await bot.say(OFFICE_GROUP, OWNER, "/leave 小王 2026-11-03 2026-11-20 因公出差")
        assert replies == [
            "✅ 已登记：小王 2026-11-03 至 2026-11-20 请假（因公出差）。"
            "期间不计入参与率，也不会收到提醒。"
        ]
    assert len(bot.services.store.branch_roster("office").leaves) == 1
    assert await bot.say(OFFICE_GROUP, OWNER, "/leave 小王 2026-11 取消") == [
        "✅ 已撤销 小王 的 1 条请假记录。"
    ]
    assert await bot.say(OFFICE_GROUP, MEMBER, "/leave 小王 2026-11 病假") == [
        not_allowed("leave", Role.SECRETARY, MEMBER["id"])
    ]
    assert await bot.say(OFFICE_GROUP, OWNER, "/leave 小王 十一月 病假") == [
        messages.LEAVE_BAD_DAYS.format(word="十一月")
    ]


async def test_leave_by_buttons_under_the_roster(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, MEMBER, "/join 小王")
    await bot.say(OFFICE_GROUP, OWNER, "/roster")
    roster = bot.fake.calls("sendMessage")[-1]
    (start,) = [b for row in roster.params["reply_markup"]["inline_keyboard"] for b in row]
    assert start["text"] == "登记请假"

    async def press(message_id: int, who: dict[str, object], data: str) -> str:
        await bot.feed(bot.fake.press_button(OFFICE_GROUP, message_id, who, data))
        return str(bot.fake.calls("answerCallbackQuery")[-1].params.get("text", ""))

    # A member sees the button too, but pressing it does nothing for them.
    refused = await press(roster.result["message_id"], MEMBER, start["callback_data"])
    assert refused == messages.ROSTER_NOT_YOURS.format(branch="办公室党支部")
    await press(roster.result["message_id"], OWNER, start["callback_data"])
    members = bot.fake.calls("sendMessage")[-1]
    names = buttons(members)
    assert sorted(names) == ["书记", "小王"]
    await press(members.result["message_id"], OWNER, names["小王"])
    reasons = bot.fake.calls("editMessageText")[-1]
    assert reasons.params["text"] == "小王 2026-11 请假，事由是："
    choices = buttons(reasons)
    assert list(choices) == ["病假", "产假", "事假", "外出学习", "因公出差"]
    done = messages.LEAVE_DONE.format(
        name="小王", first="2026-11-01", last="2026-11-30", reason="外出学习"
    )
    pressed = bot.fake.press_button(
        OFFICE_GROUP, members.result["message_id"], OWNER, choices["外出学习"]
    )
    for _ in range(2):  # the press delivered again records nothing more
        await bot.feed(pressed)
        assert bot.fake.calls("answerCallbackQuery")[-1].params["text"] == done
    (leave,) = bot.services.store.branch_roster("office").leaves
    assert (leave.first_day.isoformat(), leave.reason, leave.by) == ("2026-11-01", "外出学习", 2)
