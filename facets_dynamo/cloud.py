"""What a flavor answers about resources that exist already in the cloud (the ``adopt`` and ``fetch_live`` hooks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Diagnostic


@dataclass
class Adoption:
    """A flavor's spec for a resource that exists already (the ``adopt`` hook): ``document`` reproduces it
    exactly, or is None when it cannot be written (``diagnostics`` name the setting that cannot be expressed)."""

    document: dict[str, Any] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


class CloudError(Exception):
    """The cloud could not be asked (no credentials, throttled, ...) or, with ``missing``, the resource does not
    exist; the message says which."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing
