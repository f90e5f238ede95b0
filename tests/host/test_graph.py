"""``facets-dynamo graph`` and the apply order (issue 12): the example blueprint's ``sessions -> locks``
reference in Mermaid, DOT and JSON, state locations per backend, and ``synth --format json``'s ``apply_order``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from conftest import ROOT

from facets_dynamo.blueprint import load_workspace
from facets_dynamo.synthesis import apply_graph, synthesis_order

PROD_S3 = ROOT / "examples" / "environments" / "prod-s3.json"

MERMAID_DEV = """\
flowchart LR
  %% facets-dynamo graph, environment dev
  n0(["dynamodb.audit (provided)"])
  n1(["dynamodb.flags (disabled)"])
  n2["1. dynamodb.locks"]
  n3["2. dynamodb.orders"]
  n4["3. dynamodb.sessions"]
  n4 -->|references| n2
"""

DOT_PROD = """\
digraph "facets-dynamo prod" {
  rankdir=LR;
  "dynamodb.audit" [label="dynamodb.audit (provided)", style=dashed];
  "dynamodb.flags" [label="1. dynamodb.flags"];
  "dynamodb.locks" [label="2. dynamodb.locks"];
  "dynamodb.orders" [label="3. dynamodb.orders"];
  "dynamodb.sessions" [label="4. dynamodb.sessions"];
  "dynamodb.sessions" -> "dynamodb.locks" [label="references"];
}
"""


def test_mermaid_of_the_example_for_dev(run_cli, example_bp: Path) -> None:
    result = run_cli("graph", example_bp, "--env", "dev")  # mermaid is the default
    assert result.returncode == 0, result.stderr
    assert result.stdout == MERMAID_DEV
    assert result.stdout == run_cli("graph", example_bp, "--env", "dev", "--format", "mermaid").stdout


def test_dot_of_the_example_for_prod(run_cli, example_bp: Path) -> None:
    result = run_cli("graph", example_bp, "--env", "prod", "--format", "dot")
    assert result.returncode == 0, result.stderr
    assert result.stdout == DOT_PROD


def test_json_of_the_example_lists_apply_order_folders_and_local_state(run_cli, example_bp: Path) -> None:
    result = run_cli("graph", example_bp, "--env", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["environment"] == "dev" and data["backend"] == "local"
    assert data["apply_order"] == ["locks", "orders", "sessions"]
    assert data["references"] == [{"from": "dynamodb.sessions", "to": "dynamodb.locks"}]
    assert [(s["name"], s["wave"], s["depends_on"], s["folder"]) for s in data["stacks"]] == [
        ("locks", 0, [], "stacks/locks"), ("orders", 0, [], "stacks/orders"),
        ("sessions", 1, ["locks"], "stacks/sessions")]
    assert data["stacks"][0]["state"] == {"backend": "local", "path": "stacks/locks/terraform.tfstate"}
    assert {r["address"]: r["status"] for r in data["resources"]} == {
        "dynamodb.audit": "provided", "dynamodb.flags": "disabled", "dynamodb.locks": "stack",
        "dynamodb.orders": "stack", "dynamodb.sessions": "stack"}


def test_json_with_an_s3_environment_gives_each_stacks_state_key(run_cli, example_bp: Path) -> None:
    result = run_cli("graph", example_bp, "--env", "prod", "--env-file", PROD_S3, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["backend"] == "s3" and data["apply_order"] == ["flags", "locks", "orders", "sessions"]
    assert {s["name"]: s["state"] for s in data["stacks"]} == {
        name: {"backend": "s3", "bucket": "acme-terraform-state", "key": f"facets/prod/{name}.tfstate",
               "region": "eu-west-1"} for name in ("flags", "locks", "orders", "sessions")}


def test_the_order_is_dependencies_first_and_waves_run_in_parallel(tmp_path: Path, minimal: dict[str, Any]) -> None:
    """A chain a <- b <- c plus an independent d: three waves, and every stack after those it reads."""
    folder = tmp_path / "bp" / "dynamodb" / "instances"
    folder.mkdir(parents=True)
    reads = {"a": None, "b": "a", "c": "b", "d": None, "e": "a"}
    for name, target in reads.items():
        doc = copy.deepcopy(minimal)
        if target:
            doc["metadata"]["tags"] = {"upstream": f"${{dynamodb.{target}.out.table_arn}}"}
        (folder / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    ws = load_workspace([tmp_path / "bp"], "dev")
    graph = apply_graph(ws)
    assert graph.order == [r.name for r in synthesis_order(ws.resources)]
    for name, target in reads.items():
        if target:
            assert graph.order.index(target) < graph.order.index(name)
    assert graph.waves() == {"a": 0, "b": 1, "c": 2, "d": 0, "e": 1}
    assert sorted(graph.edges) == [("dynamodb.b", "dynamodb.a"), ("dynamodb.c", "dynamodb.b"),
                                   ("dynamodb.e", "dynamodb.a")]


def test_synth_json_lists_the_same_apply_order(run_cli, example_bp: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("synth", example_bp, "--env", "prod", "--env-file", PROD_S3, "--out", out, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    graph = json.loads(run_cli("graph", example_bp, "--env", "prod", "--env-file", PROD_S3, "--format", "json").stdout)
    assert data["apply_order"] == graph["apply_order"] == ["flags", "locks", "orders", "sessions"]
    assert sorted(data) == ["apply_order", "engine", "environment", "out", "skipped", "stacks"]  # only an addition
    for stack in graph["stacks"]:
        written = json.loads((out / stack["folder"] / "cdk.tf.json").read_text())
        assert written["terraform"]["backend"]["s3"]["key"] == stack["state"]["key"]


def test_graph_of_an_invalid_blueprint_is_the_problems_and_exit_1(run_cli, example_bp: Path, tmp_path: Path) -> None:
    bad = tmp_path / "prod.json"
    bad.write_text(json.dumps({"name": "prod", "region": "eu-west-1", "backend": {
        "type": "s3", "bucket": "b-1", "key": "one.tfstate", "use_lockfile": True}}), encoding="utf-8")
    result = run_cli("graph", example_bp, "--env", "prod", "--env-file", bad)
    assert result.returncode == 1 and result.stdout.count("FD406") == 1 and "flowchart" not in result.stdout
    assert "no graph" in result.stderr
    as_json = run_cli("graph", example_bp, "--env", "prod", "--env-file", bad, "--format", "json")
    assert as_json.returncode == 1
    [problem] = [d for d in json.loads(as_json.stdout) if d["file"] == str(bad)]
    assert (problem["code"], problem["path"], problem["file"]) == ("FD406", "/backend/key", str(bad))
    assert run_cli("graph", example_bp, "--format", "svg").returncode == 2


def test_synth_text_says_where_the_state_goes(run_cli, example_bp: Path, tmp_path: Path) -> None:
    result = run_cli("synth", example_bp, "--env", "prod", "--env-file", PROD_S3, "--out", tmp_path / "s3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == ("  state: s3://acme-terraform-state/facets/prod/{stack}.tfstate "
                                             "in eu-west-1")
    local = run_cli("synth", example_bp, "--env", "prod", "--out", tmp_path / "local")
    assert local.returncode == 0 and "state:" not in local.stdout

