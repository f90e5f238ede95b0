"""Options, parameter types and the command group every command hangs on."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..environment import DEFAULT_ENVIRONMENT

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_REPLACE, EXIT_DRIFT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


UNREADABLE = {"FD101", "FD102", "FD109"}


FORMATS = click.Choice(["text", "json", "github", "sarif"])


class State:
    """Per-invocation settings of the command line: verbosity, --fail-on, the configuration found."""

    verbosity = 0  # -1 quiet, 0 normal, 1 verbose
    fail_on: str | None = None
    config: Any = None


def colour() -> bool:
    """Colour on stdout: NO_COLOR (any non-empty value) turns it off, FORCE_COLOR on; else only on a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


DEBUG_ENV = "FACETS_DYNAMO_DEBUG"


class PathParam(click.Path):
    """``click.Path`` that refuses an empty or blank value: ``Path("")`` would silently mean the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"{value!r} is empty; give a path", param, ctx)
        return super().convert(value, param, ctx)


def env_option_problem(env: str) -> str | None:
    from ..blueprint import _folder_name_problem

    return _folder_name_problem(env)


def paths_argument(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.argument("paths", nargs=-1, required=True, type=PathParam(path_type=Path))(fn)
    fn = click.option("--env", "env", default=DEFAULT_ENVIRONMENT, show_default=True,
                      help="Environment: selects <blueprint>/<env>/ overrides and the names' suffix.")(fn)
    fn = click.option("--env-file", type=PathParam(path_type=Path, dir_okay=False),
                      help="Environment file (name, region, cloud_tags, backend, provider); default "
                      "<blueprint>/<env>/environment.json, merged over <blueprint>/environment.json.")(fn)
    fn = click.option("--fail-on", "fail_on", type=click.Choice(["error", "warning"]), default=None,
                      help="Exit 1 on errors only (default), or on warnings too; overrides fail-on of the "
                      "configuration.")(fn)
    return click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
                        help="How to print problems: text, json (a list of objects), github annotations or "
                        "sarif (SARIF 2.1.0 for code scanning).")(fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="facets-dynamo")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only: no warnings, no summary lines.")
@click.option("-v", "--verbose", is_flag=True, help="Also say which configuration file applies, and rule "
              "metadata problems.")
def cli(quiet: bool, verbose: bool) -> None:
    """Validate Facets resource specs and synthesize CDK for Terraform stacks.

    Colour follows NO_COLOR / FORCE_COLOR. Shell completion: eval "$(_FACETS_DYNAMO_COMPLETE=bash_source
    facets-dynamo)" (zsh_source, fish_source likewise).
    """
    State.verbosity = -1 if quiet else 1 if verbose else 0
    State.fail_on = None
    State.config = None
