"""The plugin host: finds flavor plugins, keeps the flavor registry, and calls hooks safely.

Built-in plugins are registered explicitly; everything else comes from the ``facets_dynamo`` entry-point
group, so a plugin is never loaded from anything a spec says. ``FACETS_DYNAMO_BLOCK_PLUGINS`` (comma
separated entry-point names, or ``*`` for all of them) keeps named plugins out, e.g. to bisect a bad one.
A plugin that fails to import, to register, or raises inside a hook is reported by its name and the
host carries on with the others.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pluggy

from . import hookspecs
from .flavor import Flavor, FlavorKey

BLOCK_ENV = "FACETS_DYNAMO_BLOCK_PLUGINS"
HOOK_TIMEOUT_ENV = "FACETS_DYNAMO_HOOK_TIMEOUT"
DEFAULT_HOOK_TIMEOUT = 30.0
BUILTIN = "builtin"  # the host's own checks, run for every flavor


class PluginFailure(Exception):
    """A plugin raised, hung, or returned something unusable; ``plugin`` names it."""

    def __init__(self, plugin: str, hook: str, detail: str) -> None:
        super().__init__(f"plugin {plugin!r} failed in hook {hook!r}: {detail}")
        self.plugin = plugin
        self.hook = hook
        self.detail = detail


@dataclass
class PluginInfo:
    name: str
    source: str  # "builtin", "entry point <dist> <version>", "registered in code"
    flavors: list[Flavor] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False


class SettingError(ValueError):
    """An environment variable of facets-dynamo holds a value it cannot use (the CLI's usage error)."""


def hook_timeout_from_env() -> float:
    """``FACETS_DYNAMO_HOOK_TIMEOUT`` in seconds: unset means the default; nan, inf, zero or negative would make
    healthy hooks fail at random (or never time out), so they are refused by name."""
    raw = os.environ.get(HOOK_TIMEOUT_ENV)
    if raw is None:
        return DEFAULT_HOOK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 < value <= 86_400):
        raise SettingError(f"{HOOK_TIMEOUT_ENV}={raw!r}: give a number of seconds above 0 and at most 86400 "
                           f"(default {DEFAULT_HOOK_TIMEOUT:g})")
    return value


