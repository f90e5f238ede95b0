"""Terraform for one table, matching the upstream Facets module (terraform-aws-modules/dynamodb-table).

Differences from upstream, on purpose: the ``ttl`` block is omitted while TTL is off (upstream's
``ttl {enabled = false, attribute_name = ""}`` is rejected or diffs forever: provider issues #39195,
#44730), and a ``lifecycle { prevent_destroy = true }`` guards the data as Facets does.
"""

from __future__ import annotations

import json
from typing import Any

from facets_dynamo.plugin import Handle, Ref, SynthContext

from .model import PROVISIONED, RESTORE_KEYS, Table

READ_ANYWHERE = ["dynamodb:List*", "dynamodb:DescribeReservedCapacity*", "dynamodb:DescribeLimits",
                 "dynamodb:DescribeTimeToLive"]
READ_TABLE = ["dynamodb:BatchGet*", "dynamodb:DescribeStream", "dynamodb:DescribeTable", "dynamodb:Get*",
              "dynamodb:Query", "dynamodb:Scan"]
ON_DEMAND_KEYS = ("max_read_request_units", "max_write_request_units")
WARM_KEYS = ("read_units_per_second", "write_units_per_second")
WRITE_TABLE = ["dynamodb:BatchWrite*", "dynamodb:CreateTable", "dynamodb:Delete*", "dynamodb:Update*",
               "dynamodb:PutItem"]


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None and v != []}


def table_body(t: Table, cloud_tags: dict[str, str]) -> dict[str, Any]:
    """The ``aws_dynamodb_table`` arguments, in provider schema terms (plain data, no engine objects)."""
    adv = t.adv
    provisioned = t.billing_mode == PROVISIONED
    body: dict[str, Any] = {
        "name": t.name,
        "billing_mode": t.billing_mode,
        "hash_key": t.hash_key,
        "range_key": t.range_key,
        "read_capacity": adv.get("read_capacity") if provisioned else None,
        "write_capacity": adv.get("write_capacity") if provisioned else None,
        "stream_enabled": t.flag("stream_enabled"),
        "stream_view_type": adv.get("stream_view_type") if t.flag("stream_enabled") else None,
        "table_class": adv.get("table_class"),
        "deletion_protection_enabled": adv.get("deletion_protection_enabled"),
        "attribute": [{"name": a.name, "type": a.type} for a in t.attributes],
        # Single blocks (MaxItems 1) are objects, as the typed provider bindings synthesize them.
        "point_in_time_recovery": _drop_none({
            "enabled": t.flag("point_in_time_recovery_enabled"),
            "recovery_period_in_days": adv.get("point_in_time_recovery_period_in_days")
            if t.flag("point_in_time_recovery_enabled") else None,
        }),
        "server_side_encryption": _drop_none({
            "enabled": t.flag("server_side_encryption_enabled"),
            "kms_key_arn": adv.get("server_side_encryption_kms_key_arn")
            if t.flag("server_side_encryption_enabled") else None,
        }),
        "global_secondary_index": [_drop_none({
            "name": g.get("name"), "hash_key": g.get("hash_key"), "range_key": g.get("range_key"),
            "projection_type": g.get("projection_type"), "non_key_attributes": g.get("non_key_attributes"),
            "read_capacity": g.get("read_capacity") if provisioned else None,
            "write_capacity": g.get("write_capacity") if provisioned else None,
            "on_demand_throughput": _block(g.get("on_demand_throughput"), ON_DEMAND_KEYS),
            "warm_throughput": _block(g.get("warm_throughput"), WARM_KEYS),
        }) for _, g in t.gsis],
        "local_secondary_index": [_drop_none({
            "name": lsi.get("name"), "range_key": lsi.get("range_key"),
            "projection_type": lsi.get("projection_type"), "non_key_attributes": lsi.get("non_key_attributes"),
        }) for _, lsi in t.lsis],
        "replica": [_drop_none({
            "region_name": rep.get("region_name"), "kms_key_arn": rep.get("kms_key_arn"),
            "point_in_time_recovery": rep.get("point_in_time_recovery"),
            "propagate_tags": rep.get("propagate_tags"),
            "consistency_mode": rep.get("consistency_mode"),
            "deletion_protection_enabled": rep.get("deletion_protection_enabled"),
        }) for _, rep in t.replicas],
        "tags": t.tags(cloud_tags),
        "timeouts": t.timeouts(),
    }
    if t.flag("ttl_enabled"):
        body["ttl"] = {"enabled": True, "attribute_name": adv.get("ttl_attribute_name")}
    # Settings added for issue 13: emitted only when set, so documents without them synthesize as before.
    body["on_demand_throughput"] = _block(adv.get("on_demand_throughput"), ON_DEMAND_KEYS)
    body["warm_throughput"] = _block(adv.get("warm_throughput"), WARM_KEYS)
    body["global_table_witness"] = _block(adv.get("global_table_witness"), ("region_name",))
    body["import_table"] = import_table(t.obj("import_table")) if "import_table" in adv else None
    for key in RESTORE_KEYS:
        body[key] = adv.get(key)
    return _drop_none(body)


