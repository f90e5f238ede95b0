"""Blueprint sidebar: the environment selector and the resources of the blueprint."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Select
from textual.widgets.option_list import Option

from ..messages import EnvironmentChosen, ResourceChosen


class Sidebar(Vertical):
    def __init__(self, environments: list[str], env: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.environments = environments
        self.env = env
        self.paths: list[Path] = []
        self.rows: dict[Path, tuple[str, str, bool]] = {}
        self.positions: dict[Path, int] = {}

    def compose(self) -> ComposeResult:
        yield Label("Environment", classes="field-label")
        yield Select([(e, e) for e in self.environments], value=self.env, allow_blank=False, id="env-select")
        yield Label("Resources", classes="field-label")
        yield OptionList(id="resource-list")

    def set_environment(self, env: str, environments: list[str]) -> None:
        select = self.query_one("#env-select", Select)
        if environments != self.environments:
            self.environments = environments
            with self.prevent(Select.Changed):
                select.set_options([(e, e) for e in environments])
        if select.value != env:
            with self.prevent(Select.Changed):
                select.value = env
        self.env = env

    def show(self, rows: dict[Path, tuple[str, str, bool]], current: Path, complete: bool = False) -> None:
        """``rows``: path -> (name, note, dirty); only rows that differ from what is shown are redrawn.
        ``complete``: these are all the resources (rows not among them are removed)."""
        listing = self.query_one("#resource-list", OptionList)
        if complete and list(rows) != self.paths:
            self.paths = list(rows)
            self.rows = dict(rows)
            self.positions = {p: i for i, p in enumerate(self.paths)}
            highlighted = listing.highlighted
            listing.clear_options()
            listing.add_options([Option(_label(*row), id=str(path)) for path, row in rows.items()])
            if highlighted is not None and current not in self.positions:
                listing.highlighted = min(highlighted, len(self.paths) - 1)
        else:
            for path, row in rows.items():
                if path not in self.positions:
                    self.positions[path] = len(self.paths)
                    self.paths.append(path)
                    listing.add_option(Option(_label(*row), id=str(path)))
                elif self.rows.get(path) != row:
                    listing.replace_option_prompt(str(path), _label(*row))
                self.rows[path] = row
        index = self.positions.get(current)
        if index is not None and listing.highlighted != index:
            listing.highlighted = index

    @on(OptionList.OptionSelected, "#resource-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(ResourceChosen(Path(event.option.id)))

    @on(Select.Changed, "#env-select")
    def _env(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is not Select.NULL and event.value != self.env:
            self.env = str(event.value)
            self.post_message(EnvironmentChosen(self.env))


def _label(name: str, note: str, dirty: bool) -> Text:
    label = Text(("● " if dirty else "  ") + name)
    if note:
        label.append(f"  {note}", "dim" if "error" not in note else "red")
    return label
