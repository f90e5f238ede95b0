"""Issue 13's settings end to end: golden output of a blueprint that uses all of them, the extra resources,
the change plan, the form and description, and what moto (DynamoDB as emulated) makes of them.

The blueprint is ``tests/golden/surface/blueprint`` (environment ``prod``); its output goldens live in
``tests/golden/surface/out``. Regenerate with ``UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import copy
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS
from support.dynamodb_emulation import create_table_kwargs, mocked_dynamodb, terraform_literal

from facets_dynamo import api
from facets_dynamo.diff import diff_resources
from facets_dynamo.semantics import Effect

BLUEPRINT = TESTS / "golden" / "surface" / "blueprint"
GOLDEN = TESTS / "golden" / "surface" / "out"
ENGINE_VERSION = "<engine version>"
BASE = "/advanced/aws_dynamodb"
ACCOUNT = "123456789012"


def _normalise(rel: str, data: dict[str, Any]) -> str:
    if rel == "manifest.json":
        data["version"] = ENGINE_VERSION
    elif isinstance(data.get("//"), dict) and isinstance(data["//"].get("metadata"), dict):
        data["//"]["metadata"]["version"] = ENGINE_VERSION
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@pytest.fixture(scope="module")
def synthesized() -> Any:
    return api.synthesize(BLUEPRINT, env="prod")


def test_blueprint_is_valid_without_warnings() -> None:
    # the surface, not best practice: the policy pack's warnings (DDB3xx, tests/ci) are not this test's business
    found = [d for d in api.validate(api.load(BLUEPRINT, env="prod")) if not d.code.startswith("DDB3")]
    assert found == [], [d.format_text() for d in found]


def test_matches_golden(synthesized: Any) -> None:
    files = {rel: _normalise(rel, json.loads(data)) for rel, data in synthesized.files().items()}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for old in GOLDEN.rglob("*.json") if GOLDEN.exists() else []:
            old.unlink()
        for rel, text in files.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.json")}
    assert sorted(files) == sorted(expected)
    for rel, text in files.items():
        assert text == expected[rel], f"{rel} differs from the golden; UPDATE_GOLDEN=1 if intended"


def test_table_blocks(synthesized: Any) -> None:
    table = synthesized.stacks["orders"]["resource"]["aws_dynamodb_table"]["table"]
    assert table["on_demand_throughput"] == {"max_read_request_units": 4000, "max_write_request_units": 1000}
    assert table["warm_throughput"] == {"read_units_per_second": 15000, "write_units_per_second": 5000}
    (gsi,) = table["global_secondary_index"]
    assert gsi["on_demand_throughput"] == {"max_read_request_units": 2000}
    assert gsi["warm_throughput"] == {"read_units_per_second": 12000, "write_units_per_second": 4000}
    assert "contributor_insights" not in gsi  # a separate resource, not a table argument
    assert table["import_table"]["input_format_options"] == {
        "csv": {"delimiter": ";", "header_list": ["pk", "sk", "gsi1pk", "created"]}}
    assert table["import_table"]["s3_bucket_source"]["bucket_owner"] == ACCOUNT
    assert table["global_table_witness"] == {"region_name": "us-west-2"}
    assert table["replica"] == [{"region_name": "us-east-2", "consistency_mode": "STRONG",
                                 "deletion_protection_enabled": True, "point_in_time_recovery": True,
                                 "propagate_tags": True}]
    assert table["lifecycle"] == {"prevent_destroy": True, "ignore_changes": ["replica"]}
    restored = synthesized.stacks["orders_restored"]["resource"]["aws_dynamodb_table"]["table"]
    assert (restored["restore_source_name"], restored["restore_date_time"]) == ("orders-prod", "2026-01-02T03:04:05Z")
    assert "restore_source_table_arn" not in restored  # the provider refuses it beside restore_source_name
    scaled = synthesized.stacks["scaled"]["resource"]
    assert scaled["aws_dynamodb_table"]["table"]["lifecycle"]["ignore_changes"] == [
        "read_capacity", "write_capacity", "global_secondary_index"]
    # one-dimension GSI autoscaling: only the read side of by-email, only the write side of the table
    assert sorted(scaled["aws_appautoscaling_target"]) == ["index_by-email_read_target", "table_write_target"]


def test_resource_policies_are_valid_json_on_the_right_arns(synthesized: Any) -> None:
    resources = synthesized.stacks["orders"]["resource"]
    policies = resources["aws_dynamodb_resource_policy"]
    assert policies["resource_policy"]["resource_arn"] == "${aws_dynamodb_table.table.arn}"
    assert policies["stream_resource_policy"]["resource_arn"] == "${aws_dynamodb_table.table.stream_arn}"
    doc = json.loads(policies["resource_policy"]["policy"].replace("${aws_dynamodb_table.table.arn}", "ARN"))
    assert doc["Version"] == "2012-10-17"
    allow, deny = doc["Statement"]
    assert allow == {"Sid": "AllowReporting", "Effect": "Allow",
                     "Principal": {"AWS": ["arn:aws:iam::222222222222:role/Reporting"]},
                     "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "ARN",
                     "Condition": {"StringEquals": {"aws:PrincipalOrgID": ["o-abc123"]}}}
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", ["dynamodb:DeleteTable"])
    stream = json.loads(policies["stream_resource_policy"]["policy"].replace(
        "${aws_dynamodb_table.table.stream_arn}", "STREAM"))
    assert [s["Resource"] for s in stream["Statement"]] == ["STREAM"]


def test_contributor_insights_and_kinesis(synthesized: Any) -> None:
    resources = synthesized.stacks["orders"]["resource"]
    insights = {k: {f: v for f, v in b.items() if f != "//"}
                for k, b in resources["aws_dynamodb_contributor_insights"].items()}
    assert insights == {
        "contributor_insights": {"table_name": "${aws_dynamodb_table.table.name}",
                                 "mode": "ACCESSED_AND_THROTTLED_KEYS"},
        "contributor_insights_gsi_0": {"table_name": "${aws_dynamodb_table.table.name}", "index_name": "by-gsi1",
                                       "mode": "THROTTLED_KEYS"}}
    (kinesis,) = resources["aws_dynamodb_kinesis_streaming_destination"].values()
    assert kinesis["stream_arn"].endswith(":stream/orders-changes")
    assert kinesis["approximate_creation_date_time_precision"] == "MICROSECOND"


# -- the change plan -------------------------------------------------------------------------------

def _doc(name: str) -> dict[str, Any]:
    return json.loads((BLUEPRINT / "dynamodb" / "instances" / f"{name}.json").read_text("utf-8"))


def _diff(tmp_path: Path, old: dict[str, Any], new: dict[str, Any]) -> Any:
    loaded = []
    for sub, doc in (("a", old), ("b", new)):
        path = tmp_path / sub / "orders.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2))
        (resource,) = api.load(path).resources
        loaded.append(resource)
    return diff_resources(loaded[0], loaded[1], "prod")


def _edit(doc: dict[str, Any], **values: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    for key, value in values.items():
        if value is None:
            doc["advanced"]["aws_dynamodb"].pop(key, None)
        else:
            doc["advanced"]["aws_dynamodb"][key] = value
    return doc


@pytest.mark.parametrize(("edit", "pointer", "words"), [
    ({"import_table": None}, f"{BASE}/import_table", "import_table changes"),
    ({"import_table": {"input_format": "ION", "s3_bucket_source": {"bucket": "b"}}},
     f"{BASE}/import_table/input_format", "imported from S3 only when it is created"),
    ({"restore_source_name": "orders-prod", "restore_to_latest_time": True}, f"{BASE}/restore_to_latest_time",
     "restore_to_latest_time changes"),
    ({"import_table": None, "local_secondary_indexes": [
        {"name": "by-gsi1pk", "range_key": "gsi1pk", "projection_type": "ALL"}]},
     f"{BASE}/local_secondary_indexes", "added by-gsi1pk"),
])
def test_replacing_settings(tmp_path: Path, edit: dict[str, Any], pointer: str, words: str) -> None:
    d = _diff(tmp_path, _doc("orders"), _edit(_doc("orders"), **edit))
    assert d.replaces, d.changes
    assert any(words in r for r in d.reasons), d.reasons
    assert pointer in {c.path for c in d.changes if c.effect is Effect.REPLACES}


@pytest.mark.parametrize("edit", [
    {"on_demand_throughput": {"max_read_request_units": 10}},
    {"warm_throughput": {"read_units_per_second": 20000}},
    {"contributor_insights": None},
    {"kinesis_streaming_destinations": None},
    {"resource_policy_statements": None},
    {"global_table_witness": None},
])
def test_in_place_settings(tmp_path: Path, edit: dict[str, Any]) -> None:
    d = _diff(tmp_path, _doc("orders"), _edit(_doc("orders"), **edit))
    assert d.changes and not d.replaces and not d.destroys_data
    assert all(c.effect is Effect.IN_PLACE for c in d.changes)


def test_ignored_changes_are_said_not_applied(tmp_path: Path) -> None:
    old = _doc("orders")
    new = _edit(old, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}])
    d = _diff(tmp_path, old, new)
    assert not d.replaces
    assert any("NOT applied" in n and "replica" in n for n in d.notes), d.notes
    assert "NOTE: replica_regions changes but ignore_changes_replica is on" in d.format_text()
    assert d.to_dict()["notes"] == d.notes
    turned = _diff(tmp_path, old, _edit(old, ignore_changes_replica=None))
    assert any("turns off" in n for n in turned.notes), turned.notes
    restored = _doc("orders_restored")
    plain = _diff(tmp_path, restored, _edit(restored, point_in_time_recovery_enabled=False))
    assert plain.notes == []
    source = _diff(tmp_path, restored, _edit(restored, restore_source_name="orders-old"))
    assert not source.replaces and any("read only when the table is created" in n for n in source.notes)


# -- form and description --------------------------------------------------------------------------

def test_form_offers_the_common_settings() -> None:
    (resource,) = [r for r in api.load(BLUEPRINT, env="prod").resources if r.name == "orders"]
    from facets_dynamodb_default.form import edit_form

    form = edit_form(resource)
    pointers = {f.pointer for f in form.fields}
    for wanted in ("on_demand_throughput/max_read_request_units", "warm_throughput/read_units_per_second",
                   "contributor_insights/mode", "import_table/input_format", "restore_source_name",
                   "ignore_changes_global_secondary_index", "ignore_changes_replica"):
        assert f"{BASE}/{wanted}" in pointers, wanted
    collections = {c.pointer: c for c in form.collections}
    gsi_fields = {f.pointer for f in collections[f"{BASE}/global_secondary_indexes"].fields}
    assert {"/on_demand_throughput/max_read_request_units", "/warm_throughput/write_units_per_second",
            "/contributor_insights/mode"} <= gsi_fields
    replica_fields = {f.pointer for f in collections[f"{BASE}/replica_regions"].fields}
    assert {"/region_name", "/consistency_mode", "/deletion_protection_enabled"} <= replica_fields


def test_description_shows_the_new_settings() -> None:
    from facets_dynamodb_default.describe import describe

    resources = {r.name: r for r in api.load(BLUEPRINT, env="prod").resources}
    env = api.load(BLUEPRINT, env="prod").environment
    rows = {row["setting"]: row["value"] for s in describe(resources["orders"], env).sections
            if s.title == "settings" for row in s.rows}
    assert rows["on-demand throughput"] == "max_read_request_units 4000, max_write_request_units 1000"
    assert "s3://orders-import/orders/" in str(rows["created from S3"])
    assert rows["replicas"] == "us-east-2 (STRONG)"
    assert rows["resource policy"] == "AllowReporting, DenyDelete"
    assert "replicas" in str(rows["Terraform ignores changes to"])
    restored = {row["setting"]: row["value"] for s in describe(resources["orders_restored"], env).sections
                if s.title == "settings" for row in s.rows}
    assert "restore_source_name orders-prod" in str(restored["created by restore"])


# -- moto: DynamoDB as emulated --------------------------------------------------------------------

def test_moto_accepts_throughput_settings_and_resource_policy(synthesized: Any) -> None:
    resources = synthesized.stacks["orders"]["resource"]
    block = terraform_literal({k: v for k, v in resources["aws_dynamodb_table"]["table"].items() if k != "//"})
    with mocked_dynamodb("us-east-1") as client:
        client.create_table(**create_table_kwargs(block))
        table = client.describe_table(TableName="orders-prod")["Table"]
        # moto 5.2 models WarmThroughput (and its floor) but only accepts OnDemandThroughput without keeping it
        assert (table["WarmThroughput"]["ReadUnitsPerSecond"], table["WarmThroughput"]["WriteUnitsPerSecond"]) == (
            15000, 5000)
        assert "OnDemandThroughput" in create_table_kwargs(block)
        arn = table["TableArn"]
        policy = resources["aws_dynamodb_resource_policy"]["resource_policy"]["policy"].replace(
            "${aws_dynamodb_table.table.arn}", arn)
        client.put_resource_policy(ResourceArn=arn, Policy=policy)
        stored = json.loads(client.get_resource_policy(ResourceArn=arn)["Policy"])
        assert [s["Sid"] for s in stored["Statement"]] == ["AllowReporting", "DenyDelete"]
        assert stored["Statement"][0]["Resource"] == arn


def test_moto_rejects_warm_throughput_below_the_minimum(synthesized: Any) -> None:
    """The DDB147 floor is DynamoDB's: moto refuses a warm throughput below the on-demand initial throughput."""
    from botocore.exceptions import ClientError

    block = terraform_literal({k: v for k, v in synthesized.stacks["orders"]["resource"]["aws_dynamodb_table"][
        "table"].items() if k != "//"})
    block["warm_throughput"] = {"read_units_per_second": 100}
    with mocked_dynamodb("us-east-1") as client, pytest.raises(ClientError) as refused:
        client.create_table(**create_table_kwargs(block))
    assert "WarmThroughput" in str(refused.value)


