"""Adopting existing tables and finding drift, through a real round trip: synthesize a spec, create the table in
moto from the synthesized arguments as the AWS provider would, save its describe outputs, import them back, and
the imported spec synthesizes the same ``aws_dynamodb_table`` (plus its import block)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE
from support.dynamodb_emulation import (
    as_aws_describes,
    create_table_kwargs,
    follow_up_calls,
    insights_and_kinesis,
    mocked_dynamodb,
    replica_describes,
    terraform_literal,
)

import facets_dynamo as fd
from facets_dynamo.adoption import DRIFTED, IN_SYNC, MISSING, adopt, drift, read_documents
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.host import default_host
from facets_dynamo.jsonsource import parse_text

FLAVOR = default_host().flavor("dynamodb", "default", "0.2")


def save_describe(client: Any, name: str, folder: Path, stack: dict[str, Any] | None = None,
                  block: dict[str, Any] | None = None) -> list[Path]:
    """What `aws dynamodb describe-table` & co. print for table ``name``, saved as JSON files. With the
    synthesized ``stack``, what moto does not model is filled in as AWS would answer for it
    (support.dynamodb_emulation: table class, warm/on-demand throughput, replicas, witness, contributor
    insights, Kinesis destination; Application Auto Scaling and KMS below)."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {"describe-table": client.describe_table(TableName=name),
               "describe-time-to-live": client.describe_time_to_live(TableName=name),
               "describe-continuous-backups": client.describe_continuous_backups(TableName=name)}
    outputs["list-tags-of-resource"] = all_tags(client, outputs["describe-table"]["Table"]["TableArn"])
    if stack is not None:
        block = block if block is not None else stack["resource"]["aws_dynamodb_table"]["table"]
        described = outputs["describe-table"]["Table"] = as_aws_describes(outputs["describe-table"]["Table"], block)
        outputs.update(replica_describes(described, block))
        outputs.update(insights_and_kinesis(name, stack))
        outputs.update(resource_policies(client, described, stack))
        outputs.update(autoscaling_outputs(stack, name))  # Application Auto Scaling, as it would answer
        key = described.get("SSEDescription", {}).get("KMSMasterKeyArn")
        if key:  # KMS, as it would answer: the customer's key if the spec named one, else the AWS managed key
            given = block.get("server_side_encryption", {})
            outputs["kms-describe-key"] = {"KeyMetadata": {"Arn": key, "KeyManager": "CUSTOMER" if given.get(
                "kms_key_arn") else "AWS"}}
    paths = []
    for label, answer in outputs.items():
        answer = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
        path = folder / f"{label}.json"
        path.write_text(json.dumps(answer, indent=2, default=str))
        paths.append(path)
    return paths


def resource_policies(client: Any, described: dict[str, Any], stack: dict[str, Any]) -> dict[str, Any]:
    """get-resource-policy of the table and of its stream once the stack's aws_dynamodb_resource_policy resources
    are applied (the ARNs resolved as Terraform would). moto keeps a table's policy (PutResourcePolicy, then
    GetResourcePolicy answers); it cannot take a stream's, which is answered as AWS would: the policy as put."""
    outputs = {}
    for rid, policy in stack.get("resource", {}).get("aws_dynamodb_resource_policy", {}).items():
        text = terraform_literal(policy["policy"].replace("${aws_dynamodb_table.table.arn}", described["TableArn"])
                                 .replace("${aws_dynamodb_table.table.stream_arn}",
                                          described.get("LatestStreamArn", "")))
        if policy["resource_arn"] == "${aws_dynamodb_table.table.arn}":
            client.put_resource_policy(ResourceArn=described["TableArn"], Policy=text)
            outputs[f"get-resource-policy-{rid}"] = client.get_resource_policy(ResourceArn=described["TableArn"])
        else:
            outputs[f"get-resource-policy-{rid}"] = {"Policy": text, "RevisionId": "1"}
    return outputs


def all_tags(client: Any, arn: str) -> dict[str, Any]:
    """Every page, as the AWS CLI prints them (ListTagsOfResource answers 10 tags at a time)."""
    tags: list[dict[str, str]] = []
    token = None
    while True:
        page = client.list_tags_of_resource(ResourceArn=arn, **({"NextToken": token} if token else {}))
        tags += page.get("Tags", [])
        token = page.get("NextToken")
        if not token:
            return {"Tags": tags}


def autoscaling_outputs(stack: dict[str, Any], name: str) -> dict[str, Any]:
    resources = stack.get("resource", {})
    targets, policies = [], []
    for target in resources.get("aws_appautoscaling_target", {}).values():
        resource_id = target["resource_id"].replace("${aws_dynamodb_table.table.name}", name)
        targets.append({"ServiceNamespace": "dynamodb", "ResourceId": resource_id,
                        "ScalableDimension": target["scalable_dimension"], "MinCapacity": target["min_capacity"],
                        "MaxCapacity": target["max_capacity"]})
    for policy_id, policy in resources.get("aws_appautoscaling_policy", {}).items():
        target = resources["aws_appautoscaling_target"][policy_id.removesuffix("_policy") + "_target"]
        config = policy["target_tracking_scaling_policy_configuration"][0]
        policies.append({"ResourceId": target["resource_id"].replace("${aws_dynamodb_table.table.name}", name),
                         "ScalableDimension": target["scalable_dimension"], "PolicyType": "TargetTrackingScaling",
                         "TargetTrackingScalingPolicyConfiguration": {
                             "TargetValue": config["target_value"], "ScaleInCooldown": config["scale_in_cooldown"],
                             "ScaleOutCooldown": config["scale_out_cooldown"]}})
    return {"describe-scalable-targets": {"ScalableTargets": targets},
            "describe-scaling-policies": {"ScalingPolicies": policies}}


def create(client: Any, block: dict[str, Any]) -> str:
    kwargs = create_table_kwargs(block)
    client.create_table(**kwargs)
    for method, call in follow_up_calls(block):
        getattr(client, method)(**call)
    return kwargs["TableName"]


# Arguments no describe call reports, so an adopted spec leaves them out: import_table and restore_* act only
# when a table is created (ForceNew: written into the spec of a live table they would replace it); timeouts are
# Terraform's own.
CREATE_ONLY = ("import_table", "restore_source_name", "restore_source_table_arn", "restore_date_time",
               "restore_to_latest_time", "timeouts")


def _warm_in_full(block: dict[str, Any], provisioned: bool) -> None:
    """warm_throughput is Optional+Computed in the provider: left out (or one value of it), it reads back as what
    AWS holds, where DynamoDB starts the table or index; so every table and GSI has it, in full."""
    start = ((block.get("read_capacity", 0), block.get("write_capacity", 0)) if provisioned else (12000, 4000))
    block["warm_throughput"] = {"read_units_per_second": start[0], "write_units_per_second": start[1],
                                **block.get("warm_throughput", {})}


