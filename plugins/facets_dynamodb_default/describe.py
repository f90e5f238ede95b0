"""How a dynamodb/default/0.2 resource is summed up for people (the ``describe`` hook): its table name,
a one-line summary, the key schema and the main settings."""

from __future__ import annotations

import json
from typing import Any

from facets_dynamo.plugin import Description, Environment, Note, Resource, Section

from .model import PAY_PER_REQUEST, PROVISIONED, Table

KEY_COLUMNS = ("attribute", "logical id", "type", "table key", "indexes using it")
_SWITCHES = (("point-in-time recovery", "point_in_time_recovery_enabled"),
             ("deletion protection", "deletion_protection_enabled"), ("TTL", "ttl_enabled"),
             ("stream", "stream_enabled"), ("autoscaling", "autoscaling_enabled"))


def describe(resource: Resource, environment: Environment) -> Description:
    table = Table(resource, environment.name)
    hash_key = table.hash_key
    summary = f"hash key {hash_key}" if isinstance(hash_key, str) else "no hash key"
    if isinstance(table.range_key, str):
        summary += f", range key {table.range_key}"
    summary += f"; {_billing(table)}"
    keys = key_schema(table)
    sections = [Section("key schema", KEY_COLUMNS, keys, nowrap=KEY_COLUMNS[:4])] if keys else []
    sections.append(Section("settings", ("setting", "value"), [{"setting": k, "value": v} for k, v in settings(table)]))
    return Description(name=table.name, summary=summary, sections=sections)


def key_schema(table: Table) -> list[dict[str, Any]]:
    """One row per attribute: its type, whether it is the table's HASH/RANGE key, and which indexes use it.

    Key names that no attribute defines get a row too (type "not defined"): that is the usual mistake, and
    seeing it in the table is quicker than reading the diagnostic.
    """
    rows: dict[str, dict[str, Any]] = {}
    for a in table.attributes:
        rows.setdefault(str(a.name), {"attribute": a.name, "logical id": a.logical_id, "type": a.type,
                                      "table key": "", "indexes using it": ""})

    def use(name: Any, role: str, index: str | None = None) -> None:
        if name is None:
            return
        row = rows.setdefault(str(name), {"attribute": name, "logical id": "", "type": Note("not defined"),
                                          "table key": "", "indexes using it": ""})
        if index is None:
            row["table key"] = role
        else:
            row["indexes using it"] = ", ".join(filter(None, (row["indexes using it"], f"{index} ({role})")))

    use(table.hash_key, "HASH")
    use(table.range_key, "RANGE")
    for _, gsi in table.gsis:
        use(gsi.get("hash_key"), "HASH", f"GSI {gsi.get('name')}")
        use(gsi.get("range_key"), "RANGE", f"GSI {gsi.get('name')}")
    for _, lsi in table.lsis:
        use(table.hash_key, "HASH", f"LSI {lsi.get('name')}")
        use(lsi.get("range_key"), "RANGE", f"LSI {lsi.get('name')}")
    return list(rows.values())


def _billing(table: Table) -> str:
    mode = table.adv.get("billing_mode", PAY_PER_REQUEST)
    if mode == PROVISIONED:
        return f"PROVISIONED (read {_plain(table.adv.get('read_capacity', '?'))}, " \
               f"write {_plain(table.adv.get('write_capacity', '?'))})"
    return str(mode)


def settings(table: Table) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = [("billing mode", _billing(table))]
    found += [(label, table.adv[key]) for label, key in _SWITCHES if key in table.adv]
    adv = table.adv
    for label, key in (("on-demand throughput", "on_demand_throughput"), ("warm throughput", "warm_throughput"),
                       ("contributor insights", "contributor_insights"),
                       ("global table witness", "global_table_witness")):
        if isinstance(adv.get(key), dict):
            found.append((label, ", ".join(f"{k} {_plain(v)}" for k, v in adv[key].items()) or "on"))
    if isinstance(adv.get("import_table"), dict):
        source = table.obj("import_table").get("s3_bucket_source")
        where = f"s3://{source.get('bucket')}/{source.get('key_prefix', '')}" if isinstance(source, dict) else "?"
        found.append(("created from S3", Note(f"{_plain(adv['import_table'].get('input_format'))} at {where}")))
    if table.restores:
        found.append(("created by restore", Note(", ".join(f"{k} {_plain(adv[k])}" for k in table.restores))))
    modes = sorted({str(r.get("consistency_mode", "EVENTUAL")) for _, r in table.replicas})
    if table.replicas:
        found.append(("replicas", ", ".join(str(r.get("region_name")) for _, r in table.replicas)
                      + f" ({'/'.join(modes)})"))
    for label, key in (("resource policy", "resource_policy_statements"),
                       ("stream resource policy", "stream_resource_policy_statements")):
        if table.statements(key):
            found.append((label, ", ".join(sid for sid, _ in table.statements(key))))
    if table.kinesis_destinations:
        found.append(("Kinesis destination",
                      ", ".join(str(d.get("stream_arn")) for _, d in table.kinesis_destinations)))
    ignored = [b for f, b in (("ignore_changes_global_secondary_index", "GSIs"), ("ignore_changes_replica", "replicas"))
               if table.flag(f)]
    if ignored:
        found.append(("Terraform ignores changes to", Note(", ".join(ignored))))
    meta_tags, adv_tags = table.resource.metadata.get("tags"), table.adv.get("tags")
    tags = {**(meta_tags if isinstance(meta_tags, dict) else {}), **(adv_tags if isinstance(adv_tags, dict) else {})}
    if tags:
        found.append(("tags", tags))
    return found


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
