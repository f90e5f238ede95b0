"""Plan-aware comparison of two versions of resources: what changes, and whether a change loses data.

The value diff is generic (JSON pointers of the environment-merged documents). What a change *does* comes
from the flavor's ``plan_change`` hook: replaced, destroyed, or updated in place, with the reason. Removing a
managed resource (deleting it, disabling it, or marking it ``provided``) drops its stack, which Terraform
turns into a destroy, whatever the flavor. A pipeline wants to stop *before* Terraform loses data, so such
changes are flagged here, and the CLI maps them to its own exit code.

Nothing here starts the engine (no I/O except the git helpers at the bottom), so the editor can call
:func:`diff_resources` on every edit.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .diagnostics import Diagnostic
from .environment import Environment
from .host import Host, PluginFailure, default_host
from .jsonsource import pointer_join
from .resource import Resource
from .semantics import Consequence, Description, Effect

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class Change:
    """One difference at a JSON pointer of the (environment-merged) resource document, and its effect."""

    path: str
    op: str  # added | removed | changed
    old: Any = None
    new: Any = None
    effect: Effect = Effect.UNKNOWN

    @property
    def loses_data(self) -> bool:
        return self.effect.loses_data

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "op": self.op}
        if self.op != ADDED:
            out["old"] = self.old
        if self.op != REMOVED:
            out["new"] = self.new
        out["effect"] = str(self.effect)
        return out

    def format_text(self) -> str:
        mark = {ADDED: "+", REMOVED: "-", CHANGED: "~"}[self.op]
        if self.op == ADDED:
            values = _show(self.new)
        elif self.op == REMOVED:
            values = _show(self.old)
        else:
            values = f"{_show(self.old)} -> {_show(self.new)}"
        flag = f"  [{self.effect}]" if self.loses_data else ""
        return f"{mark} {self.path or '/'}: {values}{flag}"


@dataclass
class ResourceDiff:
    """How one resource (paired by ``kind.name``) differs between two versions, for one environment."""

    address: str
    status: str  # added | removed | changed | unchanged
    old_name: str | None  # the name in the cloud (from the flavor's ``describe``) when the old version is managed
    new_name: str | None
    changes: list[Change] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the resource is replaced or destroyed
    notes: list[str] = field(default_factory=list)  # what the flavor says of in-place changes (e.g. not applied)
    effect: Effect = Effect.IN_PLACE  # the worst effect of any change
    old_file: str | None = None
    new_file: str | None = None
    planned_by: str | None = None  # the plugin that planned the change; None: nobody did (effect unknown)

    @property
    def replaces(self) -> bool:
        """The resource is destroyed and created again (same address)."""
        return self.effect is Effect.REPLACES

    @property
    def destroys(self) -> bool:
        """The resource is destroyed and not created again (gone, disabled or provided)."""
        return self.effect is Effect.DESTROYS

    @property
    def destroys_data(self) -> bool:
        return self.effect.loses_data

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "status": self.status, "old_name": self.old_name,
                "new_name": self.new_name, "effect": str(self.effect), "replaces": self.replaces,
                "destroys": self.destroys, "reasons": list(self.reasons), "notes": list(self.notes),
                "planned_by": self.planned_by,
                "old_file": self.old_file, "new_file": self.new_file,
                "changes": [c.to_dict() for c in self.changes]}

    def format_text(self) -> str:
        name = self.new_name or self.old_name
        head = f"{self.address}{f' ({name})' if name else ''}: {self.status}"
        lines = [head] + [f"  {c.format_text()}" for c in self.changes]
        verdict = "REPLACES" if self.replaces else "DESTROYS"
        lines += [f"  {verdict} {self.old_name or self.address}: {reason}" for reason in self.reasons]
        lines += [f"  NOTE: {note}" for note in self.notes]
        if self.effect is Effect.UNKNOWN and self.changes:
            lines.append("  effect unknown: the flavor's plugin does not say what these changes do")
        return "\n".join(lines)


# -- structural diff -------------------------------------------------------------------------------

def diff_values(old: Any, new: Any, pointer: str = "") -> Iterator[Change]:
    """Every difference between two JSON values, as JSON-pointer changes (lists compared by position)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            here = pointer_join(pointer, key)
            if key not in new:
                yield Change(here, REMOVED, old=old[key])
            elif key not in old:
                yield Change(here, ADDED, new=new[key])
            else:
                yield from diff_values(old[key], new[key], here)
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            here = pointer_join(pointer, i)
            if i >= len(new):
                yield Change(here, REMOVED, old=old[i])
            elif i >= len(old):
                yield Change(here, ADDED, new=new[i])
            else:
                yield from diff_values(old[i], new[i], here)
    elif not _same(old, new):
        yield Change(pointer, CHANGED, old=old, new=new)


