"""The problems panel: every diagnostic of the workspace, with where it is; Enter jumps there."""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from ...diagnostics import Diagnostic
from ..messages import ProblemChosen
from ..session import file_key

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MAX_ROWS = 200  # then one row says how many more: a table of thousands is not read, and each row costs
WRAPPED_ROWS = 50
MIN_MESSAGE_WIDTH = 24  # narrower, a wrapped message is a column of fragments: it stays on one line


class ProblemsPanel(DataTable[object]):
    """A table of diagnostics; selecting a row posts :class:`ProblemChosen`."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.diagnostics: list[Diagnostic] = []
        self.root: Path | None = None
        self._shown = False
        self._laid_out_for = 0
        self._current: str | None = None

    def on_mount(self) -> None:
        self._add_columns()
        self.border_title = "Problems"

    def _add_columns(self, where: int | None = None, message: int | None = None) -> None:
        self.add_column("severity", key="severity", width=8)
        self.add_column("where", key="where", width=where)
        self.add_column("code", key="code", width=7)
        self.add_column("problem", key="message", width=message)

    def _message_width(self, wheres: list[str]) -> tuple[int, int | None]:
        """The widths of the where and problem columns: messages wrap in what the other columns leave (a
        browser tab or an 80-column terminal cut them off, and the position hint came last); before the first
        layout the width is unknown and messages stay on one line."""
        where = max((len(w) for w in wheres), default=5)
        fixed = 2 * self.cell_padding * 4 + self.styles.scrollbar_size_vertical + 8 + 7
        room = self.size.width - fixed - where
        return where, (room if room >= MIN_MESSAGE_WIDTH else None)

    def show(self, diagnostics: list[Diagnostic], current: str | None = None) -> None:
        """Replace the rows; the current file's problems come first (they are what the user is fixing)."""
        here = file_key(current) if current else None

        def order(d: Diagnostic) -> tuple[bool, Diagnostic]:
            return (file_key(d.file) != here, d)

        self._current = current
        ordered = sorted(diagnostics, key=order)
        if self._shown and ordered == self.diagnostics:
            return  # nothing new (most keystrokes): the table is not rebuilt
        self.diagnostics = ordered
        self._shown = True
        row = self.cursor_row
        shown = ordered[:MAX_ROWS]
        # Columns are rebuilt too, so their auto widths come from these rows only: once (in tmux, Textual 8.2,
        # not reproduced under Pilot) the first rows after an empty table kept the headers' widths ("dynam").
        self.clear(columns=True)
        wheres = [self._short(d.file) + (f":{d.line}:{d.column}" if d.line else "") for d in shown]
        where_width, message_width = self._message_width(wheres)
        if message_width is None:  # a narrow pane: the file's name alone leaves the message room to wrap
            wheres = [Path(d.file).name + (f":{d.line}:{d.column}" if d.line else "") for d in shown]
            where_width, message_width = self._message_width(wheres)
        self._laid_out_for = self.size.width
        self._add_columns(where_width, message_width)
        for i, (d, where) in enumerate(zip(shown, wheres, strict=True)):
            message = Text(f"{d.message}" + (f"  (at {d.path})" if d.path else ""))
            # Wrapping measures every cell (~1.5 ms a row): the open file's problems, the ones being fixed,
            # wrap; a blueprint's thousands of others stay one line each (Enter opens them).
            wrap = message_width is not None and i < WRAPPED_ROWS and file_key(d.file) == here
            self.add_row(Text(str(d.severity), style=STYLE.get(str(d.severity), "")), where, d.code, message,
                         key=str(i), height=None if wrap else 1)
        if len(ordered) > len(shown):
            files = len({file_key(d.file) for d in ordered[len(shown):]})
            self.add_row("", "", "", Text(f"… {len(ordered) - len(shown)} more in {files} file(s): the sidebar "
                                          "counts each file's; `facets-dynamo validate` lists them all",
                                          style="italic"), key="more")
        if shown:
            self.move_cursor(row=min(max(row, 0), len(shown) - 1))
        errors = sum(d.is_error for d in ordered)
        warnings = len(ordered) - errors
        self.border_title = (f"Problems: {errors} error(s), {warnings} warning(s)" if ordered
                             else "Problems: none")
        self.set_class(errors > 0, "-errors")

    def on_resize(self) -> None:
        if self._shown and self.size.width != self._laid_out_for:  # the messages wrap to the new width
            self._shown = False
            self.show(self.diagnostics, self._current)

    def _short(self, file: str) -> str:
        """The file relative to the blueprint (no call to the disk: this runs for every row shown)."""
        if self.root is not None:
            relative = os.path.relpath(file_key(file), file_key(self.root))
            if not relative.startswith(".."):
                return relative
        return Path(file).name or file

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if 0 <= index < min(len(self.diagnostics), MAX_ROWS):  # not the "… more" row
            self.post_message(ProblemChosen(self.diagnostics[index]))


