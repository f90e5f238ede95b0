"""The form view of a dynamodb resource: the fields people change most, without writing JSON.

The form holds no document of its own. It shows the last parsed document (``load``) and turns every
edit into a :class:`FormEdited` transform for the app to apply to the raw text; when the raw text does
not parse, the form is marked out of date and stops sending edits, so it can never overwrite the buffer.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Collapsible, DataTable, Input, Label, Select, Static, Switch

from .. import formmodel as fm
from ..messages import FormEdited

ATTRIBUTE_ID = re.compile(r"^[a-zA-Z0-9_-]+$")
SWITCHES = [k for k, (_label, kind) in fm.OPTIONS.items() if kind == "bool"]
SELECTS = {"billing_mode": fm.BILLING_MODES, "stream_view_type": fm.STREAM_VIEW_TYPES,
           "table_class": fm.TABLE_CLASSES}
TEXTS = {"read_capacity": "int", "write_capacity": "int", "range_key": "str", "ttl_attribute_name": "str"}


class AttributeScreen(ModalScreen[fm.Attribute | None]):
    """Add or rename/retype one key attribute."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, attr: fm.Attribute | None, taken: set[str]) -> None:
        super().__init__(classes="modal")
        self.attr = attr
        self.taken = taken

    def compose(self) -> ComposeResult:
        a = self.attr or fm.Attribute("", "", "S")
        with VerticalScroll(classes="dialog"):
            yield Label("Rename attribute" if self.attr else "Add attribute", classes="dialog-title")
            yield Label("Logical id (letters, digits, '_' or '-')")
            yield Input(a.id, placeholder="e.g. customer", id="attr-id")
            yield Label("Attribute name (as DynamoDB sees it)")
            yield Input(a.name, placeholder="e.g. CustomerId", id="attr-name")
            yield Label("Type")
            yield Select([("S (string)", "S"), ("N (number)", "N"), ("B (binary)", "B")],
                         value=a.type if a.type in fm.TYPES else "S", allow_blank=False, id="attr-type")
            yield Static("", id="attr-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        attr_id = self.query_one("#attr-id", Input).value.strip()
        name = self.query_one("#attr-name", Input).value.strip()
        type_ = str(self.query_one("#attr-type", Select).value)
        error = ("the logical id must be letters, digits, '_' or '-'" if not ATTRIBUTE_ID.match(attr_id)
                 else f"id {attr_id!r} is used by another attribute" if attr_id in self.taken
                 else "the attribute name must not be empty" if not name else "")
        if error:
            self.query_one("#attr-error", Static).update(error)
            return
        self.dismiss(fm.Attribute(attr_id, name, type_))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SpecForm(VerticalScroll):
    """Hash key, attributes, disabled, metadata and the common advanced options."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+o", "add_attribute", "Add attribute"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data: dict[str, Any] = {}
        self.stale = False

    def compose(self) -> ComposeResult:
        yield Static("", id="form-banner")
        yield Label("Hash (partition) key", classes="field-label")
        yield Input(placeholder="name of a declared attribute", id="hash_key")
        yield Label("Key attributes", classes="field-label")
        table: DataTable[str] = DataTable(id="attributes", cursor_type="row", zebra_stripes=True)
        yield table
        with Horizontal(classes="attr-buttons"):
            yield Button("Add", id="attr-add", compact=True)
            yield Button("Rename", id="attr-edit", compact=True)
            yield Button("Remove", id="attr-remove", compact=True, variant="error")
            yield Label(" type ", classes="inline-label")
            yield Select([(t, t) for t in fm.TYPES], id="attr-type-select", allow_blank=True, compact=True,
                         prompt="-")
        with Horizontal(classes="switch-row"):
            yield Switch(id="disabled")
            yield Label("Disabled (keep in the blueprint, do not provision)", classes="switch-label")
        yield Label("Metadata name (default: the file name)", classes="field-label")
        yield Input(placeholder="resource name", id="metadata_name")
        yield Label("Tags (key=value, comma separated)", classes="field-label")
        yield Input(placeholder="team=core, owner=ana", id="tags")
        with Collapsible(title="Advanced options (advanced.aws_dynamodb)", collapsed=False, id="advanced"):
            for key, (label, kind) in fm.OPTIONS.items():
                if kind == "bool":
                    with Horizontal(classes="switch-row"):
                        yield Switch(id=key)
                        yield Label(label, classes="switch-label")
                elif key in SELECTS:
                    yield Label(label, classes="field-label")
                    yield Select([(v, v) for v in SELECTS[key]], id=key, prompt="(not set)")
                else:
                    yield Label(label, classes="field-label")
                    yield Input(id=key, type="integer" if kind == "int" else "text",
                                placeholder="(not set)")

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.select_on_focus = False  # tabbing through the form must not arm "type to replace"
        table = self.query_one("#attributes", DataTable)
        table.add_column("id", key="id")
        table.add_column("name", key="name")
        table.add_column("type", key="type")
        table.add_column("key", key="role")

    # -- showing the document ----------------------------------------------------------------------
    def set_stale(self, reason: str | None) -> None:
        """``reason`` set: the raw JSON does not parse, so the form is out of date and read-only."""
        self.stale = reason is not None
        banner = self.query_one("#form-banner", Static)
        banner.update(f"Form out of date: {reason}\nFix the JSON (F2) — the form is read-only until it parses."
                      if reason else "")
        banner.set_class(self.stale, "-visible")
        for widget in self.query("Input, Switch, Select, Button, DataTable"):
            if widget.id not in {"tags"} or self.stale:
                widget.disabled = self.stale
        if not self.stale:
            self.query_one("#tags", Input).disabled = not fm.tags_editable(self.data)

    def load(self, data: dict[str, Any]) -> None:
        """Show ``data`` without sending edits back (values equal to the widget's are left alone)."""
        self.data = data
        attrs = fm.attributes(data)
        names = [a.name for a in attrs if a.name]
        with self.prevent(Input.Changed, Switch.Changed, Select.Changed):
            self._set_input("hash_key", fm.hash_key(data))
            self.query_one("#hash_key", Input).suggester = SuggestFromList(names, case_sensitive=True)
            self._set_switch("disabled", fm.disabled(data))
            self._set_input("metadata_name", fm.metadata_name(data))
            tags_input = self.query_one("#tags", Input)
            editable = fm.tags_editable(data)
            tags_input.disabled = not editable or self.stale
            tags_input.placeholder = "team=core, owner=ana" if editable else "tags hold ',' or '=': edit them in JSON"
            if editable and fm.parse_tags_or_none(tags_input.value) != fm.tags(data):
                self._set_input("tags", fm.format_tags(fm.tags(data)))
            for key in SWITCHES:
                self._set_switch(key, fm.option(data, key) is True)
            for key, values in SELECTS.items():
                value = fm.option(data, key)
                select = self.query_one(f"#{key}", Select)
                wanted = value if value in values else Select.NULL
                if select.value != wanted:
                    select.value = wanted
            for key, kind in TEXTS.items():
                value = fm.option(data, key)
                current = self.query_one(f"#{key}", Input).value
                if kind == "int" and current.strip() and value == _int_or_none(current):
                    continue
                self._set_input(key, "" if value is None else str(value))
            self.query_one("#range_key", Input).suggester = SuggestFromList(names, case_sensitive=True)
            self.query_one("#ttl_attribute_name", Input).suggester = SuggestFromList(names, case_sensitive=True)
        self._fill_attributes(attrs, data)

    def _set_input(self, widget_id: str, value: str) -> None:
        widget = self.query_one(f"#{widget_id}", Input)
        if widget.value != value:
            widget.value = value

    def _set_switch(self, widget_id: str, value: bool) -> None:
        widget = self.query_one(f"#{widget_id}", Switch)
        if widget.value != value:
            widget.value = value

    def _fill_attributes(self, attrs: list[fm.Attribute], data: dict[str, Any]) -> None:
        table = self.query_one("#attributes", DataTable)
        row = table.cursor_row
        table.clear()
        hash_key, range_key = fm.hash_key(data), fm.option(data, "range_key")
        for a in attrs:
            role = "hash" if a.name == hash_key else "range" if a.name == range_key else ""
            table.add_row(a.id, a.name, a.type, role, key=a.id)
        if attrs:
            table.move_cursor(row=min(max(row, 0), len(attrs) - 1))
        self._sync_type_select()

    def selected_attribute(self) -> fm.Attribute | None:
        table = self.query_one("#attributes", DataTable)
        attrs = fm.attributes(self.data)
        if not attrs or table.cursor_row < 0 or table.cursor_row >= len(attrs):
            return None
        return attrs[table.cursor_row]

    def _sync_type_select(self) -> None:
        attr = self.selected_attribute()
        select = self.query_one("#attr-type-select", Select)
        wanted = attr.type if attr and attr.type in fm.TYPES else Select.NULL
        if select.value != wanted:
            with self.prevent(Select.Changed):
                select.value = wanted

    # -- turning edits into transforms -------------------------------------------------------------
    def _edit(self, transform: fm.Transform, what: str) -> None:
        if self.stale:
            self.notify("The JSON does not parse: fix it first, the form is out of date", severity="warning")
            return
        self.post_message(FormEdited(transform, what))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        # Read the widget, not the event: a late event from load() then carries the loaded value (a no-op)
        # instead of an older one that would undo what the user typed in the JSON meanwhile.
        key, value = event.input.id or "", event.input.value
        event.stop()
        if key == "hash_key":
            self._edit(lambda d: fm.set_hash_key(d, value), "hash key")
        elif key == "metadata_name":
            self._edit(lambda d: fm.set_metadata_name(d, value), "metadata name")
        elif key == "tags":
            try:
                tags = fm.parse_tags(value)
            except ValueError as exc:
                event.input.set_class(True, "-invalid")
                event.input.tooltip = str(exc)
                return
            event.input.set_class(False, "-invalid")
            event.input.tooltip = None
            self._edit(lambda d: fm.set_tags(d, tags), "tags")
        elif key in TEXTS:
            if TEXTS[key] == "int":
                number = _int_or_none(value)
                if value.strip() and number is None:
                    return
                self._edit(lambda d: fm.set_option(d, key, number), key)
            else:
                self._edit(lambda d: fm.set_option(d, key, value), key)

    @on(Switch.Changed)
    def _switch_changed(self, event: Switch.Changed) -> None:
        key, value = event.switch.id or "", event.switch.value
        event.stop()
        if key == "disabled":
            self._edit(lambda d: fm.set_disabled(d, value), "disabled")
        elif key in SWITCHES:
            self._edit(lambda d: fm.set_option(d, key, value), key)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        key = event.select.id or ""
        current = event.select.value
        value = None if current is Select.NULL else current
        event.stop()
        if key in SELECTS:
            self._edit(lambda d: fm.set_option(d, key, value), key)
        elif key == "attr-type-select" and value is not None:
            attr = self.selected_attribute()
            if attr is not None and attr.type != value:
                new = fm.Attribute(attr.id, attr.name, str(value))
                self._edit(lambda d: fm.update_attribute(d, attr.id, new), f"type of {attr.name}")

    @on(DataTable.RowHighlighted, "#attributes")
    def _row_highlighted(self) -> None:
        self._sync_type_select()

    @on(DataTable.RowSelected, "#attributes")
    @on(Button.Pressed, "#attr-edit")
    def action_rename_attribute(self) -> None:
        attr = self.selected_attribute()
        if attr is None or self.stale:
            return
        taken = {a.id for a in fm.attributes(self.data)} - {attr.id}

        def done(new: fm.Attribute | None) -> None:
            if new is not None and new != attr:
                self._edit(lambda d: fm.update_attribute(d, attr.id, new), f"attribute {new.name}")

        self.app.push_screen(AttributeScreen(attr, taken), done)

    @on(Button.Pressed, "#attr-add")
    def action_add_attribute(self) -> None:
        if self.stale:
            return
        taken = {a.id for a in fm.attributes(self.data)}

        def done(new: fm.Attribute | None) -> None:
            if new is not None:
                self._edit(lambda d: fm.add_attribute(d, new), f"attribute {new.name}")

        self.app.push_screen(AttributeScreen(None, taken), done)

    @on(Button.Pressed, "#attr-remove")
    def action_remove_attribute(self) -> None:
        attr = self.selected_attribute()
        if attr is not None:
            self._edit(lambda d: fm.remove_attribute(d, attr.id), f"removed attribute {attr.name}")


def _int_or_none(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None
