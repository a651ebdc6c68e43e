"""A meeting recorded from the group, through the real Application: /meeting, the kind and
date buttons, the topic as a reply, 签到 and 请假, a photo replied to the 签到 message,
结束签到 or 23:59; presses and replies delivered twice count once."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core import messages
from core.organization.roles import Role
from handlers.organization.guard import not_allowed
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot_from_config, user, write_config_dir

OWNER = user(2, "陈书记")
MEMBERS = [user(3, "李四"), user(4, "王五"), user(5, "赵六")]
OFFICE_GROUP = -100111
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_branch_group(OFFICE_GROUP, "办公室党支部群", OWNER["id"])
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi, tmp_path: Path, clock: FakeClock) -> AsyncIterator[BotHarness]:
    config = write_config_dir(tmp_path / "config", SCHEDULES)
    async with running_bot_from_config(
        fake, tmp_path / "data", config, clock, admins="1"
    ) as harness:
        await harness.say(OFFICE_GROUP, OWNER, "/bind office")
        await harness.say(OFFICE_GROUP, OWNER, "/join 陈书记")
        for member in MEMBERS:
            await harness.say(OFFICE_GROUP, member, f"/join {member['first_name']}")
        yield harness


def buttons(call: Call) -> dict[str, str]:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def last_sent(bot: BotHarness) -> Call:
    return [c for c in bot.fake.calls("sendMessage") if c.params["chat_id"] == OFFICE_GROUP][-1]


async def press(
    bot: BotHarness, message: Call, who: dict[str, object], label: str, *, strict: bool = True
) -> str:
    """Press a button of `message` as drawn (`strict=False`: on a screen not yet updated)."""
    data = buttons(message)[label]
    message_id = message.result["message_id"]
    await bot.feed(bot.fake.press_button(OFFICE_GROUP, message_id, who, data, strict=strict))
    return str(bot.fake.calls("answerCallbackQuery")[-1].params.get("text", ""))


async def open_meeting(bot: BotHarness, kind: str, topic: str) -> Call:
    """The secretary records a meeting of today; the 签到 message."""
    await bot.say(OFFICE_GROUP, OWNER, "/meeting")
    menu = last_sent(bot)
    assert menu.params["text"] == messages.MEETING_PICK_KIND
    await press(bot, menu, OWNER, kind)
    days = bot.fake.calls("editMessageText")[-1]
    await bot.feed(
        bot.fake.press_button(
            OFFICE_GROUP, menu.result["message_id"], OWNER, buttons(days)["今天（11-02）"]
        )
    )
    question = last_sent(bot)
    assert question.params["reply_markup"] == {"force_reply": True, "selective": True}
    update = bot.fake.send_text(OFFICE_GROUP, OWNER, topic, reply_to=question.result["message_id"])
    await bot.feed(update)
    sign_in = last_sent(bot)
    await bot.feed(update)  # the same reply delivered again opens nothing more
    assert last_sent(bot) is sign_in or last_sent(bot).result == sign_in.result
    return sign_in


async def test_a_committee_meeting_from_menu_to_record(bot: BotHarness, tmp_path: Path) -> None:
    sign_in = await open_meeting(bot, "支部委员会会议", "研究11月主题党日安排")
    assert sign_in.params["text"] == (
        "📝 办公室党支部支部委员会会议签到\n日期：2026-11-02\n主题：研究11月主题党日安排\n"
        "主持人：陈书记\n参会的同志请点“签到”，不能参加的点“请假”。会议照片、材料请回复本条消息发送。\n"
        "已签到 0 人 · 请假 0 人"
    )
    li, wang, zhao = MEMBERS
    assert await press(bot, sign_in, OWNER, "签到") == "✅ 已签到。"
    assert await press(bot, sign_in, li, "签到") == "✅ 已签到。"
    assert await press(bot, sign_in, li, "签到") == "✅ 已签到。"  # again: nothing changes
    assert await press(bot, sign_in, wang, "请假·病假") == "✅ 已登记请假（病假）。"
    assert await press(bot, sign_in, zhao, "结束签到") == messages.MEETING_NOT_SECRETARY

    photo = bot.fake.send_photo(
        OFFICE_GROUP, li, b"\x89PNG meeting photo", reply_to=sign_in.result["message_id"]
    )
    for _ in range(2):  # delivered twice, attached once
        await bot.feed(photo)
    attached = "📎 已附到支部委员会会议（2026-11-02）记录，共 1 个附件。"
    assert last_sent(bot).params["text"] == attached

    assert await press(bot, sign_in, OWNER, "结束签到") == ""
    record = bot.fake.calls("editMessageText")[-1]
    assert record.params["message_id"] == sign_in.result["message_id"]
    assert record.params["text"] == (
        "📋 办公室党支部支部委员会会议记录\n日期：2026-11-02\n主题：研究11月主题党日安排\n"
        "主持人：陈书记\n应到 3 人，实到 2 人：陈书记、李四\n请假 1 人：王五（病假）\n"
        "缺席 1 人：赵六\n附件 1 个"
    )
    late = await press(bot, sign_in, zhao, "签到", strict=False)
    assert late == messages.MEETING_CLOSED_ALREADY
    (meeting,) = bot.services.store.meetings_of_month(bot.services.clock())
    assert (meeting.kind, meeting.status) == ("支部委员会会议", "closed")
    assert meeting.absent == ("赵六",)
    (attachment,) = meeting.attachments
    assert attachment.saved is not None
    saved = tmp_path / "data" / attachment.saved
    assert saved.read_bytes() == b"\x89PNG meeting photo"

    # The month's export has the record, with names.
    await bot.say(OFFICE_GROUP, OWNER, "/export")
    exported = bot.fake.calls("sendDocument")[-1].params["document"]["content"]
    sheet = load_workbook(io.BytesIO(exported))["组织生活"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("2026-11-02", "支部委员会会议", "研究11月主题党日安排", "陈书记", 3,
         "2 人：陈书记、李四", "1 人：王五（病假）", "1 人：赵六", 1),
    ]  # fmt: skip


async def test_sign_in_closes_at_midnight_in_a_round(bot: BotHarness, clock: FakeClock) -> None:
    sign_in = await open_meeting(bot, "主题党日", "重温入党誓词")
    await press(bot, sign_in, MEMBERS[0], "签到")
    clock.now = clock.now.replace(hour=23, minute=58)
    await bot.services.dispatcher.tick()
    assert bot.services.store.meetings_of_month(clock.now)[0].status == "open"
    clock.now += timedelta(minutes=1)
    await bot.services.dispatcher.tick()
    (meeting,) = bot.services.store.meetings_of_month(clock.now)
    assert meeting.status == "closed"
    record = bot.fake.calls("editMessageText")[-1]
    assert record.params["text"].startswith("📋 办公室党支部主题党日记录")
    assert "应到 4 人，实到 1 人：李四" in record.params["text"]


async def test_only_the_secretary_records_and_only_their_reply_is_the_topic(
    bot: BotHarness,
) -> None:
    assert await bot.say(OFFICE_GROUP, MEMBERS[0], "/meeting") == [
        not_allowed("meeting", Role.SECRETARY, MEMBERS[0]["id"])
    ]
    await bot.say(OFFICE_GROUP, OWNER, "/meeting")
    menu = last_sent(bot)
    assert await press(bot, menu, MEMBERS[0], "党课") == messages.MEETING_NOT_SECRETARY
    await press(bot, menu, OWNER, "党课")
    days = bot.fake.calls("editMessageText")[-1]
    await bot.feed(
        bot.fake.press_button(
            OFFICE_GROUP, menu.result["message_id"], OWNER, buttons(days)["昨天（11-01）"]
        )
    )
    question = last_sent(bot)
    before = len(bot.fake.requests)
    asked = question.result["message_id"]
    replies = await bot.feed(bot.fake.send_text(OFFICE_GROUP, MEMBERS[0], "乱写", reply_to=asked))
    assert replies == []  # someone else's reply is ordinary chat
    assert all(c.method != "sendMessage" for c in bot.fake.requests[before:])


@pytest.mark.slow
async def test_a_record_is_corrected_and_the_ledger_keeps_who_changed_what(
    bot: BotHarness, clock: FakeClock
) -> None:
    sign_in = await open_meeting(bot, "主题党日", "重温入党誓词")
    li = MEMBERS[0]
    await press(bot, sign_in, li, "签到")
    await press(bot, sign_in, OWNER, "结束签到")
    clock.advance(hours=2)

    await bot.say(OFFICE_GROUP, li, "/meeting edit")  # a member may not
    assert "书记" in last_sent(bot).params["text"]
    await bot.say(OFFICE_GROUP, OWNER, "/meeting edit")
    picker = last_sent(bot)
    assert list(buttons(picker)) == ["11-02 主题党日：重温入党誓词"]
    await press(bot, picker, OWNER, "11-02 主题党日：重温入党誓词")
    editor = last_sent(bot)
    assert list(buttons(editor)) == [
        "改主题", "改主持人", "补签到·陈书记", "补签到·王五", "补签到·赵六",
    ]  # fmt: skip
    assert await press(bot, editor, li, "补签到·王五") == messages.MEETING_NOT_SECRETARY

    # 王五 was there without a phone: 补签到, pressed twice (a redelivered press).
    assert await press(bot, editor, OWNER, "补签到·王五") == "✅ 已为王五补签到，已记入更正记录。"
    again = await press(bot, editor, OWNER, "补签到·王五", strict=False)
    assert again == messages.MEETING_MARKED_ALREADY
    record = [c for c in bot.fake.calls("editMessageText")
              if c.params["message_id"] == sign_in.result["message_id"]][-1]  # fmt: skip
    assert "实到 2 人：李四、王五" in record.params["text"]
    assert "缺席 2 人：陈书记、赵六" in record.params["text"]

    await press(bot, editor, OWNER, "改主题")
    question = last_sent(bot)
    assert question.params["text"] == "请回复本条消息，写上主题党日（2026-11-02）新的主题。"
    new_topic = "重温入党誓词，参观廉政教育基地"
    reply = bot.fake.send_text(
        OFFICE_GROUP, OWNER, new_topic, reply_to=question.result["message_id"]
    )
    for _ in range(2):  # delivered twice: one correction
        await bot.feed(reply)
    assert last_sent(bot).params["text"].startswith("✅ 已更正主题党日（2026-11-02）的主题")

    (meeting,) = bot.services.store.meetings_of_month(clock())
    assert meeting.topic == "重温入党誓词，参观廉政教育基地"
    assert [(c.by, c.field, c.old, c.new) for c in meeting.corrections] == [
        (OWNER["id"], "王五出席情况", "缺席", "实到（补签到）"),
        (OWNER["id"], "主题", "重温入党誓词", "重温入党誓词，参观廉政教育基地"),
    ]
    await bot.say(OFFICE_GROUP, OWNER, "/export")
    exported = bot.fake.calls("sendDocument")[-1].params["document"]["content"]
    rows = list(load_workbook(io.BytesIO(exported))["更正记录"].iter_rows(values_only=True))
    assert rows[1:] == [
        ("2026-11-02", "主题党日", "王五出席情况", "缺席", "实到（补签到）", "陈书记",
         "2026-11-02 11:00"),
        ("2026-11-02", "主题党日", "主题", "重温入党誓词", "重温入党誓词，参观廉政教育基地",
         "陈书记", "2026-11-02 11:00"),
    ]  # fmt: skip


PROMPTED = (
    SCHEDULES
    + """\
