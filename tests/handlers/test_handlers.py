"""Handlers through the real Application: what members, secretaries and admins see."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from telegram.error import BadRequest

from core import messages
from core.config.agency import AgencyConfig
from core.store.quiz_sessions import AnswerRecord
from handlers.errors import should_report
from tests.conftest import FakeClock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import BotHarness, running_bot, user

ADMIN = user(1, "管理员")
OWNER = user(2, "书记", "secretary")
MEMBER = user(3, "小王")
NEWCOMER = user(4, "小李")
OFFICE_GROUP = -100111
POLICY_GROUP = -100222


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.add_chat(POLICY_GROUP, title="政策法规处群")
        server.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
        server.set_member_status(OFFICE_GROUP, MEMBER["id"], "member")
        server.set_member_status(OFFICE_GROUP, server.bot_id, "administrator")
        server.set_member_status(POLICY_GROUP, server.bot_id, "administrator")
        yield server


@pytest.fixture
async def bot(
    fake: FakeBotApi, tmp_path: Path, agency: AgencyConfig, clock: FakeClock
) -> AsyncIterator[BotHarness]:
    async with running_bot(fake, tmp_path / "data", agency, clock, admins="1") as harness:
        yield harness


async def test_group_owner_binds_and_roster_builds(bot: BotHarness) -> None:
    bound, roll_call = await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    assert bound == messages.BIND_DONE.format(branch="办公室党支部")
    assert roll_call.endswith("已报到 0 / 群成员 2 人")  # a roll call for everyone
    await bot.say(OFFICE_GROUP, MEMBER, "大家好")
    await bot.feed(bot.fake.member_joins(OFFICE_GROUP, NEWCOMER))
    assert await bot.say(OFFICE_GROUP, NEWCOMER, "/join 李 明") == [
        "已登记您的姓名：李 明，并加入办公室党支部名单。"
    ]
    roster = await bot.say(OFFICE_GROUP, OWNER, "/roster")  # speaking puts the secretary on it too
    assert roster == [
        "办公室党支部名单（共 3 人）：\n1. 李 明\n2. 书记（未登记姓名）\n3. 小王（未登记姓名）\n"
        + messages.ROSTER_NO_LIST
        + "\n"
        + messages.ROSTER_GROUP_GAP.format(members=3, reported=3)
    ]


async def test_member_cannot_bind_and_nothing_changes(bot: BotHarness) -> None:
    replies = await bot.say(OFFICE_GROUP, MEMBER, "/bind office")
    assert replies == [
        "抱歉，/bind 仅限支部书记或群管理员使用。组织委员等支委需要使用的，请群主在支部群里"
        "把您设为管理员，或请机器人管理员把您的用户 ID 3 写进 schedules.yaml 中本支部的 "
        "secretaries。"
        "发送 /help 查看您可以使用的命令。"
    ]
    assert bot.services.store.bindings() == []


async def test_bind_in_private_is_refused(bot: BotHarness) -> None:
    replies = await bot.say(OWNER["id"], OWNER, "/bind office")
    assert replies == ["/bind 只能在支部群里使用。"]
    assert bot.services.store.bindings() == []


async def test_unknown_branch_is_explained(bot: BotHarness) -> None:
    replies = await bot.say(OFFICE_GROUP, OWNER, "/bind ofice")
    assert replies == ["没有 ID 为“ofice”的支部。可用的支部 ID：office、policy"]
    assert bot.services.store.bindings() == []


async def test_bot_admin_binds_any_group(bot: BotHarness) -> None:
    replies = await bot.say(POLICY_GROUP, ADMIN, "/bind policy")
    assert replies[0].startswith("✅ 本群已绑定到“政策法规处党支部”")


async def test_help_lists_only_what_the_caller_may_use(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    member_help = (await bot.say(OFFICE_GROUP, MEMBER, "/help"))[0]
    owner_help = (await bot.say(OFFICE_GROUP, OWNER, "/help"))[0]
    admin_help = (await bot.say(ADMIN["id"], ADMIN, "/help"))[0]
    assert "/join" in member_help and "/bind" not in member_help
    assert "/bind" in owner_help and "/branches" not in owner_help
    assert "/branches" in admin_help and "/bind" not in admin_help


async def test_yaml_secretary_sees_roster_in_private(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, MEMBER, "在")
    yaml_secretary = user(501, "组织委员")  # declared in the office branch's secretaries
    replies = await bot.say(501, yaml_secretary, "/roster office")
    assert replies == [
        "办公室党支部名单（共 1 人）：\n1. 小王（未登记姓名）\n"
        + messages.ROSTER_NO_LIST
        + "\n"
        + messages.ROSTER_GROUP_GAP.format(members=2, reported=1)
    ]
    assert await bot.say(MEMBER["id"], MEMBER, "/roster office") == [
        "抱歉，/roster 仅限支部书记或群管理员使用。组织委员等支委需要使用的，请群主在支部群里"
        "把您设为管理员，或请机器人管理员把您的用户 ID 3 写进 schedules.yaml 中本支部的 "
        "secretaries。发送 /help 查看您可以使用的命令。"
    ]
    assert await bot.say(501, yaml_secretary, "/roster policy") == [
        "您不是“政策法规处党支部”的书记，不能查看该支部名单。"
    ]


async def test_leaving_members_drop_off_the_roster(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, MEMBER, "在")
    await bot.feed(bot.fake.chat_member_update(OFFICE_GROUP, NEWCOMER, "left", "member"))
    assert {p.user_id for p in bot.services.organization.roster("office")} == {3, 4}
    await bot.feed(bot.fake.member_leaves(OFFICE_GROUP, MEMBER))
    await bot.feed(bot.fake.chat_member_update(OFFICE_GROUP, NEWCOMER, "member", "kicked"))
    assert bot.services.organization.roster("office") == []


async def test_bot_removed_from_group_unbinds_and_tells_admins(bot: BotHarness) -> None:
    await bot.say(ADMIN["id"], ADMIN, "/start")
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    sent = await bot.feed(bot.fake.bot_status_change(OFFICE_GROUP, OWNER, "member", "kicked"))
    assert bot.services.store.bindings() == []
    assert len(sent) == 1 and sent[0].startswith("⚠️ 机器人已被移出“办公室党支部”的群")


async def test_group_migration_is_followed(bot: BotHarness) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.feed(bot.fake.migrate_chat(OFFICE_GROUP, -100999, OWNER))
    binding = bot.services.store.binding_for_branch("office")
    assert binding is not None and binding.chat_id == -100999


async def test_start_registers_private_chat(bot: BotHarness) -> None:
    replies = await bot.say(MEMBER["id"], MEMBER, "/start")
    assert replies[0].startswith("您好，小王！")
    person = bot.services.store.person(MEMBER["id"])
    assert person is not None and person.private_chat


async def test_admin_sees_every_branch_ranked_by_participation(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    await bot.say(OFFICE_GROUP, MEMBER, "在")
    answer = AnswerRecord(3, "office", "basics", "s1", ("C",), True, "private", clock())
    bot.services.store.record_event(answer.to_event())
    replies = await bot.say(ADMIN["id"], ADMIN, "/branches")
    assert replies == [
        "全部支部（2 个）：\n"
        "✅ 办公室党支部（office）— 已绑定群“办公室党支部群”，名单 1 人，本季度组织生活 0/11\n"
        "⛔ 政策法规处党支部（policy）— 未绑定\n"
        "\n"
        "2026年11月 各支部参与率\n"
        "1. 办公室党支部 100%（1/1）\n"
        "政策法规处党支部 —（未绑定）"
    ]


async def test_unexpected_error_is_reported_not_swallowed(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.services.organization, "register_private_chat", broken)
    await bot.say(ADMIN["id"], ADMIN, "你好")  # lets the admin receive messages
    replies = await bot.say(MEMBER["id"], MEMBER, "/start")
    assert replies[0] == "抱歉，处理时出现了意外错误，已通知管理员。请稍后再试。"
    assert "disk on fire" in replies[1]


def test_a_recurring_error_is_reported_once_per_quiet_period() -> None:
    error = OSError(28, "No space left on device")
    assert should_report(error, now=1000.0)
    assert not should_report(OSError(28, "No space left on device"), now=1060.0)
    assert should_report(RuntimeError("other"), now=1061.0)
    assert should_report(error, now=1000.0 + 15 * 60 + 1)


async def test_a_press_handled_too_late_to_answer_is_not_reported(bot: BotHarness) -> None:
    await bot.say(ADMIN["id"], ADMIN, "你好")  # lets the admin receive messages
    # What answering a press fails with when Telegram re-sent it after a restart.
    expired = BadRequest("Query is too old and response timeout expired or query id is invalid")
    before = len(bot.fake.requests)
    await bot.application.process_error(None, expired)
    assert bot.fake.requests[before:] == []
    await bot.application.process_error(None, BadRequest("Message text is empty"))
    assert "机器人出错" in bot.fake.sent_texts(ADMIN["id"])[-1]  # other refusals still are


async def test_only_an_admin_may_resend_a_push(bot: BotHarness) -> None:
    await bot.say(MEMBER["id"], MEMBER, "/start")
    greeting = bot.fake.calls("sendMessage")[-1]
    forged = bot.fake.press_button(
        MEMBER["id"],
        greeting.result["message_id"],
        MEMBER,
        "resend:2026110123456789abcdef01",
        strict=False,
    )
    before = len(bot.fake.requests)
    assert await bot.feed(forged) == []
    (answer,) = bot.fake.requests[before:]
    assert answer.params["text"] == "只有机器人管理员可以补发推送。"


@pytest.mark.parametrize("data", ["nonsense:42", "bind-undo-v0:x", "studyx", "rep"])
async def test_a_button_the_bot_does_not_know_is_answered(bot: BotHarness, data: str) -> None:
    await bot.say(MEMBER["id"], MEMBER, "/start")
    greeting = bot.fake.calls("sendMessage")[-1]
    stale = bot.fake.press_button(
        MEMBER["id"], greeting.result["message_id"], MEMBER, data, strict=False
    )
    before = len(bot.fake.requests)
    assert await bot.feed(stale) == []
    (answer,) = bot.fake.requests[before:]
    assert answer.method == "answerCallbackQuery" and answer.ok
    assert answer.params["text"] == "这个按钮已失效。发送 /help 查看可用的命令。"


HOSTILE_GROUP = -100333
HOSTILE_TITLE = "<b>群</b> & *粗体* _斜体_ [链接](http://evil.example)"


def undo_button(call_markup: dict[str, object] | None) -> str:
    rows = (call_markup or {}).get("inline_keyboard", [])
    assert isinstance(rows, list)
    (button,) = [b for row in rows for b in row]
    assert button["text"] == "撤销绑定"
    return str(button["callback_data"])


def last_sent_to(bot: BotHarness, chat_id: int) -> Call:
    """The bot's last message to a chat (a bind also posts the roll call in the group)."""
    return [c for c in bot.fake.calls("sendMessage") if c.params["chat_id"] == chat_id][-1]


