"""The output writer: put a synthesized tree into ``--out`` atomically, and only where it is ours to replace.

``write_tree`` builds the new tree (plus :data:`MARKER`, listing every file it wrote) in a sibling temp folder
and swaps it in with renames. It replaces a folder only when the folder is empty or holds exactly an earlier
facets-dynamo output; anything else raises :class:`OutRefused` before the disk is touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def dump(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


MARKER = ".facets-dynamo-output.json"
"""The file ``write_tree`` adds to every tree it writes: the relative paths of every file it wrote. A folder
is replaced only if it is empty or holds exactly what its marker lists (never a folder of the user's own)."""

_SHOWN = 5  # foreign entries named in a refusal before "and N more"


class OutRefused(OSError):
    """``out`` is not ours to replace (a user's folder, a symlink, a missing parent); nothing was touched."""


def _marker(files: Mapping[str, bytes]) -> bytes:
    return dump({"written_by": "facets-dynamo", "files": sorted(files)})


def _entries(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (relative POSIX path -> "dir", "file" or "other"); symlinks are not
    followed and count as "other"."""
    found: dict[str, str] = {}

    def walk(folder: Path, prefix: str) -> None:
        with os.scandir(folder) as it:
            for entry in it:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    found[rel] = "dir"
                    walk(Path(entry.path), rel + "/")
                else:
                    found[rel] = "file" if entry.is_file(follow_symlinks=False) else "other"

    walk(root, "")
    return found


def _listed(root: Path) -> dict[str, str] | None:
    """The entries the marker in ``root`` says we wrote (with the folders holding them and the marker
    itself), or None when there is no readable, well-formed marker."""
    marker = root / MARKER
    try:
        if marker.is_symlink() or not marker.is_file():
            return None
        data = json.loads(marker.read_bytes())
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("written_by") == "facets-dynamo" else None
    if not isinstance(files, list):
        return None
    listed = {MARKER: "file"}
    for rel in files:
        if not isinstance(rel, str) or not _plain(rel):
            return None
        parts = rel.split("/")
        for i in range(1, len(parts)):
            listed["/".join(parts[:i])] = "dir"
        listed[rel] = "file"
    return listed


def _foreign(root: Path) -> list[str]:
    """Entries under ``root`` that facets-dynamo did not write (by its marker); [] means replaceable.
    A listed file that is missing is not foreign: replacing loses nothing of the user's."""
    on_disk = _entries(root)
    if not on_disk:
        return []
    listed = _listed(root) or {}
    foreign = [rel for rel, kind in sorted(on_disk.items()) if listed.get(rel) != kind]
    # name a foreign folder once, not every file inside it
    return [rel for rel in foreign if not any(rel.startswith(f + "/") for f in foreign if f != rel)]


def _plain(rel: str) -> bool:
    parts = rel.split("/")
    return not (rel.startswith("/") or "\x00" in rel or "\\" in rel or any(p in ("", ".", "..") for p in parts))


def _name_some(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


_STRAY = re.compile(r"\.(?P<name>.+)\.(?P<kind>new|old)-(?P<pid>\d+)-[A-Za-z0-9_]+")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _remove_strays(parent: Path, name: str) -> None:
    """Remove the temp folders a killed earlier run left beside ``out``: only ``.<name>.new-<pid>-*`` and
    ``.<name>.old-<pid>-*`` folders whose process is gone and that hold nothing but what we wrote."""
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would terminate the process there
        return
    try:
        siblings = list(os.scandir(parent))
    except OSError:
        return
    for entry in siblings:
        match = _STRAY.fullmatch(entry.name)
        if not match or match["name"] != name or not entry.is_dir(follow_symlinks=False):
            continue
        if _alive(int(match["pid"])):
            continue
        path = Path(entry.path)
        try:
            if match["kind"] == "new":
                ours = not _foreign(path)
            else:  # holds nothing, or "tree": an earlier output moved aside
                inside = {e.name: e for e in os.scandir(path)}
                tree = inside.get("tree")
                ours = not inside or (set(inside) == {"tree"} and tree is not None
                                      and tree.is_dir(follow_symlinks=False) and not _foreign(path / "tree"))
        except OSError:
            continue
        if ours:
            shutil.rmtree(path, ignore_errors=True)


def write_tree(files: Mapping[str, bytes], out: Path) -> Path:
    """Write ``files`` to ``out`` so that a reader sees the old tree or the new one, never a mix.

    The new tree (plus :data:`MARKER`, listing its files) is built in a sibling temp dir and swapped in with
    renames; on any failure (disk full, permission, Ctrl-C) the temp dir is removed and the previous ``out``
    is left as it was. ``out`` must be a real folder (not a symlink) that is empty or holds exactly an
    earlier output, or not exist in an existing parent; anything else raises :class:`OutRefused`.
    """
    out = Path(out)
    for rel in files:  # before touching the disk: every path is plain, relative and stays inside ``out``
        if not _plain(rel):
            raise OSError(f"refusing to write {rel!r}: not a plain relative path inside the output directory")
        if rel == MARKER:
            raise OSError(f"refusing to write {rel!r}: the name of facets-dynamo's own marker file")
    if out.is_symlink():
        raise OutRefused(f"{out} is a symbolic link to {os.readlink(out)}; give the target folder itself")
    if out.exists() and not out.is_dir():
        raise OutRefused(f"{out} exists and is not a directory")
    parent = out.absolute().parent
    if not parent.is_dir():
        raise OutRefused(f"{out}: its parent folder {parent} does not exist; create it first")
    if out.is_dir():
        try:
            foreign = _foreign(out)
        except OSError as exc:
            raise OutRefused(f"{out} cannot be read ({exc.strerror or exc}); refusing to replace it") from exc
        if foreign:
            raise OutRefused(f"{out} holds files facets-dynamo did not write ({_name_some(foreign)}); refusing "
                             "to replace it (choose a new or empty folder)")
    parent = out.resolve().parent
    _remove_strays(parent, out.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-{os.getpid()}-", dir=parent))
    old: Path | None = None
    try:
        for rel, data in {MARKER: _marker(files), **files}.items():
            target = (tmp / rel).resolve()
            if not target.is_relative_to(tmp.resolve()):
                raise OSError(f"refusing to write {rel!r} outside the output directory")
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o755)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=parent))
            os.rename(out, old / "tree")
            try:
                os.rename(tmp, out)
            except BaseException:
                os.rename(old / "tree", out)
                raise
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return out
