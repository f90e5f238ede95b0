"""Problems found in resource files, as records a pipeline, an editor or a notebook can use.

Every check in facets-dynamo reports through :class:`Diagnostic` so that the CLI, the TUI and the
Python API agree on what a problem is: where it is (file, line, column, JSON pointer), how bad it is,
a stable code to grep or suppress by, and a message that says how to fix it.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path


class Severity(enum.StrEnum):
    """How bad a problem is: only errors fail ``validate``/``synth`` (exit code 1); the rest inform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem. ``line`` and ``column`` are 1-based; 0 means "no position" (e.g. an unreadable file)."""

    file: str
    line: int
    column: int
    path: str
    severity: Severity
    code: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def format_text(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column}"
        path = f" at {self.path or '/'}" if self.path is not None else ""
        return f"{where}: {self.severity} {self.code}{path}: {self.message}"

    def format_github(self) -> str:
        """A GitHub Actions workflow command; values are escaped as the runner expects."""
        level = {"error": "error", "warning": "warning", "info": "notice"}[str(self.severity)]
        props = [f"file={_gh_prop(self.file)}"]
        if self.line:
            props += [f"line={self.line}", f"col={self.column}"]
        props.append(f"title={_gh_prop(self.code)}")
        text = f"{self.message} (at {self.path or '/'})"
        return f"::{level} {','.join(props)}::{_gh_data(text)}"


def _gh_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(value: str) -> str:
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Diagnostics(Sequence[Diagnostic]):
    """An ordered, de-duplicated list of diagnostics that renders itself in Jupyter.

    ``root`` is the blueprint folder the problems were found in, when known (``validate`` sets it): the HTML
    view shows file paths relative to it. It is not part of the data and is ignored when comparing.
    """

    items: list[Diagnostic] = field(default_factory=list)
    root: Path | None = field(default=None, compare=False, repr=False)

    def __getitem__(self, index):  # type: ignore[override]
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, more: Iterable[Diagnostic]) -> None:
        self.items.extend(more)

    def sorted(self) -> Diagnostics:
        return Diagnostics(sorted(set(self.items), key=_sort_key), self.root)

    def to_json(self) -> str:
        return json.dumps([d.to_dict() for d in self.sorted()], indent=2)

    def __repr__(self) -> str:
        if not self.items:
            return "Diagnostics([]) # no problems"
        return "\n".join(d.format_text() for d in self.sorted())

    def _repr_html_(self) -> str:
        return self.to_html(self.root)

    def to_html(self, root: Path | str | None = None) -> str:
        """A problem table: severity in colour, code, file:line:column (relative to ``root``, the blueprint,
        or the working directory), JSON path and the message."""
        from .display import GOOD, MUTED, SEVERITY_COLOURS, badge, code, display_path, esc, html_table, ident

        items = self.sorted()
        if not items:
            return f"<p style='color:{GOOD};margin:4px 0'>&#10004; no problems</p>"
        counts = {s: sum(1 for d in items if str(d.severity) == s) for s in SEVERITY_COLOURS}
        summary = ", ".join(f"<b style='color:{SEVERITY_COLOURS[s]}'>{n} {s}{'s' if n != 1 else ''}</b>"
                            for s, n in counts.items() if n)

        def where(d: Diagnostic) -> str:
            file = display_path(d.file, root)
            return f"{file}:{d.line}:{d.column}" if d.line else file

        rows = ([badge(str(d.severity), SEVERITY_COLOURS.get(str(d.severity), MUTED)), code(d.code),
                 ident(where(d)), code(d.path or "/"), esc(d.message)] for d in items)
        return (f"<div><p style='margin:4px 0'>{summary}</p>"
                + html_table(["severity", "code", "where", "path", "message"], rows, total=len(items)) + "</div>")


def _sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file, d.line, d.column, d.code, d.message)
