"""Preview of the synthesized Terraform JSON and its diff against the last saved version."""

from __future__ import annotations

from difflib import SequenceMatcher

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Selection

from ...semantics import Effect
from ..changes import DiffView


def set_line(static: Static, content: str) -> None:
    """``Static.update`` without a layout pass when the old and the new text each fit on one line.

    A layout pass repaints the whole screen (20-60 ms at 1,000 resources, on the UI thread: measured), and the
    status lines change twice for every preview; a key typed meanwhile waited for it."""
    old = str(static.content)
    if old == content:
        return
    width = static.content_region.width
    one_line = width > 0 and all("\n" not in t and cell_len(t) <= width for t in (old, content))
    static.update(content, layout=not one_line)


class PreviewPane(Vertical):
    """A status line (fresh / stale / failed / working) over a read-only JSON view."""

    subject: object = None

    def compose(self) -> ComposeResult:
        yield Static("waiting for the first preview…", id="preview-status", classes="status -working")
        yield TextArea("", language="json", read_only=True, show_line_numbers=True, soft_wrap=False,
                       id="preview-text")

    @property
    def text(self) -> str:
        return self.query_one("#preview-text", TextArea).text

    @property
    def status(self) -> str:
        return str(self.query_one("#preview-status", Static).content)

    @property
    def changed_note(self) -> str:
        """Which lines the last preview changed ("changed: line 12-14"), shown on the view's bottom border."""
        return str(self.query_one("#preview-text", TextArea).border_subtitle or "")

    @changed_note.setter
    def changed_note(self, note: str) -> None:
        self.query_one("#preview-text", TextArea).border_subtitle = note

    def set_status(self, message: str, state: str) -> None:
        """``state`` is one of fresh, stale, failed, working (a CSS class colours the line)."""
        status = self.query_one("#preview-status", Static)
        set_line(status, message)
        for name in ("fresh", "stale", "failed", "working"):
            status.set_class(name == state, f"-{name}")
        self.set_class(state in {"stale", "failed"}, "-stale")

    def show(self, text: str, subject: object = None) -> tuple[int, int] | None:
        """Show ``text``. For the same ``subject`` (the stack shown) the lines that changed since the last
        preview are selected and scrolled to, and returned (first row, end row); another subject starts at
        the top."""
        area = self.query_one("#preview-text", TextArea)
        same = subject == self.subject
        self.subject = subject
        old = area.text
        if old == text:
            if not same:
                area.move_cursor((0, 0))
                area.scroll_to(0, 0, animate=False)
            return None
        area.load_text(text)
        if not same or not old:
            area.move_cursor((0, 0))
            area.scroll_to(0, 0, animate=False)
            return None
        changed = changed_lines(old.splitlines(), text.splitlines())
        if changed is None:
            return None
        first, end = changed
        last = max(first, end - 1)
        area.selection = Selection((first, 0), (last, len(area.document.get_line(last))))
        area.scroll_cursor_visible(center=True, animate=False)
        return changed


def changed_lines(old: list[str], new: list[str]) -> tuple[int, int] | None:
    """The rows of ``new`` from the first to the last line that differ from ``old`` (end exclusive)."""
    blocks = [op for op in SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not blocks:
        return None
    first = blocks[0][3]
    end = max(blocks[-1][4], first + 1)
    return first, min(end, len(new))


class DiffPane(Vertical):
    """Changes of the preview against the saved version; changes that lose data are marked."""

    def compose(self) -> ComposeResult:
        yield Static("no diff yet", id="diff-summary", classes="status")
        with VerticalScroll(id="diff-scroll"):
            yield Static("", id="diff-body")

    _pending: tuple[DiffView, str] | None = None

    @property
    def summary(self) -> str:
        self._flush()
        return str(self.query_one("#diff-summary", Static).content)

    @property
    def body(self) -> str:
        self._flush()
        return str(self.query_one("#diff-body", Static).content)

    def show(self, view: DiffView, note: str = "") -> None:
        """Show ``view``; while the Diff tab is hidden it is only kept, and drawn when the tab is shown (its
        body changes with every edit, and each change is a layout pass of the whole screen)."""
        self._pending = (view, note)
        if self.display and (self.parent is None or self.parent.display):
            self._flush()

    def on_show(self) -> None:
        self._flush()

    def _flush(self) -> None:
        if self._pending is not None:
            view, note = self._pending
            self._pending = None
            self._draw(view, note)

    def _draw(self, view: DiffView, note: str) -> None:
        summary = self.query_one("#diff-summary", Static)
        lost = view.loses_data
        what = view.name or "the resource"
        if not view.changed:
            set_line(summary, note or "no changes against the saved version")
        elif lost:
            verdict = "REPLACES" if view.effect is Effect.REPLACES else "DESTROYS"
            set_line(summary, f"⚠ {verdict} {what} (what it holds is lost) — {len(view.items)} change(s) against the "
                           "saved version")
        elif view.effect is Effect.UNKNOWN:
            set_line(summary, f"{len(view.items)} change(s) against the saved version; "
                           + (view.error or "the flavor's plugin does not say what they do"))
        else:
            set_line(summary, f"{len(view.items)} change(s) against the saved version; {what} is updated in place"
                           + (f" ({note})" if note else ""))
        summary.set_class(lost, "-failed")
        summary.set_class(view.changed and not lost, "-stale")
        text = Text()
        for reason in view.reasons:
            text.append("⚠ " + reason + "\n", "bold red")
        if view.reasons:
            text.append("\n")
        for line, loses in view.items:
            style = "bold red" if loses else {"+": "green", "-": "red"}.get(line[:1], "yellow")
            text.append(line, style)
            if loses:
                text.append("  ← loses data", "bold red reverse")
            text.append("\n")
        if view.lines:
            text.append("\nsynthesized Terraform JSON (saved → edited):\n", "bold")
            for line in view.lines:
                style = ("bold" if line.startswith(("+++", "---")) else "green" if line.startswith("+")
                         else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else "dim")
                text.append(line + "\n", style)
        body = self.query_one("#diff-body", Static)
        if body.content != text:
            body.update(text)

    def show_message(self, message: str, state: str = "stale") -> None:
        self._pending = None  # the message says why there is no diff now
        summary = self.query_one("#diff-summary", Static)
        set_line(summary, message)
        summary.set_class(state == "failed", "-failed")
        summary.set_class(state == "stale", "-stale")
