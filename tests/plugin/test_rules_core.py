"""The core rules of dynamodb/default/0.2 and the envelope checks: one valid and one invalid case each.

Every invalid case asserts the code, the JSON pointer and the line (and column where it says something):
a diagnostic is only useful if an editor or a pipeline annotation lands on the right spot.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.policy import NO_POLICY

from facets_dynamo.blueprint import load_workspace
from facets_dynamo.diagnostics import Diagnostic
from facets_dynamo.host import default_host
from facets_dynamo.validation import validate_workspace

WriteJson = Callable[..., Path]


def validate(path: Path, env: str = "default") -> list[Diagnostic]:
    return list(validate_workspace(load_workspace([path], env), default_host(), config=NO_POLICY))


def errors(path: Path, env: str = "default") -> list[Diagnostic]:
    return [d for d in validate(path, env) if d.is_error]


def position(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """(line, column) of the ``occurrence``-th ``needle`` in the file, 1-based: where a diagnostic must point."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        col = line.find(needle)
        if col >= 0:
            seen += 1
            if seen == occurrence:
                return number, col + 1
    raise AssertionError(f"{needle!r} not in {path}")


def one(found: list[Diagnostic], code: str) -> Diagnostic:
    matching = [d for d in found if d.code == code]
    assert len(matching) == 1, found
    return matching[0]


def codes(found: list[Diagnostic]) -> set[str]:
    return {d.code for d in found}