class Host:
    """One plugin manager plus the flavors its plugins registered."""

    def __init__(self, *, entry_points: bool = True, plugins: Iterable[tuple[str, object]] = ()) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.flavors: dict[FlavorKey, Flavor] = {}
        self.hook_timeout = hook_timeout_from_env()
        # (plugin, hook, monotonic start) of the hook running on the engine thread, for its watchdog
        self.running: tuple[str, str, float] | None = None
        self._worker: _HookWorker | None = None
        self._worker_lock = threading.Lock()
        from . import builtin_checks

        self._register(builtin_checks, BUILTIN, "builtin")
        if entry_points:
            self._load_entry_points()
        for name, plugin in plugins:
            self._register(plugin, name, "registered in code")
        self._collect_flavors()

    # -- discovery ---------------------------------------------------------------------------------
    def _register(self, plugin: object, name: str, source: str) -> None:
        if name in self.plugins:  # the newcomer is refused; the plugin already known keeps working
            other = self.plugins[name]
            label = f"{name} ({source})"
            self.plugins[label] = PluginInfo(label, source, error=f"not registered: the name {name!r} is already "
                                             f"taken by a plugin ({other.source})")
            return
        info = self.plugins[name] = PluginInfo(name, source)
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy validates hookimpl signatures here
            info.error = f"cannot register: {exc}"

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        blocked = {n.strip() for n in os.environ.get(BLOCK_ENV, "").split(",") if n.strip()}
        for ep in sorted(entry_points(group=hookspecs.PROJECT), key=lambda e: e.name):
            dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "unknown distribution"
            source = f"entry point from {dist}"
            if ep.name in blocked or "*" in blocked:
                self.plugins[ep.name] = PluginInfo(ep.name, source, blocked=True)
                continue
            try:
                module = ep.load()
            except BaseException as exc:  # a plugin's import must never take the host down
                if isinstance(exc, KeyboardInterrupt):
                    raise
                self.plugins[ep.name] = PluginInfo(ep.name, source, error=f"failed to load: {_oneline(exc)}")
                continue
            self._register(module, ep.name, source)

    def _collect_flavors(self) -> None:
        for impl in self.pm.hook.register_flavors.get_hookimpls():
            info = self.plugins[impl.plugin_name]

            def register(flavor: Flavor, _info: PluginInfo = info) -> None:
                if not isinstance(flavor, Flavor):
                    raise TypeError(f"register() takes a Flavor, got {type(flavor).__name__}")
                flavor.plugin = _info.name
                owner = self.flavors.get(flavor.key)
                if owner is not None:
                    raise ValueError(f"flavor {flavor.key} is already served by plugin {owner.plugin!r}")
                self.flavors[flavor.key] = flavor
                _info.flavors.append(flavor)

            try:
                self._call_with_timeout(impl, {"register": register})
            except PluginFailure as exc:
                info.error = exc.detail

    # -- queries -----------------------------------------------------------------------------------
    def flavor(self, kind: str, flavor: str, version: str) -> Flavor | None:
        return self.flavors.get(FlavorKey(kind, flavor, version))

    def available(self) -> list[str]:
        return sorted(str(k) for k in self.flavors)

    def broken_plugins(self) -> list[PluginInfo]:
        return [p for p in self.plugins.values() if p.error]

    # -- hook calls --------------------------------------------------------------------------------
    def owner(self, key: FlavorKey | None) -> str | None:
        """The plugin that registered flavor ``key`` (None for an unknown flavor)."""
        flavor = self.flavors.get(key) if key is not None else None
        return flavor.plugin if flavor is not None else None

    def policy_plugins(self) -> set[str]:
        """Plugins that serve no flavor: their ``validate`` runs for every resource (organisation-wide checks,
        such as tags every resource must carry); no other per-resource hook reaches them."""
        return {name for name, info in self.plugins.items() if not info.flavors and name != BUILTIN}

    def call_each(self, hook: str, *, key: FlavorKey | None = None, failures: list[PluginFailure] | None = None,
                  **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook`` on the plugin that serves flavor ``key`` (and the built-in checks), returning
        ``(plugin, result)`` for the non-None results; without ``key``, on every plugin. A raising or hanging
        plugin becomes a :class:`PluginFailure` naming it: raised, or, when ``failures`` is given, appended
        there while the other plugins still run (validation wants every finding even if one plugin broke)."""
        if failures is not None:
            [(results, failed)] = self.call_many(hook, [kwargs], keys=[key])
            failures.extend(failed)
            return results
        results: list[tuple[str, Any]] = []
        for impl, outcome in self._run(self._calls(hook, [kwargs], [key])[0], stop_on_failure=True):
            if isinstance(outcome, PluginFailure):
                raise outcome
            if outcome is not None:
                results.append((impl.plugin_name, outcome))
        return results

    def call_many(self, hook: str, kwargs_list: list[dict[str, Any]], keys: list[FlavorKey | None] | None = None,
                  ) -> list[tuple[list[tuple[str, Any]], list[PluginFailure]]]:
        """``call_each`` with collected failures for many argument sets (e.g. one per resource, ``keys`` their
        flavors) in a single hand-off to the hook worker: a thread switch per batch instead of per resource
        halves the cost of validating a large blueprint. Answers ``(results, failures)`` per argument set.

        A plugin that hangs is not called again in the same batch (its later calls fail at once): one hung
        plugin must not cost ``hook_timeout`` for each of hundreds of resources."""
        calls, positions = self._calls(hook, kwargs_list, keys or [None] * len(kwargs_list))
        answers: list[tuple[list[tuple[str, Any]], list[PluginFailure]]] = [([], []) for _ in kwargs_list]
        for position, (impl, outcome) in zip(positions, self._run(calls, stop_on_failure=False), strict=True):
            results, failures = answers[position]
            if isinstance(outcome, PluginFailure):
                failures.append(outcome)
            elif outcome is not None:
                results.append((impl.plugin_name, outcome))
        return answers

    def _impls(self, hook: str) -> list[pluggy.HookImpl]:
        caller = getattr(self.pm.hook, hook)
        return [impl for impl in reversed(caller.get_hookimpls())  # registration order
                if not self.plugins.get(impl.plugin_name, PluginInfo("", "")).error]

    def _calls(self, hook: str, kwargs_list: list[dict[str, Any]], keys: list[FlavorKey | None],
               ) -> tuple[list[_Call], list[int]]:
        """The calls to make, and for each the index of its argument set. A flavor's hooks go to the plugin
        that registered it (plus the built-in checks, and for ``validate`` the policy plugins): no plugin is
        asked about another plugin's flavors."""
        impls = self._impls(hook)
        checkers = self.policy_plugins() if hook == "validate" else set()
        calls: list[_Call] = []
        positions: list[int] = []
        for position, (kwargs, key) in enumerate(zip(kwargs_list, keys, strict=True)):
            wanted = None if key is None else {BUILTIN, self.owner(key), *checkers}
            for impl in impls:
                if wanted is None or impl.plugin_name in wanted:
                    calls.append((impl, {name: kwargs[name] for name in impl.argnames}))
                    positions.append(position)
        return calls, positions

    def _call_with_timeout(self, impl: pluggy.HookImpl, kwargs: dict[str, Any]) -> Any:
        [(_, outcome)] = self._run([(impl, {name: kwargs[name] for name in impl.argnames})], stop_on_failure=True)
        if isinstance(outcome, PluginFailure):
            raise outcome
        return outcome

    def _run(self, calls: list[_Call], stop_on_failure: bool) -> list[tuple[pluggy.HookImpl, Any]]:
        """Run ``calls`` in order; each outcome is the hook's result or a :class:`PluginFailure`.

        All calls of one ``call_each`` go to the hook worker in one hand-off (a thread switch each way per
        resource, not per plugin), and each call still gets its own ``hook_timeout``.
        """
        if not calls:
            return []
        current = threading.current_thread().name
        if current.startswith(_NO_THREAD_PREFIXES) or current == _HookWorker.NAME:
            return self._run_here(calls, stop_on_failure)
        with self._worker_lock:
            worker = self._worker = self._worker or _HookWorker()
        batch = _Batch(calls, stop_on_failure)
        worker.jobs.put(batch)
        while not batch.done.wait(max(0.001, self.hook_timeout - (time.monotonic() - batch.started))):
            with batch.lock:
                if time.monotonic() - batch.started < self.hook_timeout:
                    continue
                batch.cancelled = True
                index = batch.index
            with self._worker_lock:  # the hung call keeps that thread; later calls get a fresh one
                if self._worker is worker:
                    self._worker = None
            impl = calls[index][0]
            hung = self._hung(impl.plugin_name, _hook_name(impl))
            outcomes = [*batch.outcomes[:index], (impl, hung)]
            if stop_on_failure:
                return outcomes
            rest = calls[index + 1:]
            skipped = PluginFailure(impl.plugin_name, hung.hook, f"not called: it did not return within "
                                    f"{self.hook_timeout:g} s for an earlier resource")
            others = iter(self._run([c for c in rest if c[0] is not impl], stop_on_failure))
            return outcomes + [(i, skipped) if i is impl else next(others) for i, _ in rest]
        return batch.outcomes

    def _hung(self, plugin: str, hook: str) -> PluginFailure:
        return PluginFailure(plugin, hook, f"did not return within {self.hook_timeout:g} s (set "
                             f"{HOOK_TIMEOUT_ENV} to allow longer)")

    def overdue(self) -> PluginFailure | None:
        """The hook running on the engine thread, if it has overrun ``hook_timeout``: whoever waits for the engine
        thread asks this (the hook worker's calls are watched in :meth:`_run`), so both time out alike."""
        running = self.running
        if running is not None and time.monotonic() - running[2] > self.hook_timeout:
            return self._hung(running[0], running[1])
        return None

    def _run_here(self, calls: list[_Call], stop_on_failure: bool) -> list[tuple[pluggy.HookImpl, Any]]:
        """On the engine thread (jsii is single-threaded, so synthesize must run there; whoever waits for
        the engine thread enforces the timeout through ``self.running``) or from inside a hook."""
        engine = threading.current_thread().name.startswith(_NO_THREAD_PREFIXES)
        outcomes: list[tuple[pluggy.HookImpl, Any]] = []
        for impl, args in calls:
            if engine:
                self.running = (impl.plugin_name, _hook_name(impl), time.monotonic())
            try:
                outcome = _guarded(impl, args)
            except PluginFailure as exc:
                outcome = exc
            finally:
                if engine:
                    self.running = None
            outcomes.append((impl, outcome))
            if stop_on_failure and isinstance(outcome, PluginFailure):
                break
        return outcomes


_Call = tuple[pluggy.HookImpl, dict[str, Any]]


class _Batch:
    """The hook calls of one ``call_each``, and how far the worker got with them."""

    def __init__(self, calls: list[_Call], stop_on_failure: bool) -> None:
        self.calls = calls
        self.stop_on_failure = stop_on_failure
        self.outcomes: list[tuple[pluggy.HookImpl, Any]] = []
        self.index = 0
        self.started = time.monotonic()  # of the call now running (or of the hand-off)
        self.cancelled = False
        self.lock = threading.Lock()
        self.done = threading.Event()


class _HookWorker:
    """One long-lived daemon thread that runs hook calls, so a call's timeout costs no new thread.

    Starting a thread per call cost ~0.3 ms, more than a whole resource's rules; validating thousands of
    specs paid it twice per spec. A call that overruns leaves its worker busy, and the host moves on to
    a new worker; the daemon thread never blocks interpreter exit.
    """

    NAME = "facets-hooks"

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[_Batch] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name=self.NAME, daemon=True).start()

    def _loop(self) -> None:
        while True:
            batch = self.jobs.get()
            for i, (impl, args) in enumerate(batch.calls):
                with batch.lock:
                    if batch.cancelled:
                        break
                    batch.index, batch.started = i, time.monotonic()
                try:
                    outcome = _guarded(impl, args)
                except PluginFailure as exc:
                    outcome = exc
                except BaseException as exc:  # SystemExit & co. from a plugin must not kill the worker
                    outcome = PluginFailure(impl.plugin_name, _hook_name(impl), _oneline(exc))
                batch.outcomes.append((impl, outcome))
                if batch.stop_on_failure and isinstance(outcome, PluginFailure):
                    break
            batch.done.set()


_NO_THREAD_PREFIXES = ("facets-engine",)


def _hook_name(impl: pluggy.HookImpl) -> str:
    return getattr(impl.function, "__name__", "?")


def _guarded(impl: pluggy.HookImpl, args: dict[str, Any]) -> Any:
    try:
        result = impl.function(**args)
        if hasattr(result, "__next__"):  # a generator: run it here so its errors are caught here too
            result = list(result)
        return result
    except PluginFailure:
        raise
    except BaseException as exc:  # SystemExit, GeneratorExit, a plugin's own KeyboardInterrupt: all FD900
        if isinstance(exc, KeyboardInterrupt) and threading.current_thread() is threading.main_thread():
            raise  # on the main thread this may be the user's real Ctrl-C: exit 130, as promised
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f" ({os.path.basename(frame.filename)}:{frame.lineno})"
        raise PluginFailure(impl.plugin_name, _hook_name(impl), _oneline(exc) + where) from exc


def _oneline(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


@cache
def default_host() -> Host:
    """The process-wide host with built-ins and installed entry-point plugins."""
    return Host()


