"""The Python API: load, validate, merge environments, synthesize, list flavors, read schemas.

Importing this module never starts Node; only :func:`synthesize` does, on first use. Every function
accepts a path (file or blueprint folder), a list of paths, or an already loaded :class:`Workspace`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .blueprint import Workspace, list_environments, load_workspace
from .diagnostics import Diagnostics
from .environment import DEFAULT_ENVIRONMENT
from .flavor import Flavor
from .host import Host, default_host
from .resource import Resource, load_resource
from .synthesis import SynthError, Synthesized, synthesize_workspace
from .validation import validate_workspace

PathLike = str | Path
Target = PathLike | Iterable[PathLike] | Workspace


def load(target: PathLike | Iterable[PathLike], env: str = DEFAULT_ENVIRONMENT,
         env_file: PathLike | None = None) -> Workspace:
    """Load resource files and/or blueprint folders, merged for environment ``env``.

    Reading problems (bad JSON, missing files) are kept in ``workspace.diagnostics``, not raised.
    """
    paths = [Path(target)] if isinstance(target, str | Path) else [Path(p) for p in target]
    return load_workspace(paths, env, Path(env_file) if env_file else None)


def _workspace(target: Target, env: str) -> Workspace:
    return target if isinstance(target, Workspace) else load(target, env)


def validate(target: Target, env: str = DEFAULT_ENVIRONMENT, host: Host | None = None) -> Diagnostics:
    """Every problem in ``target``, sorted by file and line. ``.ok`` is true when there is no error."""
    return validate_workspace(_workspace(target, env), host)


def synthesize(target: Target, env: str = DEFAULT_ENVIRONMENT, out: PathLike | None = None,
               host: Host | None = None) -> Synthesized:
    """Validate, then synthesize one CDKTF stack per enabled resource.

    Returns the stacks as dicts; with ``out`` also writes ``out/manifest.json`` and
    ``out/stacks/<name>/cdk.tf.json`` atomically. Raises :class:`SynthError` (with ``.diagnostics``) if
    anything is invalid; nothing is written then.
    """
    result = synthesize_workspace(_workspace(target, env), host=host)
    if out is not None:
        result.write(out)
    return result


def flavors(host: Host | None = None) -> list[Flavor]:
    """The flavors the installed plugins serve."""
    host = host or default_host()
    return [host.flavors[k] for k in sorted(host.flavors, key=str)]


def schema(kind: str, flavor: str, version: str, host: Host | None = None) -> dict[str, Any]:
    """The JSON Schema of one flavor; ``KeyError`` names the available ones if it is unknown."""
    host = host or default_host()
    found = host.flavor(kind, flavor, version)
    if found is None:
        raise KeyError(f"no plugin serves {kind}/{flavor}/{version}; available: {', '.join(host.available())}")
    return found.schema


def environments(blueprint: PathLike) -> list[str]:
    """Environments of a blueprint folder (folders with overrides or an environment.json)."""
    return list_environments(Path(blueprint))


__all__ = [
    "Diagnostics", "Flavor", "Resource", "SynthError", "Synthesized", "Workspace", "environments", "flavors",
    "load", "load_resource", "schema", "synthesize", "validate",
]
