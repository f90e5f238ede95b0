"""The Python API: load, validate, merge environments, synthesize, list flavors, read schemas.

Written for notebooks and scripts, so it never raises on a bad spec (problems come back as
:class:`Diagnostics`) and importing it, loading and validating never start Node: only :func:`synthesize`
does, on first use, and later calls reuse the same Node process.

Typical use::

    import facets_dynamo as fd

    ws = fd.load("examples/blueprint", env="prod")   # base files merged with prod/ overrides
    ws["sessions"]                                    # one resource (renders its key schema)
    fd.validate(ws)                                   # Diagnostics (renders a problem table)
    out = fd.synthesize(ws)                           # Synthesized: Terraform JSON per stack
    out.stack("sessions")["resource"]["aws_dynamodb_table"]["table"]["tags"]
    out.resources(); out.outputs()                    # tables

    doc = fd.sample("dynamodb/default/0.2")           # or copy.deepcopy(ws["locks"].data)
    doc["spec"]["hash_key"] = "Missing"
    fd.validate(fd.resource_from_dict(doc, name="locks"))

Every function that takes a ``target`` accepts a path (a resource file or a blueprint folder), a list of
paths, a loaded :class:`Workspace`, a :class:`Resource` or a list of resources. The names in ``__all__``
are the stable API; everything else in the package may change.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from . import config as _cfg
from . import views as _views  # noqa: F401  (registers how resources and workspaces are drawn)
from .blueprint import Workspace, duplicate_names, list_environments, load_workspace
from .diagnostics import Diagnostic, Diagnostics, Severity
from .display import Stack, Table
from .environment import DEFAULT_ENVIRONMENT, Environment
from .flavor import Flavor
from .host import Host, default_host
from .jsonsource import MAX_BYTES, MAX_DEPTH, parse_text
from .resource import Resource, load_resource
from .synthesis import SynthError, Synthesized, synthesize_workspace
from .validation import validate_workspace

PathLike = str | Path
Target = PathLike | Iterable[PathLike] | Workspace | Resource | Iterable[Resource]
Env = str | Environment


def load(target: PathLike | Iterable[PathLike], env: str = DEFAULT_ENVIRONMENT,
         env_file: PathLike | None = None) -> Workspace:
    """Load resource files and/or blueprint folders, merged for environment ``env``.

    For a blueprint (or a file inside one) the overrides in ``<bp>/<env>/<kind>/instances/`` are applied
    with JSON Merge Patch and ``<bp>/<env>/environment.json`` gives the region and cloud tags; every value
    keeps the file and line it came from. Reading problems (bad JSON, missing files) are kept in
    ``workspace.diagnostics`` and reported again by :func:`validate`, not raised, so one broken file does
    not hide the others. Get one resource with ``workspace["locks"]`` or ``workspace.get("dynamodb.locks")``.
    """
    paths = [Path(target)] if isinstance(target, str | Path) else [Path(p) for p in target]
    return load_workspace(paths, env, Path(env_file) if env_file else None)


def resource_from_dict(document: Mapping[str, Any], name: str = "resource", env: str | None = None,
                       file: str | None = None) -> Resource:
    """A :class:`Resource` built from a Python dict, so a spec can be edited and re-validated without files.

    The dict is serialised as 2-space JSON (kept in ``resource.text``) and parsed back, so diagnostics get
    real line numbers in that text; ``file`` (default ``<memory>/<name>.json``) is what they name.
    ``name`` is the instance name used when ``metadata.name`` is not set. The dict is copied: editing it
    afterwards does not change the resource. Raises ``TypeError`` if it is not a JSON object or holds
    values JSON cannot represent (sets, NaN, objects, cycles), and ``ValueError`` if a spec file holding it
    would be refused (nested deeper than 64 levels, larger than 4 MiB), since no spec file could contain them.
    """
    if not isinstance(document, Mapping):
        raise TypeError(f"a resource must be a dict (a JSON object), not {type(document).__name__}")
    shown = file or f"<memory>/{name}.json"
    try:
        text = json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except RecursionError:
        raise ValueError(f"resource {name!r} is nested too deeply for a spec file (limit {MAX_DEPTH} "
                         "levels)") from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"resource {name!r} is not plain JSON: {exc}") from exc
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"resource {name!r} is larger than a spec file may be ({MAX_BYTES:,} bytes as JSON)")
    doc, problems = parse_text(text, shown)
    if doc is None:  # e.g. FD106 nesting deeper than MAX_DEPTH
        raise ValueError("; ".join(d.format_text() for d in problems))
    return Resource(doc.data, doc.source, shown, name, (shown,), env, text)


def workspace(resources: Resource | Iterable[Resource], env: Env = DEFAULT_ENVIRONMENT) -> Workspace:
    """A :class:`Workspace` of in-memory resources, for validating or synthesizing them together.

    ``env`` is an environment name or an :class:`Environment` (region, cloud tags) to synthesize for.
    """
    items = [resources] if isinstance(resources, Resource) else list(resources)
    bad = [type(r).__name__ for r in items if not isinstance(r, Resource)]
    if bad:
        raise TypeError(f"expected Resource objects, got {', '.join(sorted(set(bad)))}")
    environment = env if isinstance(env, Environment) else Environment(env)
    items = [dataclasses.replace(r, environment=environment.name) for r in items]  # callers' objects unchanged
    found = Workspace(environment, items)
    found.diagnostics += duplicate_names(items)  # the same check load() does for files
    return found


def _plain(ws: Workspace) -> Workspace:
    """Refuse data no spec file could hold (a cycle, a set, NaN) put into a loaded resource afterwards: the
    rules would otherwise walk a cycle until their timeout and leave a thread spinning."""
    for r in ws.resources:
        try:
            json.dumps(r.data, allow_nan=False, check_circular=True)
        except (TypeError, ValueError, RecursionError) as exc:
            raise TypeError(f"resource {r.name!r} holds data that is not plain JSON ({exc}); put only dicts, "
                            "lists, strings, finite numbers, booleans and None into a resource") from None
    return ws


def _workspace(target: Target, env: Env) -> Workspace:
    if isinstance(target, Workspace):
        return _plain(target)
    if isinstance(target, Resource):
        return _plain(workspace(target, env))
    if not isinstance(target, str | Path):
        target = list(target)
        if target and all(isinstance(t, Resource) for t in target):
            return workspace(target, env)  # type: ignore[arg-type]
    if isinstance(env, Environment):  # its region and cloud tags win over <bp>/<env>/environment.json
        loaded = load(target, env.name)  # type: ignore[arg-type]
        loaded.environment = env
        return loaded
    return load(target, env)  # type: ignore[arg-type]


def _config(ws: Workspace, config: PathLike | bool) -> _cfg.Config | None:
    if config is False:
        return None
    if config is True:
        return _cfg.discover(ws)
    return _cfg.load(Path(config))


def validate(target: Target, env: Env = DEFAULT_ENVIRONMENT, host: Host | None = None,
             config: PathLike | bool = True) -> Diagnostics:
    """Every problem in ``target``, sorted by file and line; ``.ok`` is true when there is no error.

    Runs the envelope checks, the flavor's JSON Schema and every plugin's rules. Never starts Node.
    ``config``: True (default) applies the configuration found upward from the blueprint, as the command line
    does (``.facets-dynamo.toml`` or ``[tool.facets-dynamo]`` in ``pyproject.toml``: severities per code and
    environment, suppressions; a bad one adds its FD501 problems); a path applies that file; False none.
    """
    ws = _workspace(target, env)
    return validate_workspace(ws, host, config=_config(ws, config))


def synthesize(target: Target, env: Env = DEFAULT_ENVIRONMENT, out: PathLike | None = None,
               host: Host | None = None, config: PathLike | bool = True) -> Synthesized:
    """Validate, then synthesize one CDKTF stack per enabled resource (disabled/provided ones get none).

    Returns the Terraform JSON per stack (``result.stacks[name]`` or ``result.stack(name)``); with ``out``
    also writes the cdktf.out layout (``out/manifest.json``, ``out/stacks/<name>/cdk.tf.json``) atomically.
    Raises :class:`SynthError` (with ``.diagnostics``) if anything is invalid, the configuration applied as in
    :func:`validate` (a warning it makes an error stops the synthesis); nothing is written then.
    """
    ws = _workspace(target, env)
    result = synthesize_workspace(ws, host=host, config=_config(ws, config))
    if out is not None:
        result.write(out)
    return result


def flavors(host: Host | None = None) -> list[Flavor]:
    """The flavors the installed plugins serve (``f.key``, ``f.description``, ``f.schema``, ``f.sample``)."""
    host = host or default_host()
    return [host.flavors[k] for k in sorted(host.flavors, key=str)]


def _flavor(kind: str, flavor: str | None, version: str | None, host: Host | None) -> Flavor:
    if flavor is None and version is None and kind.count("/") == 2:
        kind, flavor, version = kind.split("/")
    host = host or default_host()
    found = host.flavor(kind, flavor or "", version or "")
    if found is None:
        raise KeyError(f"no plugin serves {kind}/{flavor}/{version}; available: "
                       f"{', '.join(host.available()) or 'none'}")
    return found


def schema(kind: str, flavor: str | None = None, version: str | None = None,
           host: Host | None = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one flavor: ``schema("dynamodb", "default", "0.2")`` or
    ``schema("dynamodb/default/0.2")``. ``KeyError`` names the available flavors if it is unknown."""
    return _flavor(kind, flavor, version, host).schema


