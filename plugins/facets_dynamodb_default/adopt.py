"""Existing tables: a spec that reproduces one (``adopt``), what AWS says of one today (``fetch_live``), and the
document as the table sees it (``normalize``), so ``drift`` compares like with like.

Input: the outputs of ``aws dynamodb describe-table`` (required), ``describe-time-to-live``,
``describe-continuous-backups``, ``list-tags-of-resource``, ``describe-contributor-insights`` (the table's and
each GSI's), ``describe-kinesis-streaming-destination``, ``get-resource-policy`` (the table's and its stream's),
``aws application-autoscaling describe-scalable-targets`` / ``describe-scaling-policies`` and, for each
replica, ``describe-table``, ``describe-continuous-backups`` and ``list-tags-of-resource`` asked in its Region
(the last two saved as ``<command>-<region>.json``: their output names neither table nor Region), as saved
JSON or read live with boto3. The mapping follows the AWS provider's ``aws_dynamodb_table`` read
(internal/service/dynamodb/table.go: flattenTableAttributeDefinitions,
flattenTableGlobalSecondaryIndex, flattenTableLocalSecondaryIndex, flattenReplicaDescriptions).
"""

from __future__ import annotations

import json
import re
from typing import Any

from facets_dynamo.plugin import (
    Adoption,
    CloudError,
    Diagnostic,
    Document,
    Environment,
    Resource,
    Severity,
    pointer_join,
)

from .model import DEFAULT_AUTOSCALING, PROVISIONED, Table

ADV = "/advanced/aws_dynamodb"
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):")
# The top-level key of each describe output, and what it is.
KINDS = {"Table": "describe-table", "TimeToLiveDescription": "describe-time-to-live",
         "ContinuousBackupsDescription": "describe-continuous-backups", "Tags": "list-tags-of-resource",
         "ContributorInsightsStatus": "describe-contributor-insights",
         "KinesisDataStreamDestinations": "describe-kinesis-streaming-destination",
         "ScalableTargets": "describe-scalable-targets", "ScalingPolicies": "describe-scaling-policies",
         "KeyMetadata": "kms describe-key", "Policy": "get-resource-policy"}
DEFAULT_PITR_DAYS = 35
# EnableKinesisStreamingDestination's default precision (what AWS reports when none was asked for)
DEFAULT_PRECISION = "MILLISECOND"


def _keys(schema: Any) -> tuple[Any, Any]:
    keys = {k.get("KeyType"): k.get("AttributeName") for k in schema or [] if isinstance(k, dict)}
    return keys.get("HASH"), keys.get("RANGE")


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection = index.get("Projection") or {}
    out: dict[str, Any] = {"projection_type": projection.get("ProjectionType", "ALL")}
    if projection.get("NonKeyAttributes"):
        out["non_key_attributes"] = list(projection["NonKeyAttributes"])
    return out


def _logical_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-zA-Z0-9_-]", "_", name) or "attr"
    found, n = base, 2
    while found in taken:
        found, n = f"{base}_{n}", n + 1
    taken.add(found)
    return found


# The shape of every field adoption reads, by describe output (unknown fields are not checked): a type, a
# one-element list (a list of that shape) or a dict (an object with those fields). A value of another shape (a
# hand-edited or truncated output) is DDB403 at its position, before anything is read from it.
_NUMBER = (int, float)
_KEYS = [{"AttributeName": str, "KeyType": str}]
_CAPACITY = {"ReadCapacityUnits": int, "WriteCapacityUnits": int}
_ON_DEMAND = {"MaxReadRequestUnits": int, "MaxWriteRequestUnits": int}
_WARM_SHAPE = {"ReadUnitsPerSecond": int, "WriteUnitsPerSecond": int}
_PROJECTION = {"ProjectionType": str, "NonKeyAttributes": [str]}
_INDEX = {"IndexName": str, "KeySchema": _KEYS, "Projection": _PROJECTION, "ProvisionedThroughput": _CAPACITY,
          "OnDemandThroughput": _ON_DEMAND, "WarmThroughput": _WARM_SHAPE}
SHAPES: dict[str, Any] = {
    "Table": {"TableName": str, "TableArn": str, "LatestStreamArn": str,
              "AttributeDefinitions": [{"AttributeName": str, "AttributeType": str}], "KeySchema": _KEYS,
              "BillingModeSummary": {"BillingMode": str}, "ProvisionedThroughput": _CAPACITY,
              "GlobalSecondaryIndexes": [_INDEX], "LocalSecondaryIndexes": [_INDEX],
              "StreamSpecification": {"StreamEnabled": bool, "StreamViewType": str},
              "SSEDescription": {"Status": str, "KMSMasterKeyArn": str}, "TableClassSummary": {"TableClass": str},
              "DeletionProtectionEnabled": bool, "MultiRegionConsistency": str,
              "Replicas": [{"RegionName": str, "KMSMasterKeyId": str, "ReplicaTableClassSummary": {"TableClass": str},
                            "ProvisionedThroughputOverride": dict, "OnDemandThroughputOverride": dict,
                            "GlobalSecondaryIndexes": [dict]}],
              "GlobalTableWitnesses": [{"RegionName": str, "WitnessStatus": str}],
              "OnDemandThroughput": _ON_DEMAND, "WarmThroughput": _WARM_SHAPE},
    "TimeToLiveDescription": {"TimeToLiveStatus": str, "AttributeName": str},
    "ContinuousBackupsDescription": {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": str,
                                                                        "RecoveryPeriodInDays": int}},
    "Tags": [{"Key": str, "Value": str}],
    "ContributorInsightsStatus": str, "IndexName": str, "ContributorInsightsMode": str,
    "KinesisDataStreamDestinations": [{"StreamArn": str, "DestinationStatus": str,
                                       "ApproximateCreationDateTimePrecision": str}],
    "ScalableTargets": [{"ResourceId": str, "ScalableDimension": str, "MinCapacity": int, "MaxCapacity": int}],
    "ScalingPolicies": [{"ResourceId": str, "ScalableDimension": str, "TargetTrackingScalingPolicyConfiguration": {
        "TargetValue": _NUMBER, "ScaleInCooldown": int, "ScaleOutCooldown": int}}],
    "KeyMetadata": {"Arn": str, "KeyManager": str},
    "Policy": str,
}
_NAMES = {str: "a string", int: "an integer", bool: "true or false", dict: "an object", list: "a list"}


