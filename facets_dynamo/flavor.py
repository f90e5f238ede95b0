"""What a plugin registers: one (kind, flavor, version) it serves, with its schema and sample."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from importlib.resources.abc import Traversable
from typing import Any


@dataclass(frozen=True)
class FlavorKey:
    kind: str
    flavor: str
    version: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.flavor}/{self.version}"


@dataclass(eq=False)
class Flavor:
    """A flavor a plugin serves.

    ``schema`` may be a dict or a ``Traversable`` pointing at a JSON file shipped with the plugin; it is
    read on first use so that listing plugins stays cheap.

    ``schema_checked=True`` says the plugin's own tests check its schema against the 2020-12 metaschema, so
    the host skips that check (about 40 ms of every cold ``validate``); by default the host checks it and
    reports a broken schema as FD900.
    """

    kind: str
    flavor: str
    version: str
    schema_source: dict[str, Any] | Traversable
    description: str = ""
    sample_source: dict[str, Any] | Traversable | None = None
    outputs: tuple[str, ...] = ()
    schema_checked: bool = False
    plugin: str = field(default="", compare=False)
    _checked: int = field(default=0, init=False, repr=False, compare=False)

    @property
    def key(self) -> FlavorKey:
        return FlavorKey(self.kind, self.flavor, self.version)

    @cached_property
    def schema(self) -> dict[str, Any]:
        return _load(self.schema_source)

    @cached_property
    def sample(self) -> dict[str, Any] | None:
        return None if self.sample_source is None else _load(self.sample_source)

    @cached_property
    def validator(self) -> Any:
        """A compiled Draft 2020-12 validator (jsonschema is imported only when validation runs)."""
        from jsonschema import Draft202012Validator

        if not self.schema_checked:
            Draft202012Validator.check_schema(self.schema)
        return Draft202012Validator(self.schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def certainly_valid(self, data: Any) -> bool:
        """True when the compiled schema check accepts ``data`` (the full validator would find nothing).

        False means "run :attr:`validator`", which also explains the errors. The check is compiled only
        once a flavor has seen :data:`FAST_CHECK_AFTER` documents: compiling costs more than validating
        a few documents, so a one-file ``validate`` never pays for it.
        """
        self._checked += 1
        if self._checked <= FAST_CHECK_AFTER:
            return False
        check = self._compiled_check
        if check is None:
            return False
        try:
            check(data)
        except Exception:
            return False
        return True

    @cached_property
    def _compiled_check(self) -> Any:
        from .fastcheck import compile_check

        return compile_check(self.schema)


# Compiling the schema check (~30 ms) pays for itself after about this many documents of one flavor.
FAST_CHECK_AFTER = 50


def _load(source: dict[str, Any] | Traversable) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    return json.loads(source.read_text(encoding="utf-8"))
