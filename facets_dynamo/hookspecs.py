"""The contract between the facets-dynamo host and flavor plugins.

A flavor plugin is a module (or object) with functions marked ``@facets_dynamo.hookimpl``, published
through the ``facets_dynamo`` entry-point group. The same name is used for the pluggy project, the
markers and the entry-point group, so there is exactly one word to remember.

The host calls every hook on every plugin; a plugin answers only for the flavors it registered and
returns ``None`` otherwise. That keeps plugins independent: two plugins never need to know each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pluggy

PROJECT = "facets_dynamo"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .flavor import Flavor
    from .resource import Resource
    from .synthesis import SynthContext
    from .validation import ValidationContext


@hookspec
def register_flavors(register: Callable[[Flavor], None]) -> None:
    """Register each (kind, flavor, version) this plugin serves by calling ``register(Flavor(...))``.

    The register-callback style (as in simonw/llm) lets one plugin serve several flavors without the
    host caring how it finds them, and lets the host attribute every flavor to the plugin that gave it.
    """


@hookspec
def validate(resource: Resource, context: ValidationContext) -> Iterable[Diagnostic] | None:
    """Check ``resource`` beyond its JSON Schema (which the host has already applied).

    Return ``None`` if the resource's flavor is not yours. Report every problem, not only the first:
    the host collects and sorts them. Use ``resource.diagnostic(pointer, code, message)`` so each record
    carries the file, line and column the value came from (base file or environment override).
    Must not start Node or import the CDK engine: validation has to stay fast.
    """


@hookspec
def synthesize(resource: Resource, context: SynthContext) -> Any | None:
    """Add the Terraform constructs for a valid, enabled ``resource`` to ``context.stack``.

    Return ``None`` if the resource's flavor is not yours, anything else (e.g. ``True``) when you did
    the work. Build constructs only through ``context`` (``add_resource``, ``add_output``, ...): the host
    owns the CDK engine, its thread and its escaping of literal strings.
    """