def test_moto_imports_the_table_from_s3(synthesized: Any) -> None:
    """import_table as the provider calls it (ImportTable with TableCreationParameters), DYNAMODB_JSON data."""
    import boto3

    block = terraform_literal({k: v for k, v in synthesized.stacks["orders"]["resource"]["aws_dynamodb_table"][
        "table"].items() if k != "//"})
    source = block["import_table"]["s3_bucket_source"]
    with mocked_dynamodb("us-east-1") as client:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=source["bucket"])
        s3.put_object(Bucket=source["bucket"], Key=source["key_prefix"] + "data.json",
                      Body=json.dumps({"Item": {"pk": {"S": "o#1"}, "sk": {"S": "v1"}}}).encode())
        create = create_table_kwargs(block)
        params = {k: create[k] for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode")}
        # TableCreationParameters' indexes take no WarmThroughput (set later by UpdateTable)
        params["GlobalSecondaryIndexes"] = [{k: v for k, v in g.items() if k != "WarmThroughput"}
                                            for g in create["GlobalSecondaryIndexes"]]
        started = client.import_table(
            S3BucketSource={"S3Bucket": source["bucket"], "S3KeyPrefix": source["key_prefix"]},
            InputFormat="DYNAMODB_JSON", InputCompressionType="NONE", TableCreationParameters=params)
        arn = started["ImportTableDescription"]["ImportArn"]
        for _ in range(100):  # moto imports in a thread, as DynamoDB does asynchronously
            status = client.describe_import(ImportArn=arn)["ImportTableDescription"]["ImportStatus"]
            if status != "IN_PROGRESS":
                break
            time.sleep(0.05)
        assert status == "COMPLETED", client.describe_import(ImportArn=arn)["ImportTableDescription"]
        item = client.get_item(TableName="orders-prod", Key={"pk": {"S": "o#1"}, "sk": {"S": "v1"}})
        assert item["Item"]["pk"] == {"S": "o#1"}


@pytest.mark.parametrize(("scaling", "ok"), [
    ({"read_min_capacity": 5, "read_max_capacity": 40}, True),
    ({"write_min_capacity": 1, "write_max_capacity": 9}, True),
    ({"write_min_capacity": 1}, False),  # a side needs both bounds
    ({"target_value": 50}, False),  # and at least one side
])
def test_gsi_autoscaling_of_one_dimension(tmp_path: Path, scaling: dict[str, Any], ok: bool) -> None:
    doc = _doc("scaled")
    doc["advanced"]["aws_dynamodb"]["autoscaling_indexes"] = {"by-email": scaling}
    path = tmp_path / "scaled.json"
    path.write_text(json.dumps(doc, indent=2))
    errors = [d for d in api.validate(api.load(path)) if d.is_error]
    assert (errors == []) is ok, [d.format_text() for d in errors]
    if not ok:
        assert all(d.path.startswith(f"{BASE}/autoscaling_indexes/by-email") for d in errors), errors
