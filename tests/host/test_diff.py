"""``facets-dynamo diff``: changes between two versions, and the ones that destroy a table's data."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from facets_dynamo import api
from facets_dynamo.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    Change,
    GitError,
    checkout_at,
    compare_paths,
    diff_resources,
    diff_values,
)
from facets_dynamo.resource import Resource
from facets_dynamo.semantics import Effect

DOC: dict[str, Any] = {
    "kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {"tags": {"team": "a"}},
    "spec": {"attributes": {"pk": {"name": "Pk", "type": "S"}, "sk": {"name": "Sk", "type": "S"},
                            "c": {"name": "Created", "type": "N"}, "g": {"name": "G", "type": "S"}},
             "hash_key": "Pk"},
    "advanced": {"aws_dynamodb": {
        "range_key": "Sk",
        "local_secondary_indexes": [{"name": "by-created", "range_key": "Created", "projection_type": "ALL"}],
        "global_secondary_indexes": [{"name": "by-g", "hash_key": "G", "projection_type": "ALL"}]}},
}


def resource(tmp_path: Path, doc: dict[str, Any], name: str = "orders", sub: str = "a") -> Resource:
    path = tmp_path / sub / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))
    (r,) = api.load(path).resources
    return r


def changed(**edits: Any) -> dict[str, Any]:
    doc = copy.deepcopy(DOC)
    for pointer, value in edits.items():
        *parents, last = pointer.split("__")
        node = doc
        for p in parents:
            node = node[p]
        if value is ...:
            del node[last]
        else:
            node[last] = value
    return doc


# -- the pure functions ----------------------------------------------------------------------------

def test_diff_values_uses_json_pointers() -> None:
    old = {"a": 1, "b": {"c": [1, 2, 3], "d/e": True}, "gone": "x"}
    new = {"a": 2, "b": {"c": [1, 5], "d/e": 1}, "new": None}
    got = {(c.path, c.op, json.dumps(c.old), json.dumps(c.new)) for c in diff_values(old, new)}
    assert got == {
        ("/a", CHANGED, "1", "2"),
        ("/b/c/1", CHANGED, "2", "5"),
        ("/b/c/2", REMOVED, "3", "null"),
        ("/b/d~1e", CHANGED, "true", "1"),  # true and 1 are different JSON values
        ("/gone", REMOVED, '"x"', "null"),
        ("/new", ADDED, "null", "null"),
    }
    assert list(diff_values({"x": 1}, {"x": 1.0})) == []


def test_identical_versions(tmp_path: Path) -> None:
    d = diff_resources(resource(tmp_path, DOC), resource(tmp_path, DOC, sub="b"), "dev")
    assert (d.status, d.changes, d.replaces, d.destroys_data) == (UNCHANGED, [], False, False)
    assert d.old_name == d.new_name == "orders-dev"


def test_in_place_changes_do_not_replace(tmp_path: Path) -> None:
    new = changed(metadata__tags={"team": "b"}, advanced__aws_dynamodb__stream_enabled=True,
                  advanced__aws_dynamodb__global_secondary_indexes=[])
    new["advanced"]["aws_dynamodb"]["stream_view_type"] = "KEYS_ONLY"
    d = diff_resources(resource(tmp_path, DOC), resource(tmp_path, new, sub="b"), "dev")
    assert d.status == CHANGED and not d.replaces and not d.destroys_data
    assert {c.path for c in d.changes} == {"/metadata/tags/team", "/advanced/aws_dynamodb/stream_enabled",
                                           "/advanced/aws_dynamodb/stream_view_type",
                                           "/advanced/aws_dynamodb/global_secondary_indexes/0"}
    assert all(c.effect is Effect.IN_PLACE for c in d.changes)


@pytest.mark.parametrize(("edits", "flagged_path", "reason"), [
    ({"spec__hash_key": "G"}, "/spec/hash_key", "hash key"),
    ({"advanced__aws_dynamodb__range_key": "Created"}, "/advanced/aws_dynamodb/range_key", "range key"),
    ({"advanced__aws_dynamodb__range_key": ...}, "/advanced/aws_dynamodb/range_key", "range key"),
    ({"metadata__name": "orders2"}, "/metadata/name", "table name"),
    ({"advanced__aws_dynamodb__local_secondary_indexes": []},
     "/advanced/aws_dynamodb/local_secondary_indexes/0", "removed by-created"),
    ({"advanced__aws_dynamodb__local_secondary_indexes": [
        {"name": "by-created", "range_key": "Created", "projection_type": "KEYS_ONLY"}]},
     "/advanced/aws_dynamodb/local_secondary_indexes/0/projection_type", "changed by-created"),
    ({"advanced__aws_dynamodb__local_secondary_indexes": [
        {"name": "by-created", "range_key": "Created", "projection_type": "ALL"},
        {"name": "by-g", "range_key": "G", "projection_type": "ALL"}]},
     "/advanced/aws_dynamodb/local_secondary_indexes/1", "added by-g"),
    ({"spec__attributes__pk": {"name": "Pk", "type": "N"}}, "/spec/attributes/pk/type", "'Pk' changes type"),
    ({"spec__attributes__c": {"name": "Created", "type": "S"}}, "/spec/attributes/c/type", "'Created'"),
])
def test_replacing_changes_are_flagged(tmp_path: Path, edits: dict[str, Any], flagged_path: str,
                                       reason: str) -> None:
    d = diff_resources(resource(tmp_path, DOC), resource(tmp_path, changed(**edits), sub="b"), "dev")
    assert d.replaces and d.destroys_data and not d.destroys
    assert any(reason in r for r in d.reasons), d.reasons
    flagged = [c for c in d.changes if c.effect is Effect.REPLACES]
    assert flagged_path in {c.path for c in flagged}, d.changes
    assert "REPLACES orders-dev" in d.format_text()


def test_gsi_key_type_change_is_in_place(tmp_path: Path) -> None:
    """A GSI is rebuilt in place; only table and LSI key types force replacement."""
    d = diff_resources(resource(tmp_path, DOC),
                       resource(tmp_path, changed(spec__attributes__g={"name": "G", "type": "N"}), sub="b"), "dev")
    assert d.status == CHANGED and not d.replaces


def test_lsi_reordering_is_not_a_replacement(tmp_path: Path) -> None:
    two = [{"name": "one", "range_key": "Created", "projection_type": "ALL"},
           {"name": "two", "range_key": "G", "projection_type": "ALL"}]
    old = changed(advanced__aws_dynamodb__local_secondary_indexes=two)
    new = changed(advanced__aws_dynamodb__local_secondary_indexes=list(reversed(two)))
    d = diff_resources(resource(tmp_path, old), resource(tmp_path, new, sub="b"), "dev")
    assert d.changes and not d.replaces


@pytest.mark.parametrize(("edit", "why"), [
    ({"disabled": True}, "becomes disabled"),
    ({"provided": True}, "becomes provided"),
])
def test_leaving_management_destroys(tmp_path: Path, edit: dict[str, Any], why: str) -> None:
    d = diff_resources(resource(tmp_path, DOC), resource(tmp_path, {**DOC, **edit}, sub="b"), "dev")
    assert d.destroys and d.destroys_data and not d.replaces
    assert why in d.reasons[0]
    assert "DESTROYS orders-dev" in d.format_text()


def test_added_removed_and_enabled(tmp_path: Path) -> None:
    old = resource(tmp_path, DOC)
    assert diff_resources(None, old, "dev").status == ADDED
    gone = diff_resources(old, None, "dev")
    assert gone.status == REMOVED and gone.destroys and gone.old_name == "orders-dev"
    disabled = resource(tmp_path, {**DOC, "disabled": True}, sub="b")
    enabling = diff_resources(disabled, old, "dev")
    assert enabling.status == CHANGED and not enabling.destroys_data  # creates the table
    assert not diff_resources(disabled, None, "dev").destroys_data  # nothing existed


def test_environment_changes_the_table_name_not_the_verdict(tmp_path: Path) -> None:
    d = diff_resources(resource(tmp_path, DOC), resource(tmp_path, changed(spec__hash_key="G"), sub="b"), "prod")
    assert d.old_name == "orders-prod" and d.replaces


def test_change_json_shape() -> None:
    assert Change("/a", ADDED, new=1).to_dict() == {"path": "/a", "op": "added", "new": 1, "effect": "unknown"}
    assert Change("/a", REMOVED, old=1, effect=Effect.DESTROYS).to_dict() == {"path": "/a", "op": "removed",
                                                                              "old": 1, "effect": "destroys"}


def test_blueprints_pair_by_address_with_overrides(tmp_path: Path, example_bp: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(example_bp, new)
    sessions = new / "prod" / "dynamodb" / "instances" / "sessions.json"
    sessions.write_text(json.dumps({"advanced": {"aws_dynamodb": {"range_key": "DeviceId"}}}))
    (new / "dynamodb" / "instances" / "locks.json").unlink()
    (new / "dev" / "dynamodb" / "instances" / "orders.json").unlink()  # dev loses its override; prod unaffected
    prod = compare_paths(example_bp, new, "prod")
    by = {d.address: d for d in prod.diffs}
    assert by["dynamodb.sessions"].replaces and by["dynamodb.sessions"].old_name == "sessions-prod"
    assert by["dynamodb.locks"].status == REMOVED and by["dynamodb.locks"].destroys
    assert by["dynamodb.orders"].status == UNCHANGED
    dev = {d.address: d for d in compare_paths(example_bp, new, "dev").diffs}
    assert dev["dynamodb.sessions"].status == UNCHANGED  # the override is prod's only
    assert dev["dynamodb.orders"].status == CHANGED and not dev["dynamodb.orders"].destroys_data


# -- git ---------------------------------------------------------------------------------------------

def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, example_bp: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(example_bp, root / "bp")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "v1")
    return root


def test_checkout_at_reads_the_revision_without_touching_the_tree(repo: Path) -> None:
    locks = repo / "bp" / "dynamodb" / "instances" / "locks.json"
    original = locks.read_text()
    locks.write_text("{}")
    tmp, copy_ = checkout_at(repo / "bp", "HEAD")
    try:
        assert (copy_ / "dynamodb" / "instances" / "locks.json").read_text() == original
        assert (copy_ / "prod" / "environment.json").exists()
    finally:
        shutil.rmtree(tmp)
    assert locks.read_text() == "{}"


def test_checkout_errors(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(GitError, match="unknown git revision 'no-such-rev'"):
        checkout_at(repo / "bp", "no-such-rev")
    outside = tmp_path / "plain"
    outside.mkdir()
    with pytest.raises(GitError, match="not inside a git repository"):
        checkout_at(outside, "HEAD")


def test_adding_a_range_key_to_a_table_without_one_replaces_it(tmp_path: Path, run_cli) -> None:
    no_range = changed(advanced__aws_dynamodb__range_key=..., advanced__aws_dynamodb__local_secondary_indexes=...)
    with_range = changed(advanced__aws_dynamodb__local_secondary_indexes=...)
    old, new = resource(tmp_path, no_range), resource(tmp_path, with_range, sub="b")
    d = diff_resources(old, new, "dev")
    assert d.replaces and any("range key" in r for r in d.reasons), d.reasons
    assert "/advanced/aws_dynamodb/range_key" in {c.path for c in d.changes if c.loses_data}
    back = diff_resources(new, old, "dev")  # and removing it again
    assert back.replaces
    done = run_cli("diff", old.file, new.file, "--env", "dev")
    assert done.returncode == 3, done.stdout + done.stderr
    assert '+ /advanced/aws_dynamodb/range_key: "Sk"  [replaces]' in done.stdout, done.stdout


# -- the command line ----------------------------------------------------------------------------------

def test_cli_two_files(tmp_path: Path, run_cli) -> None:
    old = resource(tmp_path, DOC, name="v1")
    new = resource(tmp_path, changed(advanced__aws_dynamodb__range_key="Created"), name="v2")
    done = run_cli("diff", old.file, new.file, "--env", "dev")
    assert done.returncode == 3, done.stderr
    assert '~ /advanced/aws_dynamodb/range_key: "Sk" -> "Created"  [replaces]' in done.stdout
    assert "REPLACES v2-dev" in done.stdout  # two files are one resource, named by the new file
    same = run_cli("diff", old.file, old.file, "--format", "json")
    assert same.returncode == 0
    report = json.loads(same.stdout)
    assert report["destructive"] is False and report["resources"][0]["status"] == "unchanged"


def test_cli_exit_codes_for_bad_input(tmp_path: Path, run_cli) -> None:
    good = resource(tmp_path, DOC)
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "dynamodb",\n')
    invalid = run_cli("diff", good.file, broken)
    assert invalid.returncode == 1 and "broken.json:2" in invalid.stdout and "FD110" in invalid.stdout
    usage = [run_cli("diff", good.file), run_cli("diff", good.file, tmp_path / "missing.json"),
             run_cli("diff", good.file, tmp_path)]  # one path; a missing file; a file against a folder
    assert [u.returncode for u in usage] == [2, 2, 2]
    assert all("Traceback" not in done.stderr for done in [invalid, *usage])


def test_cli_base_revision(repo: Path, run_cli) -> None:
    bp = repo / "bp"
    clean = run_cli("diff", bp, "--base", "HEAD", "--env", "prod")
    assert clean.returncode == 0, clean.stderr
    assert "0 changed, 0 added, 0 removed, 5 unchanged (environment 'prod')" in clean.stdout
    orders = bp / "dynamodb" / "instances" / "orders.json"
    doc = json.loads(orders.read_text())
    doc["spec"]["hash_key"] = "Status"
    doc["spec"]["attributes"]["customer"]["name"] = "Status2"
    orders.write_text(json.dumps(doc, indent=2))
    done = run_cli("diff", bp, "--base", "HEAD", "--env", "dev", "--format", "json")
    assert done.returncode == 3, done.stderr
    report = json.loads(done.stdout)
    (entry,) = [r for r in report["resources"] if r["status"] != "unchanged"]
    assert entry["address"] == "dynamodb.orders" and entry["replaces"] is True and entry["effect"] == "replaces"
    assert entry["old_file"] == "HEAD:bp/dynamodb/instances/orders.json"
    assert {"path": "/spec/hash_key", "op": "changed", "old": "CustomerId", "new": "Status",
            "effect": "replaces"} in entry["changes"]
    one_file = run_cli("diff", orders, "--base", "HEAD", "--env", "dev")
    assert one_file.returncode == 3 and "dynamodb.orders (orders-dev): changed" in one_file.stdout
    untouched = run_cli("diff", bp / "dynamodb" / "instances" / "locks.json", "--base", "HEAD")
    assert untouched.returncode == 0


def test_cli_base_errors(tmp_path: Path, repo: Path, run_cli) -> None:
    unknown = run_cli("diff", repo / "bp", "--base", "v9.9")
    assert unknown.returncode == 2 and "unknown git revision 'v9.9'" in unknown.stderr
    plain = tmp_path / "plain"
    shutil.copytree(repo / "bp", plain)
    shutil.rmtree(plain / "prod")
    no_repo = run_cli("diff", plain, "--base", "HEAD")
    assert no_repo.returncode == 2 and "not inside a git repository" in no_repo.stderr
    two = run_cli("diff", repo / "bp", repo / "bp", "--base", "HEAD")
    assert two.returncode == 2 and "exactly one PATH" in two.stderr
    for done in (unknown, no_repo, two):
        assert "Traceback" not in done.stderr


def test_base_revision_of_a_deleted_file_reports_removal(repo: Path) -> None:
    from facets_dynamo.diff import compare_with_git

    locks = repo / "bp" / "dynamodb" / "instances" / "locks.json"
    locks.unlink()
    result = compare_with_git(locks, "HEAD", "prod")
    (d,) = result.diffs
    assert (d.status, d.destroys, d.old_name) == (REMOVED, True, "locks-prod")
    assert d.old_file == "HEAD:bp/dynamodb/instances/locks.json"
    assert result.destructive


@pytest.mark.parametrize("base", ["", "  "])
def test_empty_base_is_a_usage_error(run_cli, example_bp, base: str) -> None:
    proc = run_cli("diff", example_bp, "--base", base)
    assert proc.returncode == 2
    assert "--base needs a git revision" in proc.stderr and "internal error" not in proc.stderr
