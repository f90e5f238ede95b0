"""Plan-aware comparison of two versions of resources: what changes, and what destroys a table's data.

Terraform replaces an ``aws_dynamodb_table`` (destroy, then create: every item is lost) when its
``name``, ``hash_key``, ``range_key`` or any local secondary index changes, or when the type of a key
attribute changes; removing a managed resource (deleting it, disabling it, or marking it ``provided``)
drops its stack, which Facets turns into a destroy. A pipeline wants to stop *before* Terraform does
that, so each such change is flagged here, and the CLI maps a flagged diff to its own exit code.

Everything here is pure (no engine, no I/O except the git helpers at the bottom) so the TUI can call
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
from .jsonsource import pointer_join
from .resource import Resource

ADV = "/advanced/aws_dynamodb"
ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"


@dataclass(frozen=True)
class Change:
    """One difference at a JSON pointer of the (environment-merged) resource document."""

    path: str
    op: str  # added | removed | changed
    old: Any = None
    new: Any = None
    replaces_table: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "op": self.op}
        if self.op != ADDED:
            out["old"] = self.old
        if self.op != REMOVED:
            out["new"] = self.new
        out["replaces_table"] = self.replaces_table
        return out

    def format_text(self) -> str:
        mark = {ADDED: "+", REMOVED: "-", CHANGED: "~"}[self.op]
        if self.op == ADDED:
            values = _show(self.new)
        elif self.op == REMOVED:
            values = _show(self.old)
        else:
            values = f"{_show(self.old)} -> {_show(self.new)}"
        flag = "  [replaces table]" if self.replaces_table else ""
        return f"{mark} {self.path or '/'}: {values}{flag}"


@dataclass
class ResourceDiff:
    """How one resource (paired by ``kind.name``) differs between two versions, for one environment."""

    address: str
    status: str  # added | removed | changed | unchanged
    old_table: str | None  # derived table name when the old version is a managed table, else None
    new_table: str | None
    changes: list[Change] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the table is replaced or destroyed
    replaces_table: bool = False  # the table is destroyed and created again (same resource)
    destroys_table: bool = False  # the table is destroyed and not recreated (resource gone/disabled/provided)
    old_file: str | None = None
    new_file: str | None = None

    @property
    def destroys_data(self) -> bool:
        return self.replaces_table or self.destroys_table

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "status": self.status, "old_table": self.old_table,
                "new_table": self.new_table, "replaces_table": self.replaces_table,
                "destroys_table": self.destroys_table, "reasons": list(self.reasons),
                "old_file": self.old_file, "new_file": self.new_file,
                "changes": [c.to_dict() for c in self.changes]}

    def format_text(self) -> str:
        table = self.new_table or self.old_table
        head = f"{self.address}{f' (table {table})' if table else ''}: {self.status}"
        lines = [head] + [f"  {c.format_text()}" for c in self.changes]
        verdict = "REPLACES TABLE" if self.replaces_table else "DESTROYS TABLE"
        lines += [f"  {verdict} {self.old_table}: {reason}" for reason in self.reasons]
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


# -- what replaces a table -------------------------------------------------------------------------

@dataclass(frozen=True)
class _TableView:
    """The replacement-relevant facts of one managed table version (tolerant of malformed documents)."""

    name: str
    hash_key: Any
    range_key: Any
    lsis: dict[str, Any]
    lsi_pointer: str
    types: dict[str, tuple[Any, str]]  # attribute name -> (type, pointer of its type)

    @staticmethod
    def of(resource: Resource, env_name: str) -> _TableView:
        adv = resource.advanced.get("aws_dynamodb")
        adv = adv if isinstance(adv, dict) else {}
        raw_lsis = adv.get("local_secondary_indexes")
        lsis: dict[str, Any] = {}
        for i, lsi in enumerate(raw_lsis if isinstance(raw_lsis, list) else []):
            key = lsi.get("name") if isinstance(lsi, dict) and isinstance(lsi.get("name"), str) else f"#{i}"
            lsis[key] = lsi
        attrs = resource.spec.get("attributes")
        types: dict[str, tuple[Any, str]] = {}
        for logical_id, attr in (attrs.items() if isinstance(attrs, dict) else []):
            if isinstance(attr, dict) and isinstance(attr.get("name"), str):
                types.setdefault(attr["name"], (attr.get("type"), pointer_join("/spec/attributes", logical_id,
                                                                               "type")))
        return _TableView(f"{resource.name}-{env_name}", resource.spec.get("hash_key"), adv.get("range_key"),
                          lsis, f"{ADV}/local_secondary_indexes", types)

    def key_names(self) -> set[str]:
        names = {k for k in (self.hash_key, self.range_key) if isinstance(k, str)}
        names |= {lsi.get("range_key") for lsi in self.lsis.values()
                  if isinstance(lsi, dict) and isinstance(lsi.get("range_key"), str)}
        return names


def _replacement(old: _TableView, new: _TableView) -> tuple[list[str], list[str]]:
    """``(reasons, pointers)``: why Terraform would replace the table, and where in the document."""
    reasons: list[str] = []
    pointers: list[str] = []
    if old.name != new.name:
        reasons.append(f"the table name changes ({old.name!r} -> {new.name!r}); DynamoDB cannot rename a "
                       "table: keep metadata.name (and the file name) as they were")
        pointers += ["/metadata/name"]
    if old.hash_key != new.hash_key:
        reasons.append(f"the hash key changes ({_show(old.hash_key)} -> {_show(new.hash_key)}); a key cannot "
                       "change in place: create a new resource and migrate the data")
        pointers.append("/spec/hash_key")
    if old.range_key != new.range_key:
        reasons.append(f"the range key changes ({_show(old.range_key)} -> {_show(new.range_key)}); a key "
                       "cannot change in place: create a new resource and migrate the data")
        pointers.append(f"{ADV}/range_key")
    if _canonical(old.lsis) != _canonical(new.lsis):
        gone, came = sorted(set(old.lsis) - set(new.lsis)), sorted(set(new.lsis) - set(old.lsis))
        edited = sorted(k for k in set(old.lsis) & set(new.lsis)
                        if _canonical(old.lsis[k]) != _canonical(new.lsis[k]))
        what = "; ".join(part for part in (
            f"removed {', '.join(gone)}" if gone else "", f"added {', '.join(came)}" if came else "",
            f"changed {', '.join(edited)}" if edited else "") if part)
        reasons.append(f"local secondary indexes change ({what}); LSIs exist only from table creation")
        pointers.append(new.lsi_pointer)
    for name in sorted(old.key_names() & new.key_names()):
        if name in old.types and name in new.types and old.types[name][0] != new.types[name][0]:
            reasons.append(f"key attribute {name!r} changes type ({_show(old.types[name][0])} -> "
                           f"{_show(new.types[name][0])}); stored keys cannot be converted")
            pointers.append(new.types[name][1])
    return reasons, pointers


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _managed(resource: Resource | None) -> bool:
    return resource is not None and not resource.disabled and not resource.provided


def _env_name(env: str | Environment) -> str:
    return env.name if isinstance(env, Environment) else env


def diff_resources(old: Resource | None, new: Resource | None, env: str | Environment) -> ResourceDiff:
    """Compare two versions of one resource (either may be missing) for environment ``env``."""
    if old is None and new is None:
        raise ValueError("diff_resources needs at least one version")
    env_name = _env_name(env)
    address = (new or old).address  # type: ignore[union-attr]
    old_view = _TableView.of(old, env_name) if _managed(old) else None
    new_view = _TableView.of(new, env_name) if _managed(new) else None
    result = ResourceDiff(address, CHANGED, old_view.name if old_view else None,
                          new_view.name if new_view else None,
                          old_file=old.file if old else None, new_file=new.file if new else None)
    if old is None:
        result.status = ADDED
        result.changes = [Change("", ADDED, new=new.data)]  # type: ignore[union-attr]
        return result
    if new is None:
        result.status = REMOVED
        result.changes = [Change("", REMOVED, old=old.data)]
    else:
        result.changes = list(diff_values(old.data, new.data))
        result.status = CHANGED if result.changes else UNCHANGED
    if old_view is not None and new_view is None:
        why = ("the resource is deleted" if new is None else "the resource becomes disabled" if new.disabled
               else "the resource becomes provided (no longer managed here)")
        result.destroys_table = True
        result.reasons.append(f"{why}: its stack is no longer synthesized and the table with all its data "
                              "is destroyed; keep it enabled, or remove the table from state first")
    elif old_view is not None and new_view is not None:
        reasons, pointers = _replacement(old_view, new_view)
        if reasons:
            result.replaces_table = True
            result.reasons += reasons
            result.changes = [_flag(c, pointers) for c in result.changes]
    return result


def _flag(change: Change, pointers: list[str]) -> Change:
    hit = any(change.path == p or change.path.startswith(p + "/") or p.startswith(change.path + "/")
              for p in pointers)
    if not hit:
        return change
    return Change(change.path, change.op, change.old, change.new, True)


def diff_resource_sets(old: list[Resource], new: list[Resource], env: str | Environment) -> list[ResourceDiff]:
    """Pair resources by ``kind.name`` and diff each pair; sorted by address, unchanged ones included."""
    before = {r.address: r for r in old}
    after = {r.address: r for r in new}
    return [diff_resources(before.get(a), after.get(a), env) for a in sorted(set(before) | set(after))]


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
        summary += (f"; {len(destructive)} destroy table data: "
                    f"{', '.join(d.old_table or d.address for d in destructive)}")
    else:
        summary += "; no table is replaced or destroyed"
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
