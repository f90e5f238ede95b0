"""The editor's form for a dynamodb/default/0.2 resource (the ``edit_form`` hook).

Suggestions come from the document itself (the declared attribute names), and renaming an attribute
carries every key that named it along, so the form never leaves a key pointing at a name that is gone.
"""

from __future__ import annotations

from facets_dynamo.plugin import Collection, Field, FieldKind, Form, Resource

from .model import BASE, Table

TYPES = ("S", "N", "B")
BILLING_MODES = ("PAY_PER_REQUEST", "PROVISIONED")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
INSIGHTS_MODES = ("ACCESSED_AND_THROTTLED_KEYS", "THROTTLED_KEYS")
IMPORT_FORMATS = ("DYNAMODB_JSON", "ION", "CSV")
CONSISTENCY_MODES = ("EVENTUAL", "STRONG")
ADVANCED = "Advanced options (advanced.aws_dynamodb)"
# Every place an attribute name is used as a key: they follow a rename of the attribute.
KEY_POINTERS = ("/spec/hash_key", f"{BASE}/range_key", f"{BASE}/ttl_attribute_name",
                f"{BASE}/global_secondary_indexes/*/hash_key", f"{BASE}/global_secondary_indexes/*/range_key",
                f"{BASE}/global_secondary_indexes/*/non_key_attributes/*",
                f"{BASE}/local_secondary_indexes/*/range_key", f"{BASE}/local_secondary_indexes/*/non_key_attributes/*")


