"""From a list of changed files (what pre-commit or a pull request hands over) to what to check.

A changed base file, override or ``environment.json`` of a blueprint means: check that whole blueprint, for
every environment it has (an override alone is only half a document). A JSON file outside any blueprint
layout that looks like a resource (it has ``kind`` / ``flavor``) is checked on its own; anything else
(``package.json``, editor settings) is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .blueprint import ENVIRONMENT_FILE, blueprint_root_of, list_environments
from .environment import DEFAULT_ENVIRONMENT


@dataclass
class Targets:
    blueprints: dict[Path, list[str]] = field(default_factory=dict)  # root -> environments to check
    files: list[Path] = field(default_factory=list)  # loose resource documents


def _root_of(path: Path) -> Path | None:
    """The blueprint a file belongs to: ``<bp>/<kind>/instances/x.json``, ``<bp>/<env>/<kind>/instances/x.json``,
    ``<bp>/environment.json`` or ``<bp>/<env>/environment.json``."""
    layout = blueprint_root_of(path)
    if layout is not None:
        root, kind = layout
        # an override <bp>/<env>/<kind>/instances/x.json: <bp> holds the base <kind>/instances folder
        if (root.parent / kind / "instances").is_dir() and root.name in list_environments(root.parent):
            return root.parent
        return root
    if path.name == ENVIRONMENT_FILE:
        parent = path.parent
        if any(parent.parent.glob("*/instances/*.json")) and parent.name in list_environments(parent.parent):
            return parent.parent  # <bp>/<env>/environment.json
        if any(parent.glob("*/instances/*.json")):
            return parent  # <bp>/environment.json
    return None


def targets(paths: list[Path]) -> Targets:
    found = Targets()
    for path in paths:
        if path.suffix != ".json":
            continue
        root = _root_of(path)
        if root is not None:
            if root not in found.blueprints:
                found.blueprints[root] = [DEFAULT_ENVIRONMENT, *[e for e in list_environments(root)
                                                                 if e != DEFAULT_ENVIRONMENT]]
            continue
        if not path.is_file():
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            doc = None
        if isinstance(doc, dict) and "kind" in doc and "flavor" in doc:
            found.files.append(path)
    return found
