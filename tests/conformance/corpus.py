"""The conformance corpus: the example blueprint, the core goldens, and seeded random valid specs.

Why a generator: the hand-written examples cover a handful of option combinations; the oracles (typed
provider bindings, moto, the upstream schema) only prove something when they see many combinations of
billing modes, keys, indexes, TTL, PITR, SSE, streams, table class, replicas and tags. The generator is
seeded, so every run (and every machine) checks exactly the same documents, and a failure names a case
that can be reproduced with :func:`generated_cases`.

Every generated document is meant to be *valid*; the tests assert that facets-dynamo accepts each one,
so a generator bug shows up as a failing validation, not as silently skipped coverage.

A case is one blueprint folder for one environment (``<bp>/dynamodb/instances/<name>.json`` plus
``<bp>/<env>/environment.json``); :func:`typed_input` turns a loaded workspace into the plain JSON the
typed-bindings subprocess reads.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "blueprint"
GOLDEN_DIRS = [ROOT / "tests" / "golden", ROOT / "tests" / "goldens", ROOT / "tests" / "data" / "golden"]
SEED = 20240607
REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"]
PROJECTIONS = ["ALL", "KEYS_ONLY", "INCLUDE"]
VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
KMS = "arn:aws:kms:{region}:123456789012:key/{id:08d}-aaaa-bbbb-cccc-000000000000"
# Text a user might write that Terraform would otherwise evaluate; it must reach AWS as literal text.
# DynamoDB allows any UTF-8 in attribute names (keys, projected and TTL attributes), not in tags.
TRICKY_VALUES = ["${var.owner}", "%{ if true }x%{ endif }", "cost ${center}", "50%", "$HOME", "a{b}c",
                 "quote \" and \\ backslash", "ünïcödé ✓"]
# Tag text within what AWS accepts: letters (any script), digits, spaces and + - = . _ : / @
TAG_VALUES = ["team a", "a+b=c", "ops@example.com", "path/to:thing", "ünïcödé", "", "x_y.z-1", "日本"]


@dataclass(frozen=True)
class Case:
    """One blueprint folder synthesized for one environment."""

    id: str
    blueprint: Path
    env: str


def example_cases() -> list[Case]:
    return [Case(f"example-{env}", EXAMPLE, env) for env in ("dev", "prod")]


def golden_cases() -> list[Case]:
    """Blueprint folders among the core goldens, if the core tests keep any (each env with an env file)."""
    cases = []
    for base in GOLDEN_DIRS:
        if not base.is_dir():
            continue
        for root in sorted({p.parent.parent.parent for p in base.rglob("*/instances/*.json")}):
            if root == EXAMPLE or any(part.startswith(".") for part in root.parts):
                continue
            envs = sorted(p.parent.name for p in root.glob("*/environment.json")) or ["default"]
            cases += [Case(f"golden-{root.relative_to(base)}-{env}".replace("/", "_"), root, env) for env in envs]
    return cases


# -- the generator ---------------------------------------------------------------------------------

class _Names:
    """Unique attribute names and logical ids within one table."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def attribute(self, hint: str) -> str:
        while True:
            style = self.rng.random()
            if style < 0.7:
                name = hint + self.rng.choice(["", "Id", "Key", "At", "_id", "-ref"]) + str(self.rng.randrange(100))
            elif style < 0.85:
                name = self.rng.choice(["id", "pk", "sk", "gsi1pk", "gsi1sk", "LockID", "ts"]) + str(
                    self.rng.randrange(1000))
            elif style < 0.95:  # key attribute names are any 1-255 bytes of UTF-8
                name = self.rng.choice(["user name", "naïve", "日付", "a.b.c", "x:y", *TRICKY_VALUES]) + str(
                    self.rng.randrange(10))
            else:
                name = "".join(self.rng.choice(string.ascii_letters) for _ in range(self.rng.randint(1, 40)))
            if name not in self.used:
                self.used.add(name)
                return name


def _tags(rng: random.Random, count: int, prefix: str) -> dict[str, str]:
    tags = {}
    for i in range(count):
        key = f"{prefix}{rng.choice(['team', 'owner', 'app', 'tier', 'cost:center', 'a/b', 'x.y'])}{i}"
        tags[key] = rng.choice(TAG_VALUES) if rng.random() < 0.25 else f"v{rng.randrange(10_000)}"
    return tags


