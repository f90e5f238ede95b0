"""A resource document with its envelope, where each value came from, and how to report on it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Severity
from .flavor import FlavorKey
from .jsonsource import Document, SourceMap, read_document

# A resource name becomes a stack id and a folder under --out/stacks/: keep it one safe path component.
_USABLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
NAME_RULE = "start with a letter or digit and use only letters, digits, '_', '.', '-' (at most 128 characters)"


def usable_name(name: str) -> bool:
    """Whether ``name`` may name a resource (:data:`NAME_RULE`); fullmatch, since ``$`` lets ``"x\\n"`` through."""
    return bool(_USABLE_NAME.fullmatch(name)) and ".." not in name


@dataclass
class Resource:
    """One Facets resource: the (possibly environment-merged) document plus its provenance.

    ``data`` is the raw JSON value and may be malformed (validation reports that); the properties below
    never raise on malformed input, they fall back to empty values.
    """

    data: Any
    source: SourceMap
    file: str
    default_name: str
    files: tuple[str, ...] = ()
    environment: str | None = None
    text: str = ""
    kind_from_folder: str | None = None

    # -- envelope ----------------------------------------------------------------------------------
    def _field(self, name: str) -> Any:
        return self.data.get(name) if isinstance(self.data, dict) else None

    @property
    def kind(self) -> str | None:
        value = self._field("kind")
        return value if isinstance(value, str) else self.kind_from_folder if value is None else None

    @property
    def flavor(self) -> str | None:
        value = self._field("flavor")
        return value if isinstance(value, str) else None

    @property
    def version(self) -> str | None:
        value = self._field("version")
        return value if isinstance(value, str) else None

    @property
    def key(self) -> FlavorKey | None:
        if self.kind and self.flavor and self.version:
            return FlavorKey(self.kind, self.flavor, self.version)
        return None

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        return name if isinstance(name, str) and name else self.default_name

    @property
    def disabled(self) -> bool:
        return self._field("disabled") is True

    @property
    def provided(self) -> bool:
        return self._field("provided") is True

    def _object(self, name: str) -> dict[str, Any]:
        value = self._field(name)
        return value if isinstance(value, dict) else {}

    @property
    def metadata(self) -> dict[str, Any]:
        return self._object("metadata")

    @property
    def spec(self) -> dict[str, Any]:
        return self._object("spec")

    @property
    def advanced(self) -> dict[str, Any]:
        return self._object("advanced")

    @property
    def out(self) -> dict[str, Any]:
        return self._object("out")

    @property
    def address(self) -> str:
        """``kind.name``, the form references use (``${kind.name.out.field}``)."""
        return f"{self.kind}.{self.name}"

    @property
    def blueprint_root(self) -> Path | None:
        """The blueprint folder this resource was loaded from (``<bp>`` of ``<bp>/<kind>/instances/<name>.json``,
        as the path was given: relative or absolute), or None for a loose file or an in-memory resource."""
        if self.kind_from_folder is None:
            return None
        return _instance_file_root(self.file)

    # -- reporting ---------------------------------------------------------------------------------
    def diagnostic(self, pointer: str, code: str, message: str, severity: Severity = Severity.ERROR,
                   *, key: bool = False) -> Diagnostic:
        loc = self.source.locate(pointer, key=key)
        return Diagnostic(loc.file or self.file, loc.line, loc.column, pointer, severity, code, message)

    def to_json(self, indent: int = 2) -> str:
        return json.dumps(self.data, indent=indent)

    def __repr__(self) -> str:
        return f"<Resource {self.address} {self.key or '?'} from {self.file}>"

    def _repr_html_(self) -> str:
        from .display import present

        return present(self)


@lru_cache(maxsize=1 << 16)
def _instance_file_root(file: str) -> Path | None:
    """``<bp>`` of ``<bp>/<kind>/instances/<name>.json``. Cached: every validation run asks it of every resource
    (``Workspace.root``), and building the Path cost ~8 us each, ~5% of validating a resource."""
    path = Path(file)
    return path.parents[2] if len(path.parents) > 2 else None


def resource_from_document(doc: Document, path: Path) -> tuple[Resource | None, list[Diagnostic]]:
    """A :class:`Resource` for a parsed document, or a diagnostic if it is not a JSON object."""
    if not isinstance(doc.data, dict):
        return None, [Diagnostic(doc.file, 1, 1, "", Severity.ERROR, "FD111",
                                 f"top level is {_json_type(doc.data)}; a resource must be a JSON object "
                                 "with kind, flavor, version, metadata and spec")]
    return Resource(doc.data, doc.source, doc.file, path.stem, (doc.file,), text=doc.text), []


def load_resource(path: str | Path, display: str | None = None) -> tuple[Resource | None, list[Diagnostic]]:
    """Read one resource file. Returns ``(None, problems)`` if it is not a usable JSON object."""
    path = Path(path)
    doc, problems = read_document(path, display)
    if doc is None:
        return None, problems
    resource, more = resource_from_document(doc, path)
    return resource, problems + more


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def lookup_out(out: Mapping[str, Any], field_path: str) -> Any:
    """``out`` value at a dotted path; ``table_arn`` is short for ``attributes.table_arn``."""
    for path in (field_path, f"attributes.{field_path}"):
        node: Any = out
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            return node
    return None
