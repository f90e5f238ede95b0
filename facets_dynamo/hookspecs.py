"""The hooks a flavor plugin may implement: the whole contract between the host and a plugin.

A flavor plugin is a module (or object) with functions marked ``@hookimpl`` (import it, and everything
else a plugin may use, from :mod:`facets_dynamo.plugin`), published through the ``facets_dynamo``
entry-point group. The same name is used for the pluggy project, the markers and the entry-point group,
so there is exactly one word to remember.

Every hook but ``register_flavors`` is about one resource, and the host sends it only to the plugin that
registered that resource's flavor (plus the host's own built-in checks): a plugin never sees another
plugin's resources and never has to check ``resource.key`` itself. A plugin that registers no flavor at all
is a *policy plugin*: its ``validate`` runs for every resource (organisation-wide rules such as required
tags) and no other per-resource hook reaches it. Each hook is optional; what the host
does without it is said in its docstring. ``docs/plugins.md`` has an example of each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pluggy

PROJECT = "facets_dynamo"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

if TYPE_CHECKING:
    from .cloud import Adoption
    from .contexts import SynthContext, ValidationContext
    from .diagnostics import Diagnostic
    from .environment import Environment
    from .flavor import Flavor
    from .forms import Form
    from .jsonsource import Document
    from .resource import Resource
    from .rule import Rule
    from .semantics import Consequence, Description


@hookspec
def register_flavors(register: Callable[[Flavor], None]) -> None:
    """Register each (kind, flavor, version) this plugin serves by calling ``register(Flavor(...))``.

    The register-callback style (as in simonw/llm) lets one plugin serve several flavors without the
    host caring how it finds them, and lets the host attribute every flavor to the plugin that gave it.
    A flavor carries its JSON Schema, its outputs (what ``${kind.name.out.X}`` may name) and a sample
    document (what ``facets-dynamo new`` and the editor's "new resource" start from).
    """


@hookspec
def validate(resource: Resource, context: ValidationContext) -> Iterable[Diagnostic] | None:
    """Check ``resource`` beyond its JSON Schema (which the host has already applied).

    Report every problem, not only the first: the host collects and sorts them. Use
    ``resource.diagnostic(pointer, code, message)`` so each record carries the file, line and column the
    value came from (base file or environment override). Must not start Node or import the CDK engine:
    validation has to stay fast. Without it: the schema and the host's envelope and reference checks only.
    """


@hookspec
def synthesize(resource: Resource, context: SynthContext) -> Any | None:
    """Add the Terraform constructs for a valid, enabled ``resource`` to its stack.

    Return anything but ``None`` (e.g. ``True``) when you did the work. Build constructs only through
    ``context`` (``add_resource``, ``add_output``): the host owns the CDK engine, its thread and its
    escaping of literal strings. Without it, ``synth`` of such a resource is an error (FD900).
    """


@hookspec
def plan_change(old: Resource | None, new: Resource | None, environment: Environment,
                ) -> Iterable[Consequence] | None:
    """What applying the change from ``old`` to ``new`` does to the live resource in ``environment``.

    ``old`` is None for a new resource, ``new`` None for one that is deleted, disabled or becomes provided.
    Return a :class:`Consequence` for each change that does more than an in-place update (replaces the
    resource, destroys it), with the reason a reviewer needs and the document pointers it is about; an
    empty list says "every change is in place". ``facets-dynamo diff``, its exit code 3 and the editor's
    diff tab come from it. Without it, changes have the effect "unknown"; removing a managed resource is
    still "destroys" (its stack is no longer synthesized).
    """


@hookspec
def describe(resource: Resource, environment: Environment) -> Description | None:
    """A summary of ``resource`` for people: its name in the cloud, a one-line summary and tables (keys,
    indexes, settings), shown by the notebook display, the editor and ``diff``. Pure and cheap: it runs on
    every edit. Without it: the address, flavor and document only."""


@hookspec
def edit_form(resource: Resource) -> Form | None:
    """The fields the editor's form shows for ``resource`` (types, choices, suggestions drawn from the
    document, collections such as key attributes or indexes), and how a rename propagates. The editor
    builds its form from this; without it the flavor is edited as JSON only."""


@hookspec
def adopt(documents: list[Document], name: str, environment: Environment) -> Adoption | None:
    """A spec that reproduces an existing cloud resource, from what the cloud says about it: the saved outputs of
    its describe calls, or what ``fetch_live`` read. ``name`` is the blueprint name to give it. Every setting the
    flavor cannot express, or a resource in another region than ``environment``'s, is a diagnostic (positioned
    with ``document.diagnostic(pointer, code, message)``) and the document is None: nothing half-adopted is
    written. ``facets-dynamo import`` and ``drift`` use it. Without it, the flavor cannot be imported."""


@hookspec
def fetch_live(cloud_name: str, environment: Environment) -> list[Document] | None:
    """What the cloud says today about the resource called ``cloud_name`` in ``environment`` (its describe calls
    made with the standard credential chain; ``AWS_ENDPOINT_URL`` honoured), as documents ``adopt`` reads.
    Raise :class:`CloudError` when the cloud cannot be asked or the resource does not exist. Import the cloud SDK
    inside the hook: it is heavy. Without it, ``import --live`` and ``drift --live`` are unavailable for the
    flavor (saved describe outputs still work)."""


@hookspec
def normalize(resource: Resource, environment: Environment) -> dict[str, Any] | None:
    """``resource``'s document as the cloud sees it: every default written out, nothing that never reaches the
    cloud (``$schema``, ``lifecycle``, ...), so that two documents for the same cloud resource are equal.
    ``facets-dynamo drift`` compares the blueprint's spec with the adopted live one through it, then classifies
    each difference with ``plan_change``. Without it, the documents are compared as written."""


def rules() -> Iterable[Rule] | None:
    """Document every diagnostic code this plugin emits: a :class:`Rule` per code (title, summary, why it
    matters, an invalid and a fixed example, the default severity, the Checkov / Trivy id of the same check).

    Called once per run for every plugin (not per resource). ``docs/rules.md``, ``facets-dynamo explain CODE``
    and the rule table of ``--format sarif`` come from it. Without it, the plugin's codes appear in SARIF with
    their code as their only description and ``explain`` does not know them.
    """
