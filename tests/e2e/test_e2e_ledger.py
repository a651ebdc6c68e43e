"""End to end, with the real bot.py and its clock moved through a quarter: the secretary
records a 支部委员会会议 and a 主题党日 in October (sign-ins, one 请假, a photo reply),
the quarter's last 10 days bring one 季度提示 naming the missing 党课, the next quarter's
first workday one 督查 to the admins, and /export 2026Q4 is a 台账 with both meetings, the
right names and counts, and what the quarter missed."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.e2e.test_crash import ADMIN, CONFIG, GROUP, OWNER, make_bot, say, set_clock
from tests.e2e.test_e2e_meetings import buttons, close_sign_in, group_message, press
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

LI, WANG, ZHAO = user(31, "李四"), user(32, "王五"), user(33, "赵六")
QUARTER_DUE = "2026年第四季度还剩 10 天，以下会议还没有登记：支部党员大会、党课"
QUARTER_MISSED = "办公室党支部（office）2026年第四季度没有登记：支部党员大会、党课"
SECRETARY_MISSED = "办公室党支部2026年第四季度以下组织生活未开展或未登记：支部党员大会、党课"
ROUNDS_SETTLE_S = 1.0  # 20 scheduler rounds at BOT_TICK_SECONDS=0.05


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        members = [m["id"] for m in (LI, WANG, ZHAO)]
        server.add_branch_group(GROUP, "办公室党支部群", OWNER["id"], members)
        yield server


def record_meeting(
    fake: FakeBotApi, kind: str, day: str, topic: str, answers: list[tuple[dict[str, Any], str]]
) -> Call:
    """/meeting, kind, today, the topic, each member's press; returns the 签到 message."""
    menu = say(fake, GROUP, OWNER, "/meeting", "登记会议")
    since = len(fake.requests)
    press(fake, menu, OWNER, kind)
    days = fake.wait_for("editMessageText", timeout=15, since=since)
    since = len(fake.requests)
    fake.press_button(GROUP, menu.result["message_id"], OWNER, buttons(days)[f"今天（{day}）"])
    question = group_message(fake, "请回复本条消息", since)
    since = len(fake.requests)
    fake.send_text(GROUP, OWNER, topic, reply_to=question.result["message_id"])
    sign_in = group_message(fake, f"📝 办公室党支部{kind}签到", since)
    for who, label in answers:
        press(fake, sign_in, who, label)
    return sign_in


def sent_containing(fake: FakeBotApi, text: str) -> list[Call]:
    """Messages delivered with `text` (the secretary never opened a private chat: their
    private copy fails, and the group post mentioning them carries it)."""
    return [
        c for c in fake.calls("sendMessage") if text in c.params["text"] and c.error_code is None
    ]


@pytest.mark.slow
def test_a_quarter_of_meetings_becomes_the_quarter_ledger(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = make_bot(fake, tmp_path, CONFIG)
    set_clock(tmp_path / "now", "2026-09-30 10:00")  # bound before the quarter begins
    bot.start()
    try:
        say(fake, ADMIN["id"], ADMIN, "/start", "")
        say(fake, GROUP, OWNER, "/bind office", "✅ 本群已绑定")
        say(fake, GROUP, OWNER, "/join 陈书记", "已登记")
        for member in (LI, WANG, ZHAO):
            say(fake, GROUP, member, f"/join {member['first_name']}", "已登记")

        set_clock(tmp_path / "now", "2026-10-15 15:00")
        committee = record_meeting(
            fake, "支部委员会会议", "10-15", "研究第四季度党建工作",
            [(OWNER, "签到"), (LI, "签到"), (WANG, "签到"), (ZHAO, "请假·病假")],
        )  # fmt: skip
        since = len(fake.requests)
        fake.send_photo(GROUP, LI, b"photo", reply_to=committee.result["message_id"])
        group_message(fake, "📎 已附到支部委员会会议", since)
        assert "应到 3 人，实到 3 人" in close_sign_in(fake, committee)

        set_clock(tmp_path / "now", "2026-10-28 15:00")
        theme_day = record_meeting(
            fake, "主题党日", "10-28", "重温入党誓词", [(LI, "签到"), (OWNER, "签到")]
        )
        assert "缺席 2 人：王五、赵六" in close_sign_in(fake, theme_day)

        set_clock(tmp_path / "now", "2026-12-22 09:30")  # the quarter's last 10 days
        due = fake.wait_for(
            "sendMessage",
            lambda c: QUARTER_DUE in c.params["text"] and c.error_code is None,
            timeout=15,
        )
        assert due.params["chat_id"] == GROUP
        set_clock(tmp_path / "now", "2026-12-23 09:30")
        time.sleep(ROUNDS_SETTLE_S)
        assert len(sent_containing(fake, QUARTER_DUE)) == 1

        set_clock(tmp_path / "now", "2027-01-04 09:30")  # the next quarter's first workday
        missed = fake.wait_for(
            "sendMessage", lambda c: QUARTER_MISSED in c.params["text"], timeout=15
        )
        assert missed.params["chat_id"] == ADMIN["id"]
        set_clock(tmp_path / "now", "2027-01-05 09:30")
        time.sleep(ROUNDS_SETTLE_S)
        assert len(sent_containing(fake, QUARTER_MISSED)) == 1
        assert len(sent_containing(fake, SECRETARY_MISSED)) == 1

        since = len(fake.requests)
        fake.send_text(GROUP, OWNER, "/export 2026Q4")
        exported = fake.wait_for("sendDocument", timeout=30, since=since)
    finally:
        assert bot.stop() == 0, bot.log()

    document = exported.params["document"]
    assert document["filename"] == "办公室党支部-2026Q4.xlsx"
    workbook = load_workbook(io.BytesIO(document["content"]))
    meetings = list(workbook["组织生活"].iter_rows(min_row=2, values_only=True))
    assert meetings == [
        ("2026-10-15", "支部委员会会议", "研究第四季度党建工作", "陈书记", 3,
         "3 人：陈书记、李四、王五", "1 人：赵六（病假）", "0 人：无", 1),
        ("2026-10-28", "主题党日", "重温入党誓词", "陈书记", 4, "2 人：李四、陈书记",
         "0 人：无", "2 人：王五、赵六", 0),
    ]  # fmt: skip
    cover = [row for row in workbook["台账"].iter_rows(values_only=True) if any(row)]
    assert cover[0][0] == "办公室党支部2026年第四季度党建工作台账"
    kinds = {row[1]: row for row in cover if row[1] in ("支部委员会会议", "主题党日", "党课")}
    assert kinds["支部委员会会议"][2:6] == ("每月1次", 1, "1/3", "10-15")
    assert kinds["支部委员会会议"][8] == "缺：11月、12月"
    assert kinds["主题党日"][8] == "缺：11月、12月"
    assert kinds["党课"][2:6] == ("每季度至少1次", 0, "0/1", "—")
    assert kinds["党课"][8] == "缺：第四季度"
    assert cover[-2][0].startswith("制表人：陈书记")
    setup = workbook["台账"].page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth) == (9, "portrait", 1)  # A4
