"""The shipped JSON Schema of dynamodb/default/0.2: a valid draft 2020-12 schema that says what the issue says."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator

from facets_dynamo import api
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.host import default_host
from facets_dynamo.validation import validate_workspace

SCHEMA_FILE = ROOT / "schemas" / "dynamodb" / "default" / "0.2.json"
ENVELOPE = {"$schema", "kind", "flavor", "version", "disabled", "lifecycle", "conditional_on_intent", "provided",
            "depends_on", "metadata", "spec", "advanced", "out"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def schema_errors(schema: dict[str, Any], doc: Any) -> list[tuple[str, str]]:
    """(pointer, keyword) of every error a plain draft 2020-12 validator reports."""
    validator = Draft202012Validator(schema)
    return sorted(("/" + "/".join(map(str, e.absolute_path)), str(e.validator)) for e in validator.iter_errors(doc))


def test_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_shipped_as_package_data_and_served_by_the_plugin(schema: dict[str, Any]) -> None:
    shipped = files("facets_dynamo_schemas") / "dynamodb" / "default" / "0.2.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == schema
    assert api.schema("dynamodb", "default", "0.2") == schema
    assert default_host().flavor("dynamodb", "default", "0.2").plugin == "dynamodb_default"


def test_unknown_flavor_schema_names_the_available_ones() -> None:
    with pytest.raises(KeyError, match=r"dynamodb/default/0\.2"):
        api.schema("dynamodb", "default", "0.1")


def test_envelope_fields_are_declared(schema: dict[str, Any]) -> None:
    assert set(schema["properties"]) == ENVELOPE
    assert {"kind", "flavor", "version", "metadata"} <= set(schema["required"])


def test_spec_requires_hash_key_and_attributes_and_rejects_unknown_fields(schema: dict[str, Any],
                                                                          minimal: dict[str, Any]) -> None:
    assert schema_errors(schema, minimal) == []
    doc = copy.deepcopy(minimal)
    del doc["spec"]["hash_key"]
    doc["spec"]["sort_key"] = "x"
    assert schema_errors(schema, doc) == [("/spec", "additionalProperties"), ("/spec", "required")]


@pytest.mark.parametrize("attribute,expected", [
    ({"name": "LockID"}, [("/spec/attributes/key1", "required")]),
    ({"type": "S"}, [("/spec/attributes/key1", "required")]),
    ({"name": "LockID", "type": "BOOL"}, [("/spec/attributes/key1/type", "enum")]),
    ({"name": "LockID", "type": "S", "ttl": True}, [("/spec/attributes/key1", "additionalProperties")]),
])
def test_attribute_needs_name_and_a_key_type(schema: dict[str, Any], minimal: dict[str, Any],
                                             attribute: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    minimal["spec"]["attributes"]["key1"] = attribute
    assert schema_errors(schema, minimal) == expected


def test_attributes_keyed_by_logical_id(schema: dict[str, Any], minimal: dict[str, Any]) -> None:
    minimal["spec"]["attributes"] = {"has space": {"name": "LockID", "type": "S"}}
    assert schema_errors(schema, minimal) == [("/spec/attributes", "pattern")]
    minimal["spec"]["attributes"] = {}
    assert schema_errors(schema, minimal) == [("/spec/attributes", "minProperties")]


def test_version_must_be_the_string_0_2(schema: dict[str, Any], minimal: dict[str, Any]) -> None:
    minimal["version"] = 0.2
    assert ("/version", "type") in schema_errors(schema, minimal)


def test_provided_resource_needs_no_spec(schema: dict[str, Any], minimal: dict[str, Any]) -> None:
    provided = {k: v for k, v in minimal.items() if k != "spec"}
    assert schema_errors(schema, provided) == [("/", "required")]
    provided["provided"] = True
    provided["out"] = {"attributes": {"table_name": "legacy", "table_arn": "arn:aws:dynamodb:::table/legacy"}}
    assert schema_errors(schema, provided) == []


def test_published_canonical_document_and_bundled_sample_are_valid(write_json: Callable[..., Path],
                                                                   minimal: dict[str, Any]) -> None:
    canonical = {**minimal, "disabled": True}
    sample = json.loads((files("facets_dynamodb_default") / "sample.json").read_text(encoding="utf-8"))
    assert default_host().flavor("dynamodb", "default", "0.2").sample == sample
    for doc, name in ((canonical, "canonical.json"), (sample, "sample.json")):
        found = validate_workspace(load_workspace([write_json(doc, name)]), default_host())
        assert found.ok and {d.code for d in found} <= {"DDB301", "DDB302", "DDB303"}, name  # best practice: warnings


def test_every_schema_error_of_the_cli_is_a_fd_or_ddb_code(write_json: Callable[..., Path],
                                                           minimal: dict[str, Any]) -> None:
    """Each schema keyword failure maps to a documented code; none falls through to the generic FD300."""
    minimal["lifecycle"] = 3
    minimal["disabled"] = "no"
    minimal["spec"]["attributes"]["key1"]["type"] = "s"
    minimal["spec"]["attributes"]["bad id"] = {"name": "X"}
    minimal["spec"]["extra"] = 1
    found = validate_workspace(load_workspace([write_json(minimal)]), default_host())
    codes = {d.code for d in found}
    assert "FD300" not in codes
    assert {"FD302", "DDB108", "FD305", "FD301", "FD304"} <= codes
