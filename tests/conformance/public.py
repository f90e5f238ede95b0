"""Table shapes written from PUBLIC definitions nobody here wrote, each citing its source (issue 13).

Every entry translates one table of a public repository into a dynamodb/default/0.2 document, keeping its
keys, indexes, billing, streams, encryption, recovery, replicas and the issue 13 settings. What our
naming model replaces is not kept (the table name is always ``<file name>-<environment>``), account ids and
KMS key ARNs are placeholders, and where a source cannot be expressed (or DynamoDB would refuse it) the
entry's ``note`` says what was changed. Defaults of the source's tool are written out: a CDK ``Table``
without ``billingMode`` is PROVISIONED with 5 read and 5 write units (its GSIs too); a CDK ``TableV2`` is on
demand; CDK adds a NEW_AND_OLD_IMAGES stream to tables with replicas.

The conformance test synthesizes each one, compares it with the typed provider bindings (tables and the
resource policy / contributor insights / Kinesis resources) and creates it in moto.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CDK = "https://github.com/aws/aws-cdk/blob/{commit}/packages/@aws-cdk-testing/framework-integ/test/aws-dynamodb/test/{file}"
TFM = "https://github.com/terraform-aws-modules/terraform-aws-dynamodb-table/blob/{commit}/examples/{file}"
ENV = {"name": "integ", "region": "us-east-1", "cloud_tags": {}}
KMS = "arn:aws:kms:{region}:111111111111:key/00000000-1111-2222-3333-{n:012d}"
ROOT_PRINCIPAL = [{"type": "AWS", "identifiers": ["arn:aws:iam::111111111111:root"]}]


@dataclass(frozen=True)
class Shape:
    name: str
    source: str
    document: dict[str, Any]
    note: str = ""
    tags: dict[str, str] = field(default_factory=dict)


def attrs(**types: str) -> dict[str, dict[str, str]]:
    return {name: {"name": name, "type": t} for name, t in types.items()}


def doc(hash_key: str, types: dict[str, str], tags: dict[str, str] | None = None, **adv: Any) -> dict[str, Any]:
    return {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {"tags": tags} if tags else {},
            "spec": {"attributes": attrs(**types), "hash_key": hash_key}, "advanced": {"aws_dynamodb": adv}}


def gsi(name: str, hash_key: str, range_key: str | None = None, projection: str = "ALL",
        non_key: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    index: dict[str, Any] = {"name": name, "hash_key": hash_key, "projection_type": projection}
    if range_key:
        index["range_key"] = range_key
    if non_key:
        index["non_key_attributes"] = non_key
    return {**index, **extra}


def lsi(name: str, range_key: str, projection: str = "ALL", non_key: list[str] | None = None) -> dict[str, Any]:
    index: dict[str, Any] = {"name": name, "range_key": range_key, "projection_type": projection}
    if non_key:
        index["non_key_attributes"] = non_key
    return index


PROV5 = {"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5}
CAP5 = {"read_capacity": 5, "write_capacity": 5}
CAP10 = {"read_capacity": 10, "write_capacity": 10}
A_TO_J = [chr(65 + i) for i in range(10)]
K_TO_T = [chr(75 + i) for i in range(10)]
TF_TAGS = {"Terraform": "true", "Environment": "staging"}


def _cdk_integ_gsis(provisioned: bool, on_demand_first: bool = False) -> list[dict[str, Any]]:
    """The five GSIs of integ.dynamodb.ts / integ.dynamodb.ondemand.ts / integ.dynamodb.sse.ts."""
    cap = CAP5 if provisioned else {}
    first = {"on_demand_throughput": {"max_read_request_units": 100, "max_write_request_units": 100}} \
        if on_demand_first else {}
    return [gsi("GSI-PartitionKeyOnly", "gsiHashKey", **cap, **first),
            gsi("GSI-PartitionAndSortKeyWithReadAndWriteCapacity", "gsiHashKey", "gsiSortKey",
                **(CAP10 if provisioned else {})),
            gsi("GSI-ProjectionTypeKeysOnly", "gsiHashKey", "gsiSortKey", "KEYS_ONLY", **cap),
            gsi("GSI-ProjectionTypeInclude", "gsiHashKey", "gsiSortKey", "INCLUDE", A_TO_J, **cap),
            gsi("GSI-InverseTableKeySchema", "sortKey", "hashKey", **cap)]


INTEG_LSIS = [lsi("LSI-PartitionAndTableSortKey", "lsiSortKey"), lsi("LSI-PartitionAndSortKey", "sortKey"),
              lsi("LSI-ProjectionTypeKeysOnly", "lsiSortKey", "KEYS_ONLY"),
              lsi("LSI-ProjectionTypeInclude", "lsiSortKey", "INCLUDE", K_TO_T)]
INTEG_TYPES = {"hashKey": "S", "sortKey": "N", "gsiHashKey": "S", "gsiSortKey": "N", "lsiSortKey": "N"}


def _integ_full(provisioned: bool, **extra: Any) -> dict[str, Any]:
    billing = PROV5 if provisioned else {"billing_mode": "PAY_PER_REQUEST"}
    return doc("hashKey", INTEG_TYPES, tags={"Environment": "Production"}, range_key="sortKey", **billing,
               point_in_time_recovery_enabled=True, server_side_encryption_enabled=True, stream_enabled=True,
               stream_view_type="KEYS_ONLY", ttl_enabled=True, ttl_attribute_name="timeToLive",
               global_secondary_indexes=_cdk_integ_gsis(provisioned, **extra), local_secondary_indexes=INTEG_LSIS)


SSE_TS = CDK.format(commit="29f98820adac61de0dd5d4b253686d6ff1343dc5", file="integ.dynamodb.sse.ts")
IMPORT_TS = CDK.format(commit="01b59c0eb32c2bba0807e0e1fa23f67504db786a", file="integ.import-source.ts")
PITR_TS = CDK.format(commit="69b0fbbe30aa8090f6f2336dabdec962abe1dcfd", file="integ.dynamodb.pitr.ts")
GLOBAL_TS = CDK.format(commit="0b463101f162d536b0bc2d5deb4fb6d36a229d4c", file="integ.global.ts")
S = "S"


def tfm_on_demand_with_policy() -> dict:
    """The on-demand limits and resource policy the module's basic and resource-based-policy examples share
    (a new copy each time: shapes must not share mutable parts)."""
    return {
        "global_secondary_indexes": [gsi("TitleIndex", "title", "age", "INCLUDE", ["id"], on_demand_throughput={
            "max_write_request_units": 1, "max_read_request_units": 1})],
        "on_demand_throughput": {"max_read_request_units": 1, "max_write_request_units": 1},
        "resource_policy_statements": {"AllowDummyRoleAccess": {"principals": [
            {"type": "AWS", "identifiers": ["arn:aws:iam::222222222222:role/DummyRole"]}],
            "actions": ["dynamodb:GetItem"]}},
    }


SHAPES: list[Shape] = [
    # -- terraform-aws-modules/terraform-aws-dynamodb-table examples ------------------------------------
    Shape("tfm-basic", TFM.format(commit="0783a2bb34f9b3cdc41e8408685b5e594e084bb1", file="basic/main.tf"),
          doc("id", {"id": "N", "title": S, "age": "N"}, tags=TF_TAGS, range_key="title", table_class="STANDARD",
              deletion_protection_enabled=False, billing_mode="PAY_PER_REQUEST",
              **tfm_on_demand_with_policy()),
          note="the source sets billing_mode PROVISIONED together with on_demand_throughput, which DynamoDB "
               "refuses (DDB145): translated as PAY_PER_REQUEST"),
    Shape("tfm-autoscaling", TFM.format(commit="025bdabeb3b01c3e7a5a835fb633fba6adb32fb6", file="autoscaling/main.tf"),
          doc("id", {"id": "N", "title": S, "age": "N"}, tags=TF_TAGS, range_key="title",
              billing_mode="PROVISIONED", read_capacity=5, write_capacity=5, autoscaling_enabled=True,
              autoscaling_read={"scale_in_cooldown": 50, "scale_out_cooldown": 40, "target_value": 45,
                                "max_capacity": 10},
              autoscaling_write={"scale_in_cooldown": 50, "scale_out_cooldown": 40, "target_value": 45,
                                 "max_capacity": 10},
              autoscaling_indexes={"TitleIndex": {"read_max_capacity": 30, "read_min_capacity": 10,
                                                  "write_max_capacity": 30, "write_min_capacity": 10}},
              global_secondary_indexes=[gsi("TitleIndex", "title", "age", "INCLUDE", ["id"], **CAP10)]),
          note="CloudWatch alarms of the example are not a table setting"),
    Shape("tfm-s3-import-json", TFM.format(commit="33ec6f1fb2d6e7f88e73a64bc31c2631c54aecf0", file="s3-import/main.tf"),
          doc("id", {"id": "N", "title": S}, tags=TF_TAGS, range_key="title", table_class="STANDARD",
              deletion_protection_enabled=False, import_table={
                  "input_compression_type": "NONE", "input_format": "DYNAMODB_JSON",
                  "s3_bucket_source": {"bucket": "import-example-bucket", "key_prefix": "import-json"}}),
          note="module import_json_table; the bucket is the example's module.s3_bucket (a placeholder name here)"),
    Shape("tfm-s3-import-csv", TFM.format(commit="33ec6f1fb2d6e7f88e73a64bc31c2631c54aecf0", file="s3-import/main.tf"),
          doc("id", {"id": "N", "title": S}, tags=TF_TAGS, range_key="title", table_class="STANDARD",
              deletion_protection_enabled=False, import_table={
                  "input_compression_type": "NONE", "input_format": "CSV",
                  "input_format_options": {"csv": {"delimiter": ";"}},
                  "s3_bucket_source": {"bucket": "import-example-bucket", "key_prefix": "import-csv"}}),
          note="module import_csv_table"),
    Shape("tfm-global-tables", TFM.format(commit="03e134d40602c44681132cba0d8eed35bfcb34bd",
                                          file="global-tables/main.tf"),
          doc("id", {"id": "N", "title": S, "age": "N"}, tags=TF_TAGS, range_key="title", stream_enabled=True,
              stream_view_type="NEW_AND_OLD_IMAGES", server_side_encryption_enabled=True,
              server_side_encryption_kms_key_arn=KMS.format(region="us-east-1", n=1),
              global_secondary_indexes=[gsi("TitleIndex", "title", "age", "INCLUDE", ["id"])],
              replica_regions=[{"region_name": "eu-west-2", "kms_key_arn": KMS.format(region="eu-west-2", n=2),
                                "propagate_tags": True, "point_in_time_recovery": True,
                                "deletion_protection_enabled": False}])),
    Shape("tfm-global-table-v5", TFM.format(commit="0783a2bb34f9b3cdc41e8408685b5e594e084bb1",
                                            file="global-table/main.tf"),
          doc("id", {"id": "N", "title": S, "age": "N"}, tags={"Test": "ex-global-table",
                                                               "GithubRepo": "terraform-aws-dynamodb-table",
                                                               "GithubOrg": "terraform-aws-modules"},
              range_key="title", deletion_protection_enabled=False, stream_enabled=True,
              stream_view_type="NEW_AND_OLD_IMAGES", server_side_encryption_enabled=True,
              server_side_encryption_kms_key_arn=KMS.format(region="us-east-1", n=3),
              billing_mode="PROVISIONED", read_capacity=1, write_capacity=1, autoscaling_enabled=True,
              autoscaling_defaults={"scale_in_cooldown": 10, "scale_out_cooldown": 10, "target_value": 80},
              autoscaling_read={"max_capacity": 20}, autoscaling_write={"max_capacity": 20},
              ignore_changes_global_secondary_index=True,
              global_secondary_indexes=[gsi("TitleIndex", "title", "age", "INCLUDE", ["id"], **CAP10)],
              autoscaling_indexes={"TitleIndex": {"read_max_capacity": 20, "read_min_capacity": 5,
                                                  "write_max_capacity": 20, "write_min_capacity": 5}},
              resource_policy_statements={"AllowReplicaDummyRoleAccess": {
                  "principals": ROOT_PRINCIPAL, "actions": ["dynamodb:GetItem", "dynamodb:BatchGetItem"]}},
              stream_resource_policy_statements={"AllowReplicaDummyRoleAccessStream": {
                  "principals": ROOT_PRINCIPAL,
                  "actions": ["dynamodb:*", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]}},
              replica_regions=[{"region_name": "us-west-2", "kms_key_arn": KMS.format(region="us-west-2", n=4),
                                "propagate_tags": True, "point_in_time_recovery": True,
                                "deletion_protection_enabled": False}]),
          note="autoscaling without billing_mode in the source: written PROVISIONED with the module's default "
               "capacities (1), as autoscaling needs; 'a matching policy per replica' is the module's, one here"),
    Shape("tfm-resource-based-policy", TFM.format(commit="2de5b7ca793b6f6707ea7be4453332355aa5b78b",
                                                  file="resource-based-policy/main.tf"),
          doc("id", {"id": "N", "title": S, "age": "N"}, tags=TF_TAGS, range_key="title", table_class="STANDARD",
              deletion_protection_enabled=False,
              **tfm_on_demand_with_policy()),
          note="the source's raw policy JSON names a placeholder table ARN; here Resource is the table itself"),
    # -- aws/aws-cdk integration tests ---------------------------------------------------------------
    Shape("cdk-integ-table", CDK.format(commit="117f411a4897891dbb18ccea03866fa3fba1f788", file="integ.dynamodb.ts"),
          doc("hashKey", {"hashKey": S}, **PROV5), note="construct Table"),
    Shape("cdk-integ-gsi-lsi", CDK.format(commit="117f411a4897891dbb18ccea03866fa3fba1f788", file="integ.dynamodb.ts"),
          _integ_full(True), note="construct TableWithGlobalAndLocalSecondaryIndex"),
    Shape("cdk-integ-gsi", CDK.format(commit="117f411a4897891dbb18ccea03866fa3fba1f788", file="integ.dynamodb.ts"),
          doc("hashKey", {"hashKey": S, "gsiHashKey": S}, **PROV5,
              global_secondary_indexes=[gsi("GSI-PartitionKeyOnly", "gsiHashKey", **CAP5)]),
          note="construct TableWithGlobalSecondaryIndex"),
    Shape("cdk-integ-lsi", CDK.format(commit="117f411a4897891dbb18ccea03866fa3fba1f788", file="integ.dynamodb.ts"),
          doc("hashKey", {"hashKey": S, "sortKey": "N", "lsiSortKey": "N"}, **PROV5, range_key="sortKey",
              local_secondary_indexes=[lsi("LSI-PartitionAndSortKey", "lsiSortKey")]),
          note="construct TableWithLocalSecondaryIndex"),
    Shape("cdk-integ-cmk", CDK.format(commit="117f411a4897891dbb18ccea03866fa3fba1f788", file="integ.dynamodb.ts"),
          doc("hashKey", {"hashKey": S}, **PROV5, stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
              server_side_encryption_enabled=True, server_side_encryption_kms_key_arn=KMS.format(
                  region="us-east-1", n=5)), note="construct TableWithCustomerManagedKey"),
    Shape("cdk-ondemand-table", CDK.format(commit="0fc07f3762f3af821d742338c7839618a73ced50",
                                           file="integ.dynamodb.ondemand.ts"),
          doc("hashKey", {"hashKey": S}, billing_mode="PAY_PER_REQUEST",
              on_demand_throughput={"max_read_request_units": 100, "max_write_request_units": 200}),
          note="construct Table"),
    Shape("cdk-ondemand-gsi-lsi", CDK.format(commit="0fc07f3762f3af821d742338c7839618a73ced50",
                                             file="integ.dynamodb.ondemand.ts"),
          _integ_full(False, on_demand_first=True), note="construct TableWithGlobalAndLocalSecondaryIndex"),
    Shape("cdk-ondemand-gsi", CDK.format(commit="0fc07f3762f3af821d742338c7839618a73ced50",
                                         file="integ.dynamodb.ondemand.ts"),
          doc("hashKey", {"hashKey": S, "gsiHashKey": S}, billing_mode="PAY_PER_REQUEST",
              global_secondary_indexes=[gsi("GSI-PartitionKeyOnly", "gsiHashKey")]),
          note="construct TableWithGlobalSecondaryIndex"),
    Shape("cdk-ondemand-lsi", CDK.format(commit="0fc07f3762f3af821d742338c7839618a73ced50",
                                         file="integ.dynamodb.ondemand.ts"),
          doc("hashKey", {"hashKey": S, "sortKey": "N", "lsiSortKey": "N"}, billing_mode="PAY_PER_REQUEST",
              range_key="sortKey", local_secondary_indexes=[lsi("LSI-PartitionAndSortKey", "lsiSortKey")]),
          note="construct TableWithLocalSecondaryIndex"),
    Shape("cdk-v2-max-request-units", CDK.format(commit="01ee31d2b377bab1e5367a36ecd357d407383c95",
                                                 file="integ.dynamodb-v2.max-request-units.ts"),
          doc("pk", {"pk": S, "sk": "N"}, range_key="sk", on_demand_throughput={"max_write_request_units": 10},
              stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
              replica_regions=[{"region_name": "eu-west-1"}],
              global_secondary_indexes=[gsi("gsi2", "pk", on_demand_throughput={
                  "max_read_request_units": 2001, "max_write_request_units": 2001})]),
          note="the replica's maxReadRequestUnits 222 is not expressible: the provider's replica block has no "
               "on-demand throughput (CloudFormation's GlobalTable has); dropped"),
    Shape("cdk-warm-throughput", CDK.format(commit="309851e3fb7f71c1e5e7c2ff8b1b25b63a17a585",
                                            file="integ.dynamodb.warm-throughput.ts"),
          doc("id", {"id": S, "gsi1pk": S}, **PROV5,
              warm_throughput={"read_units_per_second": 14000, "write_units_per_second": 5000},
              global_secondary_indexes=[gsi("my-index", "gsi1pk", **CAP5, warm_throughput={
                  "read_units_per_second": 15000, "write_units_per_second": 5000})]),
          note="construct TableTest1"),
    Shape("cdk-kinesis-stream", CDK.format(commit="200ac27665334abf769895859f77ea6a543e61c9",
                                           file="integ.dynamodb.kinesis-stream.ts"),
          doc("hashKey", {"hashKey": S}, **PROV5, kinesis_streaming_destinations=[
              {"stream_arn": "arn:aws:kinesis:us-east-1:111111111111:stream/Stream"}]),
          note="the Kinesis stream of the test is a placeholder ARN"),
    Shape("cdk-cci-gsi", CDK.format(commit="19337e9ee52ca2231d86c8ef4001b9d034e5e0ce",
                                    file="integ.dynamodb.contirubtor-insights-for-gsi.ts"),
          doc("hashKey", {"hashKey": S, "gsiHashKey": S}, **PROV5, global_secondary_indexes=[
              gsi("GSI-ContributorInsightsEnabled", "gsiHashKey", **CAP5, contributor_insights={}),
              gsi("GSI-ContributorInsightsDisabled", "gsiHashKey", **CAP5)])),
    Shape("cdk-cci-table", CDK.format(commit="9103d3a00c49cbeb76e8853019ce30d3fc65db64", file="integ.dynamodb.cci.ts"),
          doc("hashKey", {"hashKey": S, "sortKey": "N"}, **PROV5, range_key="sortKey",
              contributor_insights={"mode": "ACCESSED_AND_THROTTLED_KEYS"})),
    Shape("cdk-v2-mrsc", CDK.format(commit="9103d3a00c49cbeb76e8853019ce30d3fc65db64", file="integ.table-v2-mrsc.ts"),
          doc("pk", {"pk": S, "sk": "N"}, range_key="sk", stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
              replica_regions=[{"region_name": "us-east-2", "consistency_mode": "STRONG"}],
              global_table_witness={"region_name": "us-west-2"})),
    Shape("cdk-import-dynamodb-json", IMPORT_TS,
          doc("id", {"id": S}, **PROV5, import_table={"input_compression_type": "NONE", "input_format": "DYNAMODB_JSON",
                                                      "s3_bucket_source": {"bucket": "s3stack-bucket",
                                                                           "key_prefix": "dynamodb-json"}}),
          note="construct DynamoDBJsonTable; the bucket of S3Stack is a placeholder name"),
    Shape("cdk-import-ion", IMPORT_TS,
          doc("id", {"id": S}, **PROV5, import_table={"input_compression_type": "NONE", "input_format": "ION",
                                                      "s3_bucket_source": {"bucket": "s3stack-bucket",
                                                                           "key_prefix": "ion"}}),
          note="construct IonTable"),
    Shape("cdk-import-csv", IMPORT_TS,
          doc("id", {"id": S}, **PROV5, import_table={"input_compression_type": "NONE", "input_format": "CSV",
                                                      "s3_bucket_source": {"bucket": "s3stack-bucket",
                                                                           "key_prefix": "csv"}}),
          note="construct CsvTable"),
    Shape("cdk-policy-table1", CDK.format(commit="057ab1e22560f5c849112ad5f56ed08a0fd1b60b",
                                          file="integ.dynamodb.policy.ts"),
          doc("id", {"id": S}, **PROV5, resource_policy_statements={
              "Stmt0": {"actions": ["dynamodb:*"], "principals": ROOT_PRINCIPAL, "resources": ["*"]},
              "Stmt1": {"actions": ["dynamodb:GetItem"], "principals": ROOT_PRINCIPAL, "resources": ["*"]}}),
          note="construct TableTest1 (resourcePolicy plus addToResourcePolicy); statement ids are ours"),
    Shape("cdk-policy-table2", CDK.format(commit="057ab1e22560f5c849112ad5f56ed08a0fd1b60b",
                                          file="integ.dynamodb.policy.ts"),
          doc("PK", {"PK": S}, **PROV5, resource_policy_statements={
              "Stmt0": {"actions": ["dynamodb:PutItem"], "principals": ROOT_PRINCIPAL, "resources": ["*"]}}),
          note="construct TableTest2"),
    Shape("cdk-stream-policy", CDK.format(commit="5dbe8b6fe6bb1b94e028e70970c88bec1aacd1a2",
                                          file="integ.dynamodb.stream-policy.ts"),
          doc("id", {"id": S}, **PROV5, stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
              stream_resource_policy_statements={"Stmt0": {
                  "actions": ["dynamodb:GetRecords", "dynamodb:DescribeStream"], "principals": ROOT_PRINCIPAL,
                  "resources": ["*"]}})),
    Shape("cdk-autoscaling-lit", CDK.format(commit="53e9115c95894194a1dfd784d6034c01e3991919",
                                            file="integ.autoscaling.lit.ts"),
          doc("hashKey", {"hashKey": S}, **PROV5, autoscaling_enabled=True,
              autoscaling_read={"min_capacity": 1, "max_capacity": 50, "target_value": 50}),
          note="the two scheduled scaling actions are not expressible (only target tracking); dropped"),
    Shape("cdk-deletion-protection", CDK.format(commit="102987d175c32d0eeb3f781f031bd9404b420796",
                                                file="integ.dynamodb.deletion-protection.ts"),
          doc("pk", {"pk": S}, **PROV5, deletion_protection_enabled=True)),
    Shape("cdk-pitr-period", PITR_TS,
          doc("id", {"id": S}, **PROV5, point_in_time_recovery_enabled=True,
              point_in_time_recovery_period_in_days=10)),
    Shape("cdk-global-2019", GLOBAL_TS,
          doc("id", {"id": S, "key": S}, billing_mode="PAY_PER_REQUEST", stream_enabled=True,
              stream_view_type="NEW_AND_OLD_IMAGES", global_secondary_indexes=[gsi("my-index", "key")],
              replica_regions=[{"region_name": "eu-west-2"}, {"region_name": "eu-central-1"}]),
          note="CDK makes a table with replicationRegions on demand and streamed"),
    Shape("cdk-sse-cmk-table", SSE_TS,
          doc("hashKey", {"hashKey": S}, **PROV5, server_side_encryption_enabled=True,
              server_side_encryption_kms_key_arn=KMS.format(region="us-east-1", n=6)),
          note="construct Table (CUSTOMER_MANAGED: CDK creates the key; a placeholder ARN here)"),
    Shape("cdk-sse-gsi-lsi", SSE_TS,
          _integ_full(True), note="construct TableWithGlobalAndLocalSecondaryIndex (AWS_MANAGED)"),
    Shape("cdk-sse-gsi-key", SSE_TS,
          doc("hashKey", {"hashKey": S, "gsiHashKey": S}, **PROV5, server_side_encryption_enabled=True,
              server_side_encryption_kms_key_arn=KMS.format(region="us-east-1", n=7),
              global_secondary_indexes=[gsi("GSI-PartitionKeyOnly", "gsiHashKey", **CAP5)]),
          note="construct TableWithGlobalSecondaryIndex (encryptionKey)"),
    Shape("cdk-sse-default-lsi", SSE_TS,
          doc("hashKey", {"hashKey": S, "sortKey": "N", "lsiSortKey": "N"}, **PROV5, range_key="sortKey",
              server_side_encryption_enabled=False,
              local_secondary_indexes=[lsi("LSI-PartitionAndSortKey", "lsiSortKey")]),
          note="construct TableWithLocalSecondaryIndex (TableEncryption.DEFAULT: the AWS owned key)"),
]


def write_blueprint(root: Path) -> Path:
    """Write every shape as ``<root>/public/dynamodb/instances/<name>.json`` with an ``integ`` environment."""
    bp = root / "public"
    instances = bp / "dynamodb" / "instances"
    instances.mkdir(parents=True, exist_ok=True)
    for shape in SHAPES:
        document = json.loads(json.dumps(shape.document))
        document["metadata"]["description"] = f"{shape.source}{f' -- {shape.note}' if shape.note else ''}"
        (instances / f"{shape.name}.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (bp / ENV["name"]).mkdir(exist_ok=True)
    (bp / ENV["name"] / "environment.json").write_text(json.dumps(ENV, indent=2) + "\n", encoding="utf-8")
    return bp
