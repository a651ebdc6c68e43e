"""The layout is the architecture: `core/` imports point one way and never reach Telegram.

The import graph is read from the source (every `import` and `from … import`, those inside
functions too), so a cycle or a wrong-way import fails here before it confuses a reader.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
SHARED = {"clock", "errors", "messages", "delivery", "sheets"}
# Lowest first: each package may import only those before it (and the shared modules).
LAYERS = [
    "dates",
    "store",
    "config",
    "organization",
    "roster",
    "meetings",
    "quizzes",
    "scheduling",
    "reports",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every module a source file imports (a `from core import x` names `core.x`)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "core":
                yield from (f"core.{alias.name}" for alias in node.names)
            else:
                yield node.module


def core_graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(CORE.rglob("*.py")):
        graph[module_name(path)] = set(imported(path))
    return graph


def package_of(module: str) -> str:
    """`core.quizzes.group_quiz` → `quizzes`; a shared module is its own package."""
    return module.split(".")[1] if module.count(".") else module


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in the graph, as the path that closes it, if there is one."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph.get(node, ())):
            if cycle := visit(target, [*path, node]):
                return cycle
        done.add(node)
        return None

    return next((cycle for node in sorted(graph) if (cycle := visit(node, []))), None)


def test_the_graph_reader_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_core_has_no_import_cycle() -> None:
    graph = core_graph()
    inside = {module: {t for t in targets if t in graph} for module, targets in graph.items()}
    assert find_cycle(inside) is None


def test_core_never_imports_telegram() -> None:
    wrong = {
        module: sorted(t for t in targets if t.split(".")[0] in {"telegram", "handlers", "bot"})
        for module, targets in core_graph().items()
    }
    assert {module: targets for module, targets in wrong.items() if targets} == {}


def test_only_the_shared_modules_sit_directly_in_core() -> None:
    loose = {p.stem for p in CORE.glob("*.py")} - {"__init__"}
    assert loose == SHARED
    assert sorted(p.name for p in CORE.iterdir() if (p / "__init__.py").exists()) == sorted(LAYERS)


@pytest.mark.parametrize("package", LAYERS)
def test_a_package_imports_only_the_packages_below_it(package: str) -> None:
    allowed = set(LAYERS[: LAYERS.index(package) + 1]) | SHARED | {"core"}
    reached = {
        (module, target)
        for module, targets in core_graph().items()
        if package_of(module) == package
        for target in targets
        if target.startswith("core.") and package_of(target) not in allowed
    }
    assert reached == set()


@pytest.mark.parametrize("package", LAYERS)
def test_each_package_says_what_it_owns(package: str) -> None:
    docstring = ast.get_docstring(ast.parse((CORE / package / "__init__.py").read_text()))
    assert docstring and "import" in docstring.lower()  # what it owns, what it may import
