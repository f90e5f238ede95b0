"""The problems panel: every diagnostic of the workspace, with where it is; Enter jumps there."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from ...diagnostics import Diagnostic
from ...files import same_path
from ..messages import ProblemChosen

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class ProblemsPanel(DataTable[object]):
    """A table of diagnostics; selecting a row posts :class:`ProblemChosen`."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.diagnostics: list[Diagnostic] = []
        self.root: Path | None = None
        self._shown = False

    def on_mount(self) -> None:
        self._add_columns()
        self.border_title = "Problems"

    def _add_columns(self) -> None:
        self.add_column("severity", key="severity", width=8)
        self.add_column("where", key="where")
        self.add_column("code", key="code", width=7)
        self.add_column("problem", key="message")

    def show(self, diagnostics: list[Diagnostic], current: str | None = None) -> None:
        """Replace the rows; the current file's problems come first (they are what the user is fixing)."""
        def order(d: Diagnostic) -> tuple[bool, Diagnostic]:
            return (not same_path(d.file, current), d)

        ordered = sorted(diagnostics, key=order)
        if self._shown and ordered == self.diagnostics:
            return  # nothing new (most keystrokes): the table is not rebuilt
        self.diagnostics = ordered
        self._shown = True
        row = self.cursor_row
        # Columns are rebuilt too, so their auto widths come from these rows only: once (in tmux, Textual 8.2,
        # not reproduced under Pilot) the first rows after an empty table kept the headers' widths ("dynam").
        self.clear(columns=True)
        self._add_columns()
        for i, d in enumerate(self.diagnostics):
            where = self._short(d.file) + (f":{d.line}:{d.column}" if d.line else "")
            self.add_row(Text(str(d.severity), style=STYLE.get(str(d.severity), "")), where, d.code,
                         Text(f"{d.message}" + (f"  (at {d.path})" if d.path else "")), key=str(i))
        if self.diagnostics:
            self.move_cursor(row=min(max(row, 0), len(self.diagnostics) - 1))
        errors = sum(d.is_error for d in self.diagnostics)
        warnings = len(self.diagnostics) - errors
        self.border_title = (f"Problems: {errors} error(s), {warnings} warning(s)" if self.diagnostics
                             else "Problems: none")
        self.set_class(errors > 0, "-errors")

    def _short(self, file: str) -> str:
        if self.root is not None:
            try:
                return str(Path(file).resolve().relative_to(self.root.resolve()))
            except (ValueError, OSError):
                pass
        return Path(file).name or file

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if 0 <= index < len(self.diagnostics):
            self.post_message(ProblemChosen(self.diagnostics[index]))


