"""End to end: a 主题党日 recorded in the group with the real bot.py, killed in the middle of
签到: after the restart the draft, the answers and the photo are all there, and the record
and the export's 组织生活 sheet say who came, who was excused and who was absent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.test_crash import ADMIN, CONFIG, GROUP, OWNER, make_bot, say
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

MEMBERS = [user(31, "李四"), user(32, "王五"), user(33, "赵六")]
TOPIC = "重温入党誓词"


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_branch_group(GROUP, "办公室党支部群", OWNER["id"], [m["id"] for m in MEMBERS])
        yield server


def buttons(call: Call) -> dict[str, str]:
    rows = call.params["reply_markup"]["inline_keyboard"]
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def press(fake: FakeBotApi, message: Call, who: dict[str, Any], label: str) -> Call:
    since = len(fake.requests)
    data = buttons(message)[label]
    fake.press_button(GROUP, message.result["message_id"], who, data, strict=False)
    return fake.wait_for("answerCallbackQuery", timeout=15, since=since)


def group_message(fake: FakeBotApi, start: str, since: int) -> Call:
    return fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == GROUP and c.params["text"].startswith(start),
        timeout=15,
        since=since,
    )


def close_sign_in(fake: FakeBotApi, sign_in: Call) -> str:
    """The secretary presses 结束签到; the record the 签到 message became."""
    since = len(fake.requests)
    press(fake, sign_in, OWNER, "结束签到")
    record = fake.wait_for(
        "editMessageText",
        lambda c: c.params.get("message_id") == sign_in.result["message_id"],
        timeout=15,
        since=since,
    )
    return str(record.params["text"])


def test_a_theme_day_survives_a_kill_and_reaches_the_ledger(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = make_bot(fake, tmp_path, CONFIG)
    bot.start()
    try:
        say(fake, ADMIN["id"], ADMIN, "/start", "")
        say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        say(fake, GROUP, OWNER, "/join 陈书记", "已登记")
        for member in MEMBERS:
            say(fake, GROUP, member, f"/join {member['first_name']}", "已登记")

        menu = say(fake, GROUP, OWNER, "/meeting", "登记会议")
        since = len(fake.requests)
        press(fake, menu, OWNER, "主题党日")
        days = fake.wait_for("editMessageText", timeout=15, since=since)
        since = len(fake.requests)
        fake.press_button(GROUP, menu.result["message_id"], OWNER, buttons(days)["今天（11-02）"])
        question = group_message(fake, "请回复本条消息", since)

        bot.kill()  # the draft and its question are stored: the reply still finds them
        bot.start()
        since = len(fake.requests)
        fake.send_text(GROUP, OWNER, TOPIC, reply_to=question.result["message_id"])
        sign_in = group_message(fake, "📝 办公室党支部主题党日签到", since)
        assert f"主题：{TOPIC}" in sign_in.params["text"]

        assert press(fake, sign_in, MEMBERS[0], "签到").params["text"] == "✅ 已签到。"
        assert press(fake, sign_in, MEMBERS[1], "请假·事假").params["text"] == (
            "✅ 已登记请假（事假）。"
        )
        since = len(fake.requests)
        fake.send_photo(GROUP, MEMBERS[0], b"photo", reply_to=sign_in.result["message_id"])
        group_message(fake, "📎 已附到主题党日", since)

        bot.kill()
        bot.start()
        assert close_sign_in(fake, sign_in) == (
            f"📋 办公室党支部主题党日记录\n日期：2026-11-02\n主题：{TOPIC}\n主持人：陈书记\n"
            "应到 3 人，实到 1 人：李四\n请假 1 人：王五（事假）\n缺席 2 人：陈书记、赵六\n"
            "附件 1 个"
        )

        since = len(fake.requests)
        fake.send_text(GROUP, OWNER, "/export")
        exported = fake.wait_for("sendDocument", timeout=20, since=since)
        sheet = load_workbook(io.BytesIO(exported.params["document"]["content"]))["组织生活"]
        assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
            ("2026-11-02", "主题党日", TOPIC, "陈书记", 3, "1 人：李四", "1 人：王五（事假）",
             "2 人：陈书记、赵六", 1),
        ]  # fmt: skip
    finally:
        assert bot.stop() == 0, bot.log()
