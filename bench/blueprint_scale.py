"""How long a whole blueprint takes: validate and synth of N generated resources, in-process and via the CLI.

Usage: ``python bench/blueprint_scale.py [N ...]`` (default 300). Prints one table; no thresholds here,
compare runs by eye or in CI logs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.blueprints import write_blueprint  # noqa: E402

from facets_dynamo.blueprint import load_workspace  # noqa: E402
from facets_dynamo.engine import default_engine  # noqa: E402
from facets_dynamo.synthesis import synthesize_workspace  # noqa: E402
from facets_dynamo.validation import validate_workspace  # noqa: E402


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def cli(*args: str | Path) -> float:
    script = Path(sys.executable).with_name("facets-dynamo")
    start = time.perf_counter()
    done = subprocess.run([str(script), *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed: {done.stdout}{done.stderr}")
    return time.perf_counter() - start


def main(counts: list[int]) -> None:
    rows = []
    default_engine().run(lambda: None)  # start Node once, outside the measurements
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            root = write_blueprint(Path(tmp) / "bp", n)
            load_s, ws = timed(load_workspace, [root], "dev")
            validate_s, found = timed(validate_workspace, ws)
            assert found.ok, found.to_json()[:500]
            synth_s, result = timed(synthesize_workspace, ws, validate=False)
            assert len(result.stacks) == n
            cli_validate = cli("validate", root, "--env", "dev")
            cli_synth = cli("synth", root, "--env", "dev", "--out", Path(tmp) / "out")
            rows.append((n, load_s, validate_s, synth_s, cli_validate, cli_synth))
    print(f"{'resources':>9} | {'load':>7} | {'validate':>8} | {'synth':>7} | {'cli validate':>12} | {'cli synth':>9}")
    print("-" * 68)
    for n, load_s, validate_s, synth_s, cv, cs in rows:
        print(f"{n:>9} | {load_s:>6.2f}s | {validate_s:>7.2f}s | {synth_s:>6.2f}s | {cv:>11.2f}s | {cs:>8.2f}s")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [300])
