"""Conformance oracles (issue 7): what facets-dynamo emits is what the official tools emit, DynamoDB
accepts it, and every spec we accept also satisfies the published Facets schema.

The corpus is the example blueprint (dev and prod), the core goldens when they exist, and a few hundred
seeded random valid specs (``tests/conformance/corpus.py``). Three oracles look at it:

1. the typed AWS provider bindings (``cdktf-cdktf-provider-aws`` with cdktf, ``cdktn-provider-aws`` with
   cdktn), run once per engine in a subprocess (``tests/conformance/typed_synth.py``) because each costs
   seconds and >1 GB to import; their ``aws_dynamodb_table`` blocks must equal ours (only the engine's
   ``"//"`` metadata is ignored);
2. DynamoDB as emulated by moto: every synthesized table, evaluated as Terraform would and turned into
   CreateTable (``tests/support/dynamodb_emulation.py``), must be created and described as the spec
   intends, and serve the distributed-lock use case;
3. the published Facets schema (``tests/conformance/upstream/``), checked with its own draft (04).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conformance.corpus import (
    Case,
    all_cases,
    example_cases,
    golden_cases,
    table_blocks,
    typed_input,
    without_metadata,
)
from conformance.terraform_eval import ACCOUNT, TerraformState
from conftest import TESTS
from support.dynamodb_emulation import create_and_roundtrip, mocked_dynamodb, sample_key

from facets_dynamo import api
from facets_dynamo.blueprint import Workspace, base_files, load_workspace
from facets_dynamo.engine import Engine, default_engine, node_binary
from facets_dynamo.synthesis import synthesize_workspace

HERE = TESTS
TYPED_SCRIPT = HERE / "conformance" / "typed_synth.py"
UPSTREAM = HERE / "conformance" / "upstream"
GENERATED, PER_CASE = 240, 60
CASE_IDS = [c.id for c in example_cases() + golden_cases()] + ["public"] + [f"generated-{i}" for i in
                                                                range((GENERATED + PER_CASE - 1) // PER_CASE)]
BINDINGS = {"cdktn": "cdktn_provider_aws", "cdktf": "cdktf_cdktf_provider_aws"}
EXTRA_TYPES = ("aws_dynamodb_resource_policy", "aws_dynamodb_contributor_insights",
               "aws_dynamodb_kinesis_streaming_destination")


def _missing(engine: str) -> str | None:
    for module in (engine, BINDINGS[engine]):
        if importlib.util.find_spec(module) is None:
            return (f"{module} is not installed: the typed-bindings oracle needs the 'conformance' extra "
                    "(pip install -e '.[conformance]')")
    return None


ENGINE_PARAMS = [pytest.param(e, marks=[pytest.mark.conformance, pytest.mark.slow,
                                        pytest.mark.skipif(_missing(e) is not None, reason=_missing(e) or "")],
                              id=e) for e in BINDINGS]


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Case, Workspace]]:
    root = tmp_path_factory.mktemp("corpus")
    return [(case, load_workspace([case.blueprint], case.env)) for case in all_cases(root, GENERATED)]


@pytest.fixture(scope="module")
def typed_runs(corpus: list[tuple[Case, Workspace]], tmp_path_factory: pytest.TempPathFactory):
    """Start the typed-bindings subprocess of every installed engine at once (they overlap on 2 cores)."""
    tmp = tmp_path_factory.mktemp("typed")
    corpus_file = tmp / "corpus.json"
    corpus_file.write_text(json.dumps([typed_input(c, ws) for c, ws in corpus], ensure_ascii=False), "utf-8")
    env = {**os.environ, "JSII_NODE": node_binary(), "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}
    runs = {}
    for engine in BINDINGS:
        if _missing(engine) is None:
            result = tmp / f"{engine}.json"
            proc = subprocess.Popen([sys.executable, str(TYPED_SCRIPT), engine, str(corpus_file), str(result)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            runs[engine] = (proc, result)
    yield runs
    for proc, _ in runs.values():
        if proc.poll() is None:
            proc.kill()
            proc.wait()


_ENGINES: dict[str, Engine] = {}


def _engine(name: str) -> Engine:
    default = default_engine()
    if default.name == name:
        return default
    if name not in _ENGINES:
        _ENGINES[name] = Engine(name)
    return _ENGINES[name]


@pytest.fixture(scope="module")
def ours(corpus: list[tuple[Case, Workspace]]):
    """facets-dynamo's stacks per engine and case, synthesized in this process (one Node per engine)."""
    cache: dict[str, dict[str, dict[str, Any]]] = {}

    def get(engine: str) -> dict[str, dict[str, Any]]:
        if engine not in cache:
            e = _engine(engine)
            cache[engine] = {case.id: synthesize_workspace(ws, engine=e).stacks for case, ws in corpus}
        return cache[engine]

    yield get
    for e in _ENGINES.values():
        e.shutdown()
    _ENGINES.clear()


