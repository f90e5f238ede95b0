"""environment.json (issue 12): state backends, provider settings, the blueprint-wide file, the published schema.

Everything here runs without the engine (``validate`` never starts Node). Synthesized output is in
``tests/host/test_backends.py``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import json_merge_patch
import pytest
from facets_dynamo_schemas import environment_schema_file
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from facets_dynamo.blueprint import load_workspace
from facets_dynamo.diagnostics import Severity
from facets_dynamo.environment import (
    ASSUME_ROLE_FIELDS,
    CLOUD_FIELDS,
    PROVIDER_FIELDS,
    S3_FIELDS,
    TOP_FIELDS,
    Backend,
    Environment,
    ProviderSettings,
    load_environment,
)
from facets_dynamo.validation import validate_workspace

ROLE = "arn:aws:iam::444455556666:role/deployer"
S3_BASE: dict[str, Any] = {
    "name": "prod",
    "region": "eu-west-1",
    "cloud_tags": {"team": "platform"},
    "backend": {
        "type": "s3", "bucket": "acme-state", "key": "facets/{environment}/{stack}.tfstate", "region": "eu-west-1",
        "use_lockfile": True, "encrypt": True,
        "kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-123456789012",
        "assume_role": {"role_arn": "arn:aws:iam::111122223333:role/state", "session_name": "ci",
                        "external_id": "ext-1"},
        "workspace_key_prefix": "facets",
    },
    "provider": {
        "assume_role": {"role_arn": ROLE, "session_name": "facets-dynamo", "external_id": "abc:123"},
        "allowed_account_ids": ["444455556666"],
        "default_tags": {"managed-by": "facets-dynamo"},
        "endpoints": {"dynamodb": "http://localhost:4566", "sts": "https://sts.example.com:8443/x"},
    },
}
CLOUD_BASE: dict[str, Any] = {
    "name": "prod",
    "backend": {"type": "cloud", "organization": "acme", "hostname": "tfe.acme.example",
                "workspaces": {"name": "facets-{environment}-{stack}", "project": "platform"}},
}
SCHEMA = json.loads(environment_schema_file().read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)


def write(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def position(doc: dict[str, Any], pointer: str, *, key: bool = False) -> tuple[int, int]:
    """Line and column of the value (or key) at ``pointer`` in ``json.dumps(doc, indent=2)``, found by
    putting a sentinel there, not by the loader's own source map: the text before it is the same."""
    marked = copy.deepcopy(doc)
    parts = pointer.split("/")[1:]
    parent = marked
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    if key:
        parent_items = list(parent.items())
        parent.clear()
        parent.update({("@@MARK@@" if k == last else k): v for k, v in parent_items})
        needle = '"@@MARK@@"'
    else:
        if isinstance(parent, list):
            parent[int(last)] = "@@MARK@@"
        else:
            parent[last] = "@@MARK@@"
        needle = '"@@MARK@@"'
    text = json.dumps(marked, indent=2)
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# -- good files ------------------------------------------------------------------------------------

def test_a_full_s3_environment_loads_into_backend_and_provider_settings(tmp_path: Path) -> None:
    env, problems = load_environment(write(tmp_path / "prod" / "environment.json", S3_BASE), "prod")
    assert problems == []
    assert env is not None and env.backend.type == "s3"
    assert env.backend.for_stack("locks", "prod")["key"] == "facets/prod/locks.tfstate"
    assert env.backend.for_stack("locks", "prod")["assume_role"]["role_arn"] == "arn:aws:iam::111122223333:role/state"
    assert env.backend.state("locks", "prod") == {"backend": "s3", "bucket": "acme-state",
                                                   "key": "facets/prod/locks.tfstate", "region": "eu-west-1",
                                                   "workspace_key_prefix": "facets"}
    assert env.provider.arguments() == {
        "assume_role": [{"role_arn": ROLE, "session_name": "facets-dynamo", "external_id": "abc:123"}],
        "allowed_account_ids": ["444455556666"],
        "default_tags": [{"tags": {"managed-by": "facets-dynamo"}}],
        "endpoints": [{"dynamodb": "http://localhost:4566", "sts": "https://sts.example.com:8443/x"}],
    }
    assert VALIDATOR.is_valid(S3_BASE)


