"""What each DDB code of this flavor means: the answer to the ``rules`` hook (``docs/rules.md``, ``explain``,
SARIF rule metadata). One entry per code emitted by ``rules.py``, ``policy.py`` or the schema's ``x-code``;
``tests/ci/test_rules.py`` fails when a code has no entry. Examples are fragments of ``advanced.aws_dynamodb``
unless they say otherwise.
"""

from __future__ import annotations

from facets_dynamo.plugin import Rule, Severity

E, W = Severity.ERROR, Severity.WARNING


def _r(code: str, title: str, summary: str, why: str, bad: str = "", good: str = "", severity: Severity = E,
       ) -> Rule:
    return Rule(code, title, summary, why, bad, good, severity)


RULES: tuple[Rule, ...] = (
    _r("DDB101", "hash_key not declared", "spec.hash_key names no attribute declared in spec.attributes.",
       "DynamoDB needs the type of every key attribute; Terraform fails at apply without its attribute block.",
       '"spec": {"attributes": {"key1": {"name": "id", "type": "S"}}, "hash_key": "pk"}',
       '"spec": {"attributes": {"key1": {"name": "pk", "type": "S"}}, "hash_key": "pk"}'),
    _r("DDB102", "attribute not used by a key", "A declared attribute is used by no key of the table or its "
       "indexes.", "DynamoDB rejects attribute definitions that no key uses (only key attributes are declared).",
       '"attributes": {"key1": {"name": "pk", "type": "S"}, "key2": {"name": "email", "type": "S"}}',
       '"attributes": {"key1": {"name": "pk", "type": "S"}}'),
    _r("DDB103", "attribute declared twice", "The same attribute name is declared twice with the same type.",
       "Terraform would send a duplicate attribute definition, which DynamoDB rejects.",
       '"key1": {"name": "pk", "type": "S"}, "key2": {"name": "pk", "type": "S"}',
       '"key1": {"name": "pk", "type": "S"}'),
    _r("DDB104", "attribute with two types", "The same attribute name is declared with two different types.",
       "An attribute has exactly one type in DynamoDB.",
       '"key1": {"name": "pk", "type": "S"}, "key2": {"name": "pk", "type": "N"}',
       '"key1": {"name": "pk", "type": "S"}'),
    _r("DDB105", "table name breaks DynamoDB naming", "The derived table name <name>-<environment> is not 3-255 "
       "characters of letters, digits, '_', '.', '-'.", "CreateTable refuses other names; the check runs on the "
       "name as derived, so a name valid alone but too long after the suffix is caught.",
       '"metadata": {"name": "a"}', '"metadata": {"name": "orders"}'),
    _r("DDB106", "bad index name", "An index name is not 3-255 characters of letters, digits, '_', '.', '-'.",
       "DynamoDB refuses the index.", '"global_secondary_indexes": [{"name": "by email", ...}]',
       '"global_secondary_indexes": [{"name": "by-email", ...}]'),
    _r("DDB107", "key attribute name length", "A key attribute name is not 1-255 bytes (UTF-8).",
       "DynamoDB limits key attribute names to 255 bytes.", '{"name": "<300 characters>", "type": "S"}',
       '{"name": "pk", "type": "S"}'),
    _r("DDB108", "bad attribute type", "A key attribute type is not S, N or B (in uppercase).",
       "Key attributes are strings, numbers or binary; DynamoDB is case-sensitive here.",
       '"key1": {"name": "pk", "type": "s"}', '"key1": {"name": "pk", "type": "S"}'),
    _r("DDB109", "index key not declared", "A range key or index key names no declared attribute.",
       "DynamoDB needs the type of every key attribute.",
       '"range_key": "sk"  (no attribute named sk)', '"attributes": {..., "key2": {"name": "sk", "type": "S"}}'),
    _r("DDB110", "provisioned without capacity", "billing_mode PROVISIONED without read_capacity and "
       "write_capacity >= 1 for the table and each GSI.", "Provisioned tables and their GSIs need explicit capacity.",
       '{"billing_mode": "PROVISIONED"}', '{"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5}'),
    _r("DDB111", "capacity with on-demand billing", "read_capacity / write_capacity set with PAY_PER_REQUEST.",
       "The provider rejects capacity on on-demand tables (or shows a diff forever).",
       '{"billing_mode": "PAY_PER_REQUEST", "read_capacity": 5}', '{"billing_mode": "PAY_PER_REQUEST"}'),
    _r("DDB112", "stream without view type", "stream_enabled without stream_view_type.",
       "DynamoDB needs to know what a stream record holds.", '{"stream_enabled": true}',
       '{"stream_enabled": true, "stream_view_type": "NEW_AND_OLD_IMAGES"}'),
    _r("DDB113", "view type without stream", "stream_view_type set while stream_enabled is not true; ignored.",
       "Often left by an environment override that turns the stream off.",
       '{"stream_view_type": "KEYS_ONLY"}', '{"stream_enabled": true, "stream_view_type": "KEYS_ONLY"}', W),
    _r("DDB114", "TTL without attribute", "ttl_enabled without a non-empty ttl_attribute_name.",
       "DynamoDB expires items by an attribute holding epoch seconds.", '{"ttl_enabled": true}',
       '{"ttl_enabled": true, "ttl_attribute_name": "expires_at"}'),
    _r("DDB115", "TTL attribute without TTL", "ttl_attribute_name set while ttl_enabled is not true; ignored.",
       "Items would never expire although the spec suggests they do.", '{"ttl_attribute_name": "expires_at"}',
       '{"ttl_enabled": true, "ttl_attribute_name": "expires_at"}', W),
    _r("DDB116", "too many GSIs", "More than 20 global secondary indexes.",
       "The default AWS quota is 20 per table; raise it with AWS first.", "", ""),
    _r("DDB117", "too many LSIs", "More than 5 local secondary indexes.", "DynamoDB allows at most 5 per table."),
    _r("DDB118", "LSI without table range key", "Local secondary indexes on a table without a range_key.",
       "An LSI shares the table's partition key and needs a sort key to differ.",
       '{"local_secondary_indexes": [...]}', '{"range_key": "sk", "local_secondary_indexes": [...]}'),
    _r("DDB119", "index name used twice", "Two indexes of the table have the same name.",
       "Index names are unique within a table."),
    _r("DDB120", "INCLUDE without attributes", "projection_type INCLUDE without non_key_attributes.",
       "INCLUDE copies the listed attributes; with none it is KEYS_ONLY in disguise and AWS rejects it.",
       '{"projection_type": "INCLUDE"}', '{"projection_type": "INCLUDE", "non_key_attributes": ["email"]}'),
    _r("DDB121", "non-key attributes without INCLUDE", "non_key_attributes with projection_type ALL or KEYS_ONLY.",
       "DynamoDB accepts non_key_attributes only with INCLUDE.",
       '{"projection_type": "ALL", "non_key_attributes": ["email"]}', '{"projection_type": "ALL"}'),
    _r("DDB122", "too many projected attributes", "More than 100 non-key attributes projected across all indexes.",
       "DynamoDB's limit for the whole table; use projection_type ALL instead."),
    _r("DDB123", "PITR period out of range", "point_in_time_recovery_period_in_days outside 1-35.",
       "DynamoDB keeps continuous backups for 1 to 35 days.", '{"point_in_time_recovery_period_in_days": 90}',
       '{"point_in_time_recovery_period_in_days": 35}'),
    _r("DDB124", "PITR period without PITR", "A recovery period without point_in_time_recovery_enabled; ignored.",
       "No backups are kept although the spec names a period.",
       '{"point_in_time_recovery_period_in_days": 7}',
       '{"point_in_time_recovery_enabled": true, "point_in_time_recovery_period_in_days": 7}', W),
    _r("DDB125", "replica region twice", "A replica region is listed twice.", "A region holds one replica.",
       '"replica_regions": [{"region_name": "eu-west-1"}, {"region_name": "eu-west-1"}]',
       '"replica_regions": [{"region_name": "eu-west-1"}]'),
    _r("DDB126", "replica in the table's region", "A replica region is the table's own region.",
       "Replicas go to other regions; the provider fails at apply.",
       '"replica_regions": [{"region_name": "<the environment\'s region>"}]',
       '"replica_regions": [{"region_name": "us-west-2"}]'),
    _r("DDB127", "too many tags", "More than 50 tags after merging cloud tags, metadata.tags, advanced tags and Name.",
       "AWS allows at most 50 tags per resource."),
    _r("DDB128", "tag key length", "A tag key is not 1-128 characters.", "AWS tag key limit."),
    _r("DDB129", "tag value length", "A tag value is over 256 characters.", "AWS tag value limit."),
    _r("DDB130", "autoscaling settings without autoscaling", "autoscaling_read / _write / _indexes without "
       "autoscaling_enabled: true; ignored.", "Nothing would scale although the spec suggests it.",
       '{"autoscaling_read": {"max_capacity": 20}}', '{"autoscaling_enabled": true, "autoscaling_read": '
       '{"max_capacity": 20}}', W),
    _r("DDB131", "autoscaling on an on-demand table", "autoscaling_enabled without billing_mode PROVISIONED.",
       "On-demand tables scale by themselves; Application Auto Scaling refuses them.",
       '{"autoscaling_enabled": true}', '{"billing_mode": "PROVISIONED", "autoscaling_enabled": true, ...}'),
    _r("DDB132", "autoscaling scales nothing", "autoscaling_enabled without autoscaling_read or autoscaling_write.",
       "No scaling target would be created.", '{"autoscaling_enabled": true}',
       '{"autoscaling_enabled": true, "autoscaling_read": {"max_capacity": 20}}'),
    _r("DDB133", "autoscaling minimum above maximum", "A minimum capacity is above its maximum.",
       "Application Auto Scaling rejects the target.", '{"autoscaling_read": {"min_capacity": 50, '
       '"max_capacity": 20}}', '{"autoscaling_read": {"min_capacity": 5, "max_capacity": 20}}'),
    _r("DDB134", "autoscaling for an unknown index", "autoscaling_indexes names no global secondary index.",
       "The scaling target would point at an index that does not exist."),
    _r("DDB135", "replicas without NEW_AND_OLD_IMAGES stream", "Replicas without stream_enabled and "
       "stream_view_type NEW_AND_OLD_IMAGES.", "Global tables replicate through the stream.",
       '{"replica_regions": [{"region_name": "us-west-2"}]}', '{"stream_enabled": true, "stream_view_type": '
       '"NEW_AND_OLD_IMAGES", "replica_regions": [{"region_name": "us-west-2"}]}'),
    _r("DDB136", "IAM policy name", "The derived IAM policy name <env>-<table>_ro is over 128 characters or "
       "has characters IAM refuses.", "IAM refuses the policy at apply; shorten the resource name."),
    _r("DDB137", "KMS key without SSE", "server_side_encryption_kms_key_arn without "
       "server_side_encryption_enabled: true; the AWS owned key is used.", "The key you named is not used.",
       '{"server_side_encryption_kms_key_arn": "arn:aws:kms:..."}',
       '{"server_side_encryption_enabled": true, "server_side_encryption_kms_key_arn": "arn:aws:kms:..."}', W),
    _r("DDB138", "range key equals hash key", "A range_key is the same attribute as its hash_key.",
       "DynamoDB needs two different attributes.", '{"range_key": "pk"}  (hash_key pk)', '{"range_key": "sk"}'),
    _r("DDB139", "create_table false", "create_table: false would leave IAM policies and outputs pointing at no table.",
       "Use \"disabled\": true to skip the resource, or \"provided\": true for an existing table.",
       '{"create_table": false}', '"provided": true, "out": {"attributes": {...}}  (top level)'),
    _r("DDB140", "reserved tag prefix", "A tag key starts with 'aws:'.", "AWS reserves the prefix and rejects it.",
       '"tags": {"aws:team": "x"}', '"tags": {"team": "x"}'),
    _r("DDB141", "tag characters", "A tag key or value uses characters outside letters, digits, spaces and "
       "+ - = . _ : / @.", "DynamoDB tag keys and values allow only those; AWS may reject the tag.",
       '"tags": {"team!": "x"}', '"tags": {"team": "x"}', W),
    _r("DDB190", "unknown top-level field", "A top-level field this flavor does not know; ignored.",
       "Usually a typo of an envelope field.", '{"dissabled": true}', '{"disabled": true}', W),
    _r("DDB191", "unknown advanced section", "advanced.<x> other than aws_dynamodb; ignored by this flavor.",
       "Options there never reach the table.", '"advanced": {"dynamodb": {...}}', '"advanced": {"aws_dynamodb": {...}}',
       W),
    _r("DDB192", "spec of a provided resource", "A provided resource (an existing table) has a spec; ignored.",
       "Provided resources are not synthesized; only out.attributes matter.", severity=W),
    # -- adoption (facets-dynamo import / drift): positions are in the describe outputs ------------------------
    _r("DDB401", "not a describe output", "A file given to import/drift is not a DynamoDB describe output "
       "(describe-table, describe-time-to-live, describe-continuous-backups, list-tags-of-resource, ...).",
       "Adoption reads the table from these outputs only; another service's JSON would adopt nothing.",
       '{"Reservations": []}', '{"Table": {"TableName": "orders-prod", ...}}'),
    _r("DDB402", "no describe-table output", "None of the files is the output of aws dynamodb describe-table.",
       "Keys, attributes, billing and indexes come from it: without it no spec can reproduce the table.",
       "import orders ttl.json", "import orders describe-table.json ttl.json"),
    _r("DDB403", "incomplete describe-table output", "describe-table output without TableName, KeySchema or "
       "AttributeDefinitions.", "A truncated or hand-edited output cannot reproduce the table's keys.",
       '{"Table": {"TableName": "x"}}', "the whole output of aws dynamodb describe-table"),
    _r("DDB404", "table in another region", "The table's ARN names another region than the environment's.",
       "The provider of that environment would look for (and create) the table in its own region.",
       "import into prod (eu-west-1) a table of us-east-1", "import it with --env for its region"),
    _r("DDB405", "setting dynamodb/default/0.2 cannot express", "The table uses a setting this flavor version "
       "cannot write (on-demand throughput limits, contributor insights, a Kinesis streaming destination).",
       "A spec without it would remove the setting at the next apply; nothing is written instead of a lossy spec.",
       '"OnDemandThroughput": {"MaxReadRequestUnits": 100}', "remove the setting, or adopt with a flavor that has it"),
    _r("DDB406", "Name tag replaced", "The table's Name tag differs from its name; the module always writes "
       "Name = the table name.", "After the first apply the tag says the table name.",
       '{"Key": "Name", "Value": "orders (legacy)"}', '{"Key": "Name", "Value": "legacy-orders"}', W),
    _r("DDB407", "KMS key kept", "The table's KMS key was kept without kms describe-key output, so it may be the "
       "AWS managed key.", "The spec then names the AWS managed key explicitly; give `aws kms describe-key` "
       "output to leave it out.", severity=Severity.INFO),
)


def all_rules() -> list[Rule]:
    from .policy import POLICY_RULES

    return [*RULES, *POLICY_RULES]
