"""schedules.yaml branches: every mistake reported with file, line and field."""

from pathlib import Path

import pytest

from core.config.agency import load_agency_config, parse_agency_config
from core.config.loading import check_configuration
from core.config.yaml_loader import ConfigErrors, parse_yaml_text
from tests.conftest import PROJECT

BAD = Path(__file__).parents[2] / "fixtures" / "bad_schedules"


def problems_of(fixture: str) -> list[str]:
    raw = (BAD / fixture).read_bytes()
    with pytest.raises(ConfigErrors) as caught:
        parse_agency_config(parse_yaml_text(raw, "schedules.yaml"), "schedules.yaml")
    return [str(p) for p in caught.value.problems]


def test_shipped_schedules_yaml_is_valid() -> None:
    config = load_agency_config(PROJECT)
    assert {b.id for b in config.branches} >= {"office", "policy"}
    assert str(config.timezone) == "Asia/Shanghai"


def test_check_reports_shipped_files_ok() -> None:
    summaries, problems, _ = check_configuration(PROJECT)
    assert problems == []
    assert any("schedules.yaml" in s for s in summaries)


def test_syntax_error_names_the_line() -> None:
    assert problems_of("syntax.yaml")[0].startswith("schedules.yaml:6: YAML 语法错误")


def test_a_misspelt_key_is_reported_once() -> None:
    # Not also "branches[0].name: 缺少必填字段": it is the same mistake.
    assert problems_of("unknown_key.yaml") == [
        "schedules.yaml:5: branches[0]: 字段名 nmae 应为 name"
    ]


def test_duplicate_branch_id() -> None:
    assert problems_of("duplicate_id.yaml") == [
        "schedules.yaml:7: branches[2].id: 支部 id 'office' 重复"
    ]


def test_all_value_errors_are_reported_at_once() -> None:
    found = problems_of("bad_values.yaml")
    assert len(found) == 3
    assert found[0].startswith("schedules.yaml:2: timezone: 未知的时区 'Asia/Beijing'")
    assert found[1].startswith("schedules.yaml:4: branches[0].id: 支部 id 'Office Branch'")
    assert found[2] == "schedules.yaml:7: branches[0].secretaries[0]: 应为整数，实际是 文本 '张三'"


def test_aliases_are_refused() -> None:
    assert problems_of("alias.yaml") == [
        "schedules.yaml:6: YAML 语法错误：别名（*alias）在本系统的配置文件中不被支持"
    ]


def test_check_lists_problems_from_the_config_dir(tmp_path: Path) -> None:
    (tmp_path / "schedules.yaml").write_bytes((BAD / "bad_values.yaml").read_bytes())
    summaries, problems, _ = check_configuration(tmp_path)
    assert summaries == []
    assert [p.line for p in problems] == [2, 4, 7]


def test_missing_file_is_a_clear_problem(tmp_path: Path) -> None:
    _, problems, _ = check_configuration(tmp_path)
    assert len(problems) == 1
    assert "schedules.yaml" in str(problems[0])
    assert "无法读取文件" in str(problems[0])


def test_a_meeting_button_goes_only_under_a_prompt() -> None:
    raw = b"""\
timezone: Asia/Shanghai
branches:
  - {id: office, name: \xe5\x8a\x9e\xe5\x85\xac\xe5\xae\xa4}
schedules:
  - id: quiz
    when: {once: "2026-11-02 09:30"}
    to: all
    quiz: {bank: basics, count: 1, open_hours: 1}
    meeting: \xe4\xb8\xbb\xe9\xa2\x98\xe5\x85\x9a\xe6\x97\xa5
  - id: other
    when: {once: "2026-11-02 09:30"}
    to: all
    prompt: x
    meeting: \xe5\xbc\x80\xe4\xbc\x9a
"""
    with pytest.raises(ConfigErrors) as caught:
        parse_agency_config(parse_yaml_text(raw, "schedules.yaml"), "schedules.yaml")
    problems = [str(p) for p in caught.value.problems]
    assert problems == [
        "schedules.yaml:9: schedules[0].meeting: 只能和 prompt 一起写"
        "（它给提示消息加上“登记会议”按钮），这个计划是 quiz",
        "schedules.yaml:14: schedules[1].meeting: 应为 支部党员大会、支部委员会会议、党小组会、"
        "党课、主题党日 之一，实际是 文本 '开会'",
    ]
