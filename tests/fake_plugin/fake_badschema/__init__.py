"""A plugin that ships a schema which is not a valid JSON Schema."""

from collections.abc import Callable

from facets_dynamo import hookimpl
from facets_dynamo.flavor import Flavor


@hookimpl
def register_flavors(register: Callable[[Flavor], None]) -> None:
    register(Flavor("queue", "bad", "0.1", schema_source={"type": 5}))
