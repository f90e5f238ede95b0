"""Hook implementations of sqs/default/0.1, using nothing of facets-dynamo but ``facets_dynamo.plugin``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from typing import Any

from facets_dynamo.plugin import (
    Consequence,
    Description,
    Diagnostic,
    Effect,
    Environment,
    Field,
    FieldKind,
    Flavor,
    Form,
    Resource,
    Rule,
    Section,
    Severity,
    SynthContext,
    ValidationContext,
    hookimpl,
    without_references,
)

KIND, FLAVOR, VERSION = "sqs", "default", "0.1"
OUTPUTS = ("queue_url", "queue_arn", "queue_name")
NAME = re.compile(r"[A-Za-z0-9_-]+")  # SQS: 1-80 characters of these (".fifo" comes on top for FIFO)
MAX_NAME = 80


def queue_name(resource: Resource, environment: str) -> str:
    """``<name>-<environment>``, with the ``.fifo`` suffix SQS requires for a FIFO queue."""
    return f"{resource.name}-{environment}" + (".fifo" if resource.spec.get("fifo") is True else "")


@hookimpl
def register_flavors(register: Callable[[Flavor], None]) -> None:
    register(Flavor(KIND, FLAVOR, VERSION, schema_source=files(__package__) / "schema.json",
                    description="Amazon SQS queue (example third-party plugin)",
                    sample_source=files(__package__) / "sample.json", outputs=OUTPUTS))


@hookimpl
def validate(resource: Resource, context: ValidationContext) -> list[Diagnostic]:
    return list(_rules(resource, context))


def _rules(r: Resource, context: ValidationContext) -> Iterator[Diagnostic]:
    spec = r.spec
    name = queue_name(r, context.environment.name)
    stem = name.removesuffix(".fifo")
    if not NAME.fullmatch(stem):
        yield r.diagnostic("/metadata/name" if "name" in r.metadata else "", "SQS101",
                           f"queue name {name!r} may hold only letters, digits, '-' and '_'")
    if len(name) > MAX_NAME:
        yield r.diagnostic("/metadata/name" if "name" in r.metadata else "", "SQS102",
                           f"queue name {name!r} is {len(name)} characters; SQS allows {MAX_NAME}")
    if spec.get("content_based_deduplication") is True and spec.get("fifo") is not True:
        yield r.diagnostic("/spec/content_based_deduplication", "SQS103",
                           "content_based_deduplication is for FIFO queues only: set fifo, or remove it")
    dead = spec.get("dead_letter")
    if isinstance(dead, dict) and isinstance(dead.get("queue_arn"), str):
        arn = dead["queue_arn"]
        if without_references(arn) == arn and not arn.startswith("arn:"):
            yield r.diagnostic("/spec/dead_letter/queue_arn", "SQS104",
                               f"{arn!r} is neither an ARN nor a reference such as ${{sqs.dlq.out.queue_arn}}")
    visibility = spec.get("visibility_timeout_seconds")
    if isinstance(visibility, int) and visibility == 0 and isinstance(dead, dict):
        yield r.diagnostic("/spec/visibility_timeout_seconds", "SQS105", "a visibility timeout of 0 with a "
                           "dead-letter queue moves messages there after fast retries", Severity.WARNING)


@hookimpl
def rules() -> list[Rule]:
    """What each SQS code means (docs/rules.md, ``facets-dynamo explain``, SARIF)."""
    return [
        Rule("SQS101", "bad queue name", "The queue name <name>-<environment> uses characters other than letters, "
             "digits, '-' and '_'.", "SQS refuses other names.", '"metadata": {"name": "my queue"}',
             '"metadata": {"name": "my-queue"}'),
        Rule("SQS102", "queue name too long", f"The queue name is over {MAX_NAME} characters (.fifo comes on top).",
             "SQS limits queue names to 80 characters."),
        Rule("SQS103", "deduplication on a standard queue", "content_based_deduplication without fifo: true.",
             "Only FIFO queues deduplicate.", '{"content_based_deduplication": true}',
             '{"fifo": true, "content_based_deduplication": true}'),
        Rule("SQS104", "bad dead-letter queue", "dead_letter.queue_arn is neither an ARN nor a reference.",
             "The redrive policy needs the dead-letter queue's ARN.", '{"dead_letter": {"queue_arn": "dlq"}}',
             '{"dead_letter": {"queue_arn": "${sqs.dlq.out.queue_arn}"}}'),
        Rule("SQS105", "zero visibility timeout with a dead-letter queue", "visibility_timeout_seconds 0 with a "
             "dead-letter queue.", "Messages are retried at once and land in the dead-letter queue after fast "
             "retries.", '{"visibility_timeout_seconds": 0}', '{"visibility_timeout_seconds": 30}',
             Severity.WARNING),
    ]


@hookimpl
def synthesize(resource: Resource, context: SynthContext) -> bool:
    spec = resource.spec
    tags = {**context.environment.cloud_tags, **(resource.metadata.get("tags") or {})}
    body: dict[str, Any] = {"name": queue_name(resource, context.environment.name),
                            "fifo_queue": spec.get("fifo") is True, "tags": tags}
    for key in ("visibility_timeout_seconds", "message_retention_seconds", "delay_seconds",
                "max_message_size", "receive_wait_time_seconds", "content_based_deduplication"):
        if key in spec:
            body[key] = spec[key]
    dead = spec.get("dead_letter")
    if isinstance(dead, dict):
        body["redrive_policy"] = json.dumps({"deadLetterTargetArn": dead["queue_arn"],
                                             "maxReceiveCount": dead["max_receive_count"]})
    queue = context.add_resource("aws_sqs_queue", "queue", body)
    context.add_output("queue_url", queue.attr("url"), "URL of the queue")
    context.add_output("queue_arn", queue.attr("arn"), "ARN of the queue")
    context.add_output("queue_name", queue.attr("name"), "Name of the queue")
    return True


@hookimpl
def plan_change(old: Resource | None, new: Resource | None, environment: Environment) -> list[Consequence]:
    if old is None:
        return []
    if new is None:
        return [Consequence(Effect.DESTROYS, "the queue and every message in it are deleted")]
    found = []
    before, after = queue_name(old, environment.name), queue_name(new, environment.name)
    if (old.spec.get("fifo") is True) != (new.spec.get("fifo") is True):
        found.append(Consequence(Effect.REPLACES, "a queue cannot change between standard and FIFO: SQS creates a "
                                 "new queue and the messages of the old one are lost", ("/spec/fifo",)))
    elif before != after:
        found.append(Consequence(Effect.REPLACES, f"the queue name changes ({before} -> {after}); SQS cannot rename "
                                 "a queue: its messages are lost", ("/metadata/name",)))
    return found


@hookimpl
def describe(resource: Resource, environment: Environment) -> Description:
    spec = resource.spec
    kind = "FIFO queue" if spec.get("fifo") is True else "standard queue"
    days = spec.get("message_retention_seconds", 345600)
    summary = f"{kind}, messages kept {days / 86400:g} days" if isinstance(days, int) else kind
    rows = [{"setting": key.replace("_", " "), "value": spec[key]} for key in sorted(spec) if key != "dead_letter"]
    dead = spec.get("dead_letter")
    if isinstance(dead, dict):
        rows.append({"setting": "dead-letter queue", "value": f"{dead.get('queue_arn')} after "
                     f"{dead.get('max_receive_count')} receives"})
    return Description(name=queue_name(resource, environment.name), summary=summary,
                       sections=[Section("settings", ("setting", "value"), rows)])


@hookimpl
def edit_form(resource: Resource) -> Form:
    def seconds(key: str, label: str) -> Field:
        return Field(f"/spec/{key}", label, FieldKind.INTEGER, placeholder="(SQS default)")

    return Form(title="SQS queue", fields=(
        Field("/spec/fifo", "FIFO queue (cannot change later)", FieldKind.SWITCH),
        seconds("visibility_timeout_seconds", "Visibility timeout (s)"),
        seconds("message_retention_seconds", "Message retention (s)"),
        seconds("delay_seconds", "Delivery delay (s)"),
        seconds("receive_wait_time_seconds", "Long-polling wait (s)"),
        Field("/spec/max_message_size", "Largest message (bytes)", FieldKind.INTEGER),
        Field("/spec/content_based_deduplication", "Content-based deduplication (FIFO)", FieldKind.SWITCH),
    ))
