"""A bank spreadsheet imported in a child process: the configuration comes back whole, in
pieces the loop unpickles between awaits, and a refused sheet says what a thread would."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.config import child_import
from core.config.bank_sheet import BankSheetError, import_bank_sheet
from core.config.changes import install_bank_sheet
from core.config.child_import import install_bank_sheet_in_child, parcel, unpacked
from core.config.loading import load_configuration
from core.errors import UserError
from tests.harness import write_config_dir
from tests.spreadsheets import xlsx

CONFIG = "timezone: Asia/Shanghai\nbranches:\n  - {id: office, name: 办公室党支部}\n"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROWS = [
    ["题干", "选项A", "选项B", "答案"],
    *([f"第 {n} 题", "对的", "错的", "A"] for n in range(9)),
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config_dir(tmp_path / "config", CONFIG)


async def test_a_configuration_comes_back_whole_from_its_pieces(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(child_import, "PIECE_QUESTIONS", 4)
    install_bank_sheet(config, "题库.xlsx", xlsx(ROWS), "sheet", "表格题库", NOW)
    configuration = load_configuration(config)
    packed = parcel(configuration)
    assert all(len(pickle.loads(piece)) <= 4 for _, piece in packed.pieces)
    assert len(packed.pieces) > len(configuration.banks.banks)  # the 9 questions in 3

    back = await unpacked(packed)
    assert back == configuration
    sheet = back.banks.bank("sheet")
    assert sheet is not None and len(sheet.questions) == 9
    assert all(sheet.question(q.id) == q for q in sheet.questions)  # its index rebuilt


async def test_the_child_writes_the_bank_and_hands_back_what_it_checked(config: Path) -> None:
    installed = await install_bank_sheet_in_child(
        config, "题库.xlsx", xlsx(ROWS), "sheet", "表格题库", NOW
    )
    assert installed.text.startswith(
        "✅ 题库 sheet（表格题库，9 道题）已保存为 quizzes/sheet.yaml。"
    )
    assert installed.configuration == load_configuration(config)


async def test_a_refused_sheet_says_what_it_would_in_the_bot_and_writes_nothing(
    config: Path,
) -> None:
    rows = [*ROWS, ["", "x", "y", "C"]]
    with pytest.raises(BankSheetError) as expected:
        import_bank_sheet("错题.xlsx", xlsx(rows), "sheet", "表格题库")
    with pytest.raises(UserError) as caught:
        await install_bank_sheet_in_child(
            config, "错题.xlsx", xlsx(rows), "sheet", "表格题库", NOW
        )
    assert caught.value.message == expected.value.message
    assert not (config / "quizzes" / "sheet.yaml").exists()