def test_minimal_document_is_valid(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    assert validate(write_json(minimal)) == []


# -- DDB101 hash_key names a declared attribute ----------------------------------------------------

def test_ddb101_valid_hash_key_matches_attribute_name_not_logical_id(write_json: WriteJson,
                                                                     minimal: dict[str, Any]) -> None:
    minimal["spec"]["hash_key"] = "key1"  # the logical id, not the name DynamoDB sees
    path = write_json(minimal)
    d = one(errors(path), "DDB101")
    assert d.path == "/spec/hash_key"
    assert (d.line, d.column) == position(path, '"key1"', 2)  # the value of hash_key
    assert "'key1'" in d.message and "LockID" in d.message
    minimal["spec"]["hash_key"] = "LockID"
    assert "DDB101" not in codes(validate(write_json(minimal)))


# -- DDB102 every declared attribute is used by a key ----------------------------------------------

def test_ddb102_unused_attributes_are_named(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["attributes"]["extra"] = {"name": "CreatedAt", "type": "N"}
    minimal["spec"]["attributes"]["more"] = {"name": "Owner", "type": "S"}
    path = write_json(minimal)
    found = [d for d in errors(path) if d.code == "DDB102"]
    assert [d.path for d in found] == ["/spec/attributes/extra", "/spec/attributes/more"]
    assert (found[0].line, found[0].column) == position(path, '"extra"')
    assert (found[1].line, found[1].column) == position(path, '"more"')
    assert "'CreatedAt'" in found[0].message and "'Owner'" in found[1].message
    # used by a table range key: fine
    del minimal["spec"]["attributes"]["more"]
    minimal["advanced"] = {"aws_dynamodb": {"range_key": "CreatedAt"}}
    assert "DDB102" not in codes(validate(write_json(minimal)))


# -- DDB103 / DDB104 attribute declared twice (same or different type) -----------------------------

def test_ddb103_attribute_declared_twice(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["attributes"]["again"] = {"name": "LockID", "type": "S"}
    path = write_json(minimal)
    found = errors(path)
    d = one(found, "DDB103")
    assert d.path == "/spec/attributes/again/name"
    assert d.line == position(path, '"again"')[0] + 1
    assert "key1" in d.message and "again" in d.message
    assert "DDB104" not in codes(found)
    minimal["spec"]["attributes"]["again"]["name"] = "Other"
    minimal["advanced"] = {"aws_dynamodb": {"range_key": "Other"}}
    assert not codes(validate(write_json(minimal))) & {"DDB103", "DDB104"}


def test_ddb104_attribute_declared_with_two_types(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["attributes"]["again"] = {"name": "LockID", "type": "N"}
    path = write_json(minimal)
    found = errors(path)
    d = one(found, "DDB104")
    assert d.path == "/spec/attributes/again/type"
    assert d.line == position(path, '"again"')[0] + 2
    assert "'S'" in d.message and "'N'" in d.message
    assert "DDB103" not in codes(found)


# -- DDB105 derived table name ---------------------------------------------------------------------

def test_ddb105_valid_name_for_ordinary_environment(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    assert "DDB105" not in codes(validate(write_json(minimal), env="dev"))


def test_ddb105_breaks_only_because_of_the_env_suffix_length(write_json: WriteJson,
                                                             minimal: dict[str, Any]) -> None:
    minimal["metadata"]["name"] = "n" * 100  # a valid resource name (<= 128)
    path = write_json(minimal)
    fits = "e" * (255 - 101)  # "<name>-<env>" is exactly 255 characters
    assert "DDB105" not in codes(validate(path, env=fits))
    d = one(errors(path, env=fits + "e"), "DDB105")  # 256 characters
    assert d.path == "/metadata/name"
    assert (d.line, d.column) == position(path, '"nnnn')
    assert "3-255" in d.message


def test_ddb105_env_with_characters_dynamodb_rejects(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    path = write_json(minimal)
    d = one(errors(path, env="qa team"), "DDB105")
    assert d.path == "" and (d.line, d.column) == (1, 1)  # no metadata.name: the file name gave the name
    assert "'locks-qa team'" in d.message


def test_ddb105_trailing_newline_in_env(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    # Python's "$" also matches before a final newline: "locks-dev\n" used to pass the naming rule.
    assert "DDB105" in codes(errors(write_json(minimal), env="dev\n"))


# -- DDB107 key attribute names are 1-255 bytes ----------------------------------------------------

def test_ddb107_counts_utf8_bytes_not_characters(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    name = "é" * 128  # 128 characters, 256 bytes
    minimal["spec"]["attributes"]["key1"]["name"] = name
    minimal["spec"]["hash_key"] = name
    path = write_json(json.dumps(minimal, indent=2, ensure_ascii=False))  # raw UTF-8 in the file
    d = one(errors(path), "DDB107")
    assert d.path == "/spec/attributes/key1/name"
    assert (d.line, d.column) == (position(path, '"name"')[0], position(path, '"éé')[1])
    assert "256 bytes" in d.message
    fits = "é" * 127  # 254 bytes
    minimal["spec"]["attributes"]["key1"]["name"] = fits
    minimal["spec"]["hash_key"] = fits
    assert "DDB107" not in codes(validate(write_json(minimal)))


def test_ddb107_empty_attribute_name(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["attributes"]["key1"]["name"] = ""
    path = write_json(minimal)
    assert one(errors(path), "DDB107").path == "/spec/attributes/key1/name"


# -- DDB108 attribute type -------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["s", "X", "string"])
def test_ddb108_lowercase_or_unknown_type(write_json: WriteJson, minimal: dict[str, Any], bad: str) -> None:
    minimal["spec"]["attributes"]["key1"]["type"] = bad
    path = write_json(minimal)
    d = one(errors(path), "DDB108")
    assert d.path == "/spec/attributes/key1/type"
    assert (d.line, d.column) == position(path, f'"{bad}"')
    assert "uppercase" in d.message


@pytest.mark.parametrize("good", ["S", "N", "B"])
def test_ddb108_valid_types(write_json: WriteJson, minimal: dict[str, Any], good: str) -> None:
    minimal["spec"]["attributes"]["key1"]["type"] = good
    assert validate(write_json(minimal)) == []


# -- FD30x JSON Schema -----------------------------------------------------------------------------

def test_fd301_missing_hash_key(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    del minimal["spec"]["hash_key"]
    path = write_json(minimal)
    d = one(errors(path), "FD301")
    assert d.path == "/spec"
    assert (d.line, d.column) == (position(path, '"spec"')[0], position(path, '"spec"')[1] + 8)
    assert "'hash_key'" in d.message


def test_fd302_wrong_type(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["hash_key"] = 5
    path = write_json(minimal)
    d = one(errors(path), "FD302")
    assert d.path == "/spec/hash_key"
    assert (d.line, d.column) == position(path, "5")
    assert "string" in d.message


def test_fd303_enum_value(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["lifecycle"] = "FOREVER"
    path = write_json(minimal)
    d = one(errors(path), "FD303")
    assert d.path == "/lifecycle" and (d.line, d.column) == position(path, '"FOREVER"')
    minimal["lifecycle"] = "ENVIRONMENT"
    assert validate(write_json(minimal)) == []


def test_fd303_kind_flavor_version_const(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    # Through the CLI a different version never reaches this schema (FD202 first: no plugin serves it),
    # but the schema itself pins kind/flavor/version for anyone validating documents with it directly.
    from facets_dynamo.resource import load_resource
    from facets_dynamo.validation import schema_diagnostics

    minimal["version"] = "0.3"
    path = write_json(minimal)
    resource, _ = load_resource(path)
    flavor = default_host().flavor("dynamodb", "default", "0.2")
    found = schema_diagnostics(resource, flavor.validator)
    d = one(found, "FD303")
    assert d.path == "/version" and (d.line, d.column) == position(path, '"0.3"')
    assert one(validate(path), "FD202").path == "/flavor"


def test_fd304_unknown_field_in_spec_at_its_key(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["range_key"] = "LockID"  # belongs under advanced.aws_dynamodb
    path = write_json(minimal)
    d = one(errors(path), "FD304")
    assert d.path == "/spec/range_key"
    assert (d.line, d.column) == position(path, '"range_key"')
    assert "'range_key'" in d.message and "hash_key" in d.message


def test_fd305_logical_id_pattern_at_its_key(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["spec"]["attributes"] = {"lock id": {"name": "LockID", "type": "S"}}
    path = write_json(minimal)
    d = one(errors(path), "FD305")
    assert d.path == "/spec/attributes/lock id"
    assert (d.line, d.column) == position(path, '"lock id"')
    assert "'lock id'" in d.message
    minimal["spec"]["attributes"] = {"lock_id-1": {"name": "LockID", "type": "S"}}
    assert validate(write_json(minimal)) == []


# -- envelope FD201 / FD202 / FD203 ----------------------------------------------------------------

def test_fd201_version_as_number_with_hint(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["version"] = 0.2
    path = write_json(minimal)
    found = errors(path)
    d = one(found, "FD201")
    assert d.path == "/version" and (d.line, d.column) == position(path, "0.2")
    assert 'write "0.2"' in d.message
    assert "FD202" not in codes(found)  # no misleading "no plugin serves" on top


def test_fd201_missing_kind(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    del minimal["kind"]
    path = write_json(minimal)  # not in a blueprint folder, so no folder name to fall back on
    d = one(errors(path), "FD201")
    assert d.path == "" and "'kind'" in d.message


@pytest.mark.parametrize("field", ["kind", "flavor", "version"])
def test_fd201_empty_envelope_field(write_json: WriteJson, minimal: dict[str, Any], field: str) -> None:
    minimal[field] = ""
    path = write_json(minimal)
    found = errors(path)
    d = one(found, "FD201")
    assert d.path == f"/{field}" and (d.line, d.column) == position(path, '""')
    assert "FD202" not in codes(found)  # used to say "no plugin serves None"


def test_fd202_unknown_flavor_lists_available(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["flavor"] = "fancy"
    path = write_json(minimal)
    d = one(errors(path), "FD202")
    assert d.path == "/flavor" and (d.line, d.column) == position(path, '"fancy"')
    assert "dynamodb/fancy/0.2" in d.message and "dynamodb/default/0.2" in d.message


@pytest.mark.parametrize("name", ["../x", ".hidden", "a/b", "x..y"])
def test_fd203_unsafe_resource_name(write_json: WriteJson, minimal: dict[str, Any], name: str) -> None:
    minimal["metadata"]["name"] = name
    path = write_json(minimal)
    d = one(errors(path), "FD203")
    assert d.path == "/metadata/name"
    assert (d.line, d.column) == position(path, json.dumps(name))


def test_fd203_safe_name(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["metadata"]["name"] = "orders.v2_main-1"
    assert validate(write_json(minimal)) == []


# -- all problems at once --------------------------------------------------------------------------

def test_three_independent_errors_are_all_reported(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    minimal["lifecycle"] = "FOREVER"                                          # FD303
    minimal["spec"]["attributes"]["extra"] = {"name": "Unused", "type": "S"}  # DDB102
    minimal["spec"]["bogus"] = True                                            # FD304
    found = errors(write_json(minimal))
    assert sorted(d.code for d in found) == ["DDB102", "FD303", "FD304"]


def test_problems_in_several_files_are_all_reported(write_json: WriteJson, minimal: dict[str, Any]) -> None:
    bad_type = json.loads(json.dumps(minimal))
    bad_type["spec"]["attributes"]["key1"]["type"] = "s"
    a = write_json(bad_type, "a.json")
    b = write_json("{\n  \"kind\": \"dynamodb\",\n}\n", "b.json")
    found = list(validate_workspace(load_workspace([a, b]), default_host(), config=NO_POLICY))
    assert {(Path(d.file).name, d.code) for d in found} == {("a.json", "DDB108"), ("b.json", "FD110")}
