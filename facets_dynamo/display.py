"""How facets-dynamo objects look in Jupyter: small, self-contained HTML with every user value escaped.

Notebook users explore specs they did not write (and specs that are broken on purpose), so a tag value
like ``<script>`` must show up as text, never run. Everything here builds HTML from :func:`esc` or from
pygments (which escapes too), uses inline styles only (JupyterLab keeps those for untrusted notebooks,
and they survive ``nbconvert``), and never imports the CDK engine, so displaying a resource or a list of
problems stays as cheap as validating it.

:class:`Table` and :class:`Stack` are also the data types the API hands out for tabular results: a
``Table`` is a sequence of plain dicts and a ``Stack`` is a plain dict, so they work with ``json``,
``pandas.DataFrame(...)`` or a comprehension as well as in a notebook cell.
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .blueprint import Workspace
    from .diagnostics import Diagnostic, Diagnostics
    from .resource import Resource
    from .synthesis import Synthesized

#: Above this many characters JSON is shown as plain escaped text: highlighting a huge document would
#: stall the notebook for seconds and nobody reads it colour by colour anyway.
MAX_HIGHLIGHT_CHARS = 200_000

#: Rows shown in one HTML table; a hostile or generated input can have tens of thousands of problems and a
#: notebook output that size freezes the browser. The data (``Diagnostics``, ``Table.rows``) stays complete.
MAX_ROWS = 500

SEVERITY_COLOURS = {"error": "#cf222e", "warning": "#9a6700", "info": "#0969da"}
_GOOD = "#1a7f37"
_MUTED = "#6e7781"
_TABLE = "border-collapse:collapse;margin:4px 0 10px 0;font-size:13px"
_CELL = "text-align:left;vertical-align:top;padding:3px 10px;border-bottom:1px solid #d0d7de"
_HEAD = _CELL + ";font-weight:600;border-bottom:2px solid #8c959f"


def esc(value: Any) -> str:
    """``value`` as HTML text; the one way user content reaches the page."""
    return html.escape(str(value), quote=True)


def badge(text: str, colour: str) -> str:
    return (f"<span style='color:{colour};border:1px solid {colour};border-radius:8px;padding:0 6px;"
            f"font-size:12px;white-space:nowrap'>{esc(text)}</span>")


def code(value: Any) -> str:
    return f"<code>{esc(value)}</code>"


def highlight_json(data: Any) -> str:
    """Pretty, colourised JSON (pygments escapes the text); plain ``<pre>`` for huge documents."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    if len(text) <= MAX_HIGHLIGHT_CHARS:
        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import JsonLexer

            return highlight(text, JsonLexer(), HtmlFormatter(noclasses=True))
        except ImportError:  # pragma: no cover - pygments comes with rich
            pass
    return f"<pre style='max-height:40em;overflow:auto'>{esc(text)}</pre>"


def html_table(columns: Sequence[str], rows: Iterable[Sequence[str]], headers: Sequence[str] | None = None,
               total: int | None = None) -> str:
    """A table from cells that are already HTML (callers escape with :func:`esc` / :func:`cell`).

    At most :data:`MAX_ROWS` rows are shown; ``total`` (the full row count) is named under the table.
    """
    head = "".join(f"<th style='{_HEAD}'>{esc(h)}</th>" for h in (headers or columns))
    shown = list(itertools.islice(rows, MAX_ROWS))
    body = "".join("<tr>" + "".join(f"<td style='{_CELL}'>{c}</td>" for c in row) + "</tr>" for row in shown)
    more = ""
    if total is not None and total > len(shown):
        more = (f"<p style='color:{_MUTED};margin:0 0 8px 0'>&hellip; {total - len(shown):,} more row(s) not "
                "shown</p>")
    return f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def cell(value: Any) -> str:
    """A data value as table-cell HTML: JSON for containers, blank for ``None``."""
    if value is None:
        return ""
    if isinstance(value, Mapping | list | tuple):
        return code(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))
    if isinstance(value, bool):
        return badge("true", _GOOD) if value else badge("false", _MUTED)
    return esc(value)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping | list | tuple | bool):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


