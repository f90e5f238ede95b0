"""How quickly the spec editor reacts: keystroke -> updated preview, and launch -> first preview.

Run it (``python bench/tui_latency.py``) for a table, or call :func:`measure` (``bench/run.py`` does).
Each measurement runs in a fresh interpreter so the launch figure includes importing Textual, loading
the blueprint and starting the engine (Node), exactly what a user waits for.

- launch_to_first_preview_ms: process start -> first synthesized preview on screen (no debounce).
- keystroke_to_preview_ms (median, p95, max): a key typed into the JSON editor of examples/blueprint
  orders (env dev, the largest stack) -> its preview shown, minus the debounce sleep (the editor waits
  that long on purpose for the typing to pause).
- validate_ms / synth_ms / render_ms (median): the parts of that path (UI thread, engine thread, UI thread).
- load_average: the machine's 1-minute load when the run ended (figures are only comparable at similar load).
Targets (issue 4): keystroke <= 150 ms, launch <= 3000 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYSTROKES = 25
TARGETS = {"keystroke_to_preview_ms": 150.0, "launch_to_first_preview_ms": 3000.0}


def measure(keystrokes: int = KEYSTROKES) -> dict[str, float]:
    """Run the benchmark in a child interpreter and return its figures (milliseconds)."""
    started = time.time()
    done = subprocess.run([sys.executable, __file__, "--child", repr(started), str(keystrokes)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "TEXTUAL": ""})
    if done.returncode != 0:
        raise RuntimeError(f"tui latency child failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(started: float, keystrokes: int) -> dict[str, float]:
    import asyncio
    import shutil
    import tempfile

    from facets_dynamo.tui.app import EditorApp

    tmp = Path(tempfile.mkdtemp(prefix="tui-bench-"))
    root = tmp / "blueprint"
    shutil.copytree(ROOT / "examples" / "blueprint", root)
    orders = root / "dynamodb" / "instances" / "orders.json"
    out: dict[str, float] = {}

    async def run() -> None:
        app = EditorApp(orders, "dev")
        async with app.run_test(size=(160, 45)) as pilot:
            while app.timings.first_preview is None:
                await asyncio.sleep(0.002)
            out["launch_to_first_preview_ms"] = (time.time() - started) * 1000
            text = app.editor.text
            row = text[: text.index('"commerce"')].count("\n")
            col = text.splitlines()[row].index('"commerce"') + len('"commerce')  # before the closing quote
            app.editor.focus()
            app.editor.move_cursor((row, col))
            latencies, checks, synths, renders = [], [], [], []
            for _ in range(keystrokes):
                await asyncio.sleep(app.debounce + 0.05)  # a pause in typing, so every key gets a preview
                pressed = time.perf_counter()
                await pilot.press("x")
                while app.shown_generation != app.generation or app.preview_state != "fresh":
                    await asyncio.sleep(0.001)
                latencies.append((app.timings.last_shown - pressed - app.timings.last_debounce) * 1000)
                checks.append(app.timings.last_check_ms)
                synths.append(app.timings.last_synth_ms)
                renders.append(app.timings.last_render_ms)
            assert "commerce" + "x" * keystrokes in app.preview.text, "the preview did not follow the edits"
            latencies.sort()
            out["keystroke_to_preview_ms"] = statistics.median(latencies)
            out["keystroke_to_preview_p95_ms"] = latencies[max(0, round(0.95 * len(latencies)) - 1)]
            out["keystroke_to_preview_max_ms"] = latencies[-1]
            out["validate_ms"] = statistics.median(checks)
            out["synth_ms"] = statistics.median(synths)
            out["render_ms"] = statistics.median(renders)
            out["debounce_ms"] = app.debounce * 1000

    asyncio.run(run())
    out["load_average"] = os.getloadavg()[0]
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def main() -> None:
    figures = measure()
    print(f"{'measure':34} {'ms':>9}  target")
    for name, value in figures.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"<= {target:.0f} {'ok' if value <= target else 'MISSED'}"
        print(f"{name:34} {value:9.1f}  {verdict}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(float(sys.argv[2]), int(sys.argv[3]))))
    else:
        main()
