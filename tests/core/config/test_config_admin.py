"""Changing the configuration from the chat: /reload, and YAML files admins send in."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from core.config.changes import install_upload, reload_configuration
from core.config.yaml_loader import MAX_UPLOAD_BYTES
from core.errors import UserError
from tests.conftest import SHANGHAI

FIXTURES = Path(__file__).parents[2] / "fixtures"
NOW = datetime(2026, 11, 22, 19, 30, tzinfo=SHANGHAI)
SCHEDULES = """\
timezone: Asia/Shanghai
branches:
  - {id: office, name: 办公室党支部}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "schedules.yaml").write_text(SCHEDULES)
    (folder / "quizzes").mkdir()
    shutil.copy(FIXTURES / "quizzes" / "basics.yaml", folder / "quizzes")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def fixture(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


def test_reload_keeps_the_running_configuration_when_schedules_yaml_is_broken(
    config: Path,
) -> None:
    shutil.copy(FIXTURES / "bad_schedules" / "unknown_key.yaml", config / "schedules.yaml")
    outcome = reload_configuration(config)
    assert outcome.configuration is None
    assert outcome.text == (
        "⛔ schedules.yaml 有错，未重新加载，机器人继续使用原来的配置。"
        "请修正以下错误后再发送 /reload：\n"
        "schedules.yaml:5: branches[0]: 字段名 nmae 应为 name"
    )


def test_reload_refuses_a_bad_bank_and_loads_the_rest(config: Path) -> None:
    shutil.copy(FIXTURES / "bad_banks" / "bad_type.yaml", config / "quizzes")
    outcome = reload_configuration(config)
    assert outcome.configuration is not None
    assert [b.id for b in outcome.configuration.banks.banks] == ["basics"]
    assert outcome.text == (
        "✅ 配置已重新加载并立即生效：1 个支部，0 个推送计划，1 个题库（共 5 道题）。\n"
        "⚠️ 以下题库或测验计划有误，未启用（其余照常生效）：\n"
        "quizzes/bad_type.yaml 第 1 题（dq-001，第 6 行）type：未知的题型 'choice'，"
        "只能是 single（单选）、multiple（多选）或 judge（判断）"
    )


def test_a_new_bank_is_installed_under_its_id(config: Path) -> None:
    installed = install_upload(config, "题库-新.yml", fixture("uploads", "extra.yaml"), NOW)
    assert installed.target == "quizzes/extra.yaml" and installed.backup is None
    assert installed.text == "✅ 题库 extra（新增题库，2 道题）已保存为 quizzes/extra.yaml。"
    assert (config / "quizzes" / "extra.yaml").read_bytes() == fixture("uploads", "extra.yaml")
    reloaded = reload_configuration(config).configuration
    assert reloaded is not None and reloaded.banks.bank("extra") is not None


def test_a_bank_replaces_the_file_of_the_same_id_and_keeps_a_backup(config: Path) -> None:
    old = (config / "quizzes" / "basics.yaml").read_bytes()
    shorter = old.decode().split("  - id: s2")[0].encode()  # only the first question left
    installed = install_upload(config, "basics-v2.yaml", shorter, NOW)
    assert installed.target == "quizzes/basics.yaml"
    assert installed.backup == "quizzes/.backup/basics.yaml.20261122-193000"
    assert (config / installed.backup).read_bytes() == old
    assert (config / "quizzes" / "basics.yaml").read_bytes() == shorter
    again = install_upload(config, "basics.yaml", old, NOW)  # the same second: a new backup
    assert again.backup == "quizzes/.backup/basics.yaml.20261122-193000-2"
    assert again.text.endswith("原文件已备份为 quizzes/.backup/basics.yaml.20261122-193000-2。")
    assert [p.name for p in (config / "quizzes").glob("*.yaml")] == ["basics.yaml"]


def test_the_same_file_again_writes_and_keeps_nothing(config: Path) -> None:
    """A replayed upload (Telegram sends it again after a crash) changes nothing."""
    same = (config / "quizzes" / "basics.yaml").read_bytes()
    installed = install_upload(config, "basics.yaml", same, NOW)
    assert installed.target == "quizzes/basics.yaml" and installed.backup is None
    assert not (config / "quizzes" / ".backup").exists()


def test_a_fixed_bank_replaces_the_refused_file_of_the_same_name(config: Path) -> None:
    shutil.copy(FIXTURES / "bad_banks" / "bad_type.yaml", config / "quizzes")
    fixed = fixture("bad_banks", "bad_type.yaml").replace(b"type: choice", b"type: single")
    installed = install_upload(config, "bad_type.yaml", fixed, NOW)
    assert installed.target == "quizzes/bad_type.yaml"
    assert installed.backup == "quizzes/.backup/bad_type.yaml.20261122-193000"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "bad_type.yaml",
            fixture("bad_banks", "bad_type.yaml"),
            "“bad_type.yaml”未通过检查，未做任何改动：\n"
            "bad_type.yaml 第 1 题（dq-001，第 6 行）type：未知的题型 'choice'，"
            "只能是 single（单选）、multiple（多选）或 judge（判断）",
        ),
        (
            "schedules.yaml",
            fixture("bad_schedules", "syntax.yaml"),
            "“schedules.yaml”未通过检查，未做任何改动：\n"
            "schedules.yaml:6: YAML 语法错误：did not find expected ',' or ']'",
        ),
        (
            "new-schedules.yaml",
            fixture("bad_schedules", "bad_time.yaml"),
            "“new-schedules.yaml”未通过检查，未做任何改动：\n"
            "schedules.yaml:10: schedules[0].when.weekly.at: "
            "时间 '24:30' 无效，应为 24 小时制的 \"HH:MM\"，例如 \"09:00\"",
        ),
        (
            "neither.yaml",
            fixture("uploads", "neither.yaml"),
            "无法识别“neither.yaml”：题库文件的顶层应有 questions:，schedules.yaml 的顶层应有 "
            "branches:。未做任何改动。",
        ),
        (
            "notes.txt",
            b"id: x",
            "“notes.txt”不是 .yaml 或 .yml 文件，未做任何改动。"
            "请把题库或 schedules.yaml 作为文件发给我。",
        ),
        (
            "huge.yaml",
            b"#" * (MAX_UPLOAD_BYTES + 1),
            "“huge.yaml”有 20000001 字节，超过 20 MB 的上限"
            "（Telegram 只允许机器人下载 20 MB 以内的文件），"
            "未做任何改动。",
        ),
    ],
)
def test_refused_files_change_nothing(
    config: Path, name: str, content: bytes, reason: str
) -> None:
    before = snapshot(config)
    with pytest.raises(UserError) as refused:
        install_upload(config, name, content, NOW)
    assert refused.value.message == reason
    assert snapshot(config) == before