def generate_table(rng: random.Random, env_region: str, references: list[str]) -> dict[str, Any]:
    """One valid dynamodb/default/0.2 document exercising a random mix of the upstream options."""
    names = _Names(rng)
    attrs: list[tuple[str, str]] = []

    def declare(hint: str) -> str:
        name = names.attribute(hint)
        attrs.append((name, rng.choice("SNB") if rng.random() < 0.3 else rng.choice("SSN")))
        return name

    adv: dict[str, Any] = {}
    hash_key = declare(rng.choice(["Pk", "Lock", "User", "Tenant", "Device"]))
    range_key = declare(rng.choice(["Sk", "Order", "Created"])) if rng.random() < 0.5 else None
    if range_key:
        adv["range_key"] = range_key
    provisioned = rng.random() < 0.3
    if provisioned:
        adv.update(billing_mode="PROVISIONED", read_capacity=rng.randint(1, 50), write_capacity=rng.randint(1, 50))
    elif rng.random() < 0.3:
        adv["billing_mode"] = "PAY_PER_REQUEST"

    index_names: list[str] = []

    def index_name() -> str:
        while True:
            name = rng.choice(["by-", "idx_", "gsi.", "Lsi"]) + "".join(
                rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 12)))
            if name not in index_names:
                index_names.append(name)
                return name

    def projection(index: dict[str, Any]) -> dict[str, Any]:
        kind = rng.choice(PROJECTIONS)
        index["projection_type"] = kind
        if kind == "INCLUDE":
            index["non_key_attributes"] = [rng.choice(["Proj", "Proj", *TRICKY_VALUES]) + str(j)
                                           for j in rng.sample(range(40), rng.randint(1, 4))]
        return index

    declared_names = [a for a, _ in attrs]
    gsis = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
        gsi: dict[str, Any] = {"name": index_name(),
                               "hash_key": rng.choice(declared_names) if rng.random() < 0.25 else declare("G")}
        if rng.random() < 0.5:
            gsi["range_key"] = declare("Gs")
        projection(gsi)
        if provisioned:
            gsi.update(read_capacity=rng.randint(1, 20), write_capacity=rng.randint(1, 20))
        gsis.append(gsi)
    if gsis or rng.random() < 0.1:
        adv["global_secondary_indexes"] = gsis
    if range_key and rng.random() < 0.4:
        adv["local_secondary_indexes"] = [projection({"name": index_name(), "range_key": declare("L")})
                                          for _ in range(rng.randint(1, 3))]

    if rng.random() < 0.35:
        adv.update(ttl_enabled=True, ttl_attribute_name=rng.choice(["ExpiresAt", "ttl", "expiry_epoch",
                                                                    *TRICKY_VALUES[:3]]))
    elif rng.random() < 0.1:
        adv["ttl_enabled"] = False
    if rng.random() < 0.4:
        adv["point_in_time_recovery_enabled"] = True
        if rng.random() < 0.4:
            adv["point_in_time_recovery_period_in_days"] = rng.randint(1, 35)
    elif rng.random() < 0.1:
        adv["point_in_time_recovery_enabled"] = False
    if rng.random() < 0.4:
        adv["server_side_encryption_enabled"] = True
        if rng.random() < 0.5:
            adv["server_side_encryption_kms_key_arn"] = KMS.format(region=env_region, id=rng.randrange(10**8))
    replicas = rng.random() < 0.15
    if replicas or rng.random() < 0.35:
        adv.update(stream_enabled=True,
                   stream_view_type="NEW_AND_OLD_IMAGES" if replicas else rng.choice(VIEW_TYPES))
    elif rng.random() < 0.1:
        adv["stream_enabled"] = False
    if replicas:
        regions = rng.sample([r for r in REGIONS if r != env_region], rng.randint(1, 2))
        entries = []
        for region in regions:
            entry: dict[str, Any] = {"region_name": region}
            if rng.random() < 0.3:
                entry["kms_key_arn"] = KMS.format(region=region, id=rng.randrange(10**8))
            for flag in ("point_in_time_recovery", "propagate_tags"):
                if rng.random() < 0.3:
                    entry[flag] = rng.random() < 0.5
            entries.append(entry)
        adv["replica_regions"] = entries
    if rng.random() < 0.4:
        adv["table_class"] = rng.choice(["STANDARD", "STANDARD_INFREQUENT_ACCESS"])
    if rng.random() < 0.3:
        adv["deletion_protection_enabled"] = rng.random() < 0.5
    if rng.random() < 0.2:
        adv["timeouts"] = {k: rng.choice(["5m", "30m", "1h", "90s"]) for k in rng.sample(
            ["create", "update", "delete"], rng.randint(1, 3))}
    # replicas of a PROVISIONED table need write autoscaling (DynamoDB refuses them otherwise: DDB143)
    if provisioned and (replicas or rng.random() < 0.4):
        adv["autoscaling_enabled"] = True
        sides = rng.choice([["read"], ["write"], ["read", "write"]])
        if replicas and "write" not in sides:
            sides = [*sides, "write"]
        for side in sides:
            cfg: dict[str, Any] = {"max_capacity": adv[f"{side}_capacity"] + rng.randint(0, 100)}
            if rng.random() < 0.3:
                cfg["target_value"] = rng.choice([50, 60.5, 80])
            adv[f"autoscaling_{side}"] = cfg
        if gsis and rng.random() < 0.5:
            adv["autoscaling_indexes"] = {g["name"]: {"read_min_capacity": 1, "read_max_capacity": 10,
                                                      "write_min_capacity": 1, "write_max_capacity": 10}
                                          for g in gsis[:2]}
    if rng.random() < 0.5:
        adv["tags"] = _tags(rng, rng.randint(1, 4), "adv-")

    metadata: dict[str, Any] = {}
    if rng.random() < 0.6:
        metadata["tags"] = _tags(rng, rng.randint(0, 5), "")
    if references and rng.random() < 0.2:
        target = rng.choice(references)
        field = rng.choice(["table_name", "table_arn"])
        metadata.setdefault("tags", {})["upstream"] = rng.choice([
            f"${{dynamodb.{target}.out.{field}}}", f"uses ${{dynamodb.{target}.out.{field}}} as source"])

    logical = {}
    for i, (name, type_) in enumerate(attrs):
        logical[rng.choice(["key", "attr_", "a-", "k"]) + str(i)] = {"name": name, "type": type_}
    doc: dict[str, Any] = {"kind": "dynamodb", "flavor": "default", "version": "0.2"}
    if rng.random() < 0.2:
        doc["disabled"] = rng.random() < 0.2
    if rng.random() < 0.2:
        doc["lifecycle"] = rng.choice(["ENVIRONMENT", "ENVIRONMENT_BOOTSTRAP"])
    doc["metadata"] = metadata
    doc["spec"] = {"attributes": logical, "hash_key": hash_key}
    if adv or rng.random() < 0.5:
        doc["advanced"] = {"aws_dynamodb": adv}
    return doc


