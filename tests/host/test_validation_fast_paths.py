"""The shortcuts that make bulk validation fast (issue 7's throughput target) must not change results.

- ``Flavor.certainly_valid``: a compiled (fastjsonschema, draft-07) yes/no check before jsonschema. It may
  only ever *confirm* validity; the diagnostics always come from jsonschema.
- ``Host`` runs hook calls on one long-lived worker thread instead of a new thread per call; timeouts and
  misbehaving plugins must still be isolated.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator

from facets_dynamo import hookimpl
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.fastcheck import compile_check, portable
from facets_dynamo.flavor import FAST_CHECK_AFTER
from facets_dynamo.host import HOOK_TIMEOUT_ENV, Host, default_host
from facets_dynamo.validation import validate_workspace

EXAMPLES = ROOT / "examples" / "blueprint" / "dynamodb" / "instances"


def _schema() -> dict[str, Any]:
    host = default_host()
    return next(f for k, f in host.flavors.items() if str(k) == "dynamodb/default/0.2").schema


def test_the_bundled_schema_gets_the_compiled_check() -> None:
    assert portable(_schema())
    assert compile_check(_schema()) is not None


@pytest.mark.parametrize("extra", [
    {"$ref": "#/$defs/x"}, {"format": "date"}, {"prefixItems": [{"type": "string"}]},
    {"unevaluatedProperties": False}, {"dependentRequired": {"a": ["b"]}}, {"items": [{"type": "string"}]},
])
def test_keywords_whose_meaning_differs_disable_the_compiled_check(extra: dict[str, Any]) -> None:
    schema = {"type": "object", "properties": {"deep": {"type": "object", "properties": {"x": extra}}}}
    assert not portable(schema)
    assert compile_check(schema) is None


def _mutations(doc: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One random change somewhere in the document: the kind of mistake a person or a tool makes."""
    mutated = copy.deepcopy(doc)
    nodes: list[tuple[Any, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for k in list(value):
                nodes.append((value, k))
                walk(value[k])
        elif isinstance(value, list):
            for i in range(len(value)):
                nodes.append((value, i))
                walk(value[i])

    walk(mutated)
    parent, key = rng.choice(nodes)
    replacement = rng.choice([None, True, False, 0, 1, 1.0, 1.5, -1, "", "x", "S", "PROVISIONED", "0.2", [], {},
                              ["a"], {"name": "A", "type": "S"}, "a" * 300, "${x}", 10**20])
    action = rng.random()
    if action < 0.25 and isinstance(parent, dict):
        del parent[key]
    elif action < 0.4 and isinstance(parent, dict):
        parent[rng.choice(["extra", "unknown_field", "name", "type", "range_key", "tags", "x-y"])] = replacement
    else:
        parent[key] = replacement
    return mutated


def test_the_compiled_check_never_accepts_what_jsonschema_rejects() -> None:
    schema = _schema()
    full = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    fast = compile_check(schema)
    assert fast is not None
    seeds = [json.loads(p.read_text("utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    rng = random.Random(7)
    accepted = rejected = 0
    for i in range(3000):
        doc = _mutations(rng.choice(seeds), rng) if i % 10 else rng.choice(seeds)
        before = json.dumps(doc, sort_keys=True)
        try:
            fast(doc)
        except Exception:
            rejected += 1
            continue
        finally:
            assert json.dumps(doc, sort_keys=True) == before, "the compiled check wrote into the document"
        accepted += 1
        assert list(full.iter_errors(doc)) == [], json.dumps(doc)[:400]
    assert accepted > 300 and rejected > 300  # both branches really exercised


def test_diagnostics_are_the_same_with_and_without_the_compiled_check(tmp_path: Path) -> None:
    """Past the threshold the compiled check is on; every document's schema errors must still appear."""
    instances = tmp_path / "dynamodb" / "instances"
    instances.mkdir(parents=True)
    base = json.loads((EXAMPLES / "orders.json").read_text("utf-8"))
    rng = random.Random(11)
    for i in range(3 * FAST_CHECK_AFTER):
        doc = copy.deepcopy(base) if i % 3 else _mutations(base, rng)
        (instances / f"t{i:03d}.json").write_text(json.dumps(doc, indent=2), "utf-8")

    def run(host: Host) -> list[str]:
        ws = load_workspace([tmp_path], "dev")
        return [d.format_text() for d in validate_workspace(ws, host)]

    with_fast = run(Host())
    slow_host = Host()
    for flavor in slow_host.flavors.values():
        flavor.certainly_valid = lambda data: False  # type: ignore[method-assign]
    assert with_fast == run(slow_host)
    assert any("FD3" in line for line in with_fast[-20:]), "late documents still get schema diagnostics"


class _Plugins:
    """Hook implementations that misbehave on purpose (registered in code, no entry point)."""

    def __init__(self) -> None:
        self.calls = 0
        self.threads: set[str] = set()
        self.mode = "ok"

    @hookimpl
    def validate(self, resource: Any, context: Any) -> list[Any]:
        self.calls += 1
        self.threads.add(threading.current_thread().name)
        if self.mode == "exit":
            raise SystemExit(3)
        if self.mode == "hang":
            time.sleep(1.0)
        return []


class _After:
    """Registered after the naughty plugin: must still run when the one before it fails or hangs."""

    @hookimpl
    def validate(self, resource: Any, context: Any) -> list[Any]:
        return [resource.diagnostic("", "X999", "the plugin after the bad one ran", key=False)]


def test_hook_calls_share_one_worker_and_survive_a_bad_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOOK_TIMEOUT_ENV, "0.3")
    plugin = _Plugins()
    host = Host(entry_points=False, plugins=[("naughty", plugin), ("after", _After())])
    ws = load_workspace([EXAMPLES / "locks.json"], "dev")
    for _ in range(20):
        validate_workspace(ws, host)
    assert plugin.calls == 20 and len(plugin.threads) == 1  # one worker, not a thread per call

    plugin.mode = "exit"
    found = validate_workspace(ws, host)
    assert any(d.code == "FD900" and "naughty" in d.message and "SystemExit" in d.message for d in found)
    assert any(d.code == "X999" for d in found)

    plugin.mode = "hang"
    started = time.monotonic()
    found = validate_workspace(ws, host)
    assert time.monotonic() - started < 0.9
    assert any(d.code == "FD900" and "did not return within" in d.message for d in found)
    assert any(d.code == "X999" for d in found)

    plugin.mode = "ok"  # the hung call still holds the old worker; a fresh one serves the next calls
    assert not [d for d in validate_workspace(ws, host) if d.code == "FD900"]


def test_a_hung_plugin_costs_one_timeout_per_batch_not_per_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hook calls for many resources go to the worker in one batch; a plugin that hangs on the first one
    is not called again for the others (each gets an FD900 saying so), and the other plugins still run."""
    monkeypatch.setenv(HOOK_TIMEOUT_ENV, "0.3")
    plugin = _Plugins()
    plugin.mode = "hang"
    host = Host(entry_points=False, plugins=[("naughty", plugin), ("after", _After())])
    files = sorted(EXAMPLES.glob("*.json"))
    ws = load_workspace(files, "dev")
    started = time.monotonic()
    found = validate_workspace(ws, host)
    assert time.monotonic() - started < 0.9  # one timeout, not len(files) of them
    assert plugin.calls == 1
    hung = [d for d in found if d.code == "FD900"]
    assert len(hung) == len(files)
    assert sum(not d.message.endswith("for an earlier resource") for d in hung) == 1
    assert sum("not called: it did not return" in d.message for d in hung) == len(files) - 1
    assert {d.file for d in found if d.code == "X999"} == {d.file for d in hung}
