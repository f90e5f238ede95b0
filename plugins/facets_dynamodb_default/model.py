"""A typed, defaulted view of a dynamodb/default/0.2 document, shared by the rules and the synthesizer.

The rules run on documents that may be malformed, so every accessor tolerates wrong types and falls back
to the upstream module's default; the JSON Schema reports the wrong type separately.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from facets_dynamo.plugin import Resource, pointer_join

BASE = "/advanced/aws_dynamodb"
PAY_PER_REQUEST = "PAY_PER_REQUEST"
PROVISIONED = "PROVISIONED"
DEFAULT_TIMEOUTS = {"create": "10m", "update": "60m", "delete": "10m"}
RESTORE_KEYS = ("restore_source_name", "restore_source_table_arn", "restore_date_time", "restore_to_latest_time")
DEFAULT_AUTOSCALING = {"scale_in_cooldown": 0, "scale_out_cooldown": 0, "target_value": 70}


T = TypeVar("T")


class view(Generic[T]):  # lower case: a decorator, like functools.cached_property
    """``functools.cached_property`` without its lock: on Python 3.11 that takes a lock on every first access
    (~0.5 us; removed in 3.12), and a check computes ~20 views per resource. A Table is used by one thread."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.compute(obj)  # later reads find it there, not here
        return value


def _dicts(value: Any) -> list[tuple[int, dict[str, Any]]]:
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Attribute:
    logical_id: str
    name: Any
    type: Any
    pointer: str