def test_s3_region_defaults_to_the_environments(tmp_path: Path) -> None:
    doc = json_merge_patch.merge(copy.deepcopy(S3_BASE), {"region": "ap-south-1", "backend": {"region": None}})
    env, problems = load_environment(write(tmp_path / "e.json", doc), "prod")
    assert problems == [] and env is not None
    assert env.backend.state("x", "prod")["region"] == "ap-south-1"


def test_a_cloud_environment_names_one_workspace_per_stack(tmp_path: Path) -> None:
    env, problems = load_environment(write(tmp_path / "e.json", CLOUD_BASE), "prod")
    assert problems == [] and env is not None
    assert env.backend.state("locks", "prod") == {"backend": "cloud", "organization": "acme",
                                                   "hostname": "tfe.acme.example", "workspace": "facets-prod-locks",
                                                   "project": "platform"}
    tagged = {"name": "prod", "backend": {"type": "cloud", "organization": "acme",
                                          "workspaces": {"tags": ["facets", "{environment}"]}}}
    env, problems = load_environment(write(tmp_path / "t.json", tagged), "prod")
    assert problems == [] and env is not None
    assert env.backend.state("locks", "prod") == {"backend": "cloud", "organization": "acme",
                                                   "hostname": "app.terraform.io", "workspace": None,
                                                   "tags": ["facets", "prod"]}


def test_an_environment_that_says_nothing_is_todays_local_default(tmp_path: Path) -> None:
    env, problems = load_environment(write(tmp_path / "e.json", {"name": "dev"}), "dev")
    assert problems == [] and env == Environment("dev", file=str(tmp_path / "e.json"))
    assert env.backend == Backend() and env.provider == ProviderSettings()
    assert env.backend.state("locks", "dev") == {"backend": "local", "path": "stacks/locks/terraform.tfstate"}
    assert env.provider.arguments() == {}
    local, problems = load_environment(write(tmp_path / "l.json", {"backend": {"type": "local"}}), None)
    assert problems == [] and local is not None and local.backend == Backend()


def test_environments_stay_hashable_and_compare_by_value() -> None:
    a = Environment("p", backend=Backend("s3", {"bucket": "b", "key": "{stack}"}),
                    provider=ProviderSettings(default_tags={"a": "b"}))
    b = Environment("p", backend=Backend("s3", {"bucket": "b", "key": "{stack}"}),
                    provider=ProviderSettings(default_tags={"a": "b"}))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Environment("p")
    with pytest.raises(ValueError, match=r"Backend\.type"):
        Backend("gcs")
    with pytest.raises(TypeError, match=r"Environment\.backend"):
        Environment("p", backend={"type": "s3"})  # type: ignore[arg-type]


# -- a bad field in every position -------------------------------------------------------------------

