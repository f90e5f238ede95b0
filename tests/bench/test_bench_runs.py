"""The benchmark script still runs against the code it measures (a changed signature broke `./dev bench`
once while every unit test passed): its in-process parts on a small workload. Figures are not asserted;
targets live in the bench's own table."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from conftest import ROOT


def test_validation_throughput_rows_are_produced(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = bench  # dataclasses look their module up while the file runs
    spec.loader.exec_module(bench)
    rows = bench.throughput(40, tmp_path)
    names = [r.name for r in rows]
    assert any("policy pack off" in n for n in names) and len(rows) == 3
    assert all(r.ours.endswith(("specs/s",)) for r in rows)
    assert "diagnostics per pass" in rows[0].notes[0]