class Table(Sequence[dict[str, Any]]):
    """Rows of plain dicts that print as text and render as an HTML table.

    Returned by ``Synthesized.resources()``, ``.outputs()`` and ``facets_dynamo.compare``; ``list(table)``
    or ``pandas.DataFrame(table)`` gives the data without any of the presentation.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None,
                 title: str = "") -> None:
        self.rows = [dict(r) for r in rows]
        if columns is None:
            seen: dict[str, None] = {}
            for row in self.rows:
                seen.update(dict.fromkeys(row))
            columns = list(seen)
        self.columns = list(columns)
        self.title = title

    def __getitem__(self, index):  # type: ignore[override]
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Table):
            return self.rows == other.rows
        return isinstance(other, list) and self.rows == other

    __hash__ = None  # type: ignore[assignment]

    def column(self, name: str) -> list[Any]:
        """One column's values, e.g. ``table.column("address")``."""
        return [r.get(name) for r in self.rows]

    def where(self, **tests: Any) -> Table:
        """The rows whose columns equal the given values, or pass the given predicates:
        ``table.where(stack="orders")``, ``table.where(path=lambda p: "/tags/" in p)``."""

        def keep(row: dict[str, Any]) -> bool:
            return all(t(row.get(k)) if callable(t) else row.get(k) == t for k, t in tests.items())

        return Table([r for r in self.rows if keep(r)], self.columns, self.title)

    def __repr__(self) -> str:
        cells = [[_plain(r.get(c)) for c in self.columns] for r in self.rows]
        widths = [max([len(c), *(min(len(row[i]), 60) for row in cells)]) for i, c in enumerate(self.columns)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True))]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
        title = [self.title] if self.title else []
        return "\n".join(title + lines) if self.rows else "\n".join([*title, "(no rows)"])

    def _repr_html_(self) -> str:
        title = f"<p style='margin:4px 0'><b>{esc(self.title)}</b></p>" if self.title else ""
        if not self.rows:
            return title + f"<p style='color:{_MUTED}'>(no rows)</p>"
        return title + html_table(self.columns, ([cell(r.get(c)) for c in self.columns] for r in self.rows),
                                  total=len(self.rows))


# -- diagnostics -----------------------------------------------------------------------------------

def where(d: Diagnostic) -> str:
    return f"{d.file}:{d.line}:{d.column}" if d.line else d.file


def diagnostics_html(found: Diagnostics) -> str:
    """A problem table: severity in colour, code, file:line:column, JSON path and the message."""
    items = found.sorted()
    if not items:
        return f"<p style='color:{_GOOD};margin:4px 0'>&#10004; no problems</p>"
    counts = {s: sum(1 for d in items if str(d.severity) == s) for s in SEVERITY_COLOURS}
    summary = ", ".join(f"<b style='color:{SEVERITY_COLOURS[s]}'>{n} {s}{'s' if n != 1 else ''}</b>"
                        for s, n in counts.items() if n)
    rows = ([badge(str(d.severity), SEVERITY_COLOURS.get(str(d.severity), _MUTED)), code(d.code),
             f"<span style='white-space:nowrap'>{esc(where(d))}</span>", code(d.path or "/"), esc(d.message)]
            for d in items)
    return (f"<div><p style='margin:4px 0'>{summary}</p>"
            + html_table(["severity", "code", "where", "path", "message"], rows, total=len(items)) + "</div>")


# -- resources -------------------------------------------------------------------------------------

