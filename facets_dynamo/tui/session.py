"""The editor's state without any UI: which files are open, their unsaved text, the environment.

Validation always runs on the unsaved text of every open buffer *in its blueprint context* (base files,
the environment's overrides, references to sibling resources), exactly as ``facets-dynamo validate``
would see the files once saved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..blueprint import Workspace, base_files, blueprint_root_of, list_environments, load_workspace
from ..diagnostics import Diagnostic, Diagnostics
from ..environment import DEFAULT_ENVIRONMENT
from ..files import same_path
from ..jsonsource import parse_text
from ..resource import Resource
from ..validation import validate_workspace
from .document import Buffer


class SessionError(Exception):
    """PATH cannot be edited (message for the user)."""


@dataclass
class Checked:
    """One validation pass over the unsaved workspace."""

    workspace: Workspace
    diagnostics: Diagnostics
    elapsed_ms: float



class Session:
    def __init__(self, target: Path, env: str = DEFAULT_ENVIRONMENT) -> None:
        target = Path(target)
        self.env = env
        self.buffers: dict[Path, Buffer] = {}
        if target.is_dir():
            self.root: Path | None = target
            files = base_files(target)
            if not files:
                raise SessionError(f"{target}: no resources found (expected <kind>/instances/<name>.json); "
                                   f"create one with: facets-dynamo new NAME --blueprint {target}")
            self.current = files[0]
        elif target.is_file():
            layout = blueprint_root_of(target)
            self.root = layout[0] if layout else None
            self.current = target
        else:
            raise SessionError(f"{target}: no such file or directory; create a resource with: "
                               f"facets-dynamo new {target.stem or 'NAME'}")
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
    def targets(self) -> list[Path]:
        return [self.root] if self.root is not None else [self.current]

    def check(self, saved: bool = False) -> Checked:
        """Validate the unsaved buffers (or, with ``saved``, the last saved text) for ``self.env``."""
        start = time.perf_counter()
        texts = {p: (b.saved_text if saved else b.text) for p, b in self.buffers.items()
                 if b.stamp is not None or not saved}
        # A buffer that does not parse (mid-typing) is checked on its own; its saved text stands in for it
        # in the blueprint, so the siblings that reference it do not light up with errors of their own.
        unparsed: dict[Path, list[Diagnostic]] = {}
        for path, text in list(texts.items()):
            buf = self.buffers[path]
            doc, problems = parse_text(text, str(path))
            if doc is None and not saved and buf.stamp is not None and text != buf.saved_text:
                unparsed[path] = problems
                texts[path] = buf.saved_text
        ws = load_workspace(self.targets(), self.env, texts=texts)
        found = validate_workspace(ws)
        if unparsed:
            kept = [d for d in found if not any(same_path(d.file, path) for path in unparsed)]
            found = Diagnostics(kept + [d for problems in unparsed.values() for d in problems]).sorted()
            ws.resources = [r for r in ws.resources if not any(same_path(r.file, path) for path in unparsed)]
        return Checked(ws, found, (time.perf_counter() - start) * 1000)

    def resource_for(self, ws: Workspace, path: Path | None = None) -> Resource | None:
        path = path or self.current
        return next((r for r in ws.resources if same_path(r.file, path)), None)

    def is_current(self, file: str) -> bool:
        return same_path(file, self.current)