def _shape_problems(value: Any, shape: Any, pointer: str, doc: Document) -> list[Diagnostic]:
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [_misshapen(doc, pointer, "a list", value)]
        return [p for i, item in enumerate(value) for p in _shape_problems(item, shape[0], f"{pointer}/{i}", doc)]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [_misshapen(doc, pointer, "an object", value)]
        return [p for key, sub in shape.items() if key in value
                for p in _shape_problems(value[key], sub, pointer_join(pointer, key), doc)]
    kinds = shape if isinstance(shape, tuple) else (shape,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        return [_misshapen(doc, pointer, "a number" if shape is _NUMBER else _NAMES[kinds[0]], value)]
    return []


def _misshapen(doc: Document, pointer: str, wanted: str, value: Any) -> Diagnostic:
    found = "null" if value is None else json.dumps(value)[:40]
    return doc.diagnostic(pointer, "DDB403", f"{pointer.rsplit('/', 1)[-1]} should be {wanted}, found {found}: "
                          "give the output of the command as it printed it")


# Outputs asked in a replica's Region say nothing of it (describe-continuous-backups names no table): their file
# name does, as `describe-continuous-backups-eu-central-1.json` (or `.eu-central-1.json`); live, the label says
# `(eu-central-1)`. describe-table needs no mark: its TableArn names the Region.
_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central)(?:east|west)?-\d+"
_ASKED_IN = re.compile(rf"\(({_REGION})\)|[.-]({_REGION})\.json$")


def asked_in(doc: Document) -> str | None:
    """The replica Region a describe output was asked in, from its file name; None for the table's own."""
    found = _ASKED_IN.search(re.split(r"[\\/]", doc.file)[-1])
    return (found.group(1) or found.group(2)) if found else None


class _Reader:
    """The describe outputs by kind, with the diagnostics met while reading them. A kind may come more than once:
    describe-contributor-insights per index, describe-table of a replica in its own region."""

    def __init__(self, documents: list[Document]) -> None:
        self.by_kind: dict[str, list[Document]] = {}
        self.problems: list[Diagnostic] = []
        self.replica_regions: set[str | None] = set()  # set once the table is read
        for doc in documents:
            if not isinstance(doc.data, dict):
                self.problems.append(doc.diagnostic("", "DDB401", "not a DynamoDB describe output: the top level "
                                                    "must be an object such as {\"Table\": {...}}"))
                continue
            known = [k for k in doc.data if k in KINDS]
            if not known:
                self.problems.append(doc.diagnostic("", "DDB401", "not a DynamoDB describe output: expected one of "
                                                    f"{', '.join(KINDS)} at the top level, found "
                                                    f"{', '.join(map(str, doc.data)) or 'nothing'}"))
            for key in known:
                self.by_kind.setdefault(key, []).append(doc)
            for key in doc.data:
                if key in SHAPES:
                    self.problems += _shape_problems(doc.data[key], SHAPES[key], pointer_join("", key), doc)

    def get(self, key: str, region: str | None = None) -> tuple[Any, Document | None]:
        """The last output of ``key`` asked in ``region`` (None: not marked as a replica's, see
        :func:`asked_in`)."""
        docs = [d for d in self.by_kind.get(key, []) if (asked_in(d) == region if region is not None else
                                                         asked_in(d) not in self.replica_regions)]
        return (docs[-1].data.get(key), docs[-1]) if docs else (None, None)

    def each(self, key: str) -> list[tuple[Any, Document]]:
        return [(doc.data.get(key), doc) for doc in self.by_kind.get(key, [])]

    def table(self, region: str) -> tuple[Any, Document | None]:
        """The describe-table output of the table in ``region`` (the last one given when no ARN says where)."""
        found = self.each("Table")
        for table, doc in found:
            arn = _ARN_REGION.match(str(table.get("TableArn", ""))) if isinstance(table, dict) else None
            if arn and arn.group(1) == region:
                return table, doc
        unplaced = [(t, d) for t, d in found if not (isinstance(t, dict) and _ARN_REGION.match(
            str(t.get("TableArn", ""))))]
        return (unplaced or found or [(None, None)])[-1]


