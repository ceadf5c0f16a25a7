"""The shape of the code a maintainer relies on: module size, the direction of imports, one of each helper.

Read from the source with ``ast``; nothing is imported, so a cycle that Python happens to resolve still fails here.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "shoudi"
MAX_LINES = 800

# app → the apps it may import (downward only); an app absent from the table may import any app below the outputs
LAYERS = {
    "core": set(),
    "regions": {"core"},
    "accounts": {"core", "regions"},
    "registry": {"core", "regions", "accounts"},
    "monitoring": {"core", "regions", "accounts", "registry"},
    # assistance's guarantee problems run on work's one problem life cycle (ADR 0011): work sits below assistance
    "assistance": {"core", "regions", "accounts", "registry", "monitoring", "work"},
    "work": {"core", "regions", "accounts", "registry"},
    "campaigns": {"core", "regions", "accounts", "registry", "work"},
    "tasklists": {"core", "regions", "accounts", "registry", "work"},
    "teams": {"core", "regions", "accounts", "registry", "monitoring", "assistance", "work"},
    "quality": {"core", "regions", "accounts", "registry", "monitoring", "assistance", "work"},
    "projects": {"core", "regions", "accounts", "registry", "work"},
    "lowincome": {"core", "regions", "accounts", "registry", "monitoring", "assistance", "work"},
    "sectors": {"core", "regions", "accounts", "registry", "monitoring", "work"},
    "employment": {"core", "regions", "accounts", "registry", "monitoring", "work"},
}
OUTPUTS = {"ledgers", "cards", "dashboards"}
DOMAIN = {
    "regions",
    "accounts",
    "registry",
    "monitoring",
    "assistance",
    "matching",
    "work",
    "campaigns",
    "tasklists",
    "quality",
    "teams",
    "lowincome",
    "projects",
    "sectors",
    "employment",
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(path: Path) -> set[str]:
    """The shoudi modules ``path`` imports (module level and inside functions; not under ``if TYPE_CHECKING``)."""
    name = _name(path)
    package = name if _is_package(path) else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    module = ".".join([*base, child.module] if child.module else base)
                else:
                    module = child.module or ""
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m == "shoudi" or m.startswith("shoudi.")}


@cache
def _graph() -> dict[str, set[str]]:
    modules = {_name(p): p for p in _modules()}
    graph = {}
    for name, path in modules.items():
        # "from shoudi.x import y" names module shoudi.x.y only when it exists; otherwise y is an attribute of x
        graph[name] = {m for m in _imports(path) if m in modules and m != name}
    return graph


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_module_is_longer_than_800_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_cycle_between_modules():
    graph = _graph()
    cycles, state = [], {}

    def walk(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph[node]):
            # a package importing its own parts (``__init__`` re-exporting) is not a cycle of two ideas
            if target.startswith(node + "."):
                continue
            if state.get(target) == "open":
                cycles.append(" → ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                walk(target, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            walk(node, [])
    assert cycles == []


@pytest.mark.parametrize("app", sorted(LAYERS))
def test_apps_import_only_the_layers_below(app):
    allowed = LAYERS[app] | {app, ""}
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _app(module) == app
        for target in targets
        if _app(target) not in allowed
    )
    assert wrong == []


def test_the_domain_never_imports_the_outputs():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _app(module) in DOMAIN
        for target in targets
        if _app(target) in OUTPUTS
    )
    assert wrong == []


def test_matching_does_not_import_the_household_import():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in _graph().items()
        if _app(module) == "matching"
        for target in targets
        if target.startswith("shoudi.registry.importing")
    )
    assert wrong == []


def test_one_gb11643_implementation():
    # the check characters of GB 11643, in the order of the weighted sum modulo 11
    holders = sorted(str(p.relative_to(ROOT)) for p in _modules() if "10X98765432" in p.read_text(encoding="utf-8"))
    assert len(holders) == 1, holders
