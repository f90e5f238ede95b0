"""Hook implementations of the dynamodb/default/0.2 flavor (entry point ``dynamodb_default``).

The host sends each hook only for this flavor's resources, so none of them checks ``resource.key``.
Rules, synthesis, planning and descriptions all read the document through one model (:class:`.model.Table`).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import Any

from facets_dynamo_schemas import schema_file

from facets_dynamo.plugin import (
    Adoption,
    Consequence,
    Description,
    Diagnostic,
    Document,
    Environment,
    Flavor,
    FlavorKey,
    Form,
    Resource,
    Rule,
    SynthContext,
    ValidationContext,
    hookimpl,
)

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
        schema_checked=True,  # tests/plugin/test_schema.py checks it against the 2020-12 metaschema
    ))


@hookimpl
def validate(resource: Resource, context: ValidationContext) -> list[Diagnostic]:
    from . import policy
    from .model import Table
    from .rules import check

    table = Table(resource, context.environment.name)  # one model, its derived views shared by both
    return check(resource, context, table) + policy.check(resource, context, table)


@hookimpl
def rules() -> list[Rule]:
    from .catalogue import all_rules

    return all_rules()


@hookimpl
def synthesize(resource: Resource, context: SynthContext) -> bool:
    from .synth import synthesize_table

    synthesize_table(Table(resource, context.environment.name), context)
    return True


@hookimpl
def plan_change(old: Resource | None, new: Resource | None, environment: Environment) -> list[Consequence]:
    from .plan import plan_change as plan

    return plan(old, new, environment)


@hookimpl
def describe(resource: Resource, environment: Environment) -> Description:
    from .describe import describe as summarize

    return summarize(resource, environment)


@hookimpl
def edit_form(resource: Resource) -> Form:
    from .form import edit_form as form

    return form(resource)


@hookimpl
def adopt(documents: list[Document], name: str, environment: Environment) -> Adoption:
    from .adopt import adopt as adopt_table

    return adopt_table(documents, name, environment, _schema_fields())


@hookimpl
def fetch_live(cloud_name: str, environment: Environment) -> list[Document]:
    from .adopt import fetch_live as read_aws

    return read_aws(cloud_name, environment)


@hookimpl
def normalize(resource: Resource, environment: Environment) -> dict[str, Any]:
    from .adopt import normalize as as_the_table_sees_it

    return as_the_table_sees_it(resource, environment)


def _schema_fields() -> set[str]:
    """The ``advanced.aws_dynamodb`` settings this flavor's schema can express (adoption refuses the others)."""
    import json

    schema = json.loads(schema_file(KEY.kind, KEY.flavor, KEY.version).read_text(encoding="utf-8"))
    return set(schema["properties"]["advanced"]["properties"]["aws_dynamodb"]["properties"])