async def test_admins_hear_of_a_first_bind_and_undo_it_with_one_press(bot: BotHarness) -> None:
    bot.fake.add_chat(HOSTILE_GROUP, title=HOSTILE_TITLE)
    bot.fake.set_member_status(HOSTILE_GROUP, OWNER["id"], "creator")
    await bot.say(ADMIN["id"], ADMIN, "你好")  # lets the admin receive messages
    replies = await bot.say(HOSTILE_GROUP, OWNER, "/bind office")
    assert replies[0].startswith("✅ 本群已绑定到“办公室党支部”")
    notice = last_sent_to(bot, ADMIN["id"])
    # Plain text, no parse mode: a title or name is shown as typed, never as markup.
    assert "parse_mode" not in notice.params
    assert notice.params["text"] == (
        f"ℹ️ 书记（ID 2）把群“{HOSTILE_TITLE}”（ID {HOSTILE_GROUP}）绑定到了“办公室党支部”"
        "（office）。如果这不是你们安排的，请点下面的按钮撤销。"
    )
    data = undo_button(notice.params.get("reply_markup"))
    assert data.startswith("undo-bind:office:") and len(data.encode()) <= 64
    message_id = notice.result["message_id"]

    before = len(bot.fake.requests)
    await bot.feed(bot.fake.press_button(ADMIN["id"], message_id, OWNER, data))
    (refused,) = bot.fake.requests[before:]
    assert refused.params["text"] == "只有机器人管理员可以撤销绑定。"  # and no title in it
    assert bot.services.organization.branch_for_chat(HOSTILE_GROUP) is not None

    for expected in (
        f"✅ 已撤销：群“{HOSTILE_TITLE}”不再绑定“办公室党支部”。支部名单和记录都会保留。",
        "这个绑定已经不在了（已撤销、已解除，或已改绑到别的群），未做任何改动。",
    ):  # the second press, or the first delivered again, changes nothing
        before = len(bot.fake.requests)
        await bot.feed(bot.fake.press_button(ADMIN["id"], message_id, ADMIN, data))
        (answer,) = bot.fake.requests[before:]
        assert (answer.method, answer.params["text"]) == ("answerCallbackQuery", expected)
        assert bot.services.store.bindings() == []