def adopt(documents: list[Document], name: str, environment: Environment,
          schema_fields: set[str] | None = None) -> Adoption:
    reader = _Reader(documents)
    problems = reader.problems
    table, doc = reader.table(environment.region)
    if doc is None or not isinstance(table, dict):
        return Adoption(None, [*problems, Diagnostic("<import>", 0, 0, "", Severity.ERROR, "DDB402",
                                                     "no describe-table output: save `aws dynamodb describe-table "
                                                     "--table-name NAME` and give it")])
    for field in ("TableName", "KeySchema", "AttributeDefinitions"):
        if field not in table:
            problems.append(doc.diagnostic("/Table", "DDB403", f"describe-table output without {field}: save the "
                                           "whole output of the command"))
    if any(p.is_error for p in problems):
        return Adoption(None, problems)
    adv: dict[str, Any] = {}
    table_name = str(table["TableName"])
    region = _ARN_REGION.match(str(table.get("TableArn", "")))
    if region and region.group(1) != environment.region:
        problems.append(doc.diagnostic("/Table/TableArn", "DDB404", f"the table is in {region.group(1)}, the "
                                       f"environment {environment.name!r} deploys to {environment.region}: adopt it "
                                       "in an environment of its region"))
    if table_name != f"{name}-{environment.name}":
        adv["table_name"] = table_name
    attrs: dict[str, Any] = {}
    taken: set[str] = set()
    for a in table.get("AttributeDefinitions") or []:
        attrs[_logical_id(str(a.get("AttributeName")), taken)] = {"name": a.get("AttributeName"),
                                                                  "type": a.get("AttributeType")}
    _single_attribute_keys(table, "/Table", "the table", doc, problems)
    hash_key, range_key = _keys(table.get("KeySchema"))
    if range_key:
        adv["range_key"] = range_key
    mode = (table.get("BillingModeSummary") or {}).get("BillingMode") or PROVISIONED
    throughput = table.get("ProvisionedThroughput") or {}
    if mode == PROVISIONED:
        adv.update(billing_mode=PROVISIONED, read_capacity=throughput.get("ReadCapacityUnits"),
                   write_capacity=throughput.get("WriteCapacityUnits"))
    fields = schema_fields if schema_fields is not None else set()
    gsis = []
    for i, g in enumerate(table.get("GlobalSecondaryIndexes") or []):
        where = f"/Table/GlobalSecondaryIndexes/{i}"
        _single_attribute_keys(g, where, f"GSI {g.get('IndexName')!r}", doc, problems)
        g_hash, g_range = _keys(g.get("KeySchema"))
        entry = {"name": g.get("IndexName"), "hash_key": g_hash, **({"range_key": g_range} if g_range else {}),
                 **_projection(g)}
        if mode == PROVISIONED:
            t = g.get("ProvisionedThroughput") or {}
            entry.update(read_capacity=t.get("ReadCapacityUnits"), write_capacity=t.get("WriteCapacityUnits"))
        _throughputs(g, where, f"GSI {g.get('IndexName')!r}", doc, problems, fields, entry, mode == PROVISIONED)
        gsis.append(entry)
    if gsis:
        adv["global_secondary_indexes"] = gsis
    lsis = [{"name": lsi.get("IndexName"), "range_key": _keys(lsi.get("KeySchema"))[1], **_projection(lsi)}
            for lsi in table.get("LocalSecondaryIndexes") or []]
    if lsis:
        adv["local_secondary_indexes"] = lsis
    stream = table.get("StreamSpecification") or {}
    if stream.get("StreamEnabled"):
        adv.update(stream_enabled=True, stream_view_type=stream.get("StreamViewType"))
    sse = table.get("SSEDescription") or {}
    if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING"):
        adv["server_side_encryption_enabled"] = True
        key = _customer_key(reader, sse.get("KMSMasterKeyArn"), doc, problems)
        if key:
            adv["server_side_encryption_kms_key_arn"] = key
    table_class = (table.get("TableClassSummary") or {}).get("TableClass")
    if table_class:
        adv["table_class"] = table_class
    if table.get("DeletionProtectionEnabled"):
        adv["deletion_protection_enabled"] = True
    _replicas(reader, table, doc, problems, fields, adv)
    _throughputs(table, "/Table", "the table", doc, problems, fields, adv, mode == PROVISIONED)
    _ttl(reader, adv)
    _pitr(reader, adv)
    tags = _tags(reader, table_name, environment, problems)
    _autoscaling(reader, table_name, adv, problems)
    _insights_and_kinesis(reader, adv, problems, fields)
    _policies(reader, table, adv, problems, fields)
    adv["adopt_existing"] = True
    document: dict[str, Any] = {"kind": "dynamodb", "flavor": "default", "version": "0.2",
                                "metadata": {"tags": tags} if tags else {},
                                "spec": {"attributes": attrs, "hash_key": hash_key},
                                "advanced": {"aws_dynamodb": adv}}
    if any(p.is_error for p in problems):
        return Adoption(None, problems)
    return Adoption(document, problems)


def _refuse(doc: Document, pointer: str, setting: str, problems: list[Diagnostic], advice: str = "") -> None:
    """DDB405: a setting the table has that dynamodb/default/0.2 cannot write, named in the message; its position
    is the diagnostic's: the pointer in the describe output, with its line and column."""
    problems.append(doc.diagnostic(pointer, "DDB405", f"{setting} cannot be expressed by "
                                   f"dynamodb/default/0.2: a spec without it would undo it at the next apply"
                                   f"{'; ' + advice if advice else ''}"))


def _single_attribute_keys(node: dict[str, Any], pointer: str, what: str, doc: Document,
                           problems: list[Diagnostic]) -> None:
    """Multi-attribute keys (several HASH or RANGE elements, GSIs since November 2025) have no place in the
    schema: one hash_key and one range_key each."""
    schema = node.get("KeySchema") if isinstance(node.get("KeySchema"), list) else []
    for role in ("HASH", "RANGE"):
        names = [k.get("AttributeName") for k in schema if isinstance(k, dict) and k.get("KeyType") == role]
        if len(names) > 1:
            _refuse(doc, f"{pointer}/KeySchema", f"the multi-attribute {role} key of {what} "
                    f"({', '.join(map(str, names))})", problems, "one attribute per key role only")


_WARM = (("read_units_per_second", "ReadUnitsPerSecond"), ("write_units_per_second", "WriteUnitsPerSecond"))
# Warm throughput AWS reports for a table or GSI nobody set it on. DynamoDB developer guide, "Understanding
# DynamoDB warm throughput" (warm-throughput.html: values exist for every table and GSI, and grow with use) and
# "... in different scenarios" (warm-throughput-scenarios.html, its DescribeTable example): a new on-demand table
# or GSI starts at 12,000 read and 4,000 write units per second; a provisioned one at its provisioned capacity
# (raising the capacity raises it). So only values above that start were asked for. The provider's
# warm_throughput block is Optional+Computed: without it in the configuration Terraform keeps whatever AWS
# reports; a spec needs it only where it was raised.
ON_DEMAND_WARM = (12000, 4000)


def warm_floors(node: dict[str, Any], provisioned: bool) -> tuple[int, int]:
    """What DynamoDB reports as warm throughput of ``node`` (a describe-table Table or GSI) left at default."""
    capacity = node.get("ProvisionedThroughput") or {}
    return ((capacity.get("ReadCapacityUnits") or 0, capacity.get("WriteCapacityUnits") or 0) if provisioned
            else ON_DEMAND_WARM)