def generated_cases(root: Path, count: int = 240, per_case: int = 60, seed: int = SEED) -> list[Case]:
    """Write ``count`` generated resources into blueprints of ``per_case`` resources under ``root``."""
    rng = random.Random(seed)
    cases = []
    for c in range(0, count, per_case):
        env = rng.choice(["dev", "qa", "staging", "prod"]) + str(c // per_case)
        region = rng.choice(REGIONS)
        bp = root / f"generated-{c // per_case}"
        instances = bp / "dynamodb" / "instances"
        instances.mkdir(parents=True, exist_ok=True)
        written: list[str] = []
        for i in range(min(per_case, count - c)):
            name = f"t{c + i:04d}-" + "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 8)))
            doc = generate_table(rng, region, written)
            if not doc.get("disabled"):  # a reference to a disabled table is an error (FD311)
                written.append(name)
            (instances / f"{name}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
        (bp / env).mkdir(exist_ok=True)
        (bp / env / "environment.json").write_text(json.dumps({
            "name": env, "region": region,
            "cloud_tags": _tags(rng, rng.randint(0, 4), "env-")}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
        cases.append(Case(f"generated-{c // per_case}", bp, env))
    return cases


def public_cases(root: Path) -> list[Case]:
    """The table shapes written from public definitions (``public.py``, each citing its source)."""
    from .public import ENV, write_blueprint

    return [Case("public", write_blueprint(root), ENV["name"])]


def all_cases(tmp: Path, count: int = 240) -> list[Case]:
    return example_cases() + golden_cases() + public_cases(tmp) + generated_cases(tmp, count)


# -- what the typed side reads ---------------------------------------------------------------------

def typed_input(case: Case, workspace: Any) -> dict[str, Any]:
    """The plain-JSON view of a loaded workspace: environment and the merged documents, by resource name."""
    env = workspace.environment
    return {
        "id": case.id,
        "environment": {"name": env.name, "region": env.region, "cloud_tags": dict(env.cloud_tags)},
        "resources": [{"name": r.name, "document": r.data} for r in workspace.resources],
    }


def table_blocks(stacks: dict[str, dict[str, Any]]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(stack, resource id, block)`` for every ``aws_dynamodb_table`` in synthesized stacks."""
    for stack, body in sorted(stacks.items()):
        for rid, block in sorted(body.get("resource", {}).get("aws_dynamodb_table", {}).items()):
            yield stack, rid, block


def without_metadata(value: Any) -> Any:
    """Drop the engine's ``"//"`` metadata (construct paths, engine version) at every level."""
    if isinstance(value, dict):
        return {k: without_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [without_metadata(v) for v in value]
    return value
