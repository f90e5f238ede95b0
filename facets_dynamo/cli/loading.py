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

        found = config.find(config.existing(start))
        State.config = config.load(found)
        if State.verbosity > 0:
            click.echo(f"configuration: {found or 'none found'}", err=True)
    return State.config


def configured(found: Diagnostics, start: Path, environment: str, addresses: dict[str, str]) -> Diagnostics:
    """``found`` with the configuration's severities and suppressions applied (and its own problems)."""
    from .. import config
    from ..diagnostics import Diagnostics

    cfg = find_config(start)
    if cfg.file is None:
        return found
    return Diagnostics(config.apply(list(found), cfg, environment, addresses), found.root).sorted()


def check(workspace: Workspace) -> Diagnostics:
    """Validate with the configuration found for this invocation (a progress bar on a terminal for big ones)."""
    from ..validation import validate_workspace

    cfg = State.config
    if len(workspace.resources) < 20 or not sys.stderr.isatty():
        return validate_workspace(workspace, config=cfg)
    from rich.progress import Progress

    with Progress(transient=True, console=stderr_console()) as progress:
        task = progress.add_task("validating", total=len(workspace.resources))
        return validate_workspace(workspace, progress=lambda _r: progress.advance(task), config=cfg)

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