# (id, patch over the base, pointer of the diagnostic, code, where the position is: value / key / parent)
BAD: list[tuple[str, dict[str, Any], dict[str, Any], str, str, str]] = [
    ("name-type", S3_BASE, {"name": 7}, "/name", "FD401", "value"),
    ("region-empty", S3_BASE, {"region": ""}, "/region", "FD401", "value"),
    ("cloud_tags-value", S3_BASE, {"cloud_tags": {"team": 1}}, "/cloud_tags", "FD401", "value"),
    ("schema-type", S3_BASE, {"$schema": 1}, "/$schema", "FD401", "value"),
    ("backend-type-of", S3_BASE, {"backend": "s3"}, "/backend", "FD401", "value"),
    ("backend-type-missing", S3_BASE, {"backend": {"type": None}}, "/backend", "FD405", "value"),
    ("backend-type-unknown", S3_BASE, {"backend": {"type": "gcs"}}, "/backend/type", "FD401", "value"),
    ("s3-bucket-missing", S3_BASE, {"backend": {"bucket": None}}, "/backend", "FD405", "value"),
    ("s3-key-missing", S3_BASE, {"backend": {"key": None}}, "/backend", "FD405", "value"),
    ("s3-bucket", S3_BASE, {"backend": {"bucket": "Acme_State"}}, "/backend/bucket", "FD407", "value"),
    ("s3-bucket-type", S3_BASE, {"backend": {"bucket": ["a"]}}, "/backend/bucket", "FD401", "value"),
    ("s3-key-no-stack", S3_BASE, {"backend": {"key": "facets/{environment}.tfstate"}}, "/backend/key", "FD406",
     "value"),
    ("s3-key-placeholder", S3_BASE, {"backend": {"key": "{stack}/{env}.tfstate"}}, "/backend/key", "FD406", "value"),
    ("s3-key-slash", S3_BASE, {"backend": {"key": "/{stack}.tfstate"}}, "/backend/key", "FD407", "value"),
    ("s3-region", S3_BASE, {"backend": {"region": ""}}, "/backend/region", "FD401", "value"),
    ("s3-use_lockfile", S3_BASE, {"backend": {"use_lockfile": "yes"}}, "/backend/use_lockfile", "FD401", "value"),
    ("s3-dynamodb_table", S3_BASE, {"backend": {"dynamodb_table": "x"}}, "/backend/dynamodb_table", "FD407", "value"),
    ("s3-encrypt", S3_BASE, {"backend": {"encrypt": 1}}, "/backend/encrypt", "FD401", "value"),
    ("s3-kms_key_id", S3_BASE, {"backend": {"kms_key_id": "alias/state"}}, "/backend/kms_key_id", "FD407", "value"),
    ("s3-kms-without-encrypt", S3_BASE, {"backend": {"encrypt": False}}, "/backend/kms_key_id", "FD408", "value"),
    ("s3-assume_role-type", S3_BASE, {"backend": {"assume_role": "arn"}}, "/backend/assume_role", "FD401", "value"),
    ("s3-assume_role-missing", S3_BASE, {"backend": {"assume_role": {"role_arn": None}}}, "/backend/assume_role",
     "FD405", "value"),
    ("s3-role_arn", S3_BASE, {"backend": {"assume_role": {"role_arn": "arn:aws:iam::1234:role/x"}}},
     "/backend/assume_role/role_arn", "FD407", "value"),
    ("s3-session_name", S3_BASE, {"backend": {"assume_role": {"session_name": "a b"}}},
     "/backend/assume_role/session_name", "FD407", "value"),
    ("s3-external_id", S3_BASE, {"backend": {"assume_role": {"external_id": "x"}}},
     "/backend/assume_role/external_id", "FD407", "value"),
    ("s3-assume_role-unknown", S3_BASE, {"backend": {"assume_role": {"duration": "1h"}}},
     "/backend/assume_role/duration", "FD412", "key"),
    ("s3-workspace_key_prefix", S3_BASE, {"backend": {"workspace_key_prefix": "envs/"}},
     "/backend/workspace_key_prefix", "FD407", "value"),
    ("s3-unknown", S3_BASE, {"backend": {"lock": True}}, "/backend/lock", "FD412", "key"),
    ("local-extra", {"backend": {"type": "local"}}, {"backend": {"path": "x"}}, "/backend/path", "FD412", "key"),
    ("cloud-organization-missing", CLOUD_BASE, {"backend": {"organization": None}}, "/backend", "FD405", "value"),
    ("cloud-workspaces-missing", CLOUD_BASE, {"backend": {"workspaces": None}}, "/backend", "FD405", "value"),
    ("cloud-organization", CLOUD_BASE, {"backend": {"organization": "acme corp"}}, "/backend/organization", "FD407",
     "value"),
    ("cloud-hostname", CLOUD_BASE, {"backend": {"hostname": "https://tfe.acme.example"}}, "/backend/hostname",
     "FD407", "value"),
    ("cloud-workspaces-type", CLOUD_BASE, {"backend": {"workspaces": ["a"]}}, "/backend/workspaces", "FD401",
     "value"),
    ("cloud-workspaces-both", CLOUD_BASE, {"backend": {"workspaces": {"tags": ["a"]}}}, "/backend/workspaces",
     "FD408", "value"),
    ("cloud-workspaces-neither", CLOUD_BASE, {"backend": {"workspaces": {"name": None}}}, "/backend/workspaces",
     "FD405", "value"),
    ("cloud-name-no-stack", CLOUD_BASE, {"backend": {"workspaces": {"name": "facets-{environment}"}}},
     "/backend/workspaces/name", "FD406", "value"),
    ("cloud-name-chars", CLOUD_BASE, {"backend": {"workspaces": {"name": "facets/{stack}"}}},
     "/backend/workspaces/name", "FD407", "value"),
    ("cloud-tags-empty", CLOUD_BASE, {"backend": {"workspaces": {"name": None, "tags": []}}},
     "/backend/workspaces/tags", "FD401", "value"),
    ("cloud-tag-type", CLOUD_BASE, {"backend": {"workspaces": {"name": None, "tags": ["a", 2]}}},
     "/backend/workspaces/tags/1", "FD401", "value"),
    ("cloud-tag-placeholder", CLOUD_BASE, {"backend": {"workspaces": {"name": None, "tags": ["{team}"]}}},
     "/backend/workspaces/tags/0", "FD406", "value"),
    ("cloud-project", CLOUD_BASE, {"backend": {"workspaces": {"project": ""}}}, "/backend/workspaces/project",
     "FD401", "value"),
    ("cloud-workspaces-unknown", CLOUD_BASE, {"backend": {"workspaces": {"prefix": "x"}}},
     "/backend/workspaces/prefix", "FD412", "key"),
    ("cloud-unknown", CLOUD_BASE, {"backend": {"token": "secret"}}, "/backend/token", "FD412", "key"),
    ("provider-type", S3_BASE, {"provider": []}, "/provider", "FD401", "value"),
    ("provider-unknown", S3_BASE, {"provider": {"profile": "x"}}, "/provider/profile", "FD412", "key"),
    ("provider-assume_role-missing", S3_BASE, {"provider": {"assume_role": {"role_arn": None}}},
     "/provider/assume_role", "FD405", "value"),
    ("provider-role_arn", S3_BASE, {"provider": {"assume_role": {"role_arn": "arn:aws:iam::444455556666:user/x"}}},
     "/provider/assume_role/role_arn", "FD407", "value"),
    ("provider-session_name", S3_BASE, {"provider": {"assume_role": {"session_name": "x" * 65}}},
     "/provider/assume_role/session_name", "FD407", "value"),
    ("provider-external_id", S3_BASE, {"provider": {"assume_role": {"external_id": 5}}},
     "/provider/assume_role/external_id", "FD401", "value"),
    ("allowed-type", S3_BASE, {"provider": {"allowed_account_ids": "444455556666"}}, "/provider/allowed_account_ids",
     "FD401", "value"),
    ("allowed-number", S3_BASE, {"provider": {"allowed_account_ids": [44455556666]}},
     "/provider/allowed_account_ids/0", "FD407", "value"),
    ("allowed-digits", S3_BASE, {"provider": {"allowed_account_ids": ["444455556666", "1234"]}},
     "/provider/allowed_account_ids/1", "FD407", "value"),
    ("allowed-twice", S3_BASE, {"provider": {"allowed_account_ids": ["444455556666", "444455556666"]}},
     "/provider/allowed_account_ids/1", "FD401", "value"),
    ("allowed-and-forbidden", S3_BASE, {"provider": {"forbidden_account_ids": ["000000000000"]}},
     "/provider/forbidden_account_ids", "FD408", "key"),
    ("forbidden-digits", S3_BASE, {"provider": {"allowed_account_ids": None, "forbidden_account_ids": ["x"]}},
     "/provider/forbidden_account_ids/0", "FD407", "value"),
    ("default_tags-type", S3_BASE, {"provider": {"default_tags": ["a"]}}, "/provider/default_tags", "FD401", "value"),
    ("default_tags-value", S3_BASE, {"provider": {"default_tags": {"a": True}}}, "/provider/default_tags/a", "FD401",
     "value"),
    ("endpoints-type", S3_BASE, {"provider": {"endpoints": "http://localhost:4566"}}, "/provider/endpoints", "FD401",
     "value"),
    ("endpoints-service", S3_BASE, {"provider": {"endpoints": {"DynamoDB": "http://localhost:4566"}}},
     "/provider/endpoints/DynamoDB", "FD407", "key"),
    ("endpoints-url", S3_BASE, {"provider": {"endpoints": {"dynamodb": "localhost:4566"}}},
     "/provider/endpoints/dynamodb", "FD407", "value"),
    ("endpoints-port", S3_BASE, {"provider": {"endpoints": {"dynamodb": "http://localhost:99999"}}},
     "/provider/endpoints/dynamodb", "FD407", "value"),
    ("endpoints-value", S3_BASE, {"provider": {"endpoints": {"dynamodb": 4566}}},
     "/provider/endpoints/dynamodb", "FD401", "value"),
]


