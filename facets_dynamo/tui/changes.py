"""What an edit would change in the synthesized Terraform, and which of those changes replace the table.

Kept small and self-contained so it can later be swapped for ``facets_dynamo.diff`` (the CLI's diff):
the TUI only needs :func:`compare_stacks` and :func:`text_diff`.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..resource import Resource

TABLE = "aws_dynamodb_table"
# Changing any of these makes Terraform destroy and re-create the table (data loss).
REPLACING_FIELDS = ("name", "hash_key", "range_key", "local_secondary_index")


@dataclass(frozen=True)
class Change:
    address: str          # e.g. aws_dynamodb_table.table
    path: str             # dotted path inside the resource body; "" for the whole resource
    kind: str             # "add", "remove" or "change"
    old: Any = None
    new: Any = None
    replaces: bool = False

    def describe(self) -> str:
        where = f"{self.address}.{self.path}" if self.path else self.address
        if self.kind == "add":
            return f"+ {where} = {_short(self.new)}"
        if self.kind == "remove":
            return f"- {where}" + ("" if self.path == "" else f" (was {_short(self.old)})")
        return f"~ {where}: {_short(self.old)} -> {_short(self.new)}"


@dataclass
class Comparison:
    changes: list[Change] = field(default_factory=list)

    @property
    def replaces_table(self) -> bool:
        return any(c.replaces for c in self.changes)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _resources(stack: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for type_, items in ((stack or {}).get("resource") or {}).items():
        for name, body in (items or {}).items():
            out[f"{type_}.{name}"] = body
    return out


def compare_stacks(old: dict[str, Any] | None, new: dict[str, Any] | None) -> Comparison:
    """Field-level changes between two synthesized stacks (metadata ``//`` blocks ignored)."""
    before, after = _resources(old), _resources(new)
    result = Comparison()
    for address in sorted(before.keys() | after.keys()):
        is_table = address.startswith(TABLE + ".")
        if address not in after:
            result.changes.append(Change(address, "", "remove", before[address], None, replaces=is_table))
        elif address not in before:
            result.changes.append(Change(address, "", "add", None, after[address]))
        else:
            replacing = _replacing_paths(before[address], after[address]) if is_table else set()
            for path, kind, a, b in _walk(before[address], after[address], ""):
                top = path.split(".", 1)[0].split("[", 1)[0]
                result.changes.append(Change(address, path, kind, a, b, replaces=top in replacing))
    return result


def _replacing_paths(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    found = {f for f in REPLACING_FIELDS if old.get(f) != new.get(f)}
    keys = {old.get("hash_key"), old.get("range_key")} - {None}
    old_types = {a.get("name"): a.get("type") for a in old.get("attribute") or [] if isinstance(a, dict)}
    new_types = {a.get("name"): a.get("type") for a in new.get("attribute") or [] if isinstance(a, dict)}
    if any(k in new_types and old_types.get(k) != new_types.get(k) for k in keys):
        found.add("attribute")
    return found


def _walk(a: Any, b: Any, path: str) -> list[tuple[str, str, Any, Any]]:
    if a == b:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(a.keys() | b.keys()):
            if key == "//":
                continue
            sub = f"{path}.{key}" if path else key
            if key not in b:
                out.append((sub, "remove", a[key], None))
            elif key not in a:
                out.append((sub, "add", None, b[key]))
            else:
                out += _walk(a[key], b[key], sub)
        return out
    return [(path, "change", a, b)]


def strip_metadata(value: Any) -> Any:
    """Drop the engine's ``//`` blocks (construct paths), which differ for reasons a reviewer ignores."""
    if isinstance(value, dict):
        return {k: strip_metadata(v) for k, v in value.items() if k != "//"}
    return [strip_metadata(v) for v in value] if isinstance(value, list) else value


def text_diff(old: dict[str, Any] | None, new: dict[str, Any] | None, old_label: str = "saved",
              new_label: str = "edited") -> list[str]:
    """A unified diff of the two stacks as pretty JSON (what a reviewer would read)."""
    def lines(data: dict[str, Any] | None) -> list[str]:
        return [] if data is None else json.dumps(strip_metadata(data), indent=2, sort_keys=True).splitlines()

    return list(difflib.unified_diff(lines(old), lines(new), old_label, new_label, lineterm="", n=2))


@dataclass
class DiffView:
    """What the diff tab shows: spec-level changes (flagged), why the table is lost, and the JSON diff."""

    replaces_table: bool = False
    destroys_table: bool = False
    items: list[tuple[str, bool]] = field(default_factory=list)  # (line, forces replacement)
    reasons: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # unified diff of the synthesized stacks

    @property
    def changed(self) -> bool:
        return bool(self.items or self.lines)


def build_diff(old_resource: Resource | None, new_resource: Resource | None, env: str,
               old_stack: dict[str, Any] | None, new_stack: dict[str, Any] | None) -> DiffView:
    """Prefer the project's plan-aware ``facets_dynamo.diff``; fall back to comparing the stacks."""
    lines = text_diff(old_stack, new_stack)
    try:
        from ..diff import diff_resources
    except ImportError:  # pragma: no cover - diff.py ships with the package
        diff_resources = None
    if diff_resources is not None and (old_resource is not None or new_resource is not None):
        found = diff_resources(old_resource, new_resource, env)
        return DiffView(found.replaces_table, found.destroys_table,
                        [(c.format_text(), c.replaces_table) for c in found.changes], list(found.reasons), lines)
    cmp = compare_stacks(old_stack, new_stack)
    return DiffView(cmp.replaces_table, False, [(c.describe(), c.replaces) for c in cmp.changes], [], lines)
