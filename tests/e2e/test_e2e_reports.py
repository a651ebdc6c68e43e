"""End to end: a month of activity in two branches, then /report, 提醒未完成, /export and
/reload in the real bot.py against the fake Bot API.

The month is written straight into a data directory before the bot starts; the expected
numbers are worked out here from what was written, never by the report code.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from core.clock import file_clock
from core.config.banks import load_banks
from core.store.database import Store
from core.store.quiz_sessions import AnswerRecord
from core.store.records import Binding, Membership, Person, StudyTask
from tests.botprocess import BotProcess, run_cli
from tests.conftest import SHANGHAI
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user

FIXTURES = Path(__file__).parents[1] / "fixtures"
BANKS = load_banks(FIXTURES / "quizzes")
CONFIG = """\
timezone: Asia/Shanghai
points: {study_on_time: 2, correct_answer: 1, daily_cap: 10}
branches:
  - {id: office, name: 办公室党支部}
  - {id: policy, name: 政策法规处党支部}
"""
STUDY_POINTS, ANSWER_POINTS, DAILY_CAP = 2, 1, 10
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
OFFICE_GROUP, POLICY_GROUP = -100111, -100222
ADMIN = user(1, "管理员")
OWNER = user(2, "书记")  # creator of the office group
POLICY_SECRETARY = user(20, "赵书记")  # creator of the policy group
# user id: (name, branch, opened a private chat with the bot)
PEOPLE = {
    2: ("书记", "office", False),
    31: ("甲", "office", True),
    32: ("乙", "office", False),
    33: ("丙", "office", True),
    34: ("丁", "office", False),
    35: ("戊", "office", True),
    36: ("己", "office", False),
    41: ("庚", "policy", False),
    42: ("辛", "policy", True),
}


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def task(task_id: str, branch: str, assigned: datetime, done: dict[int, datetime]) -> StudyTask:
    chat = OFFICE_GROUP if branch == "office" else POLICY_GROUP
    return StudyTask(
        task_id, f"push:{task_id}", branch, chat, f"学习任务{task_id}", "", None,
        assigned, assigned + timedelta(days=7), None, done=done,
    )  # fmt: skip


TASKS = [
    # Pushed in October, finished on time on 11-01: a point and participation in November,
    # but not one of November's tasks.
    task("2610-0000aaaa", "office", at(10, 28, 9), {34: at(11, 1, 8)}),
    task(
        "2611-0001aaaa",
        "office",
        at(11, 2, 9),
        {31: at(11, 2, 10), 32: at(11, 10, 8), 33: at(11, 5, 20)},
    ),
    task("2611-0002aaaa", "office", at(11, 9, 9), {31: at(11, 9, 12)}),
    task("2611-0003bbbb", "policy", at(11, 3, 9), {41: at(11, 3, 10)}),
]


def answer(user_id: int, question: str, correct: bool, when: datetime) -> AnswerRecord:
    branch = PEOPLE[user_id][1]
    return AnswerRecord(user_id, branch, "basics", question, ("A",), correct, "private", when)


ANSWERS = [
    answer(31, "s1", True, at(11, 3, 10)),
    answer(31, "s2", False, at(11, 3, 10, 1)),
    answer(31, "j1", True, at(11, 12, 9)),
    # Eleven right answers in one day: the daily cap keeps 乙 at 10 points for 11-06.
    *(answer(32, "s1", True, at(11, 6, 9, minute)) for minute in range(11)),
    answer(36, "m1", True, at(11, 15, 20)),
    answer(36, "m2", False, at(11, 15, 20, 1)),
    answer(42, "s1", False, at(11, 4, 9)),
]


def write_month(data_dir: Path) -> None:
    """Bindings, rosters, study tasks and quiz answers, as the bot would have stored them."""
    store = Store(data_dir, SHANGHAI)
    since = at(10, 1, 9)
    store.bind(Binding("office", OFFICE_GROUP, "办公室党支部群", since))
    store.bind(Binding("policy", POLICY_GROUP, "政策法规处党支部群", since))
    for user_id, (name, branch, private) in PEOPLE.items():
        membership = Membership(branch, True, since)
        store.save_person(Person(user_id, name, None, name, private, (membership,)))
    for study in TASKS:
        store.add_study_task(study)
    store.record_events(a.to_event() for a in ANSWERS)
    store.close()


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        server.add_chat(OFFICE_GROUP, title="办公室党支部群")
        server.add_chat(POLICY_GROUP, title="政策法规处党支部群")
        server.set_member_status(OFFICE_GROUP, OWNER["id"], "creator")
        server.set_member_status(POLICY_GROUP, POLICY_SECRETARY["id"], "creator")
        for user_id, (_, branch, _) in PEOPLE.items():  # the groups hold everyone written
            group = OFFICE_GROUP if branch == "office" else POLICY_GROUP
            if user_id != OWNER["id"]:
                server.set_member_status(group, user_id, "member")
        for group in (OFFICE_GROUP, POLICY_GROUP):
            server.set_member_status(group, server.bot_id, "administrator")
        yield server


def write_config(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    config.mkdir()
    (config / "schedules.yaml").write_text(CONFIG)
    shutil.copytree(FIXTURES / "quizzes", config / "quizzes")
    return config


def start_bot(fake: FakeBotApi, tmp_path: Path) -> tuple[BotProcess, Path]:
    config = write_config(tmp_path)
    clock = tmp_path / "now"
    clock.write_text(NOW.isoformat())
    bot = BotProcess(
        fake,
        tmp_path / "data",
        tmp_path / "bot.log",
        BOT_ADMINS=str(ADMIN["id"]),
        CONFIG_DIR=str(config),
        BOT_FAKE_CLOCK_FILE=str(clock),
    )
    return bot, config


def sent_to(chat_id: int, prefix: str = "") -> Any:
    def matches(call: Call) -> bool:
        text = call.params.get("text") or call.params.get("caption") or ""
        return call.params["chat_id"] == chat_id and str(text).startswith(prefix)

    return matches


def ask(fake: FakeBotApi, chat_id: int, sender: dict[str, Any], text: str, method: str) -> Call:
    """Send `text`; wait for the bot's `method` call to that chat."""
    since = len(fake.requests)
    fake.send_text(chat_id, sender, text)
    return fake.wait_for(method, sent_to(chat_id), timeout=20, since=since)


