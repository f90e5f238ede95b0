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

    def show(self, rows: list[tuple[Path, str, str, bool]], current: Path) -> None:
        """``rows``: (path, name, note, dirty); the current file is highlighted."""
        listing = self.query_one("#resource-list", OptionList)
        self.paths = [r[0] for r in rows]
        listing.clear_options()
        for path, name, note, dirty in rows:
            label = Text(("● " if dirty else "  ") + name)
            if note:
                label.append(f"  {note}", "dim" if "error" not in note else "red")
            listing.add_option(Option(label, id=str(path)))
        for i, path in enumerate(self.paths):
            if path == current:
                listing.highlighted = i

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