# -- the corpus itself -----------------------------------------------------------------------------

def test_corpus_is_accepted_without_warnings(corpus: list[tuple[Case, Workspace]]) -> None:
    assert [c.id for c, _ in corpus] == CASE_IDS
    for case, ws in corpus:
        found = [d for d in api.validate(ws) if not d.code.startswith("DDB3")]  # best practice is tests/ci's
        assert not found, f"{case.id}: {[d.format_text() for d in found][:5]}"
    assert sum(len(ws.resources) for _, ws in corpus) >= GENERATED


def test_public_corpus_cites_its_sources(corpus: list[tuple[Case, Workspace]]) -> None:
    """Issue 13: at least 30 shapes from public definitions, each naming the file it was written from."""
    from conformance.public import SHAPES

    (ws,) = [w for c, w in corpus if c.id == "public"]
    assert len(ws.resources) == len(SHAPES) >= 30
    for r in ws.resources:
        source = r.metadata["description"]
        assert re.match(r"https://github\.com/[\w.-]+/[\w.-]+/blob/[0-9a-f]{40}/\S+", source), (r.name, source)
    covered = {k for r in ws.resources for k in r.advanced["aws_dynamodb"]}
    for setting in ("on_demand_throughput", "warm_throughput", "import_table", "resource_policy_statements",
                    "stream_resource_policy_statements", "ignore_changes_global_secondary_index",
                    "global_table_witness", "contributor_insights", "kinesis_streaming_destinations"):
        assert setting in covered, setting


def test_generated_corpus_covers_every_option(corpus: list[tuple[Case, Workspace]]) -> None:
    """A generator that stopped producing some option would make the oracles silently weaker."""
    seen: Counter[str] = Counter()
    for case, ws in corpus:
        if not case.id.startswith("generated"):
            continue
        for r in ws.resources:
            adv = r.advanced.get("aws_dynamodb", {})
            seen["resources"] += 1
            seen["disabled"] += r.disabled
            seen[f"billing {adv.get('billing_mode', 'default')}"] += 1
            seen["range key"] += "range_key" in adv
            seen["gsi"] += bool(adv.get("global_secondary_indexes"))
            seen["lsi"] += bool(adv.get("local_secondary_indexes"))
            seen["autoscaling"] += adv.get("autoscaling_enabled") is True
            seen["ttl"] += adv.get("ttl_enabled") is True
            seen["pitr"] += adv.get("point_in_time_recovery_enabled") is True
            seen["pitr period"] += "point_in_time_recovery_period_in_days" in adv
            seen["sse"] += adv.get("server_side_encryption_enabled") is True
            seen["sse kms"] += "server_side_encryption_kms_key_arn" in adv
            seen[f"stream {adv.get('stream_view_type')}"] += adv.get("stream_enabled") is True
            seen[f"class {adv.get('table_class')}"] += 1
            seen["replicas"] += bool(adv.get("replica_regions"))
            seen["timeouts"] += "timeouts" in adv
            seen["deletion protection"] += "deletion_protection_enabled" in adv
            tags = {**r.metadata.get("tags", {}), **adv.get("tags", {})}
            seen["tags"] += bool(tags)
            texts = [a["name"] for a in r.spec["attributes"].values()] + [adv.get("ttl_attribute_name", "")] + [
                n for i in adv.get("global_secondary_indexes", []) + adv.get("local_secondary_indexes", [])
                for n in i.get("non_key_attributes", [])]
            seen["template text"] += any("${" in t or "%{" in t for t in texts)
            seen["reference"] += any(".out." in v for v in tags.values())
            seen["number/binary keys"] += any(a["type"] != "S" for a in r.spec["attributes"].values())
    wanted = ["disabled", "billing PROVISIONED", "billing PAY_PER_REQUEST", "billing default", "range key", "gsi",
              "lsi", "autoscaling", "ttl", "pitr", "pitr period", "sse", "sse kms", "stream KEYS_ONLY",
              "stream NEW_IMAGE", "stream OLD_IMAGE", "stream NEW_AND_OLD_IMAGES", "class STANDARD",
              "class STANDARD_INFREQUENT_ACCESS", "class None", "replicas", "timeouts", "deletion protection",
              "tags", "template text", "reference", "number/binary keys"]
    assert seen["resources"] == GENERATED
    assert {k: seen[k] for k in wanted if seen[k] < 3} == {}, seen