def as_read(block: dict[str, Any]) -> dict[str, Any]:
    """The arguments as the provider reads them back, whether the spec wrote its defaults or not: table class
    STANDARD, deletion protection off (replicas too), replicas EVENTUAL, without PITR or tags, warm throughput in
    full, 35 days of point-in-time recovery; without the arguments no describe call can tell (CREATE_ONLY) and
    the lifecycle switches of Terraform."""
    found = {"table_class": "STANDARD", "deletion_protection_enabled": False, **terraform_literal(block)}
    for key in (*CREATE_ONLY, "//"):
        found.pop(key, None)
    provisioned = found.get("billing_mode") == "PROVISIONED"
    if found.get("point_in_time_recovery", {}).get("enabled"):  # Optional+Computed: AWS's 35 days read back
        found["point_in_time_recovery"] = {"recovery_period_in_days": 35, **found["point_in_time_recovery"]}
    _warm_in_full(found, provisioned)
    for gsi in found.get("global_secondary_index", []):
        _warm_in_full(gsi, provisioned)
    lifecycle = found.get("lifecycle", {})  # ignore_changes of GSIs / replicas: Terraform's own switches too
    ignored = [k for k in lifecycle.get("ignore_changes", []) if k not in ("global_secondary_index", "replica")]
    found["lifecycle"] = {**{k: v for k, v in lifecycle.items() if k != "ignore_changes"},
                          **({"ignore_changes": ignored} if ignored else {})}
    found["replica"] = [{"consistency_mode": "EVENTUAL", "deletion_protection_enabled": False,
                         "point_in_time_recovery": False, "propagate_tags": False, **r}
                        for r in found.get("replica", [])]
    return found


def extras_as_read(stack: dict[str, Any]) -> dict[str, Any]:
    """Contributor insights, Kinesis destinations and resource policies of a stack, with the provider's defaults
    written out (a policy as IAM reads it: one Resource or a list of one mean the same)."""
    resources = stack.get("resource", {})

    def policy(text: str) -> list[dict[str, Any]]:
        found = json.loads(terraform_literal(text))["Statement"]
        return [{k: v if k not in ("Resource", "Action") or isinstance(v, list) else [v] for k, v in s.items()}
                for s in found]

    return {"policies": {rid: [p["resource_arn"], policy(p["policy"])]
                         for rid, p in resources.get("aws_dynamodb_resource_policy", {}).items()},
            "insights": sorted(json.dumps({"mode": "ACCESSED_AND_THROTTLED_KEYS", **c}, sort_keys=True)
                               for c in resources.get("aws_dynamodb_contributor_insights", {}).values()),
            "kinesis": sorted(json.dumps({"approximate_creation_date_time_precision": "MILLISECOND", **k},
                                         sort_keys=True)
                              for k in resources.get("aws_dynamodb_kinesis_streaming_destination", {}).values())}


CORPUS_TABLES = 240  # as many generated tables as the conformance tests check (tests/plugin/test_conformance.py)


@pytest.fixture
def corpus(tmp_path: Path) -> list[Any]:
    """Every case of the conformance corpus: the example (dev, prod), the goldens, the 36 public table shapes
    (terraform-aws-modules / AWS CDK) and the generated tables."""
    from conformance.corpus import all_cases

    return all_cases(tmp_path / "corpus", CORPUS_TABLES)


@pytest.mark.slow
def test_round_trip_of_the_corpus_reproduces_every_table(corpus: list[Any], tmp_path: Path) -> None:
    """Synthesize, create in moto from the synthesized arguments (cross-stack references resolved as Terraform
    would), save the describe outputs, import them: the imported spec synthesizes the same table, autoscaling,
    contributor insights, Kinesis destinations and resource policies; and drift of every untouched table is
    empty."""
    from conformance.terraform_eval import TerraformState

    checked, in_sync, cases = 0, 0, set()
    for case in corpus:
        ws = load_workspace([case.blueprint], case.env)
        original = fd.synthesize(ws)
        state = TerraformState(original.stacks, ws.environment.region)
        saved = tmp_path / "saved" / case.id
        adopted_docs, blocks = [], {}
        with mocked_dynamodb(ws.environment.region) as client:
            for name, stack in original.stacks.items():
                if "table" not in stack.get("resource", {}).get("aws_dynamodb_table", {}):
                    continue
                blocks[name] = block = state.table(name, "table")
                table = create(client, block)
                paths = save_describe(client, table, saved / table, stack, block)
                documents, problems = read_documents(paths)
                assert not problems
                result = adopt(FLAVOR, documents, name, ws.environment)
                assert result.document is not None, (case.id, name, [d.format_text() for d in result.diagnostics])
                adopted_docs.append(fd.resource_from_dict(result.document, name=name))
        again = fd.synthesize(fd.workspace(adopted_docs, ws.environment))
        for r in adopted_docs:
            after = again.stacks[r.name]["resource"]["aws_dynamodb_table"]["table"]
            assert as_read(after) == as_read(blocks[r.name]), (case.id, r.name)
            imports = again.stacks[r.name]["import"]
            assert {"id": blocks[r.name]["name"], "to": "aws_dynamodb_table.table"} in imports
            targets = again.stacks[r.name]["resource"].get("aws_appautoscaling_target", {})
            assert len(imports) == 1 + 2 * len(targets)  # each autoscaling target and its policy too
            for kind in ("aws_appautoscaling_target", "aws_appautoscaling_policy"):
                assert again.stacks[r.name]["resource"].get(kind) == original.stacks[r.name]["resource"].get(kind), \
                    (case.id, r.name, kind)
            assert extras_as_read(again.stacks[r.name]) == extras_as_read(original.stacks[r.name]), (case.id, r.name)
            checked += 1
        compared = [d for d in drift(ws, saved=saved) if d.cloud_name in {b["name"] for b in blocks.values()}]
        assert len(compared) == len(blocks), case.id
        assert all(d.status == IN_SYNC for d in compared), (case.id, [d.to_dict() for d in compared
                                                                      if d.status != IN_SYNC])
        in_sync += len(compared)
        cases.add(case.id)
    assert "public" in cases and {"example-dev", "example-prod"} <= cases
    print(f"round trip: {checked} tables in {len(cases)} cases, {in_sync} in sync")
    assert checked == in_sync >= CORPUS_TABLES * 0.8  # every managed table (disabled ones have no stack)


