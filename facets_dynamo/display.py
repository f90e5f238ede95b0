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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path, PurePath
from typing import Any

from .semantics import Note

#: Above this many characters JSON is shown as plain escaped text: highlighting a huge document would
#: stall the notebook for seconds and nobody reads it colour by colour anyway.
MAX_HIGHLIGHT_CHARS = 200_000

#: Rows shown in one HTML table; a hostile or generated input can have tens of thousands of problems and a
#: notebook output that size freezes the browser. The data (``Diagnostics``, ``Table.rows``) stays complete.
MAX_ROWS = 500

SEVERITY_COLOURS = {"error": "#cf222e", "warning": "#9a6700", "info": "#0969da"}
GOOD = "#1a7f37"
MUTED = "#6e7781"
_TABLE = "border-collapse:collapse;margin:4px 0 10px 0;font-size:13px"
_CELL = "text-align:left;vertical-align:top;padding:3px 10px;border-bottom:1px solid #d0d7de"
#: Header cells stay in view while a long table scrolls in its box (the fallback colour is for renderers
#: without JupyterLab's theme variables); their rule is a shadow because a collapsed border does not stick.
_HEAD = (_CELL + ";font-weight:600;border-bottom:none;box-shadow:inset 0 -2px 0 #8c959f;white-space:nowrap;"
         "position:sticky;top:0;background:var(--jp-layout-color0,#fff)")
#: Tables scroll sideways in their own box (whole identifiers can be wider than the notebook), and one taller
#: than :data:`TABLE_LINES` lines also scrolls down inside a box of bounded height.
_TABLE_BOX = "overflow-x:auto;max-width:100%;width:fit-content"
_BOX_BORDER = "border:1px solid #d0d7de;border-radius:4px"
_TALL_TABLE_BOX = f"{_TABLE_BOX};max-height:48em;overflow-y:auto;{_BOX_BORDER}"
TABLE_LINES = 30
#: Set inline on every code block: nbconvert's CSS says ``pre { font-family: inherit }``, and a stylesheet
#: never beats a style attribute, so this is what keeps JSON monospaced in every renderer.
MONO = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
_CODE_BG = "#f6f8fa"
#: Identifiers (names, addresses, ``${...}`` tokens) never break at a hyphen or a dot.
_NOWRAP = "white-space:nowrap;word-break:keep-all"
_PRE = f"{MONO};white-space:pre;background:{_CODE_BG};margin:0;padding:6px 8px;font-size:12px;line-height:1.4"
#: A JSON block taller than this scrolls inside its box instead of stretching the notebook.
SCROLL = f"max-height:32em;overflow:auto;border:1px solid #d0d7de;border-radius:4px;background:{_CODE_BG}"
#: Table columns that hold identifiers: their cells do not wrap.
IDENT_COLUMNS = frozenset({"stack", "address", "type", "name", "output", "resource", "attribute", "logical id",
                           "setting", "flavor", "table", "env", "code", "where", "path", "file", "severity", "state"})


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
    other relative names are shown as they are, unless they lie under a relative ``root``.
    """
    text = str(path)
    pure = PurePath(text)
    if root is not None:
        try:  # the same spelling as the blueprint folder (both absolute, or both relative to the cwd)
            return pure.relative_to(PurePath(root)).as_posix() or "."
        except ValueError:
            pass
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


def json_text(data: Any, sort_keys: bool = True) -> str:
    """2-space JSON for reading (keys sorted as in ``cdk.tf.json``, or in document order); a string value
    holding JSON (an IAM ``policy``) is shown parsed and pretty-printed in its place, marked
    ``/* JSON string, parsed for display */``. Display only: the data (``Stack``, ``cdk.tf.json``) keeps the
    string."""
    found: list[Any] = []
    shown = _expand_embedded(data, found)
    text = json.dumps(shown, indent=2, sort_keys=sort_keys, ensure_ascii=False, default=str)
    if not found:
        return text

    lines = []
    for line in text.split("\n"):
        m = re.search(r'"\\u0000fd-embedded-json-(\d+)"', line)
        if m and int(m.group(1)) < len(found):
            indent = line[: len(line) - len(line.lstrip())]
            inner = json.dumps(found[int(m.group(1))], indent=2, sort_keys=sort_keys, ensure_ascii=False,
                               default=str)
            line = (line[: m.start()] + "/* JSON string, parsed for display */ " + inner.replace("\n", "\n" + indent)
                    + line[m.end():])
        lines.append(line)
    return "\n".join(lines)


def highlight_json(data: Any, sort_keys: bool = True) -> str:
    """Pretty, colourised JSON (pygments escapes the text) in a ``<pre>`` whose font, whitespace and
    background are set inline; plain escaped text for huge documents. See :func:`json_text`."""
    text = json_text(data, sort_keys)
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


def json_block(data: Any, label: str, open_: bool = False, sort_keys: bool = True) -> str:
    """JSON folded in a ``<details>`` (closed unless ``open_``) whose summary names it and its size, in a
    scroll box of bounded height. ``sort_keys=False`` keeps a document's own key order."""
    summary = f"{code(label)} <small style='color:{MUTED}'>({_size(json_text(data, sort_keys))})</small>"
    return (f"<details{' open' if open_ else ''} style='margin:4px 0'><summary style='cursor:pointer'>{summary}"
            f"</summary><div style='{SCROLL}'>{highlight_json(data, sort_keys)}</div></details>")