# -- oracle 1: the typed provider bindings ---------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_tables_equal_typed_bindings(engine: str, typed_runs, ours) -> None:
    mine = ours(engine)  # synthesized here while the subprocesses import the bindings
    proc, result_file = typed_runs[engine]
    _, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, f"typed {engine} run failed:\n{stderr[-3000:]}"
    typed = json.loads(result_file.read_text("utf-8"))
    assert typed["errors"] == {}
    mismatches, compared = [], 0
    for case_id, stacks in mine.items():
        theirs = typed["cases"][case_id]
        ours_tables = {(s, rid): without_metadata(b) for s, rid, b in table_blocks(stacks)}
        typed_tables = {(s, rid): without_metadata(b) for s, body in theirs.items() for rid, b in body.items()}
        assert sorted(ours_tables) == sorted(typed_tables), case_id
        for key, block in ours_tables.items():
            compared += 1
            if block != typed_tables[key]:
                diff = {k: (block.get(k), typed_tables[key].get(k)) for k in set(block) | set(typed_tables[key])
                        if block.get(k) != typed_tables[key].get(k)}
                mismatches.append(f"{case_id} {key[0]}: {json.dumps(diff, ensure_ascii=False)[:600]}")
    assert not mismatches, f"{len(mismatches)} of {compared} tables differ (ours, typed):\n" + "\n".join(
        mismatches[:10])
    assert compared >= 200
    # issue 13: the resources beside the table (resource policies, contributor insights, Kinesis destinations)
    extras_compared = 0
    for case_id, stacks in mine.items():
        theirs = typed["extras"][case_id]
        for stack, body in stacks.items():
            ours_extras = {t: without_metadata(body.get("resource", {})[t]) for t in EXTRA_TYPES
                           if t in body.get("resource", {})}
            typed_extras = without_metadata(theirs.get(stack, {}))
            assert ours_extras == typed_extras, (case_id, stack, ours_extras, typed_extras)
            extras_compared += sum(len(v) for v in ours_extras.values())
    assert extras_compared >= 15  # the public shapes and the surface golden have 15 such resources


def test_single_blocks_are_objects_like_the_typed_bindings(ours) -> None:
    """ttl, point_in_time_recovery and server_side_encryption are MaxItems-1 blocks: the typed bindings
    synthesize them as objects, so we must too (they were lists before the oracle caught it)."""
    checked = 0
    for stacks in ours(default_engine().name).values():
        for _, _, block in table_blocks(stacks):
            for key in ("ttl", "point_in_time_recovery", "server_side_encryption", "timeouts"):
                if key in block:
                    assert isinstance(block[key], dict), (key, block[key])
                    checked += 1
            for key in ("attribute", "global_secondary_index", "local_secondary_index", "replica"):
                assert isinstance(block.get(key, []), list)
    assert checked > 600


# -- oracle 2: DynamoDB (moto) ---------------------------------------------------------------------

def intended(doc: dict[str, Any], name: str, ws: Workspace) -> dict[str, Any]:
    """What the user asked for, read from the document (not from our synthesized output)."""
    env = ws.environment
    spec = doc["spec"]
    adv = doc.get("advanced", {}).get("aws_dynamodb", {})
    ref = re.compile(r"\$\{dynamodb\.([A-Za-z0-9_.-]+?)\.out\.(table_name|table_arn)\}")

    def text(value: str) -> str:
        def sub(m: re.Match[str]) -> str:
            table = f"{m.group(1)}-{env.name}"
            return table if m.group(2) == "table_name" else f"arn:aws:dynamodb:{env.region}:{ACCOUNT}:table/{table}"
        return ref.sub(sub, value)

    tags = {**env.cloud_tags, **doc.get("metadata", {}).get("tags", {}), **adv.get("tags", {})}
    tags["Name"] = f"{name}-{env.name}"
    return {"name": f"{name}-{env.name}", "hash_key": spec["hash_key"], "range_key": adv.get("range_key"),
            "attributes": {a["name"]: a["type"] for a in spec["attributes"].values()}, "adv": adv,
            "billing": adv.get("billing_mode", "PAY_PER_REQUEST"), "tags": {k: text(v) for k, v in tags.items()}}