def _throughputs(node: dict[str, Any], pointer: str, what: str, doc: Document, problems: list[Diagnostic],
                 schema_fields: set[str], into: dict[str, Any], provisioned: bool) -> None:
    """On-demand and warm throughput of the table or a GSI (``node``) into ``into``; refused by name, never
    dropped, when the schema cannot express them."""
    on_demand = {key: value for key, source in (("max_read_request_units", "MaxReadRequestUnits"),
                                                ("max_write_request_units", "MaxWriteRequestUnits"))
                 if isinstance(value := (node.get("OnDemandThroughput") or {}).get(source), int) and value > 0}
    if on_demand and "on_demand_throughput" not in schema_fields:
        _refuse(doc, f"{pointer}/OnDemandThroughput", f"the on-demand throughput limits of {what}", problems)
    elif on_demand:
        into["on_demand_throughput"] = on_demand
    warm = node.get("WarmThroughput") or {}
    raised = {key: value for (key, source), floor in zip(_WARM, warm_floors(node, provisioned), strict=True)
              if isinstance(value := warm.get(source), int) and value > floor}
    if raised and "warm_throughput" not in schema_fields:
        _refuse(doc, f"{pointer}/WarmThroughput", f"the raised warm throughput of {what}", problems)
    elif raised:
        # both values once one was raised: what AWS holds, and what `import` gives the provider's state
        into["warm_throughput"] = {k: warm.get(s) for k, s in _WARM if isinstance(warm.get(s), int)}


def _replicas(reader: _Reader, table: dict[str, Any], doc: Document, problems: list[Diagnostic],
              schema_fields: set[str], adv: dict[str, Any]) -> None:
    """Replicas (provider flattenReplicaDescriptions): region, KMS key, the table's MultiRegionConsistency as
    each replica's consistency_mode, deletion protection from the replica's own describe-table and point-in-time
    recovery from its describe-continuous-backups (both asked in its Region), and the witness of an MRSC table
    (GlobalTableWitnesses). Per-replica overrides the provider's replica block lacks (table class, capacities,
    on-demand limits, index settings) are refused."""
    strong = table.get("MultiRegionConsistency") == "STRONG"
    reader.replica_regions = {r.get("RegionName") for r in table.get("Replicas") or [] if isinstance(r, dict)}
    own_class = (table.get("TableClassSummary") or {}).get("TableClass") or "STANDARD"
    replicas = []
    for i, r in enumerate(table.get("Replicas") or []):
        if not isinstance(r, dict):
            continue
        where, region = f"/Table/Replicas/{i}", r.get("RegionName")
        entry: dict[str, Any] = {"region_name": region}
        if r.get("KMSMasterKeyId"):
            entry["kms_key_arn"] = r["KMSMasterKeyId"]
        if strong:
            entry["consistency_mode"] = "STRONG"
        backups, _ = reader.get("ContinuousBackupsDescription", str(region))
        if isinstance(backups, dict) and (backups.get("PointInTimeRecoveryDescription") or {}).get(
                "PointInTimeRecoveryStatus") == "ENABLED":
            entry["point_in_time_recovery"] = True
        _replica_tags(reader, str(region), entry, where, doc, problems)
        replica_table, _ = reader.table(str(region)) if region else (None, None)
        if isinstance(replica_table, dict) and replica_table is not table and \
                replica_table.get("DeletionProtectionEnabled"):
            entry["deletion_protection_enabled"] = True
        replica_class = (r.get("ReplicaTableClassSummary") or {}).get("TableClass")
        if replica_class and replica_class != own_class:
            _refuse(doc, f"{where}/ReplicaTableClassSummary", f"the table class {replica_class} of replica "
                    f"{region}", problems, "the provider's replica block has no table class (the replica "
                    "follows the table's)")
        for key, label in (("ProvisionedThroughputOverride", "provisioned capacity override"),
                           ("OnDemandThroughputOverride", "on-demand throughput override")):
            if r.get(key):
                _refuse(doc, f"{where}/{key}", f"the {label} of replica {region}", problems)
        for j, index in enumerate(r.get("GlobalSecondaryIndexes") or []):
            if isinstance(index, dict) and (index.get("ProvisionedThroughputOverride")
                                            or index.get("OnDemandThroughputOverride")):
                _refuse(doc, f"{where}/GlobalSecondaryIndexes/{j}", f"the throughput override of index "
                        f"{index.get('IndexName')!r} in replica {region}", problems)
        replicas.append(entry)
    if replicas:
        adv["replica_regions"] = replicas
    witnesses = [w for w in table.get("GlobalTableWitnesses") or [] if isinstance(w, dict)
                 and w.get("WitnessStatus", "ACTIVE") in ("ACTIVE", "CREATING", "UPDATING")]
    if len(witnesses) > 1:
        _refuse(doc, "/Table/GlobalTableWitnesses", "more than one global table witness", problems)
    elif witnesses and "global_table_witness" not in schema_fields:
        _refuse(doc, "/Table/GlobalTableWitnesses", "the global table witness", problems)
    elif witnesses:
        adv["global_table_witness"] = {"region_name": witnesses[0].get("RegionName")}


# Actions a stream's resource policy may grant (DynamoDB refuses others on a stream ARN).
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams"}
_SID = re.compile(r"^[A-Za-z0-9]+$")


