"""validate, synth, graph and diff: the commands pipelines run on every change."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..environment import DEFAULT_ENVIRONMENT
from .base import EXIT_INVALID, EXIT_OK, EXIT_REPLACE, EXIT_USAGE, PathParam, State, cli, paths_argument
from .loading import check, configured, load, status, stderr_console
from .reporting import exit_code, report_diagnostics

if TYPE_CHECKING:
    from ..blueprint import Workspace


@cli.command()
@paths_argument
def validate(paths: tuple[Path, ...], env: str, env_file: Path | None, fmt: str, fail_on: str | None) -> None:
    """Check resource files and blueprint folders (never starts Node)."""
    State.fail_on = fail_on
    workspace = load(paths, env, env_file)
    found = check(workspace)
    report_diagnostics(found, fmt, ok_message=f"{len(workspace.resources)} resource(s) valid for environment "
                       f"{workspace.environment.name!r}")
    sys.exit(exit_code(found))


@cli.command()
@paths_argument
@click.option("--out", "out", default="cdktf.out", show_default=True, type=PathParam(path_type=Path),
              help="Output folder; replaced as a whole, only when everything is valid, and only if it is "
              "empty or exactly an earlier facets-dynamo output (its .facets-dynamo-output.json lists every "
              "file in it). Anything else, a symlink or a missing parent folder is refused (exit 2).")
def synth(paths: tuple[Path, ...], env: str, env_file: Path | None, fmt: str, fail_on: str | None,
          out: Path) -> None:
    """Validate, then write OUT/manifest.json and OUT/stacks/<name>/cdk.tf.json."""
    from ..output import OutRefused
    from ..synthesis import SynthError, synthesize_workspace

    State.fail_on = fail_on
    _check_out(out)
    workspace = load(paths, env, env_file)
    found = check(workspace)
    if exit_code(found) != EXIT_OK:
        report_diagnostics(found, fmt)
        click.echo(f"nothing written: fix the errors above ({out} left as it was)", err=True)
        sys.exit(exit_code(found))
    with _synth_progress(workspace) as progress:
        try:
            result = synthesize_workspace(workspace, validate=False, progress=progress)
        except SynthError as exc:
            report_diagnostics(exc.diagnostics, fmt)
            click.echo(f"nothing written ({out} left as it was)", err=True)
            sys.exit(EXIT_INVALID)
    try:
        result.write(out)
    except OutRefused as exc:
        click.echo(f"error: --out {exc}; nothing written", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        click.echo(f"error: cannot write {out}: {exc.strerror or exc}; previous output left as it was", err=True)
        sys.exit(EXIT_INVALID)
    report_diagnostics(found, fmt, quiet_ok=True)
    skipped = [r for r in workspace.resources if r.disabled or r.provided]
    if fmt == "sarif":  # stdout holds the SARIF log; the summary goes to stderr
        click.echo(f"wrote {out}/manifest.json ({result.engine}, environment {result.environment!r})", err=True)
        return
    if fmt == "json":
        from ..synthesis import apply_graph

        click.echo(json.dumps({"out": str(out), "environment": result.environment, "engine": result.engine,
                               "stacks": sorted(result.stacks),
                               "skipped": sorted(r.name for r in skipped),
                               "apply_order": apply_graph(workspace).order}, indent=2))
        return
    click.echo(f"wrote {out}/manifest.json ({result.engine}, environment {result.environment!r})")
    if workspace.environment.backend.type != "local":
        click.echo(f"  state: {_state_summary(workspace)}")
    for name, stack in result.stacks.items():
        resources = stack.get("resource", {})
        counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(resources.items()))
        click.echo(f"  {out}/stacks/{name}/cdk.tf.json: {counts}; outputs: "
                   f"{', '.join(sorted(stack.get('output', {})))}")
    for r in skipped:
        click.echo(f"  skipped {r.address}: {'disabled' if r.disabled else 'provided (exists already)'}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathParam(path_type=Path))
@click.option("--env", "env", default=DEFAULT_ENVIRONMENT, show_default=True,
              help="Environment: its overrides decide which resources are stacks; its backend the state keys.")
@click.option("--env-file", type=PathParam(path_type=Path, dir_okay=False),
              help="Environment file; default <blueprint>/<env>/environment.json (over <blueprint>/environment.json).")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "json"]), default="mermaid", show_default=True,
              help="mermaid or dot (Graphviz) to draw; json for pipelines: apply order, each stack's folder and "
              "state.")
def graph(paths: tuple[Path, ...], env: str, env_file: Path | None, fmt: str) -> None:
    """Resources, references and the apply order (dependencies first) of a blueprint for an environment.

    Validates first (never starts Node): with errors it prints the problems (with --format json as the
    diagnostics list) instead of a graph and exits 1; warnings go to stderr.

    An arrow goes from a stack to a stack it references (it reads that one's state: apply that one first);
    stacks are numbered in apply order. json adds each stack's wave (stacks of one wave can be applied at
    once), folder under --out and state location, for a pipeline to run one job per stack.
    """
    from ..synthesis import apply_graph

    workspace = load(paths, env, env_file)
    found = check(workspace)
    if not found.ok:
        report_diagnostics(found, "json" if fmt == "json" else "text")
        click.echo("no graph: fix the errors above", err=True)
        sys.exit(exit_code(found))
    for d in found:  # warnings: to stderr, out of the graph
        click.echo(d.format_text(), err=True)
    drawn = apply_graph(workspace)
    if fmt == "json":
        click.echo(json.dumps(drawn.to_json(), indent=2))
    else:
        click.echo(drawn.to_mermaid() if fmt == "mermaid" else drawn.to_dot(), nl=False)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=PathParam(path_type=Path))
@click.option("--base", "base", metavar="REV",
              help="Compare PATH (a file or blueprint folder) at git revision REV with the working tree.")
@click.option("--env", "env", default=DEFAULT_ENVIRONMENT, show_default=True,
              help="Environment: applies <blueprint>/<env>/ overrides and sets the name suffix of what it creates.")
@click.option("--env-file", type=PathParam(exists=True, path_type=Path, dir_okay=False),
              help="Environment file (name, region, cloud_tags); default <blueprint>/<env>/environment.json.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True,
              help="sarif: problems and every replacement or destruction (FD950 / FD951) as SARIF 2.1.0.")
@click.option("--all", "show_all", is_flag=True, help="Also list unchanged resources (text format).")
def diff(paths: tuple[Path, ...], base: str | None, env: str, env_file: Path | None, fmt: str,
         show_all: bool) -> None:
    """Changes between OLD and NEW (files or blueprint folders), or PATH at --base REV and now.

    Exit 0 when nothing is replaced or destroyed, 3 when a change would replace or destroy a resource
    (as its flavor's plugin plans it; removing, disabling or providing a managed resource always does),
    1 for invalid input or a failing plugin, 2 for usage errors.
    """
    from ..diagnostics import Diagnostics
    from ..diff import DiffError, GitError, compare_paths, compare_with_git, report

    if base is not None and not base.strip():
        raise click.UsageError("--base needs a git revision (a branch, tag or commit), not an empty string")
    if base is not None and base.startswith("-"):
        raise click.UsageError(f"--base {base[:80]!r} is not a git revision (it starts with '-')")
    if base is not None and len(paths) != 1:
        raise click.UsageError("with --base give exactly one PATH (a file or blueprint folder)")
    if base is None and len(paths) != 2:
        raise click.UsageError("give OLD and NEW (two files or two blueprint folders), or one PATH with --base")
    missing = [str(p) for p in paths if not p.exists() and (base is None or not p.parent.exists())]
    if missing:
        raise click.BadParameter(f"{', '.join(missing)} does not exist", param_hint="PATHS")
    if base is None and paths[0].is_dir() != paths[1].is_dir():
        raise click.UsageError("OLD and NEW must both be files or both be blueprint folders")
    try:
        result = compare_with_git(paths[0], base, env, env_file) if base else compare_paths(*paths, env, env_file)
    except GitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except DiffError as exc:
        click.echo(f"<plugin>: error FD900: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    found = configured(Diagnostics(result.diagnostics).sorted(), paths[-1], result.environment, {})
    if fmt == "sarif":
        report_diagnostics(Diagnostics([*found, *_diff_findings(result.diffs)]), "sarif")
        if found.errors:
            sys.exit(exit_code(found))
        sys.exit(EXIT_REPLACE if result.destructive else EXIT_OK)
    if found.errors:
        report_diagnostics(found, "json" if fmt == "json" else "text")
        click.echo("cannot compare: fix the errors above", err=True)
        sys.exit(exit_code(found))
    for d in found:  # warnings (e.g. unknown environment fields) go to stderr, out of the diff
        click.echo(d.format_text(), err=True)
    click.echo(report(result.diffs, result.environment, fmt, show_unchanged=show_all))
    sys.exit(EXIT_REPLACE if result.destructive else EXIT_OK)


_TEMP_SUFFIX = len(".new-4194304-") + 8 + 1  # write_tree's sibling ".<name>.new-<pid>-<random>"


def _check_out(out: Path) -> None:
    """Usage errors of ``--out`` found before any work: a name that is not UTF-8, one too long for the file
    system once write_tree adds its temp suffix, an existing file that is not a folder."""
    raw = os.fsencode(out)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise click.BadParameter(f"{os.fsdecode(raw)!r} is not valid UTF-8", param_hint="'--out'") from None
    parent = out.absolute().parent
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX") if parent.is_dir() else 255
    except (OSError, ValueError):
        name_max = 255
    longest = max((len(os.fsencode(part)) for part in out.parts), default=0)
    if longest + (_TEMP_SUFFIX if os.fsencode(out.name) and len(os.fsencode(out.name)) == longest else 0) > name_max:
        raise click.BadParameter(f"a folder name of {longest} bytes is too long here (at most "
                                 f"{name_max - _TEMP_SUFFIX} for the output folder)", param_hint="'--out'")
    if (out.exists() or out.is_symlink()) and not out.is_dir() and not out.is_symlink():
        raise click.BadParameter(f"{out} exists and is not a folder", param_hint="'--out'")


def _state_summary(workspace: Workspace) -> str:
    """Where the stacks keep their state, with ``{stack}`` left in: ``s3://bucket/facets/prod/{stack}.tfstate``."""
    env = workspace.environment
    state = env.backend.state("{stack}", env.name)
    if state["backend"] == "s3":
        prefix = f" (workspace_key_prefix {state['workspace_key_prefix']})" if "workspace_key_prefix" in state else ""
        return f"s3://{state['bucket']}/{state['key']} in {state['region']}{prefix}"
    where = state["workspace"] or "a workspace tagged " + ", ".join(state["tags"])
    return f"HCP Terraform {state['hostname']}, organization {state['organization']}, {where}"


def _diff_findings(diffs: list[Any]) -> list[Any]:
    """A replacement or destruction planned by ``diff`` as a warning at the resource's file (for SARIF)."""
    from ..diagnostics import Diagnostic, Severity

    out = []
    for d in diffs:
        if d.destroys_data:
            code = "FD950" if d.replaces else "FD951"
            verdict = "replaces" if d.replaces else "destroys"
            out.append(Diagnostic(d.new_file or d.old_file or "", 1 if (d.new_file or d.old_file) else 0, 1 if
                                  (d.new_file or d.old_file) else 0, "", Severity.WARNING, code,
                                  f"{d.address} ({d.old_name or d.new_name or d.address}): {verdict}: "
                                  + "; ".join(d.reasons or ["data is lost"])))
    return out


@contextmanager
def _synth_progress(workspace: Workspace) -> Iterator[Callable[[Any], None] | None]:
    """A bar counting stacks on a terminal (a spinner for small runs); nothing at all when piped."""
    count = sum(1 for r in workspace.resources if not r.disabled and not r.provided)
    if not sys.stderr.isatty():
        yield None
        return
    if count < 20:
        with status(f"synthesizing {count} resource(s)"):
            yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=stderr_console()) as bar:
        task = bar.add_task("building stacks", total=count)

        def advance(_resource: Any) -> None:
            bar.advance(task)
            if bar.tasks[0].completed >= count:  # the engine now renders every stack at once
                bar.update(task, description="writing stacks")

        yield advance