def edit_form(resource: Resource) -> Form:
    table = Table(resource, "")
    names = tuple(a.name for a in table.attributes if isinstance(a.name, str) and a.name)
    roles = {a.logical_id: "hash" if a.name == table.hash_key else "range" if a.name == table.range_key else ""
             for a in table.attributes}

    def key(pointer: str, label: str, required: bool = False, section: str = "") -> Field:
        return Field(pointer, label, FieldKind.TEXT, suggestions=names, placeholder="name of a declared attribute",
                     required=required, section=section)

    def choice(pointer: str, label: str, choices: tuple[str, ...], section: str = ADVANCED) -> Field:
        return Field(pointer, label, FieldKind.CHOICE, choices=choices, section=section)

    def switch(pointer: str, label: str) -> Field:
        return Field(pointer, label, FieldKind.SWITCH, section=ADVANCED)

    def number(pointer: str, label: str, section: str = ADVANCED) -> Field:
        return Field(pointer, label, FieldKind.INTEGER, placeholder="(not set)", section=section)

    def scaling(pointer: str, label: str, section: str = ADVANCED) -> tuple[Field, ...]:
        return (number(f"{pointer}/min_capacity", f"{label}: minimum capacity", section),
                number(f"{pointer}/max_capacity", f"{label}: maximum capacity", section),
                Field(f"{pointer}/target_value", f"{label}: target utilisation (%)", FieldKind.NUMBER,
                      placeholder="(autoscaling_defaults)", section=section))

    index_names = tuple(g["name"] for _, g in table.gsis if isinstance(g.get("name"), str) and g["name"])
    projection = (choice("/projection_type", "Projection", PROJECTIONS, ""),
                  Field("/non_key_attributes", "Attributes copied into the index (with INCLUDE)", FieldKind.LIST,
                        suggestions=names))
    return Form(
        title="DynamoDB table",
        fields=(
            key("/spec/hash_key", "Hash (partition) key"),
            choice(f"{BASE}/billing_mode", "Billing mode", BILLING_MODES),
            number(f"{BASE}/read_capacity", "Read capacity"),
            number(f"{BASE}/write_capacity", "Write capacity"),
            key(f"{BASE}/range_key", "Range (sort) key", section=ADVANCED),
            switch(f"{BASE}/ttl_enabled", "TTL"),
            key(f"{BASE}/ttl_attribute_name", "TTL attribute", section=ADVANCED),
            switch(f"{BASE}/point_in_time_recovery_enabled", "Point-in-time recovery"),
            switch(f"{BASE}/server_side_encryption_enabled", "Server-side encryption (KMS)"),
            switch(f"{BASE}/stream_enabled", "Streams"),
            choice(f"{BASE}/stream_view_type", "Stream view type", STREAM_VIEW_TYPES),
            switch(f"{BASE}/deletion_protection_enabled", "Deletion protection"),
            choice(f"{BASE}/table_class", "Table class", TABLE_CLASSES),
            number(f"{BASE}/on_demand_throughput/max_read_request_units", "Max read request units (on demand)"),
            number(f"{BASE}/on_demand_throughput/max_write_request_units", "Max write request units (on demand)"),
            number(f"{BASE}/warm_throughput/read_units_per_second", "Warm reads per second (on demand >= 12000)"),
            number(f"{BASE}/warm_throughput/write_units_per_second", "Warm writes per second (on demand >= 4000)"),
            choice(f"{BASE}/contributor_insights/mode", "Contributor Insights", INSIGHTS_MODES),
            choice(f"{BASE}/import_table/input_format", "Import from S3: format (replaces the table)", IMPORT_FORMATS),
            Field(f"{BASE}/import_table/s3_bucket_source/bucket", "Import from S3: bucket", FieldKind.TEXT,
                  section=ADVANCED),
            Field(f"{BASE}/import_table/s3_bucket_source/key_prefix", "Import from S3: key prefix", FieldKind.TEXT,
                  section=ADVANCED),
            Field(f"{BASE}/restore_source_name", "Restore from table (at creation only)", FieldKind.TEXT,
                  section=ADVANCED),
            switch(f"{BASE}/restore_to_latest_time", "Restore to the latest time"),
            switch(f"{BASE}/autoscaling_enabled", "Autoscaling (PROVISIONED)"),
            *scaling(f"{BASE}/autoscaling_read", "Read autoscaling"),
            *scaling(f"{BASE}/autoscaling_write", "Write autoscaling"),
            switch(f"{BASE}/ignore_changes_global_secondary_index", "Ignore GSI changes (autoscaled GSIs)"),
            switch(f"{BASE}/ignore_changes_replica", "Ignore replica changes"),
        ),
        collections=(
            Collection("/spec/attributes", "Key attributes", keyed=True, id_label="logical id",
                       fields=(Field("/name", "Attribute name (as DynamoDB sees it)", required=True),
                               choice("/type", "Type", TYPES, "")),
                       name_field="/name", renames=KEY_POINTERS, role_label="key", roles=roles),
            Collection(f"{BASE}/global_secondary_indexes", "Global secondary indexes", section=ADVANCED,
                       fields=(Field("/name", "Index name", required=True), key("/hash_key", "Hash key", True),
                               key("/range_key", "Range key"), *projection,
                               number("/read_capacity", "Read capacity (PROVISIONED)", ""),
                               number("/write_capacity", "Write capacity (PROVISIONED)", ""),
                               number("/on_demand_throughput/max_read_request_units", "Max read request units", ""),
                               number("/on_demand_throughput/max_write_request_units", "Max write request units",
                                      ""),
                               number("/warm_throughput/read_units_per_second", "Warm reads per second", ""),
                               number("/warm_throughput/write_units_per_second", "Warm writes per second", ""),
                               choice("/contributor_insights/mode", "Contributor Insights", INSIGHTS_MODES, ""))),
            Collection(f"{BASE}/autoscaling_indexes", "Autoscaling per global secondary index", section=ADVANCED,
                       keyed=True, id_label="index name", id_pattern=r"^[a-zA-Z0-9_.-]{3,255}$",
                       id_hint="the name of a global secondary index", id_suggestions=index_names,
                       fields=(number("/read_min_capacity", "Read: minimum capacity", ""),
                               number("/read_max_capacity", "Read: maximum capacity", ""),
                               number("/write_min_capacity", "Write: minimum capacity", ""),
                               number("/write_max_capacity", "Write: maximum capacity", ""),
                               Field("/target_value", "Target utilisation (%)", FieldKind.NUMBER,
                                     placeholder="(autoscaling_defaults)"))),
            Collection(f"{BASE}/replica_regions", "Replicas (global table)", section=ADVANCED,
                       fields=(Field("/region_name", "Region", required=True),
                               choice("/consistency_mode", "Consistency", CONSISTENCY_MODES, ""),
                               Field("/point_in_time_recovery", "Point-in-time recovery", FieldKind.SWITCH),
                               Field("/deletion_protection_enabled", "Deletion protection", FieldKind.SWITCH),
                               Field("/propagate_tags", "Propagate tags", FieldKind.SWITCH),
                               Field("/kms_key_arn", "KMS key ARN (replica Region)"))),
            Collection(f"{BASE}/local_secondary_indexes", "Local secondary indexes (replace the table)",
                       section=ADVANCED,
                       fields=(Field("/name", "Index name", required=True), key("/range_key", "Range key", True),
                               *projection)),
        ),
    )
