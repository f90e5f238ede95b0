"""Loading what a command works on: the workspace, the configuration found upward, and the checks with it applied."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .base import State

if TYPE_CHECKING:
    from ..blueprint import Workspace
    from ..diagnostics import Diagnostics


def load(paths: tuple[Path, ...], env: str, env_file: Path | None) -> Workspace:
    from ..blueprint import load_workspace

    find_config(paths[0])
    return load_workspace(list(paths), env, env_file)


def find_config(start: Path) -> Any:
    """The configuration found upward from ``start`` (the first path), loaded once per invocation."""
    if State.config is None:
        from .. import config

        found = config.find(_existing(start))
        State.config = config.load(found)
        if State.verbosity > 0:
            click.echo(f"configuration: {found or 'none found'}", err=True)
    return State.config


def _existing(start: Path) -> Path:
    """Where to start looking for the configuration: ``start`` or its nearest existing parent (a name too long
    to stat, or a path that does not exist, is reported by validation; it must not fail the search)."""
    for candidate in (start, *start.parents):
        try:
            if candidate.exists():
                return candidate
        except OSError:
            continue
    return Path.cwd()


def configured(found: Diagnostics, start: Path, environment: str, addresses: dict[str, str]) -> Diagnostics:
    """``found`` with the configuration's severities and suppressions applied (and its own problems)."""
    from .. import config
    from ..diagnostics import Diagnostics

    cfg = find_config(start)
    if cfg.file is None:
        return found
    return Diagnostics(config.apply(list(found), cfg, environment, addresses), found.root).sorted()


def check(workspace: Workspace) -> Diagnostics:
    from ..validation import validate_workspace

    cfg = State.config
    env = workspace.environment.name
    options: dict[str, Any] = {} if cfg is None or cfg.file is None else {
        "enable": cfg.enabled(env), "disable": cfg.disabled(env)}
    if len(workspace.resources) < 20 or not sys.stderr.isatty():
        found = validate_workspace(workspace, **options)
    else:
        from rich.progress import Progress

        with Progress(transient=True, console=stderr_console()) as progress:
            task = progress.add_task("validating", total=len(workspace.resources))
            found = validate_workspace(workspace, progress=lambda _r: progress.advance(task), **options)
    if cfg is None or cfg.file is None:
        return found
    addresses = {f: r.address for r in workspace.resources for f in (r.file, *r.files)}
    return configured(found, Path(cfg.file), env, addresses)


def problem(file: str, code: str, message: str) -> Any:
    from ..diagnostics import Diagnostic, Severity

    return Diagnostic(file, 0, 0, "", Severity.ERROR, code, message)


def sorted_diagnostics(items: Any) -> Diagnostics:
    from ..diagnostics import Diagnostics

    return Diagnostics(list(items)).sorted()


def stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def status(message: str) -> Iterator[None]:
    if not sys.stderr.isatty():
        yield
        return
    with stderr_console().status(message):
        yield