def press(fake: FakeBotApi, chat_id: int, message: Call, who: dict[str, Any], label: str) -> Call:
    """Press a button of a message the bot sent; return the answer to the press."""
    rows = message.params["reply_markup"]["inline_keyboard"]
    data = next(b["callback_data"] for row in rows for b in row if b["text"] == label)
    since = len(fake.requests)
    fake.press_button(chat_id, message.result["message_id"], who, data)
    return fake.wait_for("answerCallbackQuery", timeout=20, since=since)


def messages_since(fake: FakeBotApi, since: int) -> list[Call]:
    return [c for c in fake.requests[since:] if c.method == "sendMessage" and c.ok]


# --- what the report must say, worked out from the data above --------------------------------


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


def expected_members(branch: str) -> list[dict[str, Any]]:
    """Per member, in roster order (by name): what the month holds for them."""
    month_tasks = [t for t in TASKS if t.branch_id == branch and t.assigned_at.month == 11]
    rows = []
    for user_id, (name, member_branch, _) in PEOPLE.items():
        if member_branch != branch:
            continue
        mine = [a for a in ANSWERS if a.user_id == user_id]
        done = [t for t in month_tasks if user_id in t.done]
        days: dict[Any, int] = {}
        for study in TASKS:
            finished = study.done.get(user_id)
            if finished is not None and finished <= study.due_at and finished.month == 11:
                days[finished.date()] = days.get(finished.date(), 0) + STUDY_POINTS
        for a in mine:
            if a.correct:
                days[a.at.date()] = days.get(a.at.date(), 0) + ANSWER_POINTS
        finished_any = any(user_id in t.done and t.done[user_id].month == 11 for t in TASKS)
        rows.append(
            {
                "id": user_id,
                "name": name,
                "assigned": len(month_tasks),
                "done": len(done),
                "on_time": sum(1 for t in done if t.done[user_id] <= t.due_at),
                "answered": len(mine),
                "correct": sum(1 for a in mine if a.correct),
                "points": sum(min(p, DAILY_CAP) for p in days.values()),
                "took_part": bool(done or mine or finished_any),
            }
        )
    return sorted(rows, key=lambda r: (r["name"].encode("gbk"), r["id"]))  # pinyin order


