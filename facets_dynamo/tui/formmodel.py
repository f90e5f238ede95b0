"""The form's edits, as changes at JSON pointers of a document: generic, driven by the flavor's :class:`Form`.

Edits change only the keys they are about (key order and everything the form does not know about stay as
they were), so switching between the form and the raw JSON never drops anything the user wrote. Every
function returns a new document and leaves its argument alone.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable
from typing import Any

from ..forms import Collection, Field, FieldKind, Form

Transform = Callable[[dict[str, Any]], dict[str, Any]]

#: The Facets envelope, the same for every flavor: shown above the flavor's own fields.
ENVELOPE = (
    Field("/disabled", "Disabled (keep in the blueprint, do not provision)", FieldKind.SWITCH),
    Field("/metadata/name", "Metadata name (default: the file name)", placeholder="resource name"),
    Field("/metadata/tags", "Tags (key=value, comma separated)", FieldKind.TAGS, placeholder="team=core, owner=ana"),
)


def parts(pointer: str) -> list[str]:
    """RFC 6901 pointer -> reference tokens."""
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]


def get(data: Any, pointer: str) -> Any:
    """The value at ``pointer``, or None where the path does not exist or crosses a non-container."""
    for part in parts(pointer):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def set_value(data: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    """``data`` with ``value`` at ``pointer`` (objects created on the way). An empty value removes the key, and
    objects the removal leaves empty go too; a ``False`` switch is written only if the key was there."""
    out = copy.deepcopy(data)
    keys = parts(pointer)
    parent_keys, last = keys[:-1], keys[-1]
    existing = get(out, "/" + "/".join(k.replace("~", "~0").replace("/", "~1") for k in parent_keys)) \
        if parent_keys else out
    if empty(value) or (value is False and not (isinstance(existing, dict) and last in existing)):
        if isinstance(existing, dict) and last in existing:
            del existing[last]
            _prune(out, parent_keys)
        return out
    node = out
    for key in parent_keys:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[last] = value
    return out


def _prune(data: dict[str, Any], keys: list[str]) -> None:
    """Remove the empty objects left on the way to a key that was just removed."""
    chain = [data]
    for key in keys:
        nxt = chain[-1].get(key) if isinstance(chain[-1], dict) else None
        if not isinstance(nxt, dict):
            return
        chain.append(nxt)
    for parent, key, child in reversed(list(zip(chain, keys, chain[1:], strict=True))):
        if child:
            return
        del parent[key]


# -- text <-> value ----------------------------------------------------------------------------------

def text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def format_tags(values: Any) -> str:
    return ", ".join(f"{k}={text(v)}" for k, v in values.items()) if isinstance(values, dict) else ""


def parse_tags(source: str) -> dict[str, str]:
    """``team=core, owner=ana`` -> dict; raises ValueError with a message for the form."""
    out: dict[str, str] = {}
    for part in source.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected key=value, got {part.strip()!r}")
        out[key.strip()] = value.strip()
    return out


def parse_tags_or_none(source: str) -> dict[str, str] | None:
    try:
        return parse_tags(source)
    except ValueError:
        return None


def tags_editable(value: Any) -> bool:
    """Tags round-trip through ``k=v, ...`` only when no key or value holds ',' or '='."""
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    return all(isinstance(v, str) and not set(",=") & set(k + v) and k == k.strip() and v == v.strip()
               for k, v in value.items())


def format_list(value: Any) -> str:
    return ", ".join(text(v) for v in value) if isinstance(value, list) else ""


def parse_list(source: str) -> list[str]:
    return [p.strip() for p in source.split(",") if p.strip()]


def list_editable(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(v, str) and "," not in v for v in value))


def parse_int(source: str) -> int | None:
    try:
        return int(source.strip())
    except ValueError:
        return None


def parse_number(source: str) -> int | float | None:
    """A whole number stays an int (``70``, not ``70.0``, is written back); NaN and infinities are not numbers
    JSON can hold."""
    whole = parse_int(source)
    if whole is not None:
        return whole
    try:
        number = float(source.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# -- collections -------------------------------------------------------------------------------------

def items(data: Any, collection: Collection) -> list[tuple[str, dict[str, Any]]]:
    """``(id, item)`` of each object in the collection: the key for a keyed one, the position for a list."""
    found = get(data, collection.pointer)
    if collection.keyed:
        return [(str(k), v if isinstance(v, dict) else {}) for k, v in found.items()] if isinstance(found, dict) else []
    return [(str(i), v if isinstance(v, dict) else {}) for i, v in enumerate(found)] if isinstance(found, list) else []


def item_values(item: dict[str, Any], collection: Collection, values: dict[str, Any]) -> dict[str, Any]:
    """``item`` with each field of the collection set from ``values`` (pointer -> value; empty removes)."""
    out = dict(item)
    for f in collection.fields:
        if f.pointer in values:
            out = set_value(out, f.pointer, values[f.pointer])
    return out


def add_item(data: dict[str, Any], collection: Collection, item_id: str, values: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    if collection.keyed:
        table = get(out, collection.pointer)
        if isinstance(table, dict) and item_id in table:
            raise ValueError(f"{collection.id_label} {item_id!r} exists already")
        table = dict(table) if isinstance(table, dict) else {}
        table[item_id] = item_values({}, collection, values)
        return set_value(out, collection.pointer, table)
    listed = get(out, collection.pointer)
    listed = list(listed) if isinstance(listed, list) else []
    listed.append(item_values({}, collection, values))
    return set_value(out, collection.pointer, listed)


def update_item(data: dict[str, Any], collection: Collection, item_id: str, new_id: str,
                values: dict[str, Any]) -> dict[str, Any]:
    """Edit one item in place (a keyed item may get a new id, in its place in the key order). When its
    ``name_field`` changes, values at the collection's ``renames`` pointers naming the old name follow."""
    out = copy.deepcopy(data)
    found = get(out, collection.pointer)
    if collection.keyed:
        if not isinstance(found, dict) or item_id not in found:
            raise ValueError(f"no {collection.id_label} {item_id!r}")
        if new_id != item_id and new_id in found:
            raise ValueError(f"{collection.id_label} {new_id!r} exists already")
        old = found[item_id] if isinstance(found[item_id], dict) else {}
        new = item_values(old, collection, values)
        rebuilt = {(new_id if k == item_id else k): (new if k == item_id else v) for k, v in found.items()}
        found.clear()
        found.update(rebuilt)
    else:
        if not isinstance(found, list) or not item_id.isdigit() or int(item_id) >= len(found):
            raise ValueError(f"no item {item_id} in {collection.label}")
        old = found[int(item_id)] if isinstance(found[int(item_id)], dict) else {}
        new = item_values(old, collection, values)
        found[int(item_id)] = new
    if collection.name_field:
        before, after = get(old, collection.name_field), get(new, collection.name_field)
        if isinstance(before, str) and before and isinstance(after, str) and before != after:
            for pattern in collection.renames:
                _rename(out, parts(pattern), before, after)
    return out


