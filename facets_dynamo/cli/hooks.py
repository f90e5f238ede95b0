"""``facets-dynamo hook ...``: the checks pre-commit runs on changed files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..environment import DEFAULT_ENVIRONMENT
from .base import EXIT_OK, EXIT_REPLACE, EXIT_USAGE, PathParam, State, cli
from .loading import check, load
from .reporting import exit_code, report_diagnostics


@cli.group()
def hook() -> None:
    """Checks for git hooks (pre-commit): given changed files, check the blueprints they belong to."""


@hook.command("validate")
@click.argument("files", nargs=-1, type=PathParam(path_type=Path))
@click.option("--fail-on", "fail_on", type=click.Choice(["error", "warning"]), default=None)
def hook_validate(files: tuple[Path, ...], fail_on: str | None) -> None:
    """Validate every blueprint a changed FILE belongs to, for each of its environments, and loose resource files."""
    from ..changed import targets

    State.fail_on = fail_on
    found = targets(list(files))
    worst = EXIT_OK
    runs = [([root], env) for root, envs in sorted(found.blueprints.items()) for env in envs]
    runs += [([f], DEFAULT_ENVIRONMENT) for f in found.files]
    for paths, env in runs:
        State.config = None  # each blueprint gets the configuration nearest to it
        workspace = load(tuple(paths), env, None)
        problems = check(workspace)
        code = exit_code(problems)
        if (problems and State.verbosity >= 0) or code:
            click.echo(f"== {paths[0]} (environment {env!r})")
            report_diagnostics(problems, "text", quiet_ok=True)
        worst = max(worst, code)
    if worst == EXIT_OK and State.verbosity >= 0:
        click.echo(f"ok: {len(found.blueprints)} blueprint(s), {len(found.files)} file(s)", err=True)
    sys.exit(worst)


@hook.command("destructive")
@click.argument("files", nargs=-1, type=PathParam(path_type=Path))
@click.option("--base", default="HEAD", show_default=True, help="The revision to compare with.")
@click.option("--allow-replace", is_flag=True, help="Report replacements and destructions but do not fail.")
def hook_destructive(files: tuple[Path, ...], base: str, allow_replace: bool) -> None:
    """Fail (exit 3) when the change to a blueprint since BASE replaces or destroys a resource, in any of its
    environments. Without FILES, the files staged in git (deletions included)."""
    import subprocess

    from ..changed import targets
    from ..diff import DiffError, GitError, compare_with_git, report

    if not files:
        listed = subprocess.run(["git", "diff", "--cached", "--name-only", "--no-renames", base],
                                capture_output=True, text=True)
        if listed.returncode != 0:  # no commit yet (or not a repository): nothing to compare with
            click.echo(f"skipped: no revision {base!r} to compare with", err=True)
            return
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True).stdout.strip()
        files = tuple(Path(os.path.relpath(Path(top) / line, Path.cwd()))
                      for line in listed.stdout.splitlines() if line)
    found = targets(list(files))
    destructive = False
    runs = [(root, env) for root, envs in sorted(found.blueprints.items()) for env in envs]
    runs += [(f, DEFAULT_ENVIRONMENT) for f in found.files]
    for path, env in runs:
        try:
            result = compare_with_git(path, base, env, None)
        except (GitError, DiffError) as exc:
            click.echo(f"error: {path}: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        if result.destructive:
            destructive = True
            click.echo(f"== {path} (environment {env!r}) since {base}")
            click.echo(report([d for d in result.diffs if d.destroys_data], result.environment, "text"))
    if destructive and not allow_replace:
        click.echo("a change replaces or destroys a resource (its data is lost); if that is intended, commit with "
                   "SKIP=facets-dynamo-destructive", err=True)
        sys.exit(EXIT_REPLACE)
