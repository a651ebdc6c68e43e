"""The declared shapes (core/config/schema.py): the generated files are current, the shipped
YAML validates against them, and the models and the field-by-field validators cannot drift.

The bot validates with agency/schedules/points_rule/banks (for messages with line and field);
editors and CI's check-jsonschema use the JSON Schemas. Here the two are held together: the
same keys, and every file the validator accepts the schema accepts too (fixtures, the shipped
files and mutated copies of them), while every broken fixture the schema lets through is one
whose mistake needs more than the file's shape to see (a duplicate id, an unknown branch…).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from pydantic import BaseModel, ValidationError

import cli
from core.config import agency, banks, points_rule, schedules
from core.config.agency import parse_agency_config
from core.config.banks import REGULATIONS_FILE, parse_bank
from core.config.regulations import load_regulations
from core.config.schema import (
    DOC_TABLES,
    SCHEMA_DIR,
    SCHEMA_FILES,
    TABLE_END,
    TABLE_START,
    Branch,
    Calendar,
    Monthly,
    Points,
    Question,
    QuestionBankFile,
    Quiz,
    Schedule,
    SchedulesFile,
    Study,
    TargetTags,
    Weekly,
    When,
    generated_files,
)
from core.config.yaml_loader import ConfigErrors, load_yaml, parse_yaml_text
from tests.core.config.test_fuzz_yaml import BANK_FILE, fuzz, mutated_file

PROJECT = Path(__file__).resolve().parents[3]
FIXTURES = PROJECT / "tests" / "fixtures"
SCHEDULES_SCHEMA = PROJECT / SCHEMA_DIR / "schedules.schema.json"
BANK_SCHEMA = PROJECT / SCHEMA_DIR / "quiz-bank.schema.json"
REGULATIONS_SCHEMA = PROJECT / SCHEMA_DIR / "regulations.schema.json"
# Broken fixtures whose mistake the shape of one file cannot show: it needs another entry
# (duplicates, ids declared elsewhere), another field's value, or the meaning of a text.
BEYOND_THE_SHAPE = {
    "bad_banks/answer_not_in_options.yaml",  # the letter against the number of options
    "bad_banks/duplicate_question_id.yaml",
    "bad_schedules/bad_cron.yaml",  # five fields, but not a valid cron expression
    "bad_schedules/calendar_backwards_range.yaml",
    "bad_schedules/calendar_day_in_both.yaml",
    "bad_schedules/cron_numeric_weekday.yaml",
    "bad_schedules/duplicate_id.yaml",
    "bad_schedules/long_group_quiz_duration.yaml",  # 31天: a duration, but over 30 days
    "bad_schedules/malformed_braces.yaml",
    "bad_schedules/remind_not_before_due.yaml",
    "bad_schedules/schedule_duplicate_id.yaml",
    "bad_schedules/unknown_branch_in_to.yaml",
    "bad_schedules/unknown_placeholder.yaml",
    "bad_schedules/unknown_tag.yaml",
}


def committed_schema(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def is_bank(document: Any) -> bool:
    return isinstance(document, dict) and "questions" in document


def validator_accepts(document: Any, name: str) -> bool:
    parse = parse_bank if is_bank(document) else parse_agency_config
    try:
        parse(document, name)
    except ConfigErrors:
        return False
    return True


def schema_errors(document: Any) -> list[str]:
    validator = committed_schema(BANK_SCHEMA if is_bank(document) else SCHEDULES_SCHEMA)
    return [f"{error.json_path}: {error.message}" for error in validator.iter_errors(document)]


def model_accepts(document: Any) -> bool:
    model: type[BaseModel] = QuestionBankFile if is_bank(document) else SchedulesFile
    try:
        model.model_validate(document)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------- the generated files


def test_committed_files_are_what_bot_py_schema_writes() -> None:
    for path, text in generated_files(PROJECT).items():
        committed = path.read_text(encoding="utf-8") if path.exists() else None
        assert committed == text, f"{path.relative_to(PROJECT)} is stale: run python bot.py schema"


def test_bot_py_schema_writes_the_schemas_and_the_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(PROJECT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("schema"))
    for doc, (name, _) in DOC_TABLES.items():
        stale = tmp_path / "docs" / doc
        start = TABLE_START.format(name=name)
        head, rest = stale.read_text(encoding="utf-8").split(start, 1)
        old_table = f"{start}\n| 字段 | 说明 |\n{TABLE_END}"
        stale.write_text(head + old_table + rest.split(TABLE_END, 1)[1], encoding="utf-8")
    assert cli.write_schema(tmp_path) == 0
    assert capsys.readouterr().out.count("已写入") == len(SCHEMA_FILES) + 2
    for name in SCHEMA_FILES:
        written = (tmp_path / SCHEMA_DIR / name).read_text(encoding="utf-8")
        assert written == (PROJECT / SCHEMA_DIR / name).read_text(encoding="utf-8")
    for doc in DOC_TABLES:
        written = (tmp_path / "docs" / doc).read_text(encoding="utf-8")
        assert written == (PROJECT / "docs" / doc).read_text(encoding="utf-8")
    assert cli.write_schema(tmp_path) == 0
    assert "已写入" not in capsys.readouterr().out


def test_the_tables_are_in_chinese_and_name_every_field() -> None:
    guide = (PROJECT / "docs" / "quiz-bank-format.md").read_text(encoding="utf-8")
    assert "| `questions[].answer` | `对`、`错` 之一 或 文本 或 列表（每项：文本） | 是 |" in guide
    reference = (PROJECT / "docs" / "schedules.md").read_text(encoding="utf-8")
    assert "| `schedules[].when.monthly.nth` | `1`、`2`、`3`、`4`、`-1` 之一 | 否 |" in reference
    assert "| `catch_up_hours` | 整数 0～168 | 否 |" in reference


def test_every_field_has_a_chinese_description() -> None:
    for model in (SchedulesFile, QuestionBankFile):
        schema = model.model_json_schema()
        for shape in [schema, *schema["$defs"].values()]:
            for key, field in shape.get("properties", {}).items():
                description = field.get("description", "")
                assert any("\u4e00" <= char <= "\u9fff" for char in description), key


# ---------------------------------------------------------------- the shipped files


@pytest.mark.parametrize(
    ("path", "schema"),
    [("schedules.yaml", SCHEDULES_SCHEMA)]
    + [
        (f"quizzes/{p.name}", REGULATIONS_SCHEMA if p.name == REGULATIONS_FILE else BANK_SCHEMA)
        for p in sorted((PROJECT / "quizzes").glob("*.yaml"))
    ],
)
def test_shipped_files_validate_and_point_editors_at_their_schema(path: str, schema: Path) -> None:
    file = PROJECT / path
    first_line = file.read_text(encoding="utf-8").splitlines()[0]
    relative = schema.relative_to(PROJECT).as_posix()
    prefix = "../" * path.count("/")
    assert first_line == f"# yaml-language-server: $schema={prefix}{relative}"
    assert (file.parent / f"{prefix}{relative}").resolve() == schema
    document = load_yaml(file, path)
    assert list(committed_schema(schema).iter_errors(document)) == []
    if schema == REGULATIONS_SCHEMA:  # not a bank; read by its model alone (test_regulations)
        assert load_regulations(file.parent)
        return
    assert validator_accepts(document, path)
    assert model_accepts(document)


# ---------------------------------------------------------------- models and validators agree


@pytest.mark.parametrize(
    ("model", "keys"),
    [
        (SchedulesFile, agency.TOP_LEVEL_KEYS),
        (Branch, agency.BRANCH_KEYS),
        (Points, points_rule.POINTS_KEYS),
        (Calendar, schedules.CALENDAR_KEYS),
        (Schedule, schedules.SCHEDULE_KEYS),
        (When, schedules.WHEN_KINDS),
        (Monthly, schedules.MONTHLY_KEYS),
        (Weekly, schedules.WEEKLY_KEYS),
        (Study, schedules.STUDY_KEYS),
        (Quiz, schedules.QUIZ_KEYS),
        (TargetTags, schedules.TARGET_KEYS),
        (QuestionBankFile, banks.BANK_KEYS),
        (Question, banks.QUESTION_KEYS),
    ],
)
def test_each_model_declares_the_keys_its_validator_allows(
    model: type[BaseModel], keys: tuple[str, ...]
) -> None:
    assert tuple(model.model_fields) == keys


FIXTURE_FILES = sorted(
    path.relative_to(FIXTURES).as_posix() for path in FIXTURES.rglob("*.yaml")
)


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture_the_validator_accepts_matches_the_shape(name: str) -> None:
    try:
        document = load_yaml(FIXTURES / name, name)
    except ConfigErrors:
        return  # not YAML the bot can read: nothing for a schema to say
    errors = schema_errors(document)
    if validator_accepts(document, name):
        assert errors == [], name
        assert model_accepts(document), name
    elif name in BEYOND_THE_SHAPE:
        assert errors == [], f"{name} is caught by the schema now: drop it from BEYOND_THE_SHAPE"
    else:
        assert errors, f"{name} is refused by the bot but passes the schema"
        assert not model_accepts(document), name


@fuzz(150)
@given(mutated_file())
def test_mutated_files_the_validator_accepts_match_the_shape(mutated: tuple[bytes, str]) -> None:
    raw, name = mutated
    try:
        document = parse_yaml_text(raw, name)
    except ConfigErrors:
        return
    if name == BANK_FILE and not is_bank(document):
        return  # a bank whose questions: line was deleted is judged as a bank by the bot
    if validator_accepts(document, name):
        assert schema_errors(document) == [], raw.decode()
        assert model_accepts(document), raw.decode()
