"""What a flavor tells the host about its resources beyond validity: what a change does, and how to sum one up.

These are plain data, answered by the optional hooks ``plan_change`` and ``describe`` (see
:mod:`facets_dynamo.hookspecs`). The host renders them (the CLI's ``diff``, the editor, notebooks) without
knowing what kind of cloud resource they are about: a flavor that answers neither hook still gets a plain
value diff (effect "unknown") and a generic summary.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Effect(enum.StrEnum):
    """What applying a change does to the live resource, from harmless to data loss."""

    IN_PLACE = "in-place"  # updated where it stands
    UNKNOWN = "unknown"  # no plugin said (the flavor does not plan changes)
    REPLACES = "replaces"  # destroyed and created again: what it held is lost
    DESTROYS = "destroys"  # destroyed and not created again

    @property
    def loses_data(self) -> bool:
        return self in (Effect.REPLACES, Effect.DESTROYS)

    @property
    def rank(self) -> int:
        return list(Effect).index(self)


@dataclass(frozen=True)
class Consequence:
    """One verdict of a flavor's ``plan_change``: the effect, why, and the document pointers it is about.

    Every value change under one of ``pointers`` (or above it) gets ``effect``; a change no consequence
    covers is in place. An empty ``pointers`` concerns the resource as a whole (e.g. it is deleted).
    """

    effect: Effect
    reason: str
    pointers: tuple[str, ...] = ()

    def covers(self, pointer: str) -> bool:
        return any(pointer == p or pointer.startswith(p + "/") or p.startswith(pointer + "/")
                   for p in self.pointers)


@dataclass(frozen=True)
class Note:
    """A table cell to draw attention to (e.g. a key whose attribute is not defined); ``tone`` is a severity."""

    text: str
    tone: str = "error"

    def __str__(self) -> str:
        return self.text


@dataclass
class Section:
    """A titled table of a resource's description: ``rows`` are dicts keyed by ``columns``."""

    title: str
    columns: Sequence[str]
    rows: list[Mapping[str, Any]] = field(default_factory=list)
    nowrap: Sequence[str] = ()  # columns of identifiers (names, keys): their cells never wrap


@dataclass
class Description:
    """How a flavor sums one resource up, for the notebook display, the editor and ``diff``.

    ``name`` is the name the resource has in the cloud (a table name, a bucket name), shown beside the
    blueprint address; ``summary`` is a short line for lists of resources; ``sections`` are tables.
    """

    name: str | None = None
    summary: str = ""
    sections: list[Section] = field(default_factory=list)

