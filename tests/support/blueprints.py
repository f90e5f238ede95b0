"""Generate blueprint folders of any size, for scale tests and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def table_doc(i: int, reference_to: str | None = None) -> dict[str, Any]:
    """A realistic resource: composite key, a GSI, TTL; every tenth one PROVISIONED."""
    adv: dict[str, Any] = {
        "range_key": "SortKey",
        "ttl_enabled": True, "ttl_attribute_name": "ExpiresAt",
        "global_secondary_indexes": [{"name": "by-owner", "hash_key": "Owner", "projection_type": "KEYS_ONLY"}],
        "tags": {"index": str(i)},
    }
    if i % 10 == 0:
        adv.update({"billing_mode": "PROVISIONED", "read_capacity": 2, "write_capacity": 2})
        adv["global_secondary_indexes"][0].update({"read_capacity": 1, "write_capacity": 1})
    metadata: dict[str, Any] = {"tags": {"team": f"team-{i % 7}"}}
    if reference_to:
        metadata["tags"]["upstream"] = f"${{dynamodb.{reference_to}.out.table_arn}}"
    return {
        "kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": metadata,
        "spec": {"attributes": {"pk": {"name": "Id", "type": "S"}, "sk": {"name": "SortKey", "type": "N"},
                                "owner": {"name": "Owner", "type": "S"}}, "hash_key": "Id"},
        "advanced": {"aws_dynamodb": adv},
    }


def write_blueprint(root: Path, count: int, env: str = "dev", references: bool = True) -> Path:
    """``count`` resources ``t0000..``; every fifth references the one before it; an env file for ``env``."""
    instances = root / "dynamodb" / "instances"
    instances.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        ref = f"t{i - 1:04d}" if references and i % 5 == 4 else None
        (instances / f"t{i:04d}.json").write_text(json.dumps(table_doc(i, ref), indent=2) + "\n")
    (root / env).mkdir(exist_ok=True)
    (root / env / "environment.json").write_text(json.dumps(
        {"name": env, "region": "us-east-1", "cloud_tags": {"environment": env}}, indent=2) + "\n")
    return root
