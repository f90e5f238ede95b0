"""The editor (in a terminal or served to a browser) and new resources from a flavor's sample."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .base import EXIT_USAGE, PathParam, cli, env_option_problem


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
        from ..tui.session import Session, SessionError
    except ImportError as exc:  # pragma: no cover - the tui extra is missing
        click.echo(f"error: the editor needs the 'tui' extra (pip install 'facets-dynamo[tui]'): {exc}", err=True)
        sys.exit(EXIT_USAGE)
    problem = env_option_problem(env) if env is not None else None  # None: the blueprint's first environment
    if problem and env is not None:
        click.echo(f"error: --env {env[:80]!r} {problem}", err=True)
        sys.exit(EXIT_USAGE)
    if serve:
        from ..tui import serve as served

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
    from ..tui.app import EditorApp

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
    from ..tui.scaffold import ScaffoldError, create_resource, pick_flavor, sample_document, target_path

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
        from ..tui.app import EditorApp

        EditorApp(path).run()
