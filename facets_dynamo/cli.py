"""The ``facets-dynamo`` command line, for pipelines first: stable exit codes, machine formats.

Exit codes: 0 valid / written, 1 the input has errors (nothing written), 2 usage error or unreadable
input, 3 a change would replace or destroy a resource (``diff``), 130 interrupted. No traceback ever reaches the user
unless ``FACETS_DYNAMO_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .environment import DEFAULT_ENVIRONMENT

if TYPE_CHECKING:
    from .blueprint import Workspace
    from .diagnostics import Diagnostics

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_REPLACE, EXIT_DRIFT, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
UNREADABLE = {"FD101", "FD102", "FD109"}
FORMATS = click.Choice(["text", "json", "github", "sarif"])


class _State:
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


def _env_option_problem(env: str) -> str | None:
    from .blueprint import _folder_name_problem

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
    _State.verbosity = -1 if quiet else 1 if verbose else 0
    _State.fail_on = None
    _State.config = None


@cli.command()
@paths_argument
def validate(paths: tuple[Path, ...], env: str, env_file: Path | None, fmt: str, fail_on: str | None) -> None:
    """Check resource files and blueprint folders (never starts Node)."""
    _State.fail_on = fail_on
    workspace = _load(paths, env, env_file)
    found = _validate(workspace)
    _report(found, fmt, ok_message=f"{len(workspace.resources)} resource(s) valid for environment "
            f"{workspace.environment.name!r}")
    sys.exit(_exit_code(found))


@cli.command()
@paths_argument
@click.option("--out", "out", default="cdktf.out", show_default=True, type=PathParam(path_type=Path),
              help="Output folder; replaced as a whole, only when everything is valid, and only if it is "
              "empty or exactly an earlier facets-dynamo output (its .facets-dynamo-output.json lists every "
              "file in it). Anything else, a symlink or a missing parent folder is refused (exit 2).")
def synth(paths: tuple[Path, ...], env: str, env_file: Path | None, fmt: str, fail_on: str | None,
          out: Path) -> None:
    """Validate, then write OUT/manifest.json and OUT/stacks/<name>/cdk.tf.json."""
    from .output import OutRefused
    from .synthesis import SynthError, synthesize_workspace

    _State.fail_on = fail_on
    _check_out(out)
    workspace = _load(paths, env, env_file)
    found = _validate(workspace)
    if _exit_code(found) != EXIT_OK:
        _report(found, fmt)
        click.echo(f"nothing written: fix the errors above ({out} left as it was)", err=True)
        sys.exit(_exit_code(found))
    with _synth_progress(workspace) as progress:
        try:
            result = synthesize_workspace(workspace, validate=False, progress=progress)
        except SynthError as exc:
            _report(exc.diagnostics, fmt)
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
    _report(found, fmt, quiet_ok=True)
    skipped = [r for r in workspace.resources if r.disabled or r.provided]
    if fmt == "sarif":  # stdout holds the SARIF log; the summary goes to stderr
        click.echo(f"wrote {out}/manifest.json ({result.engine}, environment {result.environment!r})", err=True)
        return
    if fmt == "json":
        from .synthesis import apply_graph

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
    from .synthesis import apply_graph

    workspace = _load(paths, env, env_file)
    found = _validate(workspace)
    if not found.ok:
        _report(found, "json" if fmt == "json" else "text")
        click.echo("no graph: fix the errors above", err=True)
        sys.exit(_exit_code(found))
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
    from .diagnostics import Diagnostics
    from .diff import DiffError, GitError, compare_paths, compare_with_git, report

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
    found = _configured(Diagnostics(result.diagnostics).sorted(), paths[-1], result.environment, {})
    if fmt == "sarif":
        _report(Diagnostics([*found, *_diff_findings(result.diffs)]), "sarif")
        if found.errors:
            sys.exit(_exit_code(found))
        sys.exit(EXIT_REPLACE if result.destructive else EXIT_OK)
    if found.errors:
        _report(found, "json" if fmt == "json" else "text")
        click.echo("cannot compare: fix the errors above", err=True)
        sys.exit(_exit_code(found))
    for d in found:  # warnings (e.g. unknown environment fields) go to stderr, out of the diff
        click.echo(d.format_text(), err=True)
    click.echo(report(result.diffs, result.environment, fmt, show_unchanged=show_all))
    sys.exit(EXIT_REPLACE if result.destructive else EXIT_OK)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def plugins(fmt: str) -> None:
    """List plugins and the flavors they serve."""
    from .host import default_host

    host = default_host()
    rows = [{"name": p.name, "source": p.source, "flavors": [str(f.key) for f in p.flavors],
             "blocked": p.blocked, "error": p.error} for p in host.plugins.values()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = " [blocked]" if row["blocked"] else f" [BROKEN: {row['error']}]" if row["error"] else ""
        click.echo(f"{row['name']}{state}  ({row['source']})")
        for flavor in row["flavors"]:
            click.echo(f"  {flavor}")


@cli.group()
def hook() -> None:
    """Checks for git hooks (pre-commit): given changed files, check the blueprints they belong to."""


@hook.command("validate")
@click.argument("files", nargs=-1, type=PathParam(path_type=Path))
@click.option("--fail-on", "fail_on", type=click.Choice(["error", "warning"]), default=None)
def hook_validate(files: tuple[Path, ...], fail_on: str | None) -> None:
    """Validate every blueprint a changed FILE belongs to, for each of its environments, and loose resource files."""
    from .changed import targets

    _State.fail_on = fail_on
    found = targets(list(files))
    worst = EXIT_OK
    runs = [([root], env) for root, envs in sorted(found.blueprints.items()) for env in envs]
    runs += [([f], DEFAULT_ENVIRONMENT) for f in found.files]
    for paths, env in runs:
        _State.config = None  # each blueprint gets the configuration nearest to it
        workspace = _load(tuple(paths), env, None)
        problems = _validate(workspace)
        code = _exit_code(problems)
        if (problems and _State.verbosity >= 0) or code:
            click.echo(f"== {paths[0]} (environment {env!r})")
            _report(problems, "text", quiet_ok=True)
        worst = max(worst, code)
    if worst == EXIT_OK and _State.verbosity >= 0:
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

    from .changed import targets
    from .diff import DiffError, GitError, compare_with_git, report

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


@cli.command()
@click.option("--markdown", is_flag=True, help="The whole of docs/rules.md (facets-dynamo rules --markdown > "
              "docs/rules.md).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(markdown: bool, fmt: str) -> None:
    """List every diagnostic code: the host's and each installed plugin's (their rules hook)."""
    from .rulebook import collect

    book = collect()
    for problem in book.problems:
        click.echo(f"warning: {problem}", err=True)
    if markdown:
        click.echo(book.markdown(), nl=False)
    elif fmt == "json":
        click.echo(json.dumps([{"code": r.code, "title": r.title, "summary": r.summary, "why": r.why,
                                "default_severity": str(r.default_severity), "enabled_by_default": r.enabled_by_default,
                                "checkov": r.checkov, "trivy": r.trivy, "plugin": r.plugin, "help_uri": r.help_uri()}
                               for r in sorted(book.rules.values(), key=lambda r: r.code)], indent=2))
    else:
        for r in sorted(book.rules.values(), key=lambda r: r.code):
            click.echo(f"{r.code}  {r.default_severity:<7}  {r.title}  ({r.plugin})")


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Print what CODE checks, why, an invalid and a fixed example (the section of docs/rules.md)."""
    from .rulebook import collect

    book = collect()
    rule = book.get(code.strip().upper())
    if rule is None:
        nearest = book.nearest(code.strip())
        hint = f"; did you mean {', '.join(nearest)}?" if nearest else "; `facets-dynamo rules` lists them all"
        raise click.UsageError(f"unknown code {code!r}{hint}")
    click.echo(rule.markdown(level=1), nl=False)


