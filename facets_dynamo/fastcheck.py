"""A compiled yes/no schema check, so bulk validation does not pay jsonschema's cost per valid document.

Why: ``jsonschema`` walks the schema anew for every document (~0.3 ms for a dynamodb spec), which alone
held validation throughput under 5,000 specs/s. ``fastjsonschema`` compiles the schema to Python once
(~30 ms) and then answers in ~20 us. It only ever *confirms* validity: when it says no (or cannot be
used), the full jsonschema validator runs and produces the diagnostics, so messages never change.

The compiled check follows draft-07 rules. It is used only when every keyword of the schema behaves
identically in draft-07 and 2020-12 (no ``$ref``/``$defs``, ``format``, ``prefixItems``,
``unevaluated*``, ``dependent*``...), so it cannot accept a document the 2020-12 validator rejects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Keywords with the same meaning in draft-07 and 2020-12 (annotations included).
SAME_IN_DRAFT7 = frozenset({
    "type", "enum", "const", "properties", "patternProperties", "additionalProperties", "required",
    "propertyNames", "minProperties", "maxProperties", "items", "minItems", "maxItems", "uniqueItems",
    "contains", "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "title", "description", "default", "examples", "$comment", "$schema", "$id", "readOnly", "writeOnly",
    "deprecated",
})
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_VALUES = ("additionalProperties", "items", "propertyNames", "contains", "not", "if", "then", "else")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def portable(schema: Any) -> bool:
    """True if every subschema uses only keywords from :data:`SAME_IN_DRAFT7` (or ``x-`` extensions)."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key in schema:
        if key not in SAME_IN_DRAFT7 and not key.startswith("x-"):
            return False
    if isinstance(schema.get("items"), list):  # tuple form means prefixItems in 2020-12
        return False
    subschemas: list[Any] = [schema[k] for k in _SCHEMA_VALUES if k in schema]
    for key in _SCHEMA_MAPS:
        if key in schema:
            if not isinstance(schema[key], dict):
                return False
            subschemas += schema[key].values()
    for key in _SCHEMA_LISTS:
        if key in schema:
            if not isinstance(schema[key], list):
                return False
            subschemas += schema[key]
    return all(portable(s) for s in subschemas)


def compile_check(schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    """A function that raises on an invalid document, or None when no safe compiled check exists."""
    if not portable(schema):
        return None
    try:
        import fastjsonschema
    except ImportError:
        return None
    definition = {**schema, "$schema": "http://json-schema.org/draft-07/schema#"}
    try:
        # use_default=False: the check must never write defaults into the user's document
        return fastjsonschema.compile(definition, use_default=False, use_formats=False)
    except Exception:  # a schema fastjsonschema cannot compile simply keeps the full validator
        return None