def _block(value: Any, keys: tuple[str, ...]) -> dict[str, Any] | None:
    """A MaxItems-1 block with the given arguments (None when absent, so it is left out)."""
    if not isinstance(value, dict):
        return None
    return _drop_none({k: value.get(k) for k in keys})


def import_table(cfg: dict[str, Any]) -> dict[str, Any]:
    csv = cfg.get("input_format_options", {}).get("csv") if isinstance(cfg.get("input_format_options"), dict) else None
    return _drop_none({
        "input_format": cfg.get("input_format"),
        "input_compression_type": cfg.get("input_compression_type"),
        "input_format_options": {"csv": _block(csv, ("delimiter", "header_list"))} if isinstance(csv, dict) else None,
        "s3_bucket_source": _block(cfg.get("s3_bucket_source"), ("bucket", "bucket_owner", "key_prefix")),
    })


def policy_document(table_arn: Ref, write: bool) -> Ref:
    """Least privilege as upstream: account-level reads on ``*``, item access on the table and its indexes."""
    marker = "@@TABLE_ARN@@"
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": READ_ANYWHERE, "Resource": "*"},
            {"Effect": "Allow", "Action": READ_TABLE + (WRITE_TABLE if write else []),
             "Resource": [marker, marker + "/index/*"]},
        ],
    }
    before, *rest = json.dumps(doc).split(marker)
    parts: list[str | Ref] = [before]
    for piece in rest:
        parts += [table_arn, piece]
    return Ref.concat(*parts)


def ignored_changes(t: Table) -> list[str]:
    """lifecycle ignore_changes: capacities under autoscaling; GSIs and replicas when the user asks."""
    ignored = ["read_capacity", "write_capacity"] if t.flag("autoscaling_enabled") else []
    if t.flag("ignore_changes_global_secondary_index"):
        ignored.append("global_secondary_index")
    if t.flag("ignore_changes_replica"):
        ignored.append("replica")
    return ignored


def statement(sid: str, given: dict[str, Any], default_resource: Any) -> dict[str, Any]:
    """One IAM statement from the upstream module's map entry (sid defaults to the map key)."""
    out: dict[str, Any] = {"Sid": given.get("sid", sid), "Effect": given.get("effect", "Allow")}
    for key, name in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if isinstance(given.get(key), list):
            merged: dict[str, list[str]] = {}
            for p in given[key]:
                if isinstance(p, dict):
                    merged.setdefault(str(p.get("type")), []).extend(p.get("identifiers") or [])
            out[name] = "*" if merged == {"*": ["*"]} else merged  # as aws_iam_policy_document writes it
    for key, name in (("actions", "Action"), ("not_actions", "NotAction")):
        if given.get(key) is not None:
            out[name] = given[key]
    if given.get("not_resources") is not None:
        out["NotResource"] = given["not_resources"]
    else:
        out["Resource"] = given.get("resources", default_resource)
    if isinstance(given.get("condition"), list):
        cond: dict[str, dict[str, Any]] = {}
        for c in given["condition"]:
            if isinstance(c, dict):
                cond.setdefault(str(c.get("test")), {})[str(c.get("variable"))] = c.get("values")
        out["Condition"] = cond
    return out


