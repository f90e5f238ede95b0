"""The DynamoDB policy pack: best practices Checkov and Trivy users expect, as warnings (DDB3xx).

Unlike the rules in ``rules.py`` (what DynamoDB or the provider would refuse), these are choices a team may
make on purpose, so they are warnings: on by default, and ``validate`` still exits 0 on them (unless
``--fail-on warning``). The configuration (``[tool.facets-dynamo]``) turns one off (severity ``"off"``),
makes it an error per environment (e.g. point-in-time recovery in prod) or suppresses it per resource with a
reason and an expiry date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from facets_dynamo.plugin import Diagnostic, Resource, Rule, Severity, ValidationContext

from .model import BASE, PROVISIONED, Table

W = Severity.WARNING

POLICY_RULES: tuple[Rule, ...] = (
    Rule("DDB301", "point-in-time recovery off", "The table does not enable point-in-time recovery.",
         "Without continuous backups an accidental or malicious write or delete cannot be rolled back.",
         '{"point_in_time_recovery_enabled": false}', '{"point_in_time_recovery_enabled": true}', W,
         checkov="CKV_AWS_28", trivy="AVD-AWS-0024"),
    Rule("DDB302", "no customer-managed KMS key", "Server-side encryption does not use a customer-managed KMS "
         "key (server_side_encryption_enabled with server_side_encryption_kms_key_arn).",
         "Data is always encrypted at rest, but only with your own key do you control rotation, access policy "
         "and revocation.", '{"server_side_encryption_enabled": false}',
         '{"server_side_encryption_enabled": true, "server_side_encryption_kms_key_arn": '
         '"arn:aws:kms:eu-west-1:111122223333:key/..."}', W,
         checkov="CKV_AWS_119", trivy="AVD-AWS-0025"),
    Rule("DDB303", "deletion protection off", "deletion_protection_enabled is not true.",
         "One DeleteTable call (or a Terraform replacement) removes the table and its data for good.",
         '{"deletion_protection_enabled": false}', '{"deletion_protection_enabled": true}', W,
         references=("AWS Security Hub control DynamoDB.6",)),
    Rule("DDB304", "provisioned capacity without autoscaling", "billing_mode PROVISIONED without "
         "autoscaling_enabled.", "A fixed capacity throttles at peaks and pays for idle capacity otherwise; "
         "use autoscaling or PAY_PER_REQUEST.", '{"billing_mode": "PROVISIONED", "read_capacity": 5, '
         '"write_capacity": 5}', '{"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5, '
         '"autoscaling_enabled": true, "autoscaling_read": {"max_capacity": 50}}', W,
         references=("AWS Security Hub control DynamoDB.1",)),
    Rule("DDB305", "replica without point-in-time recovery", "A replica (replica_regions item) does not set "
         "point_in_time_recovery: true.", "Each replica keeps its own backups; a region's copy without PITR "
         "cannot be restored there.", '"replica_regions": [{"region_name": "us-west-2"}]',
         '"replica_regions": [{"region_name": "us-west-2", "point_in_time_recovery": true}]', W,
         checkov="CKV_AWS_165",
         references=("Checkov CKV_AWS_165 checks the older aws_dynamodb_global_table resource",)),
)

Check = Callable[[Table, Resource], Iterator[Diagnostic]]


def _pitr(t: Table, r: Resource) -> Iterator[Diagnostic]:
    if not t.flag("point_in_time_recovery_enabled"):
        yield r.diagnostic(_at(t, "point_in_time_recovery_enabled"), "DDB301", "point-in-time recovery is off; "
                           "set point_in_time_recovery_enabled: true (Checkov CKV_AWS_28, Trivy AVD-AWS-0024)", W)


def _cmk(t: Table, r: Resource) -> Iterator[Diagnostic]:
    if not (t.flag("server_side_encryption_enabled") and t.adv.get("server_side_encryption_kms_key_arn")):
        yield r.diagnostic(_at(t, "server_side_encryption_enabled"), "DDB302", "the table is encrypted with an "
                           "AWS owned key; set server_side_encryption_enabled: true and "
                           "server_side_encryption_kms_key_arn (Checkov CKV_AWS_119, Trivy AVD-AWS-0025)", W)


def _deletion(t: Table, r: Resource) -> Iterator[Diagnostic]:
    if not t.flag("deletion_protection_enabled"):
        yield r.diagnostic(_at(t, "deletion_protection_enabled"), "DDB303", "deletion protection is off; set "
                           "deletion_protection_enabled: true", W)


def _autoscaling(t: Table, r: Resource) -> Iterator[Diagnostic]:
    if t.billing_mode == PROVISIONED and not t.flag("autoscaling_enabled"):
        yield r.diagnostic(_at(t, "billing_mode"), "DDB304", "provisioned capacity without autoscaling; set "
                           "autoscaling_enabled with autoscaling_read / autoscaling_write, or use "
                           "PAY_PER_REQUEST", W)


def _replicas(t: Table, r: Resource) -> Iterator[Diagnostic]:
    for i, rep in t.replicas:
        if rep.get("point_in_time_recovery") is not True:
            yield r.diagnostic(f"{BASE}/replica_regions/{i}", "DDB305", f"replica {rep.get('region_name')!r} has "
                               "no point-in-time recovery; set point_in_time_recovery: true on it", W)


CHECKS: dict[str, Check] = {"DDB301": _pitr, "DDB302": _cmk, "DDB303": _deletion, "DDB304": _autoscaling,
                            "DDB305": _replicas}


def _at(t: Table, key: str) -> str:
    """The setting's pointer when it is written, else the advanced block (or the spec) it would go in."""
    if key in t.adv:
        return f"{BASE}/{key}"
    return BASE if t.resource.advanced.get("aws_dynamodb") is not None else "/spec"


def check(resource: Resource, context: ValidationContext, table: Table | None = None) -> list[Diagnostic]:
    """The policy checks the configuration leaves on (all by default); provided and disabled resources are not
    deployed by this blueprint and are skipped."""
    wanted = [fn for code, fn in CHECKS.items() if context.enabled(code)]
    if not wanted or resource.provided or resource.disabled:
        return []
    table = table if table is not None else Table(resource, context.environment.name)
    return [d for fn in wanted for d in fn(table, resource)]
