"""Banks in the configuration: broken ones refused and listed, the rest loaded; quiz schedules."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from core.config.banks import parse_bank
from core.config.loading import check_configuration, load_configuration
from core.config.yaml_loader import parse_yaml_text
from tests.conftest import PROJECT

FIXTURES = Path(__file__).parents[2] / "fixtures"
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
schedules:
  - id: quiz-by-bank
    when: {monthly: {day: 15, at: "10:00"}}
    to: all
    quiz: {bank: basics, count: 5, open_hours: 24}
  - id: quiz-by-tag
    when: {monthly: {day: 16, at: "10:00"}}
    to: all
    quiz: {bank: 多选, count: 2, open_hours: 2}
  - id: quiz-nowhere
    when: {monthly: {day: 17, at: "10:00"}}
    to: all
    quiz:
      count: 5
      bank: discipline
      open_hours: 24
"""


def config_dir(tmp_path: Path, *bad_banks: str) -> Path:
    (tmp_path / "schedules.yaml").write_text(SCHEDULES)
    quizzes = tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "quizzes", quizzes)
    for name in bad_banks:
        shutil.copy(FIXTURES / "bad_banks" / name, quizzes / name)
    return tmp_path


def test_a_bad_bank_is_refused_and_the_others_load(tmp_path: Path) -> None:
    configuration = load_configuration(config_dir(tmp_path, "bad_type.yaml"))
    assert [bank.id for bank in configuration.banks.banks] == ["basics", "long"]
    assert [str(p) for p in configuration.warnings] == [
        "quizzes/bad_type.yaml 第 1 题（dq-001，第 6 行）type：未知的题型 'choice'，"
        "只能是 single（单选）、multiple（多选）或 judge（判断）",
        "schedules.yaml:18: schedules[2].quiz.bank: 题库 'discipline' 不存在："
        "既不是已加载题库的 id，也不是任何题目的标签（已加载的题库：basics、long）",
    ]


def test_check_lists_banks_and_every_problem(tmp_path: Path) -> None:
    summaries, problems, _ = check_configuration(config_dir(tmp_path, "several_mistakes.yaml"))
    assert summaries == [
        "schedules.yaml: 1 个支部，3 个推送计划",
        "quizzes/basics.yaml: 题库 basics（测试题库），5 道题",
        "quizzes/long.yaml: 题库 long（长题），2 道题",
    ]
    assert [(p.file, p.line) for p in problems] == [
        ("quizzes/several_mistakes.yaml", 2),
        ("quizzes/several_mistakes.yaml", 8),
        ("quizzes/several_mistakes.yaml", 12),
        ("quizzes/several_mistakes.yaml", 20),
        ("schedules.yaml", 18),
    ]


def test_every_broken_bank_fixture_fails_check(tmp_path: Path) -> None:
    (tmp_path / "schedules.yaml").write_text(SCHEDULES.split("schedules:")[0])
    shutil.copytree(FIXTURES / "bad_banks", tmp_path / "quizzes")
    summaries, problems, _ = check_configuration(tmp_path)
    assert summaries == ["schedules.yaml: 1 个支部，0 个推送计划"]
    refused = {p.file for p in problems}
    assert refused == {f"quizzes/{p.name}" for p in (FIXTURES / "bad_banks").glob("*.yaml")}


def test_banks_are_checked_even_when_schedules_yaml_is_broken(tmp_path: Path) -> None:
    config_dir(tmp_path, "bad_type.yaml")
    (tmp_path / "schedules.yaml").write_text("branches: [\n")
    summaries, problems, _ = check_configuration(tmp_path)
    assert summaries == [
        "quizzes/basics.yaml: 题库 basics（测试题库），5 道题",
        "quizzes/long.yaml: 题库 long（长题），2 道题",
    ]
    assert [p.file for p in problems] == ["quizzes/bad_type.yaml", "schedules.yaml"]


def run_check(config: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CONFIG_DIR"}
    if config is not None:
        env["CONFIG_DIR"] = str(config)
    return subprocess.run(
        [sys.executable, "bot.py", "check"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_bot_check_exits_1_listing_good_and_refused_banks(tmp_path: Path) -> None:
    result = run_check(config_dir(tmp_path, "judge_boolean_answer.yaml"))
    assert result.returncode == 1
    assert "通过  quizzes/basics.yaml: 题库 basics（测试题库），5 道题" in result.stdout
    assert "quizzes/judge_boolean_answer.yaml 第 1 题（dq-001，第 8 行）answer：" in result.stdout
    assert "schedules.yaml:18: schedules[2].quiz.bank: 题库 'discipline' 不存在" in result.stdout
    assert "发现 2 处错误" in result.stderr


def test_bot_check_lists_the_shipped_bank() -> None:
    result = run_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过  quizzes/discipline.yaml: 题库 discipline-basics" in result.stdout


def test_the_documented_example_bank_is_valid() -> None:
    guide = (PROJECT / "docs" / "quiz-bank-format.md").read_text()
    example = guide.split("```yaml\n", 1)[1].split("```", 1)[0]
    name = "quizzes/example.yaml"
    bank = parse_bank(parse_yaml_text(example.encode(), name), name)
    assert [q.type.value for q in bank.questions] == ["single", "multiple", "judge"]
    assert bank.questions[1].letters(bank.questions[1].answer) == "A、B、D"
