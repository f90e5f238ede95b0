"""Everything a flavor plugin may use, and nothing else: the contract between facets-dynamo and its plugins.

A plugin imports from this module only (a test holds the bundled plugin and the example plugin to that);
the rest of the package may change between releases, this module changes only with a note in
``docs/plugins.md``. A minimal plugin::

    from facets_dynamo.plugin import Flavor, hookimpl

    @hookimpl
    def register_flavors(register):
        register(Flavor("queue", "default", "0.1", schema_source={...}, outputs=("queue_url",)))

    @hookimpl
    def synthesize(resource, context):
        queue = context.add_resource("aws_sqs_queue", "queue", {"name": resource.name})
        context.add_output("queue_url", queue.attr("url"))
        return True

The hooks are documented in :mod:`facets_dynamo.hookspecs` and, with an example each, in ``docs/plugins.md``.
"""

from __future__ import annotations

from .cloud import Adoption, CloudError
from .contexts import Handle, SynthContext, ValidationContext
from .diagnostics import Diagnostic, Severity
from .environment import Environment
from .flavor import Flavor, FlavorKey
from .forms import Collection, Field, FieldKind, Form
from .hookspecs import hookimpl
from .jsonsource import Document, parse_text, pointer_join
from .resource import Resource
from .rule import Rule
from .semantics import Consequence, Description, Effect, Note, Section
from .terraform_strings import Ref, without_references

__all__ = [
    "Adoption",
    "CloudError",
    "Collection",
    "Consequence",
    "Description",
    "Diagnostic",
    "Document",
    "Effect",
    "Environment",
    "Field",
    "FieldKind",
    "Flavor",
    "FlavorKey",
    "Form",
    "Handle",
    "Note",
    "Ref",
    "Resource",
    "Rule",
    "Section",
    "Severity",
    "SynthContext",
    "ValidationContext",
    "hookimpl",
    "parse_text",
    "pointer_join",
    "without_references",
]
