"""Tests for the fake Bot API server, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    ChatFullInfo,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.fakeapi import FakeBotApi, parse_params

TOKEN = "123456:TEST-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
GROUP = -1001234567890
ALICE: dict[str, Any] = {"id": 111, "first_name": "Alice", "is_bot": False, "username": "alice"}
BOB: dict[str, Any] = {"id": 222, "first_name": "Bob", "is_bot": False}
# PTB itself reads RetryAfter.retry_after while building the exception message.
pytestmark = pytest.mark.filterwarnings(
    "ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning"
)

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("开始学习", callback_data="study:1")]])


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours *_PROXY variables; the fake server must be reached directly."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(GROUP, "supergroup", "第一党支部")
        yield server


def make_bot(fake: FakeBotApi, read_timeout: float = 5.0, connections: int = 1) -> Bot:
    return Bot(
        TOKEN,
        base_url=f"{fake.url}/bot",
        base_file_url=f"{fake.url}/file/bot",
        request=HTTPXRequest(read_timeout=read_timeout, connection_pool_size=connections),
    )


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with make_bot(fake) as client:
        yield client


# --------------------------------------------------------------------------- basics


async def test_get_me(bot: Bot, fake: FakeBotApi) -> None:
    me = await bot.get_me()
    assert me.id == fake.bot_id
    assert me.username == "party_study_bot"
    assert me.is_bot and me.can_join_groups
    assert fake.calls("getMe")[0].ok


async def test_send_message_parses_with_inline_keyboard(bot: Bot, fake: FakeBotApi) -> None:
    fake.send_text(ALICE["id"], ALICE, "/start")
    message = await bot.send_message(ALICE["id"], "欢迎 123", reply_markup=KEYBOARD)
    assert message.message_id == 2  # the user's /start was message 1 in this chat
    assert message.chat.type == "private"
    assert message.from_user is not None and message.from_user.id == fake.bot_id
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "study:1"
    params = fake.calls("sendMessage")[0].params
    assert params["chat_id"] == ALICE["id"]
    assert params["text"] == "欢迎 123"
    assert params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "study:1"
    assert fake.sent_texts(ALICE["id"]) == ["欢迎 123"]


def test_parse_params_keeps_strings_and_decodes_json() -> None:
    body = b"chat_id=-100&text=123&disable_notification=true&allowed_updates=%5B%22message%22%5D"
    params = parse_params("application/x-www-form-urlencoded", body, "")
    assert params == {
        "chat_id": -100,
        "text": "123",
        "disable_notification": True,
        "allowed_updates": ["message"],
    }
    assert parse_params("application/json", b'{"chat_id": "5", "text": "5"}', "") == {
        "chat_id": 5,
        "text": "5",
    }


async def test_private_chat_needs_start_and_blocking(bot: Bot, fake: FakeBotApi) -> None:
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(BOB["id"], "hi")
    fake.send_text(BOB["id"], BOB, "你好")
    await bot.send_message(BOB["id"], "hi")
    fake.block_bot(BOB["id"])
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(BOB["id"], "hi")


async def test_unknown_chat_and_unknown_method(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(-100999, "hi")
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")


async def test_commands_are_stored_and_validated(bot: Bot, fake: FakeBotApi) -> None:
    await bot.set_my_commands([BotCommand("quiz", "每日答题")], language_code="zh")
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["quiz"]
    assert fake.my_commands(language_code="zh") == [{"command": "quiz", "description": "每日答题"}]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Quiz", "uppercase is rejected")])


# --------------------------------------------------------------------------- updates


async def test_long_poll_wakes_on_pushed_update(bot: Bot, fake: FakeBotApi) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5, allowed_updates=Update.ALL_TYPES))
    await asyncio.to_thread(fake.wait_until_polling)
    fake.send_text(GROUP, ALICE, "/quiz@party_study_bot 今天")
    updates = await poll
    assert time.monotonic() - started < 3
    message = updates[0].message
    assert message is not None and message.text == "/quiz@party_study_bot 今天"
    assert message.entities == (MessageEntity("bot_command", 0, len("/quiz@party_study_bot")),)
    assert message.chat.type == "supergroup" and message.chat.title == "第一党支部"
    assert fake.allowed_updates == list(Update.ALL_TYPES)


async def test_all_update_kinds_parse_and_offset_confirms(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "今日学习", reply_markup=KEYBOARD)
    poll_message = await bot.send_poll(GROUP, "问题?", ["甲", "乙"], is_anonymous=False)
    assert poll_message.poll is not None
    fake.press_button(GROUP, sent.message_id, ALICE, "study:1")
    fake.answer_poll(poll_message.poll.id, ALICE, [1])
    fake.chat_member_update(GROUP, BOB, "left", "member")
    fake.bot_status_change(-100777, ALICE, "left", "administrator")
    fake.member_joins(GROUP, BOB)
    fake.member_leaves(GROUP, BOB)
    fake.migrate_chat(-4001, -1004001, ALICE)

    updates = await bot.get_updates(timeout=0, allowed_updates=Update.ALL_TYPES)
    assert len(updates) == 8
    query = updates[0].callback_query
    assert query is not None and query.data == "study:1"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("收到")
    answer = updates[1].poll_answer
    assert answer is not None and answer.option_ids == (1,)
    assert answer.user is not None and answer.user.username == "alice"
    assert updates[2].chat_member is not None
    assert isinstance(updates[2].chat_member.new_chat_member, ChatMemberMember)
    my_member = updates[3].my_chat_member
    assert my_member is not None and my_member.new_chat_member.user.id == fake.bot_id
    assert isinstance(my_member.new_chat_member, ChatMemberAdministrator)
    assert updates[4].message is not None and updates[4].message.new_chat_members[0].id == 222
    assert updates[5].message is not None and updates[5].message.left_chat_member is not None
    assert updates[6].message is not None and updates[6].message.migrate_to_chat_id == -1004001
    assert updates[7].message is not None and updates[7].message.migrate_from_chat_id == -4001

    assert await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == ()
    assert fake.pending_updates() == []


async def test_chat_member_updates_need_opt_in(bot: Bot, fake: FakeBotApi) -> None:
    fake.chat_member_update(GROUP, BOB, "left", "member")
    fake.send_text(GROUP, BOB, "大家好")
    updates = await bot.get_updates(timeout=0)  # Telegram's default leaves chat_member out
    assert [u.message.text for u in updates if u.message] == ["大家好"]
    assert len(updates) == 1


async def test_second_poller_terminates_the_first(bot: Bot, fake: FakeBotApi) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.to_thread(fake.wait_until_polling)
    async with make_bot(fake) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


# --------------------------------------------------------------------------- chats & members


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        ("creator", ChatMemberOwner),
        ("administrator", ChatMemberAdministrator),
        ("member", ChatMemberMember),
        ("restricted", ChatMemberRestricted),
        ("left", ChatMemberLeft),
        ("kicked", ChatMemberBanned),
    ],
)
async def test_get_chat_member_statuses(
    bot: Bot, fake: FakeBotApi, status: str, cls: type[ChatMember]
) -> None:
    fake.set_member_status(GROUP, ALICE["id"], status)
    member = await bot.get_chat_member(GROUP, ALICE["id"])
    assert type(member) is cls
    assert member.user.id == ALICE["id"]


async def test_chat_info_admins_and_count(bot: Bot, fake: FakeBotApi) -> None:
    fake.set_member_status(GROUP, ALICE["id"], "creator")
    fake.set_member_status(GROUP, BOB["id"], "member")
    chat = await bot.get_chat(GROUP)
    assert isinstance(chat, ChatFullInfo) and chat.title == "第一党支部"
    admins = await bot.get_chat_administrators(GROUP)
    assert [type(a) for a in admins] == [ChatMemberOwner]
    assert await bot.get_chat_member_count(GROUP) == 3  # Alice, Bob and the bot
    assert isinstance(await bot.get_chat_member(GROUP, 999), ChatMemberLeft)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat_member(-100555, ALICE["id"])


async def test_bot_removed_from_group_is_forbidden(bot: Bot, fake: FakeBotApi) -> None:
    fake.bot_status_change(GROUP, ALICE, "member", "kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hi")


async def test_migration_makes_old_id_fail(bot: Bot, fake: FakeBotApi) -> None:
    fake.add_chat(-4002, "group", "旧群")
    fake.migrate_chat(-4002, -1004002, ALICE)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(-4002, "hi")
    assert info.value.new_chat_id == -1004002
    assert (await bot.send_message(-1004002, "hi")).chat.id == -1004002


# --------------------------------------------------------------------------- messages & media


async def test_edit_and_not_modified(bot: Bot, fake: FakeBotApi) -> None:
    sent = await bot.send_message(GROUP, "第1题", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("第1题 ✅", GROUP, sent.message_id)
    assert not isinstance(edited, bool) and edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("第1题 ✅", GROUP, sent.message_id)
    await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=KEYBOARD)
    assert fake.sent_texts(GROUP) == ["第1题", "第1题 ✅"]
    assert await bot.delete_message(GROUP, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(GROUP, sent.message_id)


async def test_send_and_stop_quiz_poll(bot: Bot, fake: FakeBotApi) -> None:
    message = await bot.send_poll(
        GROUP,
        "党的最高理想是?",
        ["共产主义", "小康社会", "现代化"],
        type="quiz",
        correct_option_ids=[0],
        explanation="见党章总纲",
        is_anonymous=False,
        open_period=60,
    )
    poll = message.poll
    assert poll is not None and poll.type == "quiz" and not poll.is_anonymous
    assert isinstance(poll.id, str) and poll.options[0].text == "共产主义"
    assert poll.correct_option_ids == (0,) and poll.explanation == "见党章总纲"
    fake.answer_poll(poll.id, ALICE, [0])
    stopped = await bot.stop_poll(GROUP, message.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    assert stopped.options[0].voter_count == 1
    with pytest.raises(BadRequest, match=r"(?i)already been closed"):
        await bot.stop_poll(GROUP, message.message_id)


async def test_a_quiz_poll_with_several_correct_options(bot: Bot, fake: FakeBotApi) -> None:
    message = await bot.send_poll(
        GROUP,
        "下列属于党的纪律处分的有",
        ["警告", "罚款", "留党察看"],
        type="quiz",
        allows_multiple_answers=True,
        correct_option_ids=[0, 2],
        shuffle_options=True,
        is_anonymous=False,
        open_period=2_628_000,
    )
    poll = message.poll
    assert poll is not None and poll.correct_option_ids == (0, 2)
    assert [o.text for o in poll.options] == ["警告", "罚款", "留党察看"]  # as sent
    assert fake.calls("sendPoll")[0].params["shuffle_options"] is True
    fake.answer_poll(poll.id, ALICE, [0, 2])
    stopped = await bot.stop_poll(GROUP, message.message_id)
    assert [o.voter_count for o in stopped.options] == [1, 0, 1]


@pytest.mark.parametrize(
    "wrong",
    [
        {"correct_option_ids": [0, 2]},  # several right answers, but one may be chosen
        {"correct_option_ids": [2, 0], "allows_multiple_answers": True},  # not increasing
        {"correct_option_ids": [0], "open_period": 2_628_001},  # longer than 30 days
        {"correct_option_ids": [0], "open_period": 4},
    ],
)
async def test_a_quiz_poll_telegram_refuses(
    bot: Bot, fake: FakeBotApi, wrong: dict[str, Any]
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)wrong (correct option id|open period)"):
        await bot.send_poll(GROUP, "题", ["甲", "乙", "丙"], type="quiz", **wrong)
    assert fake.calls("sendPoll")[0].error_code == 400


async def test_anonymous_poll_gets_no_answers(bot: Bot, fake: FakeBotApi) -> None:
    message = await bot.send_poll(GROUP, "匿名?", ["是", "否"])
    assert message.poll is not None
    with pytest.raises(ValueError, match="anonymous"):
        fake.answer_poll(message.poll.id, ALICE, [0])


async def test_send_document_and_photo_multipart(bot: Bot, fake: FakeBotApi) -> None:
    data = b"%PDF-1.4 study notes\r\n--not-a-boundary\r\n"
    message = await bot.send_document(GROUP, data, filename='学习"笔记".pdf', caption="本周材料")
    assert message.document is not None and message.document.file_name == '学习"笔记".pdf'
    assert message.caption == "本周材料"
    params = fake.calls("sendDocument")[0].params
    assert params["chat_id"] == GROUP and params["caption"] == "本周材料"
    assert params["document"]["content"] == data
    assert params["document"]["filename"] == '学习"笔记".pdf'
    assert params["document"]["mime_type"] == "application/pdf"
    photo = await bot.send_photo(GROUP, b"\x89PNG fake", filename="a.png")
    assert photo.photo[-1].width == 320
    assert fake.calls("sendPhoto")[0].params["photo"]["content"] == b"\x89PNG fake"


async def test_a_document_sent_by_a_user_can_be_downloaded(bot: Bot, fake: FakeBotApi) -> None:
    content = "id: extra\ntitle: 新题库\n".encode()
    sent = fake.send_document(ALICE["id"], ALICE, "extra.yaml", content)
    message = Update.de_json(sent, bot).effective_message
    document = message.document if message else None
    assert document is not None and document.file_name == "extra.yaml"
    assert document.file_size == len(content)
    file = await document.get_file()
    assert bytes(await file.download_as_bytearray()) == content
    with pytest.raises(BadRequest, match="nvalid file_id"):
        await bot.get_file("no-such-file")


# --------------------------------------------------------------------------- faults


async def test_fail_next_maps_to_ptb_errors(bot: Bot, fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    with pytest.raises(RetryAfter) as retry:
        await bot.send_message(GROUP, "a")
    assert "5" in str(retry.value)
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "b")
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=GROUP)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(GROUP, "c")
    fake.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-1005,
    )
    with pytest.raises(ChatMigrated):
        await bot.send_message(GROUP, "d")
    await bot.send_message(GROUP, "e")
    assert [c.error_code for c in fake.calls("sendMessage")] == [429, 403, 400, 400, None]


async def test_fail_next_with_chat_filter_and_times(bot: Bot, fake: FakeBotApi) -> None:
    fake.add_chat(-1002, "supergroup", "二支部")
    fake.fail_next("sendMessage", 403, "Forbidden: bot was kicked", times=2, chat_id=-1002)
    await bot.send_message(GROUP, "unaffected")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(-1002, "x")
    await bot.send_message(-1002, "works again")


async def test_drop_and_delay(fake: FakeBotApi) -> None:
    async with make_bot(fake, read_timeout=0.2) as client:
        fake.drop_next("sendMessage")
        with pytest.raises(NetworkError):
            await client.send_message(GROUP, "dropped")
        fake.delay_next("sendMessage", 1.0)
        with pytest.raises(TimedOut):
            await client.send_message(GROUP, "late")
        # The late message was processed although the client timed out, like on Telegram.
        assert fake.sent_texts(GROUP) == ["late"]
        assert (await client.send_message(GROUP, "fine")).text == "fine"


async def test_rate_limits(fake: FakeBotApi) -> None:
    fake.enforce_rate_limits(clock=lambda: 1000.0)
    for user_id in range(1, 41):
        fake.send_text(user_id, {"id": user_id, "first_name": "U", "is_bot": False}, "/start")
    async with make_bot(fake, connections=40) as bot:  # one connection: a loaded CI times out
        results = await asyncio.gather(
            *(bot.send_message(user_id, "hi") for user_id in range(1, 41)),
            return_exceptions=True,
        )
    limited = [r for r in results if isinstance(r, RetryAfter)]
    assert len(limited) == 10
    assert sum(not isinstance(r, Exception) for r in results) == 40 - len(limited)
    assert next(c for c in fake.calls("sendMessage") if c.error_code == 429).description == (
        "Too Many Requests: retry after 1"
    )


async def test_group_rate_limit_per_minute(bot: Bot, fake: FakeBotApi) -> None:
    fake.enforce_rate_limits(per_second=100, per_group_per_minute=20)
    for i in range(20):
        await bot.send_message(GROUP, f"msg {i}")
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "one too many")
    error = fake.calls("sendMessage")[-1]
    assert error.error_code == 429 and error.description is not None
    assert 55 <= int(error.description.rsplit(" ", 1)[1]) <= 60


async def test_wait_for_times_out_with_listing(bot: Bot, fake: FakeBotApi) -> None:
    await bot.send_message(GROUP, "已发送")
    with pytest.raises(BadRequest):
        await bot.send_message(-100404, "无此群")
    with pytest.raises(AssertionError) as info:
        await fake.wait_for_async("editMessageText", timeout=0.1)
    report = str(info.value)
    assert "waiting for a successful editMessageText call" in report
    assert "sendMessage({'chat_id': -1001234567890, 'text': '已发送'}) -> ok" in report
    assert "error 400: Bad Request: chat not found" in report
    assert "getMe" in report


async def test_wait_for_sees_earlier_and_later_calls(bot: Bot, fake: FakeBotApi) -> None:
    await bot.send_message(GROUP, "first")
    first = fake.wait_for("sendMessage", timeout=1)
    assert first.params["text"] == "first"
    later = asyncio.create_task(
        fake.wait_for_async("sendMessage", lambda c: c.params["text"] == "second", since=1)
    )
    await bot.send_message(GROUP, "second")
    assert (await later).result["text"] == "second"


# --------------------------------------------------------------------------- end to end


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("欢迎学习", reply_markup=KEYBOARD)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(f"已选择 {query.data}")


async def test_application_end_to_end(fake: FakeBotApi) -> None:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1, allowed_updates=Update.ALL_TYPES)
        fake.send_text(ALICE["id"], ALICE, "/start")
        reply = await fake.wait_for_async("sendMessage")
        fake.press_button(ALICE["id"], reply.result["message_id"], ALICE, "study:1")
        await fake.wait_for_async("editMessageText")
        await fake.wait_for_async("answerCallbackQuery")
        await app.updater.stop()
        await app.stop()
    assert fake.sent_texts(ALICE["id"]) == ["欢迎学习", "已选择 study:1"]
