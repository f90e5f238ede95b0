"""Hook implementations of the fake ``queue/default/0.1`` flavor."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any

from facets_dynamo import hookimpl
from facets_dynamo.flavor import Flavor, FlavorKey

KEY = FlavorKey("queue", "default", "0.1")
MAX = 1000


@hookimpl
def register_flavors(register: Callable[[Flavor], None]) -> None:
    register(Flavor(KEY.kind, KEY.flavor, KEY.version, schema_source=files(__package__) / "schema.json",
                    description="An SQS queue (test plugin)", outputs=("queue_url",)))


@hookimpl
def validate(resource: Any, context: Any) -> list[Any] | None:
    if resource.key != KEY:
        return None
    size = resource.spec.get("max_size")
    if isinstance(size, int) and size > MAX:
        return [resource.diagnostic("/spec/max_size", "QUE101", f"max_size {size} is above {MAX}")]
    return []


@hookimpl
def synthesize(resource: Any, context: Any) -> bool | None:
    if resource.key != KEY:
        return None
    spec = resource.spec
    queue = context.add_resource("aws_sqs_queue", "queue", {
        "name": f"{resource.name}-{context.environment.name}", "fifo_queue": spec.get("fifo", False),
        "tags": {"label": spec.get("label", "")}})
    context.add_output("queue_url", queue.attr("url"))
    return True
