"""YAML loading that remembers where every value came from.

Admins edit the YAML files by hand, so every error must name the file, the
line and the field. `load_yaml` returns plain dicts and lists (subclasses that
carry line numbers); `validate_document` checks one against its declared model
(`schema.py`) and places each of the model's errors with a `Field` cursor, and
validators walk them with the same cursor; every `ConfigProblem` is collected
before the file is refused.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import annotated_types
import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

MAX_FILE_BYTES = 32_000_000
# What the Bot API lets a bot download from Telegram's servers (getFile): 20 MB.
MAX_UPLOAD_BYTES = 20_000_000
# Lists and mappings inside each other, at most. The files need fewer than 10 levels;
# libyaml's scanning time grows with the square of the depth (24,000 levels: 3.8 s).
MAX_DEPTH = 64


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One thing wrong in a configuration file."""

    file: str
    line: int
    field: str
    message: str
    label: str = ""
    """How the place is said when the field's path is not: `第 2 题（td-002，第 12 行）answer`."""

    def __str__(self) -> str:
        if self.label:
            return f"{self.file} {self.label}：{self.message}"
        where = f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ConfigErrors(Exception):
    """A file (or set of files) was refused; carries every problem found."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NestingTooDeep(Exception):
    """A document nests lists and mappings more than `MAX_DEPTH` levels deep."""

    def __init__(self, line: int) -> None:
        super().__init__(f"nesting deeper than {MAX_DEPTH} levels at line {line}")
        self.line = line


class LineDict(dict[str, Any]):
    """A mapping from YAML that knows its own line and each key's line."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence from YAML that knows its own line and each item's line."""

    line: int = 0
    item_lines: list[int]


# libyaml's C parser when PyYAML was built with it (the wheels are); pure Python otherwise.
_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_scalars = yaml.SafeLoader("")  # used only for its resolver and scalar constructors
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# A plain scalar starting with anything else (a CJK character, most letters) is a string;
# only these can begin a null, bool, number, timestamp, merge key or value key.
_MAYBE_NOT_TEXT = frozenset("0123456789+-.~<=nNtTfFoOyY")


class _Frame:
    """A mapping or sequence under construction, and the key waiting for its value."""

    __slots__ = ("container", "key", "key_line")

    def __init__(self, container: LineDict | LineList) -> None:
        self.container = container
        self.key: str | None = None
        self.key_line = 0


def _build(text: str) -> Any:
    """Turn YAML text into LineDict/LineList/scalars from the parser's event stream.

    Working on events (rather than PyYAML's node graph and constructors) keeps a
    10,000-question bank well under a second while still knowing every line.
    Aliases are refused outright: the files never need them, and refusing them is
    the simplest defence against "billion laughs" expansion. Nesting deeper than
    `MAX_DEPTH` is refused at its first level too deep: libyaml scans only as far as
    the events taken, so a 100,000-deep file costs what 65 levels cost.
    """
    parser = _Parser(text)
    try:
        return _build_from(parser)
    finally:
        parser.dispose()


def _build_from(parser: Any) -> Any:
    stack: list[_Frame] = []
    document: Any = None
    documents = 0
    while parser.check_event():
        event = parser.get_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.ScalarEvent):
            _add(stack, _scalar(event), line, event)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            container: LineDict | LineList
            if isinstance(event, yaml.MappingStartEvent):
                container = LineDict()
                container.key_lines = {}
            else:
                container = LineList()
                container.item_lines = []
            container.line = line
            if len(stack) >= MAX_DEPTH:
                raise NestingTooDeep(line)
            stack.append(_Frame(container))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            finished = stack.pop().container
            if stack:
                _add(stack, finished, finished.line, event)
            else:
                document = finished
        elif isinstance(event, yaml.AliasEvent):
            raise _marked("别名（*alias）在本系统的配置文件中不被支持", event)
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise _marked("一个文件只能包含一个 YAML 文档（多了一个 ---）", event)
    return document if stack == [] else None


def _add(stack: list[_Frame], value: Any, line: int, event: Any) -> None:
    if not stack:
        # A document that is a single scalar: keep it so the schema can say it is wrong.
        stack.append(_Frame(LineList()))
        stack[0].container.append(value)  # type: ignore[union-attr]
        return
    frame = stack[-1]
    container = frame.container
    if isinstance(container, LineList):
        container.append(value)
        container.item_lines.append(line)
    elif frame.key is None:
        if isinstance(value, dict | list):
            raise _marked("键必须是简单的文字", event)
        key = str(value)
        if key in container:
            raise _marked(f"重复的键 '{key}'", event)
        frame.key, frame.key_line = key, line
    else:
        container[frame.key] = value
        container.key_lines[frame.key] = frame.key_line
        frame.key = None


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    plain = event.implicit[0]
    if event.tag not in (None, "!", STR_TAG) and not plain:
        raise _marked(f"不支持的 YAML 标签 {event.tag}", event)
    if not plain or event.tag == STR_TAG or (value and value[0] not in _MAYBE_NOT_TEXT):
        return value
    tag = _scalars.resolve(yaml.ScalarNode, value, (True, False))
    if tag in (STR_TAG, TIMESTAMP_TAG):
        return value  # dates stay as written; the schema decides how to parse them
    if tag == "tag:yaml.org,2002:merge":
        raise _marked("不支持合并键（<<）", event)
    return _scalars.construct_object(yaml.ScalarNode(tag, value))


def _marked(problem: str, event: Any) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(None, None, problem, event.start_mark)


def load_yaml(path: Path, display_name: str | None = None) -> Any:
    """Parse one YAML file; raise `ConfigErrors` naming file and line on any syntax problem."""
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        problem = ConfigProblem(name, 0, "", f"无法读取文件：{error.strerror}")
        raise ConfigErrors([problem]) from error
    return parse_yaml_text(raw, name)


def parse_yaml_text(raw: bytes, name: str, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """Parse YAML bytes (already read) under a display name used in messages."""
    if len(raw) > max_bytes:
        limit = f"{max_bytes / 1_000_000:g} MB"
        raise ConfigErrors([ConfigProblem(name, 0, "", f"文件超过 {limit}，拒绝加载")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigErrors([ConfigProblem(name, 1, "", "文件不是 UTF-8 编码")]) from error
    try:
        return _build(text)
    except NestingTooDeep as error:
        problem = f"嵌套超过 {MAX_DEPTH} 层（列表或键值对套得太深），拒绝加载"
        raise ConfigErrors([ConfigProblem(name, error.line, "", problem)]) from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        reason = error.problem or error.context or "YAML 语法错误"
        raise ConfigErrors([ConfigProblem(name, line, "", f"YAML 语法错误：{reason}")]) from error
    except yaml.YAMLError as error:
        raise ConfigErrors([ConfigProblem(name, 0, "", f"YAML 语法错误：{error}")]) from error


@dataclass(slots=True)
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
        return (self.item(index) for index in range(len(self.value)))

    def item(self, index: int) -> Field:
        """The element at `index` of this sequence."""
        lines = getattr(self.value, "item_lines", [])
        line = lines[index] if index < len(lines) else self.line
        return Field(self.file, f"{self.path}[{index}]", line, self.value[index], self.problems)

    def text(self) -> str | None:
        """A non-empty string (numbers are accepted and converted)."""
        problem = not_text(self.value)
        if problem is not None:
            self.error(problem)
            return None
        return str(self.value).strip()

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


# ---------------------------------------------------------------- problems from a declared model


MISSPELT = "misspelt"
"""The kind of a `ModelError` that is a known key misspelt: an unknown key close to a key its
mapping lacks. It stands in for both the unknown key and the missing one, and its `loc` is
the missing key's, so the checks after the model treat that field as refused."""


@dataclass(frozen=True)
class ModelError:
    """One error of a declared model, placed in the document: `node` is the value it is about."""

    node: Field
    loc: tuple[int | str, ...]
    kind: str
    context: dict[str, Any]
    message: str
    key: str | None = None
    """The key the error is about: that of the field, or the unknown or missing one."""

    @property
    def top_level(self) -> bool:
        """Whether it is about the whole document (not a mapping), so nothing in it is read."""
        return self.loc == ()

    def problem(self, message: str | None = None) -> ConfigProblem:
        """The problem as reported: `message`, else the common wording for this kind of error."""
        node = self.node
        return ConfigProblem(node.file, node.line, node.path, message or self._common_message())

    def _common_message(self) -> str:
        value, kind, context = self.node.value, self.kind, self.context
        if kind == MISSPELT:
            return f"字段名 {context['written']} 应为 {context['meant']}"
        if kind == "extra_forbidden":
            hint = difflib.get_close_matches(str(self.key), context["allowed"], n=1)
            suggestion = f"，是否想写 '{hint[0]}'？" if hint else ""
            return f"未知的字段 '{self.key}'{suggestion}"
        if kind == "missing":
            return "缺少必填字段"
        if kind in ("string_type", "string_too_short", "string_pattern_mismatch"):
            return not_text(value) or self.message
        if kind in ("string_too_long", "too_long") and not isinstance(value, list):
            text = str(value).strip()
            return f"太长（{len(text)} 字），最多 {context['max_length']} 字"
        if value is None:
            return "缺少必填字段"
        if kind == "int_type":
            return f"应为整数，实际是 {describe(value)}"
        if kind in ("greater_than_equal", "less_than_equal"):
            return f"应在 {context['ge']} 到 {context['le']} 之间，实际是 {value}"
        if kind == "list_type":
            return f"应为列表，实际是 {describe(value)}"
        if kind.startswith(("date_", "datetime_")):
            return f"应为日期，如 2024-03-15，实际是 {describe(value)}"
        if kind in ("model_type", "model_attributes_type", "dict_type"):
            return f"应为键值对（mapping），实际是 {describe(value)}"
        if kind == "literal_error":  # pydantic lists the choices as "'a', 'b' or 'c'"
            choices = "、".join(re.findall(r"'([^']*)'", str(context.get("expected", ""))))
            return f"应为 {choices} 之一，实际是 {describe(value)}"
        return self.message


def not_text(value: Any) -> str | None:
    """Why a value cannot be read as a text (missing, not text, blank), or None if it can."""
    if value is None:
        return "缺少必填字段"
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return f"应为文本，实际是 {describe(value)}"
    if not str(value).strip():
        return "不能为空"
    return None


Shape = typing.TypeVar("Shape", bound=BaseModel)


def validate_document(
    model: type[Shape], file: str, document: Any
) -> tuple[Shape | None, list[ModelError]]:
    """The document validated by `model`, or every error, each placed at its line and field.

    A document that is not a mapping is reported alone, as nothing in it can be read.
    """
    try:
        return model.model_validate(document), []
    except ValidationError as refused:
        errors = _placed_errors(model, file, document, refused)
    top = [error for error in errors if error.top_level]
    return None, top or errors


def _placed_errors(
    model: type[BaseModel], file: str, document: Any, refused: ValidationError
) -> list[ModelError]:
    """Each error at its place; of a union's alternatives only the one for the value's kind."""
    root = Field.root(file, document)
    placed: list[tuple[ModelError, list[tuple[str, str]]]] = []
    for details in refused.errors(include_url=False):
        node, key = root, None
        mapping = root  # the mapping holding `key`
        branches: list[tuple[str, str]] = []  # the union alternatives taken, by path
        loc = details["loc"]
        for index, step in enumerate(loc):
            if isinstance(step, int) and isinstance(node.value, list):
                node = node.item(step)
            elif isinstance(node.value, dict) and (
                step in node.value or (index == len(loc) - 1 and details["type"] == "missing")
            ):
                mapping, node, key = node, node.child(str(step)), str(step)
            elif not branches or branches[-1][0] != node.path:  # named by pydantic
                branches.append((node.path, str(step)))
        context = dict(details.get("ctx") or {})
        if details["type"] == "extra_forbidden":
            context["allowed"] = sorted(_fields_at(model, loc[:-1]))
            context["mapping"] = mapping
        if details["type"] in ("greater_than_equal", "less_than_equal"):
            context.update(_bounds_at(model, loc))
        error = ModelError(node, loc, details["type"], context, details["msg"], key)
        placed.append((error, branches))
    alternatives: dict[str, list[str]] = {}
    for _, branches in placed:
        for path, name in branches:
            if name not in alternatives.setdefault(path, []):
                alternatives[path].append(name)
    chosen = {
        path: _alternative_for(node_at(root, path).value, names)
        for path, names in alternatives.items()
    }
    return _typos_said_once(
        [
            error
            for error, branches in placed
            if all(chosen[path] == name for path, name in branches)
        ]
    )


def _typos_said_once(errors: list[ModelError]) -> list[ModelError]:
    """Each unknown key close to a key its mapping lacks, said once as that key misspelt
    (字段名 txet 应为 text), in place of both "unknown txet" and "missing text"."""
    misspelt: dict[tuple[int | str, ...], ModelError] = {}
    typos: set[int] = set()  # the unknown keys said as misspelt, by their index in `errors`
    for index, error in enumerate(errors):
        if error.kind != "extra_forbidden":
            continue
        mapping: Field = error.context["mapping"]
        absent = [key for key in error.context["allowed"] if key not in mapping.value]
        close = difflib.get_close_matches(str(error.key), absent, n=1)
        loc = (*error.loc[:-1], close[0]) if close else ()
        if not close or loc in misspelt:
            continue
        line = mapping.value.key_lines.get(str(error.key), mapping.line)
        context = {"written": error.key, "meant": close[0]}
        misspelt[loc] = ModelError(
            replace(mapping, line=line), loc, MISSPELT, context, "", close[0]
        )
        typos.add(index)
    kept = [
        error
        for index, error in enumerate(errors)
        if index not in typos and error.loc not in misspelt
    ]
    return kept + list(misspelt.values())


def _alternative_for(value: Any, names: list[str]) -> str:
    """The alternative of a union whose errors say what is wrong with `value`: a model's for
    a mapping, a text's for a text, else a list's (a single text stands for a one-item list)."""
    models = [name for name in names if name.isidentifier() and name[:1].isupper()]
    lists = [name for name in names if name.startswith("list[")]
    others = [name for name in names if name not in models and name not in lists]
    if isinstance(value, dict) and models:
        return models[0]
    if isinstance(value, str) and others:
        return others[0]
    return (lists or others or models)[0]


def node_at(root: Field, path: str) -> Field:
    """The cursor at a path such as 'questions[3].answer' below the document's root."""
    node = root
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        node = node.item(int(index)) if index else node.child(key)
    return node


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed in the mapping at `loc`: those of the model declaring it."""
    current: type[BaseModel] | None = model
    for step in loc:
        # Items (int) and a union's alternatives (named by pydantic) stay in the same model.
        if current is not None and step in current.model_fields:
            current = _model_in(current.model_fields[str(step)].annotation)
    return list(current.model_fields) if current is not None else []


def _bounds_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> dict[str, Any]:
    """Both declared bounds (ge and le) of the number at `loc`: an error names only one."""
    found: Any = None
    current: type[BaseModel] | None = model
    for step in loc:
        if current is not None and step in current.model_fields:
            found = current.model_fields[str(step)]
            current = _model_in(found.annotation) or current
    bounds: dict[str, Any] = {}
    _collect_bounds([found], bounds)
    return bounds


def _collect_bounds(items: typing.Iterable[Any], bounds: dict[str, Any]) -> None:
    for item in items:
        if isinstance(item, annotated_types.Ge):
            bounds["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            bounds["le"] = item.le
        elif isinstance(item, FieldInfo):
            _collect_bounds([*item.metadata, item.annotation], bounds)
        else:
            _collect_bounds(typing.get_args(item), bounds)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field's type holds (in a list, union or Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        if (found := _model_in(argument)) is not None:
            return found
    return None
