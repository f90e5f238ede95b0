"""Bring resources that exist already under a blueprint (``import``), and tell when live ones drifted (``drift``).

The host reads the describe outputs (or asks the flavor to read the cloud), asks the flavor's ``adopt`` hook for
a spec, and writes it without ever replacing a file. Drift is the same adoption of what is live, compared with
the blueprint through the flavor's ``normalize`` and classified by its ``plan_change``, as ``diff`` does; so
the host knows nothing of what the resource is.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .blueprint import Workspace
from .cloud import Adoption, CloudError
from .diagnostics import Diagnostic, Severity
from .diff import UNCHANGED, ResourceDiff, describe, diff_resources
from .environment import Environment
from .files import write_atomically
from .flavor import Flavor, FlavorKey
from .host import Host, PluginFailure, default_host
from .jsonsource import Document, SourceMap, read_document
from .resource import Resource
from .terraform_strings import REFERENCE

IN_SYNC, DRIFTED, MISSING, UNKNOWN = "in sync", "drifted", "missing", "unknown"


def _problem(file: str, code: str, message: str) -> Diagnostic:
    return Diagnostic(file, 0, 0, "", Severity.ERROR, code, message)


def _answer(host: Host, hook: str, key: FlavorKey, **kwargs: Any) -> tuple[Any, list[Diagnostic]]:
    """The owning plugin's answer, or None with the reason as a diagnostic (no hook, a failing plugin)."""
    try:
        results = host.call_each(hook, key=key, **kwargs)
    except PluginFailure as exc:
        return None, [_problem("<plugin>", "FD900", str(exc))]
    if not results:
        return None, [_problem("<plugin>", "FD601", f"the plugin of {key} cannot {hook.replace('_', ' ')} "
                               f"(it has no {hook!r} hook)")]
    return results[0][1], []


def read_documents(paths: list[Path]) -> tuple[list[Document], list[Diagnostic]]:
    """Saved describe outputs, each a JSON document read with positions."""
    documents: list[Document] = []
    problems: list[Diagnostic] = []
    for path in paths:
        doc, found = read_document(path)
        problems += found
        if doc is not None:
            documents.append(doc)
    return documents, problems


def fetch_live(flavor: Flavor, cloud_name: str, environment: Environment,
               host: Host | None = None) -> tuple[list[Document] | None, list[Diagnostic], bool]:
    """``(documents, problems, missing)`` for the live resource ``cloud_name``, read by the flavor."""
    host = host or default_host()
    try:
        results = host.call_each("fetch_live", key=flavor.key, cloud_name=cloud_name, environment=environment)
    except PluginFailure as exc:
        cause = exc.__cause__
        if isinstance(cause, CloudError):
            return None, ([] if cause.missing else [_problem(f"<cloud:{cloud_name}>", "FD602", str(cause))]), \
                cause.missing
        return None, [_problem("<plugin>", "FD900", str(exc))], False
    if not results:
        return None, [_problem("<plugin>", "FD601", f"the plugin of {flavor.key} cannot read the cloud (it has "
                               "no 'fetch_live' hook): give saved describe outputs instead")], False
    return [d for d in results[0][1] if isinstance(d, Document)], [], False


def adopt(flavor: Flavor, documents: list[Document], name: str, environment: Environment,
          host: Host | None = None) -> Adoption:
    """The flavor's spec for the resource the documents describe (None and diagnostics when it cannot)."""
    answer, problems = _answer(host or default_host(), "adopt", flavor.key, documents=documents, name=name,
                               environment=environment)
    if not isinstance(answer, Adoption):
        return Adoption(None, problems or [_problem("<plugin>", "FD901", f"plugin {flavor.plugin!r} returned "
                                                    f"{type(answer).__name__} from adopt, not an Adoption")])
    if answer.document is not None and any(d.is_error for d in answer.diagnostics):
        return Adoption(None, answer.diagnostics)  # never half-adopted
    return answer


