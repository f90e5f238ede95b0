"""Golden files of the example blueprint's synthesized output, per environment.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/plugin/test_examples_golden.py`` and
review the diff. Only the engine version (``"//".metadata.version`` of each stack and ``version`` of the
manifest) is normalised, so the goldens hold for both cdktf 0.21 and cdktn 0.24.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from conftest import ROOT, TESTS
from support.dynamodb_emulation import create_and_roundtrip, mocked_dynamodb

from facets_dynamo import api

GOLDEN = TESTS / "golden" / "examples"
ENVIRONMENTS = ["dev", "prod"]
ENGINE_VERSION = "<engine version>"


def normalise(rel: str, data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    if rel == "manifest.json":
        data["version"] = ENGINE_VERSION
    elif isinstance(data.get("//"), dict) and isinstance(data["//"].get("metadata"), dict):
        data["//"]["metadata"]["version"] = ENGINE_VERSION
    return data


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def synthesized(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    env = request.param
    result = api.synthesize(ROOT / "examples" / "blueprint", env=env)
    files = {rel: render(normalise(rel, json.loads(data))) for rel, data in result.files().items()}
    return env, files


def test_matches_golden(synthesized: tuple[str, dict[str, str]]) -> None:
    env, files = synthesized
    folder = GOLDEN / env
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for old in sorted(folder.rglob("*.json"), reverse=True) if folder.exists() else []:
            old.unlink()
        for rel, text in files.items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*.json")}
    assert sorted(files) == sorted(expected), "stacks differ; regenerate with UPDATE_GOLDEN=1 if intended"
    for rel, text in files.items():
        assert text == expected[rel], f"{env}/{rel} differs from the golden; UPDATE_GOLDEN=1 if intended"


def test_golden_content_is_what_the_blueprint_says(synthesized: tuple[str, dict[str, str]]) -> None:
    """The goldens are not just any output: spot-check the per-environment facts they must hold."""
    env, files = synthesized
    stacks = {rel.split("/")[1]: json.loads(text) for rel, text in files.items() if rel.startswith("stacks/")}
    expected = {"dev": ["locks", "orders", "sessions"], "prod": ["flags", "locks", "orders", "sessions"]}[env]
    assert sorted(stacks) == expected  # flags is disabled except in prod; audit is provided: never a stack
    region = {"dev": "us-east-1", "prod": "eu-west-1"}[env]
    for name, stack in stacks.items():
        table = stack["resource"]["aws_dynamodb_table"]["table"]
        assert table["name"] == f"{name}-{env}"
        assert table["tags"]["environment"] == env and table["tags"]["Name"] == f"{name}-{env}"
        assert table["lifecycle"]["prevent_destroy"] is True
        provider = stack["provider"]["aws"]
        assert (provider[0] if isinstance(provider, list) else provider)["region"] == region
        assert stack["terraform"]["backend"]["local"]["path"] == f"../{name}/terraform.tfstate"
    sessions = stacks["sessions"]["resource"]["aws_dynamodb_table"]["table"]
    assert ("replica" in sessions) == (env == "prod")
    for name, stack in stacks.items():  # the example keeps backups everywhere but in dev's orders (dev/ says so)
        pitr = stack["resource"]["aws_dynamodb_table"]["table"]["point_in_time_recovery"]
        assert (pitr[0] if isinstance(pitr, list) else pitr)["enabled"] is (env == "prod" or name != "orders")
    orders = stacks["orders"]["resource"]
    assert orders["aws_dynamodb_table"]["table"]["deletion_protection_enabled"] is (env == "prod")
    assert len(orders["aws_appautoscaling_target"]) == 4
    ro = stacks["locks"]["resource"]["aws_iam_policy"]["policy_ro"]
    assert ro["name"] == f"{env}-locks-{env}_ro"
    cloud = json.loads((ROOT / "examples" / "blueprint" / env
                        / "environment.json").read_text())["cloud_tags"]
    assert ro["tags"] == cloud  # upstream tags the policies with the cloud tags only


def test_golden_tables_are_accepted_by_dynamodb(synthesized: tuple[str, dict[str, str]]) -> None:
    _, files = synthesized
    with mocked_dynamodb() as client:
        for rel, text in files.items():
            if rel.startswith("stacks/"):
                table = json.loads(text)["resource"]["aws_dynamodb_table"]["table"]
                key = {k: v for k, v in create_and_roundtrip(client, table).items()
                       if k in (table["hash_key"], table.get("range_key"))}
                assert table["hash_key"] in key