@dataclass
class Table:
    """Built per check or synth call, so the views below are cached: ~40 rules read them many times. The
    document must not change while a Table is in use (none of its users edits it); the lists returned are
    shared, so callers must not modify them either."""

    resource: Resource
    environment: str

    @view
    def adv(self) -> dict[str, Any]:
        value = self.resource.advanced.get("aws_dynamodb")
        return value if isinstance(value, dict) else {}

    def opt(self, key: str, default: Any = None) -> Any:
        value = self.adv.get(key, default)
        return default if value is None else value

    def flag(self, key: str) -> bool:
        return self.adv.get(key) is True

    @view
    def name(self) -> str:
        """The DynamoDB table name: ``table_name`` for an adopted table, else as upstream
        ``<instance name>-<environment name>``."""
        explicit = self.adv.get("table_name")
        return explicit if isinstance(explicit, str) else f"{self.resource.name}-{self.environment}"

    @view
    def attributes(self) -> list[Attribute]:
        attrs = self.spec.get("attributes")
        if not isinstance(attrs, dict):
            return []
        return [Attribute(k, v.get("name"), v.get("type"), pointer_join("/spec/attributes", k))
                for k, v in attrs.items() if isinstance(v, dict)]

    @view
    def spec(self) -> dict[str, Any]:
        return self.resource.spec

    @view
    def hash_key(self) -> Any:
        return self.spec.get("hash_key")

    @view
    def range_key(self) -> Any:
        return self.adv.get("range_key")

    @view
    def billing_mode(self) -> str:
        mode = self.opt("billing_mode", PAY_PER_REQUEST)
        return mode if isinstance(mode, str) else PAY_PER_REQUEST

    @view
    def gsis(self) -> list[tuple[int, dict[str, Any]]]:
        return _dicts(self.adv.get("global_secondary_indexes"))

    @view
    def lsis(self) -> list[tuple[int, dict[str, Any]]]:
        return _dicts(self.adv.get("local_secondary_indexes"))

    @view
    def replicas(self) -> list[tuple[int, dict[str, Any]]]:
        return _dicts(self.adv.get("replica_regions"))

    @view
    def declared_names(self) -> frozenset[str]:
        """Names of the declared attributes (those that are strings)."""
        return frozenset(a.name for a in self.attributes if isinstance(a.name, str))

    def key_uses(self) -> list[tuple[str, Any]]:
        """Every (pointer, attribute name) used as a key of the table or one of its indexes."""
        return list(self._key_uses)

    @view
    def _key_uses(self) -> list[tuple[str, Any]]:
        uses: list[tuple[str, Any]] = [("/spec/hash_key", self.hash_key)]
        if self.range_key is not None:
            uses.append((f"{BASE}/range_key", self.range_key))
        for i, gsi in self.gsis:
            for key in ("hash_key", "range_key"):
                if gsi.get(key) is not None:
                    uses.append((f"{BASE}/global_secondary_indexes/{i}/{key}", gsi[key]))
        for i, lsi in self.lsis:
            if lsi.get("range_key") is not None:
                uses.append((f"{BASE}/local_secondary_indexes/{i}/range_key", lsi["range_key"]))
        return uses

    def lsis_by_name(self) -> dict[str, dict[str, Any]]:
        """Local secondary indexes by name (``#<position>`` for one without a usable name)."""
        return {lsi["name"] if isinstance(lsi.get("name"), str) else f"#{i}": lsi for i, lsi in self.lsis}

    def attribute_types(self) -> dict[str, tuple[Any, str]]:
        """Attribute name -> (declared type, pointer of that type); the first declaration of a name wins."""
        found: dict[str, tuple[Any, str]] = {}
        for a in self.attributes:
            if isinstance(a.name, str):
                found.setdefault(a.name, (a.type, f"{a.pointer}/type"))
        return found

    def key_names(self) -> set[str]:
        """Names of the attributes that are part of a table or LSI key (their type is fixed forever)."""
        names = {k for k in (self.hash_key, self.range_key) if isinstance(k, str)}
        names |= {lsi["range_key"] for _, lsi in self.lsis if isinstance(lsi.get("range_key"), str)}
        return names

    def user_name_tags(self) -> list[str]:
        """Pointers of every ``Name`` tag the user set; synthesis replaces each with the table name."""
        found = []
        for base, source in (("/metadata/tags", self.resource.metadata.get("tags")),
                             (f"{BASE}/tags", self.adv.get("tags"))):
            if isinstance(source, dict) and "Name" in source:
                found.append(f"{base}/Name")
        return found

    def obj(self, key: str) -> dict[str, Any]:
        """An optional object setting ({} when absent or of the wrong type)."""
        value = self.adv.get(key)
        return value if isinstance(value, dict) else {}

    @view
    def restores(self) -> list[str]:
        """The restore_* settings that are set (each makes the table a restore of another one)."""
        return [k for k in RESTORE_KEYS if self.adv.get(k) not in (None, False)]

    def statements(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        """Resource policy statements (a map keyed by statement id, as the upstream module has them)."""
        value = self.adv.get(key)
        return [(k, v) for k, v in value.items() if isinstance(v, dict)] if isinstance(value, dict) else []

    @view
    def kinesis_destinations(self) -> list[tuple[int, dict[str, Any]]]:
        return _dicts(self.adv.get("kinesis_streaming_destinations"))

    def tags(self, cloud_tags: dict[str, str]) -> dict[str, str]:
        """Environment cloud tags, then metadata.tags, then advanced tags; ``Name`` is always the table."""
        merged: dict[str, Any] = dict(cloud_tags)
        for source in (self.resource.metadata.get("tags"), self.adv.get("tags")):
            if isinstance(source, dict):
                merged.update(source)
        merged["Name"] = self.name
        return {str(k): v if isinstance(v, str) else str(v) for k, v in merged.items()}

    def timeouts(self) -> dict[str, str]:
        given = self.adv.get("timeouts")
        return {**DEFAULT_TIMEOUTS, **(given if isinstance(given, dict) else {})}

    def autoscaling_defaults(self) -> dict[str, Any]:
        given = self.adv.get("autoscaling_defaults")
        return {**DEFAULT_AUTOSCALING, **(given if isinstance(given, dict) else {})}

    @view
    def policy_names(self) -> tuple[str, str]:
        base = f"{self.environment}-{self.name}"
        return f"{base}_ro", f"{base}_rw"
