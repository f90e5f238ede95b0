"""JSON Schemas of the bundled flavors, shipped as package data (``<kind>/<flavor>/<version>.json``)."""

from importlib.resources import files
from importlib.resources.abc import Traversable


def schema_file(kind: str, flavor: str, version: str) -> Traversable:
    return files(__name__) / kind / flavor / f"{version}.json"


def environment_schema_file() -> Traversable:
    """The JSON Schema of ``environment.json`` (what ``facets_dynamo.environment`` checks)."""
    return files(__name__) / "environment.json"