def _listed(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _statement(given: dict[str, Any], own_arn: str) -> dict[str, Any]:
    """One policy statement as the upstream module's map entry writes it (synth.statement, backwards)."""
    out: dict[str, Any] = {}
    if given.get("Effect", "Allow") != "Allow":
        out["effect"] = given["Effect"]
    for source, key in (("Principal", "principals"), ("NotPrincipal", "not_principals")):
        principal = given.get(source)
        if principal == "*":
            out[key] = [{"type": "*", "identifiers": ["*"]}]
        elif isinstance(principal, dict):
            out[key] = [{"type": kind, "identifiers": _listed(ids)} for kind, ids in principal.items()]
    for source, key in (("Action", "actions"), ("NotAction", "not_actions")):
        if source in given:
            out[key] = _listed(given[source])
    if "NotResource" in given:
        out["not_resources"] = _listed(given["NotResource"])
    elif "Resource" in given and given["Resource"] != own_arn:  # the table's (or stream's) own ARN: the default
        out["resources"] = _listed(given["Resource"])
    if isinstance(given.get("Condition"), dict):
        out["condition"] = [{"test": test, "variable": variable, "values": _listed(values)}
                            for test, pairs in given["Condition"].items() if isinstance(pairs, dict)
                            for variable, values in pairs.items()]
    return out


def _policies(reader: _Reader, table: dict[str, Any], adv: dict[str, Any], problems: list[Diagnostic],
              schema_fields: set[str]) -> None:
    """Resource-based policies (get-resource-policy of the table ARN, and of its stream ARN) as
    resource_policy_statements / stream_resource_policy_statements. The output does not say which ARN it was
    asked for: a policy naming the stream ARN, or granting stream actions only, is the stream's."""
    arn, stream_arn = str(table.get("TableArn", "")), str(table.get("LatestStreamArn", ""))
    for text, doc in reader.each("Policy"):
        try:
            policy = json.loads(text) if isinstance(text, str) else text
        except ValueError as exc:
            problems.append(doc.diagnostic("/Policy", "DDB401", f"the Policy of this get-resource-policy output is "
                                           f"not JSON ({exc.msg}): save the whole output of the command"))
            continue
        statements = [s for s in _listed(policy.get("Statement") if isinstance(policy, dict) else None)
                      if isinstance(s, dict)]
        resources = {r for s in statements for r in _listed(s.get("Resource", []))}
        actions = {str(a) for s in statements for a in _listed(s.get("Action", []))}
        stream = any("/stream/" in str(r) for r in resources) or (bool(actions) and actions <= STREAM_ACTIONS)
        key = "stream_resource_policy_statements" if stream else "resource_policy_statements"
        if key not in schema_fields:
            _refuse(doc, "/Policy", f"the {'stream' if stream else 'table'}'s resource-based policy", problems)
            continue
        found: dict[str, Any] = {}
        for i, s in enumerate(statements):
            sid = s.get("Sid")
            if sid is not None and not (isinstance(sid, str) and _SID.match(sid)):
                _refuse(doc, "/Policy", f"the statement id {sid!r} of the {'stream' if stream else 'table'}'s "
                        "resource-based policy (letters and digits only)", problems)
                continue
            found[sid or f"Stmt{i}"] = _statement(s, stream_arn if stream else arn)
        if found:
            adv[key] = found


def _tag_map(tags: Any) -> dict[Any, Any]:
    return {t.get("Key"): t.get("Value") for t in tags if isinstance(t, dict)
            and not str(t.get("Key")).lower().startswith("aws:")} if isinstance(tags, list) else {}


def _replica_tags(reader: _Reader, region: str, entry: dict[str, Any], where: str, doc: Document,
                  problems: list[Diagnostic]) -> None:
    """A replica's tags (list-tags-of-resource of its ARN, asked in its Region): the table's own tags mean the
    provider propagates them (propagate_tags); none mean it does not; others cannot be written (the provider's
    replica block has no tags)."""
    tags, tags_doc = reader.get("Tags", region)
    if tags_doc is None:
        return
    own, _ = reader.get("Tags")
    replica, table = _tag_map(tags), _tag_map(own)
    if replica and replica == table:
        entry["propagate_tags"] = True
    elif replica:
        _refuse(tags_doc, "/Tags", f"tags of replica {region} other than the table's", problems,
                "the provider's replica block has no tags of its own (propagate_tags copies the table's)")


def _customer_key(reader: _Reader, arn: Any, doc: Document, problems: list[Diagnostic]) -> str | None:
    """The table's KMS key when it is the customer's own; the AWS managed key (``aws/dynamodb``, what
    ``enabled`` without a key uses) is left out. Only ``kms describe-key`` tells the two apart."""
    if not isinstance(arn, str) or not arn:
        return None
    key, _ = reader.get("KeyMetadata")
    if isinstance(key, dict) and key.get("Arn") == arn:
        return arn if key.get("KeyManager") == "CUSTOMER" else None
    problems.append(doc.diagnostic("/Table/SSEDescription/KMSMasterKeyArn", "DDB407", "kept the KMS key: without "
                                   "`aws kms describe-key` output nothing tells whether it is the AWS managed key "
                                   "(then the spec leaves it out)", Severity.INFO))
    return arn


def _ttl(reader: _Reader, adv: dict[str, Any]) -> None:
    ttl, _ = reader.get("TimeToLiveDescription")
    if isinstance(ttl, dict) and ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        adv.update(ttl_enabled=True, ttl_attribute_name=ttl.get("AttributeName"))


def _pitr(reader: _Reader, adv: dict[str, Any]) -> None:
    backups, _ = reader.get("ContinuousBackupsDescription")
    pitr = (backups or {}).get("PointInTimeRecoveryDescription") or {} if isinstance(backups, dict) else {}
    if pitr.get("PointInTimeRecoveryStatus") == "ENABLED":
        adv["point_in_time_recovery_enabled"] = True
        days = pitr.get("RecoveryPeriodInDays")
        if isinstance(days, int) and days != DEFAULT_PITR_DAYS:
            adv["point_in_time_recovery_period_in_days"] = days


def _tags(reader: _Reader, table_name: str, environment: Environment, problems: list[Diagnostic]) -> dict[str, str]:
    """The table's own tags: without ``Name`` (always the table name) and without the environment's cloud tags."""
    tags, doc = reader.get("Tags")
    found: dict[str, str] = {}
    for i, tag in enumerate(tags if isinstance(tags, list) else []):
        key, value = tag.get("Key"), tag.get("Value")
        if key == "Name":
            if value != table_name and doc is not None:
                problems.append(doc.diagnostic(f"/Tags/{i}", "DDB406", f"the Name tag {value!r} becomes the table "
                                               f"name {table_name!r}, as the module writes it", Severity.WARNING))
            continue
        if isinstance(key, str) and not key.lower().startswith("aws:") and environment.cloud_tags.get(key) != value:
            found[key] = value
    return found


def _autoscaling(reader: _Reader, table_name: str, adv: dict[str, Any], problems: list[Diagnostic]) -> None:
    """Application Auto Scaling targets and target-tracking policies of the table and its GSIs, as the
    synthesizer writes them back (synth._autoscaling): per table side min/max and policy tuning; per index
    each side's min/max (one side may scale alone) and one policy tuning shared by both sides."""
    targets, _ = reader.get("ScalableTargets")
    policies, policy_doc = reader.get("ScalingPolicies")
    if not isinstance(targets, list) or not targets:
        return
    by_dim = {(t.get("ResourceId"), t.get("ScalableDimension")): t for t in targets if isinstance(t, dict)}
    target_values = {(p.get("ResourceId"), p.get("ScalableDimension")):
                     (p.get("TargetTrackingScalingPolicyConfiguration") or {})
                     for p in (policies if isinstance(policies, list) else []) if isinstance(p, dict)}
    base = f"table/{table_name}"

    def tuning(resource_id: str, dim: str) -> dict[str, Any]:
        policy = target_values.get((resource_id, dim), {})
        return {key: policy[source] for key, source in (("target_value", "TargetValue"),
                                                        ("scale_in_cooldown", "ScaleInCooldown"),
                                                        ("scale_out_cooldown", "ScaleOutCooldown"))
                if source in policy}

    def settings(resource_id: str, dim: str) -> dict[str, Any]:
        t = by_dim.get((resource_id, dim))
        if t is None:
            return {}
        return {"min_capacity": t.get("MinCapacity"), "max_capacity": t.get("MaxCapacity"),
                **tuning(resource_id, dim)}

    read = settings(base, "dynamodb:table:ReadCapacityUnits")
    write = settings(base, "dynamodb:table:WriteCapacityUnits")
    if read or write:
        adv["autoscaling_enabled"] = True
        if read:
            adv["autoscaling_read"] = read
        if write:
            adv["autoscaling_write"] = write
    indexes: dict[str, Any] = {}
    tunings: dict[str, list[dict[str, Any]]] = {}
    for resource_id, dim in sorted(by_dim, key=str):
        if isinstance(resource_id, str) and resource_id.startswith(base + "/index/"):
            name = resource_id.rsplit("/", 1)[1]
            side = "read" if str(dim).endswith("ReadCapacityUnits") else "write"
            found = settings(resource_id, dim)
            entry = indexes.setdefault(name, {})
            entry[f"{side}_min_capacity"] = found.get("min_capacity")
            entry[f"{side}_max_capacity"] = found.get("max_capacity")
            tunings.setdefault(name, []).append({**DEFAULT_AUTOSCALING, **tuning(resource_id, dim)})
    for name, found in tunings.items():
        if any(t != found[0] for t in found) and policy_doc is not None:
            _refuse(policy_doc, "/ScalingPolicies", f"different scaling policies for the read and write capacity "
                    f"of index {name!r}", problems, "autoscaling_indexes holds one policy tuning per index")
        indexes[name].update({k: v for k, v in found[0].items() if DEFAULT_AUTOSCALING.get(k) != v})
    if indexes:
        adv["autoscaling_enabled"] = True
        adv["autoscaling_indexes"] = indexes


def _insights_and_kinesis(reader: _Reader, adv: dict[str, Any], problems: list[Diagnostic],
                          schema_fields: set[str]) -> None:
    """Contributor insights of the table and of each GSI (one describe-contributor-insights output each; an
    output with IndexName is the index's) and the Kinesis streaming destination
    (describe-kinesis-streaming-destination), or DDB405 where the schema cannot write them."""
    gsis = {g.get("name"): g for g in adv.get("global_secondary_indexes", [])}
    for insights, doc in reader.each("ContributorInsightsStatus"):
        if insights not in ("ENABLED", "ENABLING"):
            continue
        index = doc.data.get("IndexName")
        mode = doc.data.get("ContributorInsightsMode")
        setting = {"mode": mode} if mode and mode != "ACCESSED_AND_THROTTLED_KEYS" else {}
        if index is None:
            if "contributor_insights" not in schema_fields:
                _refuse(doc, "/ContributorInsightsStatus", "the table's contributor insights", problems)
            else:
                adv["contributor_insights"] = setting
        elif index in gsis:
            gsis[index]["contributor_insights"] = setting
        else:
            problems.append(doc.diagnostic("/IndexName", "DDB403", f"contributor insights of index {index!r}, "
                                           "which the describe-table output does not have: give the outputs of "
                                           "one table"))
    streams, doc = reader.get("KinesisDataStreamDestinations")
    active = [s for s in streams or [] if isinstance(s, dict) and s.get("DestinationStatus") in ("ACTIVE", "ENABLING")]
    if active and doc is not None:
        if "kinesis_streaming_destinations" not in schema_fields:
            _refuse(doc, "/KinesisDataStreamDestinations", "the Kinesis streaming destination", problems)
        else:
            adv["kinesis_streaming_destinations"] = [
                {"stream_arn": s.get("StreamArn"), **({"approximate_creation_date_time_precision": precision}
                                                      if (precision := s.get("ApproximateCreationDateTimePrecision"))
                                                      not in (None, DEFAULT_PRECISION) else {})}
                for s in active]


# -- the document as the table sees it ----------------------------------------------------------------

def normalize(resource: Resource, environment: Environment) -> dict[str, Any]:
    """Defaults written out, attributes keyed by their name, effective tags, nothing the table never sees
    (timeouts, capacities autoscaling manages, ``$schema``, envelope), so equal tables compare equal whichever
    way their specs were written. Autoscaling is compared per dimension (``table:read``, ``index:NAME:write``)
    as synthesized: min/max capacity and the target-tracking policy, defaults resolved."""
    from .synth import scalings, statement

    t = Table(resource, environment.name)
    adv = t.adv
    provisioned = t.billing_mode == PROVISIONED
    managed_capacity = provisioned and t.flag("autoscaling_enabled")
    out: dict[str, Any] = {
        "table_name": t.name, "billing_mode": t.billing_mode, "range_key": t.range_key,
        "stream_enabled": t.flag("stream_enabled"),
        "stream_view_type": adv.get("stream_view_type") if t.flag("stream_enabled") else None,
        "server_side_encryption_enabled": t.flag("server_side_encryption_enabled"),
        "server_side_encryption_kms_key_arn": adv.get("server_side_encryption_kms_key_arn")
        if t.flag("server_side_encryption_enabled") else None,
        "point_in_time_recovery_enabled": t.flag("point_in_time_recovery_enabled"),
        "point_in_time_recovery_period_in_days": adv.get("point_in_time_recovery_period_in_days", DEFAULT_PITR_DAYS)
        if t.flag("point_in_time_recovery_enabled") else None,
        "ttl_enabled": t.flag("ttl_enabled"),
        "ttl_attribute_name": adv.get("ttl_attribute_name") if t.flag("ttl_enabled") else None,
        "table_class": adv.get("table_class") or "STANDARD",  # the provider's default
        "deletion_protection_enabled": t.flag("deletion_protection_enabled"),
        "tags": {k: v for k, v in t.tags(environment.cloud_tags).items() if k != "Name"},
    }
    if provisioned and not managed_capacity:
        out.update(read_capacity=adv.get("read_capacity"), write_capacity=adv.get("write_capacity"))
    out.update(_throughput_settings(adv, provisioned, adv))
    if "contributor_insights" in adv:
        out["contributor_insights"] = _insights(adv.get("contributor_insights"))

    def index(entry: dict[str, Any], gsi: bool) -> dict[str, Any]:
        found = {"name": entry.get("name"), "range_key": entry.get("range_key"),
                 "projection_type": entry.get("projection_type") or "ALL",
                 "non_key_attributes": sorted(entry.get("non_key_attributes") or [])}
        if gsi:
            found["hash_key"] = entry.get("hash_key")
            if provisioned and not managed_capacity:
                found.update(read_capacity=entry.get("read_capacity"), write_capacity=entry.get("write_capacity"))
            found.update(_throughput_settings(entry, provisioned, entry))
            if "contributor_insights" in entry:
                found["contributor_insights"] = _insights(entry.get("contributor_insights"))
        return {k: v for k, v in found.items() if v not in (None, [])}

    out["global_secondary_indexes"] = sorted((index(g, True) for _, g in t.gsis), key=lambda g: str(g.get("name")))
    out["local_secondary_indexes"] = sorted((index(x, False) for _, x in t.lsis), key=lambda x: str(x.get("name")))
    out["replica_regions"] = sorted(({"region_name": r.get("region_name"), "kms_key_arn": r.get("kms_key_arn"),
                                      "consistency_mode": r.get("consistency_mode") or "EVENTUAL",
                                      "deletion_protection_enabled": r.get("deletion_protection_enabled") is True,
                                      "point_in_time_recovery": r.get("point_in_time_recovery") is True,
                                      "propagate_tags": r.get("propagate_tags") is True}
                                     for _, r in t.replicas), key=lambda r: str(r.get("region_name")))
    out["replica_regions"] = [{k: v for k, v in r.items() if v is not None} for r in out["replica_regions"]]
    witness = t.obj("global_table_witness").get("region_name")
    out["global_table_witness"] = witness
    out["kinesis_streaming_destinations"] = sorted(({
        "stream_arn": d.get("stream_arn"),
        "approximate_creation_date_time_precision": d.get("approximate_creation_date_time_precision")
        or DEFAULT_PRECISION} for _, d in t.kinesis_destinations), key=lambda d: str(d["stream_arn"]))
    for key in ("resource_policy_statements", "stream_resource_policy_statements"):  # as the policy renders them
        rendered = {str(body.get("Sid")): body for body in (statement(sid, given, "<own ARN>")
                                                            for sid, given in t.statements(key))}
        out[key] = {sid: {k: sorted(v) if isinstance(v, list) and all(isinstance(x, str) for x in v) else v
                          for k, v in body.items()} for sid, body in sorted(rendered.items())} or None
    if t.flag("autoscaling_enabled") and provisioned:
        out["autoscaling"] = {f"{'table' if s['index'] is None else 'index:' + str(s['index'])}:{s['side']}": {
            k: s[k] for k in ("min_capacity", "max_capacity", "target_value", "scale_in_cooldown",
                              "scale_out_cooldown")} for s in scalings(t)}
    attributes = {str(a.name): {"name": a.name, "type": a.type} for a in t.attributes}
    return {"kind": resource.kind, "flavor": resource.flavor, "version": resource.version,
            "metadata": {"name": resource.name},
            "spec": {"attributes": dict(sorted(attributes.items())), "hash_key": t.hash_key},
            "advanced": {"aws_dynamodb": {k: v for k, v in out.items() if v is not None}}}


def _insights(value: Any) -> dict[str, Any]:
    mode = value.get("mode") if isinstance(value, dict) else None
    return {"mode": mode or "ACCESSED_AND_THROTTLED_KEYS"}


def _throughput_settings(node: dict[str, Any], provisioned: bool, capacity: dict[str, Any]) -> dict[str, Any]:
    """On-demand limits (-1 is no limit, as absent) and warm throughput above what DynamoDB starts a table or
    index at (see :data:`ON_DEMAND_WARM`), so a table whose warm throughput nobody raised compares equal."""
    found: dict[str, Any] = {}
    on_demand = node.get("on_demand_throughput")
    if isinstance(on_demand, dict):
        limits = {k: v for k, v in on_demand.items() if isinstance(v, int) and v > 0}
        if limits:
            found["on_demand_throughput"] = dict(sorted(limits.items()))
    warm = node.get("warm_throughput")
    if isinstance(warm, dict):
        floors = ((capacity.get("read_capacity") or 0, capacity.get("write_capacity") or 0) if provisioned
                  else ON_DEMAND_WARM)
        raised = {k: warm[k] for (k, _), floor in zip(_WARM, floors, strict=True)
                  if isinstance(warm.get(k), int) and warm[k] > floor}
        if raised:
            found["warm_throughput"] = raised
    return found


# -- reading AWS --------------------------------------------------------------------------------------

def _every_tag(client: Any, ResourceArn: str) -> dict[str, Any]:
    """ListTagsOfResource answers 10 tags a page: follow NextToken (a table may have 50)."""
    tags: list[Any] = []
    token = None
    while True:
        page = client.list_tags_of_resource(ResourceArn=ResourceArn, **({"NextToken": token} if token else {}))
        tags += page.get("Tags", [])
        token = page.get("NextToken")
        if not token:
            return {"Tags": tags}


def fetch_live(cloud_name: str, environment: Environment) -> list[Document]:
    """The describe outputs of table ``cloud_name`` in the environment's region (boto3, the standard credential
    chain; ``AWS_ENDPOINT_URL`` points it at LocalStack or moto server)."""

    import boto3
    import botocore.exceptions

    from facets_dynamo.plugin import parse_text

    def call(fn: Any, label: str, **kwargs: Any) -> Document:
        try:
            answer = fn(**kwargs)
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException" and label == "describe-table":
                raise CloudError(f"no table {cloud_name!r} in {environment.region}", missing=True) from exc
            raise CloudError(f"{label} {cloud_name}: {code or exc}") from exc
        except (botocore.exceptions.BotoCoreError, OSError) as exc:
            raise CloudError(f"{label} {cloud_name}: {exc}") from exc
        answer.pop("ResponseMetadata", None)
        doc, problems = parse_text(json.dumps(answer, default=str, indent=2), f"<aws:{label} {cloud_name}>")
        if doc is None:
            raise CloudError(f"{label} {cloud_name}: {problems[0].message if problems else 'unreadable answer'}")
        return doc

    session = boto3.session.Session(region_name=environment.region)
    dynamodb = session.client("dynamodb")
    described = call(dynamodb.describe_table, "describe-table", TableName=cloud_name)
    arn = described.data["Table"].get("TableArn", "")
    documents = [described, call(dynamodb.describe_time_to_live, "describe-time-to-live", TableName=cloud_name),
                 call(dynamodb.describe_continuous_backups, "describe-continuous-backups", TableName=cloud_name)]
    if arn:
        documents.append(call(lambda **kw: _every_tag(dynamodb, **kw), "list-tags-of-resource", ResourceArn=arn))
    table = described.data["Table"]
    documents.append(call(dynamodb.describe_contributor_insights, "describe-contributor-insights",
                          TableName=cloud_name))
    for index in table.get("GlobalSecondaryIndexes") or []:  # each index has its own setting
        documents.append(call(dynamodb.describe_contributor_insights, "describe-contributor-insights",
                              TableName=cloud_name, IndexName=index["IndexName"]))
    documents.append(call(dynamodb.describe_kinesis_streaming_destination, "describe-kinesis-streaming-destination",
                          TableName=cloud_name))
    for replica in table.get("Replicas") or []:  # the replica's own settings (deletion protection, PITR) there
        if replica.get("RegionName"):
            there = session.client("dynamodb", region_name=replica["RegionName"])
            documents.append(call(there.describe_table, f"describe-table ({replica['RegionName']})",
                                  TableName=cloud_name))
            documents.append(call(there.describe_continuous_backups,
                                  f"describe-continuous-backups ({replica['RegionName']})", TableName=cloud_name))
            replica_arn = arn.replace(f":{environment.region}:", f":{replica['RegionName']}:", 1)
            documents.append(call(lambda client=there, **kw: _every_tag(client, **kw), f"list-tags-of-resource "
                                  f"({replica['RegionName']})", ResourceArn=replica_arn))
    for resource_arn in (arn, table.get("LatestStreamArn")):  # resource-based policies: the table's, its stream's
        if resource_arn:
            try:
                documents.append(call(dynamodb.get_resource_policy, "get-resource-policy", ResourceArn=resource_arn))
            except CloudError as exc:
                if "PolicyNotFoundException" not in str(exc):
                    raise
    key = (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")
    if key:  # tells the AWS managed key from the customer's own
        documents.append(call(session.client("kms").describe_key, "kms describe-key", KeyId=key))
    scaling = session.client("application-autoscaling")
    # only this table's and its indexes' targets, every page (an account's other tables fill pages of 50)
    ids = [f"table/{cloud_name}", *(f"table/{cloud_name}/index/{g['IndexName']}"
                                    for g in table.get("GlobalSecondaryIndexes") or [])]
    documents.append(call(lambda **kw: _pages(scaling, "describe_scalable_targets", "ScalableTargets", **kw),
                          "describe-scalable-targets", ServiceNamespace="dynamodb", ResourceIds=ids))
    documents.append(call(lambda **kw: {"ScalingPolicies": [p for resource_id in ids for p in _pages(
        scaling, "describe_scaling_policies", "ScalingPolicies", ResourceId=resource_id, **kw)["ScalingPolicies"]]},
        "describe-scaling-policies", ServiceNamespace="dynamodb"))
    return documents


def _pages(client: Any, method: str, key: str, **kwargs: Any) -> dict[str, Any]:
    """Every page of a paginated Application Auto Scaling answer, as one answer."""
    found: list[Any] = []
    for page in client.get_paginator(method).paginate(**kwargs):
        found += page.get(key, [])
    return {key: found}