def resource_policy(t: Table, key: str, arn: Ref) -> Ref:
    """The policy document of resource_policy_statements (or the stream's), the table/stream ARN spliced in."""
    marker = "@@RESOURCE_ARN@@"
    doc = {"Version": "2012-10-17", "Statement": [statement(sid, s, marker) for sid, s in t.statements(key)]}
    before, *rest = json.dumps(doc).split(marker)
    parts: list[str | Ref] = [before]
    for piece in rest:
        parts += [arn, piece]
    return Ref.concat(*parts)


def extras(t: Table, ctx: SynthContext, table: Handle) -> None:
    """The resources beside the table added for issue 13: resource policies, contributor insights, Kinesis."""
    if t.statements("resource_policy_statements"):
        ctx.add_resource("aws_dynamodb_resource_policy", "resource_policy", {
            "resource_arn": table.attr("arn"),
            "policy": resource_policy(t, "resource_policy_statements", table.attr("arn"))})
    if t.statements("stream_resource_policy_statements"):
        ctx.add_resource("aws_dynamodb_resource_policy", "stream_resource_policy", {
            "resource_arn": table.attr("stream_arn"),
            "policy": resource_policy(t, "stream_resource_policy_statements", table.attr("stream_arn"))})
    if "contributor_insights" in t.adv:
        ctx.add_resource("aws_dynamodb_contributor_insights", "contributor_insights", _drop_none({
            "table_name": table.attr("name"), "mode": t.obj("contributor_insights").get("mode")}))
    for i, g in t.gsis:
        if isinstance(g.get("contributor_insights"), dict):
            ctx.add_resource("aws_dynamodb_contributor_insights", f"contributor_insights_gsi_{i}", _drop_none({
                "table_name": table.attr("name"), "index_name": g.get("name"),
                "mode": g["contributor_insights"].get("mode")}))
    for i, dest in t.kinesis_destinations:
        ctx.add_resource("aws_dynamodb_kinesis_streaming_destination", f"kinesis_streaming_destination_{i}",
                         _drop_none({"stream_arn": dest.get("stream_arn"), "table_name": table.attr("name"),
                                     "approximate_creation_date_time_precision":
                                         dest.get("approximate_creation_date_time_precision")}))


def synthesize_table(t: Table, ctx: SynthContext) -> None:
    body = table_body(t, ctx.environment.cloud_tags)
    body["lifecycle"] = {"prevent_destroy": True}
    ignored = ignored_changes(t)
    if ignored:
        body["lifecycle"]["ignore_changes"] = ignored
    table = ctx.add_resource("aws_dynamodb_table", "table", body)
    if t.flag("adopt_existing"):  # terraform plan adopts the existing table instead of creating it
        table.import_from(t.name)
    extras(t, ctx, table)
    arn = table.attr("arn")
    ro_name, rw_name = t.policy_names
    # upstream tags both policies with the environment's cloud tags (not the table's own tags)
    policy_tags = {"tags": dict(ctx.environment.cloud_tags)} if ctx.environment.cloud_tags else {}
    ro = ctx.add_resource("aws_iam_policy", "policy_ro", {
        "name": ro_name, "description": f"Read-only access to DynamoDB table {t.name}",
        "policy": policy_document(arn, write=False), **policy_tags})
    rw = ctx.add_resource("aws_iam_policy", "policy_rw", {
        "name": rw_name, "description": f"Read-write access to DynamoDB table {t.name}",
        "policy": policy_document(arn, write=True), **policy_tags})
    if t.flag("autoscaling_enabled"):
        _autoscaling(t, ctx, table)
    ctx.add_output("table_name", table.attr("name"), "Name of the DynamoDB table")
    ctx.add_output("table_arn", arn, "ARN of the DynamoDB table")
    ctx.add_output("read_only_policy", ro.attr("arn"), "ARN of the read-only IAM policy")
    ctx.add_output("read_write_policy", rw.attr("arn"), "ARN of the read-write IAM policy")