def _rename(node: Any, keys: list[str], old: str, new: str) -> None:
    """Replace ``old`` by ``new`` at every path matching ``keys`` (``*``: every item of a list)."""
    if not keys:
        return
    key, rest = keys[0], keys[1:]
    if key == "*" and isinstance(node, list):
        targets = list(range(len(node)))
    elif isinstance(node, dict) and key in node:
        targets = [key]
    else:
        return
    for target in targets:
        if rest:
            _rename(node[target], rest, old, new)
        elif node[target] == old:
            node[target] = new


def remove_item(data: dict[str, Any], collection: Collection, item_id: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    found = get(out, collection.pointer)
    if collection.keyed and isinstance(found, dict):
        found.pop(item_id, None)
    elif isinstance(found, list) and item_id.isdigit() and int(item_id) < len(found):
        del found[int(item_id)]
    return out


def move_item(data: dict[str, Any], collection: Collection, item_id: str, delta: int) -> dict[str, Any]:
    """Move an item ``delta`` places (-1 up, +1 down) in its list, or in its object's key order."""
    out = copy.deepcopy(data)
    found = get(out, collection.pointer)
    if collection.keyed and isinstance(found, dict):
        keys = list(found)
        if item_id in found:
            i = keys.index(item_id)
            j = min(max(i + delta, 0), len(keys) - 1)
            keys.insert(j, keys.pop(i))
            moved = {k: found[k] for k in keys}
            found.clear()
            found.update(moved)
    elif isinstance(found, list) and item_id.isdigit() and int(item_id) < len(found):
        i = int(item_id)
        j = min(max(i + delta, 0), len(found) - 1)
        found.insert(j, found.pop(i))
    return out


def valid_id(collection: Collection, item_id: str) -> bool:
    return bool(re.fullmatch(collection.id_pattern, item_id))


def all_fields(form: Form) -> tuple[Field, ...]:
    """The envelope's fields, then the flavor's, in the order the form shows them."""
    return ENVELOPE + form.fields
