"""advanced.aws_dynamodb: every DynamoDB / provider rule has a code, a failing and a passing spec.

Core rules (DDB101-105, 107, 108) are tested in test_rules_core.py. Here each case is
``(code, failing advanced/doc patch, passing patch, text the message must contain)``; the passing spec
must be free of *any* error, so a case cannot pass by accident through another rule.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import json_merge_patch
import pytest
from conftest import ROOT
from facets_dynamo_schemas import schema_file

from facets_dynamo import api
from facets_dynamo.diagnostics import Diagnostic, Severity

BASE_DOC: dict[str, Any] = {
    "kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
    "spec": {"attributes": {"pk": {"name": "Pk", "type": "S"}, "sk": {"name": "Sk", "type": "N"},
                            "g": {"name": "G", "type": "S"}}, "hash_key": "Pk"},
    "advanced": {"aws_dynamodb": {"range_key": "Sk", "global_secondary_indexes": [
        {"name": "by-g", "hash_key": "G", "projection_type": "ALL"}]}},
}
ENV = {"name": "dev", "region": "us-east-1", "cloud_tags": {"environment": "dev"}}


def adv(**values: Any) -> dict[str, Any]:
    return {"advanced": {"aws_dynamodb": values}}


def gsis(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"name": f"gsi-{i:02d}", "hash_key": "G", "projection_type": "ALL", **extra} for i in range(count)]


def lsis(count: int) -> list[dict[str, Any]]:
    return [{"name": f"lsi-{i}", "range_key": "G", "projection_type": "KEYS_ONLY"} for i in range(count)]


PROV = {"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
        "global_secondary_indexes": gsis(1, read_capacity=1, write_capacity=1)}
AUTO = {**PROV, "autoscaling_enabled": True, "autoscaling_read": {"max_capacity": 10}}
STREAM = {"stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES"}
IMPORT = {"input_format": "DYNAMODB_JSON", "s3_bucket_source": {"bucket": "import-bucket", "key_prefix": "orders/"}}
SOURCE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-prod"
KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
STATEMENT = {"principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::222222222222:role/DummyRole"]}],
             "actions": ["dynamodb:GetItem"]}
STREAM_STATEMENT = {**STATEMENT, "actions": ["dynamodb:GetRecords", "dynamodb:GetShardIterator"]}

CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("DDB106", adv(global_secondary_indexes=[{"name": "ab", "hash_key": "G", "projection_type": "ALL"}]),
     adv(global_secondary_indexes=[{"name": "abc", "hash_key": "G", "projection_type": "ALL"}]), "'ab'"),
    ("DDB106", adv(global_secondary_indexes=[{"name": "by g!", "hash_key": "G", "projection_type": "ALL"}]),
     adv(global_secondary_indexes=[{"name": "by_g.1-x", "hash_key": "G", "projection_type": "ALL"}]), "'by g!'"),
    ("DDB109", adv(range_key="Missing"), adv(range_key="Sk"), "'Missing'"),
    ("DDB109", adv(global_secondary_indexes=[{"name": "by-x", "hash_key": "X", "projection_type": "ALL"}]),
     adv(global_secondary_indexes=[{"name": "by-x", "hash_key": "G", "projection_type": "ALL"}]), "'X'"),
    ("DDB110", adv(billing_mode="PROVISIONED", global_secondary_indexes=gsis(1, read_capacity=1,
                                                                              write_capacity=1)),
     adv(**PROV), "read_capacity"),
    ("DDB110", adv(**{**PROV, "read_capacity": 0}), adv(**{**PROV, "read_capacity": 1}), "got 0"),
    ("DDB110", adv(**{**PROV, "global_secondary_indexes": gsis(1)}), adv(**PROV), "'gsi-00'"),
    ("DDB111", adv(read_capacity=5), adv(), "read_capacity (5)"),
    ("DDB111", adv(global_secondary_indexes=gsis(1, write_capacity=3)), adv(global_secondary_indexes=gsis(1)),
     "write_capacity (3)"),
    ("DDB112", adv(stream_enabled=True), adv(**STREAM), "stream_view_type"),
    ("DDB114", adv(ttl_enabled=True), adv(ttl_enabled=True, ttl_attribute_name="ExpiresAt"),
     "ttl_attribute_name"),
    ("DDB114", adv(ttl_enabled=True, ttl_attribute_name="  "), adv(ttl_enabled=True, ttl_attribute_name="E"),
     "ttl_attribute_name"),
    ("DDB116", adv(global_secondary_indexes=gsis(21)), adv(global_secondary_indexes=gsis(20)), "21"),
    ("DDB117", adv(local_secondary_indexes=lsis(6)), adv(local_secondary_indexes=lsis(5)), "6"),
    ("DDB118", {"advanced": {"aws_dynamodb": {"range_key": None, "global_secondary_indexes": None,
                                              "local_secondary_indexes": lsis(1)}},
                "spec": {"attributes": {"sk": None}}},
     adv(local_secondary_indexes=lsis(1)), "range_key"),
    ("DDB119", adv(local_secondary_indexes=[{"name": "by-g", "range_key": "G", "projection_type": "ALL"}]),
     adv(local_secondary_indexes=[{"name": "by-g-local", "range_key": "G", "projection_type": "ALL"}]),
     "'by-g'"),
    ("DDB120", adv(global_secondary_indexes=[{"name": "inc", "hash_key": "G", "projection_type": "INCLUDE"}]),
     adv(global_secondary_indexes=[{"name": "inc", "hash_key": "G", "projection_type": "INCLUDE",
                                    "non_key_attributes": ["Total"]}]), "'inc'"),
    ("DDB121", adv(global_secondary_indexes=[{"name": "all", "hash_key": "G", "projection_type": "ALL",
                                              "non_key_attributes": ["Total"]}]),
     adv(global_secondary_indexes=[{"name": "all", "hash_key": "G", "projection_type": "ALL"}]), "ALL"),
    ("DDB121", adv(local_secondary_indexes=[{"name": "keys", "range_key": "G", "projection_type": "KEYS_ONLY",
                                             "non_key_attributes": ["Total"]}]),
     adv(local_secondary_indexes=[{"name": "keys", "range_key": "G", "projection_type": "KEYS_ONLY"}]),
     "KEYS_ONLY"),
    ("DDB122", adv(global_secondary_indexes=[
        {"name": f"inc-{i}", "hash_key": "G", "projection_type": "INCLUDE",
         "non_key_attributes": [f"a{j}" for j in range(n)]} for i, n in enumerate((60, 41))]),
     adv(global_secondary_indexes=[
         {"name": f"inc-{i}", "hash_key": "G", "projection_type": "INCLUDE",
          "non_key_attributes": [f"a{j}" for j in range(n)]} for i, n in enumerate((60, 40))]), "101"),
    ("DDB123", adv(point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=36),
     adv(point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=35), "36"),
    ("DDB123", adv(point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=0),
     adv(point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=1), "0"),
    ("DDB125", adv(**STREAM, replica_regions=[{"region_name": "eu-west-1"}, {"region_name": "eu-west-1"}]),
     adv(**STREAM, replica_regions=[{"region_name": "eu-west-1"}, {"region_name": "eu-central-1"}]),
     "'eu-west-1'"),
    ("DDB126", adv(**STREAM, replica_regions=[{"region_name": "us-east-1"}]),
     adv(**STREAM, replica_regions=[{"region_name": "us-west-2"}]), "'us-east-1'"),
    ("DDB127", adv(tags={f"t{i}": "v" for i in range(49)}), adv(tags={f"t{i}": "v" for i in range(48)}),
     "51 tags"),
    ("DDB128", adv(tags={"k" * 129: "v"}), adv(tags={"k" * 128: "v"}), "129 characters"),
    ("DDB128", {"metadata": {"tags": {"": "v"}}}, {"metadata": {"tags": {"x": "v"}}}, "0 characters"),
    ("DDB129", adv(tags={"team": "v" * 257}), adv(tags={"team": "v" * 256}), "257 characters"),
    ("DDB131", adv(autoscaling_enabled=True, autoscaling_read={"max_capacity": 10}), adv(**AUTO),
     "PROVISIONED"),
    ("DDB132", adv(**{**PROV, "autoscaling_enabled": True}), adv(**AUTO), "autoscaling_read"),
    ("DDB133", adv(**{**AUTO, "autoscaling_read": {"max_capacity": 3}}),
     adv(**{**AUTO, "autoscaling_read": {"max_capacity": 5}}), "min capacity 5 is above max_capacity 3"),
    ("DDB133", adv(**AUTO, autoscaling_indexes={"gsi-00": {"read_min_capacity": 9, "read_max_capacity": 2,
                                                           "write_min_capacity": 1, "write_max_capacity": 2}}),
     adv(**AUTO, autoscaling_indexes={"gsi-00": {"read_min_capacity": 1, "read_max_capacity": 2,
                                                 "write_min_capacity": 1, "write_max_capacity": 2}}),
     "read_min_capacity 9"),
    ("DDB134", adv(**AUTO, autoscaling_indexes={"nope": {"read_min_capacity": 1, "read_max_capacity": 2,
                                                         "write_min_capacity": 1, "write_max_capacity": 2}}),
     adv(**AUTO, autoscaling_indexes={"gsi-00": {"read_min_capacity": 1, "read_max_capacity": 2,
                                                 "write_min_capacity": 1, "write_max_capacity": 2}}), "'nope'"),
    ("DDB135", adv(replica_regions=[{"region_name": "eu-west-1"}]),
     adv(**STREAM, replica_regions=[{"region_name": "eu-west-1"}]), "NEW_AND_OLD_IMAGES"),
    ("DDB135", adv(stream_enabled=True, stream_view_type="KEYS_ONLY", replica_regions=[{"region_name": "eu-west-1"}]),
     adv(**STREAM, replica_regions=[{"region_name": "eu-west-1"}]), "'KEYS_ONLY'"),
    ("DDB136", {"metadata": {"name": "n" * 120}}, {"metadata": {"name": "n" * 50}}, "nnnn"),
    ("DDB138", adv(range_key="Pk"), adv(range_key="Sk"), "'Pk'"),
    ("DDB138", adv(global_secondary_indexes=[{"name": "by-g", "hash_key": "G", "range_key": "G",
                                              "projection_type": "ALL"}]),
     adv(global_secondary_indexes=[{"name": "by-g", "hash_key": "G", "range_key": "Sk",
                                    "projection_type": "ALL"}]), "'G'"),
    ("DDB139", adv(create_table=False), adv(create_table=True), "create_table"),
    ("DDB140", adv(tags={"aws:owner": "me"}), adv(tags={"owner": "me"}), "'aws:owner'"),
    # -- issue 13 ----------------------------------------------------------------------------------
    ("DDB143", adv(**{**PROV, **STREAM, "replica_regions": [{"region_name": "eu-west-1"}]}),
     adv(**{**AUTO, **STREAM, "autoscaling_write": {"max_capacity": 10}, "replica_regions": [
         {"region_name": "eu-west-1"}]}), "AutoScaled"),
    ("DDB144", adv(local_secondary_indexes=[{"name": "by-pk", "range_key": "Pk", "projection_type": "ALL"}]),
     adv(local_secondary_indexes=[{"name": "by-pk", "range_key": "G", "projection_type": "ALL"}]), "'Pk'"),
    ("DDB145", adv(**PROV, on_demand_throughput={"max_read_request_units": 10}),
     adv(on_demand_throughput={"max_read_request_units": 10}), "PAY_PER_REQUEST"),
    ("DDB145", adv(**{**PROV, "global_secondary_indexes": gsis(1, read_capacity=1, write_capacity=1,
                                                                 on_demand_throughput={"max_read_request_units": 5})}),
     adv(global_secondary_indexes=gsis(1, on_demand_throughput={"max_read_request_units": 5})), "'gsi-00'"),
    ("DDB146", adv(on_demand_throughput={"max_write_request_units": 0}),
     adv(on_demand_throughput={"max_write_request_units": -1}), "max_write_request_units 0"),
    ("DDB147", adv(warm_throughput={"read_units_per_second": 100}),
     adv(warm_throughput={"read_units_per_second": 12000}), "12000"),
    ("DDB147", adv(global_secondary_indexes=gsis(1, warm_throughput={"write_units_per_second": 3999})),
     adv(global_secondary_indexes=gsis(1, warm_throughput={"write_units_per_second": 4000})), "4000"),
    ("DDB147", adv(**{**PROV, "read_capacity": 50, "warm_throughput": {"read_units_per_second": 40}}),
     adv(**{**PROV, "read_capacity": 50, "warm_throughput": {"read_units_per_second": 50}}), "read_capacity"),
    ("DDB148", adv(import_table=IMPORT, restore_source_name="orders-prod", restore_to_latest_time=True),
     adv(import_table=IMPORT), "restore_source_name"),
    ("DDB149", adv(import_table={**IMPORT, "input_format_options": {"csv": {"delimiter": ";"}}}),
     adv(import_table={**IMPORT, "input_format": "CSV", "input_format_options": {"csv": {"delimiter": ";"}}}),
     "'DYNAMODB_JSON'"),
    ("DDB164", adv(import_table=IMPORT, local_secondary_indexes=[{"name": "by-g", "range_key": "G",
                                                                  "projection_type": "ALL"}]),
     adv(import_table=IMPORT), "local secondary indexes"),
    ("DDB165", adv(**STREAM, replica_regions=[{"region_name": "eu-west-1", "read_capacity": 5}]),
     adv(**STREAM, replica_regions=[{"region_name": "eu-west-1"}]), "per-replica provisioned read capacity"),
    ("DDB150", adv(restore_source_name="orders-prod", restore_to_latest_time=True,
                   restore_date_time="2026-01-02T03:04:05Z"),
     adv(restore_source_name="orders-prod", restore_date_time="2026-01-02T03:04:05Z"), "restore_date_time"),
    ("DDB151", adv(restore_to_latest_time=True), adv(restore_source_table_arn=SOURCE_ARN,
                                                     restore_to_latest_time=True), "restore_source_name"),
    ("DDB152", adv(restore_source_name="orders-prod", restore_date_time="yesterday"),
     adv(restore_source_name="orders-prod", restore_date_time="2026-01-02T03:04:05.5Z"), "'yesterday'"),
    ("DDB152", adv(restore_source_name="orders-prod", restore_date_time="2026-01-02T03:04:05+02:00"),
     adv(restore_source_name="orders-prod", restore_date_time="2026-01-02T01:04:05Z"), "UTC"),
    ("DDB166", adv(restore_source_name="orders-prod", restore_source_table_arn=SOURCE_ARN),
     adv(restore_source_table_arn=SOURCE_ARN), "restore_source_table_arn"),
    ("DDB153", adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"},
                                              {"region_name": "us-west-2"}]),
     adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"},
                                    {"region_name": "us-west-2", "consistency_mode": "STRONG"}]), "EVENTUAL"),
    ("DDB154", adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}]),
     adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}],
         global_table_witness={"region_name": "us-west-2"}), "has 2"),
    ("DDB155", adv(**STREAM, replica_regions=[{"region_name": "us-east-2"}],
                   global_table_witness={"region_name": "us-west-2"}),
     adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}],
         global_table_witness={"region_name": "us-west-2"}), "exactly one"),
    ("DDB156", adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}],
                   global_table_witness={"region_name": "us-east-1"}),
     adv(**STREAM, replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}],
         global_table_witness={"region_name": "us-west-2"}), "'us-east-1'"),
    ("DDB157", adv(stream_resource_policy_statements={"Read": STREAM_STATEMENT}),
     adv(**STREAM, stream_resource_policy_statements={"Read": STREAM_STATEMENT}), "stream_enabled"),
    ("DDB158", adv(resource_policy_statements={"Get": {"actions": ["dynamodb:GetItem"]}}),
     adv(resource_policy_statements={"Get": STATEMENT}), "principals"),
    ("DDB159", adv(resource_policy_statements={"Get": {**STATEMENT, "actions": ["s3:GetObject"]}}),
     adv(resource_policy_statements={"Get": STATEMENT}), "'s3:GetObject'"),
    ("DDB159", adv(**STREAM, stream_resource_policy_statements={
        "Read": {**STATEMENT, "actions": ["dynamodb:PutItem"]}}),
     adv(**STREAM, stream_resource_policy_statements={"Read": STREAM_STATEMENT}), "'dynamodb:PutItem'"),
    ("DDB160", adv(resource_policy_statements={f"S{i}": {**STATEMENT, "principals": [
        {"type": "AWS", "identifiers": [f"arn:aws:iam::{i:012d}:role/{'r' * 60}" for i in range(40)]}]}
        for i in range(8)}),
     adv(resource_policy_statements={f"S{i}": STATEMENT for i in range(8)}), "20 KB"),
    ("DDB161", adv(**STREAM, kinesis_streaming_destinations=[{"stream_arn": KINESIS}, {"stream_arn": KINESIS + "2"}]),
     adv(**STREAM, kinesis_streaming_destinations=[{"stream_arn": KINESIS}]), "one Kinesis"),


    ("DDB140", adv(tags={"AWS:Owner": "me"}), adv(tags={"Owner": "me"}), "'AWS:Owner'"),  # the prefix in any case
    ("DDB140", {"metadata": {"tags": {"Aws:team": "x"}}}, {"metadata": {"tags": {"team": "x"}}}, "'Aws:team'"),
]

WARNING_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("DDB142", {"metadata": {"tags": {"Name": "orders"}}}, {"metadata": {"tags": {"DisplayName": "orders"}}},
     "'Name'"),
    ("DDB142", adv(tags={"Name": "x"}), adv(tags={"name": "x"}), "replaced by the table name"),
    ("DDB162", {"spec": {"attributes": {"g": None}}, **adv(global_secondary_indexes=[],
                                                             ignore_changes_global_secondary_index=True)},
     adv(ignore_changes_global_secondary_index=True), "global secondary indexes"),
    ("DDB162", adv(ignore_changes_replica=True),
     adv(**STREAM, ignore_changes_replica=True, replica_regions=[{"region_name": "eu-west-1"}]), "replicas"),
    ("DDB115", adv(ttl_attribute_name="ExpiresAt"), adv(ttl_enabled=True, ttl_attribute_name="ExpiresAt"),
     "'ExpiresAt'"),
    ("DDB124", adv(point_in_time_recovery_period_in_days=7),
     adv(point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=7), "7"),
    ("DDB130", adv(autoscaling_read={"max_capacity": 10}), adv(**AUTO), "autoscaling_read"),
    ("DDB141", adv(tags={"owner": "me & you"}), adv(tags={"owner": "me + you @ team:a/b"}), "'&'"),
    ("DDB141", {"metadata": {"tags": {"team!": "a"}}}, {"metadata": {"tags": {"team": "a"}}}, "'!'"),
    ("DDB113", adv(stream_view_type="KEYS_ONLY"), adv(stream_enabled=True, stream_view_type="KEYS_ONLY"),
     "'KEYS_ONLY'"),
    ("DDB137", adv(server_side_encryption_kms_key_arn="arn:aws:kms:us-east-1:1:key/abc"),
     adv(server_side_encryption_enabled=True, server_side_encryption_kms_key_arn="arn:aws:kms:us-east-1:1:key/abc"),
     "key/abc"),
    ("DDB190", {"colour": "blue"}, {}, "'colour'"),
    ("DDB191", {"advanced": {"aws_rds": {}}}, {}, "aws_rds"),
    ("DDB192", {"provided": True, "out": {"attributes": {"table_name": "t"}}},
     {"provided": True, "out": {"attributes": {"table_name": "t"}}, "spec": None, "advanced": None}, "spec"),
]


def build(patch: dict[str, Any]) -> dict[str, Any]:
    return json_merge_patch.merge(copy.deepcopy(BASE_DOC), copy.deepcopy(patch))


def check(doc: dict[str, Any], tmp_path: Path, env: dict[str, Any] = ENV) -> list[Diagnostic]:
    path = tmp_path / "table.json"
    path.write_text(json.dumps(doc, indent=2))
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps(env))
    return list(api.validate(api.load(path, env=env["name"], env_file=env_file)))


def _id(case: tuple[str, Any, Any, str]) -> str:
    return case[0]


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_rule_fails_then_passes(case: tuple[str, dict[str, Any], dict[str, Any], str], tmp_path: Path) -> None:
    code, failing, passing, named = case
    found = check(build(failing), tmp_path)
    hits = [d for d in found if d.code == code]
    assert hits, f"{code} not reported; got {[(d.code, d.message) for d in found]}"
    assert all(d.severity is Severity.ERROR for d in hits)
    assert any(named in d.message for d in hits), [d.message for d in hits]
    assert all(d.line >= 1 and d.file.endswith("table.json") for d in hits)
    ok = check(build(passing), tmp_path)
    assert not [d for d in ok if d.is_error], [(d.code, d.message) for d in ok]


@pytest.mark.parametrize("case", WARNING_CASES, ids=[_id(c) for c in WARNING_CASES])
def test_warning_rule(case: tuple[str, dict[str, Any], dict[str, Any], str], tmp_path: Path) -> None:
    code, failing, passing, named = case
    found = check(build(failing), tmp_path)
    hits = [d for d in found if d.code == code]
    assert hits and all(d.severity is Severity.WARNING for d in hits)
    assert any(named in d.message for d in hits), [d.message for d in hits]
    assert not [d for d in found if d.is_error], [(d.code, d.message) for d in found]
    assert code not in {d.code for d in check(build(passing), tmp_path)}


def test_every_rule_code_has_a_case() -> None:
    """A new rule in rules.py without a test here fails this test."""
    import re

    source = (ROOT / "plugins" / "facets_dynamodb_default" / "rules.py").read_text()
    codes = set(re.findall(r'"(DDB\d{3})"', source))
    core = {"DDB101", "DDB102", "DDB103", "DDB104", "DDB105", "DDB107", "DDB108"}
    tested = {c[0] for c in CASES} | {c[0] for c in WARNING_CASES}
    assert codes - core - tested == set()


def test_message_points_at_the_offending_field(tmp_path: Path) -> None:
    found = check(build(adv(point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=99)),
                  tmp_path)
    (d,) = [d for d in found if d.code == "DDB123"]
    lines = (tmp_path / "table.json").read_text().splitlines()
    assert d.path == "/advanced/aws_dynamodb/point_in_time_recovery_period_in_days"
    assert "point_in_time_recovery_period_in_days" in lines[d.line - 1]


def test_index_keys_count_as_used_attributes(tmp_path: Path) -> None:
    """G is only a GSI hash key and L only an LSI range key: neither is an unused attribute."""
    doc = build({"spec": {"attributes": {"l": {"name": "L", "type": "N"}}},
                 "advanced": {"aws_dynamodb": {"local_secondary_indexes": [
                     {"name": "by-l", "range_key": "L", "projection_type": "ALL"}]}}})
    assert not [d for d in check(doc, tmp_path) if d.is_error]
    doc["advanced"]["aws_dynamodb"]["local_secondary_indexes"] = []
    doc["advanced"]["aws_dynamodb"]["global_secondary_indexes"] = []
    unused = sorted(d.message.split("'")[1] for d in check(doc, tmp_path) if d.code == "DDB102")
    assert unused == ["G", "L"]


def test_upstream_sample_with_every_option_is_valid(tmp_path: Path) -> None:
    """One document using every advanced.aws_dynamodb option the upstream module reads."""
    doc = build(adv(
        billing_mode="PROVISIONED", create_table=True, read_capacity=5, write_capacity=5,
        global_secondary_indexes=[{"name": "by-g", "hash_key": "G", "range_key": "Sk", "projection_type": "INCLUDE",
                                   "non_key_attributes": ["Total"], "read_capacity": 2, "write_capacity": 2}],
        local_secondary_indexes=[{"name": "by-g-local", "range_key": "G", "projection_type": "ALL"}],
        point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=14,
        server_side_encryption_enabled=True, server_side_encryption_kms_key_arn="arn:aws:kms:us-east-1:1:key/k",
        stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES", ttl_enabled=True, ttl_attribute_name="Exp",
        table_class="STANDARD_INFREQUENT_ACCESS", deletion_protection_enabled=True,
        replica_regions=[{"region_name": "eu-west-1", "kms_key_arn": "arn:aws:kms:eu-west-1:1:key/r",
                          "point_in_time_recovery": True}],
        autoscaling_enabled=True,
        autoscaling_defaults={"scale_in_cooldown": 30, "scale_out_cooldown": 30, "target_value": 60},
        autoscaling_read={"max_capacity": 50, "scale_in_cooldown": 10, "target_value": 50},
        autoscaling_write={"max_capacity": 20},
        autoscaling_indexes={"by-g": {"read_min_capacity": 2, "read_max_capacity": 10, "write_min_capacity": 2,
                                      "write_max_capacity": 10, "target_value": 55}},
        timeouts={"create": "20m", "update": "1h30m", "delete": "15m"},
        tags={"owner": "payments"}))
    found = check(doc, tmp_path)
    assert not found, [(d.code, d.message) for d in found]


# -- the schema itself -----------------------------------------------------------------------------

def _schema() -> dict[str, Any]:
    return json.loads(Path(str(schema_file("dynamodb", "default", "0.2"))).read_text())


def _fields(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if not isinstance(node, dict):
        return found
    for name, sub in node.get("properties", {}).items():
        found.append((f"{path}/{name}", sub))
        found += _fields(sub, f"{path}/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            found.append((f"{path}/{key}", node[key]))
            found += _fields(node[key], f"{path}/{key}")
    return found


def test_every_schema_field_has_a_description() -> None:
    missing = [p for p, sub in _fields(_schema()) if not sub.get("description")]
    assert missing == []


def test_schema_covers_every_option_the_upstream_module_reads() -> None:
    upstream = {"autoscaling_defaults", "autoscaling_enabled", "autoscaling_indexes", "autoscaling_read",
                "autoscaling_write", "billing_mode", "create_table", "global_secondary_indexes",
                "local_secondary_indexes", "point_in_time_recovery_enabled", "range_key", "read_capacity",
                "replica_regions", "server_side_encryption_enabled", "server_side_encryption_kms_key_arn",
                "stream_enabled", "stream_view_type", "table_class", "tags", "timeouts", "ttl_attribute_name",
                "ttl_enabled", "write_capacity"}
    props = _schema()["properties"]["advanced"]["properties"]["aws_dynamodb"]["properties"]
    assert upstream - set(props) == set()


def test_schema_defaults_are_upstreams() -> None:
    props = _schema()["properties"]["advanced"]["properties"]["aws_dynamodb"]["properties"]
    defaults = {k: v["default"] for k, v in props.items() if "default" in v}
    assert defaults["billing_mode"] == "PAY_PER_REQUEST"
    assert defaults["timeouts"] == {"create": "10m", "update": "60m", "delete": "10m"}
    assert defaults["autoscaling_defaults"] == {"scale_in_cooldown": 0, "scale_out_cooldown": 0, "target_value": 70}
    for flag in ("autoscaling_enabled", "point_in_time_recovery_enabled", "server_side_encryption_enabled",
                 "stream_enabled", "ttl_enabled"):
        assert defaults[flag] is False
    assert defaults["ttl_attribute_name"] == ""
    assert defaults["create_table"] is True
    for listish in ("global_secondary_indexes", "local_secondary_indexes", "replica_regions"):
        assert defaults[listish] == []
    for absent in ("range_key", "read_capacity", "write_capacity", "stream_view_type", "table_class",
                   "server_side_encryption_kms_key_arn"):
        assert absent not in defaults


# -- every option is synthesized as the provider expects ---------------------------------------------

def _body(doc: dict[str, Any], tmp_path: Path, cloud_tags: dict[str, str] | None = None) -> dict[str, Any]:
    from facets_dynamodb_default.model import Table
    from facets_dynamodb_default.synth import table_body

    path = tmp_path / "orders.json"
    path.write_text(json.dumps(doc))
    (resource,) = api.load(path, env="dev").resources
    return table_body(Table(resource, "dev"), cloud_tags or {})


def test_defaults_synthesize_as_upstream(tmp_path: Path) -> None:
    body = _body(build({"advanced": None}), tmp_path)
    assert body["name"] == "orders-dev"
    assert body["billing_mode"] == "PAY_PER_REQUEST"
    assert body["timeouts"] == {"create": "10m", "update": "60m", "delete": "10m"}
    assert body["point_in_time_recovery"] == {"enabled": False}
    assert body["server_side_encryption"] == {"enabled": False}
    assert body["stream_enabled"] is False
    assert "ttl" not in body, "TTL off must omit the block (provider issues #39195, #44730)"
    for absent in ("range_key", "read_capacity", "write_capacity", "stream_view_type", "table_class",
                   "global_secondary_index", "local_secondary_index", "replica"):
        assert absent not in body


def test_every_option_reaches_the_table_block(tmp_path: Path) -> None:
    body = _body(build(adv(
        billing_mode="PROVISIONED", read_capacity=5, write_capacity=6,
        global_secondary_indexes=[{"name": "by-g", "hash_key": "G", "range_key": "Sk", "projection_type": "INCLUDE",
                                   "non_key_attributes": ["Total"], "read_capacity": 2, "write_capacity": 3}],
        local_secondary_indexes=[{"name": "by-g-local", "range_key": "G", "projection_type": "KEYS_ONLY"}],
        point_in_time_recovery_enabled=True, point_in_time_recovery_period_in_days=14,
        server_side_encryption_enabled=True, server_side_encryption_kms_key_arn="arn:aws:kms:us-east-1:1:key/k",
        stream_enabled=True, stream_view_type="NEW_IMAGE", ttl_enabled=True, ttl_attribute_name="Exp",
        table_class="STANDARD_INFREQUENT_ACCESS", deletion_protection_enabled=True,
        replica_regions=[{"region_name": "eu-west-1", "kms_key_arn": "arn:aws:kms:eu-west-1:1:key/r"}],
        timeouts={"update": "2h"})), tmp_path)
    assert (body["billing_mode"], body["read_capacity"], body["write_capacity"]) == ("PROVISIONED", 5, 6)
    assert body["range_key"] == "Sk"
    assert body["attribute"] == [{"name": "Pk", "type": "S"}, {"name": "Sk", "type": "N"}, {"name": "G", "type": "S"}]
    assert body["global_secondary_index"] == [{"name": "by-g", "hash_key": "G", "range_key": "Sk",
                                               "projection_type": "INCLUDE", "non_key_attributes": ["Total"],
                                               "read_capacity": 2, "write_capacity": 3}]
    assert body["local_secondary_index"] == [{"name": "by-g-local", "range_key": "G", "projection_type": "KEYS_ONLY"}]
    assert body["point_in_time_recovery"] == {"enabled": True, "recovery_period_in_days": 14}
    assert body["server_side_encryption"] == {"enabled": True, "kms_key_arn": "arn:aws:kms:us-east-1:1:key/k"}
    assert (body["stream_enabled"], body["stream_view_type"]) == (True, "NEW_IMAGE")
    assert body["ttl"] == {"enabled": True, "attribute_name": "Exp"}
    assert body["table_class"] == "STANDARD_INFREQUENT_ACCESS"
    assert body["deletion_protection_enabled"] is True
    assert body["replica"] == [{"region_name": "eu-west-1", "kms_key_arn": "arn:aws:kms:eu-west-1:1:key/r"}]
    assert body["timeouts"] == {"create": "10m", "update": "2h", "delete": "10m"}


def test_tag_precedence(tmp_path: Path) -> None:
    """cloud tags < metadata.tags < advanced tags < Name (always the table name)."""
    doc = build({"metadata": {"tags": {"team": "meta", "owner": "meta", "Name": "meta"}},
                 **adv(tags={"owner": "adv", "Name": "adv"})})
    tags = _body(doc, tmp_path, {"environment": "dev", "team": "cloud", "owner": "cloud", "Name": "cloud"})["tags"]
    assert tags == {"environment": "dev", "team": "meta", "owner": "adv", "Name": "orders-dev"}


def test_autoscaling_emits_targets_and_policies(tmp_path: Path) -> None:
    doc = build(adv(**{**AUTO, "autoscaling_write": {"max_capacity": 20, "target_value": 60},
                       "autoscaling_defaults": {"scale_in_cooldown": 30, "scale_out_cooldown": 40, "target_value": 70},
                       "autoscaling_indexes": {"gsi-00": {"read_min_capacity": 1, "read_max_capacity": 4,
                                                          "write_min_capacity": 1, "write_max_capacity": 8,
                                                          "target_value": 55}}}))
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(doc))
    stack = api.synthesize(path, env="dev").stacks["orders"]
    targets = stack["resource"]["aws_appautoscaling_target"]
    policies = stack["resource"]["aws_appautoscaling_policy"]
    assert sorted(targets) == ["index_gsi-00_read_target", "index_gsi-00_write_target", "table_read_target",
                               "table_write_target"]
    read = targets["table_read_target"]
    assert (read["min_capacity"], read["max_capacity"]) == (5, 10)  # min defaults to read_capacity
    assert read["scalable_dimension"] == "dynamodb:table:ReadCapacityUnits"
    assert read["service_namespace"] == "dynamodb"
    assert read["resource_id"] == "table/${aws_dynamodb_table.table.name}"
    index = targets["index_gsi-00_write_target"]
    assert (index["min_capacity"], index["max_capacity"]) == (1, 8)
    assert index["resource_id"] == "table/${aws_dynamodb_table.table.name}/index/gsi-00"

    def config(name: str) -> dict[str, Any]:
        cfg = policies[name]["target_tracking_scaling_policy_configuration"]
        return cfg[0] if isinstance(cfg, list) else cfg

    assert config("table_read_policy")["target_value"] == 70
    assert config("table_write_policy")["target_value"] == 60
    assert config("table_read_policy")["scale_in_cooldown"] == 30
    assert config("index_gsi-00_read_policy")["target_value"] == 55  # per-index tuning, as upstream's merge()
    assert config("index_gsi-00_read_policy")["scale_out_cooldown"] == 40
    assert policies["table_read_policy"]["policy_type"] == "TargetTrackingScaling"
    assert stack["resource"]["aws_dynamodb_table"]["table"]["lifecycle"]["ignore_changes"] == [
        "read_capacity", "write_capacity"]


def _position(path: Path, needle: str) -> tuple[int, int]:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)


def test_rule_details_pointers_positions_and_advice(tmp_path: Path) -> None:
    """What the table-driven cases do not pin: each stray autoscaling key is named, DDB132's advice, DDB138's
    pointer, tag-key findings placed on the key (not the value)."""
    found = check(build(adv(autoscaling_read={"max_capacity": 5}, autoscaling_write={"max_capacity": 5},
                            range_key="Pk", tags={"AWS:Team": "AWS:Team"})), tmp_path)
    assert sorted(d.path for d in found if d.code == "DDB130") == [
        "/advanced/aws_dynamodb/autoscaling_read", "/advanced/aws_dynamodb/autoscaling_write"]
    (same,) = [d for d in found if d.code == "DDB138"]
    assert same.path == "/advanced/aws_dynamodb/range_key"
    (reserved,) = [d for d in found if d.code == "DDB140"]
    assert reserved.path == "/advanced/aws_dynamodb/tags/AWS:Team"
    assert (reserved.line, reserved.column) == _position(tmp_path / "table.json", '"AWS:Team": ')
    enabled = check(build(adv(billing_mode="PROVISIONED", read_capacity=1, write_capacity=1,
                              autoscaling_enabled=True)), tmp_path)
    (nothing_scaled,) = [d for d in enabled if d.code == "DDB132"]
    assert '{"max_capacity": N} for read and/or write' in nothing_scaled.message


@pytest.mark.parametrize("size,reported", [(255, False), (256, True)])
def test_key_attribute_names_up_to_255_bytes(tmp_path: Path, size: int, reported: bool) -> None:
    name = "é" * (size // 2) + "x" * (size % 2)  # bytes, not characters, count
    doc = build({"spec": {"attributes": {"pk": {"name": name, "type": "S"}}, "hash_key": name}})
    assert len(name.encode()) == size
    assert any(d.code == "DDB107" for d in check(doc, tmp_path)) is reported


def test_table_model_reads_malformed_values_as_defaults(tmp_path: Path) -> None:
    from facets_dynamodb_default.model import Table

    doc = build(adv(billing_mode=5, stream_view_type=None, tags={"count": 5, "ok": "yes"}))
    t = Table(api.resource_from_dict(doc, name="t"), "dev")
    assert t.billing_mode == "PAY_PER_REQUEST"  # not a string: the default, never the raw value
    assert t.opt("stream_view_type", "KEYS_ONLY") == "KEYS_ONLY"  # null reads as missing
    assert t.opt("missing", 7) == 7 and t.opt("billing_mode") == 5
    assert t.tags({"env": "dev"}) == {"env": "dev", "count": "5", "ok": "yes", "Name": "t-dev"}


def test_an_attribute_used_only_as_a_gsi_range_key_is_used(tmp_path: Path) -> None:
    doc = build(adv(global_secondary_indexes=[{"name": "by-g", "hash_key": "G", "range_key": "Sk",
                                               "projection_type": "ALL"}]))
    del doc["advanced"]["aws_dynamodb"]["range_key"]
    assert not [d for d in check(doc, tmp_path) if d.code == "DDB102"]
