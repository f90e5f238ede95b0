"""import and drift: existing cloud resources brought under a blueprint, and compared with it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..environment import DEFAULT_ENVIRONMENT
from .base import EXIT_DRIFT, EXIT_INVALID, EXIT_OK, EXIT_USAGE, UNREADABLE, PathParam, State, cli, paths_argument
from .loading import check, load, problem, sorted_diagnostics
from .reporting import exit_code, report_diagnostics

if TYPE_CHECKING:
    from ..blueprint import Workspace
    from ..diagnostics import Diagnostics


@cli.command("import")
@click.argument("name")
@click.argument("describe_files", nargs=-1, type=PathParam(path_type=Path))
@click.option("--live", "cloud_name", metavar="CLOUD_NAME",
              help="Read the resource from the cloud (standard credential chain; AWS_ENDPOINT_URL honoured) "
              "instead of saved describe outputs.")
@click.option("--flavor", "wanted", metavar="KIND/FLAVOR/VERSION", help="Needed when several flavors are installed.")
@click.option("--blueprint", type=PathParam(file_okay=False, path_type=Path),
              help="Write BLUEPRINT/<kind>/instances/NAME.json (else ./NAME.json); its environments are used.")
@click.option("--env", "env", default=DEFAULT_ENVIRONMENT, show_default=True,
              help="The environment the resource lives in (its region, cloud tags, name suffix).")
@click.option("--env-file", type=PathParam(path_type=Path, dir_okay=False), help="Environment file to use.")
def import_(name: str, describe_files: tuple[Path, ...], cloud_name: str | None, wanted: str | None,
            blueprint: Path | None, env: str, env_file: Path | None) -> None:
    """Write spec NAME that reproduces an existing resource, from DESCRIBE_FILES (the cloud CLI's JSON
    descriptions of it, saved to files; which ones the flavor reads is in its rule pages and the README) or
    --live. Never overwrites a file; what the flavor cannot express is an error and nothing is written (exit 1)."""
    from ..adoption import adopt, fetch_live, read_documents, write_spec
    from ..api import resource_from_dict, workspace
    from ..tui.scaffold import ScaffoldError, pick_flavor, target_path

    if bool(describe_files) == bool(cloud_name):
        raise click.UsageError("give the saved describe outputs (DESCRIBE_FILES) or --live CLOUD_NAME, one of them")
    try:
        flavor = pick_flavor(wanted)
        path = target_path(name, flavor.kind, directory=Path.cwd(), blueprint=blueprint)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    if path.exists() or path.is_symlink():
        click.echo(f"error: {path} exists already; not overwriting it (pick another name)", err=True)
        sys.exit(EXIT_USAGE)
    environment, problems = _environment(blueprint, env, env_file)
    if environment is None:
        report_diagnostics(problems, "text")
        sys.exit(EXIT_USAGE)
    if cloud_name:
        documents, more, missing = fetch_live(flavor, cloud_name, environment)
        if missing:
            more = [*more, problem("<cloud>", "FD604", f"{cloud_name!r} does not exist in {environment.region}")]
    else:
        documents, more = read_documents(list(describe_files))
    found = sorted_diagnostics([*problems, *more])
    if documents is None or not found.ok:
        report_diagnostics(found, "text")
        click.echo("nothing written", err=True)
        sys.exit(EXIT_USAGE if any(d.code in UNREADABLE for d in found) else EXIT_INVALID)
    adopted = adopt(flavor, documents, name, environment)
    found = sorted_diagnostics(adopted.diagnostics)
    if adopted.document is not None:  # what a spec file holding it would get from validate
        from ..validation import validate_workspace

        checked = validate_workspace(workspace(resource_from_dict(adopted.document, name=name, file=str(path)),
                                               environment))
        found = sorted_diagnostics([*found, *checked])
    if adopted.document is None or not found.ok:
        report_diagnostics(found, "text")
        click.echo(f"nothing written: {path} would not reproduce the resource", err=True)
        sys.exit(EXIT_INVALID)
    try:
        write_spec(path, adopted.document)
    except FileExistsError:
        click.echo(f"error: {path} appeared meanwhile; not overwriting it", err=True)
        sys.exit(EXIT_USAGE)
    except OSError as exc:
        click.echo(f"error: cannot write {path}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_INVALID)
    report_diagnostics(found, "text", quiet_ok=True)
    click.echo(f"wrote {path} ({flavor.key}, environment {environment.name!r}); synth adds Terraform import blocks "
               "while it is marked as adopted")


@cli.command()
@paths_argument
@click.option("--saved", type=PathParam(file_okay=False, exists=True, path_type=Path),
              help="Compare with saved describe outputs in SAVED/<cloud name>/*.json instead of the live cloud.")
def drift(paths: tuple[Path, ...], env: str, env_file: Path | None, fmt: str, fail_on: str | None,
          saved: Path | None) -> None:
    """Compare the blueprint's resources for an environment with what is live (or --saved): each difference with
    what applying the blueprint would do, as `diff` says it. Exit 0 in sync, 4 drift found (a resource missing
    in the cloud included), 1 when a resource could not be compared."""
    from ..adoption import DRIFTED, MISSING, UNKNOWN
    from ..adoption import drift as find_drift

    State.fail_on = fail_on
    workspace = load(paths, env, env_file)
    found = check(workspace)
    if not found.ok:
        report_diagnostics(found, fmt)
        click.echo("cannot compare: fix the errors above", err=True)
        sys.exit(exit_code(found))
    results = find_drift(workspace, saved=saved)
    if fmt in ("sarif", "github"):  # each drifted or missing resource a finding at its file, for code scanning
        report_diagnostics(sorted_diagnostics([*found, *_drift_findings(results, workspace)]), fmt, quiet_ok=True)
    elif fmt == "json":
        click.echo(json.dumps({"environment": workspace.environment.name,
                               "drifted": sum(r.status in (DRIFTED, MISSING) for r in results),
                               "resources": [r.to_dict() for r in results]}, indent=2, ensure_ascii=False))
    else:
        for r in results:
            click.echo(r.format_text())
        drifted = [r.address for r in results if r.status in (DRIFTED, MISSING)]
        click.echo(f"{len(drifted)} of {len(results)} resource(s) drifted (environment {workspace.environment.name!r})"
                   + (f": {', '.join(drifted)}" if drifted else ""))
    if any(r.status == UNKNOWN for r in results):
        sys.exit(EXIT_INVALID)
    sys.exit(EXIT_DRIFT if any(r.status in (DRIFTED, MISSING) for r in results) else EXIT_OK)


def _environment(blueprint: Path | None, env: str, env_file: Path | None) -> tuple[Any, Diagnostics]:
    """The environment a resource is imported into: the blueprint's files for it, else ``env`` with defaults."""
    if blueprint is not None and blueprint.is_dir():
        ws = load((blueprint,), env, env_file)
        env_problems = [d for d in ws.diagnostics if "environment" in Path(d.file).name]
        bad = [d for d in env_problems if d.is_error]
        return (None if bad else ws.environment), sorted_diagnostics(env_problems)
    from ..environment import Environment, load_environment

    if env_file is not None:
        found, problems = load_environment(env_file, env)
        return found, sorted_diagnostics(problems)
    return Environment(env), sorted_diagnostics([])


def _drift_findings(results: list[Any], workspace: Workspace) -> list[Any]:
    """Drift as diagnostics at each resource's file: FD960 drifted, FD961 missing in the cloud, and the problem
    of a resource that could not be compared."""
    from ..diagnostics import Diagnostic, Severity

    files = {r.address: r.file for r in workspace.resources}
    out: list[Any] = []
    for d in results:
        file = files.get(d.address, "")
        if d.status == "drifted" and d.diff is not None:
            changes = ", ".join(c.path for c in d.diff.changes[:5]) + (" ..." if len(d.diff.changes) > 5 else "")
            out.append(Diagnostic(file, 1, 1, "", Severity.WARNING, "FD960", f"{d.address} ({d.cloud_name}) "
                                  f"drifted; applying the blueprint is {d.diff.effect}: {changes}"))
        elif d.status == "missing":
            out.append(Diagnostic(file, 1, 1, "", Severity.WARNING, "FD961", f"{d.address} ({d.cloud_name}) is "
                                  "not in the cloud: applying the blueprint creates it"))
        out += d.diagnostics
    return out
