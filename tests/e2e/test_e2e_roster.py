"""End to end: a branch's roster as its secretary keeps it, in the real bot.py.

A group of nine: the secretary and eight members, two of whom never say a word. After
/bind and the roll call, five press 报到; the secretary sends a 名单 of ten (one of them
not in the group); one member is put on 病假. The report, the nudge, the study reminder
and the export must all agree on who is missing: the silent and the 名单-only member as
未报到 and not taken part, the member on leave in none of the counts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.e2e.test_crash import ADMIN, CONFIG, GROUP, OWNER, make_bot, say, set_clock
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

ROSTER_CONFIG = (
    CONFIG
    + """\
schedules:
  - id: study-november
    when: {once: "2026-11-02 09:30"}
    to: all
    study: {title: 学习党章, body: 请学习党章总纲。, due_days: 3, remind_before_days: 1}
"""
)
SECRETARY_NAME = "陈书记"
# Members in the group: (Telegram user, name on the 名单).
REPORTING = [  # press 报到
    (user(11, "lisi"), "李四"),
    (user(12, "wangwu"), "王五"),
    (user(13, "zhangsan"), "张三"),  # goes on 病假
    (user(14, "zhaoliu"), "赵六"),
    (user(15, "sunqi"), "孙七"),  # picks the name from buttons in private
]
SPEAKER = (user(16, "zhouba"), "周八")  # speaks, never presses 报到
SILENT = [(user(17, "wujiu"), "吴九"), (user(18, "zhengshi"), "郑十")]
NOT_IN_GROUP = "钱十一"
ON_LEAVE = "张三"
LIST_ROWS = [
    (SECRETARY_NAME, "正式党员", "2001-07-01", "2002-07-01", "书记"),
    *((name, "正式党员", "2010-06-01", "2011-06-01", "") for _, name in REPORTING),
    (SPEAKER[1], "预备党员", "2026-03-01", None, ""),
    *((name, "正式党员", None, None, "") for _, name in SILENT),
    (NOT_IN_GROUP, "入党积极分子", None, None, "外出学习"),
]


def gbk_order(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: n.encode("gbk"))  # the reports' pinyin order


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        members = [member["id"] for member, _ in [*REPORTING, SPEAKER, *SILENT]]
        server.add_branch_group(GROUP, "办公室党支部群", OWNER["id"], members)
        yield server


def member_list_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "类别", "入党日期", "转正日期", "备注"])
    for row in LIST_ROWS:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def press(fake: FakeBotApi, message: Call, who: dict[str, Any], label: str) -> Call:
    """Press a button of a bot message; return the answer to the press."""
    rows = message.params["reply_markup"]["inline_keyboard"]
    data = next(b["callback_data"] for row in rows for b in row if b["text"] == label)
    since = len(fake.requests)
    fake.press_button(message.params["chat_id"], message.result["message_id"], who, data)
    return fake.wait_for("answerCallbackQuery", timeout=15, since=since)


def wait_text(fake: FakeBotApi, chat_id: int, start: str, since: int = 0) -> Call:
    return fake.wait_for(
        "sendMessage",
        lambda c: c.params["chat_id"] == chat_id and c.params["text"].startswith(start),
        timeout=15,
        since=since,
    )


def mentioned(call: Call) -> set[int]:
    return {int(i) for i in re.findall(r"tg://user\?id=(\d+)", call.params["text"])}


@pytest.mark.slow
def test_roll_call_list_and_leave_give_one_true_account(fake: FakeBotApi, tmp_path: Path) -> None:
    bot = make_bot(fake, tmp_path, ROSTER_CONFIG)
    bot.start()
    try:
        say(fake, ADMIN["id"], ADMIN, "/start", "")
        say(fake, OWNER["id"], OWNER, "/start", "")

        # /bind: the reply links the secretary to the private chat; the roll call follows.
        bound = say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        link = bound.params["reply_markup"]["inline_keyboard"][0][0]["url"]
        assert link == "https://t.me/party_study_bot?start=join-office"
        assert "管理员" not in bound.params["text"]  # the bot is one: no warning
        roll_call = wait_text(fake, GROUP, "📋 办公室党支部报到")
        assert roll_call.params["text"].endswith("已报到 0 / 群成员 9 人")

        for member, _ in REPORTING:
            answer = press(fake, roll_call, member, "报到")
            assert answer.params["text"].startswith("✅ 已报到")
        fake.wait_for(
            "editMessageText",
            lambda c: c.params.get("message_id") == roll_call.result["message_id"]
            and c.params["text"].endswith("已报到 5 / 群成员 9 人"),
            timeout=15,
        )
        say(fake, GROUP, OWNER, f"/join {SECRETARY_NAME}", "已登记")
        for member, name in [*REPORTING[:4], SPEAKER]:  # 孙七 picks the name later
            say(fake, GROUP, member, f"/join {name}", "已登记")

        # The 名单: the seven who told their name are matched to it at once.
        since = len(fake.requests)
        fake.send_document(OWNER["id"], OWNER, "名单.xlsx", member_list_xlsx())
        replaced = wait_text(fake, OWNER["id"], "✅ 已更新办公室党支部名单", since)
        assert replaced.params["text"] == (
            "✅ 已更新办公室党支部名单：共 10 人（正式党员 8，预备党员 1，入党积极分子 1）。\n"
            "已报到 6 人，未报到 4 人。发送 /roster 查看详情。"
        )

        # 孙七 opens the link of the roll call and picks the name from the 名单.
        sunqi = REPORTING[4][0]
        since = len(fake.requests)
        fake.send_text(sunqi["id"], sunqi, "/start join-office")
        choices = wait_text(fake, sunqi["id"], "请在下面选择您的姓名", since)
        labels = [row[0]["text"] for row in choices.params["reply_markup"]["inline_keyboard"]]
        assert sorted(labels) == sorted(["孙七", "吴九", "郑十", NOT_IN_GROUP])
        picked = press(fake, choices, sunqi, "孙七")
        assert picked.params["text"] == "✅ 已将您登记为办公室党支部名单中的“孙七”。"

        roster = say(fake, GROUP, OWNER, "/roster", "办公室党支部名单")
        unreported = "、".join(gbk_order([name for _, name in SILENT] + [NOT_IN_GROUP]))
        assert roster.params["text"] == (
            "办公室党支部名单\n名单 10 人 · 已报到 7 人\n"
            f"未报到：{unreported}\n群内未在名单：无\n"
            "群成员 9 人，机器人已知 7 人（其余请点群里的“报到”）"
        )

        left = say(fake, GROUP, OWNER, f"/leave {ON_LEAVE} 2026-11 病假", "✅ 已登记")
        assert left.params["text"] == (
            f"✅ 已登记：{ON_LEAVE} 2026-11-01 至 2026-11-30 请假（病假）。"
            "期间不计入参与率，也不会收到提醒。"
        )

        # The study task counts the ten but the one on leave; two finish it.
        set_clock(tmp_path / "now", "2026-11-02 09:31")
        task = fake.wait_for("sendMessage", lambda c: "学完了" in str(c.params), timeout=15)
        assert task.params["text"].endswith("已完成 0/9")
        for member, _ in REPORTING[:2]:
            assert press(fake, task, member, "✅ 学完了").params["text"].startswith("已记录")

        # The reminder: everyone reachable who has not finished, not the one on leave.
        since = len(fake.requests)
        set_clock(tmp_path / "now", "2026-11-04 09:31")
        reminder = wait_text(fake, GROUP, "⏰", since)
        pending = {OWNER["id"], REPORTING[3][0]["id"], sunqi["id"], SPEAKER[0]["id"]}
        assert mentioned(reminder) == pending

        # /report: the silent two and the 名单-only member have not taken part; 张三 is out.
        report = ask_report(fake)
        text = report.params["caption"]
        assert "参与 2/9 人（22%）" in text
        assert "群成员 9 人，已报到 7 人" in text
        not_yet = gbk_order(
            [SECRETARY_NAME, "赵六", "孙七", "周八", *(name for _, name in SILENT), NOT_IN_GROUP]
        )
        never_reported = ("吴九", "郑十", NOT_IN_GROUP)
        marked = [n + ("（未报到）" if n in never_reported else "") for n in not_yet]
        assert f"尚未参与：{'、'.join(marked)}" in text
        assert f"请假（不计入参与率）：{ON_LEAVE}（病假）" in text

        since = len(fake.requests)
        nudged = press(fake, report, OWNER, "提醒未完成")
        assert nudged.params["text"] == (
            "已提醒 4 位尚未参与的同志：群里点名 4 人，私聊送达 2 人。\n"
            "另有 3 人尚未报到，机器人无法联系，请当面通知他们在群里点“报到”。"
        )
        assert mentioned(wait_text(fake, GROUP, "⏰", since)) == pending

        # The export's 名单 sheet says the same.
        since = len(fake.requests)
        fake.send_text(GROUP, OWNER, "/export")
        exported = fake.wait_for("sendDocument", timeout=20, since=since)
        sheet = load_workbook(io.BytesIO(exported.params["document"]["content"]))["名单"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        by_name = {row[0]: row for row in rows}
        assert [row[0] for row in rows] == gbk_order([row[0] for row in LIST_ROWS])
        for name, category, joined, _, note in LIST_ROWS:
            reported = name not in ("吴九", "郑十", NOT_IN_GROUP)
            row = by_name[name]
            assert row[1:3] == (category, "是" if reported else "否")
            assert (row[5], row[7]) == (joined, note or None)
        assert by_name[ON_LEAVE][4] == "病假（2026-11-01至2026-11-30）"
        assert by_name[ON_LEAVE][8] == "请假"
        took_part = {name for name, row in by_name.items() if row[8] == "是"}
        assert took_part == {"李四", "王五"}
    finally:
        assert bot.stop() == 0, bot.log()


def ask_report(fake: FakeBotApi) -> Call:
    since = len(fake.requests)
    fake.send_text(GROUP, OWNER, "/report 本月")
    return fake.wait_for("sendPhoto", timeout=20, since=since)


def test_a_plain_member_bot_warns_and_a_summary_finds_the_secretary_in_the_group(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    fake.set_member_status(GROUP, fake.bot_id, "member")  # added, but not as administrator
    bot = make_bot(fake, tmp_path, ROSTER_CONFIG)
    bot.start()
    try:
        say(fake, ADMIN["id"], ADMIN, "/start", "")
        bound = say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        assert "⚠️ 机器人还不是本群管理员" in bound.params["text"]
        assert "群设置 → 管理员" in bound.params["text"]
        report = ask_report(fake)
        assert "⚠️ 机器人还不是本群管理员" in report.params["caption"]

        set_clock(tmp_path / "now", "2026-11-02 09:31")
        task = fake.wait_for("sendMessage", lambda c: "学完了" in str(c.params), timeout=15)
        set_clock(tmp_path / "now", "2026-11-05 09:31")  # due: the summary for the secretary
        summary = fake.wait_for(
            "sendMessage",
            lambda c: c.params["chat_id"] == GROUP and "已截止" in c.params["text"],
            timeout=15,
        )
        # The secretary never opened a private chat: in the group, mentioning them, as a
        # reply to the task, not to the bot's admins.
        assert mentioned(summary) == {OWNER["id"]}
        assert summary.params["reply_parameters"]["message_id"] == task.result["message_id"]
        assert not any("已截止" in text for text in fake.sent_texts(ADMIN["id"]))
    finally:
        assert bot.stop() == 0, bot.log()
