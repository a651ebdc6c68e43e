"""YAML loading that remembers where every value came from.

Admins edit the YAML files by hand, so every error must name the file, the
line and the field. `load_yaml` returns plain dicts and lists (subclasses that
carry line numbers); validators walk them with a `Field` cursor and collect
every `ConfigProblem` before refusing the file.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One thing wrong in a configuration file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ConfigErrors(Exception):
    """A file (or set of files) was refused; carries every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows its own line and each key's line."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence from YAML that knows its own line and each item's line."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds LineDict/LineList and refuses aliases.

    Aliases are refused outright: the files never need them, and refusing them
    is the simplest defence against "billion laughs" expansion.
    """

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "别名（*alias）在本系统的配置文件中不被支持", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_line_mapping(self, node: MappingNode) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise yaml.MarkedYAMLError(
                    None, None, f"重复的键 '{key}'", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_line_sequence(self, node: SequenceNode) -> LineList:
        result = LineList(
            self.construct_object(child, deep=True)
            for child in node.value
        )
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_line_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_line_sequence
)


def _timestamps_as_text(loader: _LineLoader, node: ScalarNode) -> str:
    # Keep dates as written ("2026-12-01 09:00"); the schema decides how to parse them.
    return str(loader.construct_scalar(node))


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamps_as_text)


def load_yaml(path: Path, display_name: str | None = None) -> Any:
    """Parse one YAML file; raise `ConfigErrors` naming file and line on any syntax problem."""
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        problem = ConfigProblem(name, 0, "", f"无法读取文件：{error.strerror}")
        raise ConfigErrors([problem]) from error
    return parse_yaml_text(raw, name)


def parse_yaml_text(raw: bytes, name: str) -> Any:
    """Parse YAML bytes (already read) under a display name used in messages."""
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigErrors([ConfigProblem(name, 0, "", "文件超过 1 MB，拒绝加载")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigErrors([ConfigProblem(name, 1, "", "文件不是 UTF-8 编码")]) from error
    try:
        return yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or error.context or "YAML 语法错误"
        raise ConfigErrors([ConfigProblem(name, line, "", f"YAML 语法错误：{reason}")]) from error
    except yaml.YAMLError as error:
        raise ConfigErrors([ConfigProblem(name, 0, "", f"YAML 语法错误：{error}")]) from error


@dataclass
class Field:
    """A cursor on one value in a YAML document: its path, line and problem sink."""

    file: str
    path: str
    line: int
    value: Any
    problems: list[ConfigProblem] = field(default_factory=list)

    @classmethod
    def root(cls, file: str, value: Any) -> Field:
        """The whole document."""
        return cls(file, "", getattr(value, "line", 1), value, [])

    def error(self, message: str) -> None:
        """Record a problem at this field."""
        self.problems.append(ConfigProblem(self.file, self.line, self.path, message))

    def child(self, key: str) -> Field:
        """The value under `key` of this mapping (None when absent, at the mapping's line)."""
        value = self.value.get(key) if isinstance(self.value, dict) else None
        key_lines = getattr(self.value, "key_lines", {})
        line = key_lines.get(key, self.line)
        path = f"{self.path}.{key}" if self.path else key
        return Field(self.file, path, line, value, self.problems)

    def items(self) -> Iterator[Field]:
        """Each element of this sequence."""
        lines = getattr(self.value, "item_lines", [])
        for index, value in enumerate(self.value):
            line = lines[index] if index < len(lines) else self.line
            yield Field(self.file, f"{self.path}[{index}]", line, value, self.problems)

    def check_keys(self, allowed: Collection[str]) -> bool:
        """Report unknown keys (with a 'did you mean'); False if this is not a mapping.

        Missing required keys are reported by the getter that reads them.
        """
        if not isinstance(self.value, dict):
            self.error(f"应为键值对（mapping），实际是 {describe(self.value)}")
            return False
        for key in self.value:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                suggestion = f"，是否想写 '{hint[0]}'？" if hint else ""
                self.child(key).error(f"未知的字段 '{key}'{suggestion}")
        return True

    def text(self, *, required: bool = True, max_length: int | None = None) -> str | None:
        """A non-empty string (numbers are accepted and converted)."""
        if self.value is None:
            if required:
                self.error("缺少必填字段")
            return None
        if isinstance(self.value, bool) or not isinstance(self.value, str | int | float):
            self.error(f"应为文本，实际是 {describe(self.value)}")
            return None
        text = str(self.value).strip()
        if not text:
            self.error("不能为空")
            return None
        if max_length is not None and len(text) > max_length:
            self.error(f"太长（{len(text)} 字），最多 {max_length} 字")
            return None
        return text

    def integer(self, low: int, high: int, *, required: bool = True) -> int | None:
        """An integer within [low, high]."""
        if self.value is None:
            if required:
                self.error("缺少必填字段")
            return None
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.error(f"应为整数，实际是 {describe(self.value)}")
            return None
        if not low <= self.value <= high:
            self.error(f"应在 {low} 到 {high} 之间，实际是 {self.value}")
            return None
        return self.value

    def sequence(self, *, required: bool = True) -> list[Field]:
        """The items of a list (a missing optional list is empty)."""
        if self.value is None:
            if required:
                self.error("缺少必填字段")
            return []
        if not isinstance(self.value, list):
            self.error(f"应为列表，实际是 {describe(self.value)}")
            return []
        return list(self.items())

    def text_list(self) -> list[str]:
        """An optional list of strings (a single string counts as a one-item list)."""
        if isinstance(self.value, str):
            return [self.value.strip()] if self.value.strip() else []
        return [t for item in self.sequence(required=False) if (t := item.text()) is not None]


def describe(value: Any) -> str:
    """A short Chinese description of a YAML value's kind, for messages."""
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return f"布尔值 {value}"
    if isinstance(value, dict):
        return "键值对"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, int | float):
        return f"数字 {value}"
    return f"文本 '{value}'"