@cli.command()
@click.argument("kind", required=False)
@click.argument("flavor", required=False)
@click.argument("version", required=False)
@click.option("--vscode", "vscode", is_flag=True, help="Write each installed flavor's schema to "
              ".facets-dynamo/schemas/ and map blueprint files to it in .vscode/settings.json (json.schemas), "
              "keeping your other settings.")
@click.option("--blueprint", default=".", show_default=True, type=PathParam(file_okay=False, path_type=Path),
              help="With --vscode: the blueprint folder (the workspace's root is the current folder).")
def schema(kind: str | None, flavor: str | None, version: str | None, vscode: bool, blueprint: Path) -> None:
    """Print the JSON Schema of KIND/FLAVOR/VERSION, or set up VS Code (--vscode)."""
    from . import api

    if vscode:
        from .editors import write_vscode_settings

        try:
            for line in write_vscode_settings(Path.cwd(), blueprint):
                click.echo(line)
        except ValueError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        return
    if not (kind and flavor and version):
        raise click.UsageError("give KIND FLAVOR VERSION (e.g. dynamodb default 0.2), or --vscode")
    try:
        click.echo(json.dumps(api.schema(kind, flavor, version), indent=2))
    except KeyError as exc:
        click.echo(f"error: {exc.args[0]}", err=True)
        sys.exit(EXIT_USAGE)


