"""Fixtures of the editor tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def blueprint(tmp_path: Path, example_bp: Path) -> Path:
    """A copy of the example blueprint the editor may write into."""
    root = tmp_path / "blueprint"
    shutil.copytree(example_bp, root)
    return root
