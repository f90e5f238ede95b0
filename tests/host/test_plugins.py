"""Third-party flavor plugins: registered in code and found through a real ``facets_dynamo`` entry point.

The entry-point route is the one an installed distribution takes: a ``*.dist-info`` folder with an
``entry_points.txt`` on ``sys.path`` (``PYTHONPATH`` for the console script), its modules next to it.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS
from support.policy import NO_POLICY

from facets_dynamo import api, hookimpl
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.host import BLOCK_ENV, HOOK_TIMEOUT_ENV, Host
from facets_dynamo.validation import validate_workspace

FAKE = TESTS / "fake_plugin"
QUEUE: dict[str, Any] = {"kind": "queue", "flavor": "default", "version": "0.1", "metadata": {},
                         "spec": {"max_size": 10}}


def fake(name: str) -> Any:
    if str(FAKE) not in sys.path:
        sys.path.insert(0, str(FAKE))
    return importlib.import_module(name)


def make_distribution(root: Path, entry_points: dict[str, str]) -> Path:
    """A minimal installed distribution ``fake-facets-plugins 0.1`` publishing ``entry_points``."""
    info = root / "fake_facets_plugins-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-facets-plugins\nVersion: 0.1\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[facets_dynamo]\n{lines}")
    return root


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, str]]:
    """Install fake plugins through an entry point, for this process and for subprocesses (returns env)."""

    def install(**entry_points: str) -> dict[str, str]:
        site = make_distribution(tmp_path / "site", entry_points)
        monkeypatch.syspath_prepend(str(FAKE))
        monkeypatch.syspath_prepend(str(site))
        monkeypatch.delenv(BLOCK_ENV, raising=False)
        pythonpath = os.pathsep.join([str(site), str(FAKE), os.environ.get("PYTHONPATH", "")])
        return {"PYTHONPATH": pythonpath.rstrip(os.pathsep)}

    return install


def check(host: Host, *paths: Path) -> list[Any]:
    return list(validate_workspace(load_workspace(list(paths)), host, config=NO_POLICY))


# -- registered in code ----------------------------------------------------------------------------

def test_plugin_registered_in_code_validates_its_flavor(write_json: Callable[..., Path]) -> None:
    host = Host(plugins=[("fake", fake("fake_queue.plugin"))])
    assert "queue/default/0.1" in host.available() and "dynamodb/default/0.2" in host.available()
    assert host.flavor("queue", "default", "0.1").plugin == "fake"
    assert [str(f.key) for f in host.plugins["fake"].flavors] == ["queue/default/0.1"]
    assert "fake" in [f.plugin for f in api.flavors(host)]

    assert check(host, write_json(QUEUE, "jobs.json")) == []
    too_big = json.loads(json.dumps(QUEUE))
    too_big["spec"]["max_size"] = 5000
    path = write_json(too_big, "jobs.json")
    [d] = check(host, path)
    assert (d.code, d.path) == ("QUE101", "/spec/max_size")
    assert d.line == next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if "max_size" in ln)


def test_plugin_schema_is_applied(write_json: Callable[..., Path]) -> None:
    host = Host(plugins=[("fake", fake("fake_queue.plugin"))])
    doc = json.loads(json.dumps(QUEUE))
    doc["spec"] = {"max_size": "ten", "colour": "red"}
    found = check(host, write_json(doc, "jobs.json"))
    assert sorted((d.code, d.path) for d in found) == [("FD302", "/spec/max_size"), ("FD304", "/spec/colour")]
    assert api.schema("queue", "default", "0.1", host=host)["properties"]["kind"] == {"const": "queue"}


def test_without_the_plugin_the_flavor_is_unknown(write_json: Callable[..., Path]) -> None:
    [d] = check(Host(entry_points=False), write_json(QUEUE, "jobs.json"))
    assert d.code == "FD202" and "queue/default/0.1" in d.message


def test_plugin_raising_in_validate_is_fd900_and_others_still_report(write_json: Callable[..., Path],
                                                                     minimal: dict[str, Any]) -> None:
    host = Host(plugins=[("raiser", fake("fake_raising"))])
    minimal["spec"]["attributes"]["extra"] = {"name": "Unused", "type": "S"}
    found = check(host, write_json(minimal))
    failure = next(d for d in found if d.code == "FD900")
    assert "'raiser'" in failure.message and "fake_raising exploded" in failure.message
    assert "Traceback" not in failure.message
    # the bundled plugin's own finding is not lost because another plugin crashed
    assert "DDB102" in {d.code for d in found}


def test_plugin_that_hangs_is_timed_out(write_json: Callable[..., Path], minimal: dict[str, Any],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    class Hanging:
        @hookimpl
        def validate(self, resource: Any, context: Any) -> None:
            release.wait(10)

    monkeypatch.setenv(HOOK_TIMEOUT_ENV, "0.5")
    host = Host(plugins=[("sleepy", Hanging())])
    try:
        found = check(host, write_json(minimal))
    finally:
        release.set()
    [d] = [d for d in found if "'sleepy'" in d.message]
    assert d.code == "FD900" and "0.5 s" in d.message


def test_plugin_raising_in_register_flavors_is_reported_by_name(write_json: Callable[..., Path],
                                                                  minimal: dict[str, Any]) -> None:
    class Failing:
        @hookimpl
        def register_flavors(self, register: Any) -> None:
            raise ValueError("cannot find my schemas")

    host = Host(plugins=[("failing", Failing())])
    error = host.plugins["failing"].error or ""
    assert "ValueError: cannot find my schemas" in error
    assert "dynamodb/default/0.2" in host.available() and host.plugins["failing"].flavors == []
    assert check(host, write_json(minimal)) == []


def test_plugin_returning_garbage_from_validate_is_fd901(write_json: Callable[..., Path],
                                                         minimal: dict[str, Any]) -> None:
    class Garbage:
        @hookimpl
        def validate(self, resource: Any, context: Any) -> int:
            return 42

    [d] = check(Host(plugins=[("garbage", Garbage())]), write_json(minimal))
    assert d.code == "FD901" and "'garbage'" in d.message


def test_two_plugins_registering_the_same_flavor_second_is_reported() -> None:
    host = Host(plugins=[("dup", fake("fake_dup"))])
    assert host.flavor("dynamodb", "default", "0.2").plugin == "dynamodb_default"
    assert "already served by plugin 'dynamodb_default'" in (host.plugins["dup"].error or "")
    assert [p.name for p in host.broken_plugins()] == ["dup"]


def test_plugin_reusing_a_taken_name_is_refused_and_the_first_keeps_working(write_json: Callable[..., Path],
                                                                            minimal: dict[str, Any]) -> None:
    # It used to mark the bundled plugin itself as broken, silently switching all DDB rules off.
    host = Host(plugins=[("dynamodb_default", fake("fake_queue.plugin"))])
    assert host.plugins["dynamodb_default"].error is None
    refused = host.plugins["dynamodb_default (registered in code)"]
    assert "already taken" in (refused.error or "")
    assert host.flavor("queue", "default", "0.1") is None
    minimal["spec"]["hash_key"] = "Nope"
    assert "DDB101" in {d.code for d in check(host, write_json(minimal))}


def test_plugin_with_invalid_schema_is_reported_not_a_crash(write_json: Callable[..., Path]) -> None:
    host = Host(plugins=[("badschema", fake("fake_badschema"))])
    doc = {**QUEUE, "flavor": "bad"}
    found = check(host, write_json(doc, "jobs.json"))
    assert [d.code for d in found] == ["FD900"]
    assert "'badschema'" in found[0].message and "queue/bad/0.1" in found[0].message


# -- through an entry point ------------------------------------------------------------------------

def test_entry_point_plugin_is_discovered(installed: Callable[..., dict[str, str]],
                                          write_json: Callable[..., Path]) -> None:
    installed(fake_queue="fake_queue.plugin")
    host = Host()
    info = host.plugins["fake_queue"]
    assert info.error is None and not info.blocked
    assert info.source == "entry point from fake-facets-plugins 0.1"
    assert [str(f.key) for f in info.flavors] == ["queue/default/0.1"]
    assert check(host, write_json(QUEUE, "jobs.json")) == []


def test_block_env_var_blocks_entry_point_by_name(installed: Callable[..., dict[str, str]],
                                                  write_json: Callable[..., Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    installed(fake_queue="fake_queue.plugin")
    monkeypatch.setenv(BLOCK_ENV, "something_else, fake_queue")
    host = Host()
    assert host.plugins["fake_queue"].blocked
    assert host.flavor("queue", "default", "0.1") is None
    assert host.flavor("dynamodb", "default", "0.2") is not None  # others unaffected
    [d] = check(host, write_json(QUEUE, "jobs.json"))
    assert d.code == "FD202"


def test_blocking_every_plugin_leaves_a_working_host(write_json: Callable[..., Path], minimal: dict[str, Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BLOCK_ENV, "*")
    host = Host()
    assert host.plugins["dynamodb_default"].blocked and host.available() == []
    [d] = check(host, write_json(minimal))
    assert d.code == "FD202" and "none" in d.message


def test_broken_import_is_reported_by_name_and_host_still_works(installed: Callable[..., dict[str, str]],
                                                                write_json: Callable[..., Path],
                                                                minimal: dict[str, Any]) -> None:
    installed(fake_broken="fake_broken", fake_queue="fake_queue.plugin")
    host = Host()
    error = host.plugins["fake_broken"].error or ""
    assert "failed to load" in error and "boom" in error
    assert check(host, write_json(minimal)) == []
    assert check(host, write_json(QUEUE, "jobs.json")) == []


def test_cli_plugins_lists_entry_point_and_broken_plugins(installed: Callable[..., dict[str, str]], run_cli) -> None:
    env = installed(fake_broken="fake_broken", fake_queue="fake_queue.plugin", fake_dup="fake_dup")
    result = run_cli("plugins", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "fake_broken [BROKEN: failed to load: ImportError: fake_broken needs" in out
    assert "fake_dup [BROKEN: " in out and "already served" in out
    lines = out.splitlines()
    queue = lines.index(next(ln for ln in lines if ln.startswith("fake_queue ")))
    assert lines[queue + 1].strip() == "queue/default/0.1"
    assert "Traceback" not in out + result.stderr

    listed = json.loads(run_cli("plugins", "--format", "json", env=env).stdout)
    by_name = {p["name"]: p for p in listed}
    assert by_name["fake_queue"]["flavors"] == ["queue/default/0.1"]
    assert by_name["dynamodb_default"]["flavors"] == ["dynamodb/default/0.2"]

    blocked = run_cli("plugins", env={**env, BLOCK_ENV: "fake_queue"})
    assert "fake_queue [blocked]" in blocked.stdout


def test_cli_validate_with_entry_point_plugin(installed: Callable[..., dict[str, str]], run_cli,
                                              write_json: Callable[..., Path]) -> None:
    env = installed(fake_queue="fake_queue.plugin", fake_raising="fake_raising")
    doc = json.loads(json.dumps(QUEUE))
    doc["spec"]["max_size"] = 5000
    path = write_json(doc, "jobs.json")
    result = run_cli("validate", path, "--format", "json", env=env)
    assert result.returncode == 1
    found = {(d["code"], d["path"]) for d in json.loads(result.stdout)}
    assert found == {("QUE101", "/spec/max_size"), ("FD900", "")}
    assert "Traceback" not in result.stdout + result.stderr


def test_diff_of_a_flavor_without_plan_change_says_unknown_never_a_dynamodb_verdict(
        installed: Callable[..., dict[str, str]], run_cli, tmp_path: Path) -> None:
    """The queue plugin answers no plan_change: a rename is a plain value change of unknown effect (exit 0),
    not "DynamoDB cannot rename a table"; deleting the resource still destroys its stack's resources."""
    env = installed(fake_queue="fake_queue.plugin")
    old, new = tmp_path / "old" / "jobs.json", tmp_path / "new" / "jobs.json"
    for path, meta in ((old, {}), (new, {"name": "jobs2"})):
        path.parent.mkdir()
        path.write_text(json.dumps({**QUEUE, "metadata": meta}, indent=2))
    done = run_cli("diff", old, new, "--format", "json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    (entry,) = json.loads(done.stdout)["resources"]
    assert (entry["effect"], entry["replaces"], entry["planned_by"]) == ("unknown", False, None)
    assert entry["changes"] == [{"path": "/metadata/name", "op": "added", "new": "jobs2", "effect": "unknown"}]
    text = run_cli("diff", old, new, env=env).stdout
    assert "effect unknown" in text and "DynamoDB" not in text and "table" not in text

    from facets_dynamo.diff import diff_resources

    host = Host(plugins=[("fake", fake("fake_queue.plugin"))])
    [gone] = load_workspace([old]).resources
    removed = diff_resources(gone, None, "dev", host)
    assert removed.destroys and removed.reasons == [
        "the resource is deleted: its stack is no longer synthesized, so Terraform destroys what it created"]
