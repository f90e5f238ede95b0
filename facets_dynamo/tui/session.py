"""The editor's state without any UI: which files are open, their unsaved text, the environment.

Validation always runs on the unsaved text of every open buffer *in its blueprint context* (base files,
the environment's overrides, references to sibling resources), exactly as ``facets-dynamo validate``
would see the files once saved.
"""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import config as project_config
from ..blueprint import Workspace, base_files, blueprint_root_of, duplicate_names, list_environments, load_workspace
from ..diagnostics import Diagnostic, Diagnostics
from ..environment import DEFAULT_ENVIRONMENT
from ..files import same_path
from ..jsonsource import parse_text
from ..references import referenced_addresses
from ..resource import Resource
from ..validation import configured, validate_each
from .document import Buffer


class SessionError(Exception):
    """PATH cannot be edited (message for the user)."""


def file_key(path: Path | str) -> str:
    """How the editor matches a diagnostic's or a resource's file to a buffer: absolute and normalized, with
    no call to the disk (``Path.resolve`` per row made the sidebar of a 200-resource blueprint take 3 s).
    Absolute paths are cached (a blueprint's thousands of diagnostics name the same files on every check);
    a relative one depends on the working directory, so it is not."""
    text = os.fspath(path)
    return _absolute_key(text) if os.path.isabs(text) else os.path.normpath(os.path.abspath(text))


@functools.lru_cache(maxsize=65536)
def _absolute_key(path: str) -> str:
    return os.path.normpath(path)


@dataclass
class Checked:
    """One validation of the unsaved workspace, kept per resource so one resource can be re-checked alone.

    ``problems[i]`` are the validation problems of ``workspace.resources[i]``; ``loading`` the problems of
    reading the files (parse errors, overrides, the environment). ``changed`` names the files whose
    diagnostics or resource may differ from the check this one was derived from (None: any file).
    ``diagnostics`` is all of them with ``config`` applied (severities, suppressions, its own problems), as
    ``facets-dynamo validate`` reports them.
    """

    workspace: Workspace
    problems: list[list[Diagnostic]]
    loading: list[Diagnostic]
    elapsed_ms: float = 0.0
    changed: set[str] | None = None
    index: dict[str, int] = field(default_factory=dict)          # file key -> position in workspace.resources
    references: dict[str, set[str]] = field(default_factory=dict)  # address -> addresses it references
    referrers: dict[str, set[str]] = field(default_factory=dict)   # address -> addresses referencing it
    addresses: list[str] = field(default_factory=list)              # of workspace.resources, in order
    by_address: dict[str, Resource] = field(default_factory=dict)
    partial: bool = False  # only the open resource and what it references (the whole check is on its way)
    config: project_config.Config | None = None  # the configuration found upward from the blueprint
    _diagnostics: Diagnostics | None = None

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {file_key(r.file): i for i, r in enumerate(self.workspace.resources)}
        if not self.addresses:
            self.addresses = [r.address for r in self.workspace.resources]
            self.by_address = dict(zip(self.addresses, self.workspace.resources, strict=True))
        if not self.references:
            known = {r.address for r in self.workspace.resources}
            for r in self.workspace.resources:
                targets = {t for t in referenced_addresses(r.data) if t in known and t != r.address}
                self.references[r.address] = targets
                for t in targets:
                    self.referrers.setdefault(t, set()).add(r.address)

    @property
    def diagnostics(self) -> Diagnostics:
        if self._diagnostics is None:
            found = Diagnostics(configured([*self.loading, *(d for p in self.problems for d in p)], self.workspace,
                                           self.config, unused=not self.partial)).sorted()
            found.root = self.workspace.root
            self._diagnostics = found
        return self._diagnostics

    def resource(self, path: Path | str) -> Resource | None:
        i = self.index.get(file_key(path))
        return self.workspace.resources[i] if i is not None else None

    def closure(self, address: str) -> set[str]:
        """``address`` and everything it references, directly or not (what its stack is built from)."""
        needed: set[str] = set()
        seeds = [address]
        while seeds:
            current = seeds.pop()
            if current not in needed:
                needed.add(current)
                seeds.extend(self.references.get(current, ()))
        return needed

    def errors_in(self, files: set[str]) -> list[Diagnostic]:
        return [d for d in self.diagnostics.errors if file_key(d.file) in files]

    def files_of(self, addresses: set[str]) -> set[str]:
        return {file_key(f) for a in addresses if (r := self.by_address.get(a)) is not None for f in r.files}


