"""Checks every resource needs whatever its flavor: a usable name and resolvable references.

Registered by the host explicitly (not through an entry point), like datasette's default plugins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl
from .jsonsource import pointer_join
from .resource import NAME_RULE, lookup_out, usable_name
from .terraform_strings import REFERENCE

if TYPE_CHECKING:
    from .contexts import ValidationContext
    from .diagnostics import Diagnostic
    from .resource import Resource

@hookimpl
def validate(resource: Resource, context: ValidationContext) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    name = resource.name
    if not usable_name(name):
        pointer = "/metadata/name" if resource.metadata.get("name") == name else ""
        problems.append(resource.diagnostic(pointer, "FD203", f"resource name {name!r} is not usable: it must "
                                            f"{NAME_RULE}"))
    problems.extend(_reference_problems(resource, context))
    return problems


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """``(pointer, text)`` of the strings that can hold a reference (they contain ``${``).

    Iterative, and a pointer is built only for those strings: a recursive generator building a path for
    every value cost more than all of a flavor's rules together (see docs/benchmarks.md).
    """
    if isinstance(value, str):
        if "${" in value:
            yield "", value
        return
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        node, parts = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        nested = []
        for k, v in items:
            if isinstance(v, str):
                if "${" in v:
                    yield pointer_join("", *parts, k), v
            elif isinstance(v, (dict, list)):  # a tuple: isinstance with a union type (dict | list) is ~2x slower
                nested.append((v, (*parts, k)))
        stack.extend(reversed(nested))


def _reference_problems(resource: Resource, ctx: ValidationContext) -> Iterator[Diagnostic]:
    for pointer, text in _texts(resource, ctx):
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
            elif (cycle := _cycle_through(resource, target, ctx)) is not None:
                yield resource.diagnostic(pointer, "FD314", f"reference {ref} closes a reference cycle "
                                          f"({' -> '.join(cycle)}); each stack would wait for the other's "
                                          "outputs: remove one of these references")


def _texts(resource: Resource, ctx: ValidationContext) -> list[tuple[str, str]]:
    """The strings holding ``${`` of ``resource``, walked once per run: its own reference check and the
    reference graph both need them (keyed with the resource itself, so an id is never reused)."""
    resource_, texts = ctx.memo(("reference texts", id(resource)), lambda: (resource, list(_strings(resource.data))))
    return texts if resource_ is resource else list(_strings(resource.data))


def _edges(address: str, ctx: ValidationContext) -> list[str]:
    """What the synthesized resource at ``address`` references among synthesized resources (provided and
    disabled ones are not stacks, so no edges); worked out once per run and only for the resources a cycle
    check reaches, so checking one resource of a large blueprint does not walk all of them."""
    def targets() -> list[str]:
        r = ctx.resources.get(address)
        if r is None or r.disabled or r.provided:
            return []
        found = {f"{m.group(1)}.{m.group(2)}" for _, text in _texts(r, ctx) for m in REFERENCE.finditer(text)}
        return sorted(t for t in found if t != address and t in ctx.resources
                      and not ctx.resources[t].disabled and not ctx.resources[t].provided)

    return ctx.memo(("reference edges", address), targets)


def _cycle_through(resource: Resource, target: Resource, ctx: ValidationContext) -> list[str] | None:
    """The path ``resource -> target -> ... -> resource`` if the reference closes a loop, else None."""
    if resource.disabled or resource.provided or target.provided:
        return None
    start, goal = target.address, resource.address
    parents: dict[str, str | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            path = [node]
            while (prev := parents[path[-1]]) is not None:
                path.append(prev)
            return [goal, *reversed(path)]
        for nxt in _edges(node, ctx):
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return None


def _outputs(target: Resource, ctx: ValidationContext) -> list[str]:
    if target.provided:
        attrs = target.out.get("attributes")
        return sorted(attrs) if isinstance(attrs, dict) else sorted(target.out)
    flavor = ctx.flavor(target.key)
    return list(flavor.outputs) if flavor else []


def _field_known(target: Resource, field: str, ctx: ValidationContext) -> bool:
    if target.provided:
        return lookup_out(target.out, field) is not None
    bare = field.removeprefix("attributes.")
    return bare in _outputs(target, ctx)