def test_drift_of_an_untouched_table_is_empty_and_each_change_is_classified(tmp_path: Path) -> None:
    ws = load_workspace([EXAMPLE], "prod")
    stacks = fd.synthesize(ws).stacks
    saved = tmp_path / "saved"
    with mocked_dynamodb(ws.environment.region) as client:
        for name in ("locks", "orders"):  # sessions has replicas: moto cannot make them
            table = create(client, stacks[name]["resource"]["aws_dynamodb_table"]["table"])
            save_describe(client, table, saved / table, stacks[name])
    by = {d.address: d for d in drift(ws, saved=saved)}
    assert by["dynamodb.locks"].status == IN_SYNC and by["dynamodb.orders"].status == IN_SYNC, \
        [d.to_dict() for d in by.values()]
    assert by["dynamodb.sessions"].status == MISSING  # not in the cloud: applying creates it
    assert "dynamodb.audit" not in by  # provided: not ours to compare

    # someone turned PITR off by hand and the key differs: in place and a replacement, as diff says
    table = json.loads((saved / "locks-prod" / "describe-table.json").read_text())
    changed = copy.deepcopy(table)
    changed["Table"]["KeySchema"][0]["AttributeName"] = "Other"
    changed["Table"]["AttributeDefinitions"][0]["AttributeName"] = "Other"
    (saved / "locks-prod" / "describe-table.json").write_text(json.dumps(changed))
    off = {"ContinuousBackupsDescription": {"PointInTimeRecoveryDescription": {
        "PointInTimeRecoveryStatus": "DISABLED"}}}
    (saved / "locks-prod" / "describe-continuous-backups.json").write_text(json.dumps(off))
    locks = next(d for d in drift(ws, saved=saved) if d.address == "dynamodb.locks")
    assert locks.status == DRIFTED and locks.diff is not None and locks.diff.replaces
    effects = {c.path: str(c.effect) for c in locks.diff.changes}
    assert effects["/spec/hash_key"] == "replaces"
    assert effects["/advanced/aws_dynamodb/point_in_time_recovery_enabled"] == "in-place"


def test_import_cli_writes_a_spec_that_validates_and_never_overwrites(tmp_path: Path, run_cli) -> None:
    ws = load_workspace([EXAMPLE], "prod")
    stack = fd.synthesize(ws).stacks["orders"]
    with mocked_dynamodb(ws.environment.region) as client:
        table = create(client, stack["resource"]["aws_dynamodb_table"]["table"])
        paths = save_describe(client, table, tmp_path / "saved", stack)
    bp = tmp_path / "bp"
    (bp / "prod").mkdir(parents=True)
    (bp / "prod" / "environment.json").write_text((EXAMPLE / "prod" / "environment.json").read_text())
    done = run_cli("import", "legacy", *paths, "--flavor", "dynamodb/default/0.2", "--blueprint", bp, "--env", "prod")
    assert done.returncode == 0, done.stdout + done.stderr
    written = bp / "dynamodb" / "instances" / "legacy.json"
    doc = json.loads(written.read_text())
    assert doc["advanced"]["aws_dynamodb"]["table_name"] == "orders-prod"  # not <name>-<env>: kept explicitly
    assert doc["advanced"]["aws_dynamodb"]["adopt_existing"] is True
    assert run_cli("validate", bp, "--env", "prod").returncode == 0
    before = written.read_bytes()
    again = run_cli("import", "legacy", *paths, "--flavor", "dynamodb/default/0.2", "--blueprint", bp, "--env", "prod")
    assert again.returncode == 2 and "exists already" in again.stderr and written.read_bytes() == before
    synthesized = json.loads(run_cli("synth", bp, "--env", "prod", "--out", tmp_path / "out", "--format",
                                     "json").stdout)
    assert synthesized["stacks"] == ["legacy"]
    out = json.loads((tmp_path / "out" / "stacks" / "legacy" / "cdk.tf.json").read_text())
    assert {"to": "aws_dynamodb_table.table", "id": "orders-prod"} in out["import"]


