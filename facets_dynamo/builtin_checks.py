"""Checks every resource needs whatever its flavor: a usable name and resolvable references.

Registered by the host explicitly (not through an entry point), like datasette's default plugins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl
from .jsonsource import pointer_join
from .resource import lookup_out
from .terraform_strings import REFERENCE

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .resource import Resource
    from .validation import ValidationContext

# A resource name becomes a stack id and a folder under --out/stacks/: keep it one safe path component.
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@hookimpl
def validate(resource: Resource, context: ValidationContext) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    name = resource.name
    if not SAFE_NAME.match(name) or ".." in name:
        pointer = "/metadata/name" if resource.metadata.get("name") == name else ""
        problems.append(resource.diagnostic(pointer, "FD203", f"resource name {name!r} is not usable: it "
                                            "must start with a letter or digit and use only letters, digits, "
                                            "'_', '.', '-' (at most 128 characters)"))
    problems.extend(_reference_problems(resource, context))
    return problems


def _strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, pointer_join(pointer, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, pointer_join(pointer, i))


def _reference_problems(resource: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    for pointer, text in _strings(resource.data):
        for match in REFERENCE.finditer(text):
            kind, name, field = match.groups()
            address = f"{kind}.{name}"
            target = ctx.lookup(address)
            ref = match.group(0)
            if target is None:
                known = ", ".join(sorted(ctx.resources)) or "none"
                yield resource.diagnostic(pointer, "FD310", f"reference {ref} names no resource of this "
                                          f"blueprint (known: {known})")
            elif target is resource:
                yield resource.diagnostic(pointer, "FD313", f"reference {ref} points at the resource itself")
            elif target.disabled:
                yield resource.diagnostic(pointer, "FD311", f"reference {ref} points at {address}, which is "
                                          f"disabled in environment {ctx.environment.name!r}")
            elif not _field_known(target, field, ctx):
                yield resource.diagnostic(pointer, "FD312", f"reference {ref}: {address} has no output "
                                          f"{field!r} (it has: {', '.join(_outputs(target, ctx)) or 'none'})")


def _outputs(target: Resource, ctx: ValidationContext) -> list[str]:
    if target.provided:
        attrs = target.out.get("attributes")
        return sorted(attrs) if isinstance(attrs, dict) else sorted(target.out)
    flavor = ctx.host.flavors.get(target.key) if target.key else None
    return list(flavor.outputs) if flavor else []


def _field_known(target: Resource, field: str, ctx: ValidationContext) -> bool:
    if target.provided:
        return lookup_out(target.out, field) is not None
    bare = field.removeprefix("attributes.")
    return bare in _outputs(target, ctx)