def _key_schema(hash_key: str, range_key: str | None) -> list[dict[str, str]]:
    return [{"AttributeName": hash_key, "KeyType": "HASH"}] + (
        [{"AttributeName": range_key, "KeyType": "RANGE"}] if range_key else [])


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection = {"ProjectionType": index["projection_type"]}
    if index.get("non_key_attributes"):
        projection["NonKeyAttributes"] = index["non_key_attributes"]
    return projection


def check_described(client: Any, want: dict[str, Any]) -> None:
    """describe_table / describe_time_to_live / describe_continuous_backups / tags match the intent.

    moto 5.2 does not implement ReplicaUpdates (replicas are ignored) nor report TableClassSummary; those
    two are compared only when the service reports them.
    """
    adv, name = want["adv"], want["name"]
    table = client.describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == _key_schema(want["hash_key"], want["range_key"])
    assert {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]} == want["attributes"]
    assert table["BillingModeSummary"]["BillingMode"] == want["billing"]
    provisioned = want["billing"] == "PROVISIONED"
    if provisioned:
        assert (table["ProvisionedThroughput"]["ReadCapacityUnits"],
                table["ProvisionedThroughput"]["WriteCapacityUnits"]) == (adv["read_capacity"], adv["write_capacity"])
    gsis = {g["IndexName"]: g for g in table.get("GlobalSecondaryIndexes", [])}
    assert sorted(gsis) == sorted(g["name"] for g in adv.get("global_secondary_indexes", []))
    for g in adv.get("global_secondary_indexes", []):
        got = gsis[g["name"]]
        assert got["KeySchema"] == _key_schema(g["hash_key"], g.get("range_key"))
        assert got["Projection"] == _projection(g)
        if provisioned:
            assert got["ProvisionedThroughput"]["ReadCapacityUnits"] == g["read_capacity"]
            assert got["ProvisionedThroughput"]["WriteCapacityUnits"] == g["write_capacity"]
    lsis = {i["IndexName"]: i for i in table.get("LocalSecondaryIndexes", [])}
    assert sorted(lsis) == sorted(i["name"] for i in adv.get("local_secondary_indexes", []))
    for i in adv.get("local_secondary_indexes", []):
        assert lsis[i["name"]]["KeySchema"] == _key_schema(want["hash_key"], i["range_key"])
        assert lsis[i["name"]]["Projection"] == _projection(i)
    stream = table.get("StreamSpecification", {"StreamEnabled": False})
    if adv.get("stream_enabled") is True:
        assert stream == {"StreamEnabled": True, "StreamViewType": adv["stream_view_type"]}
        assert table["LatestStreamArn"].startswith(table["TableArn"] + "/stream/")
    else:
        assert stream["StreamEnabled"] is False
    sse = table.get("SSEDescription")
    if adv.get("server_side_encryption_enabled") is True:
        assert sse["Status"] == "ENABLED" and sse["SSEType"] == "KMS"
        if adv.get("server_side_encryption_kms_key_arn"):
            assert sse["KMSMasterKeyArn"] == adv["server_side_encryption_kms_key_arn"]
    else:
        assert sse is None or sse.get("Status") != "ENABLED"
    assert table.get("DeletionProtectionEnabled", False) is bool(adv.get("deletion_protection_enabled"))
    if "TableClassSummary" in table:
        assert table["TableClassSummary"]["TableClass"] == adv.get("table_class", "STANDARD")
    if "Replicas" in table:
        assert sorted(r["RegionName"] for r in table["Replicas"]) == sorted(
            r["region_name"] for r in adv.get("replica_regions", []))

    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if adv.get("ttl_enabled") is True:
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": adv["ttl_attribute_name"]}
    else:
        assert ttl["TimeToLiveStatus"] == "DISABLED"
    pitr = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == ("ENABLED" if adv.get("point_in_time_recovery_enabled") else
                                                 "DISABLED")
    if "point_in_time_recovery_period_in_days" in adv:
        assert pitr["RecoveryPeriodInDays"] == adv["point_in_time_recovery_period_in_days"]
    assert all_tags(client, table["TableArn"]) == want["tags"]


def all_tags(client: Any, arn: str) -> dict[str, str]:
    """ListTagsOfResource pages by 10 tags."""
    tags: dict[str, str] = {}
    kwargs = {"ResourceArn": arn}
    while True:
        page = client.list_tags_of_resource(**kwargs)
        tags.update({t["Key"]: t["Value"] for t in page["Tags"]})
        if not page.get("NextToken"):
            return tags
        kwargs["NextToken"] = page["NextToken"]


