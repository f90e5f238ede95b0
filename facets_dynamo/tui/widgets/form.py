"""The form view of a resource, built from its flavor's :class:`~facets_dynamo.forms.Form` (``edit_form`` hook).

The form holds no document of its own. It shows the last parsed document (``load``) and turns every edit
into a :class:`FormEdited` transform for the app to apply to the raw text; when the raw text does not
parse, the form is marked out of date and stops sending edits, so it can never overwrite the buffer. The
widgets are rebuilt only when the form's shape changes (another flavor), not on every keystroke.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Collapsible, DataTable, Input, Label, Select, Static, Switch

from ...diagnostics import Diagnostic
from ...forms import Collection, Field, FieldKind, Form
from .. import formmodel as fm
from ..messages import FormEdited


def widget_id(pointer: str) -> str:
    """A readable widget id for a pointer: its last two tokens (``/spec/hash_key`` -> ``spec-hash_key``)."""
    tokens = [re.sub(r"[^A-Za-z0-9_]", "_", t) for t in fm.parts(pointer)] or ["root"]
    return "-".join(tokens[-2:])


def field_widgets(f: Field, wid: str) -> Iterable[Widget]:
    """The label and input widget of one field (empty at first; values are set by ``_show``), then a line for
    the diagnostics about it (hidden while there are none)."""
    yield from _input_widgets(f, wid)
    yield Static("", id=f"{wid}-problem", classes="field-problem")


def _input_widgets(f: Field, wid: str) -> Iterable[Widget]:
    if f.kind is FieldKind.SWITCH:
        yield Horizontal(Switch(id=wid), Label(f.label, classes="switch-label"), classes="switch-row")
        return
    yield Label(f.label, classes="field-label")
    if f.kind is FieldKind.CHOICE:
        yield Select([(c, c) for c in f.choices], id=wid, prompt="(not set)", allow_blank=not f.required)
        return
    placeholder = f.placeholder or ("key=value, ..." if f.kind is FieldKind.TAGS else
                                    "a, b, ..." if f.kind is FieldKind.LIST else "(not set)")
    kinds = {FieldKind.INTEGER: "integer", FieldKind.NUMBER: "number"}
    field = Input(id=wid, type=kinds.get(f.kind, "text"), placeholder=placeholder)
    field.select_on_focus = False  # tabbing through the form must not arm "type to replace"
    if f.suggestions:
        field.suggester = SuggestFromList(f.suggestions, case_sensitive=True)
    yield field


def value_of(widget: Widget, f: Field) -> tuple[bool, Any]:
    """``(ok, value)`` read from a field's widget; ``ok`` is False (and the widget marked) when it does not parse."""
    if isinstance(widget, Switch):
        return True, widget.value
    if isinstance(widget, Select):
        return True, None if widget.value is Select.NULL else widget.value
    assert isinstance(widget, Input)
    raw = widget.value
    try:
        if f.kind is FieldKind.INTEGER:
            number = fm.parse_int(raw)
            if raw.strip() and number is None:
                raise ValueError(f"{raw.strip()!r} is not a whole number")
            value: Any = number
        elif f.kind is FieldKind.NUMBER:
            value = fm.parse_number(raw)
            if raw.strip() and value is None:
                raise ValueError(f"{raw.strip()!r} is not a number")
        elif f.kind is FieldKind.TAGS:
            value = fm.parse_tags(raw)
        elif f.kind is FieldKind.LIST:
            value = fm.parse_list(raw)
        else:
            value = raw
    except ValueError as exc:
        widget.set_class(True, "-invalid")
        widget.tooltip = str(exc)
        return False, None
    widget.set_class(False, "-invalid")
    widget.tooltip = None
    return True, value


def show_value(widget: Widget, f: Field, value: Any) -> None:
    """Put ``value`` into the field's widget unless the widget already means the same (no event storm)."""
    if isinstance(widget, Switch):
        if widget.value != (value is True):
            widget.value = value is True
    elif isinstance(widget, Select):
        wanted = value if value in f.choices else Select.NULL
        if widget.value != wanted:
            widget.value = wanted
    elif isinstance(widget, Input):
        ok, current = value_of(widget, f)
        if ok and (None if fm.empty(current) else current) == (None if fm.empty(value) else value):
            return  # e.g. "05" typed for 5: leave what the user is typing alone
        shown = (fm.format_tags(value) if f.kind is FieldKind.TAGS else fm.format_list(value)
                 if f.kind is FieldKind.LIST else fm.text(value))
        if widget.value != shown:
            widget.value = shown


def editable(f: Field, value: Any) -> bool:
    """Tags and lists round-trip through one line of text only when their values hold no separators."""
    if f.kind is FieldKind.TAGS:
        return fm.tags_editable(value)
    if f.kind is FieldKind.LIST:
        return fm.list_editable(value)
    return True


