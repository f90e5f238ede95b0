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
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePath
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
_HEAD = _CELL + ";font-weight:600;border-bottom:2px solid #8c959f;white-space:nowrap"
#: Set inline on every code block: nbconvert's CSS says ``pre { font-family: inherit }``, and a stylesheet
#: never beats a style attribute, so this is what keeps JSON monospaced in every renderer.
MONO = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
_CODE_BG = "#f6f8fa"
#: Identifiers (names, addresses, ``${...}`` tokens) never break at a hyphen or a dot.
_NOWRAP = "white-space:nowrap;word-break:keep-all"
_PRE = f"{MONO};white-space:pre;background:{_CODE_BG};margin:0;padding:6px 8px;font-size:12px;line-height:1.4"
#: A JSON block taller than this scrolls inside its box instead of stretching the notebook.
_SCROLL = f"max-height:32em;overflow:auto;border:1px solid #d0d7de;border-radius:4px;background:{_CODE_BG}"
#: Table columns that hold identifiers: their cells do not wrap.
IDENT_COLUMNS = frozenset({"stack", "address", "type", "name", "output", "resource", "attribute", "logical id",
                           "setting", "flavor", "hash key", "table", "env", "code", "where", "path", "file",
                           "severity", "state", "billing", "table key"})


def esc(value: Any) -> str:
    """``value`` as HTML text; the one way user content reaches the page."""
    return html.escape(str(value), quote=True)


def badge(text: str, colour: str) -> str:
    return (f"<span style='color:{colour};border:1px solid {colour};border-radius:8px;padding:0 6px;"
            f"font-size:12px;white-space:nowrap'>{esc(text)}</span>")


def code(value: Any) -> str:
    return f"<code style='{MONO};{_NOWRAP}'>{esc(value)}</code>"


def ident(value: Any) -> str:
    """An identifier that must stay whole (``orders-dev``, ``${data.terraform_remote_state.x}``)."""
    return f"<span style='{_NOWRAP}'>{esc(value)}</span>"


def ident_list(values: Iterable[Any]) -> str:
    """Names one per line (never run together in a paragraph)."""
    return "<br>".join(code(v) for v in values)


def display_path(path: Any, root: Path | str | None = None) -> str:
    """``path`` for display: relative to ``root`` (the blueprint) or the working directory, never absolute.

    A path outside both is shortened to its last parts (``…/instances/x.json``); ``<memory>/x.json`` and
    other relative names are shown as they are.
    """
    text = str(path)
    pure = PurePath(text)
    if not pure.is_absolute():
        return text
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return pure.relative_to(Path(base)).as_posix() or "."
        except ValueError:
            try:
                return Path(text).resolve().relative_to(Path(base).resolve()).as_posix() or "."
            except (ValueError, OSError):
                continue
    parts = pure.parts[1:]
    return "\u2026/" + "/".join(parts[-3:]) if len(parts) > 3 else "/".join(parts) or "."


def blueprint_root(files: Iterable[str]) -> Path | None:
    """The blueprint folder of ``<bp>/<kind>/instances/<name>.json`` (the first such file), if any."""
    for f in files:
        p = PurePath(str(f))
        if p.is_absolute() and len(p.parts) > 3 and p.parent.name == "instances":
            return Path(p.parents[2])
    return None


def _size(text: str) -> str:
    lines = text.count("\n") + 1
    n = len(text.encode("utf-8"))
    size = f"{n:,} bytes" if n < 10_000 else f"{n / 1024:,.1f} KiB"
    return f"{lines:,} line{'s' if lines != 1 else ''}, {size}"


_EMBEDDED = "\u0000fd-embedded-json-"


def _expand_embedded(value: Any, found: list[Any]) -> Any:
    """A copy with string values that are JSON objects/arrays (IAM policies) swapped for placeholders."""
    if isinstance(value, Mapping):
        return {k: _expand_embedded(v, found) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_expand_embedded(v, found) for v in value]
    if isinstance(value, str) and len(value) > 2 and value.lstrip()[:1] in "{[":
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, dict | list) and parsed:
            found.append(parsed)
            return f"{_EMBEDDED}{len(found) - 1}"
    return value