def bad_doc(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``patch`` merged over it (RFC 7396: null removes a field, a list replaces one)."""
    return json_merge_patch.merge(copy.deepcopy(base), copy.deepcopy(patch))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("base", "patch", "pointer", "code", "at"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_field_is_a_positioned_error(tmp_path: Path, base: dict[str, Any], patch: dict[str, Any],
                                           pointer: str, code: str, at: str) -> None:
    doc = bad_doc(base, patch)
    path = write(tmp_path / "prod" / "environment.json", doc)
    env, problems = load_environment(path, "prod")
    assert env is None
    errors = [p for p in problems if p.is_error]
    assert [(d.path, d.code) for d in errors] == [(pointer, code)], [d.format_text() for d in errors]
    [found] = errors
    assert found.file == str(path) and found.severity is Severity.ERROR
    assert (found.line, found.column) == position(doc, pointer, key=at == "key"), found.format_text()
    assert not VALIDATOR.is_valid(doc), "the published schema must refuse it too"


def test_the_message_says_how_to_fix_a_key_without_stack(tmp_path: Path) -> None:
    doc = bad_doc(S3_BASE, {"backend": {"key": "facets/{environment}.tfstate"}})
    _, problems = load_environment(write(tmp_path / "e.json", doc), "prod")
    [d] = problems
    assert "every stack would use one state" in d.message and "{stack}" in d.message


def test_warnings_unknown_field_no_locking_and_a_tag_in_both_places(tmp_path: Path) -> None:
    doc = bad_doc(S3_BASE, {"color": "blue", "backend": {"use_lockfile": None},
                            "provider": {"default_tags": {"team": "sre"}}})
    path = write(tmp_path / "e.json", doc)
    env, problems = load_environment(path, "prod")
    assert env is not None, "warnings do not stop the environment"
    found = {(d.path, d.code, d.severity) for d in problems}
    assert found == {("/color", "FD402", Severity.WARNING), ("/backend", "FD410", Severity.WARNING),
                     ("/provider/default_tags/team", "FD409", Severity.WARNING)}
    assert VALIDATOR.is_valid(doc), "warnings only: the schema accepts it"
    # the same value in both places is no conflict
    same = bad_doc(S3_BASE, {"provider": {"default_tags": {"team": "platform"}}})
    assert load_environment(write(tmp_path / "s.json", same), "prod")[1] == []


# -- the blueprint-wide file ------------------------------------------------------------------------

def blueprint_with(tmp_path: Path, minimal: dict[str, Any], shared: Any, own: Any | None) -> Path:
    bp = tmp_path / "bp"
    write(bp / "dynamodb" / "instances" / "locks.json", minimal)
    if shared is not None:
        write(bp / "environment.json", shared)
    if own is not None:
        write(bp / "prod" / "environment.json", own)
    return bp


def test_the_blueprint_wide_file_is_merged_under_each_environment(tmp_path: Path, minimal: dict[str, Any]) -> None:
    shared = {"backend": S3_BASE["backend"], "provider": {"allowed_account_ids": ["444455556666"]},
              "cloud_tags": {"team": "platform", "cost-center": "cc1"}}
    own = {"name": "prod", "region": "eu-west-1", "cloud_tags": {"cost-center": "cc9", "team": None},
           "backend": {"key": "prod/{stack}.tfstate"}}
    bp = blueprint_with(tmp_path, minimal, shared, own)
    ws = load_workspace([bp], "prod")
    assert ws.diagnostics == []
    env = ws.environment
    assert env.cloud_tags == {"cost-center": "cc9"}  # merge patch: null removes
    assert env.backend.for_stack("locks", "prod")["key"] == "prod/locks.tfstate"
    assert env.backend.for_stack("locks", "prod")["bucket"] == "acme-state"
    assert env.provider.allowed_account_ids == ("444455556666",)
    # an environment without a file of its own gets the shared one, named after --env
    dev = load_workspace([bp], "dev").environment
    assert dev.name == "dev" and dev.backend.for_stack("locks", "dev")["key"] == "facets/dev/locks.tfstate"


def test_diagnostics_point_into_the_file_the_bad_value_came_from(tmp_path: Path, minimal: dict[str, Any]) -> None:
    shared = {"backend": {**S3_BASE["backend"], "bucket": "Bad_Bucket"}}
    own = {"name": "prod", "provider": {"allowed_account_ids": ["12"]}}
    bp = blueprint_with(tmp_path, minimal, shared, own)
    found = validate_workspace(load_workspace([bp], "prod"))
    assert sorted(d.code for d in found.errors) == ["FD407", "FD407"]
    bucket = next(d for d in found.errors if d.path == "/backend/bucket")
    account = next(d for d in found.errors if d.path == "/provider/allowed_account_ids/0")
    assert bucket.file == str(bp / "environment.json")
    assert (bucket.line, bucket.column) == position(shared, "/backend/bucket")
    assert account.file == str(bp / "prod" / "environment.json")
    assert (account.line, account.column) == position(own, "/provider/allowed_account_ids/0")
    # overridden in the environment's file: now the environment's file is blamed
    own["backend"] = {"bucket": "Still_Bad"}
    write(bp / "prod" / "environment.json", own)
    bucket = next(d for d in validate_workspace(load_workspace([bp], "prod")).errors if d.path == "/backend/bucket")
    assert bucket.file == str(bp / "prod" / "environment.json")
    assert (bucket.line, bucket.column) == position(own, "/backend/bucket")


def test_a_backend_of_another_type_replaces_the_shared_one(tmp_path: Path, minimal: dict[str, Any]) -> None:
    bp = blueprint_with(tmp_path, minimal, {"backend": S3_BASE["backend"]}, {"backend": {"type": "local"}})
    ws = load_workspace([bp], "prod")
    assert ws.diagnostics == [] and ws.environment.backend == Backend()
    bp2 = blueprint_with(tmp_path / "2", minimal, {"backend": S3_BASE["backend"]}, {"backend": None})
    assert load_workspace([bp2], "prod").environment.backend == Backend()


def test_a_name_in_the_shared_file_is_blamed_there(tmp_path: Path, minimal: dict[str, Any]) -> None:
    bp = blueprint_with(tmp_path, minimal, {"name": "prod"}, None)
    [d] = validate_workspace(load_workspace([bp], "dev")).errors
    assert (d.code, d.path, d.file) == ("FD401", "/name", str(bp / "environment.json"))
    assert "leave 'name' out of it" in d.message


def test_a_broken_shared_file_is_reported_and_nothing_else_is_read_into_the_environment(
        tmp_path: Path, minimal: dict[str, Any]) -> None:
    bp = blueprint_with(tmp_path, minimal, None, {"name": "prod"})
    (bp / "environment.json").write_text('{"backend": {"type": "s3",}}', encoding="utf-8")
    found = validate_workspace(load_workspace([bp], "prod"))
    assert [(d.code, d.file) for d in found.errors] == [("FD110", str(bp / "environment.json"))]


def test_tagged_cloud_workspaces_cannot_carry_cross_stack_references(tmp_path: Path, example_bp: Path) -> None:
    tagged = {"name": "dev", "backend": {"type": "cloud", "organization": "acme",
                                         "workspaces": {"tags": ["facets"]}}}
    path = write(tmp_path / "dev.json", tagged)
    found = validate_workspace(load_workspace([example_bp], "dev", path))
    [d] = found.errors
    assert (d.code, d.path, d.file) == ("FD411", "/backend/workspaces/tags", str(path))
    assert (d.line, d.column) == position(tagged, "/backend/workspaces/tags")
    assert "dynamodb.sessions -> dynamodb.locks" in d.message
    named = bad_doc(tagged, {"backend": {"workspaces": {"tags": None, "name": "facets-{stack}"}}})
    assert validate_workspace(load_workspace([example_bp], "dev", write(tmp_path / "n.json", named))).ok


def test_validate_with_an_s3_environment_never_starts_node(run_cli, example_bp: Path, tmp_path: Path) -> None:
    marker = tmp_path / "node-started"
    wrapper = tmp_path / "node"
    wrapper.write_text(f"#!/bin/sh\necho started >> {marker}\nexit 1\n", encoding="utf-8")
    wrapper.chmod(0o755)
    env_file = write(tmp_path / "prod.json", S3_BASE)
    for command in ("validate", "graph"):
        result = run_cli(command, example_bp, "--env", "prod", "--env-file", env_file, env={"JSII_NODE": str(wrapper)})
        assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()


# -- the published schema --------------------------------------------------------------------------

def test_the_schema_is_a_valid_2020_12_schema_that_knows_every_field() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert set(SCHEMA["properties"]) == set(TOP_FIELDS)
    assert set(SCHEMA["properties"]["provider"]["properties"]) == set(PROVIDER_FIELDS)
    assert set(SCHEMA["$defs"]["s3"]["properties"]) == {"type", *S3_FIELDS}
    assert set(SCHEMA["$defs"]["cloud"]["properties"]) == {"type", *CLOUD_FIELDS}
    assert set(SCHEMA["$defs"]["assume_role"]["properties"]) == set(ASSUME_ROLE_FIELDS)
    assert SCHEMA["properties"]["backend"]["properties"]["type"]["enum"] == ["local", "s3", "cloud"]


GOOD = [
    {},
    {"name": "dev", "region": "us-east-1", "cloud_tags": {"a": "b"}, "$schema": "../schemas/environment.json"},
    {"backend": {"type": "local"}},
    S3_BASE,
    {"backend": {"type": "s3", "bucket": "b.c-d", "key": "{stack}", "dynamodb_table": "locks"}},
    CLOUD_BASE,
    {"backend": {"type": "cloud", "organization": "o", "workspaces": {"tags": ["a", "{stack}"]}}},
    {"provider": {"forbidden_account_ids": ["000000000000"], "endpoints": {"s3": "http://127.0.0.1:5000/"}}},
]


@pytest.mark.parametrize("doc", GOOD, ids=[f"good-{i}" for i in range(len(GOOD))])
def test_the_loader_and_the_schema_accept_the_same_good_files(tmp_path: Path, doc: dict[str, Any]) -> None:
    env, problems = load_environment(write(tmp_path / "e.json", doc), None)
    assert env is not None and not [p for p in problems if p.is_error], [p.format_text() for p in problems]
    assert VALIDATOR.is_valid(doc), list(VALIDATOR.iter_errors(doc))


def test_the_example_environments_follow_the_schema(example_bp: Path) -> None:
    root = example_bp.parent.parent
    files = [*example_bp.glob("*/environment.json"), *(root / "examples" / "environments").glob("*.json")]
    assert len(files) >= 3
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert VALIDATOR.is_valid(doc), (path, list(VALIDATOR.iter_errors(doc)))
        env, problems = load_environment(path, None)
        assert env is not None and problems == [], (path, [p.format_text() for p in problems])


def test_a_bad_backend_does_not_cost_the_resources_their_region(example_bp: Path, tmp_path: Path) -> None:
    """Resources are still checked against the file's region and tags (prod's replica region is us-east-1,
    wrong only in us-east-1): the one problem reported is the environment file's own."""
    doc = bad_doc(S3_BASE, {"backend": {"key": "one.tfstate"}, "cloud_tags": None})
    path = write(tmp_path / "prod.json", doc)
    ws = load_workspace([example_bp], "prod", path)
    assert ws.environment.region == "eu-west-1" and ws.environment.backend == Backend()
    found = validate_workspace(ws)
    assert [(d.code, d.file) for d in found.errors] == [("FD406", str(path))]
    assert load_environment(path, "prod")[0] is None, "without partial=True: no environment at all"


