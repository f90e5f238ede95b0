"""Hook implementations of the dynamodb/default/0.2 flavor (entry point ``dynamodb_default``)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files

from facets_dynamo_schemas import schema_file

from facets_dynamo import hookimpl
from facets_dynamo.diagnostics import Diagnostic
from facets_dynamo.flavor import Flavor, FlavorKey
from facets_dynamo.resource import Resource
from facets_dynamo.synthesis import SynthContext
from facets_dynamo.validation import ValidationContext

from .model import Table

KEY = FlavorKey("dynamodb", "default", "0.2")
OUTPUTS = ("table_name", "table_arn", "read_only_policy", "read_write_policy")


@hookimpl
def register_flavors(register: Callable[[Flavor], None]) -> None:
    register(Flavor(
        KEY.kind, KEY.flavor, KEY.version,
        schema_source=schema_file(KEY.kind, KEY.flavor, KEY.version),
        description="DynamoDB table keyed by a partition key, with the upstream module's advanced options",
        sample_source=files(__package__) / "sample.json",
        outputs=OUTPUTS,
        schema_checked=True,  # tests/test_schema.py checks it against the 2020-12 metaschema
    ))


@hookimpl
def validate(resource: Resource, context: ValidationContext) -> list[Diagnostic] | None:
    if resource.key != KEY:
        return None
    from .rules import check

    return check(resource, context)


@hookimpl
def synthesize(resource: Resource, context: SynthContext) -> bool | None:
    if resource.key != KEY:
        return None
    from .synth import synthesize_table

    synthesize_table(Table(resource, context.environment.name), context)
    return True