def json_text(data: Any) -> str:
    """2-space sorted JSON for reading; a string value holding JSON (an IAM ``policy``) is shown parsed and
    pretty-printed in its place, marked ``/* JSON string, parsed for display */``. Display only: the data
    (``Stack``, ``cdk.tf.json``) keeps the string."""
    found: list[Any] = []
    shown = _expand_embedded(data, found)
    text = json.dumps(shown, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    if not found:
        return text

    lines = []
    for line in text.split("\n"):
        m = re.search(r'"\\u0000fd-embedded-json-(\d+)"', line)
        if m and int(m.group(1)) < len(found):
            indent = line[: len(line) - len(line.lstrip())]
            inner = json.dumps(found[int(m.group(1))], indent=2, sort_keys=True, ensure_ascii=False, default=str)
            line = (line[: m.start()] + "/* JSON string, parsed for display */ " + inner.replace("\n", "\n" + indent)
                    + line[m.end():])
        lines.append(line)
    return "\n".join(lines)


def highlight_json(data: Any) -> str:
    """Pretty, colourised JSON (pygments escapes the text) in a ``<pre>`` whose font, whitespace and
    background are set inline; plain escaped text for huge documents. See :func:`json_text`."""
    text = json_text(data)
    if len(text) <= MAX_HIGHLIGHT_CHARS:
        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import JsonLexer

            spans = highlight(text, JsonLexer(), HtmlFormatter(noclasses=True, nowrap=True))
            return f"<pre style='{_PRE}'>{spans}</pre>"
        except ImportError:  # pragma: no cover - pygments comes with rich
            pass
    return f"<pre style='{_PRE}'>{esc(text)}</pre>"


def json_block(data: Any, label: str, open_: bool = False) -> str:
    """JSON folded in a ``<details>`` (closed unless ``open_``) whose summary names it and its size, in a
    scroll box of bounded height."""
    summary = f"{code(label)} <small style='color:{_MUTED}'>({_size(json_text(data))})</small>"
    return (f"<details{' open' if open_ else ''} style='margin:4px 0'><summary style='cursor:pointer'>{summary}"
            f"</summary><div style='{_SCROLL}'>{highlight_json(data)}</div></details>")


def html_table(columns: Sequence[str], rows: Iterable[Sequence[str]], headers: Sequence[str] | None = None,
               total: int | None = None, nowrap: Iterable[str] | None = None) -> str:
    """A table from cells that are already HTML (callers escape with :func:`esc` / :func:`cell`).

    At most :data:`MAX_ROWS` rows are shown; ``total`` (the full row count) is named under the table.
    Cells of the columns in ``nowrap`` (default: those in :data:`IDENT_COLUMNS`) never wrap.
    """
    keep = set(IDENT_COLUMNS if nowrap is None else nowrap)
    styles = [f"{_CELL};{_NOWRAP}" if c in keep else f"{_CELL};word-break:keep-all" for c in columns]
    head = "".join(f"<th style='{_HEAD}'>{esc(h)}</th>" for h in (headers or columns))
    shown = list(itertools.islice(rows, MAX_ROWS))
    body = "".join("<tr>" + "".join(f"<td style='{st}'>{c}</td>" for st, c in zip(styles, row, strict=False))
                   + "</tr>" for row in shown)
    more = ""
    if total is not None and total > len(shown):
        more = (f"<p style='color:{_MUTED};margin:0 0 8px 0'>&hellip; {total - len(shown):,} more row(s) not "
                "shown</p>")
    return f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def tags_html(tags: Mapping[str, Any]) -> str:
    """Tags as ``key=value`` lines, each kept whole."""
    return "<br>".join(f"<span style='{MONO};{_NOWRAP};font-size:12px'>{esc(k)}={esc(_plain(v))}</span>"
                       for k, v in sorted(tags.items(), key=lambda kv: str(kv[0]))) or ""


def cell(value: Any, column: str = "") -> str:
    """A data value as table-cell HTML: JSON for containers (``key=value`` lines for a tags column), blank
    for ``None``; a ``${...}`` token is kept whole."""
    if value is None:
        return ""
    if isinstance(value, Mapping) and "tags" in column.lower():
        return tags_html(value)
    if isinstance(value, Mapping | list | tuple):
        return code(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))
    if isinstance(value, bool):
        return badge("true", _GOOD) if value else badge("false", _MUTED)
    if isinstance(value, str) and "${" in value:
        return ident(value)
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
        return title + html_table(self.columns, ([cell(r.get(c), c) for c in self.columns] for r in self.rows),
                                  total=len(self.rows))


# -- diagnostics -----------------------------------------------------------------------------------