def _same(a: Any, b: Any) -> bool:
    """JSON equality: ``1`` and ``true`` differ, ``1`` and ``1.0`` do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b) and (isinstance(a, int | float) == isinstance(b, int | float))


# -- what a change does ----------------------------------------------------------------------------

def _managed(resource: Resource | None) -> bool:
    return resource is not None and not resource.disabled and not resource.provided


def _env(env: str | Environment) -> Environment:
    return env if isinstance(env, Environment) else Environment(env)


def _answer(host: Host, hook: str, key: Any, **kwargs: Any) -> tuple[str, Any] | None:
    """The owning plugin's answer to ``hook`` (None if it has none); a failing plugin is reported by name."""
    try:
        results = host.call_each(hook, key=key, **kwargs)
    except PluginFailure as exc:
        raise DiffError(str(exc)) from exc
    return results[0] if results else None


class DiffError(Exception):
    """A plugin failed while planning or describing a change; the message names it."""


def describe(resource: Resource, env: str | Environment, host: Host | None = None) -> Description | None:
    """The flavor's description of ``resource`` (None when its plugin gives none)."""
    answer = _answer(host or default_host(), "describe", resource.key, resource=resource, environment=_env(env))
    return answer[1] if answer and isinstance(answer[1], Description) else None


def diff_resources(old: Resource | None, new: Resource | None, env: str | Environment,
                   host: Host | None = None) -> ResourceDiff:
    """Compare two versions of one resource (either may be missing) for environment ``env``."""
    if old is None and new is None:
        raise ValueError("diff_resources needs at least one version")
    host = host or default_host()
    environment = _env(env)
    address = (new or old).address  # type: ignore[union-attr]
    before, after = (old if _managed(old) else None), (new if _managed(new) else None)
    names = [(d.name if (d := describe(r, environment, host)) else None) if r is not None else None
             for r in (before, after)]
    result = ResourceDiff(address, CHANGED, names[0], names[1],
                          old_file=old.file if old else None, new_file=new.file if new else None)
    if old is None:
        result.status = ADDED
        result.changes = [Change("", ADDED, new=new.data, effect=Effect.IN_PLACE)]  # type: ignore[union-attr]
        return result
    if new is None:
        result.status = REMOVED
        result.changes = [Change("", REMOVED, old=old.data)]
    else:
        result.changes = list(diff_values(old.data, new.data))
        result.status = CHANGED if result.changes else UNCHANGED
    if before is None and after is None:  # nothing was managed before or after: nothing happens in the cloud
        result.changes = [dataclasses.replace(c, effect=Effect.IN_PLACE) for c in result.changes]
        return result
    owner = (after or before).key  # type: ignore[union-attr]
    answer = _answer(host, "plan_change", owner, old=before, new=after, environment=environment)
    consequences = [c for c in (answer[1] if answer else []) if isinstance(c, Consequence)]
    if after is None:
        why = ("the resource is deleted" if new is None else "the resource becomes disabled" if new.disabled
               else "the resource becomes provided (no longer managed here)")
        if not any(c.effect is Effect.DESTROYS for c in consequences):
            consequences.append(Consequence(Effect.DESTROYS, "its stack is no longer synthesized, so Terraform "
                                            "destroys what it created"))
        consequences = [dataclasses.replace(c, reason=f"{why}: {c.reason}") if c.effect is Effect.DESTROYS else c
                        for c in consequences]
    result.planned_by = answer[0] if answer else None
    default = Effect.IN_PLACE if answer or after is None else Effect.UNKNOWN
    result.changes = [_with_effect(c, consequences, default) for c in result.changes]
    losing = [c for c in consequences if c.effect.loses_data]
    result.reasons = [c.reason for c in losing]
    result.notes = [c.reason for c in consequences if c.effect is Effect.IN_PLACE]
    result.effect = max((c.effect for c in [*losing, *result.changes]), key=lambda e: e.rank,
                        default=Effect.IN_PLACE)
    return result


