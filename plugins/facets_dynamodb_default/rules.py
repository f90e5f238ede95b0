"""The rules DynamoDB and the Terraform AWS provider enforce, checked before Terraform runs.

Each rule is a small generator registered with ``@rule``; each diagnostic code belongs to one rule so a
pipeline can grep for it, and every message names the bad value and says how to fix it. Rules see
documents that may also have schema errors and must not raise on wrong types.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from fnmatch import fnmatchcase
from typing import Any

from facets_dynamo.plugin import Diagnostic, Resource, Severity, ValidationContext, without_references

from .model import BASE, PAY_PER_REQUEST, PROVISIONED, Table

Rule = Callable[[Table, Resource, ValidationContext], Iterator[Diagnostic]]
RULES: list[Rule] = []
NAME_RE = re.compile(r"^[a-zA-Z0-9_.-]{3,255}\Z")  # \Z: "$" would accept a trailing newline
POLICY_NAME_RE = re.compile(r"^[\w+=,.@-]+$")
POLICY_NAME_MAX = 128
MAX_GSI, MAX_LSI, MAX_NON_KEY, MAX_TAGS = 20, 5, 100, 50
KNOWN_TOP_LEVEL = {"$schema", "kind", "flavor", "version", "lifecycle", "disabled", "conditional_on_intent",
                   "provided", "depends_on", "metadata", "spec", "advanced", "out"}
WARN = Severity.WARNING
TAG_SPECIALS = set("+-=._:/@")
# The same test as TAG_SPECIALS with str.isalnum/str.isspace, in one regex call for a whole tag (the common case:
# nothing to report). \w is exactly isalnum() plus "_", \s exactly isspace() (checked for every code point).
TAG_TEXT = re.compile(r"[\w\s+=.:/@-]*")


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


def check(resource: Resource, ctx: ValidationContext, table: Table | None = None) -> list[Diagnostic]:
    table = table if table is not None else Table(resource, ctx.environment.name)
    return [d for r in RULES for d in r(table, resource, ctx)]


# -- keys and attributes ---------------------------------------------------------------------------

@rule
def hash_key_declared(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if r.provided or not isinstance(t.hash_key, str):
        return
    declared = t.declared_names
    if t.hash_key not in declared:
        names = ", ".join(sorted(declared)) or "none"
        yield r.diagnostic("/spec/hash_key", "DDB101", f"hash_key {t.hash_key!r} is not a declared attribute "
                           f"name (declared: {names}); add {{\"name\": \"{t.hash_key}\", \"type\": \"S\"}} to "
                           "spec.attributes or pick a declared name")


@rule
def other_keys_declared(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    declared = t.declared_names
    for pointer, name in t.key_uses()[1:]:
        if isinstance(name, str) and name not in declared:
            yield r.diagnostic(pointer, "DDB109", f"key {name!r} is not a declared attribute; declare it in "
                               "spec.attributes with its type (S, N or B)")


@rule
def attributes_used(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if r.provided:
        return
    used = {name for _, name in t.key_uses() if isinstance(name, str)}
    for a in t.attributes:
        if isinstance(a.name, str) and a.name not in used:
            yield r.diagnostic(a.pointer, "DDB102", f"attribute {a.name!r} ({a.logical_id}) is not used by any "
                               "key of the table or its indexes; DynamoDB rejects unused attribute "
                               "definitions: remove it or use it as a key", key=True)


@rule
def attributes_unique(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    first: dict[str, Any] = {}
    for a in t.attributes:
        if not isinstance(a.name, str):
            continue
        if a.name in first:
            prior = first[a.name]
            if a.type != prior.type:
                yield r.diagnostic(a.pointer + "/type", "DDB104", f"attribute {a.name!r} is declared as "
                                   f"{prior.type!r} in {prior.logical_id} and {a.type!r} in {a.logical_id}; "
                                   "an attribute has exactly one type")
            else:
                yield r.diagnostic(a.pointer + "/name", "DDB103", f"attribute {a.name!r} is declared twice "
                                   f"({prior.logical_id} and {a.logical_id}); remove one")
        else:
            first[a.name] = a


@rule
def distinct_key_parts(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # (index, holder): -1 for the table itself; pointer and label are only built for a pair that fires
    pairs = [(-1, None, t.hash_key, t.range_key)] + [(i, g, g.get("hash_key"), g.get("range_key")) for i, g in t.gsis]
    for i, g, hash_key, range_key in pairs:
        if isinstance(range_key, str) and range_key == hash_key:
            pointer, what = ((f"{BASE}/range_key", "the table") if g is None else
                             (f"{BASE}/global_secondary_indexes/{i}/range_key", f"index {g.get('name')!r}"))
            yield r.diagnostic(pointer, "DDB138", f"range_key {range_key!r} of {what} is also its hash_key; "
                               "DynamoDB needs two different attributes: pick another range_key or drop it")


@rule
def key_name_length(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    for a in t.attributes:
        if isinstance(a.name, str) and not 1 <= len(a.name.encode("utf-8")) <= 255:
            yield r.diagnostic(a.pointer + "/name", "DDB107", f"attribute name {_short(a.name)} is "
                               f"{len(a.name.encode('utf-8'))} bytes; key attribute names must be 1-255 bytes")


# -- names -----------------------------------------------------------------------------------------

@rule
def table_name(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if r.provided:
        return
    explicit = isinstance(t.adv.get("table_name"), str)
    if not NAME_RE.match(t.name):
        pointer = f"{BASE}/table_name" if explicit else "/metadata/name" if r.metadata.get("name") == r.name else ""
        how = ("(table_name)" if explicit else "(<name>-<environment>)")
        yield r.diagnostic(pointer, "DDB105", f"table name {_short(t.name)} {how} breaks "
                           "DynamoDB naming: 3-255 characters of letters, digits, '_', '.', '-'; "
                           + ("fix table_name" if explicit else
                              "rename the resource (metadata.name) or the environment"))
    ro, _ = t.policy_names
    if len(ro) > POLICY_NAME_MAX or not POLICY_NAME_RE.match(ro):
        yield r.diagnostic("", "DDB136", f"IAM policy name {_short(ro)} (<env>-<table>_ro) must be at most "
                           f"{POLICY_NAME_MAX} characters of [A-Za-z0-9_+=,.@-]; shorten the resource name")


@rule
def index_names(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    seen: dict[str, str] = {}
    for kind, items in (("global_secondary_indexes", t.gsis), ("local_secondary_indexes", t.lsis)):
        for i, index in items:
            name = index.get("name")
            if not isinstance(name, str):
                continue
            pointer = f"{BASE}/{kind}/{i}/name"
            if not NAME_RE.match(name):
                yield r.diagnostic(pointer, "DDB106", f"index name {_short(name)} ({len(name)} characters) must be "
                                   "3-255 characters of letters, digits, '_', '.', '-'; rename the index")
            if name in seen:
                yield r.diagnostic(pointer, "DDB119", f"index name {name!r} is used twice ({seen[name]} and "
                                   f"{pointer}); index names must be unique within the table")
            seen.setdefault(name, pointer)


@rule
def create_table(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if t.adv.get("create_table") is False:
        yield r.diagnostic(f"{BASE}/create_table", "DDB139", "create_table false would leave IAM policies "
                           "and outputs pointing at no table; use \"disabled\": true to skip this resource, or "
                           "\"provided\": true with out.attributes for a table that exists already")


# -- capacity and billing --------------------------------------------------------------------------

@rule
def capacity_matches_billing(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    mode = t.billing_mode
    for i, holder in _table_and_gsis(t):
        for key in ("read_capacity", "write_capacity"):
            value = holder.get(key)
            if mode == PROVISIONED:
                if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    base, what = _place(i, holder)
                    yield r.diagnostic(f"{base}/{key}" if value is not None else base, "DDB110",
                                       f"PROVISIONED billing needs {key} >= 1 for {what}"
                                       f"{'' if value is None else f' (got {value!r})'}; set it, or use "
                                       "billing_mode PAY_PER_REQUEST")
            elif mode == PAY_PER_REQUEST and value is not None:
                base, what = _place(i, holder)
                yield r.diagnostic(f"{base}/{key}", "DDB111", f"{key} ({value!r}) on {what} is not allowed with "
                                   "PAY_PER_REQUEST billing; remove it or set billing_mode PROVISIONED")


@rule
def autoscaling(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    scaling_keys = [k for k in ("autoscaling_read", "autoscaling_write", "autoscaling_indexes") if k in t.adv]
    if not t.flag("autoscaling_enabled"):
        for key in scaling_keys:
            yield r.diagnostic(f"{BASE}/{key}", "DDB130", f"{key} has no effect without autoscaling_enabled: "
                               "true; enable autoscaling or remove it", WARN)
        return
    if t.billing_mode != PROVISIONED:
        yield r.diagnostic(f"{BASE}/autoscaling_enabled", "DDB131", "autoscaling needs billing_mode "
                           "PROVISIONED (on-demand tables scale by themselves); set billing_mode or turn "
                           "autoscaling off")
    if not {"autoscaling_read", "autoscaling_write"} & set(scaling_keys):
        yield r.diagnostic(f"{BASE}/autoscaling_enabled", "DDB132", "autoscaling_enabled without "
                           "autoscaling_read or autoscaling_write scales nothing; add "
                           "{\"max_capacity\": N} for read and/or write")
    for key, cap in (("autoscaling_read", "read_capacity"), ("autoscaling_write", "write_capacity")):
        cfg = t.adv.get(key)
        if isinstance(cfg, dict):
            low = cfg.get("min_capacity", t.adv.get(cap))
            high = cfg.get("max_capacity")
            if _num(low) and _num(high) and low > high:
                yield r.diagnostic(f"{BASE}/{key}", "DDB133", f"{key}: min capacity {low} is above max_capacity "
                                   f"{high}; raise max_capacity or lower the minimum")
    indexes = t.adv.get("autoscaling_indexes")
    gsi_names = {g.get("name") for _, g in t.gsis if isinstance(g.get("name"), str)}  # a list name is unhashable
    if isinstance(indexes, dict):
        for name, cfg in indexes.items():
            if name not in gsi_names:
                yield r.diagnostic(f"{BASE}/autoscaling_indexes/{name}", "DDB134", f"autoscaling_indexes names "
                                   f"{name!r}, which is not a global secondary index of this table (GSIs: "
                                   f"{', '.join(sorted(str(n) for n in gsi_names)) or 'none'}); use a GSI "
                                   "name or remove the entry", key=True)
            elif isinstance(cfg, dict):
                for side in ("read", "write"):
                    low, high = cfg.get(f"{side}_min_capacity"), cfg.get(f"{side}_max_capacity")
                    if _num(low) and _num(high) and low > high:
                        yield r.diagnostic(f"{BASE}/autoscaling_indexes/{name}", "DDB133",
                                           f"index {name!r}: {side}_min_capacity {low} is above "
                                           f"{side}_max_capacity {high}; raise the maximum or lower the "
                                           "minimum")


# -- streams, TTL, recovery, encryption, replicas --------------------------------------------------

@rule
def streams(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    view = t.adv.get("stream_view_type")
    if t.flag("stream_enabled") and not view:
        yield r.diagnostic(f"{BASE}/stream_enabled", "DDB112", "stream_enabled needs stream_view_type: one "
                           "of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES")
    if view and not t.flag("stream_enabled"):
        # A warning: an environment override commonly turns the stream off and leaves the view type.
        yield r.diagnostic(f"{BASE}/stream_view_type", "DDB113", f"stream_view_type {view!r} is ignored because "
                           "stream_enabled is not true; enable the stream or remove stream_view_type", WARN)


@rule
def ttl(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    name = t.adv.get("ttl_attribute_name")
    if t.flag("ttl_enabled") and not (isinstance(name, str) and name.strip()):
        yield r.diagnostic(f"{BASE}/ttl_enabled", "DDB114", "ttl_enabled needs a non-empty "
                           "ttl_attribute_name (the attribute holding the expiry epoch seconds)")
    elif not t.flag("ttl_enabled") and isinstance(name, str) and name:
        yield r.diagnostic(f"{BASE}/ttl_attribute_name", "DDB115", f"ttl_attribute_name {name!r} is ignored "
                           "because ttl_enabled is not true", WARN)


@rule
def recovery(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    days = t.adv.get("point_in_time_recovery_period_in_days")
    if days is None:
        return
    pointer = f"{BASE}/point_in_time_recovery_period_in_days"
    if _num(days) and not 1 <= days <= 35:
        yield r.diagnostic(pointer, "DDB123", f"point-in-time recovery period {days!r} days is outside 1-35; "
                           "pick 1-35 (35 is the AWS default)")
    if not t.flag("point_in_time_recovery_enabled"):
        yield r.diagnostic(pointer, "DDB124", f"recovery period {days!r} is ignored without "
                           "point_in_time_recovery_enabled: true; enable it or remove the period", WARN)


@rule
def encryption(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if t.adv.get("server_side_encryption_kms_key_arn") and not t.flag("server_side_encryption_enabled"):
        yield r.diagnostic(f"{BASE}/server_side_encryption_kms_key_arn", "DDB137", f"KMS key ARN "
                           f"{_short(str(t.adv.get('server_side_encryption_kms_key_arn')))} is ignored without "
                           "server_side_encryption_enabled: true (the AWS owned key is used); "
                           "enable it or remove the ARN", WARN)


@rule
def replicas(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if not t.replicas:
        return
    seen: set[Any] = set()
    for i, rep in t.replicas:
        region = rep.get("region_name")
        pointer = f"{BASE}/replica_regions/{i}/region_name"
        if not isinstance(region, str):  # the schema reports the type; a list would not even hash
            continue
        if region in seen:
            yield r.diagnostic(pointer, "DDB125", f"replica region {region!r} is listed twice; list each once")
        if region == ctx.environment.region:
            yield r.diagnostic(pointer, "DDB126", f"replica region {region!r} is the table's own region "
                               f"(environment {ctx.environment.name!r}); replicas go to other regions")
        seen.add(region)
    if not t.flag("stream_enabled") or t.adv.get("stream_view_type") != "NEW_AND_OLD_IMAGES":
        yield r.diagnostic(f"{BASE}/replica_regions", "DDB135", "replicas need stream_enabled: true with "
                           "stream_view_type NEW_AND_OLD_IMAGES (got stream_enabled "
                           f"{t.adv.get('stream_enabled')!r}, stream_view_type {t.adv.get('stream_view_type')!r}); "
                           "set both")


# -- indexes ---------------------------------------------------------------------------------------

@rule
def index_limits(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if len(t.gsis) > MAX_GSI:
        yield r.diagnostic(f"{BASE}/global_secondary_indexes", "DDB116", f"{len(t.gsis)} global secondary "
                           f"indexes; the default AWS quota is {MAX_GSI} per table: remove "
                           f"{len(t.gsis) - MAX_GSI} (or raise the quota with AWS first)")
    if len(t.lsis) > MAX_LSI:
        yield r.diagnostic(f"{BASE}/local_secondary_indexes", "DDB117", f"{len(t.lsis)} local secondary "
                           f"indexes; DynamoDB allows at most {MAX_LSI} per table: remove {len(t.lsis) - MAX_LSI}")
    if t.lsis and t.range_key is None:
        yield r.diagnostic(f"{BASE}/local_secondary_indexes", "DDB118", "local secondary indexes need a table "
                           "range_key (they share the table's partition key); set advanced.aws_dynamodb.range_key")


@rule
def projections(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    total = 0
    for kind, items in (("global_secondary_indexes", t.gsis), ("local_secondary_indexes", t.lsis)):
        for i, index in items:
            extra = index.get("non_key_attributes")
            if index.get("projection_type") == "INCLUDE" and not extra:
                yield r.diagnostic(f"{BASE}/{kind}/{i}/projection_type", "DDB120", f"index {index.get('name')!r}: "
                                   "projection_type INCLUDE needs non_key_attributes (the attributes to copy)")
            elif index.get("projection_type") in ("ALL", "KEYS_ONLY") and extra:
                yield r.diagnostic(f"{BASE}/{kind}/{i}/non_key_attributes", "DDB121", f"index {index.get('name')!r}: "
                                   f"non_key_attributes are only allowed with projection_type INCLUDE, not "
                                   f"{index.get('projection_type')}")
            if isinstance(extra, list):
                total += len(extra)
    if total > MAX_NON_KEY:
        yield r.diagnostic(BASE, "DDB122", f"{total} non-key attributes projected across indexes; DynamoDB "
                           f"allows at most {MAX_NON_KEY} in all: project fewer, or use projection_type ALL")


# -- tags and unknown fields -----------------------------------------------------------------------

@rule
def tags(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    merged = t.tags(ctx.environment.cloud_tags)
    if len(merged) > MAX_TAGS:
        yield r.diagnostic(f"{BASE}/tags" if "tags" in t.adv else "/metadata/tags", "DDB127",
                           f"the table would get {len(merged)} tags (cloud tags + metadata.tags + advanced tags "
                           f"+ Name); AWS allows at most {MAX_TAGS}: remove {len(merged) - MAX_TAGS}")
    for base, source in (("/metadata/tags", r.metadata.get("tags")), (f"{BASE}/tags", t.adv.get("tags"))):
        if not isinstance(source, dict):
            continue
        for key, value in source.items():
            bad_length = not 1 <= len(key) <= 128
            reserved = key.lower().startswith("aws:")
            text = key + (without_references(value) if isinstance(value, str) else "")
            bad = [] if TAG_TEXT.fullmatch(text) else sorted(
                {c for c in text if not (c.isalnum() or c.isspace() or c in TAG_SPECIALS)})
            long_value = isinstance(value, str) and len(value) > 256
            if not (bad_length or reserved or bad or long_value):
                continue  # the usual case: no pointer to build
            pointer = f"{base}/{_escape_pointer(key)}"
            if bad_length:
                yield r.diagnostic(pointer, "DDB128", f"tag key {_short(key)} is {len(key)} characters; tag "
                                   "keys are 1-128: shorten it", key=True)
            if reserved:
                yield r.diagnostic(pointer, "DDB140", f"tag key {_short(key)} uses the reserved prefix 'aws:'; "
                                   "AWS rejects it: rename the tag", key=True)
            if bad:
                yield r.diagnostic(pointer, "DDB141", f"tag {key!r} uses {''.join(bad)!r}: DynamoDB tag keys and "
                                   "values allow letters, digits, spaces and + - = . _ : / @ only; AWS may "
                                   "reject the tag", WARN, key=True)
            if long_value:
                yield r.diagnostic(pointer, "DDB129", f"tag {key!r} value {_short(value)} is {len(value)} "
                                   "characters; tag values are at most 256: shorten it")


@rule
def unknown_fields(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    for key in r.data:
        if key not in KNOWN_TOP_LEVEL:
            yield r.diagnostic(f"/{_escape_pointer(key)}", "DDB190", f"unknown top-level field {key!r} is "
                               "ignored; remove it or fix its spelling", WARN, key=True)
    for key in r.advanced:
        if key != "aws_dynamodb":
            yield r.diagnostic(f"/advanced/{_escape_pointer(key)}", "DDB191", f"advanced.{key} is ignored by "
                               "this flavor (it reads advanced.aws_dynamodb)", WARN, key=True)
    if r.provided and r.spec:
        yield r.diagnostic("/spec", "DDB192", "a provided resource is not synthesized, so its spec is ignored",
                           WARN, key=True)


def _table_and_gsis(t: Table) -> list[tuple[int, dict[str, Any]]]:
    """The table's settings (index -1) and each global secondary index: the places that take capacity and
    throughput settings."""
    return [(-1, t.adv), *t.gsis]


def _place(i: int, holder: dict[str, Any]) -> tuple[str, str]:
    """Pointer and label of a place from :func:`_table_and_gsis`; built only for a diagnostic (most checks find
    nothing, and formatting these for every index was a good part of the rules' cost)."""
    if i < 0:
        return BASE, "the table"
    return f"{BASE}/global_secondary_indexes/{i}", f"index {holder.get('name')!r}"


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# -- issue 13: the 2026 surface ----------------------------------------------------------------------
# Each limit names its source: the AWS DynamoDB Developer Guide / API Reference page, or the Terraform AWS
# provider file (internal/service/dynamodb/table.go and the other resources' files).

ON_DEMAND_SIDES = ("max_read_request_units", "max_write_request_units")
# AWS docs "Understanding DynamoDB warm throughput": an on-demand table or index starts warm at 12,000 read and
# 4,000 write units per second and a requested warm throughput cannot be lower than that; a PROVISIONED one
# cannot be lower than its provisioned capacity. CreateTable's own errors say so ("Requested ReadUnitsPerSecond
# for WarmThroughput for table is lower than initial throughput for OnDemand" / "... than ReadCapacityUnits of
# ProvisionedThroughput"), as moto reproduces them. The provider does not check it (table.go: Optional+Computed).
WARM_MIN = {"read_units_per_second": 12_000, "write_units_per_second": 4_000}
WARM_CAPACITY = {"read_units_per_second": "read_capacity", "write_units_per_second": "write_capacity"}
POLICY_MAX_BYTES = 20 * 1024  # AWS docs "Resource-based policy considerations": a policy document is at most 20 KB
# AWS docs "Resource-based policy for DynamoDB streams": a stream policy allows read-only stream actions only.
STREAM_ACTIONS = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams"}
# provider table.go: restore_date_time ValidateFunc verify.ValidUTCTimestamp (RFC 3339 in UTC, "Z")
UTC_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\Z")


@rule
def name_tag(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # upstream (the Facets module) merges {Name = <table name>} last; say so instead of dropping it silently
    for pointer in t.user_name_tags():
        yield r.diagnostic(pointer, "DDB142", f"tag 'Name' is replaced by the table name {t.name!r} (the flavor "
                           "always sets Name); use another tag key to keep this value", WARN, key=True)


@rule
def replicas_need_scalable_writes(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # AWS docs "Global tables: requirements" / UpdateTable ReplicaUpdates: a PROVISIONED global table (2019.11.21)
    # must autoscale its write capacity: "Table write capacity should either be Pay-Per-Request or AutoScaled".
    if t.replicas and t.billing_mode == PROVISIONED and not (
            t.flag("autoscaling_enabled") and isinstance(t.adv.get("autoscaling_write"), dict)):
        yield r.diagnostic(f"{BASE}/replica_regions", "DDB143", "replicas on a PROVISIONED table need write "
                           "autoscaling (DynamoDB: \"Table write capacity should either be Pay-Per-Request or "
                           "AutoScaled\"); set autoscaling_enabled with autoscaling_write, or billing_mode "
                           "PAY_PER_REQUEST")


@rule
def lsi_range_is_not_hash(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # CreateTable (API Reference, LocalSecondaryIndex.KeySchema): an LSI's key is the table's HASH plus its own
    # RANGE; the same attribute twice is refused ("Invalid KeySchema: Some index key attribute have no definition"
    # / duplicate key element).
    for i, lsi in t.lsis:
        if isinstance(t.hash_key, str) and lsi.get("range_key") == t.hash_key:
            yield r.diagnostic(f"{BASE}/local_secondary_indexes/{i}/range_key", "DDB144",
                               f"LSI {lsi.get('name')!r} uses the table's hash key {t.hash_key!r} as its range key; "
                               "its key would be HASH and RANGE on one attribute: pick another range_key")


@rule
def on_demand_throughput(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # API Reference OnDemandThroughput: MaxRead/WriteRequestUnits is -1 (no limit) or >= 1, and only applies to
    # on-demand (PAY_PER_REQUEST) tables and their indexes; the provider passes it as is (table.go).
    for i, holder in _table_and_gsis(t):
        cfg = holder.get("on_demand_throughput")
        if not isinstance(cfg, dict):
            continue
        base, what = _place(i, holder)
        pointer = f"{base}/on_demand_throughput"
        if t.billing_mode != PAY_PER_REQUEST:
            yield r.diagnostic(pointer, "DDB145", f"on_demand_throughput of {what} needs billing_mode "
                               f"PAY_PER_REQUEST (got {t.billing_mode}); remove it or use read/write capacity")
        for side in ON_DEMAND_SIDES:
            value = cfg.get(side)
            if _num(value) and value != -1 and value < 1:
                yield r.diagnostic(f"{pointer}/{side}", "DDB146", f"{side} {value!r} of {what} must be -1 (no "
                                   "limit) or at least 1")


@rule
def warm_throughput(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    for i, holder in _table_and_gsis(t):
        cfg = holder.get("warm_throughput")
        if not isinstance(cfg, dict):
            continue
        base, what = _place(i, holder)
        pointer = f"{base}/warm_throughput"
        for side, on_demand_low in WARM_MIN.items():
            value = cfg.get(side)
            capacity = holder.get(WARM_CAPACITY[side])
            if t.billing_mode == PROVISIONED:
                low, why = (capacity, f"its provisioned {WARM_CAPACITY[side]}") if _num(capacity) else (None, "")
            else:
                low, why = on_demand_low, "the on-demand initial throughput"
            if low is not None and _num(value) and value < low:
                yield r.diagnostic(f"{pointer}/{side}", "DDB147", f"warm throughput {side} {value!r} of {what} is "
                                   f"below {why} ({low}); DynamoDB refuses a lower warm throughput: raise it to at "
                                   f"least {low} or remove it")


@rule
def import_table(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # provider table.go: import_table ConflictsWith restore_*; API Reference ImportTable: CSV options are for
    # InputFormat CSV only.
    if "import_table" not in t.adv:
        return
    cfg = t.obj("import_table")
    for key in t.restores:
        yield r.diagnostic(f"{BASE}/{key}", "DDB148", f"{key} cannot be combined with import_table: a table is "
                           "created either from S3 data or from a restore; remove one of them")
    if t.lsis:
        # API Reference ImportTable, TableCreationParameters: no LocalSecondaryIndexes member (the provider's
        # expandImportTable drops them silently): an imported table cannot have LSIs
        yield r.diagnostic(f"{BASE}/local_secondary_indexes", "DDB164", "import_table cannot create local "
                           "secondary indexes (ImportTable takes global secondary indexes only); remove the LSIs "
                           "or create the table without import_table")
    if "input_format_options" in cfg and cfg.get("input_format") != "CSV":
        yield r.diagnostic(f"{BASE}/import_table/input_format_options", "DDB149", "input_format_options (csv) "
                           f"only apply to input_format CSV (got {cfg.get('input_format')!r}); remove them or "
                           "import CSV")


@rule
def restore(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # provider table.go: restore_source_name and restore_source_table_arn ConflictsWith each other (and
    # import_table); RestoreTableToPointInTime takes SourceTableName or SourceTableArn, and a restore point
    # (RestoreDateTime or UseLatestRestorableTime, not both).
    adv = t.adv
    if adv.get("restore_source_name") is not None and adv.get("restore_source_table_arn") is not None:
        yield r.diagnostic(f"{BASE}/restore_source_table_arn", "DDB166", "restore_source_name and "
                           "restore_source_table_arn both name the source table and the provider refuses both; "
                           "keep the ARN for a cross-Region restore, else the name")
    if adv.get("restore_date_time") is not None and adv.get("restore_to_latest_time") is True:
        yield r.diagnostic(f"{BASE}/restore_to_latest_time", "DDB150", "restore_to_latest_time and "
                           "restore_date_time both pick the restore point; keep one")
    if t.restores and not ({"restore_source_name", "restore_source_table_arn"} & set(t.restores)):
        yield r.diagnostic(f"{BASE}/{t.restores[0]}", "DDB151", "a restore needs restore_source_name or "
                           "restore_source_table_arn (the table to restore from)")
    when = adv.get("restore_date_time")
    if isinstance(when, str) and not UTC_TIMESTAMP.match(when):
        yield r.diagnostic(f"{BASE}/restore_date_time", "DDB152", f"restore_date_time {when!r} is not an RFC 3339 "
                           "UTC time such as 2026-01-02T03:04:05Z (the provider accepts UTC timestamps only)")


@rule
def strong_consistency(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # AWS docs "Multi-Region strong consistency" (V2globaltables_HowItWorks / MRSC): exactly three Regions (the
    # table's, replicas and at most one witness), every replica STRONG; a witness only with one STRONG replica
    # (provider table.go global_table_witness, module variable docs: "alongside a single replica with
    # consistency_mode set to STRONG").
    modes = {rep.get("consistency_mode", "EVENTUAL") for _, rep in t.replicas}
    witness = t.adv.get("global_table_witness")
    strong = "STRONG" in modes
    if strong and len(modes) > 1:
        yield r.diagnostic(f"{BASE}/replica_regions", "DDB153", "replicas mix consistency_mode STRONG and "
                           "EVENTUAL; a global table has one consistency mode: set it on every replica")
    if modes == {"STRONG"}:
        regions = 1 + len(t.replicas) + (1 if isinstance(witness, dict) else 0)
        if regions != 3:
            yield r.diagnostic(f"{BASE}/replica_regions", "DDB154", f"multi-Region strong consistency needs "
                               f"exactly three Regions (the table's, replicas and a witness); this has {regions}: "
                               "use two STRONG replicas, or one with global_table_witness")
    if isinstance(witness, dict):
        if not (len(t.replicas) == 1 and modes == {"STRONG"}):
            yield r.diagnostic(f"{BASE}/global_table_witness", "DDB155", "global_table_witness needs exactly one "
                               "replica with consistency_mode STRONG (multi-Region strong consistency)")
        region = witness.get("region_name")
        used = {ctx.environment.region} | {rep.get("region_name") for _, rep in t.replicas
                                           if isinstance(rep.get("region_name"), str)}
        if isinstance(region, str) and region in used:
            yield r.diagnostic(f"{BASE}/global_table_witness/region_name", "DDB156", f"witness Region {region!r} "
                               "already holds the table or a replica; pick a third Region")


@rule
def resource_policies(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # AWS docs "Using resource-based policies for DynamoDB": Effect Allow/Deny, a Principal (or NotPrincipal) in
    # every statement, DynamoDB actions only; 20 KB per policy document ("Resource-based policy considerations").
    import json

    for key, stream in (("resource_policy_statements", False), ("stream_resource_policy_statements", True)):
        statements = t.statements(key)
        if not statements:
            continue
        if stream and not t.flag("stream_enabled"):
            yield r.diagnostic(f"{BASE}/{key}", "DDB157", "stream_resource_policy_statements need "
                               "stream_enabled: true (the policy is attached to the stream)")
        for sid, s in statements:
            pointer = f"{BASE}/{key}/{_escape_pointer(sid)}"
            if not (s.get("principals") or s.get("not_principals")):
                yield r.diagnostic(pointer, "DDB158", f"statement {sid!r} names no principals; a resource-based "
                                   "policy statement must say who it is about (principals or not_principals)")
            if not (s.get("actions") or s.get("not_actions")):
                yield r.diagnostic(pointer, "DDB158", f"statement {sid!r} has no actions or not_actions")
            for field in ("actions", "not_actions"):
                for j, action in enumerate(s.get(field) or []):
                    if isinstance(action, str) and not (action == "*" or action.startswith("dynamodb:")):
                        yield r.diagnostic(f"{pointer}/{field}/{j}", "DDB159", f"action {action!r} is not a "
                                           "DynamoDB action; a DynamoDB resource policy accepts dynamodb:* actions")
                    elif stream and field == "actions" and isinstance(action, str) and not any(
                            fnmatchcase(allowed, action) for allowed in STREAM_ACTIONS):  # dynamodb:Get* is fine
                        yield r.diagnostic(f"{pointer}/{field}/{j}", "DDB159", f"action {action!r} is not allowed "
                                           "in a stream policy (only " + ", ".join(sorted(STREAM_ACTIONS)) + ")")
        # the size AWS measures is the final document; the ARN placeholder is as long as a typical table ARN
        size = len(json.dumps({"Version": "2012-10-17", "Statement": [dict(s, Sid=sid) for sid, s in statements]},
                              separators=(",", ":")).encode("utf-8"))
        if size > POLICY_MAX_BYTES:
            yield r.diagnostic(f"{BASE}/{key}", "DDB160", f"the policy document is about {size} bytes; DynamoDB "
                               f"allows {POLICY_MAX_BYTES} (20 KB) per resource policy: merge or drop statements")


@rule
def kinesis_destinations(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    # AWS docs "Kinesis Data Streams for DynamoDB": a table streams to one Kinesis data stream at a time
    # (EnableKinesisStreamingDestination fails while another destination is ACTIVE).
    for i, _ in t.kinesis_destinations[1:]:
        yield r.diagnostic(f"{BASE}/kinesis_streaming_destinations/{i + 1}", "DDB161", "a table streams to one "
                           "Kinesis data stream at a time; keep one destination")


@rule
def ignore_changes(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    if t.flag("ignore_changes_global_secondary_index") and not t.gsis:
        yield r.diagnostic(f"{BASE}/ignore_changes_global_secondary_index", "DDB162", "ignoring changes to "
                           "global secondary indexes of a table that has none: any index added later is never "
                           "created; remove the setting", WARN)
    if t.flag("ignore_changes_replica") and not t.replicas:
        yield r.diagnostic(f"{BASE}/ignore_changes_replica", "DDB162", "ignoring changes to replicas of a table "
                           "that has none: a replica added later is never created; remove the setting", WARN)



# Per-replica settings that CloudFormation's AWS::DynamoDB::GlobalTable and CDK TableV2 have but the Terraform
# provider's replica block does not (table.go "replica": region_name, kms_key_arn, point_in_time_recovery,
# propagate_tags, consistency_mode, deletion_protection_enabled only).
NOT_IN_PROVIDER_REPLICA = {
    "read_capacity": "per-replica provisioned read capacity", "max_read_request_units": "per-replica on-demand "
    "throughput", "read_units_per_second": "per-replica warm throughput", "table_class": "a per-replica table class "
    "(aws_dynamodb_table_replica's table_class_override, not offered here)", "tags": "per-replica tags",
    "global_secondary_indexes": "per-replica index settings", "contributor_insights": "per-replica contributor "
    "insights"}


@rule
def replica_settings_terraform_lacks(t: Table, r: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    for i, rep in t.replicas:
        for key in sorted(set(rep) & set(NOT_IN_PROVIDER_REPLICA)):
            yield r.diagnostic(f"{BASE}/replica_regions/{i}/{key}", "DDB165", f"replica {key!r}: "
                               f"{NOT_IN_PROVIDER_REPLICA[key]} cannot be expressed in Terraform (the AWS "
                               "provider's replica block has no such argument; CloudFormation's GlobalTable has); "
                               "remove it, the replica follows the table", key=True)
