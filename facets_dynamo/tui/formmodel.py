"""The form's view of a resource document: read fields out of the JSON and write edits back into it.

Edits change only the keys they are about (key order and everything the form does not know about stay
as they were), so switching between the form and the raw JSON never drops anything the user wrote.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Transform = Callable[[dict[str, Any]], dict[str, Any]]

ADVANCED = ("advanced", "aws_dynamodb")
TYPES = ("S", "N", "B")
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")

# advanced.aws_dynamodb options shown on the form: key -> (label, kind)
OPTIONS: dict[str, tuple[str, str]] = {
    "billing_mode": ("Billing mode", "billing"),
    "read_capacity": ("Read capacity", "int"),
    "write_capacity": ("Write capacity", "int"),
    "range_key": ("Range (sort) key", "attribute"),
    "ttl_enabled": ("TTL", "bool"),
    "ttl_attribute_name": ("TTL attribute", "str"),
    "point_in_time_recovery_enabled": ("Point-in-time recovery", "bool"),
    "server_side_encryption_enabled": ("Server-side encryption (KMS)", "bool"),
    "stream_enabled": ("Streams", "bool"),
    "stream_view_type": ("Stream view type", "stream"),
    "deletion_protection_enabled": ("Deletion protection", "bool"),
    "table_class": ("Table class", "table_class"),
}


@dataclass(frozen=True)
class Attribute:
    id: str
    name: str
    type: str


def _obj(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _ensure(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    return data


def _prune(data: dict[str, Any], *keys: str) -> None:
    """Remove the empty objects the form created on the way to a key it then removed."""
    chain = [data]
    for key in keys:
        nxt = chain[-1].get(key)
        if not isinstance(nxt, dict):
            return
        chain.append(nxt)
    for parent, key, child in reversed(list(zip(chain, keys, chain[1:], strict=True))):
        if child:
            return
        del parent[key]


# -- reading ---------------------------------------------------------------------------------------

def attributes(data: Any) -> list[Attribute]:
    out = []
    for key, value in _obj(data, "spec", "attributes").items():
        value = value if isinstance(value, dict) else {}
        out.append(Attribute(str(key), _text(value.get("name")), _text(value.get("type"))))
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def hash_key(data: Any) -> str:
    return _text(_obj(data, "spec").get("hash_key"))


def disabled(data: Any) -> bool:
    return isinstance(data, dict) and data.get("disabled") is True


def metadata_name(data: Any) -> str:
    return _text(_obj(data, "metadata").get("name"))


def tags(data: Any) -> dict[str, str]:
    return {str(k): _text(v) for k, v in _obj(data, "metadata", "tags").items()}


def option(data: Any, key: str) -> Any:
    return _obj(data, *ADVANCED).get(key)


def format_tags(values: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


def parse_tags(text: str) -> dict[str, str]:
    """``team=core, owner=ana`` -> dict; raises ValueError with a message for the form."""
    out: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected key=value, got {part.strip()!r}")
        out[key.strip()] = value.strip()
    return out


def parse_tags_or_none(text: str) -> dict[str, str] | None:
    try:
        return parse_tags(text)
    except ValueError:
        return None


def tags_editable(data: Any) -> bool:
    """Tags round-trip through ``k=v, ...`` only when no key or value holds ',' or '='."""
    raw = _obj(data, "metadata").get("tags", {})
    if not isinstance(raw, dict):
        return False
    return all(isinstance(v, str) and not set(",=") & set(k + v) and k == k.strip() and v == v.strip()
               for k, v in raw.items())


# -- writing (each returns a new document) ---------------------------------------------------------

def set_hash_key(data: dict[str, Any], value: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    _ensure(out, "spec")["hash_key"] = value
    return out


def set_disabled(data: dict[str, Any], value: bool) -> dict[str, Any]:
    out = copy.deepcopy(data)
    if value or "disabled" in out:
        out["disabled"] = value
    return out


def set_metadata_name(data: dict[str, Any], value: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    meta = _ensure(out, "metadata")
    if value:
        meta["name"] = value
    else:
        meta.pop("name", None)
    return out


def set_tags(data: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    meta = _ensure(out, "metadata")
    if values:
        meta["tags"] = dict(values)
    else:
        meta.pop("tags", None)
    return out


def set_option(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """Set ``advanced.aws_dynamodb.<key>``; ``None``/"" removes it (a False switch stays only if present)."""
    out = copy.deepcopy(data)
    current = _obj(out, *ADVANCED)
    if value is None or value == "" or (value is False and key not in current):
        if key in current:
            del current[key]
            _prune(out, *ADVANCED)
        return out
    _ensure(out, *ADVANCED)[key] = value
    return out


def add_attribute(data: dict[str, Any], attr: Attribute) -> dict[str, Any]:
    out = copy.deepcopy(data)
    table = _ensure(out, "spec", "attributes")
    if attr.id in table:
        raise ValueError(f"an attribute with id {attr.id!r} exists already")
    table[attr.id] = {"name": attr.name, "type": attr.type}
    return out


def remove_attribute(data: dict[str, Any], attr_id: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    _obj(out, "spec", "attributes").pop(attr_id, None)
    return out


def update_attribute(data: dict[str, Any], old_id: str, attr: Attribute) -> dict[str, Any]:
    """Rename (id and/or DynamoDB name) or retype one attribute, in place in the key order.

    Keys that named the old attribute (hash_key, range_key, index keys) follow a name change, so a
    rename never leaves the table pointing at a name that no longer exists.
    """
    out = copy.deepcopy(data)
    table = _obj(out, "spec", "attributes")
    if old_id not in table:
        raise ValueError(f"no attribute with id {old_id!r}")
    if attr.id != old_id and attr.id in table:
        raise ValueError(f"an attribute with id {attr.id!r} exists already")
    old_value = table[old_id] if isinstance(table[old_id], dict) else {}
    old_name = old_value.get("name")
    new_value = {**old_value, "name": attr.name, "type": attr.type}
    rebuilt = {(attr.id if k == old_id else k): (new_value if k == old_id else v) for k, v in table.items()}
    table.clear()
    table.update(rebuilt)
    if isinstance(old_name, str) and old_name and old_name != attr.name:
        _rename_key_references(out, old_name, attr.name)
    return out


def _rename_key_references(data: dict[str, Any], old: str, new: str) -> None:
    spec = _obj(data, "spec")
    if spec.get("hash_key") == old:
        spec["hash_key"] = new
    adv = _obj(data, *ADVANCED)
    if adv.get("range_key") == old:
        adv["range_key"] = new
    if adv.get("ttl_attribute_name") == old:
        adv["ttl_attribute_name"] = new
    for list_key in ("global_secondary_indexes", "local_secondary_indexes"):
        for index in adv.get(list_key) or []:
            if isinstance(index, dict):
                for field in ("hash_key", "range_key"):
                    if index.get(field) == old:
                        index[field] = new
