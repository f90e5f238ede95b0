"""The shape of the code: no import cycle, plugins use only the contract, every hook is documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pluggy
from conftest import ROOT

from facets_dynamo import hookspecs, plugin

PACKAGES = {"facets_dynamo": ROOT / "facets_dynamo",
            "facets_dynamodb_default": ROOT / "plugins/facets_dynamodb_default"}
PLUGINS = [ROOT / "plugins/facets_dynamodb_default", *sorted((ROOT / "examples").glob("*/src/*/"))]


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in PACKAGES.items():
        for file in folder.rglob("*.py"):
            parts = [package, *file.relative_to(folder).with_suffix("").parts]
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return found


def imports_of(name: str, file: Path, known: set[str]) -> set[str]:
    """Every module of ours that ``file`` imports, anywhere: top level, inside functions, under TYPE_CHECKING."""
    package = name.split(".") if file.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join([*package[:len(package) - node.level + 1], node.module or ""]).strip(".") \
                if node.level else node.module or ""
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {m for m in found if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_counting_lazy_and_type_checking_imports() -> None:
    known = modules()
    graph = {name: imports_of(name, file, set(known)) for name, file in known.items()}
    assert len(graph) > 30 and graph["facets_dynamo.api"]  # the scan sees the package
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_plugins_import_nothing_of_the_host_but_the_contract() -> None:
    assert len(PLUGINS) >= 2, PLUGINS  # the bundled plugin and the example third-party plugin
    for folder in PLUGINS:
        for file in folder.rglob("*.py"):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
                for module in names:
                    if module.split(".")[0] == "facets_dynamo":
                        assert module == "facets_dynamo.plugin", f"{file.relative_to(ROOT)} imports {module}"


def test_the_contract_exports_exactly_what_it_names() -> None:
    assert sorted(plugin.__all__) == plugin.__all__
    assert all(hasattr(plugin, name) for name in plugin.__all__)
    public = {n for n in vars(plugin) if not n.startswith("_") and n != "annotations"}
    assert public == set(plugin.__all__)


def test_every_hookspec_has_a_docstring_and_a_section_in_the_plugin_guide() -> None:
    specs = [name for name, fn in vars(hookspecs).items()
             if callable(fn) and pluggy.HookspecMarker(hookspecs.PROJECT).project_name
             and hasattr(fn, f"{hookspecs.PROJECT}_spec")]
    assert {"register_flavors", "validate", "synthesize", "plan_change", "describe", "edit_form"} <= set(specs)
    guide = (ROOT / "docs/plugins.md").read_text(encoding="utf-8")
    for name in specs:
        assert (vars(hookspecs)[name].__doc__ or "").strip(), f"hookspec {name} has no docstring"
        assert re.search(rf"^###? `{name}\(", guide, re.M), f"docs/plugins.md has no section for {name}"
