"""The seams, read from the source with ``ast``: emulator/ and backend/ never import each other,
and no module of emulator/ imports itself through others (an import cycle).

Every import counts, at module level or inside a function (a deferred import still loads the
module), except those under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules(package: str) -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(module: str, path: Path, modules: Collection[str]) -> Iterator[str]:
    """The modules that ``module`` imports: ``from a import b`` is module ``a.b`` if there is
    one (the parent package's ``__init__`` is loaded by every import of its modules: no edge),
    else ``a``."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    pending: list[ast.AST] = [ast.parse(path.read_text(encoding="utf-8"))]
    while pending:
        node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                pending.extend(child.orelse)
                continue
            if isinstance(child, ast.Import):
                yield from (alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package[: len(package) - child.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                for alias in child.names:
                    name = f"{base}.{alias.name}"
                    yield name if name in modules else base
            pending.append(child)


def _import_graph(package: str) -> dict[str, set[str]]:
    modules = _modules(package)
    return {
        module: {name for name in _imported_names(module, path, modules) if name in modules} - {module}
        for module, path in modules.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in sorted(graph[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return cycles


def _imports_of(package: str, other: str) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, path in _modules(package).items()
        for name in _imported_names(module, path, ())
        if name == other or name.startswith(f"{other}.")
    )


def test_emulator_has_no_import_cycle():
    assert _cycles(_import_graph("emulator")) == []


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_emulator_never_imports_backend():
    assert _imports_of("emulator", "backend") == []


def test_backend_never_imports_emulator():
    assert _imports_of("backend", "emulator") == []
