"""Blueprints and environments: overrides (RFC 7396), provenance, environment files, disabled/provided/
metadata.name per environment, and whole-blueprint runs of hundreds of resources."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.blueprints import write_blueprint
from support.policy import NO_POLICY, policy_off

from facets_dynamo import api
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.validation import validate_workspace

TABLE: dict[str, Any] = {
    "kind": "dynamodb", "flavor": "default", "version": "0.2",
    "metadata": {"tags": {"keep": "base", "drop": "base", "change": "base"}},
    "spec": {"attributes": {"pk": {"name": "Pk", "type": "S"}, "g": {"name": "G", "type": "S"}}, "hash_key": "Pk"},
    "advanced": {"aws_dynamodb": {
        "global_secondary_indexes": [{"name": "by-g", "hash_key": "G", "projection_type": "ALL"}],
        "tags": {"layer": "data"}}},
}


def put(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


@pytest.fixture
def bp(tmp_path: Path) -> Path:
    root = tmp_path / "bp"
    put(root / "dynamodb" / "instances" / "orders.json", TABLE)
    put(root / "dev" / "environment.json", {"name": "dev", "region": "eu-west-1",
                                           "cloud_tags": {"environment": "dev", "change": "cloud"}})
    return root


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# -- merging ---------------------------------------------------------------------------------------

def test_override_is_a_json_merge_patch(bp: Path) -> None:
    put(bp / "dev" / "dynamodb" / "instances" / "orders.json", {
        "metadata": {"tags": {"drop": None, "change": "dev", "new": "dev"}},
        "advanced": {"aws_dynamodb": {"global_secondary_indexes": [
            {"name": "by-g-dev", "hash_key": "G", "projection_type": "KEYS_ONLY"}], "tags": None}}})
    (orders,) = api.load(bp, env="dev").resources
    assert orders.metadata["tags"] == {"keep": "base", "change": "dev", "new": "dev"}  # null deletes, objects merge
    assert orders.advanced["aws_dynamodb"]["global_secondary_indexes"] == [  # arrays are replaced whole
        {"name": "by-g-dev", "hash_key": "G", "projection_type": "KEYS_ONLY"}]
    assert "tags" not in orders.advanced["aws_dynamodb"]
    assert orders.spec == TABLE["spec"]
    (plain,) = api.load(bp, env="prod").resources  # another environment: the base as written
    assert plain.data == TABLE


def test_diagnostic_on_an_overridden_value_points_at_the_override(bp: Path) -> None:
    override = put(bp / "dev" / "dynamodb" / "instances" / "orders.json",
                   {"advanced": {"aws_dynamodb": {"stream_view_type": "SIDEWAYS"}}})
    found = api.validate(api.load(bp, env="dev"))
    (d,) = [d for d in found.errors if d.path == "/advanced/aws_dynamodb/stream_view_type" and d.code == "FD303"]
    assert d.file == str(override)
    assert d.line == line_of(override, "SIDEWAYS")
    assert api.validate(api.load(bp, env="prod")).ok  # the base alone is fine


def test_override_changing_an_existing_base_value_points_at_the_override_line_and_column(bp: Path) -> None:
    # the base's hash_key "Pk" is valid; the dev override changes it to a name no attribute has
    override = bp / "dev" / "dynamodb" / "instances" / "orders.json"
    override.parent.mkdir(parents=True)
    override.write_text('{\n  "metadata": {"tags": {"keep": "dev"}},\n  "spec": {\n    "hash_key":   "Nope"\n  }\n}\n')
    found = api.validate(api.load(bp, env="dev"))
    (d,) = [d for d in found.errors if d.path == "/spec/hash_key"]
    assert d.code == "DDB101" and d.file == str(override)
    line = line_of(override, '"Nope"')
    assert (d.line, d.column) == (line, override.read_text().splitlines()[line - 1].index('"Nope"') + 1)
    base = bp / "dynamodb" / "instances" / "orders.json"  # the base is blamed only for what it holds
    assert {(x.code, x.path) for x in found.errors if x.file == str(base)} <= {("DDB102", "/spec/attributes/pk")}
    assert api.validate(api.load(bp, env="prod")).ok


def test_diagnostic_on_a_base_value_points_at_the_base(bp: Path) -> None:
    base = bp / "dynamodb" / "instances" / "orders.json"
    doc = json.loads(base.read_text())
    doc["advanced"]["aws_dynamodb"]["ttl_enabled"] = True  # no ttl_attribute_name: DDB114 at the base
    put(base, doc)
    put(bp / "dev" / "dynamodb" / "instances" / "orders.json", {"metadata": {"tags": {"extra": "x"}}})
    found = api.validate(api.load(bp, env="dev"))
    (d,) = [d for d in found.errors if d.code == "DDB114"]
    assert d.file == str(base)
    assert d.line == line_of(base, '"ttl_enabled"')


def test_override_fixing_a_base_error_wins(bp: Path) -> None:
    base = bp / "dynamodb" / "instances" / "orders.json"
    put(base, {**TABLE, "advanced": {"aws_dynamodb": {**TABLE["advanced"]["aws_dynamodb"], "read_capacity": 3}}})
    assert any(d.code == "DDB111" for d in api.validate(api.load(bp, env="dev")).errors)
    put(bp / "dev" / "dynamodb" / "instances" / "orders.json", {"advanced": {"aws_dynamodb": {"read_capacity": None}}})
    assert api.validate(api.load(bp, env="dev")).ok


def test_override_without_base_is_an_error(bp: Path) -> None:
    orphan = put(bp / "dev" / "dynamodb" / "instances" / "ordres.json", {"disabled": True})
    found = api.validate(api.load(bp, env="dev"))
    (d,) = [d for d in found.errors if d.code == "FD321"]
    assert d.file == str(orphan)
    assert "ordres.json" in d.message and "'dev'" in d.message
    assert api.validate(api.load(bp, env="prod")).ok  # only the environment that holds it is affected


# -- environment -----------------------------------------------------------------------------------

def test_environment_file_of_the_blueprint_is_used(bp: Path) -> None:
    ws = api.load(bp, env="dev")
    assert (ws.environment.name, ws.environment.region) == ("dev", "eu-west-1")
    assert ws.environment.cloud_tags == {"environment": "dev", "change": "cloud"}


def test_env_file_option_overrides_the_blueprint_file(bp: Path, tmp_path: Path) -> None:
    env_file = put(tmp_path / "elsewhere.json", {"name": "dev", "region": "ap-south-1", "cloud_tags": {"x": "y"}})
    ws = api.load(bp, env="dev", env_file=env_file)
    assert (ws.environment.region, ws.environment.cloud_tags) == ("ap-south-1", {"x": "y"})


def test_env_file_for_another_environment_is_an_error(bp: Path, tmp_path: Path) -> None:
    env_file = put(tmp_path / "prod.json", {"name": "prod", "region": "eu-west-1", "cloud_tags": {}})
    found = api.validate(api.load(bp, env="dev", env_file=env_file))
    assert [d.code for d in found.errors] == ["FD401"]
    assert "'prod'" in found.errors[0].message and "'dev'" in found.errors[0].message


def test_cloud_tags_reach_every_table_with_precedence(bp: Path) -> None:
    put(bp / "dynamodb" / "instances" / "locks.json", {
        "kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
        "spec": {"attributes": {"k": {"name": "LockID", "type": "S"}}, "hash_key": "LockID"}})
    result = api.synthesize(api.load(bp, env="dev"))
    tags = {name: stack["resource"]["aws_dynamodb_table"]["table"]["tags"] for name, stack in result.stacks.items()}
    assert tags["locks"] == {"environment": "dev", "change": "cloud", "Name": "locks-dev"}
    # cloud < metadata.tags < advanced tags < Name
    assert tags["orders"] == {"environment": "dev", "change": "base", "keep": "base", "drop": "base",
                              "layer": "data", "Name": "orders-dev"}
    assert {s["provider"]["aws"][0]["region"] if isinstance(s["provider"]["aws"], list)
            else s["provider"]["aws"]["region"] for s in result.stacks.values()} == {"eu-west-1"}


def test_disabled_and_name_per_environment(bp: Path) -> None:
    put(bp / "dev" / "dynamodb" / "instances" / "orders.json", {"metadata": {"name": "orders-v2"}})
    put(bp / "prod" / "dynamodb" / "instances" / "orders.json", {"disabled": True})
    (dev,) = api.load(bp, env="dev").resources
    assert (dev.name, dev.disabled) == ("orders-v2", False)
    prod = api.load(bp, env="prod")
    assert prod.resources[0].disabled and prod.resources[0].name == "orders"
    assert api.validate(prod).ok


def test_example_feature_flags_enabled_only_in_prod(example_bp: Path) -> None:
    dev = api.load(example_bp, env="dev").by_address()["dynamodb.flags"]
    prod = api.load(example_bp, env="prod").by_address()["dynamodb.flags"]
    assert dev.disabled and not prod.disabled


def test_provided_needs_no_spec_emits_no_stack_and_feeds_references(bp: Path) -> None:
    put(bp / "dynamodb" / "instances" / "legacy.json", {
        "kind": "dynamodb", "flavor": "default", "version": "0.2", "provided": True, "metadata": {},
        "out": {"attributes": {"table_name": "legacy-table",
                               "table_arn": "arn:aws:dynamodb:eu-west-1:1:table/legacy"}}})
    orders = bp / "dynamodb" / "instances" / "orders.json"
    doc = json.loads(orders.read_text())
    doc["metadata"]["tags"]["legacy"] = "copy of ${dynamodb.legacy.out.attributes.table_arn}"
    put(orders, doc)
    ws = api.load(bp, env="dev")
    assert api.validate(ws).ok
    result = api.synthesize(ws)
    assert sorted(result.stacks) == ["orders"]
    table = result.stacks["orders"]["resource"]["aws_dynamodb_table"]["table"]
    assert table["tags"]["legacy"] == "copy of arn:aws:dynamodb:eu-west-1:1:table/legacy"
    assert "data" not in result.stacks["orders"]  # a literal value: no remote state needed


def test_provided_reference_to_a_missing_out_field_is_an_error(bp: Path) -> None:
    put(bp / "dynamodb" / "instances" / "legacy.json", {
        "kind": "dynamodb", "flavor": "default", "version": "0.2", "provided": True, "metadata": {},
        "out": {"attributes": {"table_name": "legacy-table"}}})
    orders = bp / "dynamodb" / "instances" / "orders.json"
    doc = json.loads(orders.read_text())
    doc["metadata"]["tags"]["legacy"] = "${dynamodb.legacy.out.table_arn}"
    put(orders, doc)
    found = api.validate(api.load(bp, env="dev"))
    (d,) = found.errors
    assert d.code == "FD312" and "table_name" in d.message


# -- scale -----------------------------------------------------------------------------------------

def test_three_hundred_resources_validate_in_one_process(tmp_path: Path) -> None:
    root = write_blueprint(tmp_path / "big", 300)
    ws = load_workspace([root], "dev")
    assert len(ws.resources) == 300
    seen: list[str] = []
    found = validate_workspace(ws, progress=lambda r: seen.append(r.name))
    assert found.ok, [d.format_text() for d in found][:5]
    assert len(seen) == 300 and len(set(seen)) == 300


def test_piped_validate_and_synth_print_no_progress(tmp_path: Path, run_cli) -> None:
    policy_off(tmp_path)  # the output of a clean run: the generated tables' best-practice warnings left out
    root = write_blueprint(tmp_path / "big", 300)
    done = run_cli("validate", root, "--env", "dev")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok: 300 resource(s) valid for environment 'dev'\n"
    assert done.stderr == ""
    small = write_blueprint(tmp_path / "small", 25)
    out = tmp_path / "out"
    done = run_cli("synth", small, "--env", "dev", "--out", out)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "\x1b" not in done.stdout and "building stacks" not in done.stdout
    assert len(list((out / "stacks").iterdir())) == 25


def _run_on_tty(*args: str | Path) -> tuple[int, str]:
    """Run the console script with stderr on a pseudo-terminal; returns (exit code, terminal output)."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    script = str(Path(sys.executable).with_name("facets-dynamo"))
    proc = subprocess.Popen([script, *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.stdout.read()  # type: ignore[union-attr]
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", errors="replace")


def test_progress_is_shown_on_a_terminal(tmp_path: Path) -> None:
    root = write_blueprint(tmp_path / "big", 60)
    code, screen = _run_on_tty("validate", root, "--env", "dev")
    assert code == 0 and "validating" in screen
    code, screen = _run_on_tty("synth", root, "--env", "dev", "--out", tmp_path / "out")
    assert code == 0 and "building stacks" in screen


def test_override_turning_features_off_leaves_a_valid_table(bp: Path) -> None:
    """prod-style base (stream, TTL, PITR period, KMS); dev switches them off and keeps the details."""
    base = bp / "dynamodb" / "instances" / "orders.json"
    doc = json.loads(base.read_text())
    doc["advanced"]["aws_dynamodb"].update(
        stream_enabled=True, stream_view_type="NEW_IMAGE", ttl_enabled=True, ttl_attribute_name="Exp",
        point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=7,
        server_side_encryption_enabled=True, server_side_encryption_kms_key_arn="arn:aws:kms:eu-west-1:1:key/k")
    put(base, doc)
    put(bp / "dev" / "dynamodb" / "instances" / "orders.json", {"advanced": {"aws_dynamodb": {
        "stream_enabled": False, "ttl_enabled": False, "point_in_time_recovery_enabled": False,
        "server_side_encryption_enabled": False}}})
    ws = api.load(bp, env="dev")
    found = api.validate(ws)
    assert found.ok
    assert sorted(d.code for d in found if not d.code.startswith("DDB3")) == [
        "DDB113", "DDB115", "DDB124", "DDB137"]  # "ignored" warnings
    assert ("DDB301", "orders.json") in {(d.code, Path(d.file).name) for d in found}  # and PITR off is noticed
    table = api.synthesize(ws).stacks["orders"]["resource"]["aws_dynamodb_table"]["table"]
    assert table["stream_enabled"] is False and "stream_view_type" not in table
    assert "ttl" not in table
    assert table["point_in_time_recovery"] in ({"enabled": False}, [{"enabled": False}])
    assert table["server_side_encryption"] in ({"enabled": False}, [{"enabled": False}])


def test_an_environment_the_blueprint_does_not_have_is_a_warning(example_bp: Path, run_cli) -> None:
    """A misspelt --env must not pass silently as 'base resources only' (exit stays 0: it may be meant)."""
    found = validate_workspace(load_workspace([example_bp], "prdo"))
    [warning] = [d for d in found if d.code == "FD404"]
    assert str(warning.severity) == "warning" and found.ok
    assert "'prdo'" in warning.message and "dev, prod" in warning.message
    one_file = example_bp / "dynamodb" / "instances" / "locks.json"
    assert [d.code for d in validate_workspace(load_workspace([one_file], "prdo"), config=NO_POLICY)] == ["FD404"]
    for env in ("dev", "prod", "default"):
        assert not [d for d in validate_workspace(load_workspace([example_bp], env)) if d.code == "FD404"], env
    result = run_cli("validate", example_bp, "--env", "prdo")
    assert result.returncode == 0 and "FD404" in result.stdout


def _blueprint_copy(tmp_path: Path) -> Path:
    import shutil

    from tests.conftest import EXAMPLE

    bp = tmp_path / "bp"
    shutil.copytree(EXAMPLE, bp)
    return bp


def test_symlink_to_another_resource_file_is_an_error_and_nothing_is_renamed(tmp_path: Path, run_cli) -> None:
    """`alias.json -> locks.json` once made `validate` say ok and `synth` turn table locks into alias."""
    bp = _blueprint_copy(tmp_path)
    (bp / "dynamodb/instances/alias.json").symlink_to("locks.json")
    proc = run_cli("validate", bp, "--format", "json")
    assert proc.returncode == 1
    codes = {(d["code"], Path(d["file"]).name) for d in json.loads(proc.stdout)}
    assert ("FD324", "alias.json") in codes
    out = tmp_path / "out"
    assert run_cli("synth", bp, "--out", out).returncode == 1
    assert not out.exists()


def test_symlink_leading_outside_the_blueprint_is_an_error_and_not_read(tmp_path: Path, run_cli) -> None:
    bp = _blueprint_copy(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text('{"kind": "dynamodb", "spec": {"hash_key": "TOP-SECRET-VALUE"}}')
    (bp / "dynamodb/instances/stolen.json").symlink_to(secret)
    override = next((bp / "prod/dynamodb/instances").glob("*.json"))
    override.unlink()
    override.symlink_to(secret)
    proc = run_cli("validate", bp, "--env", "prod")
    assert proc.returncode == 1
    assert "stolen.json: error FD323" in proc.stdout
    assert f"prod/dynamodb/instances/{override.name}: error FD323" in proc.stdout
    assert "TOP-SECRET-VALUE" not in proc.stdout + proc.stderr


def test_names_that_differ_only_in_case_are_an_error(tmp_path: Path, run_cli) -> None:
    bp = _blueprint_copy(tmp_path)
    (bp / "dynamodb/instances/Locks.json").write_bytes((bp / "dynamodb/instances/locks.json").read_bytes())
    proc = run_cli("validate", bp)
    assert proc.returncode == 1
    assert "FD322" in proc.stdout and "differs only in case" in proc.stdout
