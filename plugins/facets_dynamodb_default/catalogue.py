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
    # -- the 2026 surface (issue 13) ----------------------------------------------------------------------
    _r('DDB142',
       'own Name tag replaced',
       "A user's own Name tag (metadata.tags or advanced tags).",
       'the flavor, like the upstream Facets module, always sets Name to the table name last, so '
       "the user's value is silently replaced.",
       '"metadata": {"tags": {"Name": "orders"}}',
       'use another key: {"DisplayName": "orders"}', W),
    _r('DDB143',
       'replicas on PROVISIONED without write autoscaling',
       'Replicas on a PROVISIONED table without autoscaling_enabled + autoscaling_write.',
       'global tables 2019.11.21: UpdateTable ReplicaUpdates fails with "Table write capacity '
       'should either be Pay-Per-Request or AutoScaled".',
       '"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5, "replica_regions":'
       ' [{"region_name": "eu-west-1"}]',
       'add "autoscaling_enabled": true, "autoscaling_write": {"max_capacity": 10} or use '
       'PAY_PER_REQUEST'),
    _r('DDB144',
       'LSI range key is the hash key',
       "An LSI whose range_key is the table's hash key.",
       "an LSI's key is the table HASH + its own RANGE; the same attribute twice is refused by "
       'CreateTable.',
       '"hash_key": "Pk", "local_secondary_indexes": [{"name": "by-pk", "range_key": "Pk", '
       '"projection_type": "ALL"}]',
       'give the LSI another range key ("range_key": "G")'),
    _r('DDB145',
       'on-demand throughput without PAY_PER_REQUEST',
       'On_demand_throughput (table or GSI) without PAY_PER_REQUEST.',
       'OnDemandThroughput (API Reference) applies to on-demand tables/indexes only.',
       '"billing_mode": "PROVISIONED", ..., "on_demand_throughput": {"max_read_request_units": 10}',
       'remove it, or "billing_mode": "PAY_PER_REQUEST"'),
    _r('DDB146',
       'on-demand throughput out of range',
       'Max_read_request_units / max_write_request_units not -1 and below 1.',
       'API Reference OnDemandThroughput: -1 (no limit) or >= 1.',
       '"on_demand_throughput": {"max_write_request_units": 0}',
       '-1 or a value >= 1'),
    _r('DDB147',
       'warm throughput below the initial throughput',
       'Warm throughput (table or GSI) below the initial throughput: 12000 reads / 4000 writes per'
       ' second on demand, the provisioned read/write capacity when PROVISIONED.',
       'CreateTable refuses it ("Requested ReadUnitsPerSecond for WarmThroughput ... is lower than'
       ' initial throughput for OnDemand" / "... than ReadCapacityUnits of ProvisionedThroughput";'
       ' AWS "Understanding DynamoDB warm throughput"); moto reproduces it; the provider does not '
       'check.',
       'on demand: "warm_throughput": {"read_units_per_second": 100}; provisioned with '
       'read_capacity 50: {"read_units_per_second": 40}',
       'raise it to the floor (12000 / the capacity) or drop it'),
    _r('DDB148',
       'import_table with restore',
       'Import_table together with any restore_*.',
       'a table is created either by ImportTable or by a restore; provider table.go: '
       'restore_source_name / restore_source_table_arn ConflictsWith import_table.',
       '"import_table": {...}, "restore_source_name": "orders-prod"',
       'keep one of them'),
    _r('DDB149',
       'CSV options without CSV input',
       'Import_table.input_format_options with input_format not CSV.',
       'ImportTable: CSV options are for InputFormat CSV only.',
       '"import_table": {"input_format": "DYNAMODB_JSON", "input_format_options": {"csv": '
       '{"delimiter": ";"}}, ...}',
       '"input_format": "CSV" or drop the options'),
    _r('DDB150',
       'two restore points',
       'Restore_date_time and restore_to_latest_time: true together.',
       'both choose the restore point (provider ConflictsWith).',
       '"restore_source_name": "t", "restore_date_time": "2026-01-02T03:04:05Z", '
       '"restore_to_latest_time": true',
       'keep one'),
    _r('DDB151',
       'restore without a source',
       'A restore_* setting without restore_source_name / restore_source_table_arn.',
       'RestoreTableToPointInTime needs the source table.',
       '"restore_to_latest_time": true',
       'add "restore_source_name": "orders-prod" (or the ARN for cross-Region)'),
    _r('DDB152',
       'restore_date_time not a UTC timestamp',
       'Restore_date_time not an RFC 3339 UTC timestamp (...Z).',
       'the provider validates it with verify.ValidUTCTimestamp (table.go) and refuses the plan.',
       '"restore_date_time": "yesterday" or "2026-01-02T03:04:05+02:00"',
       '"2026-01-02T01:04:05Z"'),
    _r('DDB153',
       'mixed replica consistency modes',
       'Replicas mixing consistency_mode STRONG and EVENTUAL.',
       'a global table has one consistency mode (multi-Region strong consistency docs).',
       '[{"region_name": "us-east-2", "consistency_mode": "STRONG"}, {"region_name": "us-west-2"}]',
       'set "consistency_mode": "STRONG" on every replica (or none)'),
    _r('DDB154',
       'strong consistency without three Regions',
       'STRONG consistency without exactly three Regions (table + replicas + witness).',
       'MRSC is exactly three Regions.',
       'one STRONG replica and no witness',
       'add a second STRONG replica or "global_table_witness": {"region_name": "us-west-2"}'),
    _r('DDB155',
       'witness without one strong replica',
       'Global_table_witness without exactly one replica with consistency_mode STRONG.',
       'a witness exists only in MRSC with one replica (provider / module docs).',
       '"replica_regions": [{"region_name": "us-east-2"}], "global_table_witness": {"region_name":'
       ' "us-west-2"}',
       'make the single replica "consistency_mode": "STRONG"'),
    _r('DDB156',
       'witness in a used Region',
       "The witness Region is the table's Region or a replica's.",
       'MRSC needs three distinct Regions.',
       'env region us-east-1, "global_table_witness": {"region_name": "us-east-1"}',
       'pick a third Region (us-west-2)'),
    _r('DDB157',
       'stream policy without a stream',
       'Stream_resource_policy_statements without stream_enabled: true.',
       'the stream policy attaches to the stream ARN, which does not exist without a stream.',
       '"stream_resource_policy_statements": {"Read": {...}} alone',
       'add "stream_enabled": true, "stream_view_type": "NEW_AND_OLD_IMAGES"'),
    _r('DDB158',
       'policy statement without principal or action',
       'A policy statement with no principals/not_principals, or no actions/not_actions.',
       'a resource-based policy statement must name a Principal and actions (PutResourcePolicy '
       'refuses it).',
       '"resource_policy_statements": {"Get": {"actions": ["dynamodb:GetItem"]}}',
       'add "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::222222222222:role/R"]}]'),
    _r('DDB159',
       'policy action DynamoDB does not accept',
       'An action outside dynamodb: (or *); in a stream policy, an action that matches none of '
       'DescribeStream/GetRecords/GetShardIterator/ListStreams.',
       'DynamoDB resource policies accept DynamoDB actions only; stream policies read-only stream '
       'actions only.',
       '"actions": ["s3:GetObject"]; stream: "actions": ["dynamodb:PutItem"]',
       '"dynamodb:GetItem"; stream: "dynamodb:GetRecords" (wildcards such as dynamodb:Get* are '
       'fine)'),
    _r('DDB160',
       'resource policy over 20 KB',
       'The policy document (statements as written) over 20 KB.',
       'AWS "Resource-based policy considerations": 20 KB per policy.',
       '8 statements with 40 long role ARNs each (~28 KB)',
       'merge statements, use fewer principals (e.g. an account root or org condition)'),
    _r('DDB161',
       'more than one Kinesis destination',
       'More than one entry in kinesis_streaming_destinations.',
       'a table streams to one Kinesis data stream at a time (EnableKinesisStreamingDestination '
       'fails while another is ACTIVE).',
       'two {"stream_arn": ...} entries',
       'keep one'),
    _r('DDB162',
       'ignore_changes with nothing to ignore',
       'Ignore_changes_global_secondary_index with no GSIs, or ignore_changes_replica with no '
       'replicas.',
       'lifecycle ignore_changes would keep Terraform from ever creating an index/replica added '
       'later.',
       '"ignore_changes_replica": true on a table without replicas',
       'remove the flag (or add the replicas first)', W),
    _r('DDB164',
       'import_table with LSIs',
       'Import_table with local_secondary_indexes.',
       "ImportTable's TableCreationParameters has no LocalSecondaryIndexes; the provider drops "
       'them silently.',
       '"import_table": {...}, "local_secondary_indexes": [{"name": "by-g", "range_key": "G", '
       '"projection_type": "ALL"}]',
       'remove the LSIs or create the table without import'),
    _r('DDB165',
       'per-replica setting Terraform cannot express',
       "A replica entry with a per-replica setting the provider's replica block lacks "
       '(read_capacity, max_read_request_units, read_units_per_second, table_class, tags, '
       'global_secondary_indexes, contributor_insights).',
       "CloudFormation's GlobalTable/CDK TableV2 have them, Terraform cannot express them: it "
       'would be dropped.',
       '"replica_regions": [{"region_name": "eu-west-1", "read_capacity": 5}]',
       "remove it; the replica follows the table's settings"),
    _r('DDB166',
       'two restore sources',
       'Restore_source_name and restore_source_table_arn together.',
       'provider table.go: each ConflictsWith the other (RestoreTableToPointInTime takes one '
       'source).',
       '"restore_source_name": "orders-prod", "restore_source_table_arn": '
       '"arn:aws:dynamodb:us-east-1:123456789012:table/orders-prod"',
       'keep the ARN for a cross-Region restore, else the name'),
    # -- adoption (facets-dynamo import / drift): positions are in the describe outputs ------------------------
    _r("DDB401", "not a describe output", "A file given to import/drift is not a DynamoDB describe output "
       "(describe-table, describe-time-to-live, describe-continuous-backups, list-tags-of-resource, ...).",
       "Adoption reads the table from these outputs only; another service's JSON would adopt nothing.",
       '{"Reservations": []}', '{"Table": {"TableName": "orders-prod", ...}}'),
    _r("DDB402", "no describe-table output", "None of the files is the output of aws dynamodb describe-table.",
       "Keys, attributes, billing and indexes come from it: without it no spec can reproduce the table.",
       "import orders ttl.json", "import orders describe-table.json ttl.json"),
    _r("DDB403", "incomplete describe-table output", "describe-table output without TableName, KeySchema or "
       "AttributeDefinitions; a value adoption reads of the wrong shape (a string where AWS prints a list, ...); "
       "contributor insights of an index the table does not have.",
       "A truncated or hand-edited output cannot reproduce the table.",
       '{"Table": {"TableName": "x"}}', "the whole output of aws dynamodb describe-table"),
    _r("DDB404", "table in another region", "The table's ARN names another region than the environment's.",
       "The provider of that environment would look for (and create) the table in its own region.",
       "import into prod (eu-west-1) a table of us-east-1", "import it with --env for its region"),
    _r("DDB405", "setting dynamodb/default/0.2 cannot express", "The table uses a setting this flavor version "
       "cannot write: a multi-attribute key (several HASH or RANGE attributes), a replica's own table class, tags, "
       "capacity or on-demand override (or one of its indexes'), more than one global table witness, or index "
       "scaling policies that differ between read and write. The message names the setting; the position is "
       "where the describe output holds it.",
       "A spec without it would remove the setting at the next apply; nothing is written instead of a lossy spec.",
       '"Replicas": [{"RegionName": "eu-central-1", "ReplicaTableClassSummary": {"TableClass": '
       '"STANDARD_INFREQUENT_ACCESS"}}]', "remove the setting from the table, or manage it outside this spec"),
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
