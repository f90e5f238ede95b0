"""facets-dynamo: validate Facets resource specs and synthesize CDK for Terraform stacks.

The public API (``load``, ``validate``, ``synthesize``, ``flavors``, ``schema``, ``environments``) is
imported lazily so that ``import facets_dynamo`` stays cheap and never starts Node.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .api import (  # noqa: F401
        Diagnostics,
        Flavor,
        Resource,
        SynthError,
        Synthesized,
        Workspace,
        environments,
        flavors,
        load,
        load_resource,
        schema,
        synthesize,
        validate,
    )

__version__ = "0.1.0"
_API = {"Diagnostics", "Flavor", "Resource", "SynthError", "Synthesized", "Workspace", "environments",
        "flavors", "load", "load_resource", "schema", "synthesize", "validate"}
__all__ = ["hookimpl", *sorted(_API)]


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'facets_dynamo' has no attribute {name!r}")
