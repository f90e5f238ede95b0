"""Faults around a run: broken or hanging plugins, a missing or dying Node, a full or read-only disk,
Ctrl-C. In every case the user gets a clear message and an exit code, and the previous ``--out`` survives.

Plugins are installed the way a real one is (a ``*.dist-info`` with ``entry_points.txt`` on
``PYTHONPATH``) when the console script must see them, and registered in code for in-process checks.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE, MINIMAL, console_script

from facets_dynamo import api, hookimpl
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.cli import main
from facets_dynamo.engine import Engine, node_binary
from facets_dynamo.host import HOOK_TIMEOUT_ENV, Host
from facets_dynamo.plugin import Flavor
from facets_dynamo.synthesis import MARKER, SynthError, synthesize_workspace

PREVIOUS = {"manifest.json": b'{"previous": true}\n', "stacks/old/cdk.tf.json": b'{"resource": {}}\n'}
PREVIOUS[MARKER] = json.dumps({"written_by": "facets-dynamo", "files": sorted(PREVIOUS)}).encode()  # ours


def _seed_previous(out: Path) -> None:
    for rel, data in PREVIOUS.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _leftovers(parent: Path, out: Path) -> list[str]:
    """Temp dirs ``write_tree`` would leave next to ``out`` if it did not clean up."""
    return [p.name for p in parent.iterdir() if p.name.startswith(f".{out.name}.")]


def _locks(tmp_path: Path) -> Path:
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(MINIMAL, indent=2) + "\n")
    return path


FAULT_DOC = {"kind": "fault", "flavor": "default", "version": "0.1", "metadata": {}, "spec": {}}
#: Hooks reach only the plugin that serves a resource's flavor: a faulty test plugin serves ``fault/default/0.1``.
SERVES_FAULT = """
from facets_dynamo.plugin import Flavor, hookimpl as _hookimpl

@_hookimpl
def register_flavors(register):
    register(Flavor("fault", "default", "0.1", schema_source={"type": "object"}))
"""


def _fault(tmp_path: Path, name: str = "job") -> Path:
    """A resource of the flavor the faulty test plugins serve."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(FAULT_DOC, indent=2) + "\n")
    return path


class ServesFault:
    """Mixed into the in-code test plugins so the host sends them the hooks of ``fault`` resources."""

    @hookimpl
    def register_flavors(self, register: Any) -> None:
        register(Flavor("fault", "default", "0.1", schema_source={"type": "object"}))


def _install(tmp_path: Path, name: str, source: str) -> dict[str, str]:
    """Install module ``name`` as a plugin distribution visible to subprocesses; returns their env."""
    site = tmp_path / "site"
    info = site / f"{name}-0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(f"[facets_dynamo]\n{name} = {name}\n")
    (site / f"{name}.py").write_text(textwrap.dedent(source) + SERVES_FAULT)
    return {"PYTHONPATH": str(site)}


def _clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr


# -- plugins that raise ----------------------------------------------------------------------------

class Raising:
    """A plugin that raises in one chosen hook and behaves in the others."""

    def __init__(self, hook: str) -> None:
        self.hook = hook

    def _maybe_raise(self, hook: str) -> None:
        if hook == self.hook:
            raise RuntimeError(f"boom in {hook}")

    @hookimpl
    def register_flavors(self, register: Any) -> None:
        self._maybe_raise("register_flavors")
        register(Flavor("fault", "default", "0.1", schema_source={"type": "object"}))

    @hookimpl
    def validate(self, resource: Any, context: Any) -> None:
        self._maybe_raise("validate")

    @hookimpl
    def synthesize(self, resource: Any, context: Any) -> None:
        self._maybe_raise("synthesize")


def test_plugin_raising_in_register_flavors_is_named_and_others_still_work(tmp_path: Path) -> None:
    host = Host(plugins=[("raiser", Raising("register_flavors"))])
    assert "boom in register_flavors" in (host.plugins["raiser"].error or "")
    assert "RuntimeError" in host.plugins["raiser"].error
    assert "dynamodb/default/0.2" in host.available()
    assert api.validate(_locks(tmp_path), host=host).ok


