"""Messages the editor's widgets send up to the app, which owns the document and decides what to do."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.message import Message

from ..diagnostics import Diagnostic

Transform = Callable[[dict[str, Any]], dict[str, Any]]


class FormEdited(Message):
    """The form wants ``transform`` applied to the document (it never edits the text itself). ``field``: the
    pointer of the field typed in; consecutive edits of one field are one undo step."""

    def __init__(self, transform: Transform, field: str | None = None) -> None:
        super().__init__()
        self.transform = transform
        self.field = field


class ProblemChosen(Message):
    """The user picked a diagnostic: move the editor there."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__()
        self.diagnostic = diagnostic


class ResourceChosen(Message):
    """The user picked a resource file in the blueprint sidebar."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class EnvironmentChosen(Message):
    def __init__(self, env: str) -> None:
        super().__init__()
        self.env = env
