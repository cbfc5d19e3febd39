"""The import graph keeps the layers docs/ARCHITECTURE.md draws: no module imports from a
higher layer or from another package of its own layer, and no module imports itself back
through others. Imports inside functions count (they run); those under `if TYPE_CHECKING:`
do not."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "actions")


def _layers() -> dict[str, int]:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    block = re.search(r"```layers\n(.*?)```", text, re.S)
    assert block is not None, "docs/ARCHITECTURE.md has no ```layers block"
    lines = [line.split() for line in block.group(1).strip().splitlines()]
    return {name: height for height, names in enumerate(reversed(lines)) for name in names}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The project modules `name` imports at run time, with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            typing_only.update(id(child) for child in ast.walk(node))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t for t in submodules if t in modules]
            if len(targets) < len(submodules):
                targets.append(base)
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target, node.lineno


def _package(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "actions":
        return "actions"
    return parts[1] if len(parts) > 1 else "assistant"


@pytest.fixture(scope="module")
def graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    edges: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges[name] = {}
        for target, line in _imports(name, path, modules):
            edges[name].setdefault(target, line)
    return edges


def test_every_package_has_a_layer(graph: dict[str, dict[str, int]]) -> None:
    layers = _layers()
    missing = sorted({_package(m) for m in graph} - set(layers))
    assert not missing, f"packages missing from docs/ARCHITECTURE.md's layers: {missing}"


def test_no_import_reaches_up_or_sideways(graph: dict[str, dict[str, int]]) -> None:
    layers = _layers()
    wrong = []
    for source, targets in graph.items():
        for target, line in targets.items():
            a, b = _package(source), _package(target)
            if a != b and layers.get(a, -1) <= layers.get(b, -1):
                wrong.append(f"{source}:{line} imports {target} ({a} -> {b})")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_circles(graph: dict[str, dict[str, int]]) -> None:
    # Tarjan's strongly connected components, iteratively.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    assert not circles, "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_the_checker_sees_what_it_must() -> None:
    """The graph's reading of imports: a function-level import counts, a typing-only one and
    a module's own package do not, and a circle or an upward import would be found."""
    modules = _modules()
    edges = dict(_imports("assistant.search.terms", modules["assistant.search.terms"], modules))
    assert "assistant.search.words" in edges
    assert "assistant.search.index" not in edges  # only under TYPE_CHECKING
    layers = _layers()
    assert layers["server"] > layers["services"] > layers["knowledge"] > layers["engine"]
    assert layers["engine"] > layers["llm"] > layers["persistence"] > layers["config"]


def test_modules_stay_small() -> None:
    """No Python module over 400 lines outside migrations."""
    over = {
        str(path.relative_to(ROOT)): lines
        for path in _modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not over, f"modules over 400 lines: {over}"
