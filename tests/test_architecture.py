"""The shape of the code, checked from its imports so it cannot drift.

Every module of the project is parsed (never imported) and each `import` statement, at
the top or inside a function, becomes an edge. Three rules follow from README's map:

* the ground floor (core, accounts, audit, patients) knows no app built on top of it;
* each app imports only the apps below it in LAYERS;
* no two modules of the project import each other, directly or round a longer circle.

A fourth keeps modules small enough for one person to read.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Bottom first. An app may import itself and any app listed before it, never one after.
# `clinic` (settings, urls, celery) wires everything together and sits on top.
LAYERS = [
    "core",
    "accounts",
    "audit",
    "patients",
    "care",
    "intake",
    "evaluations",
    "reports",
    "dashboard",
    "clinic",
]
GROUND = {"core", "accounts", "audit", "patients"}
# accounts and core both sit on the ground floor and use each other's pieces (core's
# middleware reads accounts' roles; accounts' views use core's forms and limits), so
# within the ground floor the rule is "no app above", not a strict order.
GROUND_MUTUAL = GROUND
MAX_LINES = 600
# Data, not code to read: the catalog's entries and the body chart's geometry.
LONG_DATA_FILES: set[str] = set()


def project_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for app in LAYERS:
        base = ROOT / app
        if not base.is_dir():
            continue
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = project_modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def _project_target(name: str) -> str | None:
    """The longest project module `name` refers to (a module or a name inside one)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def imports_of(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    targets: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            target = _project_target(name)
            if target and target != module:
                targets.add(target)
    return targets


GRAPH = {module: imports_of(module) for module in MODULES}


def app_of(module: str) -> str:
    return module.split(".")[0]


def test_the_ground_floor_knows_no_app_above_it():
    above = set(LAYERS) - GROUND
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if app_of(module) in GROUND
        for target in targets
        if app_of(target) in above
    )
    assert wrong == []


def test_each_app_imports_only_the_apps_below_it():
    rank = {app: i for i, app in enumerate(LAYERS)}
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if rank[app_of(target)] > rank[app_of(module)]
        and not (app_of(module) in GROUND_MUTUAL and app_of(target) in GROUND_MUTUAL)
    )
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    # A package's __init__ re-exporting its own submodules is not a circle a reader
    # trips over; an __init__ that imports a module which imports the package back is
    # still counted through the submodule's own edges.
    return {
        module: {t for t in targets if not t.startswith(module + ".")}
        for module, targets in graph.items()
    }


def test_no_module_imports_round_a_circle():
    assert _cycles(_package_edges(GRAPH)) == []


def test_the_checker_finds_a_circle_and_a_layer_breach():
    # The rules above would pass vacuously if parsing found no edges at all.
    assert "core.models" in GRAPH["core.views"] or GRAPH["core.views"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert sum(len(t) for t in GRAPH.values()) > 300


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_fits_in_a_readers_head(module):
    path = MODULES[module]
    if str(path.relative_to(ROOT)) in LONG_DATA_FILES:
        pytest.skip("data, not code")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def test_pure_clinical_modules_stay_free_of_the_orm():
    pure = [
        "evaluations.neuro",
        "evaluations.mdt",
        "evaluations.neurodynamic",
        "evaluations.classification",
        "intake.pattern",
    ]
    wrong = defaultdict(list)
    for module in pure:
        if module not in MODULES:
            continue
        source = MODULES[module].read_text(encoding="utf-8")
        for bad in ("django.db", ".models import", "objects."):
            if bad in source:
                wrong[module].append(bad)
    assert dict(wrong) == {}
