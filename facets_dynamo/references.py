"""The references between a blueprint's resources (``${kind.name.out.field}``), and the order they give.

Pure functions over loaded resources, low in the package: the blueprint loader (FD411), synthesis (the
order stacks are built in), ``facets-dynamo graph`` (the apply order) and the editor (which stacks a preview
needs) share them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .terraform_strings import REFERENCE

if TYPE_CHECKING:
    from .resource import Resource


def reference_graph(resources: list[Resource]) -> dict[str, list[str]]:
    """``address -> sorted addresses it references`` among ``resources`` (the ``${kind.name.out...}``
    references anywhere in a document, ``depends_on`` included): the edges :func:`synthesis_order` follows,
    the engine turns into cross-stack references, and ``facets-dynamo graph`` draws."""
    known = {r.address for r in resources}
    return {r.address: sorted(t for t in referenced_addresses(r.data) if t in known and t != r.address)
            for r in resources}


def synthesis_order(resources: list[Resource]) -> list[Resource]:
    """Referenced resources first, so their outputs exist when a referrer is built (stable otherwise). This
    is also the order to apply the stacks in."""
    by_address = {r.address: r for r in resources}
    edges = reference_graph(resources)
    done: dict[str, Resource] = {}
    visiting: set[str] = set()

    def visit(r: Resource) -> None:
        if r.address in done or r.address in visiting:
            return
        visiting.add(r.address)
        for target in edges[r.address]:
            visit(by_address[target])
        visiting.discard(r.address)
        done[r.address] = r

    for r in sorted(resources, key=lambda r: r.address):
        visit(r)
    return list(done.values())


def referenced_addresses(value: Any) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.update(f"{m.group(1)}.{m.group(2)}" for m in REFERENCE.finditer(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