def test_a_bank_is_checked_with_the_whole_configuration(config: Path) -> None:
    """The configuration after the change must load: a broken schedules.yaml blocks a bank."""
    shutil.copy(FIXTURES / "bad_schedules" / "unknown_key.yaml", config / "schedules.yaml")
    with pytest.raises(UserError, match=r"schedules\.yaml:5: branches"):
        install_upload(config, "extra.yaml", fixture("uploads", "extra.yaml"), NOW)
    assert not (config / "quizzes" / "extra.yaml").exists()


def test_schedules_yaml_is_installed_with_a_backup_and_its_warnings_reported(
    config: Path,
) -> None:
    content = fixture("uploads", "quiz_of_missing_bank.yaml")
    installed = install_upload(config, "schedules.yml", content, NOW)
    assert installed.text == (
        "✅ schedules.yaml 已更新：2 个支部，1 个推送计划。\n"
        "原文件已备份为 .backup/schedules.yaml.20261122-193000。"
    )
    assert (config / ".backup" / "schedules.yaml.20261122-193000").read_text() == SCHEDULES
    outcome = reload_configuration(config)
    assert outcome.configuration is not None
    assert outcome.text.endswith(
        "schedules.yaml:9: schedules[0].quiz.bank: 题库 'nosuch' 不存在："
        "既不是已加载题库的 id，也不是任何题目的标签（已加载的题库：basics）"
    )
