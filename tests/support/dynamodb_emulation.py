"""Turn a synthesized ``aws_dynamodb_table`` block into real DynamoDB API calls against moto.

Why: no Terraform provider can be downloaded here, so the closest thing to "AWS accepts this table" is
moto's in-process DynamoDB, which applies the service's own CreateTable validation (key schema vs
attribute definitions, index limits, throughput rules). The mapping below follows the Terraform AWS
provider's translation of the resource arguments to the API (resource_aws_dynamodb_table).

Usage::

    kwargs = create_table_kwargs(block)            # pure, no AWS
    with mocked_dynamodb() as client:              # moto, no network
        item = create_and_roundtrip(client, block) # CreateTable + PutItem + GetItem by key
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

SAMPLE_VALUES: dict[str, dict[str, Any]] = {"S": {"S": "k"}, "N": {"N": "1"}, "B": {"B": b"\x01"}}


def terraform_literal(value: Any) -> Any:
    """What Terraform makes of a JSON string without interpolations: ``$${`` -> ``${``, ``%%{`` -> ``%{``.

    The synthesizer escapes user text that way, so the emulated API call must see the unescaped text.
    Applied recursively to lists and dicts (keys too).
    """
    if isinstance(value, str):
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        return [terraform_literal(v) for v in value]
    if isinstance(value, dict):
        return {terraform_literal(k): terraform_literal(v) for k, v in value.items()}
    return value


def _blocks(value: Any) -> list[dict[str, Any]]:
    """Terraform JSON nests blocks as a list of objects, or a single object; accept both."""
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return schema


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.get("projection_type", "ALL")}
    if index.get("non_key_attributes"):
        projection["NonKeyAttributes"] = list(index["non_key_attributes"])
    return projection


def _throughput(block: dict[str, Any]) -> dict[str, int]:
    return {"ReadCapacityUnits": int(block.get("read_capacity", 0)),
            "WriteCapacityUnits": int(block.get("write_capacity", 0))}


def _capacity_blocks(block: dict[str, Any]) -> dict[str, Any]:
    """OnDemandThroughput / WarmThroughput of a table or GSI block (provider: expandOnDemandThroughput,
    expandWarmThroughput); absent blocks add nothing, so older specs call CreateTable exactly as before."""
    found: dict[str, Any] = {}
    for on_demand in _blocks(block.get("on_demand_throughput")):
        found["OnDemandThroughput"] = {api: int(on_demand[tf]) for tf, api in (
            ("max_read_request_units", "MaxReadRequestUnits"), ("max_write_request_units", "MaxWriteRequestUnits"))
            if on_demand.get(tf) is not None}
    for warm in _blocks(block.get("warm_throughput")):
        found["WarmThroughput"] = {api: int(warm[tf]) for tf, api in (
            ("read_units_per_second", "ReadUnitsPerSecond"), ("write_units_per_second", "WriteUnitsPerSecond"))
            if warm.get(tf) is not None}
    return found


def create_table_kwargs(table_block: dict[str, Any]) -> dict[str, Any]:
    """boto3 ``CreateTable`` keyword arguments for a synthesized ``aws_dynamodb_table`` block.

    TTL and point-in-time recovery are separate API calls (see :func:`follow_up_calls`); replicas are
    created by ``UpdateTable`` after the table exists and are left out here.
    """
    table_block = terraform_literal(table_block)
    provisioned = table_block.get("billing_mode", "PROVISIONED") == "PROVISIONED"
    kwargs: dict[str, Any] = {
        "TableName": table_block["name"],
        "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]}
                                 for a in _blocks(table_block.get("attribute"))],
        "KeySchema": _key_schema(table_block["hash_key"], table_block.get("range_key")),
        "BillingMode": "PROVISIONED" if provisioned else "PAY_PER_REQUEST",
    }
    if provisioned:
        kwargs["ProvisionedThroughput"] = _throughput(table_block)
    gsis = []
    for gsi in _blocks(table_block.get("global_secondary_index")):
        entry: dict[str, Any] = {"IndexName": gsi["name"],
                                 "KeySchema": _key_schema(gsi["hash_key"], gsi.get("range_key")),
                                 "Projection": _projection(gsi)}
        if provisioned:
            entry["ProvisionedThroughput"] = _throughput(gsi)
        entry.update(_capacity_blocks(gsi))
        gsis.append(entry)
    if gsis:
        kwargs["GlobalSecondaryIndexes"] = gsis
    lsis = [{"IndexName": lsi["name"], "KeySchema": _key_schema(table_block["hash_key"], lsi["range_key"]),
             "Projection": _projection(lsi)} for lsi in _blocks(table_block.get("local_secondary_index"))]
    if lsis:
        kwargs["LocalSecondaryIndexes"] = lsis
    if table_block.get("stream_enabled"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True,
                                         "StreamViewType": table_block.get("stream_view_type")}
    for sse in _blocks(table_block.get("server_side_encryption")):
        if sse.get("enabled"):
            spec: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
            if sse.get("kms_key_arn"):
                spec["KMSMasterKeyId"] = sse["kms_key_arn"]
            kwargs["SSESpecification"] = spec
    if table_block.get("table_class"):
        kwargs["TableClass"] = table_block["table_class"]
    if table_block.get("deletion_protection_enabled") is not None:
        kwargs["DeletionProtectionEnabled"] = bool(table_block["deletion_protection_enabled"])
    kwargs.update(_capacity_blocks(table_block))
    tags = table_block.get("tags")
    if isinstance(tags, dict) and tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    return kwargs


def follow_up_calls(table_block: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (client method, kwargs) calls the provider makes after CreateTable: TTL and PITR."""
    table_block = terraform_literal(table_block)
    name = table_block["name"]
    calls: list[tuple[str, dict[str, Any]]] = []
    for ttl in _blocks(table_block.get("ttl")):
        if ttl.get("enabled"):
            calls.append(("update_time_to_live", {"TableName": name, "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": ttl["attribute_name"]}}))
    for pitr in _blocks(table_block.get("point_in_time_recovery")):
        if pitr.get("enabled"):
            spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": True}
            if pitr.get("recovery_period_in_days") is not None:
                spec["RecoveryPeriodInDays"] = int(pitr["recovery_period_in_days"])
            calls.append(("update_continuous_backups", {
                "TableName": name, "PointInTimeRecoverySpecification": spec}))
    return calls


def sample_key(table_block: dict[str, Any]) -> dict[str, Any]:
    """A primary key item with one value of the right type per key attribute."""
    table_block = terraform_literal(table_block)
    types = {a["name"]: a["type"] for a in _blocks(table_block.get("attribute"))}
    key = {table_block["hash_key"]: SAMPLE_VALUES[types[table_block["hash_key"]]]}
    if table_block.get("range_key"):
        key[table_block["range_key"]] = SAMPLE_VALUES[types[table_block["range_key"]]]
    return key


@contextlib.contextmanager
def mocked_dynamodb(region: str = "us-east-1") -> Iterator[Any]:
    """A boto3 DynamoDB client talking to a fresh in-process moto backend (no credentials, no network)."""
    import boto3
    from moto import mock_aws

    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region}
    saved = {k: os.environ.get(k) for k in fake}
    os.environ.update(fake)
    try:
        with mock_aws():
            yield boto3.client("dynamodb", region_name=region)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def create_and_roundtrip(client: Any, table_block: dict[str, Any]) -> dict[str, Any]:
    """CreateTable with the synthesized definition, apply TTL/PITR, then put and get one item by key.

    Returns the item read back; raises botocore's ClientError when the service rejects the definition.
    Non-key attributes of INCLUDE projections and index keys are filled too, so the item lands in indexes.
    """
    table_block = terraform_literal(table_block)
    client.create_table(**create_table_kwargs(table_block))
    for method, kwargs in follow_up_calls(table_block):
        getattr(client, method)(**kwargs)
    key = sample_key(table_block)
    types = {a["name"]: a["type"] for a in _blocks(table_block.get("attribute"))}
    item = {name: SAMPLE_VALUES[t] for name, t in types.items()}
    item.update(key)
    client.put_item(TableName=table_block["name"], Item=item)
    got = client.get_item(TableName=table_block["name"], Key=key, ConsistentRead=True)
    return got.get("Item", {})


# -- what moto does not model, answered as AWS answers ---------------------------------------------------
# moto 5.2 implements neither DescribeContributorInsights nor DescribeKinesisStreamingDestination (nor their
# Update/Enable calls), reports no OnDemandThroughput, no TableClassSummary, no default WarmThroughput, no
# GlobalTableWitnesses / MultiRegionConsistency, and ignores ReplicaUpdates. The helpers below write those
# parts of the describe outputs the way AWS answers them (API reference: DescribeTable's TableDescription,
# DescribeContributorInsights, DescribeKinesisStreamingDestination), from the synthesized arguments.

ON_DEMAND_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000}  # AWS's start for on-demand


def _warm(block: dict[str, Any], provisioned: bool) -> dict[str, Any]:
    """WarmThroughput as AWS reports it: what was asked for, else where DynamoDB starts the table or index."""
    start = ({"ReadUnitsPerSecond": int(block.get("read_capacity", 0)),
              "WriteUnitsPerSecond": int(block.get("write_capacity", 0))} if provisioned else dict(ON_DEMAND_WARM))
    for warm in _blocks(block.get("warm_throughput")):
        for tf, api in (("read_units_per_second", "ReadUnitsPerSecond"),
                        ("write_units_per_second", "WriteUnitsPerSecond")):
            if warm.get(tf) is not None:
                start[api] = int(warm[tf])
    return {**start, "Status": "ACTIVE"}


def _on_demand(block: dict[str, Any]) -> dict[str, int]:
    """OnDemandThroughput as AWS reports it: -1 for a dimension without a limit."""
    found = {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}
    for limits in _blocks(block.get("on_demand_throughput")):
        for tf, api in (("max_read_request_units", "MaxReadRequestUnits"),
                        ("max_write_request_units", "MaxWriteRequestUnits")):
            if limits.get(tf) is not None:
                found[api] = int(limits[tf])
    return found


def as_aws_describes(table: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    """moto's describe-table ``Table`` completed with what AWS would also say for the synthesized ``block``:
    table class, warm and on-demand throughput (table and GSIs), replicas with their KMS keys, the multi-Region
    consistency and the witness. Empty index lists, which moto adds and AWS leaves out, are dropped."""
    block = terraform_literal(block)
    table = dict(table)
    provisioned = block.get("billing_mode", "PROVISIONED") == "PROVISIONED"
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if not table.get(key):
            table.pop(key, None)
    table["TableClassSummary"] = {"TableClass": block.get("table_class") or "STANDARD"}
    table["WarmThroughput"] = {**_warm(block, provisioned), **table.get("WarmThroughput", {})}  # moto's if any
    if not provisioned:
        table["OnDemandThroughput"] = _on_demand(block)
    by_name = {g["name"]: g for g in _blocks(block.get("global_secondary_index"))}
    for index in table.get("GlobalSecondaryIndexes", []):
        gsi = by_name.get(index["IndexName"], {})  # an index added in moto after creation: AWS's defaults
        index["WarmThroughput"] = {**_warm(gsi, provisioned), **index.get("WarmThroughput", {})}
        if not provisioned:
            index["OnDemandThroughput"] = _on_demand(gsi)
    replicas = _blocks(block.get("replica"))
    if replicas:
        table["Replicas"] = [{"RegionName": r["region_name"], "ReplicaStatus": "ACTIVE",
                              **({"KMSMasterKeyId": r["kms_key_arn"]} if r.get("kms_key_arn") else {})}
                             for r in replicas]
        table["MultiRegionConsistency"] = "STRONG" if any(r.get("consistency_mode") == "STRONG"
                                                          for r in replicas) else "EVENTUAL"
        table["GlobalTableVersion"] = "2019.11.21"
    for witness in _blocks(block.get("global_table_witness")):
        table["GlobalTableWitnesses"] = [{"RegionName": witness["region_name"], "WitnessStatus": "ACTIVE"}]
    return table


def replica_describes(table: dict[str, Any], block: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """describe-table, describe-continuous-backups and list-tags-of-resource of each replica, asked in its own
    Region, as AWS answers there (deletion protection, point-in-time recovery and tags are the replica's own;
    the ARN names its Region). Keyed by the saved file's name: ``describe-table-<region>`` and so on."""
    block = terraform_literal(block)
    found = {}
    for r in _blocks(block.get("replica")):
        region = r["region_name"]
        arn = table["TableArn"].split(":")
        arn[3] = region
        found[f"describe-table-{region}"] = {"Table": {
            **{k: v for k, v in table.items() if k not in ("Replicas", "TableArn")}, "TableArn": ":".join(arn),
            "DeletionProtectionEnabled": bool(r.get("deletion_protection_enabled"))}}
        # the provider copies the table's tags to a replica with propagate_tags (else it has none)
        found[f"list-tags-of-resource-{region}"] = {"Tags": [{"Key": k, "Value": v} for k, v in (
            block.get("tags") or {}).items()] if r.get("propagate_tags") else []}
        found[f"describe-continuous-backups-{region}"] = {"ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {
                "PointInTimeRecoveryStatus": "ENABLED" if r.get("point_in_time_recovery") else "DISABLED",
                **({"RecoveryPeriodInDays": 35} if r.get("point_in_time_recovery") else {})}}}
    return found


def insights_and_kinesis(name: str, stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """describe-contributor-insights (table, and each GSI) and describe-kinesis-streaming-destination, as AWS
    answers once the stack's aws_dynamodb_contributor_insights / _kinesis_streaming_destination are applied."""
    resources = stack.get("resource", {})
    block = terraform_literal(resources["aws_dynamodb_table"]["table"])
    enabled = {terraform_literal(c.get("index_name")): c.get("mode", "ACCESSED_AND_THROTTLED_KEYS")
               for c in resources.get("aws_dynamodb_contributor_insights", {}).values()}
    outputs: dict[str, dict[str, Any]] = {}
    for index in [None, *(g["name"] for g in _blocks(block.get("global_secondary_index")))]:
        answer: dict[str, Any] = {"TableName": name, **({"IndexName": index} if index else {}),
                                  "ContributorInsightsStatus": "ENABLED" if index in enabled else "DISABLED"}
        if index in enabled:
            answer.update(ContributorInsightsRuleList=[f"DynamoDBContributorInsights-PKC-{name}"],
                          ContributorInsightsMode=enabled[index])
        outputs["describe-contributor-insights" + (f"-{index}" if index else "")] = answer
    outputs["describe-kinesis-streaming-destination"] = {"TableName": name, "KinesisDataStreamDestinations": [
        {"StreamArn": d["stream_arn"], "DestinationStatus": "ACTIVE",
         "ApproximateCreationDateTimePrecision": d.get("approximate_creation_date_time_precision", "MILLISECOND")}
        for d in resources.get("aws_dynamodb_kinesis_streaming_destination", {}).values()]}
    return outputs
