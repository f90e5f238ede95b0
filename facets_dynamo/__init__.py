"""facets-dynamo: validate Facets resource specs and synthesize CDK for Terraform stacks.

The public API (``load``, ``validate``, ``synthesize``, ``flavors``, ``schema``, ``environments``,
``resource_from_dict``, ``compare``, ...; see :mod:`facets_dynamo.api`) is imported lazily so that
``import facets_dynamo`` stays cheap and never starts Node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .api import (  # noqa: F401
        Diagnostic,
        Diagnostics,
        Environment,
        Flavor,
        Resource,
        Severity,
        Stack,
        SynthError,
        Synthesized,
        Table,
        Workspace,
        adopt,
        compare,
        drift,
        environments,
        flavors,
        load,
        load_resource,
        resource_from_dict,
        sample,
        schema,
        synthesize,
        validate,
        workspace,
    )

__version__ = "0.1.0"
_API = {"Diagnostic", "Diagnostics", "Environment", "Flavor", "Resource", "Severity", "Stack", "SynthError",
        "Synthesized", "Table", "Workspace", "adopt", "compare", "drift", "environments", "flavors", "load",
        "load_resource", "resource_from_dict", "sample", "schema", "synthesize", "validate", "workspace"}
__all__ = ["hookimpl", *sorted(_API)]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'facets_dynamo' has no attribute {name!r}")