def _with_effect(change: Change, consequences: list[Consequence], default: Effect) -> Change:
    effects = [c.effect for c in consequences if not c.pointers or c.covers(change.path)]
    return dataclasses.replace(change, effect=max(effects, key=lambda e: e.rank, default=default))


def diff_resource_sets(old: list[Resource], new: list[Resource], env: str | Environment,
                       host: Host | None = None) -> list[ResourceDiff]:
    """Pair resources by ``kind.name`` and diff each pair; sorted by address, unchanged ones included."""
    before = {r.address: r for r in old}
    after = {r.address: r for r in new}
    return [diff_resources(before.get(a), after.get(a), env, host) for a in sorted(set(before) | set(after))]


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def report(diffs: list[ResourceDiff], env: str, fmt: str = "text", show_unchanged: bool = False) -> str:
    """The CLI's rendering (text or json) of a list of resource diffs."""
    destructive = [d for d in diffs if d.destroys_data]
    counts = {s: sum(1 for d in diffs if d.status == s) for s in (ADDED, REMOVED, CHANGED, UNCHANGED)}
    if fmt == "json":
        return json.dumps({"environment": env, "destructive": bool(destructive), "counts": counts,
                           "resources": [d.to_dict() for d in diffs]}, indent=2, ensure_ascii=False)
    blocks = [d.format_text() for d in diffs if show_unchanged or d.status != UNCHANGED]
    summary = (f"{counts[CHANGED]} changed, {counts[ADDED]} added, {counts[REMOVED]} removed, "
               f"{counts[UNCHANGED]} unchanged (environment {env!r})")
    if destructive:
        summary += (f"; {len(destructive)} lose data: "
                    f"{', '.join(d.old_name or d.address for d in destructive)}")
    else:
        summary += "; nothing is replaced or destroyed"
    return "\n".join([*blocks, summary])


# -- git -------------------------------------------------------------------------------------------

class GitError(Exception):
    """Not a repository, unknown revision, or git missing; the message says which."""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, timeout=60, check=False)
    except FileNotFoundError as exc:
        raise GitError("git is not installed (needed for --base)") from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(f"git {' '.join(args)} timed out") from exc