def _state(resource: Resource) -> str:
    if resource.disabled:
        return badge("disabled", _MUTED)
    if resource.provided:
        return badge("provided", "#8250df")
    return badge("enabled", _GOOD)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def key_schema(resource: Resource) -> list[dict[str, Any]]:
    """One row per attribute: its type, whether it is the table's HASH/RANGE key, and which indexes use it.

    Key names that no attribute defines get a row too (type ``None``): that is the usual mistake, and
    seeing it in the table is quicker than reading the diagnostic.
    """
    spec = resource.spec
    adv = resource.advanced.get("aws_dynamodb")
    adv = adv if isinstance(adv, dict) else {}
    attrs = spec.get("attributes")
    rows: dict[str, dict[str, Any]] = {}
    for logical_id, attr in (attrs.items() if isinstance(attrs, dict) else ()):
        if isinstance(attr, dict):
            name = attr.get("name")
            rows.setdefault(str(name), {"attribute": name, "logical id": logical_id, "type": attr.get("type"),
                                        "key": "", "indexes": []})

    def use(name: Any, role: str, index: str | None = None) -> None:
        if name is None:
            return
        row = rows.setdefault(str(name), {"attribute": name, "logical id": None, "type": None, "key": "",
                                          "indexes": []})
        if index is None:
            row["key"] = role
        else:
            row["indexes"].append(f"{index} ({role})")

    use(spec.get("hash_key"), "HASH")
    use(adv.get("range_key"), "RANGE")
    for gsi in _dicts(adv.get("global_secondary_indexes")):
        use(gsi.get("hash_key"), "HASH", f"GSI {gsi.get('name')}")
        use(gsi.get("range_key"), "RANGE", f"GSI {gsi.get('name')}")
    for lsi in _dicts(adv.get("local_secondary_indexes")):
        use(spec.get("hash_key"), "HASH", f"LSI {lsi.get('name')}")
        use(lsi.get("range_key"), "RANGE", f"LSI {lsi.get('name')}")
    return list(rows.values())


def _settings(resource: Resource) -> list[tuple[str, Any]]:
    adv = resource.advanced.get("aws_dynamodb")
    adv = adv if isinstance(adv, dict) else {}
    found: list[tuple[str, Any]] = [("billing mode", adv.get("billing_mode", "PAY_PER_REQUEST"))]
    for label, key in (("point-in-time recovery", "point_in_time_recovery_enabled"),
                       ("deletion protection", "deletion_protection_enabled"), ("TTL", "ttl_enabled"),
                       ("stream", "stream_enabled"), ("autoscaling", "autoscaling_enabled")):
        if key in adv:
            found.append((label, adv[key]))
    meta_tags, adv_tags = resource.metadata.get("tags"), adv.get("tags")
    tags = {**(meta_tags if isinstance(meta_tags, dict) else {}), **(adv_tags if isinstance(adv_tags, dict) else {})}
    if tags:
        found.append(("tags", tags))
    return found


def resource_html(resource: Resource) -> str:
    """Header (address, flavor, state, files), the key schema, main settings, and the document itself."""
    files = ", ".join(code(f) for f in (resource.files or (resource.file,)))
    env = f" &middot; environment {code(resource.environment)}" if resource.environment else ""
    head = (f"<p style='margin:4px 0'><b>{esc(resource.address)}</b> {code(resource.key or '?/?/?')} "
            f"{_state(resource)}{env}<br><small style='color:{_MUTED}'>from {files}</small></p>")
    parts = [head]
    schema = key_schema(resource)
    if schema:
        rows = []
        for r in schema:
            undefined = r["type"] is None
            rows.append([
                f"<b>{esc(r['attribute'])}</b>",
                esc(r["logical id"] or ""),
                f"<span style='color:{SEVERITY_COLOURS['error']}'>not defined</span>" if undefined
                else code(r["type"]),
                f"<b>{esc(r['key'])}</b>",
                esc(", ".join(r["indexes"])),
            ])
        parts.append(html_table(["attribute", "logical id", "type", "table key", "indexes using it"], rows))
    elif not resource.provided:
        parts.append(f"<p style='color:{_MUTED}'>no <code>spec.attributes</code></p>")
    if resource.provided and resource.out:
        parts.append("<p style='margin:4px 0'>provided outside this blueprint; outputs:</p>")
        parts.append(highlight_json(resource.out))
    elif resource.kind == "dynamodb" or schema:
        settings = _settings(resource)
        parts.append(html_table(["setting", "value"], ([esc(k), cell(v)] for k, v in settings)))
    parts.append(f"<details><summary>document</summary>{highlight_json(resource.data)}</details>")
    return "<div>" + "".join(parts) + "</div>"


# -- workspaces ------------------------------------------------------------------------------------