def quiz_text(answered: int, correct: int) -> str:
    return f"答题 {answered} 题 正确率 {percent(correct, answered)}" if answered else "答题 0 题"


def expected_report(branch_name: str, rows: list[dict[str, Any]]) -> str:
    taking_part = [r for r in rows if r["took_part"]]
    answered = sum(r["answered"] for r in rows)
    totals = (
        f"参与 {len(taking_part)}/{len(rows)} 人（{percent(len(taking_part), len(rows))}）"
        f"· 学习 {sum(r['done'] for r in rows)}/{sum(r['assigned'] for r in rows)} "
        f"· {quiz_text(answered, sum(r['correct'] for r in rows))} "
        f"· 积分 {sum(r['points'] for r in rows)}"
    )
    totals += (  # no meeting recorded yet
        "\n本月组织生活：⬜支部委员会会议 0 次 · ⬜党小组会 0 次 · ⬜主题党日 0 次"
        "\n本季度组织生活：⬜支部党员大会 0 次 · ⬜党课 0 次"
    )
    group = f"群成员 {len(rows) + (branch_name == '政策法规处党支部')} 人，已报到 {len(rows)} 人"
    totals += f"\n{group}（未报到的请点群里的“报到”）"
    lines = [
        f"{r['name']} 学习 {r['done']}/{r['assigned']} · {quiz_text(r['answered'], r['correct'])}"
        f" · 积分 {r['points']}"
        for r in rows
    ]
    missing = "、".join(r["name"] for r in rows if not r["took_part"])
    footer = f"尚未参与：{missing}" if missing else "全员已参与。"
    return "\n".join([f"{branch_name} 2026年11月 参与情况", totals, "", *lines, "", footer])


def question_text(question_id: str) -> str:
    """What the 答题记录 sheet says the question was: its text in the test bank."""
    question = BANKS.question(("basics", question_id))
    assert question is not None
    return question.text


def assert_workbook_holds_the_month(xlsx: bytes, rows: list[dict[str, Any]]) -> None:
    """The 成员 and 答题记录 sheets hold exactly what was written for the office branch."""
    workbook = load_workbook(io.BytesIO(xlsx), read_only=True)
    members = list(workbook["成员"].iter_rows(min_row=2, values_only=True))
    assert members == [
        (
            r["name"], r["id"], "是", r["assigned"], r["done"], r["on_time"], r["answered"],
            r["correct"], round(r["correct"] / r["answered"], 4) if r["answered"] else None,
            r["points"], "是" if r["took_part"] else "否",
        )
        for r in rows
    ]  # fmt: skip
    answers = list(workbook["答题记录"].iter_rows(min_row=2, values_only=True))
    office = [a for a in ANSWERS if a.branch_id == "office"]
    assert sorted(answers) == sorted(
        (
            f"{a.at:%Y-%m-%d %H:%M}", PEOPLE[a.user_id][0], a.user_id, "basics",
            a.question_id, question_text(a.question_id), "A", "正确" if a.correct else "错误",
            "私聊答题",
        )
        for a in office
    )  # fmt: skip