schedules:
  - id: theme-day
    when: {once: "2026-11-02 09:30"}
    to: all
    prompt: "{branch}：本月主题党日请于{month}月内召开。"
    meeting: 主题党日
"""
)


async def test_a_theme_day_is_recorded_from_the_button_under_its_prompt(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> None:
    config = write_config_dir(tmp_path / "config", PROMPTED)
    async with running_bot_from_config(fake, tmp_path / "data", config, clock, "1") as bot:
        await bot.say(OFFICE_GROUP, OWNER, "/bind office")
        clock.now = clock.now.replace(minute=30)
        await bot.services.dispatcher.tick()
        prompt = last_sent(bot)
        assert prompt.params["text"] == "办公室党支部：本月主题党日请于11月内召开。"
        assert list(buttons(prompt)) == ["📝 登记会议"]

        assert await press(bot, prompt, MEMBERS[0], "📝 登记会议") == (
            messages.MEETING_NOT_SECRETARY
        )
        assert fake.calls("editMessageReplyMarkup") == []
        for _ in range(2):  # delivered twice: the same dates, the prompt's text kept
            assert await press(bot, prompt, OWNER, "📝 登记会议", strict=False) == ""
        (dates,) = [c for c in fake.calls("editMessageReplyMarkup") if c.ok]
        assert fake.calls("editMessageText") == []
        today = buttons(dates)["今天（11-02）"]
        await bot.feed(fake.press_button(OFFICE_GROUP, prompt.result["message_id"], OWNER, today))
        question = last_sent(bot)
        assert question.params["text"].startswith("请回复本条消息，写上这次主题党日（2026-11-02）")
        await bot.feed(
            fake.send_text(
                OFFICE_GROUP, OWNER, "重温入党誓词", reply_to=question.result["message_id"]
            )
        )
        assert last_sent(bot).params["text"].startswith("📝 办公室党支部主题党日签到")
        (meeting,) = bot.services.store.meetings_of_month(clock.now)
        assert (meeting.kind, meeting.topic) == ("主题党日", "重温入党誓词")
