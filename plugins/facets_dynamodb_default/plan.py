"""What a change to a dynamodb/default/0.2 resource does to the live table (the ``plan_change`` hook).

Terraform replaces an ``aws_dynamodb_table`` (destroy, then create: every item is lost) when its ``name``,
``hash_key``, ``range_key`` or any local secondary index changes, or when the type of a key attribute
changes (the provider marks these arguments ForceNew), and when ``import_table``, ``restore_date_time`` or
``restore_to_latest_time`` changes (ForceNew in the provider's table.go; a new restore source alone changes
nothing live and gets a note); removing the resource drops its stack, which destroys the table.
Everything else (billing, capacities, GSIs, on-demand and warm throughput, TTL,
streams, replicas, resource policies, tags, ...) is updated in place; an edit that lifecycle ``ignore_changes``
hides from Terraform gets an in-place note saying it is not applied.
"""

from __future__ import annotations

import json
from typing import Any

from facets_dynamo.plugin import Consequence, Effect, Environment, Resource

from .model import BASE, RESTORE_KEYS, Table

REPLACES, DESTROYS, IN_PLACE = Effect.REPLACES, Effect.DESTROYS, Effect.IN_PLACE


def plan_change(old: Resource | None, new: Resource | None, environment: Environment) -> list[Consequence]:
    if old is None:  # a new table: created, nothing is lost
        return []
    if new is None:
        return [Consequence(DESTROYS, "its stack is no longer synthesized and the table with all its data is "
                            "destroyed; keep it enabled, or remove the table from state first")]
    return replacements(Table(old, environment.name), Table(new, environment.name))


def replacements(old: Table, new: Table) -> list[Consequence]:
    found: list[Consequence] = []
    if old.name != new.name:
        found.append(Consequence(REPLACES, f"the table name changes ({old.name!r} -> {new.name!r}); DynamoDB "
                                 "cannot rename a table: keep metadata.name (and the file name) as they were",
                                 ("/metadata/name", f"{BASE}/table_name")))
    if old.hash_key != new.hash_key:
        found.append(Consequence(REPLACES, f"the hash key changes ({_show(old.hash_key)} -> {_show(new.hash_key)});"
                                 " a key cannot change in place: create a new resource and migrate the data",
                                 ("/spec/hash_key",)))
    if old.range_key != new.range_key:
        found.append(Consequence(REPLACES, f"the range key changes ({_show(old.range_key)} -> "
                                 f"{_show(new.range_key)}); a key cannot change in place: create a new resource "
                                 "and migrate the data", (f"{BASE}/range_key",)))
    old_lsis, new_lsis = old.lsis_by_name(), new.lsis_by_name()
    if _canonical(old_lsis) != _canonical(new_lsis):
        gone, came = sorted(set(old_lsis) - set(new_lsis)), sorted(set(new_lsis) - set(old_lsis))
        edited = sorted(k for k in set(old_lsis) & set(new_lsis) if _canonical(old_lsis[k]) != _canonical(new_lsis[k]))
        what = "; ".join(part for part in (
            f"removed {', '.join(gone)}" if gone else "", f"added {', '.join(came)}" if came else "",
            f"changed {', '.join(edited)}" if edited else "") if part)
        found.append(Consequence(REPLACES, f"local secondary indexes change ({what}); LSIs exist only from table "
                                 "creation", (f"{BASE}/local_secondary_indexes",)))
    # provider table.go: import_table, restore_date_time and restore_to_latest_time are ForceNew (they act only
    # when the table is created); restore_source_name / restore_source_table_arn are not (changing them later
    # does nothing), which gets an in-place note
    if _canonical(old.adv.get("import_table")) != _canonical(new.adv.get("import_table")):
        found.append(Consequence(REPLACES, "import_table changes; a table is imported from S3 only when it is "
                                 "created, so Terraform replaces it (the current items are lost)",
                                 (f"{BASE}/import_table",)))
    for key in RESTORE_KEYS:
        if _canonical(old.adv.get(key)) == _canonical(new.adv.get(key)):
            continue
        if key in ("restore_date_time", "restore_to_latest_time"):
            found.append(Consequence(REPLACES, f"{key} changes; a restore happens only when the table is created, "
                                     "so Terraform replaces it", (f"{BASE}/{key}",)))
        else:
            found.append(Consequence(IN_PLACE, f"{key} changes; the source of a restore is read only when the "
                                     "table is created, so the live table does not change", (f"{BASE}/{key}",)))
    found += ignored(old, new)
    old_types, new_types = old.attribute_types(), new.attribute_types()
    for name in sorted(old.key_names() & new.key_names()):
        if name in old_types and name in new_types and old_types[name][0] != new_types[name][0]:
            found.append(Consequence(REPLACES, f"key attribute {name!r} changes type ({_show(old_types[name][0])} "
                                     f"-> {_show(new_types[name][0])}); stored keys cannot be converted",
                                     (new_types[name][1],)))
    return found


def ignored(old: Table, new: Table) -> list[Consequence]:
    """Edits that lifecycle ignore_changes keeps Terraform from applying: in place, but said, never silent."""
    found = []
    for flag, key, block in (("ignore_changes_global_secondary_index", "global_secondary_indexes",
                              "global_secondary_index"), ("ignore_changes_replica", "replica_regions", "replica")):
        if new.flag(flag) and _canonical(old.adv.get(key)) != _canonical(new.adv.get(key)):
            found.append(Consequence(IN_PLACE, f"{key} changes but {flag} is on: Terraform ignores changes to "
                                     f"{block} (lifecycle ignore_changes), so this edit is NOT applied; turn "
                                     f"{flag} off for one apply to change them", (f"{BASE}/{key}",)))
        elif old.flag(flag) != new.flag(flag):
            on = new.flag(flag)
            found.append(Consequence(IN_PLACE, f"{flag} turns {'on' if on else 'off'}: the table stays where it "
                                     f"is; from now on Terraform {'ignores' if on else 'applies'} changes to "
                                     f"{block}", (f"{BASE}/{flag}",)))
    return found


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."
