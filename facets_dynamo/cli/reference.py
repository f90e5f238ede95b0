"""What is installed and what it checks: plugins, rules, explain, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .base import EXIT_USAGE, PathParam, cli


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def plugins(fmt: str) -> None:
    """List plugins and the flavors they serve."""
    from ..host import default_host

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


@cli.command()
@click.option("--markdown", is_flag=True, help="The whole of docs/rules.md (facets-dynamo rules --markdown > "
              "docs/rules.md).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(markdown: bool, fmt: str) -> None:
    """List every diagnostic code: the host's and each installed plugin's (their rules hook)."""
    from ..rulebook import collect

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
    from ..rulebook import collect

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
    from .. import api

    if vscode:
        from ..editors import write_vscode_settings

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
