"""The public Python API (facets_dynamo.*): what a notebook or script user calls."""

from __future__ import annotations

import copy
import inspect
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

import facets_dynamo as fd
from facets_dynamo import api


def test_public_names_are_exported_lazily_and_documented() -> None:
    assert set(api.__all__) <= set(fd.__all__)
    for name in api.__all__:
        obj = getattr(fd, name)
        assert obj is getattr(api, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert (obj.__doc__ or "").strip(), f"{name} has no docstring"
    with pytest.raises(AttributeError):
        fd.no_such_name  # noqa: B018


def test_load_validate_and_display_never_import_the_engine(example_bp: Path) -> None:
    code = f"""
import sys
import facets_dynamo
ws = facets_dynamo.load({str(example_bp)!r}, env="prod")
found = facets_dynamo.validate(ws)
assert found.ok, found
doc = facets_dynamo.sample("dynamodb/default/0.2")
doc["spec"]["hash_key"] = "Nope"
bad = facets_dynamo.validate(facets_dynamo.resource_from_dict(doc, name="x"))
assert not bad.ok
html = ws._repr_html_() + ws["orders"]._repr_html_() + bad._repr_html_()
assert "Nope" in html
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("cdktf", "cdktn", "jsii"))
print(loaded)
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_load_merges_the_environment_and_finds_resources_by_name_or_address(example_bp: Path) -> None:
    dev, prod = fd.load(example_bp, env="dev"), fd.load(example_bp, env="prod")
    assert prod.environment.region == "eu-west-1" and dev.environment.region == "us-east-1"
    sessions = prod["sessions"]
    assert sessions is prod.get("dynamodb.sessions")
    assert sessions.advanced["aws_dynamodb"]["point_in_time_recovery_period_in_days"] == 14
    assert "point_in_time_recovery_period_in_days" not in dev["sessions"].advanced["aws_dynamodb"]
    assert len(sessions.files) == 2 and sessions.files[1].endswith("prod/dynamodb/instances/sessions.json")
    assert prod["flags"].disabled is False and dev["flags"].disabled is True  # metadata.name is "flags"
    assert "dynamodb.locks" in prod and "locks" in prod and "nope" not in prod and 3 not in prod
    assert prod.get("nope") is None
    with pytest.raises(KeyError, match=r"no resource 'nope'.*dynamodb\.locks"):
        prod["nope"]


def test_load_one_file_of_a_blueprint_applies_its_override(example_bp: Path) -> None:
    ws = fd.load(example_bp / "dynamodb" / "instances" / "sessions.json", env="prod")
    assert [r.name for r in ws.resources] == ["sessions"]
    assert ws["sessions"].advanced["aws_dynamodb"]["point_in_time_recovery_enabled"] is True


def test_load_reports_missing_paths_instead_of_raising(tmp_path: Path) -> None:
    found = fd.validate(tmp_path / "missing.json")
    assert not found.ok and found.errors[0].code == "FD101"


def test_validate_accepts_paths_workspaces_and_resources(example_bp: Path, minimal: dict[str, Any]) -> None:
    assert fd.validate(example_bp, env="dev").ok
    assert fd.validate([example_bp / "dynamodb" / "instances" / "locks.json"]).ok
    assert fd.validate(fd.load(example_bp)).ok
    locks = fd.resource_from_dict(minimal, name="locks")
    assert fd.validate(locks).ok and fd.validate([locks]).ok


def test_resource_from_dict_reports_lines_in_its_own_text(minimal: dict[str, Any]) -> None:
    minimal["spec"]["hash_key"] = "Missing"
    resource = fd.resource_from_dict(minimal, name="locks")
    assert resource.file == "<memory>/locks.json" and resource.name == "locks"
    found = fd.validate(resource)
    ddb101 = [d for d in found.errors if d.code == "DDB101"]
    assert ddb101 and ddb101[0].file == "<memory>/locks.json" and ddb101[0].path == "/spec/hash_key"
    assert resource.text.splitlines()[ddb101[0].line - 1].strip() == '"hash_key": "Missing"'


def test_resource_from_dict_copies_and_names(minimal: dict[str, Any]) -> None:
    resource = fd.resource_from_dict(minimal, name="locks", env="qa", file="edited.json")
    minimal["spec"]["hash_key"] = "Changed"
    assert resource.spec["hash_key"] == "LockID" and resource.file == "edited.json"
    assert resource.environment == "qa"
    minimal["metadata"]["name"] = "renamed"
    assert fd.resource_from_dict(minimal, name="locks").name == "renamed"


@pytest.mark.parametrize("bad", [["not", "an", "object"], "text", None])
def test_resource_from_dict_rejects_non_objects(bad: Any) -> None:
    with pytest.raises(TypeError, match="must be a dict"):
        fd.resource_from_dict(bad)


@pytest.mark.parametrize("value", [math.nan, {1, 2}, object()])
def test_resource_from_dict_rejects_values_json_cannot_hold(minimal: dict[str, Any], value: Any) -> None:
    minimal["metadata"]["tags"] = {"x": value}
    with pytest.raises(TypeError, match="'locks' is not plain JSON"):
        fd.resource_from_dict(minimal, name="locks")


def test_resource_from_dict_rejects_what_no_spec_file_could_hold(minimal: dict[str, Any]) -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(70):
        node["x"] = node = {}
    with pytest.raises(ValueError, match="FD106"):
        fd.resource_from_dict({**minimal, "metadata": deep}, name="deep")
    for _ in range(5000):  # deeper than json.dumps can recurse
        node["x"] = node = {}
    with pytest.raises(ValueError, match="nested too deeply"):
        fd.resource_from_dict({**minimal, "metadata": deep}, name="deeper")
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(TypeError, match="Circular reference"):
        fd.resource_from_dict({**minimal, "metadata": looped}, name="loop")
    with pytest.raises(ValueError, match="larger than a spec file"):
        fd.resource_from_dict({**minimal, "metadata": {"blob": "x" * (5 * 1024 * 1024)}}, name="big")


def test_workspace_of_resources_checks_unique_names_and_leaves_callers_objects(minimal: dict[str, Any]) -> None:
    a = fd.resource_from_dict(minimal, name="t", env="dev")
    b = fd.resource_from_dict(minimal, name="t")
    ws = fd.workspace([a, b], env=fd.Environment("qa", "eu-central-1", {"team": "x"}))
    assert ws.environment.region == "eu-central-1"
    assert all(r.environment == "qa" for r in ws.resources) and a.environment == "dev"
    assert [d.code for d in fd.validate(ws).errors] == ["FD322"]
    with pytest.raises(TypeError, match="expected Resource objects, got str"):
        fd.workspace(["locks.json"])  # type: ignore[list-item]


def test_with_resource_swaps_one_spec_and_keeps_cross_references(example_bp: Path) -> None:
    dev = fd.load(example_bp, env="dev")
    doc = copy.deepcopy(dev["locks"].data)
    doc["disabled"] = True  # sessions references locks' table_name
    edited = dev.with_resource(fd.resource_from_dict(doc, name="locks"))
    assert [r.name for r in edited.resources] == [r.name for r in dev.resources]
    assert edited["locks"].disabled and not dev["locks"].disabled
    codes = {(d.code, Path(d.file).name) for d in fd.validate(edited).errors}
    assert codes == {("FD311", "sessions.json")}
    added = dev.with_resource(fd.resource_from_dict({**doc, "disabled": False}, name="extra"))
    assert added.resources[-1].name == "extra" and len(added.resources) == len(dev.resources) + 1


def test_flavors_schema_and_sample() -> None:
    assert "dynamodb/default/0.2" in [str(f.key) for f in fd.flavors()]
    full = fd.schema("dynamodb", "default", "0.2")
    assert fd.schema("dynamodb/default/0.2") == full and full["$schema"].endswith("2020-12/schema")
    with pytest.raises(KeyError, match=r"available: dynamodb/default/0\.2"):
        fd.schema("dynamodb", "default", "9.9")
    one, two = fd.sample("dynamodb/default/0.2"), fd.sample("dynamodb", "default", "0.2")
    one["spec"]["hash_key"] = "changed"
    assert two["spec"]["hash_key"] != "changed"
    assert fd.validate(fd.resource_from_dict(two, name="sample")).ok


def test_environments(example_bp: Path) -> None:
    assert fd.environments(example_bp) == ["dev", "prod"]


# -- synthesis (starts the shared Node process once) ----------------------------------------------

@pytest.fixture(scope="module")
def synthesized() -> tuple[fd.Synthesized, fd.Synthesized]:
    example = ROOT / "examples" / "blueprint"
    return fd.synthesize(example, env="dev"), fd.synthesize(example, env="prod")


def test_synthesize_returns_terraform_json_per_stack(synthesized: tuple[fd.Synthesized, fd.Synthesized]) -> None:
    dev, prod = synthesized
    assert sorted(dev.stacks) == ["locks", "orders", "sessions"]
    assert sorted(prod.stacks) == ["flags", "locks", "orders", "sessions"]
    stack = prod.stack("sessions")
    assert isinstance(stack, dict) and stack == prod.stacks["sessions"] and stack.name == "sessions"
    json.dumps(stack)
    table = stack["resource"]["aws_dynamodb_table"]["table"]
    assert table["name"] == "sessions-prod" and table["tags"]["compliance"] == "pci"
    with pytest.raises(KeyError, match="no stack 'audit'; stacks: flags, locks"):
        prod.stack("audit")


def test_resources_and_outputs_tables(synthesized: tuple[fd.Synthesized, fd.Synthesized]) -> None:
    _, prod = synthesized
    resources = prod.resources()
    tables = resources.where(type="aws_dynamodb_table")
    assert sorted(tables.column("name")) == ["flags-prod", "locks-prod", "orders-prod", "sessions-prod"]
    remote = resources.where(stack="sessions", type="terraform_remote_state")
    assert remote.column("address") == ["data.terraform_remote_state.cross-stack-reference-input-locks"]
    outputs = prod.outputs().where(output="table_name")
    assert sorted(outputs.column("stack")) == sorted(prod.stacks)
    assert {o["value"] for o in outputs} == {"${aws_dynamodb_table.table.name}"}


def test_compare_lists_what_differs_between_environments(
        synthesized: tuple[fd.Synthesized, fd.Synthesized]) -> None:
    dev, prod = synthesized
    diff = fd.compare(dev, prod)
    assert diff.columns == ["stack", "path", "dev", "prod"]
    rows = {(r["stack"], r["path"]): (r["dev"], r["prod"]) for r in diff}
    assert rows[("flags", "(whole stack)")] == ("(absent)", "stack")
    assert rows[("locks", "/resource/aws_dynamodb_table/table/tags/environment")] == ("dev", "prod")
    assert rows[("locks", "/resource/aws_dynamodb_table/table/tags/compliance")] == ("(absent)", "pci")
    # a nested block may be synthesized as an object or as a list of one object
    pitr = [v for (stack, path), v in rows.items() if stack == "orders"  # dev/ turns PITR off for orders
            and re.fullmatch(r"/resource/aws_dynamodb_table/table/point_in_time_recovery(/0)?/enabled", path)]
    assert pitr == [(False, True)]
    assert not any(r["path"].startswith("/resource/aws_dynamodb_table/table/hash_key") for r in diff)
    assert not any("//" in r["path"].split("/") for r in diff)
    assert len(fd.compare(prod, prod)) == 0


def test_synthesize_writes_the_cdktf_out_layout(example_bp: Path, tmp_path: Path) -> None:
    out = tmp_path / "cdktf.out"
    result = fd.synthesize(example_bp, env="dev", out=out)
    assert json.loads((out / "stacks" / "locks" / "cdk.tf.json").read_text()) == result.stacks["locks"]
    assert (out / "manifest.json").is_file()


def test_synthesize_an_in_memory_resource_for_a_given_environment(minimal: dict[str, Any]) -> None:
    minimal["metadata"]["tags"] = {"owner": "data-science"}
    env = fd.Environment("qa", "ap-south-1", {"environment": "qa"})
    result = fd.synthesize(fd.resource_from_dict(minimal, name="scratch"), env=env)
    stack = result.stack("scratch")
    assert stack["provider"]["aws"][0]["region"] == "ap-south-1"
    tags = stack["resource"]["aws_dynamodb_table"]["table"]["tags"]
    assert tags == {"Name": "scratch-qa", "environment": "qa", "owner": "data-science"}


def test_synthesize_refuses_an_invalid_spec_and_writes_nothing(minimal: dict[str, Any], tmp_path: Path) -> None:
    minimal["spec"]["hash_key"] = "Missing"
    out = tmp_path / "cdktf.out"
    with pytest.raises(fd.SynthError) as caught:
        fd.synthesize(fd.resource_from_dict(minimal, name="locks"), out=out)
    assert "DDB101" in {d.code for d in caught.value.diagnostics}
    assert not out.exists()


def test_cyclic_or_non_json_data_put_into_a_loaded_resource_is_refused_at_once() -> None:
    """A cycle once ran the rules for 30 s into FD900 and left a thread spinning."""
    import threading

    from tests.conftest import EXAMPLE

    threads = threading.active_count()
    for poison in ("cycle", {1, 2}, float("nan")):
        ws = fd.load(EXAMPLE, env="dev")
        data = ws["locks"].data
        data["advanced"] = {"loop": data} if poison == "cycle" else {"x": poison}
        with pytest.raises(TypeError, match="'locks' holds data that is not plain JSON"):
            fd.validate(ws)
        with pytest.raises(TypeError, match="not plain JSON"):
            fd.synthesize(ws)
    assert threading.active_count() <= threads + 1  # at most the one hook worker, nothing spinning


@pytest.mark.parametrize("kwargs", [{"region": None}, {"region": ""}, {"name": 3}, {"cloud_tags": {"a": 1}},
                                    {"cloud_tags": ["a"]}])
def test_environment_with_a_bad_field_is_refused_by_name(kwargs) -> None:
    field = next(iter(kwargs))
    with pytest.raises(TypeError, match=f"Environment.{field} must be"):
        fd.Environment(**kwargs)


def test_adopt_and_drift_in_the_api(example_bp: Path, tmp_path: Path) -> None:
    saved = example_bp.parent / "adopt"
    prod = fd.load(example_bp, env="prod").environment
    legacy = fd.adopt(sorted((saved / "legacy-orders").glob("*.json")), "legacy-orders", prod,
                      flavor="dynamodb/default/0.2")
    assert legacy.advanced["aws_dynamodb"]["table_name"] == "legacy-orders" and fd.validate(legacy, prod).ok
    assert legacy.metadata == {"tags": {"team": "commerce"}}  # Name is the table's; environment comes from prod
    rows = {r["address"]: r for r in fd.drift(fd.workspace([legacy], prod), saved=saved)}
    assert rows["dynamodb.legacy-orders"]["status"] == "in sync"
    with pytest.raises(ValueError, match="DDB404"):  # the default environment deploys to another region
        fd.adopt(sorted((saved / "legacy-orders").glob("*.json")), "legacy-orders", "prod",
                 flavor="dynamodb/default/0.2")


def test_a_new_table_name_is_a_replacement_in_diff(example_bp: Path, run_cli, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    doc = json.loads((example_bp / "dynamodb" / "instances" / "locks.json").read_text())
    doc["advanced"] = {"aws_dynamodb": {"table_name": "legacy-locks"}}
    old.write_text(json.dumps(doc))
    doc["advanced"]["aws_dynamodb"]["table_name"] = "legacy-locks-2"
    new.write_text(json.dumps(doc))
    done = run_cli("diff", old, new)
    assert done.returncode == 3 and "DynamoDB cannot rename a table" in done.stdout
    assert "[replaces]" in done.stdout.split("table_name")[1].splitlines()[0]
