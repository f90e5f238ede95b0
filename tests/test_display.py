"""Jupyter rendering (facets_dynamo.display): readable tables, and user content always escaped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import facets_dynamo as fd
from facets_dynamo import display
from facets_dynamo.diagnostics import Diagnostic, Diagnostics, Severity
from facets_dynamo.synthesis import Synthesized

EVIL = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;"


def assert_escaped(html: str) -> None:
    assert "<script" not in html.lower()
    assert ESCAPED in html


def test_resource_escapes_tag_values_and_names(minimal: dict[str, Any]) -> None:
    minimal["metadata"] = {"name": EVIL, "tags": {"note": EVIL}}
    minimal["spec"]["attributes"]["key1"]["name"] = EVIL
    minimal["spec"]["hash_key"] = EVIL
    assert_escaped(fd.resource_from_dict(minimal, name="x")._repr_html_())


def test_diagnostics_escape_messages_paths_and_files() -> None:
    d = Diagnostic(f"{EVIL}.json", 3, 4, f"/spec/{EVIL}", Severity.ERROR, "DDB101", f"bad {EVIL}")
    html = Diagnostics([d])._repr_html_()
    assert_escaped(html)
    assert html.count(ESCAPED) == 3


def test_workspace_and_synthesized_escape_user_content(minimal: dict[str, Any]) -> None:
    minimal["metadata"]["tags"] = {"note": EVIL}
    ws = fd.workspace(fd.resource_from_dict(minimal, name="x"), env=fd.Environment("qa", EVIL, {"t": EVIL}))
    assert_escaped(ws._repr_html_())
    stack = {"resource": {"aws_dynamodb_table": {"table": {"name": "x", "tags": {"note": EVIL}}}},
             "output": {"o": {"value": EVIL, "description": EVIL}}}
    result = Synthesized(EVIL, "cdktn test", {"x": stack}, {})
    for html in (result._repr_html_(), result.stack("x")._repr_html_(), result.outputs()._repr_html_()):
        assert_escaped(html)


def test_resource_key_schema_shows_table_and_index_keys(example_bp: Path) -> None:
    orders = fd.load(example_bp)["orders"]
    rows = {r["attribute"]: r for r in display.key_schema(orders)}
    assert rows["CustomerId"]["key"] == "HASH" and rows["OrderId"]["key"] == "RANGE"
    assert rows["CreatedAt"]["key"] == "" and rows["CreatedAt"]["type"] == "N"
    assert rows["CreatedAt"]["indexes"] == ["GSI by-status (RANGE)", "LSI by-created (RANGE)"]
    assert rows["Status"]["indexes"] == ["GSI by-status (HASH)"]
    html = orders._repr_html_()
    for text in ("dynamodb.orders", "dynamodb/default/0.2", "HASH", "RANGE", "GSI by-status (HASH)",
                 "PROVISIONED", "orders.json"):
        assert text in html


def test_key_schema_shows_keys_no_attribute_defines(minimal: dict[str, Any]) -> None:
    minimal["spec"]["hash_key"] = "Missing"
    resource = fd.resource_from_dict(minimal, name="locks")
    rows = {r["attribute"]: r for r in display.key_schema(resource)}
    assert rows["Missing"]["type"] is None and rows["Missing"]["key"] == "HASH"
    assert rows["LockID"]["key"] == ""
    assert "not defined" in resource._repr_html_()


@pytest.mark.parametrize("doc", [
    {"kind": "dynamodb", "spec": {"attributes": ["a"], "hash_key": 3}, "advanced": "x", "metadata": []},
    {"kind": "dynamodb", "spec": {"attributes": {"a": "S", "b": {"name": None}}},
     "advanced": {"aws_dynamodb": {"global_secondary_indexes": [1, {"name": "g"}], "tags": ["x"]}}},
    {"kind": 5},
])
def test_malformed_resources_still_render(doc: dict[str, Any]) -> None:
    html = fd.resource_from_dict(doc, name="m")._repr_html_()
    assert html.startswith("<div>") and "document" in html


def test_provided_resource_shows_its_outputs(example_bp: Path) -> None:
    html = fd.load(example_bp)["audit"]._repr_html_()
    assert "provided" in html and "legacy-audit" in html


def test_diagnostics_table_has_severity_colours_positions_and_paths() -> None:
    found = Diagnostics([
        Diagnostic("a.json", 3, 5, "/spec/hash_key", Severity.ERROR, "DDB101", "missing"),
        Diagnostic("a.json", 7, 1, "", Severity.WARNING, "DDB201", "consider"),
        Diagnostic("gone.json", 0, 0, "", Severity.ERROR, "FD101", "cannot read file"),
    ])
    html = found._repr_html_()
    assert "2 errors" in html and "1 warning" in html
    assert display.SEVERITY_COLOURS["error"] in html and display.SEVERITY_COLOURS["warning"] in html
    assert "a.json:3:5" in html and "/spec/hash_key" in html and "gone.json<" in html
    assert html.index("a.json:3:5") < html.index("a.json:7:1") < html.index("gone.json")
    assert "no problems" in Diagnostics([])._repr_html_()


def test_workspace_lists_resources_and_loading_problems(example_bp: Path, tmp_path: Path) -> None:
    html = fd.load(example_bp, env="prod")._repr_html_()
    for text in ("prod", "eu-west-1", "compliance=pci", "dynamodb.sessions", "provided", "LockID",
                 "prod/dynamodb/instances/sessions.json"):
        assert text in html
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": ')
    html = fd.load([broken])._repr_html_()
    assert "problems while loading" in html and "FD110" in html and "no resources" in html


def test_table_is_data_text_and_html() -> None:
    table = display.Table([{"a": 1, "b": {"x": True}}, {"a": 2, "c": None}], title="t")
    assert table.columns == ["a", "b", "c"] and len(table) == 2 and table[1]["a"] == 2
    assert table == [{"a": 1, "b": {"x": True}}, {"a": 2, "c": None}]
    assert table.column("a") == [1, 2]
    assert table.where(a=2).rows == [{"a": 2, "c": None}]
    assert table.where(a=lambda v: v > 0) == table
    text = repr(table)
    assert text.splitlines()[0] == "t" and '{"x": true}' in text
    html = table._repr_html_()
    assert html.count("<tr>") == 3 and "&quot;x&quot;: true" in html
    assert "(no rows)" in repr(display.Table([])) and "(no rows)" in display.Table([])._repr_html_()


def test_stack_tabulates_resources_data_sources_and_outputs() -> None:
    data = {
        "resource": {"aws_dynamodb_table": {"table": {"name": "t-dev"}},
                     "aws_iam_policy": {"ro": {"name": "p"}, "rw": {"name": "q"}}},
        "data": {"terraform_remote_state": {"locks": {"backend": "local"}}},
        "output": {"table_name": {"value": "${aws_dynamodb_table.table.name}", "description": "Name"},
                   "secret": {"value": "s", "sensitive": True}},
    }
    stack = display.Stack("t", data)
    assert stack == data and json.loads(json.dumps(stack)) == data
    assert stack.resources().column("address") == [
        "aws_dynamodb_table.table", "aws_iam_policy.ro", "aws_iam_policy.rw", "data.terraform_remote_state.locks"]
    assert stack.resources().column("name") == ["t-dev", "p", "q", None]
    outputs = {o["output"]: o for o in stack.outputs()}
    assert outputs["secret"]["sensitive"] is True and outputs["table_name"]["description"] == "Name"
    assert repr(stack) == "<Stack t: 4 resource(s), 2 output(s)>"
    html = stack._repr_html_()
    assert "stacks/t/cdk.tf.json" in html and "<details open>" in html and "color:" in html  # highlighted


def test_synthesized_summary_lists_stacks_resources_and_outputs() -> None:
    stacks = {n: {"resource": {"aws_dynamodb_table": {"table": {"name": f"{n}-dev"}}},
                  "output": {"table_name": {"value": "v"}}} for n in ("a", "b")}
    result = Synthesized("dev", "cdktn 0.24.0", stacks, {})
    html = result._repr_html_()
    assert "2 stack(s)" in html and "stacks/a/cdk.tf.json" in html and "stacks/b/cdk.tf.json" in html
    assert result.resources().column("stack") == ["a", "b"]
    assert result.outputs().column("output") == ["table_name", "table_name"]


def test_huge_json_is_not_highlighted_but_still_escaped() -> None:
    big = {"k": [EVIL] * (display.MAX_HIGHLIGHT_CHARS // len(EVIL) + 10)}
    html = display.highlight_json(big)
    assert html.startswith("<pre") and "<span" not in html
    assert_escaped(html)
    small = display.highlight_json({"k": EVIL})
    assert "<span" in small
    assert_escaped(small)


def test_big_problem_lists_show_the_first_rows_and_say_how_many_more() -> None:
    many = Diagnostics([Diagnostic("a.json", i, 1, f"/x/{i}", Severity.ERROR, "FD300", "bad")
                        for i in range(1, display.MAX_ROWS + 43)])
    html = many._repr_html_()
    assert html.count("<tr>") == display.MAX_ROWS + 1  # + header
    assert f"{display.MAX_ROWS + 42} errors" in html and "42 more row(s) not shown" in html
    table = display.Table([{"i": i} for i in range(display.MAX_ROWS + 1)])
    assert "1 more row(s)" in table._repr_html_() and len(table) == display.MAX_ROWS + 1
