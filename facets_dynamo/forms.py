"""The editor's form, as a flavor describes it: which values of a document a person edits, and how.

A flavor answers the ``edit_form`` hook with a :class:`Form`; the editor builds its widgets from it and
turns every edit into a change at a JSON pointer (:mod:`facets_dynamo.tui.formmodel`), so the host needs no
knowledge of the flavor's document. Pointers are RFC 6901; in :attr:`Collection.renames` a ``*`` stands for
every item of a list.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class FieldKind(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"  # an integer or a decimal (e.g. a target utilisation of 70.5 percent)
    SWITCH = "switch"  # a boolean; off removes the key unless it was written
    CHOICE = "choice"  # one of ``choices``
    TAGS = "tags"  # an object of strings, edited as ``key=value, ...``
    LIST = "list"  # a list of strings, edited as ``a, b, c``


@dataclass(frozen=True)
class Field:
    """One value at ``pointer`` (absolute in the document, or relative to a collection item)."""

    pointer: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    choices: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()  # completions offered while typing (e.g. declared attribute names)
    placeholder: str = ""
    section: str = ""  # fields with the same section are shown together under that title ("" = top)
    required: bool = False  # in a collection item: may not be left empty


@dataclass(frozen=True)
class Collection:
    """Objects edited as a table with add / edit / remove: an object of objects keyed by an id
    (``keyed=True``, e.g. key attributes by logical id) or a list of objects (e.g. secondary indexes).

    ``renames``: when an item's ``name_field`` changes, values at these pointers equal to the old name are
    changed to the new one, so nothing is left naming an item that no longer exists.
    """

    pointer: str
    label: str
    fields: tuple[Field, ...]
    keyed: bool = False
    id_label: str = "id"
    id_pattern: str = r"^[A-Za-z0-9_-]+$"
    id_hint: str = "letters, digits, '_' or '-'"  # what ``id_pattern`` allows, in words, shown in the dialog
    id_suggestions: tuple[str, ...] = ()  # completions offered for a new item's id (e.g. existing index names)
    name_field: str = ""
    renames: tuple[str, ...] = ()
    role_label: str = ""  # when set, a column of that name shows ``roles``
    roles: Mapping[str, str] = field(default_factory=dict)  # item id or index -> a note shown in its row
    section: str = ""


@dataclass(frozen=True)
class Form:
    """The whole form of one resource, in the order it is shown."""

    fields: tuple[Field, ...] = ()
    collections: tuple[Collection, ...] = ()
    title: str = ""
