"""End to end: the real bot.py process against the fake Bot API, killed and restarted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.store.database import Store
from tests.botprocess import BotProcess, run_cli
from tests.conftest import SHANGHAI
from tests.fakeapi import Call, FakeBotApi
from tests.harness import TOKEN, user

ADMIN = user(1, "管理员")
OWNER = user(2, "书记")
MEMBER = user(3, "小王")
NEWCOMER = user(4, "小李")
OFFICE_GROUP = -100111


class Conversation:
    """Say something to the running bot and get its reply."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake

    def ask(self, chat_id: int, sender: dict[str, Any], text: str) -> str:
        """Send `text` and return the bot's reply to it.

        In groups the reply quotes the message it answers, which tells it apart from a
        late reply to an update Telegram redelivered after a crash.
        """
        since = len(self.fake.requests)
        sent = self.fake.send_text(chat_id, sender, text)["message"]["message_id"]

        def answers_it(call: Call) -> bool:
            quoted = (call.params.get("reply_parameters") or {}).get("message_id")
            return call.params["chat_id"] == chat_id and (chat_id > 0 or quoted == sent)

        reply = self.fake.wait_for("sendMessage", answers_it, timeout=15, since=since)
        return str(reply.params["text"])


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
        yield server


def test_bind_roster_roles_survive_sigkill(fake: FakeBotApi, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bot = BotProcess(fake, data_dir, tmp_path / "bot.log", BOT_ADMINS="1")
    chat = Conversation(fake)
    bot.start()
    try:
        menus = {c.params.get("scope", {}).get("type") for c in fake.calls("setMyCommands")}
        assert {"all_private_chats", "all_group_chats", "all_chat_administrators"} <= menus
        assert "chat_member" in (fake.allowed_updates or [])

        assert "仅限支部书记或群管理员使用" in chat.ask(OFFICE_GROUP, MEMBER, "/bind office")
        assert "只能在支部群里使用" in chat.ask(OWNER["id"], OWNER, "/bind office")
        assert "没有 ID 为“nosuch”的支部" in chat.ask(OFFICE_GROUP, OWNER, "/bind nosuch")
        assert chat.ask(OFFICE_GROUP, OWNER, "/bind office").startswith("✅ 本群已绑定")
        fake.chat_member_update(OFFICE_GROUP, NEWCOMER, "left", "member")
        assert "李明" in chat.ask(OFFICE_GROUP, MEMBER, "/join 李明")
        roster = chat.ask(OFFICE_GROUP, OWNER, "/roster")
        assert roster.startswith("办公室党支部名单（共 3 人）")

        bot.kill()
        bot.start()

        assert chat.ask(OFFICE_GROUP, OWNER, "/roster") == roster
        assert "无需重复绑定" in chat.ask(OFFICE_GROUP, OWNER, "/bind office")
        assert "仅限支部书记或群管理员使用" in chat.ask(OFFICE_GROUP, NEWCOMER, "/unbind")
    finally:
        assert bot.stop() == 0, bot.log()

    store = Store(data_dir, SHANGHAI)
    binding = store.binding_for_branch("office")
    assert binding is not None and binding.chat_id == OFFICE_GROUP
    names = {p.user_id: p.report_name for p in store.people()}
    assert names == {2: "书记", 3: "李明", 4: "小李"}
    store.close()


def test_no_token_exits_2_with_a_clear_message() -> None:
    result = run_cli(BOT_TOKEN="")
    assert result.returncode == 2
    assert "@BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_passes_on_the_shipped_files() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_corrupt_data_refuses_to_start_and_keeps_the_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "state.json").write_text('{"people": {')
    result = run_cli(BOT_TOKEN=TOKEN, DATA_DIR=str(data_dir), BOT_API_URL="http://127.0.0.1:9")
    assert result.returncode == 3
    assert "state.json" in result.stderr and "机器人未启动" in result.stderr
    assert (data_dir / "state.json").read_text() == '{"people": {'


def test_what_a_phone_keyboard_types_gets_a_useful_reply(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = BotProcess(fake, tmp_path / "data", tmp_path / "bot.log", BOT_ADMINS="1")
    chat = Conversation(fake)
    bot.start()
    try:
        assert chat.ask(OFFICE_GROUP, OWNER, "/bind office").startswith("✅ 本群已绑定")
        assert chat.ask(MEMBER["id"], MEMBER, "/join王建国") == "已登记您的姓名：王建国。"
        assert chat.ask(MEMBER["id"], MEMBER, "、quiz") == "请选择这组答题的题数："
        assert chat.ask(MEMBER["id"], MEMBER, "/jion 王建国") == (
            "没有 /jion 这个命令。您是想发送 /join 王建国 吗？"
        )
        assert chat.ask(MEMBER["id"], MEMBER, "今天学什么").startswith("没看懂这条消息")
        since = len(fake.requests)
        fake.send_text(OFFICE_GROUP, MEMBER, "收到，谢谢书记")
        fake.send_text(OFFICE_GROUP, MEMBER, "/jion")
        assert chat.ask(OWNER["id"], OWNER, "/help").startswith("您可以使用")  # handled in order
        to_group = [c for c in fake.requests[since:] if c.params.get("chat_id") == OFFICE_GROUP]
        assert to_group == []
    finally:
        assert bot.stop() == 0, bot.log()
