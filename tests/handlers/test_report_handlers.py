"""Reports and configuration through the real Application: who may see and change what."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from core import messages
from core.store.quiz_sessions import AnswerRecord
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import FIXTURES, BotHarness, running_bot_from_config, user, write_config_dir

ADMIN = user(1, "管理员")
OWNER = user(2, "书记", "secretary")
MEMBER = user(3, "小王")
YAML_SECRETARY = user(501, "组织委员")  # declared in the office branch's secretaries
OFFICE_GROUP = -100111
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部, secretaries: [501]}
  - {id: policy, name: 政策法规处党支部}
"""
MEMBER_REFUSED = (
    "抱歉，/{command} 仅限支部书记或群管理员使用。组织委员等支委需要使用的，请群主在支部群里"
    "把您设为管理员，或请机器人管理员把您的用户 ID 3 写进 schedules.yaml 中本支部的 "
    "secretaries。发送 /help 查看您可以使用的命令。"
)
ADMIN_ONLY = (
    "抱歉，/{command} 仅限机器人管理员使用。如需使用，请联系机器人管理员。"
    "发送 /help 查看您可以使用的命令。"
)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
        server.set_member_status(OFFICE_GROUP, MEMBER["id"], "member")
        yield server


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config_dir(tmp_path / "config", SCHEDULES)


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock, config_dir: Path
) -> AsyncIterator[BotHarness]:
    async with running_bot_from_config(
        fake, tmp_path / "data", config_dir, clock, admins="1"
    ) as harness:
        yield harness


def callback_answers(fake: FakeBotApi, since: int) -> list[Call]:
    return [c for c in fake.requests[since:] if c.method == "answerCallbackQuery"]