async def test_an_old_undo_button_leaves_a_newer_binding_alone(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(ADMIN["id"], ADMIN, "你好")
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    first = last_sent_to(bot, ADMIN["id"])
    data = undo_button(first.params.get("reply_markup"))
    await bot.say(OFFICE_GROUP, OWNER, "/unbind")
    assert bot.fake.sent_texts(ADMIN["id"])[-1] == (
        f"ℹ️ 书记（ID 2）在群“办公室党支部群”（ID {OFFICE_GROUP}）"
        "解除了与“办公室党支部”（office）的绑定。"
    )
    clock.advance(minutes=1)
    await bot.say(POLICY_GROUP, ADMIN, "/bind office")  # the branch, now in another group
    before = len(bot.fake.requests)
    await bot.feed(bot.fake.press_button(ADMIN["id"], first.result["message_id"], ADMIN, data))
    (answer,) = bot.fake.requests[before:]
    assert answer.params["text"].startswith("这个绑定已经不在了")
    binding = bot.services.store.binding_for_branch("office")
    assert binding is not None and binding.chat_id == POLICY_GROUP


async def test_an_old_undo_button_leaves_the_same_group_bound_again_alone(
    bot: BotHarness, clock: FakeClock
) -> None:
    await bot.say(ADMIN["id"], ADMIN, "你好")
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    first = last_sent_to(bot, ADMIN["id"])
    data = undo_button(first.params.get("reply_markup"))
    await bot.say(OFFICE_GROUP, OWNER, "/unbind")
    clock.advance(minutes=1)
    await bot.say(OFFICE_GROUP, ADMIN, "/bind office")  # the same group, bound again
    before = len(bot.fake.requests)
    await bot.feed(bot.fake.press_button(ADMIN["id"], first.result["message_id"], ADMIN, data))
    (answer,) = bot.fake.requests[before:]
    assert answer.params["text"].startswith("这个绑定已经不在了")
    assert bot.services.organization.branch_for_chat(OFFICE_GROUP) is not None


async def test_an_undo_button_follows_its_group_to_a_supergroup(bot: BotHarness) -> None:
    await bot.say(ADMIN["id"], ADMIN, "你好")
    await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    first = last_sent_to(bot, ADMIN["id"])
    data = undo_button(first.params.get("reply_markup"))
    bot.services.organization.chat_migrated(OFFICE_GROUP, -1009999)
    before = len(bot.fake.requests)
    await bot.feed(bot.fake.press_button(ADMIN["id"], first.result["message_id"], ADMIN, data))
    (answer,) = bot.fake.requests[before:]
    assert answer.params["text"].startswith("✅ 已撤销")
    assert bot.services.store.bindings() == []


async def test_a_refused_bind_names_no_other_group(bot: BotHarness) -> None:
    await bot.say(POLICY_GROUP, ADMIN, "/bind office")
    bot.fake.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
    replies = await bot.say(OFFICE_GROUP, OWNER, "/bind office")
    assert replies == [
        "“办公室党支部”已绑定到另一个群。请先在那个群里发送 /unbind，"
        "或请机器人管理员在本群发送 /bind office 强制改绑。"
    ]
    assert "政策法规处群" not in replies[0]


async def test_a_name_glued_to_join_or_a_chinese_slash_still_works(bot: BotHarness) -> None:
    assert await bot.say(MEMBER["id"], MEMBER, "/join王建国") == ["已登记您的姓名：王建国。"]
    assert await bot.say(MEMBER["id"], MEMBER, "、join 王建军") == ["已登记您的姓名：王建军。"]
    (reply,) = await bot.say(MEMBER["id"], MEMBER, "／help")
    assert reply.startswith(messages.HELP_HEADER)


async def test_a_mistyped_command_gets_the_closest_one(bot: BotHarness) -> None:
    assert await bot.say(MEMBER["id"], MEMBER, "/jion 张伟") == [
        "没有 /jion 这个命令。您是想发送 /join 张伟 吗？"
    ]
    assert await bot.say(MEMBER["id"], MEMBER, "/weather") == [
        "没有 /weather 这个命令。发送 /help 查看您可以使用的命令。"
    ]
    assert await bot.say(OFFICE_GROUP, MEMBER, "/jion 张伟") == []  # perhaps for another bot
    assert await bot.say(OFFICE_GROUP, MEMBER, "/qiuz@party_study_bot") == [
        "没有 /qiuz 这个命令。您是想发送 /quiz 吗？"
    ]


async def test_text_in_private_is_never_met_with_silence_and_the_group_is_left_alone(
    bot: BotHarness,
) -> None:
    question = bot.fake.send_text(MEMBER["id"], MEMBER, "怎么答题？")
    assert await bot.feed(question) == [messages.NOT_UNDERSTOOD]
    assert await bot.feed(bot.fake.edit_text(question, "怎么开始答题？")) == []  # edits: once
    assert await bot.say(OFFICE_GROUP, MEMBER, "大家好") == []
    assert await bot.say(OFFICE_GROUP, MEMBER, "、me too") == []


async def test_the_private_menu_buttons_do_what_they_say(bot: BotHarness) -> None:
    await bot.say(MEMBER["id"], MEMBER, "/start")
    keyboard = bot.fake.calls("sendMessage")[-1].params["reply_markup"]
    assert labels(keyboard) == [["开始答题", "错题复习"], ["我的积分", "登记姓名"]]
    assert keyboard["is_persistent"] and keyboard["resize_keyboard"]
    assert await bot.say(MEMBER["id"], MEMBER, "开始答题") == [messages.QUIZ_NO_BANKS]  # /quiz
    assert await bot.say(MEMBER["id"], MEMBER, "我的积分") == [messages.ME_NO_BRANCH]  # /me
    assert await bot.say(MEMBER["id"], MEMBER, "登记姓名") == [messages.JOIN_ASK]  # /join
    asked = bot.fake.calls("sendMessage")[-1].params["reply_markup"]
    assert asked == {"force_reply": True, "input_field_placeholder": "您的真实姓名"}
    assert await bot.say(OFFICE_GROUP, MEMBER, "开始答题") == []  # a word, in a group
    await bot.say(ADMIN["id"], ADMIN, "/help")
    keyboard = bot.fake.calls("sendMessage")[-1].params["reply_markup"]
    assert labels(keyboard)[-1] == ["支部情况"]  # secretaries and admins see their branch


async def test_the_name_asked_for_is_taken_from_the_reply(bot: BotHarness) -> None:
    await bot.say(MEMBER["id"], MEMBER, "登记姓名")
    asked = bot.fake.calls("sendMessage")[-1].result["message_id"]
    name = bot.fake.send_text(MEMBER["id"], MEMBER, "王建国", reply_to=asked)
    assert await bot.feed(name) == [messages.JOIN_DONE.format(name="王建国")]
    assert await bot.feed(name) == [messages.JOIN_DONE.format(name="王建国")]  # redelivered
    person = bot.services.store.person(MEMBER["id"])
    assert person is not None and person.real_name == "王建国"
    bad = bot.fake.send_text(MEMBER["id"], MEMBER, "王建国123!", reply_to=asked)
    assert await bot.feed(bad) == [messages.JOIN_BAD_NAME]
    assert bot.services.store.person(MEMBER["id"]) == person  # a bad name changes nothing
    # Text that answers no question of the bot's is not a name.
    assert await bot.say(MEMBER["id"], MEMBER, "李四") == [messages.NOT_UNDERSTOOD]
    await bot.say(MEMBER["id"], MEMBER, "/help")
    help_message = bot.fake.calls("sendMessage")[-1].result["message_id"]
    other = bot.fake.send_text(MEMBER["id"], MEMBER, "李四", reply_to=help_message)
    assert await bot.feed(other) == [messages.NOT_UNDERSTOOD]
    assert bot.services.store.person(MEMBER["id"]) == person
    assert await bot.say(OFFICE_GROUP, MEMBER, "/join") == [messages.JOIN_USAGE]  # groups: usage


def labels(keyboard: dict[str, list[list[dict[str, str]]]]) -> list[list[str]]:
    return [[button["text"] for button in row] for row in keyboard["keyboard"]]
