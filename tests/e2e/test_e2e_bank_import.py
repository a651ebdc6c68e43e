"""End to end: a real 9,370-question bank, kept by its sharers as a spreadsheet, imported
through the command line and through the chat into the real bot.py, then quizzed from."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from core.config.banks import load_banks
from tests.botprocess import BotProcess, run_cli
from tests.fakeapi import Call, FakeBotApi
from tests.harness import user
from tests.realdata import XXQG, xxqg_rows, xxqg_xlsx

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not XXQG.exists(), reason="../shared/realdata is not on this machine"),
]

CONFIG = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""
ADMIN, MEMBER = user(1, "管理员"), user(3, "小王")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENTRIES = 9370
REPEATED = 2  # two entries differ from earlier ones only in how their blank is spaced


def words(stem: str, options: Sequence[str]) -> tuple[str, ...]:
    """A question as the import leaves it recognisable: blanks are rewritten as （　）, and
    runs of spaces (full-width too) made one."""
    return (re.sub(r"[\s（）()_＿]", "", stem), *(" ".join(o.split()) for o in options))


@pytest.fixture(scope="module")
def sheet() -> bytes:
    return xxqg_xlsx()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    (folder / "quizzes").mkdir(parents=True)
    (folder / "schedules.yaml").write_text(CONFIG, encoding="utf-8")
    return folder


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


def question_to(number: int) -> Callable[[Call], bool]:
    def matches(call: Call) -> bool:
        text = str(call.params["text"])
        return call.params["chat_id"] == MEMBER["id"] and text.startswith(f"第 {number}/3 题")

    return matches


def bank_reply(call: Call) -> bool:
    """The answer to the sheet (the bot may tell admins of other things first)."""
    return call.params["chat_id"] == ADMIN["id"] and "xxqg" in str(call.params["text"])


def test_the_command_line_imports_the_real_bank(
    sheet: bytes, config: Path, tmp_path: Path
) -> None:
    path = tmp_path / "学习强国题库.xlsx"
    path.write_bytes(sheet)
    started = time.perf_counter()
    done = run_cli("import-bank", str(path), "--id", "xxqg", "--title", "学习强国挑战答题",
                   CONFIG_DIR=str(config))  # fmt: skip
    print(f"import-bank of {ENTRIES:,} rows: {time.perf_counter() - started:.2f} s")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"✅ 题库 xxqg（学习强国挑战答题，{ENTRIES - REPEATED} 道题）已保存为 quizzes/xxqg.yaml。"
    )
    assert "有 2 行与前面的题目完全相同，已跳过：第 5078 行（同第 562 行）" in done.stdout
    (bank,) = load_banks(config / "quizzes").banks
    assert len(bank.questions) == ENTRIES - REPEATED
    right = {words(stem, options): " ".join(ans.split()) for stem, options, ans in xxqg_rows()}
    assert all(q.options[min(q.answer)] == right[words(q.text, q.options)] for q in bank.questions)

    again = run_cli("import-bank", str(path), "--id", "xxqg", "--title", "学习强国挑战答题",
                    CONFIG_DIR=str(config))  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "原文件已备份" not in again.stdout  # the same sheet: the same ids, nothing rewritten
    assert [q.id for q in load_banks(config / "quizzes").banks[0].questions] == [
        q.id for q in bank.questions
    ]


def test_an_admin_sends_the_sheet_and_a_member_takes_a_quiz_from_it(
    sheet: bytes, config: Path, fake: FakeBotApi, tmp_path: Path
) -> None:
    bot = BotProcess(fake, tmp_path / "data", tmp_path / "bot.log", BOT_ADMINS="1",
                     CONFIG_DIR=str(config))  # fmt: skip
    bot.start()
    try:
        since = len(fake.requests)
        started = time.perf_counter()
        fake.send_document(ADMIN["id"], ADMIN, "学习强国题库.xlsx", sheet, XLSX, "xxqg 学习强国")
        fake.send_text(MEMBER["id"], MEMBER, "/help")  # answered while the bank is imported
        helped = fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == MEMBER["id"],
                               timeout=60, since=since)  # fmt: skip
        reply = fake.wait_for("sendMessage", bank_reply, timeout=60, since=since)
        print(f"chat import of {ENTRIES:,} rows: {time.perf_counter() - started:.2f} s")
        assert helped.at < reply.at  # the import runs in a child process: the bot answers
        assert reply.params["text"].startswith(
            f"✅ 题库 xxqg（学习强国，{ENTRIES - REPEATED} 道题）已保存为 quizzes/xxqg.yaml。"
        )
        assert "已重新加载：" in reply.params["text"] or "题库" in reply.params["text"]

        (bank,) = load_banks(config / "quizzes").banks
        shown = {(q.text, *(f"{q.labels([i])[0]}. {o}" for i, o in enumerate(q.options))): q
                 for q in bank.questions}  # fmt: skip
        since = len(fake.requests)
        fake.send_text(MEMBER["id"], MEMBER, "/quiz xxqg 3")
        for number in (1, 2, 3):
            asked = fake.wait_for("sendMessage", question_to(number), timeout=15, since=since)
            lines = asked.params["text"].split("\n")  # 第 n/3 题, the stem, "", A. …, B. …
            question = shown[(lines[1], *lines[3:])]
            rows = asked.params["reply_markup"]["inline_keyboard"]
            buttons = {b["text"].split()[-1]: b["callback_data"] for row in rows for b in row}
            letter = question.labels(question.answer)[0]
            since = len(fake.requests)
            fake.press_button(MEMBER["id"], asked.result["message_id"], MEMBER, buttons[letter])
            graded = fake.wait_for("editMessageText", timeout=15, since=since)
            assert "✅ 回答正确！" in graded.params["text"]
            assert "解析：" not in graded.params["text"]  # the sheet has none: no empty line
    finally:
        assert bot.stop() == 0, bot.log()