def workspace_html(workspace: Workspace) -> str:
    """The environment, one row per resource, and any problems met while loading files."""
    env = workspace.environment
    tags = ", ".join(f"{esc(k)}={esc(v)}" for k, v in sorted(env.cloud_tags.items())) or "none"
    parts = [f"<p style='margin:4px 0'>environment <b>{esc(env.name)}</b> &middot; region {code(env.region)} "
             f"&middot; cloud tags: {tags}</p>"]
    rows = []
    for r in workspace.resources:
        hash_key = r.spec.get("hash_key")
        rows.append([f"<b>{esc(r.address)}</b>", code(r.key or "?"), _state(r),
                     "" if hash_key is None else code(hash_key),
                     "<br>".join(esc(f) for f in (r.files or (r.file,)))])
    if rows:
        parts.append(html_table(["resource", "flavor", "state", "hash key", "files"], rows))
    else:
        parts.append(f"<p style='color:{_MUTED}'>no resources</p>")
    if workspace.diagnostics:
        from .diagnostics import Diagnostics

        parts.append("<p style='margin:4px 0'>problems while loading:</p>")
        parts.append(diagnostics_html(Diagnostics(list(workspace.diagnostics))))
    return "<div>" + "".join(parts) + "</div>"


# -- synthesized stacks ----------------------------------------------------------------------------

class Stack(dict[str, Any]):
    """One stack's Terraform JSON (``cdk.tf.json``) as a plain dict that can also tabulate itself."""

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        super().__init__(data)
        self.name = name

    def resources(self) -> Table:
        """Terraform resources and data sources: address, type, id and the ``name`` argument if any."""
        rows = []
        for section, prefix in (("resource", ""), ("data", "data.")):
            blocks = self.get(section)
            for type_, instances in (blocks.items() if isinstance(blocks, dict) else ()):
                for id_, body in (instances.items() if isinstance(instances, dict) else ()):
                    rows.append({"stack": self.name, "address": f"{prefix}{type_}.{id_}", "type": type_,
                                 "name": body.get("name") if isinstance(body, dict) else None})
        return Table(rows, ["stack", "address", "type", "name"], f"resources of {self.name}")

    def outputs(self) -> Table:
        """Terraform outputs with their (token) values and descriptions."""
        outputs = self.get("output")
        rows = [{"stack": self.name, "output": name, "value": body.get("value"),
                 "description": body.get("description"), "sensitive": body.get("sensitive") is True}
                for name, body in (outputs.items() if isinstance(outputs, dict) else ()) if isinstance(body, dict)]
        return Table(rows, ["stack", "output", "value", "description", "sensitive"], f"outputs of {self.name}")

    def __repr__(self) -> str:
        return f"<Stack {self.name}: {len(self.resources())} resource(s), {len(self.outputs())} output(s)>"

    def _repr_html_(self) -> str:
        return (f"<div><p style='margin:4px 0'>stack <b>{esc(self.name)}</b></p>"
                f"{self.resources()._repr_html_()}{self.outputs()._repr_html_()}"
                f"<details open><summary>{code(f'stacks/{self.name}/cdk.tf.json')}</summary>"
                f"{highlight_json(dict(self))}</details></div>")


def synthesized_html(result: Synthesized) -> str:
    """A per-stack summary (resources, outputs) then each stack's JSON, highlighted and folded."""
    stacks = [Stack(n, s) for n, s in result.stacks.items()]
    rows = []
    for s in stacks:
        res, outs = s.resources(), s.outputs()
        rows.append([f"<b>{esc(s.name)}</b>", esc(", ".join(r["address"] for r in res)),
                     esc(", ".join(o["output"] for o in outs))])
    parts = [f"<p style='margin:4px 0'><b>{len(stacks)} stack(s)</b> for environment {code(result.environment)}"
             f" <small style='color:{_MUTED}'>({esc(result.engine)})</small></p>",
             html_table(["stack", "resources", "outputs"], rows)]
    for s in stacks:
        parts.append(f"<details><summary>{code(f'stacks/{s.name}/cdk.tf.json')}</summary>"
                     f"{highlight_json(dict(s))}</details>")
    return "<div>" + "".join(parts) + "</div>"