def test_report_nudge_and_export_match_the_month(fake: FakeBotApi, tmp_path: Path) -> None:
    write_month(tmp_path / "data")
    rows = expected_members("office")
    not_yet = {r["id"] for r in rows if not r["took_part"]}
    assert not_yet == {2, 35}  # the data above is what the test thinks it is
    bot, _ = start_bot(fake, tmp_path)
    bot.start()
    try:
        for user_id in (31, 35):  # a participant and a non-participant who opened the chat
            ask(fake, user_id, user(user_id, PEOPLE[user_id][0]), "/start", "sendMessage")

        report = ask(fake, OFFICE_GROUP, OWNER, "/report", "sendPhoto")
        assert report.params["caption"] == expected_report("办公室党支部", rows)
        png = report.params["photo"]["content"]
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.size == (800, 450)

        since = len(fake.requests)
        answer = press(fake, OFFICE_GROUP, report, OWNER, "提醒未完成")
        assert answer.params["text"] == "已提醒 2 位尚未参与的同志：群里点名 2 人，私聊送达 1 人。"
        group = fake.wait_for("sendMessage", sent_to(OFFICE_GROUP, "⏰"), 20, since)
        assert group.params["parse_mode"] == "HTML"
        mentioned = re.findall(r"tg://user\?id=(\d+)", group.params["text"])
        assert {int(i) for i in mentioned} == not_yet
        nudged = [
            c.params["chat_id"]
            for c in messages_since(fake, since)
            if c.params["chat_id"] > 0 and c.params["text"].startswith("⏰")
        ]
        assert nudged == [35]  # 书记 never opened a private chat; 甲 took part

        bot.kill()  # the hour is remembered across a restart
        bot.start()
        since = len(fake.requests)
        again = press(fake, OFFICE_GROUP, report, OWNER, "提醒未完成")
        assert again.params["text"] == (
            "本支部 10:00 已经提醒过，每小时最多提醒一次，请在 11:00 以后再试。"
        )
        assert [c for c in messages_since(fake, since) if "⏰" in c.params["text"]] == []

        document = ask(fake, OFFICE_GROUP, OWNER, "/export", "sendDocument").params["document"]
        assert document["filename"] == "办公室党支部-2026-11.xlsx"
        assert_workbook_holds_the_month(document["content"], rows)

        refused = ask(fake, OFFICE_GROUP, user(35, "戊"), "/report", "sendMessage")
        assert refused.params["text"].startswith("抱歉，/report 仅限支部书记或群管理员使用。")
        other = ask(fake, 20, POLICY_SECRETARY, "/report office", "sendMessage")
        assert other.params["text"] == "您不是“办公室党支部”的书记，不能查看该支部的情况。"
        policy = ask(fake, 20, POLICY_SECRETARY, "/report", "sendPhoto")
        assert policy.params["caption"] == expected_report(
            "政策法规处党支部", expected_members("policy")
        )
        assert len(fake.calls("sendPhoto")) == 2
    finally:
        assert bot.stop() == 0, bot.log()