def test_bad_describe_files_get_positioned_diagnostics_and_nothing_is_written(tmp_path: Path, run_cli) -> None:
    truncated = tmp_path / "truncated.json"
    truncated.write_text('{"Table": {"TableName": "x"')
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"Reservations": []}, indent=2))
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"Table": {"TableName": "x-prod"}}, indent=2))
    for files, code in (([truncated], "FD110"), ([other], "DDB401"), ([partial], "DDB403")):
        done = run_cli("import", "x", *files, "--flavor", "dynamodb/default/0.2", cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert code in done.stdout + done.stderr and "Traceback" not in done.stderr
        assert not (tmp_path / "x.json").exists()
    line = next(ln for ln in (run_cli("import", "x", other, "--flavor", "dynamodb/default/0.2", cwd=tmp_path).stdout
                              + "\n").splitlines() if "DDB401" in ln)
    assert line.startswith(f"{other}:1:1")


# What the moto server answers for contributor insights and Kinesis destinations, which moto does not model:
# (table, index or None, "insights") -> mode, (table, None, "kinesis") -> stream ARNs; a test sets it as the
# provider would have (UpdateContributorInsights, EnableKinesisStreamingDestination).
LIVE_EXTRAS: dict[tuple[str, str | None, str], Any] = {}


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A moto server on a free loopback port, as a stand-in for AWS (stopped after the test). moto 5.2 does not
    implement DescribeContributorInsights or DescribeKinesisStreamingDestination, and takes a stream ARN given to
    GetResourcePolicy for a missing table: the server answers these as AWS does for a table that has none of
    them (status DISABLED, no destinations, PolicyNotFoundException)."""
    from moto.dynamodb.exceptions import PolicyNotFoundException
    from moto.dynamodb.responses import DynamoHandler
    from moto.server import ThreadedMotoServer

    table_policy = DynamoHandler.get_resource_policy

    def policy(self: Any) -> Any:
        if "/stream/" in self.body.get("ResourceArn", ""):
            raise PolicyNotFoundException(f"Resource-based policy not found for the provided ResourceArn: "
                                          f"{self.body['ResourceArn']}")
        return table_policy(self)

    monkeypatch.setattr(DynamoHandler, "get_resource_policy", policy)

    def insights(self: Any) -> str:
        body = {"TableName": self.body["TableName"], "ContributorInsightsStatus": "DISABLED"}
        if "IndexName" in self.body:
            body["IndexName"] = self.body["IndexName"]
        mode = LIVE_EXTRAS.get((self.body["TableName"], self.body.get("IndexName"), "insights"))
        if mode:
            body.update(ContributorInsightsStatus="ENABLED", ContributorInsightsMode=mode)
        return json.dumps(body)

    def kinesis(self: Any) -> str:
        streams = LIVE_EXTRAS.get((self.body["TableName"], None, "kinesis"), [])
        return json.dumps({"TableName": self.body["TableName"], "KinesisDataStreamDestinations": [
            {"StreamArn": arn, "DestinationStatus": "ACTIVE", "ApproximateCreationDateTimePrecision": "MILLISECOND"}
            for arn in streams]})

    monkeypatch.setattr(DynamoHandler, "describe_contributor_insights", insights, raising=False)
    monkeypatch.setattr(DynamoHandler, "describe_kinesis_streaming_destination", kinesis, raising=False)

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    try:
        yield env
    finally:
        server.stop()
        LIVE_EXTRAS.clear()


def test_import_and_drift_live_against_moto_server(tmp_path: Path, run_cli, moto_server: dict[str, str]) -> None:
    import boto3

    bp = tmp_path / "bp"
    import shutil

    shutil.copytree(EXAMPLE, bp)
    ws = load_workspace([bp], "dev")
    stacks = fd.synthesize(ws).stacks
    client = boto3.client("dynamodb", region_name=ws.environment.region, endpoint_url=moto_server["AWS_ENDPOINT_URL"],
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    for name in ("locks", "sessions"):  # (moto makes the AWS managed KMS key of orders a customer key)
        block = json.loads(json.dumps(stacks[name]["resource"]["aws_dynamodb_table"]["table"]).replace(
            "${data.terraform_remote_state.cross-stack-reference-input-locks.outputs."
            "cross-stack-output-aws_dynamodb_tabletablename}", "locks-dev"))  # as Terraform resolves it
        create(client, block)

    imported = run_cli("import", "old-locks", "--live", "locks-dev", "--flavor", "dynamodb/default/0.2",
                       "--env", "dev", cwd=tmp_path, env=moto_server)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    doc = json.loads((tmp_path / "old-locks.json").read_text())
    assert doc["spec"]["hash_key"] == "LockID" and doc["advanced"]["aws_dynamodb"]["table_name"] == "locks-dev"
    missing = run_cli("import", "nope", "--live", "nope-dev", "--flavor", "dynamodb/default/0.2", cwd=tmp_path,
                      env=moto_server)
    assert missing.returncode == 1 and "does not exist" in missing.stdout + missing.stderr
    assert not (tmp_path / "nope.json").exists()

    in_sync = run_cli("drift", bp, "--env", "dev", "--format", "json", env=moto_server)
    report = json.loads(in_sync.stdout)
    statuses = {r["address"]: r["status"] for r in report["resources"]}
    assert statuses["dynamodb.locks"] == statuses["dynamodb.sessions"] == "in sync", in_sync.stdout
    assert statuses["dynamodb.orders"] == "missing" and in_sync.returncode == 4
    client.update_table(TableName="locks-dev", DeletionProtectionEnabled=False)  # changed by hand
    drifted = run_cli("drift", bp, "--env", "dev", env=moto_server)
    assert drifted.returncode == 4, drifted.stdout + drifted.stderr
    assert "dynamodb.locks (locks-dev): drifted" in drifted.stdout
    assert "/advanced/aws_dynamodb/deletion_protection_enabled: false -> true" in drifted.stdout
    no_cloud = run_cli("drift", bp, "--env", "dev", env={**moto_server, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert no_cloud.returncode == 1 and "FD602" in no_cloud.stdout and "Traceback" not in no_cloud.stderr


def test_drift_as_sarif_and_annotations(tmp_path: Path, run_cli) -> None:
    saved = EXAMPLE.parent / "adopt"
    done = run_cli("drift", EXAMPLE, "--env", "prod", "--saved", saved, "--format", "sarif")
    assert done.returncode == 4, done.stderr
    run = json.loads(done.stdout)["runs"][0]
    missing = [r for r in run["results"] if r["ruleId"] == "FD961"]
    rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert len(missing) == 4 and {r["ruleId"] for r in run["results"]} <= rules
    uri = missing[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("examples/blueprint/") or "dynamodb/instances/" in uri
    github = run_cli("drift", EXAMPLE, "--env", "prod", "--saved", saved, "--format", "github")
    assert github.stdout.count("title=FD961::") == 4


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(("what", "file", "change", "path", "effect"), [
    ("LSI dropped by hand", "describe-table", lambda d: d["Table"].pop("LocalSecondaryIndexes"),
     "/advanced/aws_dynamodb/local_secondary_indexes/0", "replaces"),
    ("key attribute retyped", "describe-table", lambda d: d["Table"]["AttributeDefinitions"][0].update(
        AttributeType="N"), "/spec/attributes/CustomerId/type", "replaces"),
    ("GSI added by hand", "describe-table", lambda d: d["Table"]["GlobalSecondaryIndexes"].append(
        {**d["Table"]["GlobalSecondaryIndexes"][0], "IndexName": "extra"}),
     "/advanced/aws_dynamodb/global_secondary_indexes/1", "in-place"),
    ("stream turned on", "describe-table", lambda d: d["Table"].update(
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}),
     "/advanced/aws_dynamodb/stream_enabled", "in-place"),
    ("TTL turned on", "describe-time-to-live", lambda d: d["TimeToLiveDescription"].update(
        TimeToLiveStatus="ENABLED", AttributeName="ExpiresAt"), "/advanced/aws_dynamodb/ttl_enabled", "in-place"),
    ("tag edited", "list-tags-of-resource", lambda d: d["Tags"].append({"Key": "owner", "Value": "someone"}),
     "/advanced/aws_dynamodb/tags/owner", "in-place"),
])
def test_each_setting_changed_live_is_drift_with_its_effect(tmp_path: Path, what: str, file: str, change: Any,
                                                            path: str, effect: str) -> None:
    ws = load_workspace([EXAMPLE], "prod")
    stack = fd.synthesize(fd.workspace([ws["orders"]], ws.environment)).stacks["orders"]
    saved = tmp_path / "saved"
    with mocked_dynamodb(ws.environment.region) as client:
        table = create(client, stack["resource"]["aws_dynamodb_table"]["table"])
        save_describe(client, table, saved / table, stack)
    only = fd.workspace([ws["orders"]], ws.environment)
    assert [d.status for d in drift(only, saved=saved)] == [IN_SYNC]
    _edit(saved / table / f"{file}.json", change)
    [found] = drift(only, saved=saved)
    assert found.status == DRIFTED and found.diff is not None, what
    effects = {c.path: str(c.effect) for c in found.diff.changes}
    assert effects.get(path) == effect, (what, effects)


def test_the_2026_settings_are_adopted_not_dropped(tmp_path: Path) -> None:
    saved = EXAMPLE.parent / "adopt" / "legacy-orders"
    table = json.loads((saved / "describe-table.json").read_text())
    table["Table"]["OnDemandThroughput"] = {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": -1}
    table["Table"]["WarmThroughput"] = {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    extra = {"describe-table": table,
             "describe-contributor-insights": {"TableName": "legacy-orders", "ContributorInsightsStatus": "ENABLED",
                                               "ContributorInsightsMode": "THROTTLED_KEYS"},
             "describe-kinesis-streaming-destination": {"TableName": "legacy-orders", "KinesisDataStreamDestinations": [
                 {"StreamArn": "arn:aws:kinesis:eu-west-1:123456789012:stream/orders",
                  "DestinationStatus": "ACTIVE"}]}}
    for name, data in extra.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(data, indent=2))
    paths = [tmp_path / f"{n}.json" for n in extra] + [saved / "describe-time-to-live.json"]
    documents, _problems = read_documents(paths)
    prod = load_workspace([EXAMPLE], "prod").environment
    adopted = adopt(FLAVOR, documents, "legacy-orders", prod)
    assert adopted.document is not None, [d.format_text() for d in adopted.diagnostics]
    adv = adopted.document["advanced"]["aws_dynamodb"]
    assert adv["on_demand_throughput"] == {"max_read_request_units": 100}  # -1 is "no limit": not a setting
    assert adv["warm_throughput"] == {"read_units_per_second": 15000, "write_units_per_second": 4000}
    assert adv["contributor_insights"] == {"mode": "THROTTLED_KEYS"}
    assert adv["kinesis_streaming_destinations"] == [
        {"stream_arn": "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"}]
    assert fd.validate(fd.resource_from_dict(adopted.document, name="legacy-orders"), prod).ok


STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders-changes"
MODERN = {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
          "spec": {"attributes": {"pk": {"name": "pk", "type": "S"}, "g": {"name": "g", "type": "S"}},
                   "hash_key": "pk"},
          "advanced": {"aws_dynamodb": {
              "billing_mode": "PAY_PER_REQUEST", "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES",
              "on_demand_throughput": {"max_read_request_units": 500},
              "warm_throughput": {"read_units_per_second": 15000},
              "global_secondary_indexes": [{"name": "by-g", "hash_key": "g", "projection_type": "ALL",
                                            "warm_throughput": {"write_units_per_second": 6000},
                                            "contributor_insights": {"mode": "THROTTLED_KEYS"}}],
              "contributor_insights": {},
              "kinesis_streaming_destinations": [{"stream_arn": STREAM}],
              "replica_regions": [{"region_name": "eu-central-1", "consistency_mode": "STRONG"}],
              "global_table_witness": {"region_name": "eu-north-1"},
              "resource_policy_statements": {"ReadOnly": {
                  "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:role/reader"]}],
                  "actions": ["dynamodb:GetItem", "dynamodb:Query"]}},
              "stream_resource_policy_statements": {"Consumer": {
                  "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:role/consumer"]}],
                  "actions": ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"]}}}}}
SCALED = {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
          "spec": {"attributes": {"pk": {"name": "pk", "type": "S"}, "g": {"name": "g", "type": "S"}},
                   "hash_key": "pk"},
          "advanced": {"aws_dynamodb": {
              "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
              "global_secondary_indexes": [{"name": "by-g", "hash_key": "g", "projection_type": "ALL",
                                            "read_capacity": 5, "write_capacity": 5}],
              "autoscaling_enabled": True, "autoscaling_read": {"max_capacity": 50, "target_value": 60},
              "autoscaling_write": {"max_capacity": 20},
              "autoscaling_indexes": {"by-g": {"read_min_capacity": 5, "read_max_capacity": 40}}}}}
ADV = "/advanced/aws_dynamodb"


def _targets(d: dict[str, Any], dimension: str, resource_end: str, **values: Any) -> None:
    for t in d["ScalableTargets"]:
        if t["ScalableDimension"] == dimension and t["ResourceId"].endswith(resource_end):
            t.update(values)


def _policies(d: dict[str, Any], dimension: str, **values: Any) -> None:
    for p in d["ScalingPolicies"]:
        if p["ScalableDimension"] == dimension:
            p["TargetTrackingScalingPolicyConfiguration"].update(values)


@pytest.mark.parametrize(("what", "table", "file", "change", "path"), [
    ("on-demand limit raised", "modern", "describe-table", lambda d: d["Table"]["OnDemandThroughput"].update(
        MaxReadRequestUnits=900), f"{ADV}/on_demand_throughput/max_read_request_units"),
    ("warm throughput raised", "modern", "describe-table", lambda d: d["Table"]["WarmThroughput"].update(
        ReadUnitsPerSecond=20000), f"{ADV}/warm_throughput/read_units_per_second"),
    ("GSI warm throughput raised", "modern", "describe-table",
     lambda d: d["Table"]["GlobalSecondaryIndexes"][0]["WarmThroughput"].update(ReadUnitsPerSecond=13000),
     f"{ADV}/global_secondary_indexes/0/warm_throughput/read_units_per_second"),
    ("GSI on-demand limit set", "modern", "describe-table",
     lambda d: d["Table"]["GlobalSecondaryIndexes"][0]["OnDemandThroughput"].update(MaxWriteRequestUnits=70),
     f"{ADV}/global_secondary_indexes/0/on_demand_throughput"),
    ("table contributor insights off", "modern", "describe-contributor-insights",
     lambda d: d.update(ContributorInsightsStatus="DISABLED"), f"{ADV}/contributor_insights"),
    ("GSI contributor insights mode", "modern", "describe-contributor-insights-by-g",
     lambda d: d.update(ContributorInsightsMode="ACCESSED_AND_THROTTLED_KEYS"),
     f"{ADV}/global_secondary_indexes/0/contributor_insights/mode"),
    ("Kinesis destination disabled", "modern", "describe-kinesis-streaming-destination",
     lambda d: d["KinesisDataStreamDestinations"][0].update(DestinationStatus="DISABLED"),
     f"{ADV}/kinesis_streaming_destinations/0"),
    ("Kinesis precision changed", "modern", "describe-kinesis-streaming-destination",
     lambda d: d["KinesisDataStreamDestinations"][0].update(ApproximateCreationDateTimePrecision="MICROSECOND"),
     f"{ADV}/kinesis_streaming_destinations/0/approximate_creation_date_time_precision"),
    ("witness moved", "modern", "describe-table", lambda d: d["Table"]["GlobalTableWitnesses"][0].update(
        RegionName="eu-south-1"), f"{ADV}/global_table_witness"),
    ("replica consistency eventual", "modern", "describe-table", lambda d: d["Table"].update(
        MultiRegionConsistency="EVENTUAL"), f"{ADV}/replica_regions/0/consistency_mode"),
    ("replica deletion protection on", "modern", "describe-table-eu-central-1", lambda d: d["Table"].update(
        DeletionProtectionEnabled=True), f"{ADV}/replica_regions/0/deletion_protection_enabled"),
    ("policy action added", "modern", "get-resource-policy-resource_policy", lambda d: d.update(Policy=d[
        "Policy"].replace('"dynamodb:Query"', '"dynamodb:Query", "dynamodb:Scan"')),
     f"{ADV}/resource_policy_statements/ReadOnly/Action/2"),
    ("stream policy removed", "modern", "get-resource-policy-stream_resource_policy",
     lambda d: d.update(Policy='{"Version": "2012-10-17", "Statement": []}'),
     f"{ADV}/stream_resource_policy_statements"),
    ("replica PITR turned on", "modern", "describe-continuous-backups-eu-central-1",
     lambda d: d["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"].update(
         PointInTimeRecoveryStatus="ENABLED"), f"{ADV}/replica_regions/0/point_in_time_recovery"),
    ("replica given the table's tags", "modern", "list-tags-of-resource-eu-central-1", lambda d: d.update(
        Tags=[{"Key": "Name", "Value": "modern-prod"}, *({"Key": k, "Value": v} for k, v in load_workspace(
            [EXAMPLE], "prod").environment.cloud_tags.items())]), f"{ADV}/replica_regions/0/propagate_tags"),
    ("table read max changed", "scaled", "describe-scalable-targets",
     lambda d: _targets(d, "dynamodb:table:ReadCapacityUnits", "scaled-prod", MaxCapacity=80),
     f"{ADV}/autoscaling/table:read/max_capacity"),
    ("table write min changed", "scaled", "describe-scalable-targets",
     lambda d: _targets(d, "dynamodb:table:WriteCapacityUnits", "scaled-prod", MinCapacity=2),
     f"{ADV}/autoscaling/table:write/min_capacity"),
    ("table read target changed", "scaled", "describe-scaling-policies",
     lambda d: _policies(d, "dynamodb:table:ReadCapacityUnits", TargetValue=75.0),
     f"{ADV}/autoscaling/table:read/target_value"),
    ("index read max changed", "scaled", "describe-scalable-targets",
     lambda d: _targets(d, "dynamodb:index:ReadCapacityUnits", "/index/by-g", MaxCapacity=10),
     f"{ADV}/autoscaling/index:by-g:read/max_capacity"),
    ("index write scaled by hand", "scaled", "describe-scalable-targets", lambda d: d["ScalableTargets"].append(
        {"ServiceNamespace": "dynamodb", "ResourceId": "table/scaled-prod/index/by-g",
         "ScalableDimension": "dynamodb:index:WriteCapacityUnits", "MinCapacity": 5, "MaxCapacity": 9}),
     f"{ADV}/autoscaling/index:by-g:write"),
    ("autoscaling removed by hand", "scaled", "describe-scalable-targets", lambda d: d.update(ScalableTargets=[]),
     f"{ADV}/autoscaling"),
])
def test_new_settings_and_autoscaling_changed_live_are_drift_in_place(tmp_path: Path, what: str, table: str,
                                                                      file: str, change: Any, path: str) -> None:
    env = load_workspace([EXAMPLE], "prod").environment
    resource = fd.resource_from_dict(copy.deepcopy(MODERN if table == "modern" else SCALED), name=table)
    only = fd.workspace([resource], env)
    assert fd.validate(resource, env).ok, what
    stack = fd.synthesize(only).stacks[table]
    saved = tmp_path / "saved"
    with mocked_dynamodb(env.region) as client:
        name = create(client, stack["resource"]["aws_dynamodb_table"]["table"])
        save_describe(client, name, saved / name, stack)
    assert [d.status for d in drift(only, saved=saved)] == [IN_SYNC], what
    _edit(saved / name / f"{file}.json", change)
    [found] = drift(only, saved=saved)
    assert found.status == DRIFTED and found.diff is not None, what
    effects = {c.path: str(c.effect) for c in found.diff.changes}
    assert effects.get(path) == "in-place", (what, effects)
    assert not found.diff.replaces, what


def test_what_the_schema_cannot_write_is_refused_by_name_and_position(tmp_path: Path, run_cli) -> None:
    """DDB405 stays for multi-attribute keys and per-replica overrides; each names the setting, the pointer
    and (as any diagnostic) the line and column in the saved output. Nothing is written."""
    table = json.loads((EXAMPLE.parent / "adopt" / "legacy-orders" / "describe-table.json").read_text())
    t = table["Table"]
    gsi = t["GlobalSecondaryIndexes"][0]
    gsi["KeySchema"] = [*gsi["KeySchema"], {"AttributeName": t["AttributeDefinitions"][0]["AttributeName"],
                                            "KeyType": "HASH"}]
    t["Replicas"] = [{"RegionName": "eu-central-1", "ReplicaStatus": "ACTIVE",
                      "ReplicaTableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"}},
                     {"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE",
                      "ProvisionedThroughputOverride": {"ReadCapacityUnits": 10}}]
    path = tmp_path / "describe-table.json"
    path.write_text(json.dumps(table, indent=2))
    tags = tmp_path / "list-tags-of-resource-eu-central-1.json"  # asked in the replica's Region
    tags.write_text(json.dumps({"Tags": [{"Key": "owner", "Value": "eu-team"}]}, indent=2))
    done = run_cli("import", "legacy-orders", path, tags, "--flavor", "dynamodb/default/0.2", "--env", "prod",
                   "--blueprint", EXAMPLE, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    refused = [ln for ln in (done.stdout + done.stderr).splitlines() if "DDB405" in ln]
    assert len(refused) == 4, refused
    assert f"{tags}:2:11: error DDB405 at /Tags: tags of replica eu-central-1 other than the table's" in refused[-1]
    refused = [ln for ln in refused if ln.startswith(str(path))]
    text = path.read_text().splitlines()
    for line, (pointer, words) in zip(sorted(refused), [
        ("/Table/GlobalSecondaryIndexes/0/KeySchema", "multi-attribute HASH key of GSI"),
        ("/Table/Replicas/0/ReplicaTableClassSummary",
         "table class STANDARD_INFREQUENT_ACCESS of replica eu-central-1"),
        ("/Table/Replicas/1/ProvisionedThroughputOverride", "provisioned capacity override of replica us-east-1")],
            strict=True):
        assert words in line and f"DDB405 at {pointer}:" in line, line
        row = int(line.split(":")[1])  # the line of the setting in the saved output
        assert f'"{pointer.rsplit("/", 1)[1]}":' in text[row - 1], (line, text[row - 1])
    assert "Traceback" not in done.stderr and not list((EXAMPLE / "dynamodb" / "instances").glob("legacy*"))


def test_index_insights_witness_and_strong_replicas_are_adopted(tmp_path: Path) -> None:
    saved = EXAMPLE.parent / "adopt" / "legacy-orders"
    table = json.loads((saved / "describe-table.json").read_text())
    index = table["Table"]["GlobalSecondaryIndexes"][0]["IndexName"]
    table["Table"].update(MultiRegionConsistency="STRONG",
                          Replicas=[{"RegionName": "eu-central-1", "ReplicaStatus": "ACTIVE"}],
                          GlobalTableWitnesses=[{"RegionName": "eu-north-1", "WitnessStatus": "ACTIVE"}])
    replica = copy.deepcopy(table)
    replica["Table"]["TableArn"] = replica["Table"]["TableArn"].replace("eu-west-1", "eu-central-1")
    replica["Table"]["DeletionProtectionEnabled"] = True
    outputs = {"describe-table": table, "describe-table-eu-central-1": replica,
               "insights": {"TableName": "legacy-orders", "ContributorInsightsStatus": "DISABLED"},
               "insights-gsi": {"TableName": "legacy-orders", "IndexName": index,
                                "ContributorInsightsStatus": "ENABLED"}}
    for name, data in outputs.items():
        (tmp_path / f"{name}.json").write_text(json.dumps(data, indent=2))
    documents, problems = read_documents([tmp_path / f"{n}.json" for n in outputs])
    assert not problems
    prod = load_workspace([EXAMPLE], "prod").environment
    adopted = adopt(FLAVOR, documents, "legacy-orders", prod)
    assert adopted.document is not None, [d.format_text() for d in adopted.diagnostics]
    adv = adopted.document["advanced"]["aws_dynamodb"]
    assert "contributor_insights" not in adv
    assert adv["global_secondary_indexes"][0]["contributor_insights"] == {}
    assert adv["replica_regions"] == [{"region_name": "eu-central-1", "consistency_mode": "STRONG",
                                       "deletion_protection_enabled": True}]
    assert adv["global_table_witness"] == {"region_name": "eu-north-1"}


def test_live_drift_reads_this_tables_autoscaling_and_policies(moto_server: dict[str, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Live (boto3 against moto server): the table's own scalable targets and policies are found among 60 other
    targets (more than a page), a changed maximum is drift; the table's resource policy, its index's contributor
    insights and its Kinesis destination are read back."""
    import boto3

    for key, value in moto_server.items():
        monkeypatch.setenv(key, value)
    env = load_workspace([EXAMPLE], "prod").environment
    doc = copy.deepcopy(SCALED)
    doc["advanced"]["aws_dynamodb"]["resource_policy_statements"] = MODERN["advanced"]["aws_dynamodb"][
        "resource_policy_statements"]
    doc["advanced"]["aws_dynamodb"]["global_secondary_indexes"][0]["contributor_insights"] = {}
    doc["advanced"]["aws_dynamodb"]["kinesis_streaming_destinations"] = [{"stream_arn": STREAM}]
    LIVE_EXTRAS[("scaled-prod", "by-g", "insights")] = "ACCESSED_AND_THROTTLED_KEYS"  # as the stack applied them
    LIVE_EXTRAS[("scaled-prod", None, "kinesis")] = [STREAM]
    only = fd.workspace([fd.resource_from_dict(doc, name="scaled")], env)
    stack = fd.synthesize(only).stacks["scaled"]
    dynamodb = boto3.client("dynamodb", region_name=env.region)
    scaling = boto3.client("application-autoscaling", region_name=env.region)
    name = create(dynamodb, stack["resource"]["aws_dynamodb_table"]["table"])
    arn = dynamodb.describe_table(TableName=name)["Table"]["TableArn"]
    policy = stack["resource"]["aws_dynamodb_resource_policy"]["resource_policy"]["policy"]
    dynamodb.put_resource_policy(ResourceArn=arn, Policy=policy.replace("${aws_dynamodb_table.table.arn}", arn))
    for i in range(60):  # other tables' targets first: this table's are not on the first page
        scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/other{i:02d}",
                                         ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=1,
                                         MaxCapacity=2)
    answers = autoscaling_outputs(stack, name)
    for target in answers["describe-scalable-targets"]["ScalableTargets"]:
        scaling.register_scalable_target(**target)
    for p in answers["describe-scaling-policies"]["ScalingPolicies"]:
        metric = f"DynamoDB{'Read' if 'Read' in p['ScalableDimension'] else 'Write'}CapacityUtilization"
        config = {**p["TargetTrackingScalingPolicyConfiguration"],
                  "PredefinedMetricSpecification": {"PredefinedMetricType": metric}}
        scaling.put_scaling_policy(PolicyName=f"{metric}:{p['ResourceId']}", ServiceNamespace="dynamodb",
                                   ResourceId=p["ResourceId"], ScalableDimension=p["ScalableDimension"],
                                   PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration=config)
    [found] = drift(only)
    assert found.status == IN_SYNC, found.to_dict()
    scaling.register_scalable_target(ServiceNamespace="dynamodb", ResourceId=f"table/{name}/index/by-g",
                                     ScalableDimension="dynamodb:index:ReadCapacityUnits", MinCapacity=5,
                                     MaxCapacity=99)  # changed by hand
    [found] = drift(only)
    assert found.status == DRIFTED and found.diff is not None
    assert {c.path: str(c.effect) for c in found.diff.changes} == {
        f"{ADV}/autoscaling/index:by-g:read/max_capacity": "in-place"}
    LIVE_EXTRAS.pop(("scaled-prod", "by-g", "insights"))  # turned off by hand
    [found] = drift(only)
    assert found.diff is not None and {c.path for c in found.diff.changes} == {
        f"{ADV}/autoscaling/index:by-g:read/max_capacity",
        f"{ADV}/global_secondary_indexes/0/contributor_insights"}, found.to_dict()


