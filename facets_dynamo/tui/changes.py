"""The editor's diff tab: the plan-aware spec diff of ``facets_dynamo.diff`` (what the flavor says each
change does) plus a unified diff of the synthesized Terraform JSON."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..diff import DiffError, diff_resources
from ..semantics import Effect

if TYPE_CHECKING:
    from ..resource import Resource

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
    """What the diff tab shows: spec-level changes (flagged when they lose data), why, and the JSON diff."""

    effect: Effect = Effect.IN_PLACE
    name: str | None = None  # the resource's name in the cloud, as its flavor describes it
    items: list[tuple[str, bool]] = field(default_factory=list)  # (line, loses data)
    reasons: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # unified diff of the synthesized stacks
    error: str = ""  # the flavor's plugin failed while planning

    @property
    def changed(self) -> bool:
        return bool(self.items or self.lines)

    @property
    def loses_data(self) -> bool:
        return self.effect.loses_data


def build_diff(old_resource: Resource | None, new_resource: Resource | None, env: str,
               old_stack: dict[str, Any] | None, new_stack: dict[str, Any] | None) -> DiffView:
    """The plan-aware diff of the two versions (when there is one) and the diff of their stacks."""
    lines = text_diff(old_stack, new_stack)
    if old_resource is None and new_resource is None:
        return DiffView(lines=lines)
    try:
        found = diff_resources(old_resource, new_resource, env)
    except DiffError as exc:
        return DiffView(Effect.UNKNOWN, lines=lines, error=str(exc))
    return DiffView(found.effect, found.old_name or found.new_name,
                    [(c.format_text(), c.loses_data) for c in found.changes], list(found.reasons), lines)
