"""A plugin that claims a flavor the bundled plugin already serves."""

from collections.abc import Callable

from facets_dynamo import hookimpl
from facets_dynamo.flavor import Flavor


@hookimpl
def register_flavors(register: Callable[[Flavor], None]) -> None:
    register(Flavor("dynamodb", "default", "0.2", schema_source={"type": "object"}))