def test_every_field_of_the_wrong_shape_is_a_positioned_diagnostic_never_an_exception(tmp_path: Path) -> None:
    """Each value adoption reads, replaced by each wrong kind of JSON value, in every describe output: adopt
    answers with diagnostics (DDB403 at the value's line for what it reads), never by raising."""
    base = json.loads((EXAMPLE.parent / "adopt" / "legacy-orders" / "describe-table.json").read_text())
    base["Table"].update(Replicas=[{"RegionName": "eu-central-1", "ReplicaTableClassSummary": {"TableClass": "S"}}],
                         GlobalTableWitnesses=[{"RegionName": "eu-north-1"}], MultiRegionConsistency="STRONG",
                         WarmThroughput={"ReadUnitsPerSecond": 1}, OnDemandThroughput={"MaxReadRequestUnits": 3})
    index = "table/legacy-orders/index/by-customer"
    outputs: dict[str, Any] = {
        "describe-table.json": base,
        "insights.json": {"TableName": "legacy-orders", "IndexName": "by-customer",
                          "ContributorInsightsStatus": "ENABLED", "ContributorInsightsMode": "THROTTLED_KEYS"},
        "kinesis.json": {"KinesisDataStreamDestinations": [{"StreamArn": "a", "DestinationStatus": "ACTIVE"}]},
        "policy.json": {"Policy": json.dumps({"Statement": [{"Sid": "A", "Principal": {"AWS": "x"}, "Action": "a",
                                                             "Condition": {"a": {"b": "c"}}}]})},
        "targets.json": {"ScalableTargets": [{"ResourceId": index, "MinCapacity": 1, "MaxCapacity": 2,
                                              "ScalableDimension": "dynamodb:index:ReadCapacityUnits"}]},
        "policies.json": {"ScalingPolicies": [{"ResourceId": index, "ScalableDimension": "x",
                                               "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 50}}]},
        "list-tags-of-resource-eu-central-1.json": {"Tags": [{"Key": "a", "Value": "b"}]},
        "backups.json": {"ContinuousBackupsDescription": {"PointInTimeRecoveryDescription": {
            "PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 7}}}}
    prod = load_workspace([EXAMPLE], "prod").environment

    def pointers(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        inner = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        return [at] + [p for k, v in inner for p in pointers(v, (*at, k))]

    tried = refused = 0
    for file, data in outputs.items():
        for at in pointers(data)[1:]:
            for wrong in (None, "s", 7, True, [], {}, [None], {"a": 1}):
                changed = copy.deepcopy(outputs)
                target = changed[file]
                for key in at[:-1]:
                    target = target[key]
                target[at[-1]] = wrong
                documents = [parse_text(json.dumps(value, indent=2), str(tmp_path / name))[0]
                             for name, value in changed.items()]
                result = adopt(FLAVOR, documents, "legacy-orders", prod)  # FD900 if the plugin raised
                assert not any(d.code == "FD900" for d in result.diagnostics), (file, at, wrong)
                misshapen = [d for d in result.diagnostics if d.code == "DDB403" and "should be" in d.message]
                assert all(d.line > 0 and d.file.endswith(file) for d in misshapen), (file, at, wrong)
                assert result.document is None or not misshapen
                tried, refused = tried + 1, refused + bool(misshapen)
    assert tried > 700 and refused > 300, (tried, refused)


@pytest.mark.parametrize(("what", "table", "change", "path", "effect"), [
    ("PITR turned off", "orders", lambda c, n: c.update_continuous_backups(
        TableName=n, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}),
     f"{ADV}/point_in_time_recovery_enabled", "in-place"),
    ("TTL turned on", "orders", lambda c, n: c.update_time_to_live(
        TableName=n, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ExpiresAt"}),
     f"{ADV}/ttl_enabled", "in-place"),
    ("tag added", "orders", lambda c, n: c.tag_resource(
        ResourceArn=c.describe_table(TableName=n)["Table"]["TableArn"], Tags=[{"Key": "owner", "Value": "x"}]),
     f"{ADV}/tags/owner", "in-place"),
    ("tag removed", "orders", lambda c, n: c.untag_resource(
        ResourceArn=c.describe_table(TableName=n)["Table"]["TableArn"], TagKeys=["team"]),
     f"{ADV}/tags/team", "in-place"),
    ("deletion protection off", "orders", lambda c, n: c.update_table(TableName=n, DeletionProtectionEnabled=False),
     f"{ADV}/deletion_protection_enabled", "in-place"),
    ("stream turned on", "orders", lambda c, n: c.update_table(TableName=n, StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}), f"{ADV}/stream_enabled", "in-place"),
    ("GSI deleted", "orders", lambda c, n: c.update_table(TableName=n, GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by-status"}}]), f"{ADV}/global_secondary_indexes/0", "in-place"),
    ("billing switched to on demand", "orders", lambda c, n: c.update_table(TableName=n,
                                                                          BillingMode="PAY_PER_REQUEST"),
     f"{ADV}/billing_mode", "in-place"),
    ("warm throughput raised", "modern", lambda c, n: c.update_table(TableName=n, WarmThroughput={
        "ReadUnitsPerSecond": 20000}), f"{ADV}/warm_throughput/read_units_per_second", "in-place"),
])
def test_each_setting_changed_in_moto_is_drift_with_its_effect(tmp_path: Path, what: str, table: str, change: Any,
                                                               path: str, effect: str) -> None:
    """The change made through the DynamoDB API (moto), the describe outputs saved afterwards: drift names it with
    the effect diff gives."""
    ws = load_workspace([EXAMPLE], "prod")
    resource = ws["orders"] if table == "orders" else fd.resource_from_dict(copy.deepcopy(MODERN), name=table)
    only = fd.workspace([resource], ws.environment)
    stack = fd.synthesize(only).stacks[table]
    saved = tmp_path / "saved"
    with mocked_dynamodb(ws.environment.region) as client:
        name = create(client, stack["resource"]["aws_dynamodb_table"]["table"])
        save_describe(client, name, saved / "before" / name, stack)
        change(client, name)
        save_describe(client, name, saved / "after" / name, stack)
    assert [d.status for d in drift(only, saved=saved / "before")] == [IN_SYNC], what
    [found] = drift(only, saved=saved / "after")
    assert found.status == DRIFTED and found.diff is not None, what
    effects = {c.path: str(c.effect) for c in found.diff.changes}
    assert effects.get(path) == effect, (what, effects)


def test_a_statement_keyed_apart_from_its_sid_is_in_sync(tmp_path: Path) -> None:
    """The upstream map key is only the default Sid: a statement whose ``sid`` differs from its key compares by the
    Sid AWS holds, as the adopted spec keys it."""
    env = load_workspace([EXAMPLE], "prod").environment
    doc = copy.deepcopy(MODERN)
    policies = doc["advanced"]["aws_dynamodb"]
    policies["resource_policy_statements"] = {"Stmt0": {**policies["resource_policy_statements"]["ReadOnly"],
                                                        "sid": "ReadOnly"}}
    only = fd.workspace([fd.resource_from_dict(doc, name="modern")], env)
    stack = fd.synthesize(only).stacks["modern"]
    with mocked_dynamodb(env.region) as client:
        name = create(client, stack["resource"]["aws_dynamodb_table"]["table"])
        save_describe(client, name, tmp_path / name, stack)
    assert [d.status for d in drift(only, saved=tmp_path)] == [IN_SYNC]