# -- the loader and the schema agree on mutated files -----------------------------------------------------

VALUES = st.sampled_from([
    None, True, False, 0, 12, 444455556666, "", "x", "ab", "eu-west-1", "{stack}", "{environment}/{stack}.tfstate",
    "/{stack}", "{stack}/", "{team}", "acme-state", "Acme_State", "facets", "local", "s3", "cloud", "gcs",
    "444455556666", "1234", ROLE, "arn:aws:iam::4444:role/x", "http://localhost:4566", "localhost:4566",
    "https://h.example:99999", "tfe.acme.example", "facets-{environment}-{stack}", "a b", [], ["444455556666"],
    ["a", "a"], [1], {}, {"role_arn": ROLE}, {"name": "w-{stack}"}, {"tags": ["t"]}, {"dynamodb": "http://h:1"},
])


def _pointers(value: Any, prefix: str = "") -> list[str]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _pointers(v, f"{prefix}/{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _pointers(v, f"{prefix}/{i}")
    return found


def _set(doc: Any, pointer: str, value: Any) -> None:
    *parents, last = pointer.split("/")[1:]
    for part in parents:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    if isinstance(doc, list):
        doc[int(last)] = value
    elif value is None and last not in ("name",):
        doc.pop(last)  # None: the field left out (a null value itself is tested by the table above)
    else:
        doc[last] = value


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from([S3_BASE, CLOUD_BASE]), data=st.data())
def test_the_loader_never_crashes_and_agrees_with_the_schema(tmp_path: Path, base: dict[str, Any],
                                                            data: st.DataObject) -> None:
    doc = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 3))):
        pointers = _pointers(doc)
        if not pointers:
            break
        _set(doc, data.draw(st.sampled_from(pointers)), copy.deepcopy(data.draw(VALUES)))
    path = write(tmp_path / "mutated.json", doc)
    env, problems = load_environment(path, None)
    loader_ok = not [p for p in problems if p.is_error]
    event("accepted" if loader_ok else "refused")
    assert loader_ok == (env is not None)
    assert all(p.file == str(path) and p.line >= 1 and p.column >= 1 for p in problems)
    assert loader_ok == VALIDATOR.is_valid(doc), (doc, [p.format_text() for p in problems],
                                                  [e.message for e in VALIDATOR.iter_errors(doc)])


