"""Hostile YAML for banks and schedules.yaml (property-based, offline, deterministic).

The property: `parse_yaml_text` followed by `parse_bank` / `parse_agency_config` either
returns a valid object or raises `ConfigErrors` whose every problem names the file, a line
>= 0 and a message. Any other exception (RecursionError, OSError, TypeError…) is a bug:
`python bot.py check`, /reload and uploaded files all rely on it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.config import yaml_loader as yaml_source
from core.config.agency import AgencyConfig, parse_agency_config
from core.config.banks import Bank, parse_bank
from core.config.yaml_loader import MAX_DEPTH, MAX_UPLOAD_BYTES, ConfigErrors, parse_yaml_text

PROJECT = Path(__file__).resolve().parents[3]
BANK_TEXT = (PROJECT / "tests" / "fixtures" / "quizzes" / "basics.yaml").read_text("utf-8")
SCHEDULES_TEXT = (PROJECT / "schedules.yaml").read_text("utf-8")
BANK_FILE = "quizzes/fuzz.yaml"
SCHEDULES_FILE = "schedules.yaml"

Parser = Callable[[object, str], object]
PARSERS: dict[str, Parser] = {BANK_FILE: parse_bank, SCHEDULES_FILE: parse_agency_config}


def fuzz(examples: int) -> settings:
    """Deterministic (no example database, derandomized) so CI never flakes."""
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=examples,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def load(raw: bytes, name: str) -> object:
    """The whole pipeline: bytes -> YAML document -> validated bank or configuration."""
    return PARSERS[name](parse_yaml_text(raw, name), name)


def assert_clean_outcome(raw: bytes, name: str) -> object | None:
    """A valid object, or ConfigErrors with usable problems; anything else fails the test."""
    try:
        found = load(raw, name)
    except ConfigErrors as errors:
        assert errors.problems, "ConfigErrors without a single problem"
        for problem in errors.problems:
            assert problem.file == name, problem
            assert isinstance(problem.line, int) and problem.line >= 0, problem
            assert isinstance(problem.message, str) and problem.message.strip(), problem
        str(errors)  # what `bot.py check` prints must render
        return None
    assert isinstance(found, Bank | AgencyConfig)
    return found


file_name = st.sampled_from([BANK_FILE, SCHEDULES_FILE])

# --------------------------------------------------------------------------- strategies

YAMLISH = ":-[]{},&*!|>'\"#%@`?\n \t0123456789.+~abcnNtTfFyYoO<=_xe党\x00\x85\u2028\ufeff"
yamlish_text = st.text(alphabet=YAMLISH, max_size=200)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet="0123456789+-._:xobeE~nN<=", max_size=12),
)
KEYS = [
    "id",
    "title",
    "questions",
    "type",
    "text",
    "options",
    "answer",
    "explanation",
    "source",
    "tags",
    "timezone",
    "catch_up_hours",
    "points",
    "branches",
    "schedules",
    "name",
    "secretaries",
    "when",
    "to",
    "prompt",
    "study",
    "quiz",
    "holidays",
    "monthly",
    "weekly",
    "cron",
    "once",
    "day",
    "at",
]
key = st.one_of(st.sampled_from(KEYS), st.text(max_size=10))
structure = st.recursive(
    scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(key, children, max_size=6)
    ),
    max_leaves=40,
)


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[bytes, str]:
    """A valid file with lines deleted, duplicated or swapped, or a value of another type."""
    name = draw(file_name)
    lines = (BANK_TEXT if name == BANK_FILE else SCHEDULES_TEXT).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "retype", "indent"]))
        if operation == "delete":
            del lines[at]
        elif operation == "duplicate":
            lines.insert(at, lines[at])
        elif operation == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif operation == "indent":
            lines[at] = draw(st.sampled_from(["", " ", "  ", "\t", "- "])) + lines[at]
        elif ":" in lines[at]:
            head = lines[at].split(":", 1)[0]
            value = yaml.safe_dump(draw(structure), default_flow_style=True, width=10**6)
            lines[at] = f"{head}: {value.strip().removesuffix('...').strip()}"
        if not lines:
            break
    return "\n".join(lines).encode(), name


def alias_bomb(depth: int) -> bytes:
    """Billion laughs: each level refers ten times to the one before."""
    lines = ['l0: &l0 ["lol"]']
    for level in range(1, depth + 1):
        refs = ",".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines).encode()


# --------------------------------------------------------------------------- properties


@fuzz(300)
@given(text=yamlish_text, name=file_name)
def test_yamlish_text_is_refused_cleanly(text: str, name: str) -> None:
    assert_clean_outcome(text.encode("utf-8"), name)


@fuzz(150)
@given(raw=st.binary(max_size=200), name=file_name)
def test_arbitrary_bytes_are_refused_cleanly(raw: bytes, name: str) -> None:
    assert_clean_outcome(raw, name)


@fuzz(100)
@given(raw=st.binary(min_size=1, max_size=50), name=file_name)
def test_non_utf8_bytes_name_the_file(raw: bytes, name: str) -> None:
    broken = b"id: x\n" + raw + b"\xff\xfe\xc3"  # never valid UTF-8
    with pytest.raises(ConfigErrors) as refused:
        load(broken, name)
    (problem,) = refused.value.problems
    assert problem.file == name and problem.line >= 0 and "UTF-8" in problem.message


@fuzz(300)
@given(document=structure, name=file_name)
def test_random_structures_are_validated_cleanly(document: Any, name: str) -> None:
    raw = yaml.safe_dump(document, allow_unicode=True).encode("utf-8")
    assert_clean_outcome(raw, name)


@fuzz(300)
@given(mutated=mutated_file())
def test_mutated_valid_files_are_validated_cleanly(mutated: tuple[bytes, str]) -> None:
    assert_clean_outcome(*mutated)


def test_unmutated_files_are_valid() -> None:
    """The seeds of the mutations load, so the mutations start from valid files."""
    assert isinstance(load(BANK_TEXT.encode(), BANK_FILE), Bank)
    assert isinstance(load(SCHEDULES_TEXT.encode(), SCHEDULES_FILE), AgencyConfig)


@fuzz(30)
@given(depth=st.integers(1, 10), name=file_name)
def test_alias_bombs_are_refused(depth: int, name: str) -> None:
    raw = alias_bomb(depth)
    assert len(raw) < 1_000  # 10**depth strings if expanded; refusing must not expand
    with pytest.raises(ConfigErrors) as refused:
        load(raw, name)
    (problem,) = refused.value.problems
    assert problem.line == 2 and "别名" in problem.message  # the first alias, not a crash


def test_alias_bomb_of_depth_ten_is_refused() -> None:
    raw = alias_bomb(10)
    with pytest.raises(ConfigErrors, match="别名"):
        parse_yaml_text(raw, SCHEDULES_FILE)


DEPTH = 10_000
DEEP_DOCUMENTS = {
    "flow lists": b"[" * DEPTH + b"]" * DEPTH,
    "flow mappings": b"{a: " * DEPTH + b"1" + b"}" * DEPTH,
    "lists under a known key": b"id: " + b"[" * DEPTH + b"]" * DEPTH,
    "questions nested": b"id: x\ntitle: t\nquestions: " + b"[" * DEPTH + b"]" * DEPTH,
    "branches nested": b"branches:\n  - name: " + b"[" * DEPTH + b"]" * DEPTH,
}


@pytest.mark.parametrize("raw", DEEP_DOCUMENTS.values(), ids=list(DEEP_DOCUMENTS))
@pytest.mark.parametrize("name", [BANK_FILE, SCHEDULES_FILE])
def test_very_deep_nesting_is_a_clear_error(raw: bytes, name: str) -> None:
    with pytest.raises(ConfigErrors) as refused:  # a RecursionError here would be a bug
        load(raw, name)
    assert all(p.file == name and p.line >= 0 for p in refused.value.problems)


class CountingParser(yaml.CSafeLoader):
    """libyaml's parser, counting the events taken from it."""

    taken = 0

    def get_event(self) -> Any:
        CountingParser.taken += 1
        return super().get_event()


