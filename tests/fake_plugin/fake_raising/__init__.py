"""A plugin with a bug: its ``validate`` hook raises for every resource."""

from typing import Any

from facets_dynamo import hookimpl


@hookimpl
def validate(resource: Any, context: Any) -> None:
    raise RuntimeError("fake_raising exploded")
