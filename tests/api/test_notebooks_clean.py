"""Committed notebooks carry no outputs, and the kernel that runs them in CI is this interpreter.

Outputs in git make diffs unreadable and can leak whatever a run printed; ``pytest`` executes every
notebook with nbmake (see ``[tool.pytest.ini_options]``), so the committed copy only needs the code.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT


def committed_notebooks() -> list[Path]:
    """Notebooks git tracks (or, outside a git checkout, every notebook under notebooks/)."""
    if shutil.which("git") and (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z", "--", "*.ipynb"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout
        found = [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]
        # notebooks not yet committed are about to be: check them too
        return sorted(set(found) | set((ROOT / "notebooks").glob("*.ipynb")))
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_example_notebook_exists() -> None:
    assert ROOT / "notebooks" / "explore_dynamodb.ipynb" in committed_notebooks()


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: p.name)
def test_notebook_has_no_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    assert book.metadata.get("kernelspec", {}).get("name") == "python3", "CI runs notebooks with kernel python3"
    for index, cell in enumerate(book.cells):
        if cell.cell_type != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {index} has outputs: clear them before committing"
        assert cell.get("execution_count") is None, f"{path.name} cell {index} has an execution count"
    # a per-cell timeout below nbmake's 300 s default bounds the rare stall of the Jupyter client stack
    timeout = book.metadata.get("execution", {}).get("timeout")
    assert isinstance(timeout, int) and 0 < timeout <= 300, f"{path.name}: set metadata.execution.timeout"


def test_kernel_python3_runs_this_interpreter() -> None:
    """nbmake starts kernel ``python3``; it must be the environment under test, not some other Python."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    program = spec.argv[0]
    # jupyter_client replaces a bare "python"/"python3"/"python3.X" with sys.executable when it starts a kernel
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    assert program in bare or Path(program) == Path(sys.executable), (
        f"kernel python3 runs {program}, not {sys.executable}; fix with: "
        f"{sys.executable} -m ipykernel install --sys-prefix"
    )
    assert spec.argv[1:3] == ["-m", "ipykernel_launcher"]