def where(d: Diagnostic, root: Path | str | None = None) -> str:
    file = display_path(d.file, root)
    return f"{file}:{d.line}:{d.column}" if d.line else file


def diagnostics_html(found: Diagnostics, root: Path | str | None = None) -> str:
    """A problem table: severity in colour, code, file:line:column, JSON path and the message."""
    items = found.sorted()
    if not items:
        return f"<p style='color:{_GOOD};margin:4px 0'>&#10004; no problems</p>"
    counts = {s: sum(1 for d in items if str(d.severity) == s) for s in SEVERITY_COLOURS}
    summary = ", ".join(f"<b style='color:{SEVERITY_COLOURS[s]}'>{n} {s}{'s' if n != 1 else ''}</b>"
                        for s, n in counts.items() if n)
    rows = ([badge(str(d.severity), SEVERITY_COLOURS.get(str(d.severity), _MUTED)), code(d.code),
             ident(where(d, root)), code(d.path or "/"), esc(d.message)]
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
    mode = adv.get("billing_mode", "PAY_PER_REQUEST")
    if mode == "PROVISIONED":
        read, write = adv.get("read_capacity", "?"), adv.get("write_capacity", "?")
        mode = f"PROVISIONED (read {_plain(read)}, write {_plain(write)})"
    found: list[tuple[str, Any]] = [("billing mode", mode)]
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
    paths = resource.files or (resource.file,)
    root = blueprint_root(paths)
    files = ", ".join(code(display_path(f, root)) for f in paths)
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
                f"<b>{ident(r['attribute'])}</b>",
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
        parts.append(f"<div style='{_SCROLL}'>{highlight_json(resource.out)}</div>")
    elif resource.kind == "dynamodb" or schema:
        settings = _settings(resource)
        parts.append(html_table(["setting", "value"], ([esc(k), cell(v, k)] for k, v in settings)))
    parts.append(json_block(resource.data, "document"))
    return "<div>" + "".join(parts) + "</div>"


# -- workspaces ------------------------------------------------------------------------------------

def workspace_html(workspace: Workspace) -> str:
    """The environment, one row per resource, and any problems met while loading files."""
    env = workspace.environment
    tags = ", ".join(ident(f"{k}={v}") for k, v in sorted(env.cloud_tags.items())) or "none"
    root = blueprint_root(f for r in workspace.resources for f in (r.files or (r.file,)))
    parts = [f"<p style='margin:4px 0'>environment <b>{esc(env.name)}</b> &middot; region {code(env.region)} "
             f"&middot; cloud tags: {tags}</p>"]
    rows = []
    for r in workspace.resources:
        hash_key = r.spec.get("hash_key")
        rows.append([f"<b>{esc(r.address)}</b>", code(r.key or "?"), _state(r),
                     "" if hash_key is None else code(hash_key),
                     "<br>".join(ident(display_path(f, root)) for f in (r.files or (r.file,)))])
    if rows:
        parts.append(html_table(["resource", "flavor", "state", "hash key", "files"], rows,
                                nowrap=IDENT_COLUMNS | {"files"}))
    else:
        parts.append(f"<p style='color:{_MUTED}'>no resources</p>")
    if workspace.diagnostics:
        from .diagnostics import Diagnostics

        parts.append("<p style='margin:4px 0'>problems while loading:</p>")
        parts.append(diagnostics_html(Diagnostics(list(workspace.diagnostics)), root))
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
                f"{json_block(dict(self), f'stacks/{self.name}/cdk.tf.json')}</div>")


def synthesized_html(result: Synthesized) -> str:
    """A per-stack summary (resources, outputs) then each stack's JSON, highlighted and folded."""
    stacks = [Stack(n, s) for n, s in result.stacks.items()]
    rows = []
    for s in stacks:
        res, outs = s.resources(), s.outputs()
        rows.append([f"<b>{esc(s.name)}</b>", ident_list(r["address"] for r in res),
                     ident_list(o["output"] for o in outs)])
    parts = [f"<p style='margin:4px 0'><b>{len(stacks)} stack(s)</b> for environment {code(result.environment)}"
             f" <small style='color:{_MUTED}'>({esc(result.engine)})</small></p>",
             html_table(["stack", "resources", "outputs"], rows, total=len(rows))]
    for s in stacks:
        parts.append(json_block(dict(s), f"stacks/{s.name}/cdk.tf.json"))
    return "<div>" + "".join(parts) + "</div>"
