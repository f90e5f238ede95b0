"""Property-based tests: every valid spec synthesizes, and DynamoDB (moto) accepts every synthesized table.

The strategy is hand-written: ``hypothesis-jsonschema`` 0.23.1 fails on any object schema with the
installed Hypothesis 6.170 (``AttributeError: 'many' object has no attribute 'more'``), and most
schema-valid documents break the cross-field rules anyway (hash_key declared, every attribute used).
``valid_documents`` builds documents that satisfy the schema *and* the rules by construction, covering
every advanced.aws_dynamodb option; a second property mutates them into mostly invalid documents and
checks that validation never crashes and always points somewhere.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.dynamodb_emulation import create_and_roundtrip, create_table_kwargs, mocked_dynamodb
from support.terraform_text import terraform_reads

from facets_dynamo.blueprint import Workspace
from facets_dynamo.environment import Environment
from facets_dynamo.jsonsource import parse_text
from facets_dynamo.resource import resource_from_document
from facets_dynamo.synthesis import SynthError, synthesize_workspace
from facets_dynamo.terraform_strings import Ref, escape
from facets_dynamo.validation import validate_workspace

ENV = Environment("dev", "us-east-1", {"environment": "dev"})
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Attribute names: any UTF-8 text DynamoDB takes, including characters Terraform JSON must escape.
attribute_names = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,15}", fullmatch=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
    st.sampled_from(["${var.x}", "%{ if }", "a b", "Ünïcødé", "$${x}", "#pk"]),
).filter(lambda n: 1 <= len(n.encode("utf-8")) <= 255 and "${" not in n.replace("$${", ""))
index_names = st.from_regex(r"[A-Za-z0-9_.-]{3,20}", fullmatch=True)
# Tag text includes what Terraform and the engine treat specially: "$", "%", "{", "}", "#", "&" and the
# engine's token word, alone or in runs, so escaping is tried on "${", "%{", "$${", "#{TfToken[" and friends.
tag_text = st.lists(st.one_of(st.from_regex(r"[A-Za-z0-9 _.:/=+@-]{0,6}", fullmatch=True),
                              st.sampled_from(["$", "%", "{", "}", "#", "&", "${", "%{", "$${", "TfToken[", "]"])),
                    max_size=8).map("".join).filter(lambda t: len(t) <= 60)


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    pool = draw(st.lists(attribute_names, min_size=2, max_size=6, unique=True))  # unused ones are dropped
    types = {name: draw(st.sampled_from("SNB")) for name in pool}
    hash_key = pool[0]
    adv: dict[str, Any] = {}
    range_key = draw(st.sampled_from(pool[1:])) if len(pool) > 1 and draw(st.booleans()) else None
    if range_key:
        adv["range_key"] = range_key
    provisioned = draw(st.booleans())
    capacity = st.integers(1, 40)
    if provisioned:
        adv.update(billing_mode="PROVISIONED", read_capacity=draw(capacity), write_capacity=draw(capacity))
    elif draw(st.booleans()):
        adv["billing_mode"] = "PAY_PER_REQUEST"

    names = draw(st.lists(index_names, min_size=6, max_size=6, unique=True))
    budget = iter(names)

    def projection() -> dict[str, Any]:
        kind = draw(st.sampled_from(["ALL", "KEYS_ONLY", "INCLUDE"]))
        out: dict[str, Any] = {"projection_type": kind}
        if kind == "INCLUDE":
            out["non_key_attributes"] = draw(st.lists(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True),
                                                      min_size=1, max_size=3, unique=True))
        return out

    gsis = []
    for _ in range(draw(st.integers(0, 3))):
        gsi: dict[str, Any] = {"name": next(budget), "hash_key": draw(st.sampled_from(pool))}
        others = [n for n in pool if n != gsi["hash_key"]]
        if others and draw(st.booleans()):
            gsi["range_key"] = draw(st.sampled_from(others))
        gsi.update(projection())
        if provisioned:
            gsi.update(read_capacity=draw(capacity), write_capacity=draw(capacity))
        gsis.append(gsi)
    if gsis:
        adv["global_secondary_indexes"] = gsis
    lsis = []
    if range_key:
        for _ in range(draw(st.integers(0, 2))):
            lsis.append({"name": next(budget), "range_key": draw(st.sampled_from([n for n in pool if n != hash_key])),
                         **projection()})
    if lsis:
        adv["local_secondary_indexes"] = lsis

    if draw(st.booleans()):
        adv.update(stream_enabled=True, stream_view_type=draw(st.sampled_from(
            ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])))
        if draw(st.booleans()):  # replicas need NEW_AND_OLD_IMAGES
            adv["stream_view_type"] = "NEW_AND_OLD_IMAGES"
    if adv.get("stream_view_type") == "NEW_AND_OLD_IMAGES" and draw(st.booleans()):
        regions = draw(st.lists(st.sampled_from(["eu-west-1", "eu-central-1", "us-west-2", "ap-south-1"]),
                                min_size=1, max_size=3, unique=True))
        adv["replica_regions"] = [{"region_name": r, **draw(st.fixed_dictionaries({}, optional={
            "kms_key_arn": st.just(f"arn:aws:kms:{r}:123456789012:key/r"), "point_in_time_recovery": st.booleans(),
            "propagate_tags": st.booleans()}))} for r in regions]
    if draw(st.booleans()):
        adv.update(ttl_enabled=True, ttl_attribute_name=draw(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}",
                                                                           fullmatch=True)))
    if draw(st.booleans()):
        adv["point_in_time_recovery_enabled"] = True
        if draw(st.booleans()):
            adv["point_in_time_recovery_period_in_days"] = draw(st.integers(1, 35))
    if draw(st.booleans()):
        adv["server_side_encryption_enabled"] = True
        if draw(st.booleans()):
            adv["server_side_encryption_kms_key_arn"] = "arn:aws:kms:us-east-1:123456789012:key/abcd"
    if draw(st.booleans()):
        adv["table_class"] = draw(st.sampled_from(["STANDARD", "STANDARD_INFREQUENT_ACCESS"]))
    if draw(st.booleans()):
        adv["deletion_protection_enabled"] = draw(st.booleans())
    if draw(st.booleans()):
        adv["timeouts"] = draw(st.fixed_dictionaries({}, optional={
            "create": st.sampled_from(["5m", "1h", "90s"]), "update": st.sampled_from(["2h", "1h30m"]),
            "delete": st.sampled_from(["10m", "20m"])}))
    if draw(st.booleans()):
        adv["tags"] = draw(st.dictionaries(st.from_regex(r"[a-z][a-z0-9_.:/=+@-]{0,20}", fullmatch=True)
                                           .filter(lambda k: not k.startswith("aws:")), tag_text, max_size=5))
    # replicas of a PROVISIONED table need write autoscaling (DynamoDB refuses them otherwise: DDB143)
    replicated = bool(adv.get("replica_regions"))
    if provisioned and (replicated or draw(st.booleans())):
        adv["autoscaling_enabled"] = True
        adv["autoscaling_read"] = {"max_capacity": adv["read_capacity"] + draw(st.integers(0, 50))}
        if replicated or draw(st.booleans()):
            adv["autoscaling_write"] = {"max_capacity": adv["write_capacity"] + draw(st.integers(0, 50)),
                                        "target_value": draw(st.integers(10, 90))}
        if gsis and draw(st.booleans()):
            adv["autoscaling_indexes"] = {gsis[0]["name"]: {
                "read_min_capacity": 1, "read_max_capacity": 5, "write_min_capacity": 1, "write_max_capacity": 5}}

    used = {hash_key, range_key} | {g.get("range_key") for g in gsis} | {g["hash_key"] for g in gsis} \
        | {lsi["range_key"] for lsi in lsis}
    attributes = {f"a{i}": {"name": n, "type": types[n]} for i, n in enumerate(pool) if n in used}
    metadata: dict[str, Any] = {}
    if draw(st.booleans()):
        metadata["tags"] = draw(st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), tag_text,
                                                max_size=3))
    doc = {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": metadata,
           "spec": {"attributes": attributes, "hash_key": hash_key}}
    if adv or draw(st.booleans()):
        doc["advanced"] = {"aws_dynamodb": adv}
    return doc


ENGINE_TOKENS = re.compile(r"[$#&]\{TfToken\[")
REF = Ref("${aws_x.y.arn}")
special_text = st.lists(st.sampled_from(["$", "%", "{", "}", "#", "&", "TfToken[", "TOKEN.1]", "a", "100", "$${"]),
                        max_size=6).map("".join)


@SETTINGS
@given(st.lists(st.one_of(special_text, st.just(REF), special_text.map(lambda t: Ref(escape(t)))), max_size=6))
def test_concatenated_text_stays_literal_around_references(parts: list[str | Ref]) -> None:
    """Ref.concat of user text and references: Terraform reads the user text as written and each reference as
    an interpolation; no piece pairs with its neighbour into "${", "%{", "$${" or a raw engine token."""
    refs: list[str] = []
    text = Ref.concat(*parts).text
    read = terraform_reads(text, refs)
    expected = "".join("\0" if p is REF else terraform_reads(p.text) if isinstance(p, Ref) else p for p in parts)
    assert read == expected
    assert refs == ["aws_x.y.arn"] * sum(p is REF for p in parts)
    assert not ENGINE_TOKENS.search(text.replace(REF.text, "")), text


def test_percent_before_a_brace_reference_is_not_a_directive() -> None:
    text = Ref.concat("100%", Ref("{x}")).text
    assert "%{" not in text.replace("%%{", "")
    assert terraform_reads(text) == "100%{x}"
    assert text == '100${"%"}{x}'  # byte for byte: the output is deterministic (goldens)
    text = Ref.concat("US$", Ref("{x}")).text
    assert terraform_reads(text) == "US${x}" and text == 'US${"$"}{x}'
    assert Ref.concat("AX$%", Ref("{x}")).text == 'AX${"$%"}{x}'  # only the trailing run of $ and %
    refs: list[str] = []
    assert terraform_reads(Ref.concat("cost: $", REF).text, refs) == "cost: $\0" and refs == ["aws_x.y.arn"]


def test_render_resolves_every_known_reference_and_keeps_unknown_ones_literal() -> None:
    from facets_dynamo.terraform_strings import render

    known = {("dynamodb", "b", "attributes.table_arn"): Ref("${aws_dynamodb_table.table.arn}")}
    text = "x ${dynamodb.a.out.attributes.table_arn} y ${dynamodb.b.out.attributes.table_arn} z %{w}"
    out = render(text, lambda kind, name, field: known.get((kind, name, field)))
    refs: list[str] = []
    assert terraform_reads(out, refs) == "x ${dynamodb.a.out.attributes.table_arn} y \0 z %{w}"
    assert refs == ["aws_dynamodb_table.table.arn"]
    assert render("no references", lambda *_: None) == "no references"


def test_adjacent_literals_are_escaped_together() -> None:
    # escaped one by one, "#{TfTo" + "ken[TOKEN.1]}" would reach the engine as the raw token "#{TfToken[TOKEN.1]}"
    for parts in (("#{TfTo", "ken[TOKEN.1]}"), ("#", "{TfToken[TOKEN.1]}"), ("$", "{x}"), ("%", "{x}"),
                  ("&{", "TfToken[", "TOKEN.2]}")):
        text = Ref.concat(*parts).text
        assert not ENGINE_TOKENS.search(text), text
        assert terraform_reads(text) == "".join(parts)


def workspace(doc: Any, name: str = "prop") -> Workspace:
    text = json.dumps(doc, indent=2)
    parsed, problems = parse_text(text, f"{name}.json")
    assert parsed is not None and not problems
    resource, more = resource_from_document(parsed, Path(f"{name}.json"))
    assert resource is not None and not more
    resource.environment = ENV.name
    return Workspace(ENV, [resource])


@pytest.fixture(scope="module")
def dynamodb() -> Any:
    with mocked_dynamodb() as client:
        yield client


@SETTINGS
@given(valid_documents())
def test_every_valid_spec_synthesizes_and_dynamodb_accepts_it(dynamodb: Any, doc: dict[str, Any]) -> None:
    ws = workspace(doc)
    found = validate_workspace(ws)
    # the only finding allowed is DDB141, the warning that AWS may reject a tag's characters ("$", "{", ...)
    assert found.ok and {d.code for d in found if not d.code.startswith("DDB3")} <= {"DDB141"}, \
        [d.format_text() for d in found]  # DDB3xx: the policy pack's best-practice warnings
    table = synthesize_workspace(ws, validate=False).stacks["prop"]["resource"]["aws_dynamodb_table"]["table"]
    assert table["name"] == "prop-dev"
    adv = doc.get("advanced", {}).get("aws_dynamodb", {})
    # what Terraform reads from the tags is exactly the user's text: no interpolation, no directive, no
    # engine token left raw
    expected_tags = {**doc["metadata"].get("tags", {}), **adv.get("tags", {})}
    read = {terraform_reads(k): terraform_reads(v) for k, v in table.get("tags", {}).items()}
    assert {k: v for k, v in read.items() if k in expected_tags} == expected_tags
    for text in [*table.get("tags", {}), *table.get("tags", {}).values()]:
        assert not re.search(r"(?<!\$)[$#&]\{TfToken\[", text.replace('{${"TfToken["}', "")), text
    assert [r["region_name"] for r in table.get("replica", [])] == [
        r["region_name"] for r in adv.get("replica_regions", [])]
    assert ("ttl" in table) == bool(adv.get("ttl_enabled"))
    kwargs = create_table_kwargs(table)
    assert {a["AttributeName"] for a in kwargs["AttributeDefinitions"]} == {
        a["name"] for a in doc["spec"]["attributes"].values()}
    try:
        item = create_and_roundtrip(dynamodb, table)
        assert item[doc["spec"]["hash_key"]] is not None
        range_key = doc.get("advanced", {}).get("aws_dynamodb", {}).get("range_key")
        if range_key:
            assert range_key in item
        described = dynamodb.describe_table(TableName="prop-dev")["Table"]
        assert len(described.get("GlobalSecondaryIndexes", [])) == len(table.get("global_secondary_index", []))
        assert len(described.get("LocalSecondaryIndexes", [])) == len(table.get("local_secondary_index", []))
    finally:
        if "prop-dev" in dynamodb.list_tables()["TableNames"]:
            dynamodb.update_table(TableName="prop-dev", DeletionProtectionEnabled=False)
            dynamodb.delete_table(TableName="prop-dev")


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(max_size=300), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))


@SETTINGS
@given(valid_documents(), st.data())
def test_mutated_documents_never_crash_validation(doc: dict[str, Any], data: st.DataObject) -> None:
    """Replace or delete a few values anywhere: validation reports problems with positions, never raises."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from([p for p in _leaves(doc) if p]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(junk)
        if not _leaves(doc)[1:]:
            break
    ws = workspace(doc)
    found = validate_workspace(ws)
    for d in found:
        assert d.line >= 1 and d.column >= 1 and d.code and d.message and d.file == "prop.json"
    if found.ok:  # still valid after mutation: it must synthesize too
        try:
            synthesize_workspace(ws, validate=False)
        except SynthError as exc:  # pragma: no cover - would be a bug
            pytest.fail(f"valid document failed to synthesize: {exc}\n{json.dumps(doc)[:500]}")
