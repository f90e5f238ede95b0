"""Terraform for one table, matching the upstream Facets module (terraform-aws-modules/dynamodb-table).

Differences from upstream, on purpose: the ``ttl`` block is omitted while TTL is off (upstream's
``ttl {enabled = false, attribute_name = ""}`` is rejected or diffs forever: provider issues #39195,
#44730), and a ``lifecycle { prevent_destroy = true }`` guards the data as Facets does.
"""

from __future__ import annotations

import json
from typing import Any

from facets_dynamo.plugin import Handle, Ref, SynthContext

from .model import PROVISIONED, Table

READ_ANYWHERE = ["dynamodb:List*", "dynamodb:DescribeReservedCapacity*", "dynamodb:DescribeLimits",
                 "dynamodb:DescribeTimeToLive"]
READ_TABLE = ["dynamodb:BatchGet*", "dynamodb:DescribeStream", "dynamodb:DescribeTable", "dynamodb:Get*",
              "dynamodb:Query", "dynamodb:Scan"]
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
        }) for _, g in t.gsis],
        "local_secondary_index": [_drop_none({
            "name": lsi.get("name"), "range_key": lsi.get("range_key"),
            "projection_type": lsi.get("projection_type"), "non_key_attributes": lsi.get("non_key_attributes"),
        }) for _, lsi in t.lsis],
        "replica": [_drop_none({
            "region_name": rep.get("region_name"), "kms_key_arn": rep.get("kms_key_arn"),
            "point_in_time_recovery": rep.get("point_in_time_recovery"),
            "propagate_tags": rep.get("propagate_tags"),
        }) for _, rep in t.replicas],
        "tags": t.tags(cloud_tags),
        "timeouts": t.timeouts(),
    }
    if t.flag("ttl_enabled"):
        body["ttl"] = {"enabled": True, "attribute_name": adv.get("ttl_attribute_name")}
    return _drop_none(body)


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


def synthesize_table(t: Table, ctx: SynthContext) -> None:
    body = table_body(t, ctx.environment.cloud_tags)
    body["lifecycle"] = {"prevent_destroy": True}
    if t.flag("autoscaling_enabled"):
        body["lifecycle"]["ignore_changes"] = ["read_capacity", "write_capacity"]
    table = ctx.add_resource("aws_dynamodb_table", "table", body)
    if t.flag("adopt_existing"):  # terraform plan adopts the existing table instead of creating it
        table.import_from(t.name)
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


def _autoscaling(t: Table, ctx: SynthContext, table: Handle) -> None:
    """Application Auto Scaling targets and target-tracking policies, as upstream's autoscaling.tf."""
    defaults = t.autoscaling_defaults()
    table_id = Ref.concat("table/", table.attr("name"))
    scalings: list[tuple[str, Ref, str, dict[str, Any], Any, str]] = []
    for side, cap in (("read", "read_capacity"), ("write", "write_capacity")):
        cfg = t.adv.get(f"autoscaling_{side}")
        if isinstance(cfg, dict):
            scalings.append((f"table_{side}", table_id, f"dynamodb:table:{side.title()}CapacityUnits",
                             {**cfg, "min_capacity": cfg.get("min_capacity", t.adv.get(cap))}, side,
                             f"table/{t.name}"))
    indexes = t.adv.get("autoscaling_indexes")
    for name, cfg in sorted(indexes.items()) if isinstance(indexes, dict) else []:
        index_id = Ref.concat(table_id, f"/index/{name}")
        for side in ("read", "write"):
            # upstream: merge(var.autoscaling_defaults, each.value) -- an index may tune its own policy
            tuning = {k: cfg[k] for k in ("scale_in_cooldown", "scale_out_cooldown", "target_value") if k in cfg}
            scalings.append((f"index_{name}_{side}", index_id, f"dynamodb:index:{side.title()}CapacityUnits",
                             {**tuning, "min_capacity": cfg.get(f"{side}_min_capacity"),
                              "max_capacity": cfg.get(f"{side}_max_capacity")}, side,
                             f"table/{t.name}/index/{name}"))
    for id_, resource_id, dimension, cfg, side, literal_id in scalings:
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
                "scale_in_cooldown": cfg.get("scale_in_cooldown", defaults["scale_in_cooldown"]),
                "scale_out_cooldown": cfg.get("scale_out_cooldown", defaults["scale_out_cooldown"]),
                "target_value": cfg.get("target_value", defaults["target_value"]),
            }]})
        if t.flag("adopt_existing"):  # the provider's import ids: namespace/resource/dimension[/policy name]
            target.import_from(f"dynamodb/{literal_id}/{dimension}")
            policy.import_from(f"dynamodb/{literal_id}/{dimension}/{metric}:{literal_id}")