def test_plugin_raising_in_validate_is_named_and_others_still_report(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(MINIMAL))
    doc["spec"]["attributes"]["extra"] = {"name": "Extra", "type": "N"}  # DDB102 from the real plugin
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(doc, indent=2))
    found = api.validate([path, _fault(tmp_path)], host=Host(plugins=[("raiser", Raising("validate"))]))
    failures = [d for d in found if d.code == "FD900"]
    assert len(failures) == 1
    assert "'raiser'" in failures[0].message and "boom in validate" in failures[0].message
    assert any(d.code == "DDB102" for d in found), "the dynamodb plugin still ran"


def test_plugin_raising_in_synthesize_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _seed_previous(out)
    host = Host(plugins=[("raiser", Raising("synthesize"))])
    both = [EXAMPLE, _fault(tmp_path)]
    assert api.validate(both, "dev", host=host).ok  # validation is unaffected by a broken synthesize
    with pytest.raises(SynthError) as caught:
        api.synthesize(both, "dev", out=out, host=host)
    (problem,) = caught.value.diagnostics
    assert problem.code == "FD900" and "'raiser'" in problem.message and "boom in synthesize" in problem.message
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)
    # The same blueprint synthesizes once the broken plugin is gone: the engine survived the failure.
    assert set(api.synthesize(EXAMPLE, "dev", host=Host()).stacks) == {"locks", "orders", "sessions"}


def test_broken_synthesize_plugin_via_cli_is_named(tmp_path: Path, run_cli) -> None:
    env = _install(tmp_path, "synth_raiser", """
        from facets_dynamo import hookimpl

        @hookimpl
        def synthesize(resource, context):
            raise ValueError("synthesize exploded")
    """)
    out = tmp_path / "out"
    _seed_previous(out)
    proc = run_cli("synth", _locks(tmp_path), _fault(tmp_path), "--out", out, env=env)
    _clean(proc)
    assert proc.returncode == 1
    assert "synth_raiser" in proc.stdout and "synthesize exploded" in proc.stdout
    assert _tree(out) == PREVIOUS
    assert run_cli("validate", _locks(tmp_path), _fault(tmp_path), env=env).returncode == 0


@pytest.mark.parametrize("hook", ["validate", "synthesize"])
@pytest.mark.parametrize("raised", ["SystemExit(0)", "SystemExit(3)", "BaseException('base boom')",
                                    "KeyboardInterrupt()", "GeneratorExit()"])
def test_plugin_raising_any_base_exception_is_fd900_exit_1(tmp_path: Path, run_cli, hook: str, raised: str) -> None:
    """SystemExit(0) from a plugin once made `synth` exit 0 having written nothing; a plugin's own
    KeyboardInterrupt (on the hook worker, not the user's Ctrl-C) once gave exit 130 with no FD900."""
    env = _install(tmp_path, "base_raiser", f"""
        from facets_dynamo import hookimpl

        @hookimpl
        def {hook}(resource, context):
            raise {raised}
    """)
    out = tmp_path / "out"
    _seed_previous(out)
    proc = run_cli("synth", _fault(tmp_path), "--out", out, env=env)
    _clean(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FD900" in proc.stdout and "base_raiser" in proc.stdout
    assert _tree(out) == PREVIOUS
    if hook == "validate":
        proc = run_cli("validate", _fault(tmp_path), env=env)
        _clean(proc)
        assert proc.returncode == 1 and "FD900" in proc.stdout


@pytest.mark.parametrize("value", ["", "nan", "-1", "0", "inf", "ten", "1e9"])
def test_odd_hook_timeout_is_a_usage_error_naming_it(run_cli, tmp_path: Path, value: str) -> None:
    proc = run_cli("validate", _locks(tmp_path), env={HOOK_TIMEOUT_ENV: value})
    _clean(proc)
    assert proc.returncode == 2
    assert HOOK_TIMEOUT_ENV in proc.stderr


# -- plugins that hang -----------------------------------------------------------------------------

class Hanging(ServesFault):
    """Blocks in one hook until released (so the test can let the stuck thread go afterwards)."""

    def __init__(self, hook: str) -> None:
        self.hook = hook
        self.release = threading.Event()
        self.entered = threading.Event()

    def _hang(self, hook: str) -> None:
        if hook == self.hook:
            self.entered.set()
            self.release.wait(60)
            raise RuntimeError("released")  # never returns into the engine's work after a timeout

    @hookimpl
    def validate(self, resource: Any, context: Any) -> None:
        self._hang("validate")

    @hookimpl
    def synthesize(self, resource: Any, context: Any) -> None:
        self._hang("synthesize")


def test_plugin_hanging_in_validate_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOOK_TIMEOUT_ENV, "0.3")
    hanging = Hanging("validate")
    try:
        found = api.validate(_fault(tmp_path), host=Host(plugins=[("sleeper", hanging)]))
    finally:
        hanging.release.set()
    (failure,) = [d for d in found if d.code == "FD900"]
    assert "'sleeper'" in failure.message and "did not return within 0.3 s" in failure.message
    assert HOOK_TIMEOUT_ENV in failure.message  # says how to allow longer


