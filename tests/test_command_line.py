"""`python bot.py` speaks Chinese to the operator, argparse's own mistakes included."""

from __future__ import annotations

from tests.botprocess import run_cli


def test_command_line_mistakes_are_told_in_chinese() -> None:
    unknown = run_cli("nosuch")
    assert unknown.returncode == 2
    assert "没有这个命令：'nosuch'" in unknown.stderr and "用法：" in unknown.stderr
    missing = run_cli("export")
    assert missing.returncode == 2 and "缺少参数：--branch" in missing.stderr
    assert "invalid" not in missing.stderr + unknown.stderr


def test_help_lists_every_command_in_chinese() -> None:
    shown = run_cli("--help").stdout
    assert shown.startswith("用法：bot.py")
    for command in ("run", "check", "schema", "schedule", "export", "backup", "restore", "health"):
        assert command in shown
    assert "show this help" not in shown and "显示本帮助并退出" in shown