@cli.command()
@click.argument("path", type=PathParam(path_type=Path))
@click.option("--env", "env", default=None,
              help="Environment whose overrides the preview and the problems use (switchable in the app); "
                   "default: the blueprint's first environment, else 'default'.")
@click.option("--serve", is_flag=True, help="Serve the editor to a web browser (textual-serve) instead.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="With --serve: address to listen on. Anything but loopback serves the editor to the network.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="With --serve: port to listen on.")
@click.option("--token", envvar="FACETS_DYNAMO_SERVE_TOKEN", default=None, show_envvar=True,
              help="With --serve: the secret the browser must present (default: a new random one per launch).")
@click.option("--sessions", "max_sessions", default=1, show_default=True, type=click.IntRange(1, 64),
              help="With --serve: how many browser sessions may be open at once.")
def edit(path: Path, env: str | None, serve: bool, host: str, port: int, token: str | None, max_sessions: int) -> None:
    """Edit a resource file or a blueprint folder: form + JSON, live problems, Terraform preview and diff."""
    try:
        from .tui.session import Session, SessionError
    except ImportError as exc:  # pragma: no cover - the tui extra is missing
        click.echo(f"error: the editor needs the 'tui' extra (pip install 'facets-dynamo[tui]'): {exc}", err=True)
        sys.exit(EXIT_USAGE)
    problem = _env_option_problem(env) if env is not None else None  # None: the blueprint's first environment
    if problem and env is not None:
        click.echo(f"error: --env {env[:80]!r} {problem}", err=True)
        sys.exit(EXIT_USAGE)
    if serve:
        from .tui import serve as served

        if token is None and served.TOKEN_ENV in os.environ:  # click reads an empty variable as unset
            click.echo(f"error: {served.TOKEN_ENV} is set but empty; unset it for a random token", err=True)
            sys.exit(EXIT_USAGE)
        try:
            token = served.check_token(token) if token is not None else served.new_token()
        except served.ServeError as exc:
            click.echo(f"error: --token / {served.TOKEN_ENV}: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        if not host.strip():
            click.echo("error: --host is empty", err=True)
            sys.exit(EXIT_USAGE)
    try:
        Session(path, env)  # fail fast, with a message, before taking over the terminal
    except SessionError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if serve:
        import shlex

        # exec: the app's parent is then the server itself, so the app can end when the server is gone
        command = "exec " + shlex.join([sys.executable, "-m", "facets_dynamo.tui", str(path.resolve()),
                                        *(["--env", env] if env else [])])
        if not served.is_loopback(host):
            click.echo(f"warning: serving on {host}, not loopback: anyone who can reach this address and has the "
                       "token can read the blueprint and write its files", err=True)
        server = served.make_server(command, host=host, port=port, token=token, max_sessions=max_sessions,
                                    title=f"facets-dynamo edit {path.name}")
        click.echo(f"serving the editor for {path}; open (Ctrl+C stops):\n  "
                   f"{served.browser_url(host, port, token)}", err=True)
        try:
            server.serve()
        except OSError as exc:
            click.echo(f"error: cannot serve on {host}:{port}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        click.echo("error: edit needs an interactive terminal (or use --serve for a browser)", err=True)
        sys.exit(EXIT_USAGE)
    from .tui.app import EditorApp

    EditorApp(path, env).run()


@cli.command()
@click.argument("name")
@click.option("--blueprint", type=PathParam(file_okay=False, path_type=Path),
              help="Write into BLUEPRINT/<kind>/instances/NAME.json instead of ./NAME.json.")
@click.option("--flavor", "wanted", metavar="KIND/FLAVOR/VERSION",
              help="The flavor to start from (e.g. dynamodb/default/0.2); needed when several are installed.")
@click.option("--edit/--no-edit", "open_editor", default=None,
              help="Open the editor on the new file (default: only on an interactive terminal).")
def new(name: str, blueprint: Path | None, wanted: str | None, open_editor: bool | None) -> None:
    """Start resource NAME from its flavor's sample; never overwrites an existing file."""
    from .tui.scaffold import ScaffoldError, create_resource, pick_flavor, sample_document, target_path

    given = Path(name)
    try:
        target_path(given.name, "", directory=given.parent)  # a bad NAME is said first, whatever the flavor
        flavor = pick_flavor(wanted)
        path = target_path(given.name, flavor.kind, directory=given.parent, blueprint=blueprint)
        if blueprint is not None and given.parent != Path("."):
            raise ScaffoldError("with --blueprint give a plain NAME, not a path")
        create_resource(path, sample_document(flavor))
    except ScaffoldError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"created {path} from the {flavor.key} sample")
    if open_editor is None:
        open_editor = sys.stdin.isatty() and sys.stdout.isatty()
    if open_editor:
        from .tui.app import EditorApp

        EditorApp(path).run()


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
    """Write spec NAME that reproduces an existing resource, from DESCRIBE_FILES (e.g. the JSON of `aws dynamodb
    describe-table`, describe-time-to-live, describe-continuous-backups, list-tags-of-resource, application-
    autoscaling describe-scalable-targets/describe-scaling-policies) or --live. Never overwrites a file;
    what the flavor cannot express is an error and nothing is written (exit 1)."""
    from .adoption import adopt, fetch_live, read_documents, write_spec
    from .api import resource_from_dict, workspace
    from .tui.scaffold import ScaffoldError, pick_flavor, target_path

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
        _report(problems, "text")
        sys.exit(EXIT_USAGE)
    if cloud_name:
        documents, more, missing = fetch_live(flavor, cloud_name, environment)
        if missing:
            more = [*more, _problem("<cloud>", "FD604", f"{cloud_name!r} does not exist in {environment.region}")]
    else:
        documents, more = read_documents(list(describe_files))
    found = _diagnostics([*problems, *more])
    if documents is None or not found.ok:
        _report(found, "text")
        click.echo("nothing written", err=True)
        sys.exit(EXIT_USAGE if any(d.code in UNREADABLE for d in found) else EXIT_INVALID)
    adopted = adopt(flavor, documents, name, environment)
    found = _diagnostics(adopted.diagnostics)
    if adopted.document is not None:  # what a spec file holding it would get from validate
        from .validation import validate_workspace

        checked = validate_workspace(workspace(resource_from_dict(adopted.document, name=name, file=str(path)),
                                               environment))
        found = _diagnostics([*found, *checked])
    if adopted.document is None or not found.ok:
        _report(found, "text")
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
    _report(found, "text", quiet_ok=True)
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
    from .adoption import DRIFTED, MISSING, UNKNOWN
    from .adoption import drift as find_drift

    _State.fail_on = fail_on
    workspace = _load(paths, env, env_file)
    found = _validate(workspace)
    if not found.ok:
        _report(found, fmt)
        click.echo("cannot compare: fix the errors above", err=True)
        sys.exit(_exit_code(found))
    results = find_drift(workspace, saved=saved)
    if fmt in ("sarif", "github"):  # each drifted or missing resource a finding at its file, for code scanning
        _report(_diagnostics([*found, *_drift_findings(results, workspace)]), fmt, quiet_ok=True)
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


# -- helpers ---------------------------------------------------------------------------------------

def _problem(file: str, code: str, message: str) -> Any:
    from .diagnostics import Diagnostic, Severity

    return Diagnostic(file, 0, 0, "", Severity.ERROR, code, message)


def _diagnostics(items: Any) -> Diagnostics:
    from .diagnostics import Diagnostics

    return Diagnostics(list(items)).sorted()


def _environment(blueprint: Path | None, env: str, env_file: Path | None) -> tuple[Any, Diagnostics]:
    """The environment a resource is imported into: the blueprint's files for it, else ``env`` with defaults."""
    if blueprint is not None and blueprint.is_dir():
        ws = _load((blueprint,), env, env_file)
        env_problems = [d for d in ws.diagnostics if "environment" in Path(d.file).name]
        bad = [d for d in env_problems if d.is_error]
        return (None if bad else ws.environment), _diagnostics(env_problems)
    from .environment import Environment, load_environment

    if env_file is not None:
        found, problems = load_environment(env_file, env)
        return found, _diagnostics(problems)
    return Environment(env), _diagnostics([])


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


def _load(paths: tuple[Path, ...], env: str, env_file: Path | None) -> Workspace:
    from .blueprint import load_workspace

    _find_config(paths[0])
    return load_workspace(list(paths), env, env_file)


def _find_config(start: Path) -> Any:
    """The configuration found upward from ``start`` (the first path), loaded once per invocation."""
    if _State.config is None:
        from . import config

        found = config.find(_existing(start))
        _State.config = config.load(found)
        if _State.verbosity > 0:
            click.echo(f"configuration: {found or 'none found'}", err=True)
    return _State.config


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


def _configured(found: Diagnostics, start: Path, environment: str, addresses: dict[str, str]) -> Diagnostics:
    """``found`` with the configuration's severities and suppressions applied (and its own problems)."""
    from . import config
    from .diagnostics import Diagnostics

    cfg = _find_config(start)
    if cfg.file is None:
        return found
    return Diagnostics(config.apply(list(found), cfg, environment, addresses), found.root).sorted()


def _drift_findings(results: list[Any], workspace: Workspace) -> list[Any]:
    """Drift as diagnostics at each resource's file: FD960 drifted, FD961 missing in the cloud, and the problem
    of a resource that could not be compared."""
    from .diagnostics import Diagnostic, Severity

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


def _diff_findings(diffs: list[Any]) -> list[Any]:
    """A replacement or destruction planned by ``diff`` as a warning at the resource's file (for SARIF)."""
    from .diagnostics import Diagnostic, Severity

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


def _state_summary(workspace: Workspace) -> str:
    """Where the stacks keep their state, with ``{stack}`` left in: ``s3://bucket/facets/prod/{stack}.tfstate``."""
    env = workspace.environment
    state = env.backend.state("{stack}", env.name)
    if state["backend"] == "s3":
        prefix = f" (workspace_key_prefix {state['workspace_key_prefix']})" if "workspace_key_prefix" in state else ""
        return f"s3://{state['bucket']}/{state['key']} in {state['region']}{prefix}"
    where = state["workspace"] or "a workspace tagged " + ", ".join(state["tags"])
    return f"HCP Terraform {state['hostname']}, organization {state['organization']}, {where}"


def _validate(workspace: Workspace) -> Diagnostics:
    from .validation import validate_workspace

    cfg = _State.config
    env = workspace.environment.name
    options: dict[str, Any] = {} if cfg is None or cfg.file is None else {
        "enable": cfg.enabled(env), "disable": cfg.disabled(env)}
    if len(workspace.resources) < 20 or not sys.stderr.isatty():
        found = validate_workspace(workspace, **options)
    else:
        from rich.progress import Progress

        with Progress(transient=True, console=_stderr_console()) as progress:
            task = progress.add_task("validating", total=len(workspace.resources))
            found = validate_workspace(workspace, progress=lambda _r: progress.advance(task), **options)
    if cfg is None or cfg.file is None:
        return found
    addresses = {f: r.address for r in workspace.resources for f in (r.file, *r.files)}
    return _configured(found, Path(cfg.file), env, addresses)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@contextmanager
def _status(message: str) -> Iterator[None]:
    if not sys.stderr.isatty():
        yield
        return
    with _stderr_console().status(message):
        yield


@contextmanager
def _synth_progress(workspace: Workspace) -> Iterator[Callable[[Any], None] | None]:
    """A bar counting stacks on a terminal (a spinner for small runs); nothing at all when piped."""
    count = sum(1 for r in workspace.resources if not r.disabled and not r.provided)
    if not sys.stderr.isatty():
        yield None
        return
    if count < 20:
        with _status(f"synthesizing {count} resource(s)"):
            yield None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("building stacks", total=count)

        def advance(_resource: Any) -> None:
            bar.advance(task)
            if bar.tasks[0].completed >= count:  # the engine now renders every stack at once
                bar.update(task, description="writing stacks")

        yield advance


def _report(found: Diagnostics, fmt: str, ok_message: str = "", quiet_ok: bool = False) -> None:
    if fmt == "json":
        if not quiet_ok:
            click.echo(found.to_json())
        return
    if fmt == "sarif":
        from importlib.metadata import version

        from .rulebook import collect
        from .sarif import to_sarif

        book = collect()
        if _State.verbosity > 0:
            for problem in book.problems:
                click.echo(f"rules: {problem}", err=True)
        click.echo(json.dumps(to_sarif(found.sorted(), book, version("facets-dynamo")), indent=2))
        return
    shown = [d for d in found if d.is_error] if _State.verbosity < 0 else list(found)
    styled = fmt == "text" and colour()
    for d in shown:
        line = d.format_github() if fmt == "github" else d.format_text()
        if styled:
            word = f" {d.severity} {d.code}"
            line = line.replace(word, " " + click.style(str(d.severity), fg=_COLOURS[str(d.severity)], bold=True)
                                + f" {d.code}", 1)
        click.echo(line, color=styled or None)
    if _State.verbosity < 0:
        return
    if fmt == "text" and not quiet_ok:
        errors = len(found.errors)
        summary = f"{errors} error(s), {len(found) - errors} warning(s)" if found else ok_message or "no problems"
        click.echo(summary if found else f"ok: {summary}", err=bool(found))


_COLOURS = {"error": "red", "warning": "yellow", "info": "cyan"}


def _exit_code(found: Diagnostics) -> int:
    if any(d.code in UNREADABLE or (d.code == "FD403" and d.file == "--env") for d in found.errors):
        return EXIT_USAGE
    fail_on = _State.fail_on or (_State.config.fail_on if _State.config is not None else "error")
    if fail_on == "warning" and any(str(d.severity) == "warning" for d in found):
        return EXIT_INVALID
    return EXIT_INVALID if found.errors else EXIT_OK


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: turns every failure into a message and an exit code.

    SIGTERM unwinds like Ctrl-C (so temp folders and the previous output are cleaned up or kept, and Node is
    stopped) and exits 143; SIGINT exits 130. Once the command is over, a signal is only recorded: Python's
    ``atexit`` hooks (jsii's goodbye to Node) must not be cut into, which printed tracebacks after "wrote".
    """
    for stream in (sys.stdout, sys.stderr):  # a file name that is not valid UTF-8 must not crash a print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    received: list[int] = []

    def interrupt(signum: int, _frame: object) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    def record(signum: int, _frame: object) -> None:
        received.append(signum)

    previous: dict[int, Any] = {}
    with contextlib.suppress(ValueError):  # not the main thread (embedded use): keep the caller's handlers
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, interrupt)
    try:
        code = _run(argv)
    except KeyboardInterrupt:  # a second signal while the first was being handled
        code = EXIT_INTERRUPTED
    if argv is not None:  # called in-process (tests, embedding): leave the caller's process as it was
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.exit(code)
    for signum in previous:
        signal.signal(signum, record)
    if "jsii._runtime" in sys.modules:  # Node was started: stop it here, not in an atexit hook
        from .engine import stop_node

        stop_node()
    if received:
        if code != EXIT_INTERRUPTED:
            click.echo("interrupted (the command had finished; its output is complete)", err=True)
        code = 128 + received[0]
    sys.stdout.flush()
    # The interpreter's shutdown puts Python-set handlers back to the default action, and a signal then kills
    # the process, in whichever thread it lands, with no word and no exit code of ours. Ignored signals are
    # left alone by that shutdown: from here on a signal changes nothing (the exit code already says it all).
    for signum in previous:
        signal.signal(signum, signal.SIG_IGN)
    sys.exit(code)


def debug_enabled() -> bool:
    """``FACETS_DYNAMO_DEBUG``: 1/true/yes/on show tracebacks; unset, empty, 0/false/no/off do not."""
    from .host import SettingError

    raw = os.environ.get(DEBUG_ENV)
    value = (raw or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SettingError(f"{DEBUG_ENV}={raw[:80]!r}: give 1 (show tracebacks) or 0")  # type: ignore[index]


def check_settings() -> None:
    """Every environment variable of facets-dynamo, checked before any work starts: an odd value is a usage
    error naming the variable (exit 2), never a surprise halfway through."""
    from .engine import ENGINE_ENV, ENGINES
    from .host import BLOCK_ENV, SettingError, hook_timeout_from_env

    hook_timeout_from_env()
    debug_enabled()
    if ENGINE_ENV in os.environ:
        raw = os.environ[ENGINE_ENV]
        if raw.strip() not in ENGINES:
            raise SettingError(f"{ENGINE_ENV}={raw[:80]!r}: choose one of {', '.join(ENGINES)}, or unset it to use "
                               "the first one installed")
    raw = os.environ.get(BLOCK_ENV)
    if raw:  # unset or empty: nothing is blocked
        names = [n.strip() for n in raw.split(",")]
        if any(not n for n in names):
            raise SettingError(f"{BLOCK_ENV}={raw[:80]!r}: an empty plugin name; give names separated by commas")
        from importlib.metadata import entry_points

        from . import hookspecs

        known = sorted({ep.name for ep in entry_points(group=hookspecs.PROJECT)})
        unknown = [n for n in names if n != "*" and n not in known]
        if unknown:
            raise SettingError(f"{BLOCK_ENV} names {', '.join(repr(n[:80]) for n in unknown)}, which is no installed "
                               f"plugin (installed: {', '.join(known) or 'none'}; '*' blocks all)")


def _run(argv: list[str] | None) -> int:
    try:
        return _dispatch(argv)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM while the modules below were being imported
        click.echo("interrupted; previous output left as it was", err=True)
        return EXIT_INTERRUPTED


def _dispatch(argv: list[str] | None) -> int:
    from .host import SettingError

    try:
        check_settings()  # an odd setting is a usage error before any work starts
        result = cli.main(args=argv, prog_name="facets-dynamo", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_OK
    except SettingError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("interrupted; previous output left as it was", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if exc.exit_code == 2 else exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted; previous output left as it was", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    except Exception as exc:
        if debug_enabled():
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set FACETS_DYNAMO_DEBUG=1 for details)",
                   err=True)
        return EXIT_USAGE
