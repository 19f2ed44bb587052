"""The layout holds: layers import only downward, views are pure, nothing imports the CLI
module, and the import graph of tuneup/ has no cycles (function-level imports included).

The layers, top to bottom: ``__main__``, ``cli``, ``tutor``, ``commands``, ``views``, then
the core (everything else). See docs/architecture.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tuneup"

#: Higher layers may import lower ones, never the reverse. Everything else is the core (0).
MAX_LINES = 400
LAYERS = {
    "tuneup.__main__": 5,
    "tuneup.cli": 4,
    "tuneup.tutor": 3,
    "tuneup.commands": 2,
    "tuneup.views": 1,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def _imports(name: str, path: Path, known: set[str], *, typing: bool = True) -> set[str]:
    """Every tuneup module ``name`` imports, anywhere in the file (with ``typing``, also
    the imports only type checkers see)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    skip = set() if typing else _type_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph(*, typing: bool = True) -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known, typing=typing) for name, path in modules.items()}


def _layer(module: str) -> int:
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return 0


def test_layers_import_only_downward() -> None:
    upward = [
        f"{m} (layer {_layer(m)}) imports {t} (layer {_layer(t)})"
        for m, targets in _graph().items()
        for t in targets
        if _layer(t) > _layer(m)
    ]
    assert not upward, "\n".join(upward)


def test_views_import_neither_the_tutor_nor_the_commands() -> None:
    graph = _graph()
    for module, targets in graph.items():
        if _layer(module) == 1:
            assert not [t for t in targets if _layer(t) > 1], module


FILE_IO = re.compile(
    r"\bopen\(|\.(stat|mkdir|write_text|write_bytes|read_text|read_bytes|unlink)\("
)


def test_views_touch_no_files() -> None:
    """Views draw what they are given; the commands read and write the files."""
    touching = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted((PACKAGE / "views").glob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FILE_IO.search(line)
    ]
    assert not touching, "\n".join(touching)


def test_nothing_imports_the_cli_module() -> None:
    importers = [m for m, targets in _graph().items() if "tuneup.cli" in targets]
    assert importers == ["tuneup.__main__"]


def test_no_import_cycles() -> None:
    """Imports that run (at load time or inside functions) form no circle; imports for type
    checkers only (``if TYPE_CHECKING:``) may point back."""
    graph = _graph(typing=False)
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []
    cycles: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "\n".join(cycles)


def test_no_module_is_over_about_400_lines() -> None:
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long