def test_plugin_hanging_in_synthesize_times_out_in_process(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook runs on the engine thread; the caller's watchdog gives up on it and abandons that engine."""
    monkeypatch.setenv(HOOK_TIMEOUT_ENV, "0.5")
    hanging = Hanging("synthesize")
    engine = Engine()  # its own thread: the shared default engine must not be the one abandoned
    ws = load_workspace([_fault(tmp_path)])
    try:
        with pytest.raises(SynthError) as caught:
            synthesize_workspace(ws, host=Host(plugins=[("sleeper", hanging)]), engine=engine)
        assert hanging.entered.is_set()
    finally:
        hanging.release.set()
    (problem,) = caught.value.diagnostics
    assert "'sleeper'" in problem.message and "did not return within 0.5 s" in problem.message
    with pytest.raises(SynthError, match="engine thread is blocked"):
        synthesize_workspace(load_workspace([_locks(tmp_path)]), host=Host(), engine=engine)


def test_plugin_hanging_in_synthesize_cli_exits(tmp_path: Path, run_cli) -> None:
    env = _install(tmp_path, "synth_sleeper", """
        import time
        from facets_dynamo import hookimpl

        @hookimpl
        def synthesize(resource, context):
            time.sleep(3600)
    """)
    out = tmp_path / "out"
    _seed_previous(out)
    proc = run_cli("synth", _fault(tmp_path), "--out", out, env={**env, HOOK_TIMEOUT_ENV: "1"}, timeout=90)
    _clean(proc)
    assert proc.returncode == 1
    assert "synth_sleeper" in proc.stdout and "did not return within 1 s" in proc.stdout
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)


# -- Node missing or dying -------------------------------------------------------------------------

def test_node_missing(tmp_path: Path, run_cli) -> None:
    out = tmp_path / "out"
    _seed_previous(out)
    proc = run_cli("synth", _locks(tmp_path), "--out", out, env={"JSII_NODE": "/nonexistent/node"})
    _clean(proc)
    assert proc.returncode == 1
    assert "FD800" in proc.stdout and "/nonexistent/node" in proc.stdout and "JSII_NODE" in proc.stdout
    assert "nothing written" in proc.stderr
    assert _tree(out) == PREVIOUS
    fresh = tmp_path / "fresh"
    assert run_cli("synth", _locks(tmp_path), "--out", fresh, env={"JSII_NODE": "/nonexistent/node"}).returncode == 1
    assert not fresh.exists()


CRASHING_NODE = """\
#!{python}
# Stands in for node: relays jsii's requests to the real node and dies (SIGKILL) when the synthesis is
# under way, i.e. at the first request that creates a TerraformResource.
import os, signal, subprocess, sys
real = subprocess.Popen([{node!r}, *sys.argv[1:]], stdin=subprocess.PIPE, stdout=sys.stdout.buffer)
for line in sys.stdin.buffer:
    if b"TerraformResource" in line and b'"create"' in line:
        real.kill()
        os.kill(os.getpid(), signal.SIGKILL)
    real.stdin.write(line)
    real.stdin.flush()
"""


def test_node_crashing_mid_synthesis(tmp_path: Path, run_cli) -> None:
    fake_node = tmp_path / "node"
    fake_node.write_text(CRASHING_NODE.format(python=sys.executable, node=node_binary()))
    fake_node.chmod(0o755)
    out = tmp_path / "out"
    _seed_previous(out)
    proc = run_cli("synth", EXAMPLE, "--env", "dev", "--out", out, env={"JSII_NODE": str(fake_node)})
    _clean(proc)
    assert proc.returncode == 1
    assert "FD800" in proc.stdout and "killed by signal 9" in proc.stdout, proc.stdout
    assert "nothing written" in proc.stderr
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)


PAUSING_PLUGIN = """
    import os, time
    from pathlib import Path
    from facets_dynamo import hookimpl

    @hookimpl
    def synthesize(resource, context):
        # the engine is up (Node runs) and a stack is being built: say so, then wait for the test to go on
        Path(os.environ["PAUSE_MARKER"]).touch()
        go = Path(os.environ["PAUSE_GO"])
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        context.add_resource("terraform_data", "after_pause", {"input": "x"})  # talks to Node again
        return True
"""