def acquire(client: Any, table: dict[str, Any], owner: str) -> None:
    """The seed's distributed lock: write the lock item only if no item has this key yet."""
    item = {**sample_key(table), "owner": {"S": owner}}
    client.put_item(TableName=table["name"], Item=item, ConditionExpression="attribute_not_exists(#k)",
                    ExpressionAttributeNames={"#k": table["hash_key"]})


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_tables_are_accepted_by_dynamodb(case_id: str, corpus: list[tuple[Case, Workspace]], ours) -> None:
    from botocore.exceptions import ClientError

    _, ws = next((c, w) for c, w in corpus if c.id == case_id)
    stacks = ours(default_engine().name)[case_id]
    state = TerraformState(stacks, ws.environment.region)
    by_name = {r.name: r for r in ws.resources}
    assert stacks, case_id
    with mocked_dynamodb(ws.environment.region) as client:
        for stack, rid, _ in table_blocks(stacks):
            block = state.table(stack, rid)
            resource = by_name[stack]
            want = intended(resource.data, resource.name, ws)
            item = create_and_roundtrip(client, block)
            assert item and all(item[k] == v for k, v in sample_key(block).items())
            check_described(client, want)
            client.delete_item(TableName=want["name"], Key=sample_key(block))
            acquire(client, block, "worker-1")
            with pytest.raises(ClientError) as taken:
                acquire(client, block, "worker-2")
            assert taken.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
            got = client.get_item(TableName=want["name"], Key=sample_key(block), ConsistentRead=True)["Item"]
            assert got["owner"] == {"S": "worker-1"}


def test_distributed_lock_on_the_example_locks_table(corpus: list[tuple[Case, Workspace]], ours) -> None:
    """The seed's headline use case, end to end on the synthesized `locks` table."""
    from botocore.exceptions import ClientError

    _, ws = next((c, w) for c, w in corpus if c.id == "example-dev")
    stacks = ours(default_engine().name)["example-dev"]
    block = TerraformState(stacks, ws.environment.region).table("locks", "table")
    assert (block["name"], block["hash_key"]) == ("locks-dev", "LockID")
    lock = {"LockID": {"S": "deploy/payments"}}
    with mocked_dynamodb(ws.environment.region) as client:
        create_and_roundtrip(client, block)

        def take(owner: str) -> None:
            client.put_item(TableName="locks-dev", Item={**lock, "Owner": {"S": owner}},
                            ConditionExpression="attribute_not_exists(LockID)")

        take("ci-run-1")
        with pytest.raises(ClientError) as err:
            take("ci-run-2")
        assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
        def release(owner: str) -> None:  # OWNER is a DynamoDB reserved word: use a placeholder
            client.delete_item(TableName="locks-dev", Key=lock, ConditionExpression="#o = :me",
                               ExpressionAttributeNames={"#o": "Owner"},
                               ExpressionAttributeValues={":me": {"S": owner}})

        with pytest.raises(ClientError) as err:  # only the owner may release
            release("ci-run-2")
        assert err.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
        release("ci-run-1")
        take("ci-run-2")
        assert client.get_item(TableName="locks-dev", Key=lock)["Item"]["Owner"] == {"S": "ci-run-2"}


# -- oracle 3: the published Facets schema ---------------------------------------------------------

@pytest.fixture(scope="module")
def upstream():
    import jsonschema

    schema = json.loads((UPSTREAM / "dynamodb.schema.json").read_text("utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft4Validator
    # The published file breaks its own metaschema in one way only: draft-04 wants `required` non-empty,
    # and it has `"required": []` twice. That does not change what it accepts; anything else would.
    meta = jsonschema.Draft4Validator(jsonschema.Draft4Validator.META_SCHEMA)
    problems = {(e.absolute_path[-1], e.message) for e in meta.iter_errors(schema)}
    assert problems == {("required", "[] should be non-empty")}
    return validator_class(schema)


def test_upstream_schema_is_recorded_with_its_source() -> None:
    readme = (UPSTREAM / "README.md").read_text("utf-8")
    assert "github.com/Facets-cloud/facets-schemas/blob/" in readme
    assert re.search(r"`[0-9a-f]{40}`", readme)


def _upstream_errors(validator: Any, doc: Any) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc))


