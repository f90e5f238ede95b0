"""The performance suite (issues 2 and 7): one command, one table, everything measured side by side.

    ./dev bench                      # or: .venv/bin/python bench/run.py
    ./dev bench --quick              # fewer repetitions, sizes 10/100 (a smoke run)
    ./dev bench --write docs/benchmarks.md   # also refresh the generated section of that file

Rows, each with its target:
- cold ``facets-dynamo validate FILE`` vs ``check-jsonschema --schemafile <our schema> FILE`` (median of
  interleaved runs; validate must not start Node: JSII_NODE points at a wrapper that leaves a marker);
- cold ``facets-dynamo synth FILE`` vs the same table built with the typed AWS provider bindings in a
  fresh process (cdktn-provider-aws and cdktf-cdktf-provider-aws): wall time and peak RSS of the whole
  process tree (Python + Node), sampled every 5 ms (50 ms after the first 3 s) with psutil;
- validation throughput in-process on 1,000 varied generated specs (the conformance corpus generator), with
  the policy pack (DDB3xx, on by default) and without it;
- ``facets-dynamo synth`` of 10/100/1000 generated resources (one process each): time, peak RSS, cost
  per resource (linear growth = flat cost per resource);
- TUI keystroke-to-preview latency, from ``bench/tui_latency.py`` when it exists.

Numbers are wall-clock unless a row says CPU. On a shared machine, wall time includes waiting for a
core: the header prints the load average so a reader can judge.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
BIN = Path(sys.executable).parent
SCHEMA = ROOT / "schemas" / "dynamodb" / "default" / "0.2.json"
ONE_FILE = ROOT / "examples" / "blueprint" / "dynamodb" / "instances" / "orders.json"
TYPED_SCRIPT = ROOT / "tests" / "conformance" / "typed_synth.py"
BINDINGS = {"cdktn": "cdktn_provider_aws", "cdktf": "cdktf_cdktf_provider_aws"}
MB = 1024 * 1024
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Row:
    name: str
    ours: str
    other: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Measured:
    wall: float
    cpu: float  # user + sys of the process and the descendants it waited for
    peak_rss: int
    returncode: int
    stdout: str
    stderr: str


# -- measuring processes ---------------------------------------------------------------------------

def run_process(cmd: list[str], env: dict[str, str] | None = None, sample_memory: bool = False,
                timeout: float = 900) -> Measured:
    """Run ``cmd``; with ``sample_memory`` poll the RSS of the process and all its descendants."""
    import psutil

    full_env = {**os.environ, **(env or {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=full_env)
    out: dict[str, str] = {}

    def read() -> None:
        out["stdout"], out["stderr"] = proc.communicate(timeout=timeout)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peak = 0
    while sample_memory and reader.is_alive():
        total = 0
        with contextlib.suppress(psutil.Error):
            for p in [proc, *proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
        peak = max(peak, total)
        # 5 ms while a short run's peak could slip by; then 50 ms, so that walking /proc does not steal a
        # core from a long run on a 2-core machine (it inflated the 1000-resource time by ~3 s)
        time.sleep(0.005 if time.perf_counter() - start < 3 else 0.05)
    reader.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, peak, proc.returncode, out.get("stdout", ""), out.get("stderr", ""))


def node_wrapper(tmp: Path) -> tuple[dict[str, str], Path]:
    """A JSII_NODE that records each start in a marker file, then becomes the real Node."""
    from facets_dynamo.engine import node_binary

    marker = tmp / "node-started"
    wrapper = tmp / "node"
    wrapper.write_text(f'#!/bin/sh\necho "$$" >> "{marker}"\nexec "{node_binary()}" "$@"\n')
    wrapper.chmod(0o755)
    return {"JSII_NODE": str(wrapper), "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}, marker


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def fmt_mb(size: float) -> str:
    return f"{size / MB:.0f} MB"


# -- the rows --------------------------------------------------------------------------------------

def cold_validate(runs: int, tmp: Path) -> list[Row]:
    env, marker = node_wrapper(tmp)
    ours_cmd = [str(BIN / "facets-dynamo"), "validate", str(ONE_FILE)]
    theirs_cmd = [str(BIN / "check-jsonschema"), "--schemafile", str(SCHEMA), str(ONE_FILE)]
    ours: list[Measured] = []
    theirs: list[Measured] = []
    for _ in range(runs):  # interleaved, so a busy moment hits both sides
        for cmd, extra, into in ((ours_cmd, env, ours), (theirs_cmd, None, theirs)):
            m = run_process(cmd, extra)
            if m.returncode != 0:
                raise SystemExit(f"{cmd[0]} failed:\n{m.stdout}{m.stderr}")
            into.append(m)
    node_started = marker.exists()
    a, b = median([m.wall for m in ours]), median([m.wall for m in theirs])
    ca, cb = median([m.cpu for m in ours]), median([m.cpu for m in theirs])
    return [
        Row("cold validate, 1 file (median)", f"{fmt_s(a)} (CPU {fmt_s(ca)})",
            f"{fmt_s(b)} (CPU {fmt_s(cb)}) check-jsonschema", f"{b / a:.1f}x faster",
            "faster than check-jsonschema; <= 0.3 s", a < b and a <= 0.3,
            [f"{runs} interleaved runs each; fastest {fmt_s(min(m.wall for m in ours))} vs "
             f"{fmt_s(min(m.wall for m in theirs))}"]),
        Row("cold validate starts Node", "no" if not node_started else "YES", "", "", "never", not node_started,
            ["JSII_NODE wrapper left no marker" if not node_started else f"marker: {marker.read_text()}"]),
    ]


def typed_corpus(tmp: Path) -> Path:
    from conformance.corpus import Case, typed_input

    from facets_dynamo.blueprint import load_workspace

    ws = load_workspace([ONE_FILE], "default")
    path = tmp / "one-table.json"
    path.write_text(json.dumps([typed_input(Case("one", ONE_FILE, "default"), ws)]), "utf-8")
    return path


def cold_synth(runs: int, typed_runs: int, tmp: Path) -> list[Row]:
    env, marker = node_wrapper(tmp)
    ours = []
    for i in range(runs):
        m = run_process([str(BIN / "facets-dynamo"), "synth", str(ONE_FILE), "--out", str(tmp / f"out{i}")], env,
                        sample_memory=True)
        if m.returncode != 0:
            raise SystemExit(f"facets-dynamo synth failed:\n{m.stdout}{m.stderr}")
        ours.append(m)
    if not marker.exists():
        raise SystemExit("synth did not start Node through JSII_NODE: the memory figures would miss Node")
    t, rss = median([m.wall for m in ours]), max(m.peak_rss for m in ours)
    cpu = median([m.cpu for m in ours])
    rows = [Row("cold synth, 1 file (median; peak RSS incl. Node)", f"{fmt_s(t)} (CPU {fmt_s(cpu)}), {fmt_mb(rss)}",
                "", "",
                "<= 2 s; <= 250 MB", t <= 2 and rss <= 250 * MB,
                [f"{runs} runs; engine {engine_name()}; RSS = max over runs of the summed tree, 5 ms psutil sampling"])]
    corpus = typed_corpus(tmp)
    for engine, package in BINDINGS.items():
        if importlib.util.find_spec(package) is None or importlib.util.find_spec(engine) is None:
            rows.append(Row(f"cold synth vs typed {package}", "",
                            "n/a (not installed: pip install -e '.[conformance]')"))
            continue
        typed = []
        for i in range(typed_runs):
            result = tmp / f"typed-{engine}-{i}.json"
            m = run_process([sys.executable, str(TYPED_SCRIPT), engine, str(corpus), str(result)], env,
                            sample_memory=True)
            if m.returncode != 0:
                raise SystemExit(f"typed {engine} synth failed:\n{m.stderr[-2000:]}")
            typed.append(m)
        tt, trss = median([m.wall for m in typed]), max(m.peak_rss for m in typed)
        tcpu = median([m.cpu for m in typed])
        detail = json.loads((tmp / f"typed-{engine}-0.json").read_text("utf-8"))
        rows.append(Row(f"cold synth vs typed {package} ({engine})", f"{fmt_s(t)}, {fmt_mb(rss)}",
                        f"{fmt_s(tt)} (CPU {fmt_s(tcpu)}), {fmt_mb(trss)}",
                        f"{tt / t:.0f}x time, {trss / rss:.1f}x memory",
                        ">= 10x faster; >= 5x less memory", tt / t >= 10 and trss / rss >= 5,
                        [f"typed: {typed_runs} run(s); import {detail['import_seconds']:.1f} s + build/synth "
                         f"{detail['synth_seconds']:.2f} s (table only; ours also writes IAM policies, autoscaling, "
                         "outputs and files)"]))
    return rows


def engine_name() -> str:
    from facets_dynamo.engine import choose_engine

    try:
        return choose_engine()
    except Exception as exc:  # pragma: no cover - reported, not fatal
        return f"unavailable ({exc})"


def throughput(count: int, tmp: Path) -> list[Row]:
    from conformance.corpus import generated_cases

    from facets_dynamo.blueprint import load_workspace
    from facets_dynamo.config import Config
    from facets_dynamo.host import default_host
    from facets_dynamo.validation import validate_workspace

    case = generated_cases(tmp / "throughput", count, per_case=count)[0]
    host = default_host()

    def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return time.perf_counter() - wall, time.process_time() - cpu, result

    load_wall, load_cpu, ws = timed(lambda: load_workspace([case.blueprint], case.env))
    n = len(ws.resources)
    first_wall, _, found = timed(lambda: validate_workspace(ws, host))
    if not found.ok:
        raise SystemExit(f"generated specs are invalid: {found.to_json()[:500]}")
    passes = [timed(lambda: validate_workspace(ws, host)) for _ in range(5)]
    wall = median([p[0] for p in passes])
    cpu = median([p[1] for p in passes])
    # without the policy pack (DDB3xx), as a configuration's severity "DDB3*" = "off" turns it off
    pack_off = Config(severity={"DDB3*": "off"})
    bare = [timed(lambda: validate_workspace(ws, host, config=pack_off)) for _ in range(5)]
    bare_wall = median([p[0] for p in bare])
    bare_cpu = median([p[1] for p in bare])
    return [
        Row(f"validation throughput, {n} specs in-process", f"{n / wall:,.0f} specs/s", "", "",
            ">= 5,000 specs/s", n / wall >= 5000,
            [f"policy pack on (the default); median of 5 passes over a loaded workspace (CPU: {n / cpu:,.0f}/s); "
             f"{len(passes[0][2])} diagnostics per pass; first pass incl. schema compile {n / first_wall:,.0f}/s"]),
        Row(f"validation throughput, {n} specs, policy pack off", f"{n / bare_wall:,.0f} specs/s", "", "",
            ">= 5,000 specs/s", n / bare_wall >= 5000,
            [f"severity \"DDB3*\" = \"off\"; median of 5 passes (CPU: {n / bare_cpu:,.0f}/s)"]),
        Row(f"load + validate, {n} files in-process", f"{n / (load_wall + wall):,.0f} specs/s", "", "", "", None,
            [f"reading JSON with line/column maps: {n / load_wall:,.0f} files/s (CPU {n / load_cpu:,.0f}/s)"]),
    ]


def synth_scale(sizes: list[int], tmp: Path) -> list[Row]:
    from support.blueprints import write_blueprint

    rows, per_resource = [], []
    for n in sizes:
        bp = write_blueprint(tmp / f"scale-{n}", n)
        m = run_process([str(BIN / "facets-dynamo"), "synth", str(bp), "--env", "dev", "--out", str(tmp / f"so-{n}")],
                        sample_memory=True, timeout=1800)
        if m.returncode != 0:
            raise SystemExit(f"synth of {n} resources failed:\n{m.stdout[-1000:]}{m.stderr[-2000:]}")
        per_resource.append(m.wall / n)
        target = "<= 15 s" if n == 1000 else ""
        rows.append(Row(f"synth {n} resources (one process)",
                        f"{fmt_s(m.wall)} (CPU {fmt_s(m.cpu)}), {fmt_mb(m.peak_rss)}",
                        "", f"{m.wall / n * 1000:.1f} ms/resource", target, m.wall <= 15 if n == 1000 else None))
    if len(sizes) >= 2:
        growth = per_resource[-1] / per_resource[-2]
        rows.append(Row(f"synth cost growth {sizes[-2]} -> {sizes[-1]}", f"{growth:.2f}x per resource", "", "",
                        "linear (per-resource cost not growing, <= 1.5x)", growth <= 1.5,
                        ["fixed start-up (Python, Node, engine) is spread over more resources, so < 1 is expected"]))
    return rows


def tui_latency() -> list[Row]:
    path = ROOT / "bench" / "tui_latency.py"
    if not path.exists():
        return [Row("TUI keystroke-to-preview latency", "n/a (not available: bench/tui_latency.py missing)")]
    spec = importlib.util.spec_from_file_location("tui_latency", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        results: dict[str, float] = module.measure()
    except Exception as exc:
        return [Row("TUI keystroke-to-preview latency", f"n/a (failed: {type(exc).__name__}: {exc})")]
    targets: dict[str, float] = getattr(module, "TARGETS", {})
    rows = []
    for name, value in results.items():
        shown = f"{value:.0f} ms" if name.endswith("_ms") else f"{value:g}"
        limit = targets.get(name)
        rows.append(Row(f"TUI {name.removesuffix('_ms').replace('_', ' ')}", shown, "", "",
                        f"<= {limit:g} ms" if limit else "", value <= limit if limit else None))
    return rows


# -- output ----------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem = 0
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "-"

    load = os.getloadavg()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{cpu}, {os.cpu_count()} cores (nproc)",
        "memory": f"{mem / 1024**3:.1f} GiB",
        "python": platform.python_version(),
        "versions": f"cdktn {v('cdktn')}, cdktf {v('cdktf')}, cdktn-provider-aws {v('cdktn-provider-aws')}, "
                    f"cdktf-cdktf-provider-aws {v('cdktf-cdktf-provider-aws')}, jsonschema {v('jsonschema')}, "
                    f"check-jsonschema {v('check-jsonschema')}, fastjsonschema {v('fastjsonschema')}",
        "load average at start": " ".join(f"{x:.2f}" for x in load),
    }


def verdict(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def text_table(rows: list[Row]) -> str:
    head = ("benchmark", "facets-dynamo", "alternative", "ratio", "target", "met")
    data = [head] + [(r.name, r.ours, r.other, r.ratio, r.target, verdict(r.met)) for r in rows]
    widths = [max(len(row[i]) for row in data) for i in range(len(head))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in data]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    notes = [f"  - {r.name}: {n}" for r in rows for n in r.notes]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def markdown(rows: list[Row], info: dict[str, str]) -> str:
    out = [f"Measured {info['date']} by `./dev bench` on: {info['cpu']}; {info['memory']} RAM; Python "
           f"{info['python']}; load average at start {info['load average at start']}.", "",
           f"Versions: {info['versions']}.", "",
           "| benchmark | facets-dynamo | alternative | ratio | target | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r.name} | {r.ours} | {r.other} | {r.ratio} | {r.target} | {verdict(r.met)} |")
    notes = [f"- {r.name}: {n}" for r in rows for n in r.notes]
    return "\n".join(out + (["", *notes] if notes else []))


def write_markdown(path: Path, block: str) -> None:
    text = path.read_text("utf-8") if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text += f"\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{BEGIN}\n{block}\n{END}{after}", "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and sizes 10/100")
    parser.add_argument("--runs", type=int, help="repetitions of each cold run (default 10, quick 3)")
    parser.add_argument("--typed-runs", type=int,
                        help="runs of each typed-bindings synth (default 1: each costs 20-80 s)")
    parser.add_argument("--sizes", help="comma-separated blueprint sizes (default 10,100,1000)")
    parser.add_argument("--write", type=Path, metavar="MARKDOWN", help="refresh the generated block of this file")
    args = parser.parse_args(argv)
    runs = args.runs or (3 if args.quick else 10)
    typed_runs = args.typed_runs or 1
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([10, 100] if args.quick else [10, 100, 1000])
    for tool in ("facets-dynamo", "check-jsonschema"):
        if not (BIN / tool).exists():
            raise SystemExit(f"{tool} is not installed in {BIN}: run ./dev bench (it installs the dev extras)")
    info = machine()
    print("facets-dynamo benchmarks -- " + "; ".join(f"{k}: {v}" for k, v in info.items()), file=sys.stderr)
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="facets-bench-"))
    try:
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("cold validate", lambda: cold_validate(runs, tmp)),
            ("cold synth", lambda: cold_synth(max(3, runs // 2), typed_runs, tmp)),
            ("throughput", lambda: throughput(1000, tmp)),
            ("synth scale", lambda: synth_scale(sizes, tmp)),
            ("tui latency", tui_latency),
        ]
        for label, step in steps:
            print(f"  measuring {label}...", file=sys.stderr, flush=True)
            rows += step()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(text_table(rows))
    if args.write:
        write_markdown(args.write, markdown(rows, info))
        print(f"\nwrote {args.write}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
