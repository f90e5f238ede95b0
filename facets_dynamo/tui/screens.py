"""Modal screens: choices that protect the user's work, prompts, and the help screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown, Static


class ChoiceScreen(ModalScreen[str]):
    """A question with a few buttons; dismisses with the chosen button id ("cancel" on Escape).

    The safe choice (the last button) has the focus, so a stray Enter never discards anything.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, title: str, message: str, choices: list[tuple[str, str, str]],
                 name: str | None = None) -> None:
        super().__init__(name=name, classes="modal")
        self.title_text = title
        self.message = message
        self.choices = choices  # (id, label, variant)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="buttons"):
                for choice_id, label, variant in self.choices:
                    yield Button(label, id=choice_id, variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query(Button).last().focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; ``check`` returns an error message or "" to accept."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, label: str, value: str = "",
                 check: Callable[[str], str] | None = None) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.label = label
        self.value = value
        self.check = check or (lambda _v: "")

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.label)
            yield Input(self.value, id="prompt-input")
            yield Static("", id="prompt-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("OK", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        """Type at once, Enter accepts (the scrolling dialog would otherwise take the focus first)."""
        self.query_one("#prompt-input", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one("#prompt-input", Input).value.strip()
        error = "please enter a value" if not value else self.check(value)
        if error:
            self.query_one("#prompt-error", Static).update(error)
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


HELP = """\
# facets-dynamo editor

Edit a resource spec as a **form** or as **raw JSON** (F2 switches). Both views edit the same text:
a form change rewrites the JSON (keeping your indent style), a JSON edit refreshes the form. If the
JSON does not parse, the form says it is out of date and does not touch your text.

The **preview** (right) is the Terraform JSON the resource synthesizes to in the selected environment;
it refreshes in the background shortly after you stop typing. When the spec is invalid the last good
preview stays, marked *stale*. The **diff** tab compares it with the saved version and marks changes
that would **replace or destroy** the resource (data loss), as its flavor plans it.

The **problems** panel lists every diagnostic; Enter on one moves the cursor there.

| key | action |
|---|---|
| Ctrl+S | save (atomic; refuses to overwrite a file changed on disk) |
| F9 | save as… |
| Ctrl+N | new resource from the flavor's sample |
| Ctrl+R | reload the file from disk |
| F2 | switch form / JSON |
| F3 | switch preview / diff |
| F4 | next environment |
| F5 | focus the problems panel (opens it in a small terminal) |
| F6 | focus the editor (JSON or form) |
| F7 | focus the preview (or the diff) |
| F8 | focus the resources sidebar (blueprints; opens it in a small terminal) |
| F11 | maximize the focused pane / restore |
| Tab / Shift+Tab | next / previous pane (also out of the JSON editor) |
| Ctrl+] | indent in the JSON editor (Tab moves the focus) |
| Ctrl+F | find in the JSON editor or the preview (Enter: next match) |
| Ctrl+G | go to line in the JSON editor or the preview |
| Ctrl+O | add an item to the form's first list (e.g. a key attribute) |
| Ctrl+T | light / dark theme |
| Ctrl+P | command palette (every action is there, e.g. "Copy preview") |
| F1 or ? | this help |
| Ctrl+Q | quit (asks when there are unsaved changes) |

Copying the preview: "Copy preview" in the command palette copies all of it; or focus it (F7), select
with Shift+arrows (Ctrl+A selects all) and press Ctrl+C.

Files are watched: when an open file changes on disk and has no unsaved edits here, it is reloaded (with
a notice); when it has unsaved edits, the title says "changed on disk" at once and saving asks.

In the JSON editor: Ctrl+Z / Ctrl+Y undo / redo, Ctrl+X / Ctrl+C / Ctrl+V cut / copy / paste.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,f1,question_mark", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Markdown(HELP)
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss()