@pytest.mark.parametrize(
    ("opening", "closing"), [("[", "]"), ("{a: ", "}"), ("- ", ""), ("a:\n", "")]
)
def test_nesting_past_the_limit_is_refused_at_the_first_level_too_deep(
    opening: str, closing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = 100_000
    if opening == "a:\n":  # block mappings: one more space of indentation per level
        deep = 1_000
        raw = "".join(" " * level + "a:\n" for level in range(deep)) + " " * deep + "1\n"
    else:
        raw = opening * deep + "1" + closing * deep + "\n"
    CountingParser.taken = 0
    monkeypatch.setattr(yaml_source, "_Parser", CountingParser)
    with pytest.raises(ConfigErrors) as refused:
        parse_yaml_text(raw.encode(), "quizzes/deep.yaml")
    (problem,) = refused.value.problems
    line = MAX_DEPTH + 1 if opening == "a:\n" else 1
    refusal = "嵌套超过 64 层（列表或键值对套得太深），拒绝加载"
    assert str(problem) == f"quizzes/deep.yaml:{line}: {refusal}"
    # libyaml was stopped at level 65 (its start and key events), the rest never read.
    assert CountingParser.taken <= 2 * (MAX_DEPTH + 1) + 2


def test_nesting_up_to_the_limit_is_parsed() -> None:
    raw = "[" * MAX_DEPTH + "1" + "]" * MAX_DEPTH
    document = parse_yaml_text(raw.encode(), "quizzes/deep.yaml")
    for _ in range(MAX_DEPTH - 1):
        (document,) = document
    assert document == [1]


def test_oversized_upload_is_refused_before_parsing() -> None:
    raw = b"#" * (MAX_UPLOAD_BYTES + 1)
    with pytest.raises(ConfigErrors, match="拒绝加载"):
        parse_yaml_text(raw, BANK_FILE, max_bytes=MAX_UPLOAD_BYTES)


# --------------------------------------------------------------------------- bugs found


@pytest.mark.parametrize("timezone", ["Asia", "a" * 300])
def test_odd_timezone_is_a_config_error(timezone: str) -> None:
    raw = f"timezone: {timezone}\nbranches:\n  - {{id: office, name: 办公室党支部}}\n"
    assert_clean_outcome(raw.encode(), SCHEDULES_FILE)
