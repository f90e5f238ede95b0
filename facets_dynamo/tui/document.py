"""One file being edited: its text, what is on disk, and how to write it back without losing anything.

The editor never trusts that the file on disk is still the one it read: every save compares a stamp
(mtime, size and a content hash) taken when the file was opened or last saved, and writes through a temp
file in the same directory plus ``os.replace`` so a reader (or a crash) sees the old file or the new one.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..files import write_atomically


class SaveConflict(Exception):
    """The file changed on disk since the editor read or last wrote it."""


@dataclass(frozen=True)
class DiskStamp:
    """Enough to notice that someone else wrote the file (mtime alone misses same-second writes)."""

    mtime_ns: int
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> DiskStamp | None:
        try:
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return cls(st.st_mtime_ns, st.st_size, digest)


@dataclass(frozen=True)
class Style:
    """How the user's file is laid out, so a form edit re-serializes it the way it was written."""

    indent: str = "  "
    trailing_newline: bool = True

    @property
    def json_indent(self) -> int | str:
        return len(self.indent) if set(self.indent) == {" "} else self.indent


_INDENT = re.compile(r"^([ \t]+)\S", re.MULTILINE)


def detect_style(text: str) -> Style:
    """The smallest indent of the file (tabs win if the first indented line uses a tab)."""
    found = _INDENT.findall(text)
    if not found:
        return Style("  ", text.endswith("\n") or not text)
    if found[0].startswith("\t"):
        indent = "\t"
    else:
        widths = [len(f) for f in found if set(f) == {" "}]
        indent = " " * (min(widths) if widths else 2)
    return Style(indent, text.endswith("\n"))


def dump_json(data: Any, style: Style) -> str:
    text = json.dumps(data, indent=style.json_indent, ensure_ascii=False)
    return text + "\n" if style.trailing_newline else text


def read_text(path: Path) -> str:
    """The file as text; undecodable bytes are kept visible (U+FFFD) so validation can point at them."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


@dataclass
class Buffer:
    """The editor's copy of one file plus the disk state it was based on."""

    path: Path
    saved_text: str
    text: str
    stamp: DiskStamp | None
    style: Style = field(default_factory=Style)
    cursor: tuple[int, int] = (0, 0)

    @classmethod
    def open(cls, path: Path) -> Buffer:
        stamp = DiskStamp.of(path)
        text = read_text(path) if stamp is not None else ""
        return cls(path, text, text, stamp, detect_style(text))

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    def changed_on_disk(self) -> bool:
        return DiskStamp.of(self.path) != self.stamp

    def save(self, *, force: bool = False) -> None:
        """Write the buffer; raises :class:`SaveConflict` when the disk moved on, unless ``force``."""
        if not force and self.changed_on_disk():
            raise SaveConflict(f"{self.path} changed on disk since it was opened")
        write_atomically(self.path, self.text)
        self.saved_text = self.text
        self.stamp = DiskStamp.of(self.path)

    def save_as(self, path: Path) -> None:
        """Write to a new path (refusing to replace an existing file) and keep editing that one."""
        try:
            write_atomically(path, self.text, overwrite=False)
        except FileExistsError:
            raise FileExistsError(f"{path} exists; choose another name") from None
        self.path = path
        self.saved_text = self.text
        self.stamp = DiskStamp.of(path)

    def reload(self) -> None:
        """Drop the edits and read the disk again."""
        fresh = Buffer.open(self.path)
        self.saved_text = self.text = fresh.text
        self.stamp = fresh.stamp
        self.style = fresh.style
