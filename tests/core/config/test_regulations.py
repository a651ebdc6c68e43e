"""quizzes/regulations.yaml: a question following a superseded text is named by check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.config.loading import check_configuration, load_configuration
from tests.botprocess import run_cli

PROJECT = Path(__file__).resolve().parents[3]
BANK = """\
id: old
title: 旧题
follows: {《中国共产党纪律处分条例》: 2018}
questions:
  - id: q1
    type: judge
    text: 党员受到警告处分，一年内不得在党内提拔职务。
    answer: 对
    source: 《中国共产党纪律处分条例》第十条第一款
  - id: q2
    type: judge
    text: 不引用条例的题。
    answer: 对
    source: 《中国共产党章程》第四十条
  - id: q3
    type: judge
    text: 按新版出的题。
    answer: 对
    source: 《中国共产党纪律处分条例》第八条
    follows: {《中国共产党纪律处分条例》: 2023}
"""
REGULATIONS = """\
regulations:
  《中国共产党纪律处分条例》: {current: 2023, superseded: [2015, 2018]}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    (folder / "quizzes").mkdir(parents=True)
    shutil.copy(PROJECT / "schedules.yaml", folder / "schedules.yaml")
    shutil.copy(PROJECT / "quizzes" / "discipline.yaml", folder / "quizzes")
    (folder / "quizzes" / "old.yaml").write_text(BANK, encoding="utf-8")
    (folder / "quizzes" / "regulations.yaml").write_text(REGULATIONS, encoding="utf-8")
    return folder


def test_a_question_citing_a_superseded_version_is_named(config: Path) -> None:
    configuration = load_configuration(config)
    assert [str(r) for r in configuration.reminders] == [
        "quizzes/old.yaml:0: questions[0]: 第 1 题（q1）依据《中国共产党纪律处分条例》2018 年版，"
        "该版已被 2023 年版取代：请对照新版核对第十条第一款，改好后把 follows 改为 2023"
    ]
    assert configuration.warnings == ()  # a reminder, not a refusal: the bank loads
    old = configuration.banks.bank("old")
    assert old is not None and len(old.questions) == 3


def test_check_prints_the_reminder_and_still_passes(config: Path) -> None:
    done = run_cli("check", CONFIG_DIR=str(config))
    assert done.returncode == 0, done.stderr
    assert "提醒  quizzes/old.yaml:0: questions[0]: 第 1 题（q1）" in done.stdout


def test_a_broken_regulations_file_is_named_with_its_line(config: Path) -> None:
    (config / "quizzes" / "regulations.yaml").write_text(
        "regulations:\n  纪律处分条例: {current: 2023}\n", encoding="utf-8"
    )
    _, problems, reminders = check_configuration(config)
    assert [(p.file, p.line) for p in problems] == [("quizzes/regulations.yaml", 2)]
    assert reminders == []


def test_the_shipped_banks_follow_the_current_texts() -> None:
    _, problems, reminders = check_configuration(PROJECT)
    assert problems == [] and reminders == []
    banks = load_configuration(PROJECT).banks.banks
    assert all(
        dict(q.follows)["《中国共产党纪律处分条例》"] == 2023
        for bank in banks
        if bank.id.startswith("discipline")
        for q in bank.questions
    )
