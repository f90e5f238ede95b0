"""Files the user owns: written whole or not at all, and compared by what they are, not how they are spelled.

One helper per job, used by the editor (save, save as), ``new``, ``import`` and the editor's "new resource";
the synthesized tree has its own all-or-nothing swap of a whole folder (:func:`facets_dynamo.output.write_tree`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: str | bytes, *, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` so that a reader, a crash or Ctrl-C sees the old file or the new one whole.

    The data goes to a temp file in the same folder, is fsynced, then takes the place of ``path``: with
    ``overwrite`` by one ``os.replace`` (a symlink is followed, so the link stays a link, and the file's
    permission bits are kept); without it by ``os.link``, which fails with :class:`FileExistsError` if a file
    appeared there meanwhile, so nothing is ever replaced. Returns the file written (the link's target).
    """
    target = path.resolve() if overwrite and path.is_symlink() else path
    if not overwrite and (path.exists() or path.is_symlink()):
        raise FileExistsError(f"{path} exists already")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777 if overwrite else None
    except FileNotFoundError:
        mode = None
    if mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return target


def same_path(a: Path | str | None, b: Path | str | None) -> bool:
    """Whether ``a`` and ``b`` name the same file (through symlinks and ``..``); spelled alike when the disk
    cannot say (a loop, a missing folder)."""
    if a is None or b is None:
        return False
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return Path(a).absolute() == Path(b).absolute()
