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
        for region, answer in replica_describes(described, block).items():
            outputs[f"describe-table-{region}"] = answer
        outputs.update(insights_and_kinesis(name, stack))
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
# Terraform's own; a replica's propagate_tags is the provider's switch and its point_in_time_recovery lives in
# the replica's Region (describe-continuous-backups there), which the saved outputs here do not hold.
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
    STANDARD, deletion protection off (replicas too), EVENTUAL replicas, warm throughput in full, 35 days of
    point-in-time recovery; without the
    arguments no describe call can tell (CREATE_ONLY)."""
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
                         **{k: v for k, v in r.items() if k not in ("propagate_tags", "point_in_time_recovery")}}
                        for r in found.get("replica", [])]
    return found


def extras_as_read(stack: dict[str, Any]) -> dict[str, Any]:
    """Contributor insights and Kinesis destinations of a stack, with the provider's defaults written out."""
    resources = stack.get("resource", {})
    return {"insights": sorted(json.dumps({"mode": "ACCESSED_AND_THROTTLED_KEYS", **c}, sort_keys=True)
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
    contributor insights and Kinesis destinations; and drift of every untouched table is empty."""
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

    # someone turned PITR on by hand and the key differs: in place and a replacement, as diff says
    table = json.loads((saved / "locks-prod" / "describe-table.json").read_text())
    changed = copy.deepcopy(table)
    changed["Table"]["KeySchema"][0]["AttributeName"] = "Other"
    changed["Table"]["AttributeDefinitions"][0]["AttributeName"] = "Other"
    (saved / "locks-prod" / "describe-table.json").write_text(json.dumps(changed))
    off = {"ContinuousBackupsDescription": {"PointInTimeRecoveryDescription": {
        "PointInTimeRecoveryStatus": "ENABLED", "RecoveryPeriodInDays": 35}}}
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


@pytest.fixture
def moto_server() -> Any:
    """A moto server on a free loopback port, as a stand-in for AWS (stopped after the test)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ENDPOINT_URL": f"http://{host}:{port}", "AWS_ACCESS_KEY_ID": "testing",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    try:
        yield env
    finally:
        server.stop()


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
    client.update_table(TableName="locks-dev", DeletionProtectionEnabled=True)  # changed by hand
    drifted = run_cli("drift", bp, "--env", "dev", env=moto_server)
    assert drifted.returncode == 4, drifted.stdout + drifted.stderr
    assert "dynamodb.locks (locks-dev): drifted" in drifted.stdout
    assert "/advanced/aws_dynamodb/deletion_protection_enabled: true -> false" in drifted.stdout
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