def test_reload_and_a_bank_sent_as_a_file_go_live_without_restart(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    bot, config = start_bot(fake, tmp_path)
    member = user(31, "甲")
    bot.start()
    try:
        shutil.copy(FIXTURES / "bad_banks" / "bad_type.yaml", config / "quizzes")
        reply = ask(fake, ADMIN["id"], ADMIN, "/reload", "sendMessage").params["text"]
        assert reply.startswith("✅ 配置已重新加载并立即生效：2 个支部，0 个推送计划，2 个题库")
        assert "quizzes/bad_type.yaml 第 1 题（dq-001，第 6 行）type：未知的题型 'choice'" in reply
        question = ask(fake, 31, member, "/quiz basics 1", "sendMessage").params["text"]
        assert question.startswith("第 1/1 题")

        (config / "schedules.yaml").write_text(CONFIG.replace("branches:", "branchs:"))
        reply = ask(fake, ADMIN["id"], ADMIN, "/reload", "sendMessage").params["text"]
        assert reply.startswith("⛔ schedules.yaml 有错，未重新加载，机器人继续使用原来的配置。")
        assert "schedules.yaml:3: 字段名 branchs 应为 branches" in reply
        (config / "schedules.yaml").write_text(CONFIG)

        since = len(fake.requests)
        content = (FIXTURES / "uploads" / "extra.yaml").read_bytes()
        fake.send_document(ADMIN["id"], ADMIN, "extra.yaml", content)
        installed = fake.wait_for("sendMessage", sent_to(ADMIN["id"]), 20, since)
        assert installed.params["text"].startswith(
            "✅ 题库 extra（新增题库，2 道题）已保存为 quizzes/extra.yaml。\n"
            "✅ 配置已重新加载并立即生效：2 个支部，0 个推送计划，3 个题库"
        )
        assert (config / "quizzes" / "extra.yaml").read_bytes() == content
        other = user(32, "乙")  # 甲 has an unfinished quiz: /quiz would offer 继续 first
        question = ask(fake, 32, other, "/quiz extra 1", "sendMessage").params["text"]
        assert question.startswith("第 1/1 题")
        assert any(q in question for q in ("党员应当按期交纳党费。", "党的最高领导机关是："))
    finally:
        assert bot.stop() == 0, bot.log()


def test_export_from_the_command_line_while_the_bot_holds_the_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_month(data_dir)
    config = write_config(tmp_path)
    now = tmp_path / "now"
    now.write_text("2026-12-02T10:00:00+08:00")
    running = Store(data_dir, SHANGHAI, clock=file_clock(now, SHANGHAI))  # holds the lock
    try:
        before = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
        out = tmp_path / "out.xlsx"
        env = {
            "DATA_DIR": str(data_dir),
            "CONFIG_DIR": str(config),
            "BOT_FAKE_CLOCK_FILE": str(now),
        }
        args = ("export", "--branch", "office", "--month", "2026-11")
        result = run_cli(*args, "--out", str(out), **env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"已写入 {out}：办公室党支部 2026-11，7 名党员")
        assert_workbook_holds_the_month(out.read_bytes(), expected_members("office"))
        assert sorted(p.relative_to(data_dir) for p in data_dir.rglob("*")) == before

        quarter = tmp_path / "quarter.xlsx"
        quarterly = ("export", "--branch", "office", "--period", "2026Q4", "--maker", "陈书记")
        result = run_cli(*quarterly, "--out", str(quarter), **env)
        assert result.stdout.startswith(f"已写入 {quarter}：办公室党支部 2026Q4，7 名党员")
        cover = list(load_workbook(quarter, read_only=True)["台账"].values)
        assert cover[0][0] == "办公室党支部2026年第四季度党建工作台账"
        signed = "制表人：陈书记　　　　　　　　日期：2026年12月2日"
        assert any(row and row[0] == signed for row in cover)

        unknown = run_cli("export", "--branch", "nosuch", "--month", "2026-11", **env)
        assert unknown.returncode == 1
        assert "没有 ID 为“nosuch”的支部。可用的支部 ID：office、policy" in unknown.stderr
        bad_month = run_cli("export", "--branch", "office", "--month", "2026-13", **env)
        assert bad_month.returncode == 2 and "2026-13" in bad_month.stderr
        # A DATA_DIR that holds no store: refused with the path, not an empty ledger.
        wrong = tmp_path / "typo"
        wrong.mkdir()
        missed = run_cli(
            *args, "--out", str(tmp_path / "empty.xlsx"), **{**env, "DATA_DIR": str(wrong)}
        )
        assert missed.returncode == 3
        assert f"无法读取数据 {wrong}：不是机器人的数据目录" in missed.stderr
        assert not (tmp_path / "empty.xlsx").exists()
    finally:
        running.close()