def scalings(t: Table) -> list[dict[str, Any]]:
    """Each autoscaled dimension with its settings resolved as upstream's autoscaling.tf resolves them: ``id``,
    ``side``, ``index`` (None for the table), ``dimension``, min/max capacity and the policy tuning."""
    defaults = t.autoscaling_defaults()
    found: list[dict[str, Any]] = []
    for side, cap in (("read", "read_capacity"), ("write", "write_capacity")):
        cfg = t.adv.get(f"autoscaling_{side}")
        if isinstance(cfg, dict):
            found.append({"id": f"table_{side}", "side": side, "index": None,
                          "dimension": f"dynamodb:table:{side.title()}CapacityUnits",
                          "min_capacity": cfg.get("min_capacity", t.adv.get(cap)),
                          "max_capacity": cfg.get("max_capacity"),
                          **{k: cfg.get(k, defaults[k]) for k in ("scale_in_cooldown", "scale_out_cooldown",
                                                                   "target_value")}})
    indexes = t.adv.get("autoscaling_indexes")
    for name, cfg in sorted(indexes.items()) if isinstance(indexes, dict) else []:
        if not isinstance(cfg, dict):
            continue
        for side in [s for s in ("read", "write") if f"{s}_max_capacity" in cfg]:  # one side may scale alone
            # upstream: merge(var.autoscaling_defaults, each.value) -- an index may tune its own policy
            found.append({"id": f"index_{name}_{side}", "side": side, "index": name,
                          "dimension": f"dynamodb:index:{side.title()}CapacityUnits",
                          "min_capacity": cfg.get(f"{side}_min_capacity"),
                          "max_capacity": cfg.get(f"{side}_max_capacity"),
                          **{k: cfg.get(k, defaults[k]) for k in ("scale_in_cooldown", "scale_out_cooldown",
                                                                   "target_value")}})
    return found


def _autoscaling(t: Table, ctx: SynthContext, table: Handle) -> None:
    """Application Auto Scaling targets and target-tracking policies, as upstream's autoscaling.tf."""
    table_id = Ref.concat("table/", table.attr("name"))
    for s in scalings(t):
        resource_id = table_id if s["index"] is None else Ref.concat(table_id, f"/index/{s['index']}")
        literal_id = f"table/{t.name}" + ("" if s["index"] is None else f"/index/{s['index']}")
        id_, dimension, side, cfg = s["id"], s["dimension"], s["side"], s
        target = ctx.add_resource("aws_appautoscaling_target", f"{id_}_target", {
            "max_capacity": cfg["max_capacity"], "min_capacity": cfg["min_capacity"],
            "resource_id": resource_id, "scalable_dimension": dimension, "service_namespace": "dynamodb"})
        metric = f"DynamoDB{side.title()}CapacityUtilization"
        policy = ctx.add_resource("aws_appautoscaling_policy", f"{id_}_policy", {
            "name": Ref.concat(f"{metric}:", target.attr("resource_id")),
            "policy_type": "TargetTrackingScaling",
            "resource_id": target.attr("resource_id"),
            "scalable_dimension": target.attr("scalable_dimension"),
            "service_namespace": target.attr("service_namespace"),
            "target_tracking_scaling_policy_configuration": [{
                "predefined_metric_specification": [{"predefined_metric_type": metric}],
                "scale_in_cooldown": cfg["scale_in_cooldown"],
                "scale_out_cooldown": cfg["scale_out_cooldown"],
                "target_value": cfg["target_value"],
            }]})
        if t.flag("adopt_existing"):  # the provider's import ids: namespace/resource/dimension[/policy name]
            target.import_from(f"dynamodb/{literal_id}/{dimension}")
            policy.import_from(f"dynamodb/{literal_id}/{dimension}/{metric}:{literal_id}")