def html_table(columns: Sequence[str], rows: Iterable[Sequence[str]], headers: Sequence[str] | None = None,
               total: int | None = None, nowrap: Iterable[str] | None = None) -> str:
    """A table from cells that are already HTML (callers escape with :func:`esc` / :func:`cell`).

    At most :data:`MAX_ROWS` rows are shown; ``total`` (the full row count) is named under the table.
    Cells of the columns in ``nowrap`` (default: those in :data:`IDENT_COLUMNS`) never wrap; the table
    scrolls sideways in its box, and down too when it is taller than :data:`TABLE_LINES` lines.
    """
    keep = set(IDENT_COLUMNS if nowrap is None else nowrap)
    styles = [f"{_CELL};{_NOWRAP}" if c in keep else f"{_CELL};word-break:keep-all" for c in columns]
    head = "".join(f"<th style='{_HEAD}'>{esc(h)}</th>" for h in (headers or columns))
    shown = list(itertools.islice(rows, MAX_ROWS))
    body = "".join("<tr>" + "".join(f"<td style='{st}'>{c}</td>" for st, c in zip(styles, row, strict=False))
                   + "</tr>" for row in shown)
    tall = sum(1 + max((c.count("<br>") for c in row), default=0) for row in shown) > TABLE_LINES
    notes = [f"{len(shown):,} rows (the table scrolls)"] if tall else []
    if total is not None and total > len(shown):
        notes.append(f"&hellip; {total - len(shown):,} more row(s) not shown")
    more = f"<p style='color:{MUTED};margin:2px 0 8px 0'>{' &middot; '.join(notes)}</p>" if notes else ""
    box = _TALL_TABLE_BOX if tall else _TABLE_BOX
    return (f"<div style='{box}'><table style='{_TABLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            f"</table></div>{more}")


def tags_html(tags: Mapping[str, Any]) -> str:
    """Tags as ``key=value`` lines, each kept whole."""
    return "<br>".join(f"<span style='{MONO};{_NOWRAP};font-size:12px'>{esc(k)}={esc(_plain(v))}</span>"
                       for k, v in sorted(tags.items(), key=lambda kv: str(kv[0]))) or ""


def cell(value: Any, column: str = "") -> str:
    """A data value as table-cell HTML: JSON for containers (``key=value`` lines for a tags column), blank
    for ``None``; a ``${...}`` token is kept whole."""
    if value is None:
        return ""
    if isinstance(value, Note):
        return f"<span style='color:{SEVERITY_COLOURS.get(value.tone, MUTED)}'>{esc(value.text)}</span>"
    if isinstance(value, Mapping) and (("tags" in column.lower()) or (value and all(
            isinstance(v, str) for v in value.values()))):
        return tags_html(value)  # an object of strings (tags, say) as key=value lines
    if isinstance(value, Mapping | list | tuple):
        return code(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))
    if isinstance(value, bool):
        return badge("true", GOOD) if value else badge("false", MUTED)
    if isinstance(value, str) and "${" in value:
        return ident(value)
    return esc(value)


def _plain(value: Any) -> str:
    if isinstance(value, Note):
        return value.text
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
            return title + f"<p style='color:{MUTED}'>(no rows)</p>"
        return title + html_table(self.columns, ([cell(r.get(c), c) for c in self.columns] for r in self.rows),
                                  total=len(self.rows))


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


def stacks_html(stacks: Mapping[str, Mapping[str, Any]], environment: str, engine: str) -> str:
    """A per-stack summary (resources, outputs) then each stack's JSON, highlighted and folded."""
    shown = [Stack(n, s) for n, s in stacks.items()]
    rows = []
    for s in shown:
        res, outs = s.resources(), s.outputs()
        rows.append([f"<b>{esc(s.name)}</b>", ident_list(r["address"] for r in res),
                     ident_list(o["output"] for o in outs)])
    parts = [f"<p style='margin:4px 0'><b>{len(shown)} stack(s)</b> for environment {code(environment)}"
             f" <small style='color:{MUTED}'>({esc(engine)})</small></p>",
             html_table(["stack", "resources", "outputs"], rows, total=len(rows))]
    blocks = "".join(json_block(dict(s), f"stacks/{s.name}/cdk.tf.json") for s in shown)
    # many stacks: their (folded) documents scroll in one box instead of a page of summary lines
    parts.append(f"<div style='max-height:24em;overflow-y:auto;{_BOX_BORDER};padding:0 6px'>{blocks}</div>"
                 if len(shown) > 12 else blocks)
    return "<div>" + "".join(parts) + "</div>"


# -- objects that need the plugin host to be shown -------------------------------------------------

_PRESENTERS: dict[type, Callable[[Any], str]] = {}


def register_presenter(cls: type, render: Callable[[Any], str]) -> None:
    """Let ``render`` draw instances of ``cls`` (a resource, a workspace) in Jupyter.

    A resource is described by its flavor's plugin, which only the host (a layer above the models) can
    ask; so the models' ``_repr_html_`` look their presenter up here and :mod:`facets_dynamo.views`, imported
    with the API, registers it. Without it they show their plain ``repr``.
    """
    _PRESENTERS[cls] = render


def present(obj: Any) -> str:
    render = _PRESENTERS.get(type(obj))
    if render is None:
        return f"<pre style='{_PRE}'>{esc(repr(obj))}</pre>"
    return render(obj)
