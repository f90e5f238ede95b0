"""How resources and workspaces look in Jupyter: the flavor's own description, drawn with :mod:`.display`.

Resources and workspaces are models low in the package; describing one needs its flavor's plugin, which only
the host can ask. So this module, imported with the API, registers their presenters
(:func:`facets_dynamo.display.register_presenter`), and the models' ``_repr_html_`` draw through them.
"""

from __future__ import annotations

from .blueprint import Workspace
from .diagnostics import Diagnostics
from .display import (
    GOOD,
    IDENT_COLUMNS,
    MUTED,
    SCROLL,
    badge,
    cell,
    code,
    display_path,
    esc,
    highlight_json,
    html_table,
    ident,
    json_block,
    register_presenter,
)
from .environment import Environment
from .host import Host, PluginFailure, default_host
from .resource import Resource
from .semantics import Description


def _state(resource: Resource) -> str:
    if resource.disabled:
        return badge("disabled", MUTED)
    if resource.provided:
        return badge("provided", "#8250df")
    return badge("enabled", GOOD)


def _describe(resource: Resource, environment: Environment, host: Host) -> Description | str | None:
    """The flavor's description, or the plugin's failure as text (a display never raises)."""
    try:
        results = host.call_each("describe", key=resource.key, resource=resource, environment=environment)
    except PluginFailure as exc:
        return str(exc)
    found = next((r for _, r in results if isinstance(r, Description)), None)
    return found


def resource_html(resource: Resource, host: Host | None = None) -> str:
    """Header (address, flavor, state, files), the flavor's description (key schema, settings, ...) and the
    document itself."""
    paths = resource.files or (resource.file,)
    root = resource.blueprint_root
    files = ", ".join(code(display_path(f, root)) for f in paths)
    env = f" &middot; environment {code(resource.environment)}" if resource.environment else ""
    environment = Environment(resource.environment) if resource.environment else Environment()
    found = None if resource.provided else _describe(resource, environment, host or default_host())
    name = f" &rarr; {ident(found.name)}" if isinstance(found, Description) and found.name else ""
    head = (f"<p style='margin:4px 0'><b>{esc(resource.address)}</b>{name} {code(resource.key or '?/?/?')} "
            f"{_state(resource)}{env}<br><small style='color:{MUTED}'>from {files}</small></p>")
    parts = [head]
    if isinstance(found, str):
        parts.append(f"<p style='color:{MUTED}'>no description: {esc(found)}</p>")
    elif isinstance(found, Description):
        for section in found.sections:
            parts.append(f"<p style='margin:4px 0 0 0'><small style='color:{MUTED}'>{esc(section.title)}</small></p>")
            parts.append(html_table(list(section.columns),
                                    ([cell(row.get(c), c) for c in section.columns] for row in section.rows),
                                    total=len(section.rows), nowrap=IDENT_COLUMNS | set(section.nowrap)))
    if resource.provided and resource.out:
        parts.append("<p style='margin:4px 0'>provided outside this blueprint; outputs:</p>")
        parts.append(f"<div style='{SCROLL}'>{highlight_json(resource.out)}</div>")
    parts.append(json_block(resource.data, "document", sort_keys=False))
    return "<div>" + "".join(parts) + "</div>"


def workspace_html(workspace: Workspace, host: Host | None = None) -> str:
    """The environment, one row per resource (with its flavor's one-line summary), and loading problems."""
    host = host or default_host()
    env = workspace.environment
    tags = ", ".join(ident(f"{k}={v}") for k, v in sorted(env.cloud_tags.items())) or "none"
    root = workspace.root
    parts = [f"<p style='margin:4px 0'>environment <b>{esc(env.name)}</b> &middot; region {code(env.region)} "
             f"&middot; cloud tags: {tags}</p>"]
    rows = []
    for r in workspace.resources:
        found = None if r.provided or r.disabled else _describe(r, env, host)
        summary = found.summary if isinstance(found, Description) else ""
        name = found.name if isinstance(found, Description) and found.name else ""
        rows.append([f"<b>{esc(r.address)}</b>", code(r.key or "?"), _state(r), ident(name) if name else "",
                     esc(summary), "<br>".join(ident(display_path(f, root)) for f in (r.files or (r.file,)))])
    if rows:
        parts.append(html_table(["resource", "flavor", "state", "name", "summary", "files"], rows,
                                nowrap=IDENT_COLUMNS | {"files"}))
    else:
        parts.append(f"<p style='color:{MUTED}'>no resources</p>")
    if workspace.diagnostics:
        parts.append("<p style='margin:4px 0'>problems while loading:</p>")
        parts.append(Diagnostics(list(workspace.diagnostics)).to_html(root))
    return "<div>" + "".join(parts) + "</div>"


register_presenter(Resource, resource_html)
register_presenter(Workspace, workspace_html)
