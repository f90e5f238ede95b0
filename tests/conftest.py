"""Shared fixtures: the example blueprint, a minimal valid document, and the console script."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("MUTANT_UNDER_TEST"):  # ./dev mutate: one failing example kills a mutant; shrinking it is waste
    from hypothesis import Phase, settings

    settings.register_profile("mutation", phases=[Phase.explicit, Phase.generate], database=None)
    settings.load_profile("mutation")

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"  # shared test data (bad_inputs, golden, conformance, fake_plugin) lives here
EXAMPLE = ROOT / "examples" / "blueprint"
MINIMAL: dict[str, Any] = {
    "kind": "dynamodb",
    "flavor": "default",
    "version": "0.2",
    "metadata": {},
    "spec": {"attributes": {"key1": {"name": "LockID", "type": "S"}}, "hash_key": "LockID"},
}


@pytest.fixture
def example_bp() -> Path:
    return EXAMPLE


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh copy of the canonical minimal valid document (enabled)."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def write_json(tmp_path: Path):
    """Write a document to ``tmp_path/<name>`` pretty-printed (so lines are predictable)."""

    def write(doc: Any, name: str = "locks.json") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        return path

    return write


def console_script() -> str:
    script = Path(sys.executable).with_name("facets-dynamo")
    assert script.exists(), "install the project first: pip install -e .[dev]"
    return str(script)


@pytest.fixture
def run_cli():
    """Run the installed ``facets-dynamo`` console script, as a pipeline would."""

    def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([console_script(), *map(str, args)], capture_output=True, text=True,
                              cwd=cwd, env=full_env, timeout=timeout)

    return run


@pytest.fixture
def blueprint(tmp_path: Path, example_bp: Path) -> Path:
    """A copy of the example blueprint that a test (the editor, say) may write into."""
    import shutil

    root = tmp_path / "blueprint"
    shutil.copytree(example_bp, root)
    return root
