"""Synthesis: golden output, determinism, and that every user string reaches Terraform as a literal.

Golden files live in ``tests/golden/core/<case>/`` and are rewritten only with ``UPDATE_GOLDEN=1``. They
hold the output with the engine version (manifest ``version``, stack ``//.metadata.version``) replaced by
a placeholder, so the same goldens hold for ``cdktf`` and ``cdktn``.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, TESTS
from hypothesis import given
from hypothesis import strategies as st
from support.terraform_text import terraform_literal

from facets_dynamo.blueprint import load_workspace
from facets_dynamo.host import Host, default_host
from facets_dynamo.synthesis import SynthError, Synthesized, synthesis_order, synthesize_workspace
from facets_dynamo.terraform_strings import Ref, escape

GOLDEN = TESTS / "golden" / "core"
ENGINE_VERSION = "<engine version>"


# -- helpers shared with test_engines/test_cli ------------------------------------------------------

def normalise(relative: str, data: Any) -> Any:
    """Remove nothing but the engine version from one output file."""
    data = copy.deepcopy(data)
    if relative == "manifest.json":
        data["version"] = ENGINE_VERSION
    elif relative.endswith("cdk.tf.json"):
        data["//"]["metadata"]["version"] = ENGINE_VERSION
    return data


def tree(files: dict[str, bytes]) -> dict[str, Any]:
    return {rel: normalise(rel, json.loads(raw)) for rel, raw in sorted(files.items())}


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def synth(path: Path, env: str = "default", host: Host | None = None) -> Synthesized:
    return synthesize_workspace(load_workspace([path], env), host=host or default_host())


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, object keys included (Terraform evaluates both)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


ENGINE_REFERENCE = re.compile(r"(data\.terraform_remote_state\.[\w-]+\.outputs\.[\w-]+"
                              r"|aws_[a-z0-9_]+\.[\w-]+\.[a-z_]+|terraform\.workspace)")


def assert_only_engine_references(stack: dict[str, Any]) -> None:
    body = {k: v for k, v in stack.items() if k != "//"}
    for text in strings(body):
        _literal, exprs = terraform_literal(text)
        for expr in exprs:
            assert ENGINE_REFERENCE.fullmatch(expr), f"unexpected interpolation ${{{expr}}} in {text!r}"


# -- golden ----------------------------------------------------------------------------------------

TRICKY_TAGS = {"owner": "${var.owner}", "%{ if x }": "100%{ endif }", "plain": "50% off $5 {ok}",
               "nested": "$${already} and ${file(\"/etc/passwd\")}"}


def golden_cases(minimal: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str]]:
    tagged = copy.deepcopy(minimal)
    tagged["metadata"]["tags"] = TRICKY_TAGS
    tagged["advanced"] = {"aws_dynamodb": {"tags": {"cost-${center}": "%{x}"}}}
    disabled = copy.deepcopy(minimal)
    disabled["disabled"] = True
    return {"minimal": (minimal, "default"), "tags_escaped": (tagged, "dev"), "disabled": (disabled, "dev")}


@pytest.mark.parametrize("case", ["minimal", "tags_escaped", "disabled"])
def test_golden(case: str, minimal: dict[str, Any], write_json: Callable[..., Path]) -> None:
    doc, env = golden_cases(minimal)[case]
    actual = tree(synth(write_json(doc), env).files())
    folder = GOLDEN / case
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for rel, data in actual.items():
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    assert folder.is_dir(), f"no golden files for {case}: run with UPDATE_GOLDEN=1 and review them"
    expected = {rel: json.loads(raw) for rel, raw in read_tree(folder).items()}
    assert sorted(actual) == sorted(expected)
    for rel in expected:
        assert actual[rel] == expected[rel], f"{case}/{rel} differs from the golden file"


def test_golden_files_say_what_the_issue_promises() -> None:
    """The goldens themselves are reviewed output: pin the promises so a careless regeneration fails."""
    stack = json.loads((GOLDEN / "minimal" / "stacks" / "locks" / "cdk.tf.json").read_text())
    table = stack["resource"]["aws_dynamodb_table"]["table"]
    assert table["name"] == "locks-default" and table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["hash_key"] == "LockID" and table["attribute"] == [{"name": "LockID", "type": "S"}]
    assert table["lifecycle"] == {"prevent_destroy": True} and table["tags"]["Name"] == "locks-default"
    assert "ttl" not in table
    policies = stack["resource"]["aws_iam_policy"]
    assert {p["name"] for p in policies.values()} == {"default-locks-default_ro", "default-locks-default_rw"}
    assert set(stack["output"]) >= {"table_name", "table_arn", "read_only_policy", "read_write_policy"}
    assert stack["terraform"]["backend"] == {"local": {"path": "../locks/terraform.tfstate"}}

    tags = json.loads((GOLDEN / "tags_escaped" / "stacks" / "locks" / "cdk.tf.json").read_text())[
        "resource"]["aws_dynamodb_table"]["table"]["tags"]
    assert tags["owner"] == "$${var.owner}" and tags["%%{ if x }"] == "100%%{ endif }"
    assert tags["cost-$${center}"] == "%%{x}" and tags["plain"] == "50% off $5 {ok}"
    assert not list((GOLDEN / "disabled").rglob("cdk.tf.json"))
    assert json.loads((GOLDEN / "disabled" / "manifest.json").read_text())["stacks"] == {}


# -- escaping --------------------------------------------------------------------------------------

@given(st.text(alphabet=st.sampled_from(list("${}%#&[]TfTokn.1x\"\\ ")), max_size=40) | st.text(max_size=20))
def test_escape_keeps_any_text_literal(text: str) -> None:
    literal, exprs = terraform_literal(escape(text))
    assert exprs == [] and literal == text


REF = Ref("${aws_x.y.z}")
DOLLAR_REF = Ref.concat("p$")  # a ready-made piece that ends in a literal "$"


@given(st.lists(st.one_of(st.text(alphabet=st.sampled_from(list("$%{}ab")), max_size=6),
                          st.sampled_from([REF, DOLLAR_REF])), max_size=6))
def test_literal_text_around_references_stays_literal(parts: list[str | Ref]) -> None:
    # Adjacent pieces must not combine into "${", "%{" or "$${" (a provided resource's out value "{x}"
    # after a literal "$" used to become the interpolation ${x}).
    literal, exprs = terraform_literal(Ref.concat(*parts).text)
    assert literal == "".join("\0" if p is REF else "p$" if p is DOLLAR_REF else p for p in parts)
    assert exprs == ["aws_x.y.z"] * sum(p is REF for p in parts)


def test_dollar_right_before_a_reference(tmp_path: Path, minimal: dict[str, Any]) -> None:
    # "$" + "${...}" used to come out as "$${...}": Terraform then read the reference as plain text.
    (tmp_path / "dynamodb" / "instances").mkdir(parents=True)
    (tmp_path / "dynamodb" / "instances" / "locks.json").write_text(json.dumps(minimal))
    users = copy.deepcopy(minimal)
    users["metadata"]["tags"] = {"cost": "US$${dynamodb.locks.out.table_name}"}
    (tmp_path / "dynamodb" / "instances" / "users.json").write_text(json.dumps(users))
    stack = synth(tmp_path).stacks["users"]
    literal, exprs = terraform_literal(stack["resource"]["aws_dynamodb_table"]["table"]["tags"]["cost"])
    assert literal == "US$\0" and len(exprs) == 1 and exprs[0].startswith("data.terraform_remote_state.")
    assert_only_engine_references(stack)


def test_every_user_string_is_escaped_in_the_output(write_json: Callable[..., Path], minimal: dict[str, Any],
                                                    tmp_path: Path) -> None:
    weird = "${jsonencode(1)}%{ for x in y }"
    minimal["spec"]["attributes"]["key1"]["name"] = weird  # key attribute names may hold any text
    minimal["spec"]["hash_key"] = weird
    minimal["spec"]["attributes"]["gsi"] = {"name": "%{G}", "type": "S"}
    minimal["metadata"]["tags"] = dict(TRICKY_TAGS)
    minimal["advanced"] = {"aws_dynamodb": {"global_secondary_indexes": [
        {"name": "by-g", "hash_key": "%{G}", "projection_type": "INCLUDE", "non_key_attributes": ["${n}"]}]}}
    bp = tmp_path / "bp"
    resource = bp / "dynamodb" / "instances" / "locks.json"
    resource.parent.mkdir(parents=True)
    resource.write_text(json.dumps(minimal, indent=2))
    env_file = bp / "dev" / "environment.json"
    env_file.parent.mkdir(parents=True)
    env_file.write_text(json.dumps({"name": "dev", "region": "eu-west-1${x}",
                                    "cloud_tags": {"team${a}": "%{b}"}}))
    stack = synth(bp, "dev").stacks["locks"]
    table = stack["resource"]["aws_dynamodb_table"]["table"]
    assert terraform_literal(table["hash_key"]) == (weird, [])
    assert terraform_literal(table["attribute"][0]["name"]) == (weird, [])
    assert {terraform_literal(k)[0]: terraform_literal(v)[0] for k, v in table["tags"].items()} == {
        **TRICKY_TAGS, "team${a}": "%{b}", "Name": "locks-dev"}
    assert terraform_literal(stack["provider"]["aws"][0]["region"]) == ("eu-west-1${x}", [])
    [gsi] = table["global_secondary_index"]
    assert terraform_literal(gsi["hash_key"])[0] == "%{G}"
    assert [terraform_literal(n)[0] for n in gsi["non_key_attributes"]] == ["${n}"]
    assert_only_engine_references(stack)


@pytest.mark.parametrize("pointer,value,code", [
    ("/metadata/name", "${x}", "FD203"),
    ("/advanced/aws_dynamodb/global_secondary_indexes/0/name", "by-${x}", "DDB106"),
])
def test_names_cannot_carry_interpolations_past_validation(write_json: Callable[..., Path],
                                                          minimal: dict[str, Any], pointer: str, value: str,
                                                          code: str) -> None:
    minimal["advanced"] = {"aws_dynamodb": {"global_secondary_indexes": [
        {"name": "by-lock", "hash_key": "LockID", "projection_type": "ALL"}]}}
    parent = minimal
    *parts, last = pointer.strip("/").split("/")
    for part in parts:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    parent[last] = value
    with pytest.raises(SynthError) as info:
        synth(write_json(minimal))
    assert code in {d.code for d in info.value.diagnostics.errors if d.path == pointer}


def test_engine_token_markers_in_user_text_stay_literal(write_json: Callable[..., Path],
                                                        minimal: dict[str, Any]) -> None:
    # The engine resolves "${TfToken[...]}" markers in any string: user text holding one used to be swapped
    # for another resource's attribute, or crash synthesis with "Unrecognized Token Key".
    tags = {"a": "${TfToken[TOKEN.1]}", "b": "${TfToken[TOKEN.99999]}", "c": "#{TfToken[TOKEN.2]}",
            "d": "&{TfToken[TOKEN.3]}", "e": "x %{TfToken[y]} z"}
    minimal["metadata"]["tags"] = tags
    stack = synth(write_json(minimal)).stacks["locks"]
    got = stack["resource"]["aws_dynamodb_table"]["table"]["tags"]
    assert {k: terraform_literal(v)[0] for k, v in got.items()} == {**tags, "Name": "locks-default"}
    assert_only_engine_references(stack)


def test_cross_stack_reference_is_the_only_interpolation(example_bp: Path) -> None:
    result = synthesize_workspace(load_workspace([example_bp], "dev"), host=default_host())
    sessions = result.stacks["sessions"]
    tag = sessions["resource"]["aws_dynamodb_table"]["table"]["tags"]["lock_table"]
    _literal, exprs = terraform_literal(tag)
    assert len(exprs) == 1 and exprs[0].startswith("data.terraform_remote_state.")
    for stack in result.stacks.values():
        assert_only_engine_references(stack)


# -- results and errors ----------------------------------------------------------------------------

def test_invalid_input_raises_synth_error_with_diagnostics(write_json: Callable[..., Path],
                                                           minimal: dict[str, Any]) -> None:
    minimal["spec"]["hash_key"] = "Nope"
    with pytest.raises(SynthError) as info:
        synth(write_json(minimal))
    assert {d.code for d in info.value.diagnostics.errors} == {"DDB101", "DDB102"}


def test_third_party_flavor_synthesizes_next_to_the_bundled_one(tmp_path: Path, minimal: dict[str, Any]) -> None:
    from test_plugins import QUEUE, fake  # the fake third-party plugin of tests/fake_plugin

    host = Host(plugins=[("fake", fake("fake_queue.plugin"))])
    (tmp_path / "locks.json").write_text(json.dumps(minimal))
    queue = copy.deepcopy(QUEUE)
    queue["spec"]["label"] = "${oops}"
    (tmp_path / "jobs.json").write_text(json.dumps(queue))
    result = synthesize_workspace(load_workspace([tmp_path / "locks.json", tmp_path / "jobs.json"]), host=host)
    assert sorted(result.stacks) == ["jobs", "locks"]
    sqs = result.stacks["jobs"]["resource"]["aws_sqs_queue"]["queue"]
    assert sqs["name"] == "jobs-default" and sqs["tags"] == {"label": "$${oops}"}
    assert result.stacks["jobs"]["output"]["queue_url"]["value"] == "${aws_sqs_queue.queue.url}"


def test_plugin_raising_in_synthesize_is_fd900_naming_it(write_json: Callable[..., Path],
                                                        minimal: dict[str, Any], tmp_path: Path) -> None:
    from facets_dynamo import hookimpl
    from facets_dynamo.flavor import Flavor

    class Boom:
        @hookimpl
        def register_flavors(self, register: Any) -> None:
            register(Flavor("queue", "boom", "0.1", schema_source={"type": "object"}))

        @hookimpl
        def synthesize(self, resource: Any, context: Any) -> bool | None:
            if resource.flavor == "boom":
                raise RuntimeError("boom in synth")
            return None

    host = Host(plugins=[("boomer", Boom())])
    locks = write_json(minimal)
    queue = write_json({"kind": "queue", "flavor": "boom", "version": "0.1", "metadata": {}}, "jobs.json")
    out = tmp_path / "out"
    with pytest.raises(SynthError) as info:
        result = synthesize_workspace(load_workspace([locks, queue]), host=host)
        result.write(out)
    [d] = info.value.diagnostics.errors
    assert d.code == "FD900" and "'boomer'" in d.message and "boom in synth" in d.message
    assert not out.exists()


def test_output_does_not_depend_on_the_order_of_the_inputs(example_bp: Path) -> None:
    files = sorted((example_bp / "dynamodb" / "instances").glob("*.json"))
    forward = synthesize_workspace(load_workspace(files, "dev"), host=default_host()).files()
    backward = synthesize_workspace(load_workspace(files[::-1], "dev"), host=default_host()).files()
    assert forward == backward and len(forward) == 4


# -- determinism (console script, two separate processes) -------------------------------------------

def test_two_cli_runs_give_byte_identical_trees_without_paths_or_timestamps(run_cli, example_bp: Path,
                                                                             tmp_path: Path) -> None:
    first, second = tmp_path / "one" / "out", tmp_path / "two" / "out"
    for out in (first, second):
        out.parent.mkdir()
        result = run_cli("synth", example_bp, "--env", "dev", "--out", out)
        assert result.returncode == 0, result.stderr
    one, two = read_tree(first), read_tree(second)
    assert sorted(one) == sorted(two) and len(one) >= 4
    assert one == two
    blob = b"\n".join(one.values()).decode()
    for forbidden in (str(tmp_path), str(ROOT), str(Path.home()), "/tmp/", "facets-dynamo-synth-"):
        assert forbidden not in blob, forbidden
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", blob), "timestamp in output"
    assert all(raw.endswith(b"}\n") for raw in one.values())


def test_stacks_come_out_sorted_by_name_whatever_the_synthesis_order(tmp_path: Path, minimal: dict[str, Any]) -> None:
    # "alpha" references "zeta", so zeta is built first; results, files and the manifest still list by name
    folder = tmp_path / "dynamodb" / "instances"
    folder.mkdir(parents=True)
    for name in ("zeta", "mid", "alpha"):
        doc = copy.deepcopy(minimal)
        if name == "alpha":
            doc["metadata"]["tags"] = {"peer": "${dynamodb.zeta.out.attributes.table_name}"}
        (folder / f"{name}.json").write_text(json.dumps(doc))
    ws = load_workspace([tmp_path], "default")
    assert [r.name for r in synthesis_order(list(ws.resources))] == ["zeta", "alpha", "mid"]
    result = synth(tmp_path)
    assert list(result.stacks) == ["alpha", "mid", "zeta"]
    assert list(result.files()) == ["manifest.json", "stacks/alpha/cdk.tf.json", "stacks/mid/cdk.tf.json",
                                    "stacks/zeta/cdk.tf.json"]
    assert sorted(result.manifest["stacks"]) == ["alpha", "mid", "zeta"]


def test_autoscaling_policy_tracks_its_targets_utilisation(write_json: Callable[..., Path],
                                                           minimal: dict[str, Any]) -> None:
    minimal["advanced"] = {"aws_dynamodb": {"billing_mode": "PROVISIONED", "read_capacity": 2, "write_capacity": 2,
                                            "autoscaling_enabled": True, "autoscaling_read": {"max_capacity": 9},
                                            "stream_view_type": "KEYS_ONLY"}}  # stream not enabled
    resources = synth(write_json(minimal)).stacks["locks"]["resource"]
    assert "stream_view_type" not in resources["aws_dynamodb_table"]["table"]
    target = resources["aws_appautoscaling_target"]["table_read_target"]
    assert (target["min_capacity"], target["max_capacity"]) == (2, 9)
    policy = resources["aws_appautoscaling_policy"]["table_read_policy"]
    assert policy["resource_id"] == "${aws_appautoscaling_target.table_read_target.resource_id}"
    assert policy["policy_type"] == "TargetTrackingScaling"
    [config] = policy["target_tracking_scaling_policy_configuration"]
    assert config["predefined_metric_specification"] == [
        {"predefined_metric_type": "DynamoDBReadCapacityUtilization"}]