def sample(kind: str, flavor: str | None = None, version: str | None = None,
           host: Host | None = None) -> dict[str, Any]:
    """A fresh copy of the flavor's sample document: a valid starting point for :func:`resource_from_dict`."""
    found = _flavor(kind, flavor, version, host).sample
    if found is None:
        raise KeyError(f"{kind}/{flavor}/{version} ships no sample document")
    return json.loads(json.dumps(found))


def environments(blueprint: PathLike) -> list[str]:
    """Environments of a blueprint folder (folders with overrides or an environment.json)."""
    return list_environments(Path(blueprint))


def _leaves(value: Any, pointer: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        found: dict[str, Any] = {}
        for key, item in value.items():
            if key != "//":  # cdktf bookkeeping (construct paths, override lists), not Terraform
                found.update(_leaves(item, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"))
        return found
    if isinstance(value, list) and value:
        found = {}
        for i, item in enumerate(value):
            found.update(_leaves(item, f"{pointer}/{i}"))
        return found
    return {pointer: value}


_ABSENT = "(absent)"


def compare(left: Synthesized, right: Synthesized) -> Table:
    """Every Terraform value that differs between two synthesized results, e.g. dev against prod.

    One row per stack and JSON pointer (``/resource/aws_dynamodb_table/table/tags/environment``), with
    the value on each side (``"(absent)"`` where a side has no such value or no such stack). The columns
    are named after the two environments; cdktf bookkeeping (``"//"``) is ignored.
    """
    a_name, b_name = left.environment, right.environment
    if a_name == b_name:
        a_name, b_name = f"{a_name} (left)", f"{b_name} (right)"
    rows = []
    for stack in sorted(set(left.stacks) | set(right.stacks)):
        a = _leaves(left.stacks[stack]) if stack in left.stacks else {}
        b = _leaves(right.stacks[stack]) if stack in right.stacks else {}
        if not a or not b:
            rows.append({"stack": stack, "path": "(whole stack)", a_name: "stack" if a else _ABSENT,
                         b_name: "stack" if b else _ABSENT})
            continue
        for pointer in sorted(set(a) | set(b)):
            va, vb = a.get(pointer, _ABSENT), b.get(pointer, _ABSENT)
            if va != vb or (pointer in a) != (pointer in b):
                rows.append({"stack": stack, "path": pointer, a_name: va, b_name: vb})
    return Table(rows, ["stack", "path", a_name, b_name], f"differences {a_name} -> {b_name}")


def adopt(describe_files: PathLike | Iterable[PathLike], name: str, env: Env = DEFAULT_ENVIRONMENT,
          flavor: str | None = None, host: Host | None = None) -> Resource:
    """A spec for an existing resource, from its saved describe outputs (``aws dynamodb describe-table`` & co.),
    as a :class:`Resource` to look at, validate, and write where you like (``resource.to_json()``).

    ``flavor`` (``kind/flavor/version``) is needed when several are installed. Raises ``ValueError`` with the
    diagnostics when the flavor cannot express the resource (nothing is half-adopted)."""
    from .adoption import adopt as adopt_documents
    from .adoption import read_documents
    from .tui.scaffold import pick_flavor

    host = host or default_host()
    paths = [Path(describe_files)] if isinstance(describe_files, str | Path) else [Path(p) for p in describe_files]
    documents, problems = read_documents(paths)
    environment = env if isinstance(env, Environment) else Environment(env)
    chosen = pick_flavor(flavor, host)
    adopted = adopt_documents(chosen, documents, name, environment, host) if not any(
        d.is_error for d in problems) else None
    if adopted is None or adopted.document is None:
        found = Diagnostics([*problems, *(adopted.diagnostics if adopted else [])]).sorted()
        raise ValueError("cannot adopt:\n" + "\n".join(d.format_text() for d in found))
    return dataclasses.replace(resource_from_dict(adopted.document, name=name), environment=environment.name)


def drift(target: Target, env: Env = DEFAULT_ENVIRONMENT, saved: PathLike | None = None,
          host: Host | None = None) -> Table:
    """The blueprint's resources against the live cloud (or the describe outputs saved in ``saved/<cloud
    name>/*.json``): one row per resource with its status (in sync, drifted, missing, unknown), what applying
    the blueprint would do (``effect``) and the changes, as ``diff`` classifies them."""
    from .adoption import drift as find_drift

    rows = []
    for d in find_drift(_workspace(target, env), saved=Path(saved) if saved else None, host=host):
        data = d.to_dict()
        rows.append({"address": d.address, "cloud name": d.cloud_name, "status": d.status, "effect": data["effect"],
                     "changes": [f"{c['path']}: {c['op']}" for c in data["changes"]]})
    return Table(rows, ["address", "cloud name", "status", "effect", "changes"], "drift")


__all__ = [
    "Diagnostic", "Diagnostics", "Environment", "Flavor", "Resource", "Severity", "Stack", "SynthError",
    "Synthesized", "Table", "Workspace", "adopt", "compare", "drift", "environments", "flavors", "load",
    "load_resource", "resource_from_dict", "sample", "schema", "synthesize", "validate", "workspace",
]