def test_a_misspelt_env_with_a_shared_file_says_only_the_shared_file_applies(tmp_path: Path,
                                                                             minimal: dict[str, Any]) -> None:
    bp = blueprint_with(tmp_path, minimal, {"backend": S3_BASE["backend"]}, {"name": "prod"})
    ws = load_workspace([bp], "prdo")
    [warning] = [d for d in ws.diagnostics if d.code == "FD404"]
    assert "only the blueprint-wide environment.json apply" in warning.message
    assert ws.environment.name == "prdo" and ws.environment.backend.type == "s3"


def test_a_misspelt_field_gets_a_suggestion(tmp_path: Path) -> None:
    doc = bad_doc(S3_BASE, {"backend": {"use_lockfile": None, "use_lock_file": True}})
    _, problems = load_environment(write(tmp_path / "e.json", doc), "prod")
    [error] = [p for p in problems if p.is_error]
    assert (error.code, error.path) == ("FD412", "/backend/use_lock_file")
    assert "did you mean 'use_lockfile'?" in error.message
    backend = {k: v for k, v in S3_BASE.items() if k != "backend"} | {"backends": S3_BASE["backend"]}
    env, problems = load_environment(write(tmp_path / "top.json", backend), "prod")
    [warning] = problems
    assert (warning.code, warning.severity, warning.path) == ("FD402", Severity.WARNING, "/backends")
    assert "did you mean 'backend'?" in warning.message and env is not None and env.backend == Backend()