def test_every_accepted_document_passes_the_upstream_schema(corpus: list[tuple[Case, Workspace]], upstream) -> None:
    checked = 0
    for case, ws in corpus:
        assert api.validate(ws).ok, case.id
        documents = [(str(p), json.loads(p.read_text("utf-8"))) for p in base_files(case.blueprint)]
        documents += [(f"{r.file} (merged for {case.env})", r.data) for r in ws.resources]
        for where, doc in documents:
            errors = _upstream_errors(upstream, doc)
            if doc.get("provided") is True and "spec" not in doc:
                # upstream's top-level `required` contradicts its own if/then; see upstream/README.md
                assert errors == [": 'spec' is a required property"], where
            else:
                assert errors == [], where
            checked += 1
    assert checked >= 2 * GENERATED


STRICTER = {
    # name: (change to the minimal valid document, code, JSON path, words our message must contain)
    "unused attribute": (lambda d: d["spec"]["attributes"].update(extra={"name": "Owner", "type": "S"}),
                         "DDB102", "/spec/attributes/extra", ["'Owner'", "not used by any key", "remove it"]),
    "attribute without type": (lambda d: d["spec"]["attributes"]["key1"].pop("type"),
                               "FD301", "/spec/attributes/key1", ["required", "'type'"]),
    "attribute without name": (lambda d: d["spec"]["attributes"]["key1"].pop("name"),
                               "FD301", "/spec/attributes/key1", ["required", "'name'"]),
    "hash_key not declared": (lambda d: d["spec"].update(hash_key="Id"),
                              "DDB101", "/spec/hash_key", ["'Id'", "not a declared attribute", "LockID"]),
    "attribute declared twice": (lambda d: d["spec"]["attributes"].update(again={"name": "LockID", "type": "S"}),
                                 "DDB103", "/spec/attributes/again/name", ["'LockID'", "declared twice"]),
    "unknown spec field": (lambda d: d["spec"].update(range_key="LockID"),
                           "FD304", "/spec/range_key", ["unknown field", "'range_key'", "attributes, hash_key"]),
    "version 'latest' (upstream samples)": (lambda d: d.update(version="latest"),
                                            "FD202", None, ["dynamodb/default/latest", "dynamodb/default/0.2"]),
    "unknown kind": (lambda d: d.update(kind="dynamo"), "FD202", None, ["dynamo/default/0.2", "available"]),
    "stream without view type": (lambda d: d.update(advanced={"aws_dynamodb": {"stream_enabled": True}}),
                                 "DDB112", "/advanced/aws_dynamodb/stream_enabled", ["stream_view_type", "KEYS_ONLY"]),
    "provisioned without capacity": (lambda d: d.update(advanced={"aws_dynamodb": {"billing_mode": "PROVISIONED"}}),
                                     "DDB110", "/advanced/aws_dynamodb", ["PROVISIONED", "read_capacity >= 1"]),
    "unused attribute via index keys": (
        lambda d: d.update(advanced={"aws_dynamodb": {"global_secondary_indexes": [
            {"name": "by-owner", "hash_key": "Owner", "projection_type": "ALL"}]}}),
        "DDB109", "/advanced/aws_dynamodb/global_secondary_indexes/0/hash_key", ["'Owner'", "not a declared"]),
}


@pytest.mark.parametrize("name", list(STRICTER))
def test_where_we_are_stricter_the_diagnostic_says_why(name: str, minimal: dict[str, Any], write_json, upstream
                                                       ) -> None:
    change, code, pointer, words = STRICTER[name]
    doc = copy.deepcopy(minimal)
    change(doc)
    assert _upstream_errors(upstream, doc) == [], "upstream accepts this one"
    found = [d for d in api.validate(write_json(doc)).errors if d.code == code]
    assert found, f"expected {code}"
    diag = found[0]
    if pointer is not None:
        assert diag.path == pointer
    assert diag.line > 0 and diag.column > 0
    for word in words:
        assert word in diag.message, (word, diag.message)


def test_upstream_sample_is_rejected_only_for_its_version(upstream, tmp_path: Path) -> None:
    sample = json.loads((UPSTREAM / "dynamodb.default.sample.json").read_text("utf-8"))
    assert _upstream_errors(upstream, sample) == []
    path = tmp_path / "dynamodb" / "instances" / "locks.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(sample, indent=2), "utf-8")
    errors = api.validate(path).errors
    assert [d.code for d in errors] == ["FD202"] and "0.2" in errors[0].message
    path.write_text(json.dumps({**sample, "version": "0.2"}, indent=2), "utf-8")
    assert api.validate(path).ok