def buttons(markup: dict[str, Any] | None) -> dict[str, str]:
    rows = (markup or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def press(
    bot: BotHarness, chat_id: int, message_id: int, who: dict[str, Any], data: str
) -> None:
    await bot.feed(bot.fake.press_button(chat_id, message_id, who, data, strict=False))


async def last_message_id(bot: BotHarness, chat_id: int, sender: dict[str, Any]) -> int:
    """Some message the bot sent to `chat_id`, for pressing forged buttons on it."""
    await bot.say(chat_id, sender, "/help")
    call = [c for c in bot.fake.calls("sendMessage") if c.params["chat_id"] == chat_id][-1]
    return int(call.result["message_id"])


async def test_members_are_refused_politely(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    for command in ("report", "export"):
        assert await bot.say(MEMBER["id"], MEMBER, f"/{command}") == [
            MEMBER_REFUSED.format(command=command)
        ]
        assert await bot.say(OFFICE_GROUP, MEMBER, f"/{command}") == [
            MEMBER_REFUSED.format(command=command)
        ]
    for command in ("stats", "reload"):
        assert await bot.say(MEMBER["id"], MEMBER, f"/{command}") == [
            ADMIN_ONLY.format(command=command)
        ]
        assert await bot.say(OFFICE_GROUP, OWNER, f"/{command}") == [
            ADMIN_ONLY.format(command=command)
        ]
    assert bot.fake.calls("sendPhoto") == [] and bot.fake.calls("sendDocument") == []


async def test_a_secretary_cannot_see_another_branch(bot: BotHarness) -> None:
    sid = YAML_SECRETARY["id"]
    refused = "您不是“政策法规处党支部”的书记，不能查看该支部的情况。"
    assert await bot.say(sid, YAML_SECRETARY, "/report policy") == [refused]
    assert await bot.say(sid, YAML_SECRETARY, "/export 2026-11 policy") == [refused]
    message_id = await last_message_id(bot, sid, YAML_SECRETARY)
    for forged in ("rep:r:policy:2026-11", "rep:x:policy:2026-11", "rep:n:policy"):
        since = len(bot.fake.requests)
        await press(bot, sid, message_id, YAML_SECRETARY, forged)
        answer = callback_answers(bot.fake, since)[0].params
        assert answer["text"] == refused and answer["show_alert"] is True
    assert bot.fake.calls("sendPhoto") == [] and bot.fake.calls("sendDocument") == []
    # Their own branch works, in private, without naming it (on 2 November: October's).
    await bot.say(sid, YAML_SECRETARY, "/report")
    photo = bot.fake.calls("sendPhoto")[-1].params
    assert photo["chat_id"] == sid and photo["caption"].startswith(
        "办公室党支部 2026年10月 参与情况"
    )


async def test_a_group_member_cannot_press_the_report_buttons(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, MEMBER, "在")
    await bot.say(OFFICE_GROUP, OWNER, "/report 本月")
    photo = bot.fake.calls("sendPhoto")[-1]
    assert photo.params["chat_id"] == OFFICE_GROUP
    assert photo.params["photo"]["content"].startswith(b"\x89PNG")
    assert photo.params["caption"] == (
        "办公室党支部 2026年11月 参与情况\n"
        "参与 0/2 人（0%）· 学习 0/0 · 答题 0 题 · 积分 0\n"
        "本月组织生活：⬜支部委员会会议 0 次 · ⬜党小组会 0 次 · ⬜主题党日 0 次\n"
        "本季度组织生活：⬜支部党员大会 0 次 · ⬜党课 0 次\n"
        "群成员 2 人，已报到 2 人（未报到的请点群里的“报到”）\n"
        f"{messages.BOT_NOT_ADMIN}\n\n"  # the bot was added as a plain member
        "书记 学习 0/0 · 答题 0 题 · 积分 0\n"
        "小王 学习 0/0 · 答题 0 题 · 积分 0\n\n"
        "尚未参与：书记、小王"
    )
    keys = buttons(photo.params["reply_markup"])
    assert list(keys) == ["◀ 上月（10月）", "导出"]  # nothing is due yet: no 提醒未完成
    message_id = photo.result["message_id"]
    since = len(bot.fake.requests)
    await press(bot, OFFICE_GROUP, message_id, MEMBER, keys["导出"])
    assert callback_answers(bot.fake, since)[0].params["text"] == (
        "您不是“办公室党支部”的书记，不能查看该支部的情况。"
    )
    since = len(bot.fake.requests)  # a 提醒未完成 drawn when work was due: the same refusal
    await press(bot, OFFICE_GROUP, message_id, MEMBER, "rep:n:office")
    assert callback_answers(bot.fake, since)[0].params["text"] == (
        "只有支部书记可以发送提醒。需要提醒大家时，请联系本支部书记。"
    )
    assert bot.services.store.last_nudge("office") is None
    await press(bot, OFFICE_GROUP, message_id, OWNER, keys["导出"])
    document = bot.fake.calls("sendDocument")[-1].params
    assert document["chat_id"] == OFFICE_GROUP
    assert document["document"]["filename"] == "办公室党支部-2026-11.xlsx"


async def test_an_admin_picks_any_branch(bot: BotHarness) -> None:
    replies = await bot.say(ADMIN["id"], ADMIN, "/report 11月")
    assert replies == ["您负责多个支部，请选择要查看的支部（2026年11月）："]
    picker = [c for c in bot.fake.calls("sendMessage") if c.params["chat_id"] == ADMIN["id"]][-1]
    keys = buttons(picker.params["reply_markup"])
    assert keys == {
        "办公室党支部": "rep:r:office:2026-11",
        "政策法规处党支部": "rep:r:policy:2026-11",
    }
    await press(bot, ADMIN["id"], picker.result["message_id"], ADMIN, keys["政策法规处党支部"])
    photo = bot.fake.calls("sendPhoto")[-1].params
    assert photo["caption"].startswith("政策法规处党支部 2026年11月 参与情况")
    assert list(buttons(photo["reply_markup"])) == ["◀ 上月（10月）", "导出"]  # nobody to nudge
    await bot.say(ADMIN["id"], ADMIN, "/export policy 2026-10")
    document = bot.fake.calls("sendDocument")[-1].params["document"]
    assert document["filename"] == "政策法规处党支部-2026-10.xlsx"


async def test_members_see_their_month_and_the_leaderboard(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, MEMBER, "在")
    answer = AnswerRecord(3, "office", "basics", "s1", ("C",), True, "private", clock())
    bot.services.store.record_event(answer.to_event())
    assert await bot.say(MEMBER["id"], MEMBER, "/me") == [
        "小王 本月情况\n学习任务：完成 0/0，按时 0\n答题：1 题，答对 1 题，正确率 100%\n"
        "积分：1\n错题本：0 题待复习"
    ]
    assert await bot.say(OFFICE_GROUP, MEMBER, "/top") == [
        "办公室党支部 2026年11月 积分榜\n1. 小王 1 分"
    ]
    assert await bot.say(4, user(4, "路人"), "/me") == [
        "您还不在任何支部名单中。请在本支部群里发言，或在群里发送 /join 姓名。"
    ]


async def test_reload_keeps_the_running_configuration_on_error(
    bot: BotHarness, config_dir: Path
) -> None:
    running = bot.services.organization.config
    (config_dir / "schedules.yaml").write_text(SCHEDULES.replace("name: 办公室党支部", "nmae: x"))
    [reply] = await bot.say(ADMIN["id"], ADMIN, "/reload")
    assert reply.startswith("⛔ schedules.yaml 有错，未重新加载，机器人继续使用原来的配置。")
    assert "schedules.yaml:3: branches[0]: 字段名 nmae 应为 name" in reply
    assert bot.services.organization.config is running

    (config_dir / "schedules.yaml").write_text(
        SCHEDULES + "  - {id: finance, name: 财务处党支部}\n"
    )
    shutil.copy(FIXTURES / "bad_banks" / "bad_type.yaml", config_dir / "quizzes")
    [reply] = await bot.say(ADMIN["id"], ADMIN, "/reload")
    assert reply.startswith("✅ 配置已重新加载并立即生效：3 个支部，0 个推送计划，2 个题库")
    assert "quizzes/bad_type.yaml 第 1 题（dq-001，第 6 行）type：" in reply
    assert [b.id for b in bot.services.organization.config.branches][-1] == "finance"
    assert [b.id for b in bot.services.private_quizzes.banks.banks] == ["basics", "long"]


async def test_an_admin_installs_a_bank_by_sending_it(bot: BotHarness, config_dir: Path) -> None:
    content = (FIXTURES / "uploads" / "extra.yaml").read_bytes()
    refused = await bot.feed(bot.fake.send_document(MEMBER["id"], MEMBER, "extra.yaml", content))
    assert refused == ["只有机器人管理员可以发送配置文件。"]
    assert not (config_dir / "quizzes" / "extra.yaml").exists()

    [reply] = await bot.feed(bot.fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", content))
    assert reply.startswith(
        "✅ 题库 extra（新增题库，2 道题）已保存为 quizzes/extra.yaml。\n✅ 配置已重新加载"
    )
    assert (config_dir / "quizzes" / "extra.yaml").read_bytes() == content
    [question] = await bot.say(MEMBER["id"], MEMBER, "/quiz extra 1")
    assert question.startswith("第 1/1 题")

    notes = await bot.feed(bot.fake.send_document(ADMIN["id"], ADMIN, "notes.pdf", b"%PDF"))
    assert notes == [
        "“notes.pdf”不是 .yaml 或 .yml 文件，未做任何改动。"
        "请把题库或 schedules.yaml 作为文件发给我。"
    ]


STUDY_SCHEDULES = (
    SCHEDULES
    + """\
schedules:
  - id: study-monthly
    when: {monthly: {day: 10, at: "09:30"}}
    to: all
    study: {title: 党章学习, body: 学习党章。, due_days: 10}
"""
)


@pytest.fixture
async def study_bot(
    fake: FakeBotApi, tmp_path: Path, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    config_dir = write_config_dir(tmp_path / "study-config", STUDY_SCHEDULES)
    async with running_bot_from_config(
        fake, tmp_path / "data", config_dir, clock, admins="1"
    ) as harness:
        yield harness


def last_report(bot: BotHarness) -> tuple[str, dict[str, str]]:
    photo = bot.fake.calls("sendPhoto")[-1].params
    return photo["caption"].split("\n")[0], buttons(photo["reply_markup"])


async def test_months_as_people_say_them(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    for word in ("10月", "上月", "2026年10月", "2026-10", "2026.10", "10月份"):
        await bot.say(OFFICE_GROUP, OWNER, f"/report {word}")
        assert last_report(bot)[0] == "办公室党支部 2026年10月 参与情况", word
    await bot.say(OFFICE_GROUP, OWNER, "/report 本月")
    assert last_report(bot)[0] == "办公室党支部 2026年11月 参与情况"
    photos = len(bot.fake.calls("sendPhoto"))
    assert await bot.say(OFFICE_GROUP, OWNER, "/report 2026年12月") == [
        "2026年12月还没到，请选本月或以前的月份。"
    ]
    assert await bot.say(OFFICE_GROUP, OWNER, "/report 13月") == [
        "“13月”不是月份。请写成 10月、上月、本月、2026年10月 或 2026-10。"
    ]
    assert await bot.say(OWNER["id"], OWNER, "/export 下季度") == [
        "“下季度”不是月份、季度或年份。请写成 10月、上月、2026年10月、2026-10（月），"
        "本季度、上季度、2026Q4（季度），或 今年、2026（年）。"
    ]
    assert len(bot.fake.calls("sendPhoto")) == photos and bot.fake.calls("sendDocument") == []
    await bot.say(OFFICE_GROUP, OWNER, "/export 上季度")
    document = bot.fake.calls("sendDocument")[-1].params["document"]
    assert document["filename"] == "办公室党支部-2026Q3.xlsx"


async def test_early_in_the_month_the_report_opens_on_last_month(
    study_bot: BotHarness, clock: FakeClock
) -> None:
    bot = study_bot
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, MEMBER, "在")
    await bot.say(OFFICE_GROUP, OWNER, "/report")  # 2 November
    title, keys = last_report(bot)
    assert title == "办公室党支部 2026年10月 参与情况"
    assert list(keys) == ["本月（11月）▶", "导出"]
    # The button says which month it shows: pressed twice (or redelivered), the same month.
    message_id = bot.fake.calls("sendPhoto")[-1].result["message_id"]
    for _ in range(2):
        await press(bot, OFFICE_GROUP, message_id, OWNER, keys["本月（11月）▶"])
        title, this_month = last_report(bot)
        assert title == "办公室党支部 2026年11月 参与情况"
    assert list(this_month) == ["◀ 上月（10月）", "导出"]  # nothing due yet: nobody to remind
    # From the 6th on, /report is of this month; once a task is out, 提醒未完成 is offered.
    clock.now = clock.now.replace(day=10, hour=9, minute=31)
    await bot.services.dispatcher.tick()
    await bot.say(OFFICE_GROUP, OWNER, "/report")
    title, keys = last_report(bot)
    assert title == "办公室党支部 2026年11月 参与情况"
    assert list(keys) == ["◀ 上月（10月）", "提醒未完成", "导出"]