def write_spec(path: Path, document: dict[str, Any]) -> Path:
    """Write the adopted spec; an existing file is never replaced (FileExistsError)."""
    return write_atomically(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n", overwrite=False)


# -- drift ---------------------------------------------------------------------------------------------

@dataclass
class Drift:
    """One blueprint resource against what is live."""

    address: str
    cloud_name: str | None
    status: str  # in sync | drifted | missing | unknown
    diff: ResourceDiff | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "cloud_name": self.cloud_name, "status": self.status,
                "effect": str(self.diff.effect) if self.diff and self.status == DRIFTED else None,
                "reasons": list(self.diff.reasons) if self.diff else [],
                "changes": [c.to_dict() for c in self.diff.changes] if self.diff and self.status == DRIFTED else [],
                "problems": [d.to_dict() for d in self.diagnostics]}

    def format_text(self) -> str:
        head = f"{self.address} ({self.cloud_name or '?'}): {self.status}"
        if self.status == MISSING:
            return head + " (not in the cloud: applying creates it)"
        if self.status != DRIFTED or self.diff is None:
            return "\n".join([head] + [f"  {d.format_text()}" for d in self.diagnostics])
        lines = [head] + [f"  {c.format_text()}" for c in self.diff.changes]
        verdict = "REPLACES" if self.diff.replaces else "DESTROYS"
        lines += [f"  applying the blueprint {verdict} it: {reason}" for reason in self.diff.reasons]
        return "\n".join(lines)


def _normal(resource: Resource, environment: Environment, host: Host) -> Resource:
    """``resource`` with the flavor's normalized document (as written when the flavor has no ``normalize``)."""
    try:
        results = host.call_each("normalize", key=resource.key, resource=resource, environment=environment)
    except PluginFailure:
        results = []
    data = next((r for _, r in results if isinstance(r, dict)), resource.data)
    return dataclasses.replace(resource, data=data, source=SourceMap(file=resource.file))


def drift(workspace: Workspace, *, saved: Path | None = None, host: Host | None = None) -> list[Drift]:
    """Every managed resource of ``workspace`` against the cloud: live (``saved`` None) or the saved describe
    outputs in ``saved/<cloud name>/*.json`` (or ``saved/<cloud name>.json``)."""
    host = host or default_host()
    env = workspace.environment
    found: list[Drift] = []
    for resource in workspace.resources:
        if resource.disabled or resource.provided:
            continue
        flavor = host.flavors.get(resource.key) if resource.key else None
        description = describe(resource, env, host) if flavor else None
        cloud_name = description.name if description else None
        if flavor is None or cloud_name is None:
            found.append(Drift(resource.address, cloud_name, UNKNOWN, diagnostics=[
                _problem(resource.file, "FD603", "its flavor names no cloud resource (no 'describe' name)")]))
            continue
        documents, problems, missing = _documents(flavor, cloud_name, env, saved, host)
        if missing:
            found.append(Drift(resource.address, cloud_name, MISSING))
            continue
        if documents is None or any(d.is_error for d in problems):
            found.append(Drift(resource.address, cloud_name, UNKNOWN, diagnostics=problems))
            continue
        adopted = adopt(flavor, documents, resource.name, env, host)
        if adopted.document is None:
            found.append(Drift(resource.address, cloud_name, UNKNOWN, diagnostics=adopted.diagnostics))
            continue
        live = Resource(adopted.document, SourceMap(file=f"<live:{cloud_name}>"), f"<live:{cloud_name}>",
                        resource.name, environment=env.name)
        result = diff_resources(_normal(live, env, host), _normal(resource, env, host), env, host)
        result = _without_references(result, host, env)
        status = IN_SYNC if not result.changes else DRIFTED
        found.append(Drift(resource.address, cloud_name, status, result))
    return found


def _without_references(result: ResourceDiff, host: Host, env: Environment) -> ResourceDiff:
    """Leave out values the blueprint takes from another resource (``${kind.name.out.x}``): live they hold what
    the reference resolved to, which only Terraform's state knows, so they cannot be compared here."""
    kept = [c for c in result.changes if not (isinstance(c.new, str) and REFERENCE.search(c.new))]
    if len(kept) == len(result.changes):
        return result
    return dataclasses.replace(result, changes=kept, status=result.status if kept else UNCHANGED)


def _documents(flavor: Flavor, cloud_name: str, env: Environment, saved: Path | None,
               host: Host) -> tuple[list[Document] | None, list[Diagnostic], bool]:
    if saved is None:
        return fetch_live(flavor, cloud_name, env, host)
    folder, single = saved / cloud_name, saved / f"{cloud_name}.json"
    paths = sorted(folder.glob("*.json")) if folder.is_dir() else [single] if single.is_file() else []
    if not paths:
        return None, [], True
    documents, problems = read_documents(paths)
    return documents, problems, False