def _synthesizes(path: Path) -> bool:
    """Whether a resource file makes a stack (it parses and is neither provided nor disabled): the editor
    opens a blueprint on the first one, so the first screen has a preview."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("provided") is not True and data.get("disabled") is not True


class Session:
    def __init__(self, target: Path, env: str | None = None) -> None:
        """``env`` None: the first environment the blueprint defines (``default`` when it defines none)."""
        target = Path(target)
        self.buffers: dict[Path, Buffer] = {}
        if target.is_dir():
            self.root: Path | None = target
            files = base_files(target)
            if not files:
                raise SessionError(f"{target}: no resources found (expected <kind>/instances/<name>.json); "
                                   f"create one with: facets-dynamo new NAME --blueprint {target}")
            self.current = next((f for f in files if _synthesizes(f)), files[0])
        elif target.is_file():
            layout = blueprint_root_of(target)
            self.root = layout[0] if layout else None
            self.current = target
        else:
            raise SessionError(f"{target}: no such file or directory; create a resource with: "
                               f"facets-dynamo new {target.stem or 'NAME'}")
        found = list_environments(self.root) if self.root is not None and env is None else []
        self.env = env or (found[0] if found else DEFAULT_ENVIRONMENT)
        self.open(self.current)

    # -- files -------------------------------------------------------------------------------------
    @property
    def buffer(self) -> Buffer:
        return self.buffers[self.current]

    def open(self, path: Path) -> Buffer:
        for known, buf in self.buffers.items():
            if same_path(known, path):
                self.current = known
                return buf
        buf = self.buffers[path] = Buffer.open(path)
        self.current = path
        return buf

    def rekey(self, old: Path, new: Path) -> None:
        """After save-as: the buffer now belongs to ``new``."""
        buf = self.buffers.pop(old)
        self.buffers[new] = buf
        if self.current == old:
            self.current = new
        if self.root is not None and blueprint_root_of(new) is None:
            self.root = None  # saved outside the blueprint: edit it on its own

    def resource_files(self) -> list[Path]:
        if self.root is None:
            return [self.current]
        return base_files(self.root)

    def environments(self) -> list[str]:
        found = list_environments(self.root) if self.root is not None else []
        return [DEFAULT_ENVIRONMENT, *[e for e in found if e != DEFAULT_ENVIRONMENT]]

    def dirty(self) -> list[Buffer]:
        return [b for b in self.buffers.values() if b.dirty]

    # -- checking ----------------------------------------------------------------------------------
    def find_config(self) -> project_config.Config:
        """The configuration found upward from the blueprint (or the open file), read again on every whole
        check, so an edit to it shows at the next one; a bad one shows its FD501 problems in the list."""
        return project_config.load(project_config.find(project_config.existing(self.root or self.current)))

    def targets(self) -> list[Path]:
        return [self.root] if self.root is not None else [self.current]

    def texts(self, saved: bool = False) -> dict[Path, str]:
        """The buffers' unsaved text (or, with ``saved``, their last saved text): a snapshot a worker can use."""
        return {p: (b.saved_text if saved else b.text) for p, b in self.buffers.items()
                if b.stamp is not None or not saved}

    def closure_files(self, texts: dict[Path, str], known: Checked | None = None) -> list[Path]:
        """The open file and the files of the resources it references, directly or not: what its preview is
        built from. From ``known`` (an earlier check) when it has the open resource, else by following the
        references through the blueprint's layout (``<kind>/instances/<name>.json``)."""
        if self.root is None:
            return [self.current]
        resource = known.resource(self.current) if known is not None else None
        if known is not None and resource is not None:
            return [Path(known.by_address[a].file) for a in sorted(known.closure(resource.address))
                    if a in known.by_address]
        found: list[Path] = []
        todo = [self.current]
        while todo:
            path = todo.pop()
            if path in found:
                continue
            found.append(path)
            try:
                data = json.loads(texts[path] if path in texts else path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for address in referenced_addresses(data):
                kind, _, name = address.partition(".")
                target = self.root / kind / "instances" / f"{name}.json"
                if target.is_file():
                    todo.append(target)
        return found

    def check(self, saved: bool = False, texts: dict[Path, str] | None = None, env: str | None = None,
              files: list[Path] | None = None) -> Checked:
        """Validate every resource (or only ``files``: a partial check) with the unsaved buffers (or, with
        ``saved``, the last saved text) for ``self.env``. Safe in a worker thread when given ``texts``."""
        start = time.perf_counter()
        texts = dict(texts if texts is not None else self.texts(saved))
        env = env or self.env
        # A buffer that does not parse (mid-typing) is checked on its own; its saved text stands in for it
        # in the blueprint, so the siblings that reference it do not light up with errors of their own.
        unparsed: dict[Path, list[Diagnostic]] = {}
        for path, text in list(texts.items()):
            buf = self.buffers.get(path)
            if saved or buf is None or buf.stamp is None or text == buf.saved_text:
                continue
            doc, problems = parse_text(text, str(path))
            if doc is None:
                unparsed[path] = problems
                texts[path] = buf.saved_text
        ws = load_workspace(files or self.targets(), env, texts=texts)
        config = self.find_config()
        problems = validate_each(ws, ws.resources, config=config)
        loading = list(ws.diagnostics)
        if unparsed:
            keys = {file_key(p) for p in unparsed}
            loading = [d for d in loading if file_key(d.file) not in keys]
            problems = [[] if file_key(r.file) in keys else p for r, p in zip(ws.resources, problems, strict=True)]
            loading += [d for found in unparsed.values() for d in found]
        return Checked(ws, problems, loading, (time.perf_counter() - start) * 1000, partial=files is not None,
                       config=config)

    def check_open(self, base: Checked) -> Checked:
        """Re-check only the open buffer (and the resources that reference it) against ``base``: the
        per-keystroke path, a few milliseconds whatever the size of the blueprint."""
        start = time.perf_counter()
        path, buf = self.current, self.buffer
        text = buf.text
        doc, parse_problems = parse_text(text, str(path))
        unparsed = doc is None and buf.stamp is not None and text != buf.saved_text
        part = load_workspace([path], base.workspace.environment.name,
                              texts={path: buf.saved_text if unparsed else text})
        key = file_key(path)
        new = part.resources[0] if part.resources else None
        files = {key} | ({file_key(f) for f in new.files} if new is not None else set())
        resources = list(base.workspace.resources)
        problems = list(base.problems)
        addresses = list(base.addresses)
        by_address = dict(base.by_address)
        index = dict(base.index)
        old_at = index.get(key)
        old = resources[old_at] if old_at is not None else None
        if old is not None:
            files |= {file_key(f) for f in old.files}
            if by_address.get(old.address) is old:
                del by_address[old.address]
        if new is not None and old_at is not None:
            resources[old_at] = new
            addresses[old_at] = new.address
        elif new is not None:
            index[key] = len(resources)
            resources.append(new)
            addresses.append(new.address)
            problems.append([])
        elif old_at is not None:  # the file no longer makes a resource
            del resources[old_at], problems[old_at], addresses[old_at]
            index = {}
        if new is not None:
            by_address[new.address] = new
        # Same names (FD322): only resources named like the open one, before or after the edit, can change.
        names = {r.name.casefold() for r in (old, new) if r is not None}
        alike = [r for r, a in zip(resources, addresses, strict=True)
                 if a.partition(".")[2].casefold() in names] if names else []
        alike_files = {file_key(r.file) for r in alike} | files
        loading = [d for d in base.loading if file_key(d.file) not in files
                   and not (d.code == "FD322" and file_key(d.file) in alike_files)]
        loading += [d for d in part.diagnostics if file_key(d.file) in files and d.code != "FD322"]
        if unparsed:
            loading = [d for d in loading if file_key(d.file) != key] + parse_problems
        loading += duplicate_names(alike)
        ws = Workspace(base.workspace.environment, resources, loading)
        references = dict(base.references)
        referrers = dict(base.referrers)  # sets are replaced, never changed in place: base stays as it was
        if old is not None:
            for target in references.pop(old.address, set()):
                referrers[target] = referrers.get(target, set()) - {old.address}
        if new is not None:
            targets = {t for t in referenced_addresses(new.data) if t != new.address and t in base.references}
            references[new.address] = targets
            for target in targets:
                referrers[target] = referrers.get(target, set()) | {new.address}
        # What to re-validate: the open resource and every resource that references it (old or new name).
        own = {r.address for r in (old, new) if r is not None}
        wanted = own.union(*(referrers.get(a, set()) for a in own))
        positions = [i for i, a in enumerate(addresses) if a in wanted]
        checked = Checked(ws, problems, loading, 0.0, None, index, references, referrers, addresses, by_address,
                          base.partial, base.config)
        found = validate_each(ws, [resources[i] for i in positions], by_address=by_address, config=base.config)
        for i, p in zip(positions, found, strict=True):
            if unparsed and i == checked.index.get(key):
                p = []
            problems[i] = p
            files |= {file_key(f) for f in resources[i].files}
        checked.changed = files
        same_shape = len(resources) == len(base.problems) and loading == base.loading
        if same_shape and all(problems[i] == base.problems[i] for i in positions):
            checked._diagnostics = base._diagnostics  # nothing new to sort (most keystrokes)
        checked.elapsed_ms = (time.perf_counter() - start) * 1000
        return checked

    def resource_for(self, checked: Checked, path: Path | None = None) -> Resource | None:
        return checked.resource(path or self.current)

    def is_current(self, file: str) -> bool:
        return same_path(file, self.current)