class ItemScreen(ModalScreen[tuple[str, dict[str, Any]] | None]):
    """Add or edit one item of a collection (an attribute, an index): its fields come from the flavor."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    # Typing goes to the first field at once (the scrolling dialog would otherwise take the focus).
    AUTO_FOCUS = "#item-id, .dialog Input, .dialog Select"

    def __init__(self, collection: Collection, item_id: str | None, item: dict[str, Any] | None,
                 taken: set[str]) -> None:
        super().__init__(classes="modal")
        self.collection = collection
        self.item_id = item_id
        self.item = item or {}
        self.taken = taken

    def compose(self) -> ComposeResult:
        c = self.collection
        noun = c.label.rstrip("s") if c.label.endswith("s") else c.label
        with VerticalScroll(classes="dialog"):
            yield Label(f"{'Edit' if self.item_id is not None else 'Add'} {noun.lower()}", classes="dialog-title")
            if c.keyed:
                yield Label(f"{c.id_label.capitalize()} ({c.id_hint})")
                suggest = SuggestFromList(c.id_suggestions, case_sensitive=True) if c.id_suggestions else None
                yield Input(self.item_id or "", id="item-id", suggester=suggest)
            for i, f in enumerate(c.fields):
                yield from field_widgets(f, f"item-{i}")
            yield Static("", id="item-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        for i, f in enumerate(self.collection.fields):
            show_value(self.query_one(f"#item-{i}"), f, fm.get(self.item, f.pointer))

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        c = self.collection
        item_id = self.query_one("#item-id", Input).value.strip() if c.keyed else (self.item_id or "")
        values: dict[str, Any] = {}
        error = ""
        if c.keyed and not fm.valid_id(c, item_id):
            error = f"the {c.id_label} must be {c.id_hint}"
        elif c.keyed and item_id in self.taken:
            error = f"{c.id_label} {item_id!r} is used by another item"
        for i, f in enumerate(c.fields):
            ok, value = value_of(self.query_one(f"#item-{i}"), f)
            if not ok:
                error = error or f"{f.label}: not a valid value"
            elif f.required and fm.empty(value):
                error = error or f"{f.label} must not be empty"
            values[f.pointer] = value
        if error:
            self.query_one("#item-error", Static).update(error)
            return
        self.dismiss((item_id, values))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SpecForm(VerticalScroll):
    """The envelope (disabled, name, tags), then the flavor's fields and collections, grouped by section."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+o", "add_item", "Add item")]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data: dict[str, Any] = {}
        self.stale = False
        self.form: Form | None = None
        self.fields: dict[str, Field] = {}  # widget id -> field
        self.collections: dict[str, Collection] = {}  # table id -> collection
        self._shape: Any = object()
        self._ready = False  # the widgets of ``_shape`` are mounted
        self._problems: list[Diagnostic] = []
        self._stale_reason: str | None = ""  # what the banner says (None: up to date); "" before the first load

    def compose(self) -> ComposeResult:
        yield Static("", id="form-banner")
        yield Vertical(id="form-body")

    # -- building ----------------------------------------------------------------------------------
    @staticmethod
    def _shape_of(form: Form | None) -> Any:
        if form is None:
            return None
        return (tuple((f.pointer, f.kind, f.choices, f.section) for f in form.fields),
                tuple((c.pointer, c.keyed, c.role_label, tuple((f.pointer, f.kind, f.choices) for f in c.fields))
                      for c in form.collections))

    def _build(self, form: Form | None) -> list[Widget]:
        self.fields, self.collections = {}, {}
        if form is None:
            return [Static("This flavor describes no form: edit its JSON (F2).", id="form-none")]
        sections: dict[str, list[Widget]] = {"": []}
        envelope: list[Widget] = []
        for f in fm.all_fields(form):
            wid = widget_id(f.pointer)
            self.fields[wid] = f
            target = envelope if f in fm.ENVELOPE else sections.setdefault(f.section, [])
            target.extend(field_widgets(f, wid))
        for c in form.collections:
            tid = widget_id(c.pointer)
            self.collections[tid] = c
            table: DataTable[str] = DataTable(id=tid, cursor_type="row", zebra_stripes=True, classes="collection")
            buttons = Horizontal(Button("Add", id=f"{tid}-add", compact=True),
                                 Button("Edit", id=f"{tid}-edit", compact=True),
                                 Button("Remove", id=f"{tid}-remove", compact=True, variant="error"),
                                 Button("▲ Up", id=f"{tid}-up", compact=True),
                                 Button("▼ Down", id=f"{tid}-down", compact=True),
                                 classes="collection-buttons")
            problem = Static("", id=f"{tid}-problem", classes="field-problem")
            sections.setdefault(c.section, []).extend([Label(c.label, classes="field-label"), table, problem, buttons])
        sections[""].extend(envelope)  # the flavor's main fields first, then the envelope, then the sections
        widgets = sections.pop("")
        for title, inner in sections.items():
            widgets.append(Collapsible(*inner, title=title, collapsed=False))
        return widgets

    def _columns(self) -> None:
        for tid, c in self.collections.items():
            table = self.query_one(f"#{tid}", DataTable)
            if c.keyed:
                table.add_column(c.id_label, key="id")
            for f in c.fields:
                table.add_column(f.label.split(" (")[0], key=f.pointer)
            if c.role_label:
                table.add_column(c.role_label, key="role")

    async def _rebuild(self, form: Form | None) -> None:
        self._ready = False
        body = self.query_one("#form-body", Vertical)
        await body.remove_children()
        await body.mount_all(self._build(form))
        self._columns()
        self._ready = True
        self._show()  # the newest document, which may have come while the widgets were being built
        self.show_problems(self._problems)

    # -- showing the document ----------------------------------------------------------------------
    def set_stale(self, reason: str | None) -> None:
        """``reason`` set: the raw JSON does not parse, so the form is out of date and read-only."""
        if reason == self._stale_reason:
            return
        self._stale_reason = reason
        self.stale = reason is not None
        banner = self.query_one("#form-banner", Static)
        banner.update(f"Form out of date: {reason}\nFix the JSON (F2) — the form is read-only until it parses."
                      if reason else "")
        banner.set_class(self.stale, "-visible")
        self._lock()

    def _lock(self) -> None:
        for widget in self.query("#form-body Input, #form-body Switch, #form-body Select, #form-body Button, "
                                 "#form-body DataTable"):
            f = self.fields.get(widget.id or "")
            widget.disabled = self.stale or (f is not None and not editable(f, fm.get(self.data, f.pointer)))

    def load(self, data: dict[str, Any], form: Form | None) -> None:
        """Show ``data`` with ``form`` without sending edits back (values equal to the widgets' are left)."""
        self.data, self.form = data, form
        shape = self._shape_of(form)
        if shape != self._shape:
            self._shape = shape
            self.run_worker(self._rebuild(form), group="form-build", exclusive=True)
            return
        self._show()

    def _show(self) -> None:
        if self.form is None or not self._ready:
            return
        with self.prevent(Input.Changed, Switch.Changed, Select.Changed):
            for wid, f in self.fields.items():
                widget = self.query_one(f"#{wid}")
                if f.suggestions and isinstance(widget, Input):
                    widget.suggester = SuggestFromList(f.suggestions, case_sensitive=True)
                show_value(widget, f, fm.get(self.data, f.pointer))
        current = {c.pointer: c for c in self.form.collections}
        for tid, c in self.collections.items():
            self._fill(tid, current.get(c.pointer, c))
        self._lock()

    def _fill(self, tid: str, c: Collection) -> None:
        self.collections[tid] = c  # the flavor's newest answer (roles, suggestions)
        table = self.query_one(f"#{tid}", DataTable)
        row = table.cursor_row
        table.clear()
        for item_id, item in fm.items(self.data, c):
            cells = [item_id] if c.keyed else []
            cells += [fm.format_list(v) if isinstance(v := fm.get(item, f.pointer), list) else fm.text(v)
                      for f in c.fields]
            if c.role_label:
                cells.append(c.roles.get(item_id, ""))
            table.add_row(*cells, key=item_id)
        if table.row_count:
            table.move_cursor(row=min(max(row, 0), table.row_count - 1))

    def show_problems(self, diagnostics: list[Diagnostic]) -> None:
        """Each diagnostic beside the field (or list) its pointer falls in; the rest stay in the problems panel."""
        self._problems = diagnostics
        if not self._ready:
            return  # shown when the widgets are built
        by_widget: dict[str, list[Diagnostic]] = {}
        targets = [(f.pointer, wid) for wid, f in self.fields.items()] + \
                  [(c.pointer, tid) for tid, c in self.collections.items()]
        for d in diagnostics:
            best = max(((p, w) for p, w in targets if d.path == p or d.path.startswith(p + "/")),
                       key=lambda t: len(t[0]), default=None)
            if best is not None:
                by_widget.setdefault(best[1], []).append(d)
        for wid in [w for _, w in targets]:
            found = by_widget.get(wid, [])
            for line in self.query(f"#{wid}-problem"):
                assert isinstance(line, Static)
                text = "\n".join(f"{'✖' if d.is_error else '⚠'} {d.code} {d.message}" for d in found)
                if str(line.content) != text:
                    line.update(text)
                    line.set_class(bool(found), "-visible")
                    line.set_class(any(d.is_error for d in found), "-error")

    def selected(self, tid: str) -> tuple[str, dict[str, Any]] | None:
        table = self.query_one(f"#{tid}", DataTable)
        found = fm.items(self.data, self.collections[tid])
        if not found or not 0 <= table.cursor_row < len(found):
            return None
        return found[table.cursor_row]

    # -- turning edits into transforms -------------------------------------------------------------
    def _edit(self, transform: fm.Transform, field: str | None = None) -> None:
        if self.stale:
            self.notify("The JSON does not parse: fix it first, the form is out of date", severity="warning")
            return
        self.post_message(FormEdited(transform, field))

    def _field_edited(self, widget: Widget) -> None:
        f = self.fields.get(widget.id or "")
        if f is None:
            return
        ok, value = value_of(widget, f)
        if ok:
            self._edit(lambda d: fm.set_value(d, f.pointer, value), f.pointer)

    @on(Input.Changed, "#form-body Input")
    def _input_changed(self, event: Input.Changed) -> None:
        # Read the widget, not the event: a late event from load() then carries the loaded value (a no-op)
        # instead of an older one that would undo what the user typed in the JSON meanwhile.
        event.stop()
        self._field_edited(event.input)

    @on(Switch.Changed, "#form-body Switch")
    def _switch_changed(self, event: Switch.Changed) -> None:
        event.stop()
        self._field_edited(event.switch)

    @on(Select.Changed, "#form-body Select")
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._field_edited(event.select)

    @on(Button.Pressed, ".collection-buttons Button")
    def _collection_button(self, event: Button.Pressed) -> None:
        tid, _, action = (event.button.id or "").rpartition("-")
        if tid in self.collections:
            {"add": self.add_item, "edit": self.edit_item, "remove": self.remove_item,
             "up": lambda t: self.move_item(t, -1), "down": lambda t: self.move_item(t, 1)}[action](tid)

    @on(DataTable.RowSelected, ".collection")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        self.edit_item(event.data_table.id or "")

    def focus_first(self) -> None:
        found = self.query("#form-body Input, #form-body Switch, #form-body Select").first() \
            if self.query("#form-body Input, #form-body Switch, #form-body Select") else None
        (found or self).focus()

    def action_add_item(self) -> None:
        """Add an item (Ctrl+O) to the collection whose table or buttons have the focus, else to the first one
        (key attributes for a table)."""
        if not self.collections:
            return
        focused = self.app.focused
        for tid in self.collections:
            if focused is not None and (focused.id == tid or (focused.id or "").startswith(f"{tid}-")):
                self.add_item(tid)
                return
        self.add_item(next(iter(self.collections)))

    def add_item(self, tid: str) -> None:
        if self.stale or tid not in self.collections:
            return
        c = self.collections[tid]
        taken = {i for i, _ in fm.items(self.data, c)}

        def done(result: tuple[str, dict[str, Any]] | None) -> None:
            if result is not None:
                item_id, values = result
                self._edit(lambda d: fm.add_item(d, c, item_id, values))

        self.app.push_screen(ItemScreen(c, None, None, taken), done)

    def edit_item(self, tid: str) -> None:
        chosen = self.selected(tid) if tid in self.collections else None
        if chosen is None or self.stale:
            return
        c = self.collections[tid]
        old_id, item = chosen
        taken = {i for i, _ in fm.items(self.data, c)} - {old_id}

        def done(result: tuple[str, dict[str, Any]] | None) -> None:
            if result is not None:
                new_id, values = result
                self._edit(lambda d: fm.update_item(d, c, old_id, new_id, values))

        self.app.push_screen(ItemScreen(c, old_id, item, taken), done)

    def remove_item(self, tid: str) -> None:
        chosen = self.selected(tid) if tid in self.collections else None
        if chosen is not None and not self.stale:
            c = self.collections[tid]
            self._edit(lambda d: fm.remove_item(d, c, chosen[0]))
            self.notify(f"removed {c.label.lower()} item {chosen[0]!r} (Ctrl+Z undoes)", timeout=4)

    def move_item(self, tid: str, delta: int) -> None:
        """Move the selected item up or down; the row cursor follows it."""
        chosen = self.selected(tid) if tid in self.collections else None
        if chosen is None or self.stale:
            return
        c = self.collections[tid]
        self._edit(lambda d: fm.move_item(d, c, chosen[0], delta))
        table = self.query_one(f"#{tid}", DataTable)
        table.move_cursor(row=min(max(table.cursor_row + delta, 0), max(table.row_count - 1, 0)))