def _wait_for(path: Path, proc: subprocess.Popen[str], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert path.exists(), (proc.poll(), proc.stderr.read() if proc.poll() is not None and proc.stderr else "")


def _wait_dead(process: Any, seconds: float = 30) -> None:
    """Until ``process`` (not our child: its parent does not reap it yet) is gone or a zombie."""
    import psutil

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.02)
    raise AssertionError(f"{process} still runs {seconds} s after the signal")


def _is_node(process: Any) -> bool:
    """Node names its main thread "MainThread": look at the program instead."""
    return Path(process.cmdline()[0]).name.startswith("node")


NODE_SIGNALS = [("SIGTERM", "child"), ("SIGINT", "child"), ("SIGKILL", "child"), ("SIGHUP", "child"),
                ("SIGSEGV", "child"), ("SIGQUIT", "child"), ("SIGABRT", "child"),
                ("SIGTERM", "grandchild"), ("SIGKILL", "grandchild"), ("SIGSEGV", "grandchild")]


@pytest.mark.slow
@pytest.mark.parametrize("signame,which", NODE_SIGNALS, ids=[f"{s}-{w}" for s, w in NODE_SIGNALS])
def test_node_dying_by_any_signal_mid_synth(tmp_path: Path, signame: str, which: str) -> None:
    """Only Node is hit (jsii's node process, "child", or the node it runs the kernel in, "grandchild"), while a
    stack is being built: one diagnostic naming what happened, exit 1, nothing else on stderr, the previous
    output intact, no temp folder left (TMPDIR, beside --out, or Node's own under the cache)."""
    import psutil

    signum = getattr(signal, signame)
    env = _install(tmp_path, "pausing_synth", PAUSING_PLUGIN)
    marker, go = tmp_path / "paused", tmp_path / "go"
    tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    tmp.mkdir()
    out = tmp_path / "out"
    _seed_previous(out)
    proc = subprocess.Popen([console_script(), "synth", str(_fault(tmp_path)), "--out", str(out)],
                            env={**os.environ, **env, "PAUSE_MARKER": str(marker), "PAUSE_GO": str(go),
                                 "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(cache)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(marker, proc)
        me = psutil.Process(proc.pid)
        children = [c for c in me.children() if _is_node(c)]
        assert len(children) == 1, [(c, c.cmdline()) for c in me.children(recursive=True)]
        target = children[0]
        if which == "grandchild":
            grandchildren = [c for c in target.children() if _is_node(c)]
            assert len(grandchildren) == 1, grandchildren
            target = grandchildren[0]
        target.send_signal(signum)
        _wait_dead(target)  # before the stack building goes on, so the next call to Node meets a dead one
        go.touch()
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, (proc.returncode, stdout, stderr)
    diagnostics = [line for line in stdout.splitlines() if " FD" in line or "DDB" in line]
    assert len(diagnostics) == 1 and "FD800" in diagnostics[0], stdout
    if which == "child":  # what happened, by name
        assert f"signal {signum} ({signame})" in diagnostics[0], diagnostics
    else:
        assert "Node.js" in diagnostics[0] and ("exited" in diagnostics[0] or "killed" in diagnostics[0])
    assert stderr.splitlines() == ["1 error(s), 0 warning(s)", f"nothing written ({out} left as it was)"], stderr
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)
    assert not list(tmp.iterdir()), "temp folders left in TMPDIR"
    node_tmp = cache / "facets-dynamo" / "node-tmp"
    assert not node_tmp.exists() or not list(node_tmp.iterdir()), list(node_tmp.iterdir())


DYING_NODE = """\
#!{python}
# Stands in for node: relays jsii's requests to the real node; at the first request holding {trigger!r} the
# real node gets signal {signum} and this stand-in dies by the same signal (what jsii sees of a dying Node).
import os, signal, subprocess, sys
real = subprocess.Popen([{node!r}, *sys.argv[1:]], stdin=subprocess.PIPE, stdout=sys.stdout.buffer)
for line in sys.stdin.buffer:
    if {trigger!r} in line:
        real.send_signal({signum})
        real.wait()
        if {signum} != signal.SIGKILL:
            signal.signal({signum}, signal.SIG_DFL)
        os.kill(os.getpid(), {signum})
    real.stdin.write(line)
    real.stdin.flush()
"""
DYING_AT = [("SIGTERM", "start"), ("SIGKILL", "start"), ("SIGSEGV", "start"), ("SIGINT", "start"),
            ("SIGTERM", "synth"), ("SIGHUP", "synth"), ("SIGSEGV", "synth")]


@pytest.mark.slow
@pytest.mark.parametrize("signame,when", DYING_AT, ids=[f"{s}-{w}" for s, w in DYING_AT])
def test_node_dying_while_loading_or_answering(tmp_path: Path, run_cli, signame: str, when: str) -> None:
    """Node dies by a signal in the middle of a request: while the engine loads its assemblies ("start") or
    while a resource is being created ("synth"). One FD800 naming the signal, exit 1, nothing else on stderr
    (no jsii traceback at exit, no raw Node lines), previous output intact, nothing left in TMPDIR."""
    signum = int(getattr(signal, signame))
    trigger = b'"load"' if when == "start" else b"TerraformResource"
    fake_node = tmp_path / "node"
    fake_node.write_text(DYING_NODE.format(python=sys.executable, node=node_binary(), trigger=trigger,
                                           signum=signum))
    fake_node.chmod(0o755)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    _seed_previous(out)
    proc = run_cli("synth", EXAMPLE, "--env", "dev", "--out", out,
                   env={"JSII_NODE": str(fake_node), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    _clean(proc)
    assert proc.returncode == 1, proc.stderr
    diagnostics = [line for line in proc.stdout.splitlines() if " FD" in line or "DDB" in line]
    assert len(diagnostics) == 1 and "FD800" in diagnostics[0], proc.stdout
    assert f"killed by signal {signum} ({signame})" in diagnostics[0], diagnostics
    assert proc.stderr.splitlines() == ["1 error(s), 0 warning(s)", f"nothing written ({out} left as it was)"], \
        proc.stderr
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)
    assert not list(tmp.iterdir()), "temp folders left in TMPDIR"


# -- disk full, read-only output -------------------------------------------------------------------

def _mount_tmpfs(where: Path, options: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    except OSError:
        return False
    return done.returncode == 0


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _synth_in_process(args: list[str]) -> int:
    with pytest.raises(SystemExit) as done:
        main(args)
    return int(done.value.code or 0)


def test_disk_full_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """ENOSPC on the second file written: the half-built tree is removed, the old output stays."""
    import facets_dynamo.output as output

    out = tmp_path / "out"
    _seed_previous(out)
    real_open = open
    opened: list[str] = []

    class Full:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def __enter__(self) -> Full:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            if len(opened) > 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return self.fh.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.fh, name)

    def full_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return Full(real_open(file, mode, *args, **kwargs))

    monkeypatch.setattr(output, "open", full_open, raising=False)  # what write_tree writes each file with
    code = _synth_in_process(["synth", str(EXAMPLE), "--env", "dev", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "No space left on device" in err and "previous output left as it was" in err
    assert len(opened) == 2
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_disk_full_real_tmpfs(tmp_path: Path, run_cli) -> None:
    small = tmp_path / "small"
    if not _mount_tmpfs(small, "size=16k"):
        pytest.skip("mount -t tmpfs is not permitted here (the simulated test covers ENOSPC)")
    try:
        out = small / "out"
        _seed_previous(out)
        (small / "filler").write_bytes(b"x" * 4096)
        proc = run_cli("synth", EXAMPLE, "--env", "dev", "--out", out)
        _clean(proc)
        assert proc.returncode == 1
        assert "No space left on device" in proc.stderr
        assert _tree(out) == PREVIOUS and not _leftovers(small, out)
    finally:
        _umount(small)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_read_only_output_directory(tmp_path: Path, run_cli) -> None:
    """Root ignores file modes, so the output's parent is a read-only mount instead."""
    parent = tmp_path / "ro"
    if not _mount_tmpfs(parent, "size=1m"):
        pytest.skip("mount -t tmpfs is not permitted here")
    try:
        out = parent / "out"
        _seed_previous(out)
        subprocess.run(["mount", "-o", "remount,ro", str(parent)], check=True)
        proc = run_cli("synth", EXAMPLE, "--env", "dev", "--out", out)
        _clean(proc)
        assert proc.returncode == 1
        assert "Read-only file system" in proc.stderr and "previous output left as it was" in proc.stderr
        assert _tree(out) == PREVIOUS and not _leftovers(parent, out)
    finally:
        _umount(parent)


def test_failed_swap_restores_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """Without root: moving the new tree into place fails (EROFS) after the old one was moved aside; the old
    one must be moved back."""
    import facets_dynamo.output as synthesis  # the writer

    out = tmp_path / "out"
    _seed_previous(out)
    real_rename = os.rename

    def rename(src: Any, dst: Any) -> None:
        if Path(dst) == out and Path(src).name.startswith(".out.new-"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))
        real_rename(src, dst)

    monkeypatch.setattr(synthesis.os, "rename", rename)
    code = _synth_in_process(["synth", str(EXAMPLE), "--env", "dev", "--out", str(out)])
    assert code == 1
    assert "Read-only file system" in capsys.readouterr().err
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)


# -- Ctrl-C ----------------------------------------------------------------------------------------

def test_sigint_during_synth(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group (Node too) while a plugin is building a stack.

    Deterministic: the signal goes only once the plugin says it is inside ``synthesize`` and jsii's Node is
    seen running (no sleeps to guess when that is); the plugin then waits on a file that never comes."""
    import psutil

    env = _install(tmp_path, "pausing_synth", PAUSING_PLUGIN)
    marker, go = tmp_path / "paused", tmp_path / "never"
    out = tmp_path / "out"
    _seed_previous(out)
    proc = subprocess.Popen([console_script(), "synth", str(EXAMPLE), str(_fault(tmp_path)), "--env", "dev",
                             "--out", str(out)],
                            env={**os.environ, **env, "PAUSE_MARKER": str(marker), "PAUSE_GO": str(go)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _wait_for(marker, proc)
        assert [c for c in psutil.Process(proc.pid).children() if _is_node(c)], "Node is not running"
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, (proc.returncode, stderr)
    assert "interrupted" in stderr
    assert "Traceback" not in stderr + stdout and "Exception ignored" not in stderr, stderr
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)


def test_keyboard_interrupt_while_writing_keeps_previous_output(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C can also land between writing files of the new tree."""
    import facets_dynamo.output as synthesis  # the writer

    result = api.synthesize(EXAMPLE, "dev")
    out = tmp_path / "out"
    _seed_previous(out)
    real_fsync = os.fsync
    calls = []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_fsync(fd)

    monkeypatch.setattr(synthesis.os, "fsync", fsync)
    with pytest.raises(KeyboardInterrupt):
        result.write(out)
    assert _tree(out) == PREVIOUS and not _leftovers(tmp_path, out)


def _wait_for_handlers(proc: subprocess.Popen[str], seconds: float = 60) -> None:
    """Until the CLI has installed its SIGTERM handler (``SigCgt`` in /proc): before that the interpreter is
    still starting and a signal has Python's default effect, which is not what this matrix is about."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{proc.pid}/status").read_text()
            caught = int(next(ln.split()[1] for ln in status.splitlines() if ln.startswith("SigCgt:")), 16)
            if caught & (1 << (signal.SIGTERM - 1)):
                return
        time.sleep(0.005)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("delay", [0.15, 0.45, 0.75, 1.05])
def test_signal_at_any_moment_of_synth(tmp_path: Path, signum: int, delay: float) -> None:
    """The fault matrix: a signal to the whole process group (Node too) at several points of a real `synth`.
    Either the run was over (exit 0, the new output complete) or it exits 128+signal; never a traceback,
    the previous output intact or the new one complete, no temp folder of ours or of jsii's left behind."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    _seed_previous(out)
    proc = subprocess.Popen([console_script(), "synth", str(EXAMPLE), "--env", "dev", "--out", str(out)],
                            env={**os.environ, "TMPDIR": str(tmp)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    _wait_for_handlers(proc)  # the moments are counted from when facets-dynamo runs, not from exec
    time.sleep(delay)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode in (0, 128 + signum), (proc.returncode, stderr)
    assert "Traceback" not in stderr + stdout and "Exception ignored" not in stderr, stderr
    tree = _tree(out)
    complete = "manifest.json" in tree and MARKER in tree and any(k.startswith("stacks/locks/") for k in tree)
    assert tree == PREVIOUS or complete, sorted(tree)
    if proc.returncode == 0:
        assert complete
    else:
        assert "interrupted" in stderr
    assert not _leftovers(tmp_path, out)
    assert not list(tmp.iterdir()), "temp folders left behind"