def checkout_at(path: Path, rev: str) -> tuple[Path, Path]:
    """Copy ``path`` (a file or folder) as it was at git revision ``rev`` into a new temp folder.

    Returns ``(temp_root, copy)`` where ``copy`` is the path's counterpart under ``temp_root`` (it does
    not exist when ``path`` was absent at ``rev``). The caller removes ``temp_root``. Uses ``git ls-tree``
    and ``git show REV:path`` only, so the working tree and index are never touched.
    """
    path = path.absolute()
    where = path if path.is_dir() else path.parent
    while not where.exists():
        where = where.parent
    top = _git(where, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise GitError(f"{where} is not inside a git repository (--base needs one)")
    root = Path(top.stdout.decode().strip())
    if _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise GitError(f"unknown git revision {rev!r} in {root}")
    try:
        rel = PurePosixPath(path.resolve().relative_to(root.resolve()).as_posix())
    except ValueError as exc:
        raise GitError(f"{path} is outside the repository {root}") from exc
    listing = _git(root, "ls-tree", "-r", "-z", "--name-only", rev, "--", str(rel) if str(rel) != "." else ".")
    if listing.returncode != 0:
        raise GitError(f"git ls-tree {rev} failed: {listing.stderr.decode(errors='replace').strip()}")
    names = [n for n in listing.stdout.decode("utf-8", errors="surrogateescape").split("\0") if n]
    tmp = Path(tempfile.mkdtemp(prefix="facets-dynamo-base-"))
    try:
        for name in names:
            if not name.endswith(".json"):
                continue
            shown = _git(root, "show", f"{rev}:{name}")
            if shown.returncode != 0:
                raise GitError(f"git show {rev}:{name} failed: {shown.stderr.decode(errors='replace').strip()}")
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(shown.stdout)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp, tmp / rel


# -- loading both sides ----------------------------------------------------------------------------

@dataclass
class Comparison:
    """The diffs of a whole run, plus any problem met while reading either side."""

    environment: str
    diffs: list[ResourceDiff] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def destructive(self) -> bool:
        return any(d.destroys_data for d in self.diffs)


def _relocate(d: Diagnostic, tmp: Path, prefix: str) -> Diagnostic:
    try:
        return dataclasses.replace(d, file=prefix + str(Path(d.file).absolute().relative_to(tmp)))
    except ValueError:
        return d


def _load_side(path: Path, env: str, env_file: Path | None) -> tuple[list[Resource], list[Diagnostic], str]:
    from .blueprint import load_workspace

    ws = load_workspace([path], env, env_file)
    return ws.resources, ws.diagnostics, ws.environment.name


def compare_paths(old: Path, new: Path, env: str, env_file: Path | None = None) -> Comparison:
    """Two files (two versions of one resource) or two blueprint folders (paired by ``kind.name``)."""
    old_resources, old_problems, _ = _load_side(old, env, env_file)
    new_resources, new_problems, env_name = _load_side(new, env, env_file)
    result = Comparison(env_name, diagnostics=[*old_problems, *new_problems])
    if any(d.is_error for d in result.diagnostics):
        return result
    if not old.is_dir() and not new.is_dir() and len(old_resources) == 1 and len(new_resources) == 1:
        # Two files are two versions of the same resource even if the files are named differently: the
        # name (hence the table name) comes from metadata.name, else the *new* file's name.
        old_resources[0].default_name = new_resources[0].default_name
        result.diffs = [diff_resources(old_resources[0], new_resources[0], env_name)]
    else:
        result.diffs = diff_resource_sets(old_resources, new_resources, env_name)
    return result


def compare_with_git(path: Path, rev: str, env: str, env_file: Path | None = None) -> Comparison:
    """``path`` (a file or a blueprint folder) at git revision ``rev`` against the working tree.

    For a file inside a blueprint, the whole blueprint is read at ``rev`` so the environment override
    and environment file of that revision apply to the old version as well.
    """
    from .blueprint import blueprint_root_of

    layout = None if path.is_dir() else blueprint_root_of(path)
    source = layout[0] if layout else path
    tmp, copy = checkout_at(source, rev)
    try:
        old_path = copy / path.absolute().relative_to(source.absolute()) if layout else copy
        if old_path.exists():
            old_resources, old_problems, _ = _load_side(old_path, env, None)
        else:
            old_resources, old_problems = [], []
        if path.exists():
            new_resources, new_problems, env_name = _load_side(path, env, env_file)
        else:  # deleted since ``rev``: every resource it held is removed
            new_resources, new_problems, env_name = [], [], env
        shown = f"{rev}:"
        for r in old_resources:  # name the old side by revision, not by the temp copy
            r.file = shown + str(Path(r.file).absolute().relative_to(tmp))
        old_problems = [_relocate(d, tmp, shown) for d in old_problems]
        result = Comparison(env_name, diagnostics=[*old_problems, *new_problems])
        if not any(d.is_error for d in result.diagnostics):
            result.diffs = diff_resource_sets(old_resources, new_resources, env_name)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
