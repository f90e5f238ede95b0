"""Turn the paths a user gives into resources for one environment.

Layout (as Facets uses it)::

    <bp>/<kind>/instances/<name>.json              base resource
    <bp>/<env>/<kind>/instances/<name>.json        partial override for environment <env>
    <bp>/environment.json                          optional: defaults for every environment (backend, provider...)
    <bp>/<env>/environment.json                    optional: name, region, cloud_tags, backend, provider

Overrides are applied with JSON Merge Patch (RFC 7396) and every merged value keeps the file and line it
came from, so a diagnostic on a merged resource points at the base or the override as appropriate. The
environment's own file is merged over the blueprint-wide one the same way (``environment.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import json_merge_patch

from .diagnostics import Diagnostic, Severity
from .environment import DEFAULT_ENVIRONMENT, Environment, load_environment
from .jsonsource import Document, parse_text, read_document
from .resource import Resource, resource_from_document

ENVIRONMENT_FILE = "environment.json"


@dataclass
class Workspace:
    """Everything one ``validate``/``synth`` run works on."""

    environment: Environment
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def root(self) -> Path | None:
        """The blueprint folder all its resources were loaded from, or None (in-memory or loose resources only,
        or several blueprints). Notebook displays show file paths relative to it."""
        roots = {r.blueprint_root for r in self.resources} - {None}
        return roots.pop() if len(roots) == 1 else None

    def by_address(self) -> dict[str, Resource]:
        return {r.address: r for r in self.resources}

    def get(self, name: str, default: Resource | None = None) -> Resource | None:
        """The resource called ``name`` (``"locks"``) or at address ``kind.name`` (``"dynamodb.locks"``)."""
        return next((r for r in self.resources if name in (r.address, r.name)), default)

    def __getitem__(self, name: str) -> Resource:
        found = self.get(name)
        if found is None:
            names = ", ".join(r.address for r in self.resources) or "none"
            raise KeyError(f"no resource {name!r} in this workspace; resources: {names}")
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def with_resource(self, resource: Resource) -> Workspace:
        """A copy with ``resource`` in place of the one at the same address (or added), e.g. to re-validate
        a blueprint after editing one spec in memory; references to and from it keep working."""
        kept = [r for r in self.resources if r.address != resource.address]
        index = next((i for i, r in enumerate(self.resources) if r.address == resource.address), len(kept))
        replaced = {f for r in self.resources if r.address == resource.address for f in r.files}
        return Workspace(self.environment, [*kept[:index], resource, *kept[index:]],
                         [d for d in self.diagnostics if d.file not in replaced])

    def _repr_html_(self) -> str:
        from .display import present

        return present(self)

    def __repr__(self) -> str:
        return (f"<Workspace env={self.environment.name!r} {len(self.resources)} resource(s): "
                f"{', '.join(r.address for r in self.resources)}>")


def blueprint_root_of(path: Path) -> tuple[Path, str] | None:
    """``(<bp>, <kind>)`` when ``path`` is ``<bp>/<kind>/instances/<name>.json``."""
    if path.parent.name == "instances" and len(path.parts) >= 3:
        return path.parent.parent.parent, path.parent.parent.name
    return None


def base_files(root: Path) -> list[Path]:
    return sorted(root.glob("*/instances/*.json"))


def override_files(root: Path, env: str) -> list[Path]:
    return sorted((root / env).glob("*/instances/*.json")) if env else []


def list_environments(root: Path) -> list[str]:
    """Folders of ``root`` that hold overrides or an environment file."""
    found = []
    for child in sorted(root.iterdir()) if root.is_dir() else []:
        if child.is_dir() and ((child / ENVIRONMENT_FILE).is_file() or any(child.glob("*/instances/*.json"))):
            found.append(child.name)
    return found


def load_workspace(paths: list[Path], env: str = DEFAULT_ENVIRONMENT, env_file: Path | None = None,
                   texts: Mapping[Path, str] | None = None) -> Workspace:
    """Load files and blueprint folders for environment ``env``; never raises on bad input.

    ``texts`` maps file paths to unsaved editor text that stands in for the file on disk.
    """
    return _Loader(env, texts or {}).load([Path(p) for p in paths], env_file)


def _resolved(path: Path) -> Path:
    """``path.resolve()`` that survives a symlink loop (read_document then reports the loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _error(file: str, code: str, message: str, line: int = 0, col: int = 0) -> Diagnostic:
    return Diagnostic(file, line, col, "", Severity.ERROR, code, message)


def _is(check: Callable[[], bool]) -> bool:
    """``Path.exists()``/``is_dir()``/... answering False, instead of raising, for names the OS refuses (too
    long, NUL byte): a bad argument must become a diagnostic, never a crash."""
    try:
        return check()
    except (OSError, ValueError):
        return False


def _folder_name_problem(env: str) -> str | None:
    """Why ``env`` cannot name ``<blueprint>/<env>/`` (it is joined to paths), or None."""
    if not env.strip():
        return "is empty"
    try:
        env.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    if env in (".", "..") or any(c in env for c in "/\\\0"):
        return "is not a single folder name (no '/', '\\', '.' or '..')"
    if len(env.encode("utf-8", "surrogatepass")) > 255:
        return f"is {len(env.encode('utf-8', 'surrogatepass'))} bytes, longer than a folder name can be (255)"
    return None


class _Loader:
    def __init__(self, env: str, texts: Mapping[Path, str]) -> None:
        self.env = env
        self.env_problem = _folder_name_problem(env)
        self.texts = {Path(p).resolve(): t for p, t in texts.items()}
        self.ws = Workspace(Environment(env))
        self.seen: set[Path] = set()
        self.env_file_given = False

    def read(self, path: Path) -> tuple[Document | None, list[Diagnostic]]:
        text = self.texts.get(_resolved(path)) if self.texts else None
        if text is not None:
            return parse_text(text, str(path))
        return read_document(path, str(path))

    def load(self, paths: list[Path], env_file: Path | None) -> Workspace:
        ws = self.ws
        if self.env_problem:
            ws.diagnostics.append(_error("--env", "FD403", f"environment name {self.env[:80]!r} "
                                         f"{self.env_problem}; its overrides and environment.json cannot be read"))
        roots = sorted({p if _is(p.is_dir) else layout[0] for p in paths
                        if _is(p.is_dir) or (layout := blueprint_root_of(p))})
        self.env_file_given = env_file is not None
        if env_file is None and not self.env_problem:
            env_file = next((r / self.env / ENVIRONMENT_FILE for r in roots
                             if _is((r / self.env / ENVIRONMENT_FILE).is_file)), None)
        shared = next((r / ENVIRONMENT_FILE for r in roots if _is((r / ENVIRONMENT_FILE).is_file)), None)
        if env_file is not None or shared is not None:
            loaded, problems = load_environment(env_file, self.env, shared, partial=True)
            ws.diagnostics += problems
            if loaded is not None:
                ws.environment = loaded
        for root in roots:
            self.check_environment_known(root)
        for path in paths:
            if _is(path.is_dir):
                self.blueprint(path)
            elif _is(path.exists) or _is(path.is_symlink):
                self.one(path, blueprint_root_of(path))
            else:
                ws.diagnostics.append(_error(str(path), "FD101", "no such file or directory"))
        self.check_unique()
        self.check_backend_references()
        return ws

    def check_backend_references(self) -> None:
        """HCP Terraform workspaces chosen by tags have no name a stack could read another's state by: the
        engine refuses cross-stack references there, so say it here, before any engine starts."""
        backend = self.ws.environment.backend
        if backend.type != "cloud" or "tags" not in backend.settings["workspaces"]:
            return
        from .references import reference_graph

        edges = reference_graph([r for r in self.ws.resources if not r.disabled and not r.provided])
        pairs = [f"{a} -> {b}" for a, targets in sorted(edges.items()) for b in targets]
        if pairs:
            self.ws.diagnostics.append(self.ws.environment.diagnostic(
                "/backend/workspaces/tags", "FD411", f"workspaces chosen by tags cannot serve cross-stack references "
                f"({', '.join(pairs[:5])}{' ...' if len(pairs) > 5 else ''}): a stack reads another's outputs from "
                "a named workspace; use workspaces.name with a {stack} placeholder"))

    def blueprint(self, root: Path) -> None:
        bases = base_files(root)
        if not bases:
            self.ws.diagnostics.append(_error(str(root), "FD320", "no resources found: expected files at "
                                              "<blueprint>/<kind>/instances/<name>.json"))
        real_root = _resolved(root)
        real_bases = {_resolved(p): p for p in bases if not _is(p.is_symlink)}
        for path in bases:
            if self.linked_elsewhere(path, real_root, real_bases):
                continue
            self.one(path, (root, path.parent.parent.name))
        base_keys = {(p.parent.parent.name, p.stem) for p in bases}
        for override in override_files(root, self.env) if not self.env_problem else []:
            if (override.parent.parent.name, override.stem) not in base_keys:
                self.ws.diagnostics.append(_error(str(override), "FD321", f"override for environment "
                                                  f"{self.env!r} has no base resource "
                                                  f"{override.parent.parent.name}/instances/{override.name}",
                                                  1, 1))

    def linked_elsewhere(self, path: Path, real_root: Path, real_bases: Mapping[Path, Path]) -> bool:
        """A blueprint file that is a symbolic link (or lies under a linked folder) is an error when it leads
        outside the blueprint (it is not read: its values would be quoted in diagnostics) or to another
        resource file (the same resource twice, once under the link's name: its table would be renamed)."""
        real = _resolved(path)
        if real == path.absolute() or not _is(real.exists):  # a dangling link is FD101 when it is read
            return False
        if not real.is_relative_to(real_root):
            self.ws.diagnostics.append(_error(str(path), "FD323", "is a symbolic link that leads outside the "
                                              "blueprint; it is not read (copy the file into the blueprint)"))
            return True
        target = real_bases.get(real)
        if target is not None and target != path:
            self.ws.diagnostics.append(_error(str(path), "FD324", f"is a symbolic link to {target}, another "
                                              "resource file of this blueprint: the same resource twice "
                                              "(remove the link, or copy the file to make a second resource)"))
            return True
        return False

    def check_environment_known(self, root: Path) -> None:
        """A misspelt ``--env`` would silently validate the base resources alone: say so (a warning, since an
        environment without overrides is legitimate)."""
        if self.env == DEFAULT_ENVIRONMENT or self.env_problem or self.env_file_given or _is((root / self.env).is_dir):
            return
        known = list_environments(root)
        applies = ("only the blueprint-wide environment.json" if _is((root / ENVIRONMENT_FILE).is_file)
                   else "no environment.json")
        if known:
            self.ws.diagnostics.append(Diagnostic(
                str(root), 0, 0, "", Severity.WARNING, "FD404",
                f"environment {self.env!r} has no folder in this blueprint (environments here: {', '.join(known)}): "
                f"no overrides and {applies} apply; check the spelling of --env"))

    def one(self, path: Path, layout: tuple[Path, str] | None) -> None:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # symlink loop
            real = path.absolute()
        if real in self.seen:
            return
        self.seen.add(real)
        doc, problems = self.read(path)
        self.ws.diagnostics += problems
        if doc is None:
            return
        resource, problems = resource_from_document(doc, path)
        self.ws.diagnostics += problems
        if resource is None:
            return
        resource.environment = self.env
        if layout is not None:
            root, kind = layout
            resource.kind_from_folder = kind
            override = root / self.env / kind / "instances" / path.name
            if not self.env_problem and (_is(override.exists) or _is(override.is_symlink)):
                if not _resolved(override).is_relative_to(_resolved(root)):
                    self.ws.diagnostics.append(_error(str(override), "FD323", "is a symbolic link that leads "
                                                      "outside the blueprint; it is not read (copy the file "
                                                      "into the blueprint)"))
                else:
                    resource = self.apply_override(resource, override)
        self.ws.resources.append(resource)

    def apply_override(self, base: Resource, path: Path) -> Resource:
        doc, problems = self.read(path)
        self.ws.diagnostics += problems
        if doc is None:
            return base
        if not isinstance(doc.data, dict):
            self.ws.diagnostics.append(_error(doc.file, "FD111", "an override must be a JSON object (a partial "
                                              "resource document merged into the base)", 1, 1))
            return base
        merged = json_merge_patch.merge(copy.deepcopy(base.data), doc.data)
        return Resource(merged, base.source.overlay(doc.source), base.file, base.default_name,
                        (*base.files, doc.file), base.environment, base.text, base.kind_from_folder)

    def check_unique(self) -> None:
        self.ws.diagnostics += duplicate_names(self.ws.resources)


def duplicate_names(resources: list[Resource]) -> list[Diagnostic]:
    """FD322 for each resource whose name another one has already, ignoring case: ``Locks`` and ``locks``
    get stack folders that overwrite each other on case-insensitive file systems (macOS, Windows)."""
    found: list[Diagnostic] = []
    first: dict[str, Resource] = {}
    for r in resources:
        other = first.setdefault(r.name.casefold(), r)
        if other is r:
            continue
        pointer = "/metadata/name" if isinstance(r.metadata, dict) and r.metadata.get("name") else ""
        if other.name == r.name:
            message = f"resource name {r.name!r} is also used by {other.file}; names must be unique"
        else:
            message = (f"resource name {r.name!r} differs only in case from {other.name!r} ({other.file}); their "
                       "stacks would overwrite each other on case-insensitive file systems")
        found.append(r.diagnostic(pointer, "FD322", message))
    return found
