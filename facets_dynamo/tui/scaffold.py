"""Start a new resource from its flavor's sample (``facets-dynamo new`` and the editor's "New" action).

No Textual here: the CLI uses it without paying for the UI import.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..files import write_atomically
from ..flavor import Flavor, FlavorKey
from ..host import Host, default_host
from ..resource import NAME_RULE, usable_name
from .document import Style, dump_json


class ScaffoldError(Exception):
    """The new resource cannot be created; the message says why and what to do."""


def target_path(name: str, kind: str, *, directory: Path | None = None, blueprint: Path | None = None) -> Path:
    """Where ``name`` goes: ``<blueprint>/<kind>/instances/<name>.json`` or ``<directory>/<name>.json``."""
    stem = name[:-5] if name.endswith(".json") else name
    if not usable_name(stem):
        raise ScaffoldError(f"invalid resource name {name!r}: it must {NAME_RULE}")
    if blueprint is not None:
        return blueprint / kind / "instances" / f"{stem}.json"
    return (directory or Path.cwd()) / f"{stem}.json"


def pick_flavor(wanted: str | None = None, host: Host | None = None, current: FlavorKey | None = None) -> Flavor:
    """The flavor to start from: ``wanted`` (``kind/flavor/version``), else ``current`` (the flavor of the
    resource being edited) when it is served, else the only flavor installed; several and none named is an
    error that lists them."""
    host = host or default_host()
    available = ", ".join(host.available()) or "none (no flavor plugins are installed)"
    if wanted is not None:
        parts = wanted.split("/")
        found = host.flavor(*parts) if len(parts) == 3 else None
        if found is None:
            raise ScaffoldError(f"no plugin serves {wanted!r}; give KIND/FLAVOR/VERSION, one of: {available}")
        return found
    if current is not None and current in host.flavors:
        return host.flavors[current]
    if len(host.flavors) == 1:
        return next(iter(host.flavors.values()))
    raise ScaffoldError(f"several flavors are installed: choose one with --flavor ({available})" if host.flavors
                        else f"no flavor to start from: {available}")


def sample_document(flavor: Flavor) -> dict[str, Any]:
    """A fresh copy of the flavor's sample (a bare envelope when it ships none)."""
    if flavor.sample is None:
        return {"kind": flavor.kind, "flavor": flavor.flavor, "version": flavor.version, "metadata": {}, "spec": {}}
    return copy.deepcopy(flavor.sample)


def create_resource(path: Path, document: dict[str, Any]) -> Path:
    """Write ``document`` to ``path`` atomically; never replaces an existing file (checked at link time)."""
    if path.exists() or path.is_symlink():
        raise ScaffoldError(f"{path} exists already; not overwriting it (pick another name or edit it)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScaffoldError(f"cannot create {path.parent}: {exc.strerror or exc}") from exc
    try:
        write_atomically(path, dump_json(document, Style("  ", True)), overwrite=False)
    except FileExistsError as exc:
        raise ScaffoldError(f"{path} exists already; not overwriting it") from exc
    except OSError as exc:
        raise ScaffoldError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
