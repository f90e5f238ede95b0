"""Printing diagnostics in every format, and the exit code they mean."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from .base import EXIT_INVALID, EXIT_OK, EXIT_USAGE, UNREADABLE, State, colour

if TYPE_CHECKING:
    from ..diagnostics import Diagnostics


def report_diagnostics(found: Diagnostics, fmt: str, ok_message: str = "", quiet_ok: bool = False) -> None:
    if fmt == "json":
        if not quiet_ok:
            click.echo(found.to_json())
        return
    if fmt == "sarif":
        from importlib.metadata import version

        from ..rulebook import collect
        from ..sarif import to_sarif

        book = collect()
        if State.verbosity > 0:
            for problem in book.problems:
                click.echo(f"rules: {problem}", err=True)
        click.echo(json.dumps(to_sarif(found.sorted(), book, version("facets-dynamo")), indent=2))
        return
    shown = [d for d in found if d.is_error] if State.verbosity < 0 else list(found)
    styled = fmt == "text" and colour()
    for d in shown:
        line = d.format_github() if fmt == "github" else d.format_text()
        if styled:
            word = f" {d.severity} {d.code}"
            line = line.replace(word, " " + click.style(str(d.severity), fg=_COLOURS[str(d.severity)], bold=True)
                                + f" {d.code}", 1)
        click.echo(line, color=styled or None)
    if State.verbosity < 0:
        return
    if fmt == "text" and not quiet_ok:
        errors = len(found.errors)
        summary = f"{errors} error(s), {len(found) - errors} warning(s)" if found else ok_message or "no problems"
        click.echo(summary if found else f"ok: {summary}", err=bool(found))


_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def exit_code(found: Diagnostics) -> int:
    if any(d.code in UNREADABLE or (d.code == "FD403" and d.file == "--env") for d in found.errors):
        return EXIT_USAGE
    fail_on = State.fail_on or (State.config.fail_on if State.config is not None else "error")
    if fail_on == "warning" and any(str(d.severity) == "warning" for d in found):
        return EXIT_INVALID
    return EXIT_INVALID if found.errors else EXIT_OK
