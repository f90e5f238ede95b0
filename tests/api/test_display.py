"""Jupyter rendering (facets_dynamo.display): readable tables, and user content always escaped."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS

import facets_dynamo as fd
from facets_dynamo import display
from facets_dynamo.diagnostics import Diagnostic, Diagnostics, Severity
from facets_dynamo.diff import describe
from facets_dynamo.semantics import Note
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


def key_schema(resource: Any) -> dict[str, dict[str, Any]]:
    """The key schema section of the flavor's description (the ``describe`` hook)."""
    found = describe(resource, resource.environment or "default")
    assert found is not None
    (section,) = [s for s in found.sections if s.title == "key schema"]
    return {str(r["attribute"]): dict(r) for r in section.rows}


def test_resource_key_schema_shows_table_and_index_keys(example_bp: Path) -> None:
    orders = fd.load(example_bp)["orders"]
    rows = key_schema(orders)
    assert rows["CustomerId"]["table key"] == "HASH" and rows["OrderId"]["table key"] == "RANGE"
    assert rows["CreatedAt"]["table key"] == "" and rows["CreatedAt"]["type"] == "N"
    assert rows["CreatedAt"]["indexes using it"] == "GSI by-status (RANGE), LSI by-created (RANGE)"
    assert rows["Status"]["indexes using it"] == "GSI by-status (HASH)"
    html = orders._repr_html_()
    for text in ("dynamodb.orders", "dynamodb/default/0.2", "HASH", "RANGE", "GSI by-status (HASH)",
                 "PROVISIONED", "orders.json"):
        assert text in html


def test_key_schema_shows_keys_no_attribute_defines(minimal: dict[str, Any]) -> None:
    minimal["spec"]["hash_key"] = "Missing"
    resource = fd.resource_from_dict(minimal, name="locks")
    rows = key_schema(resource)
    assert rows["Missing"]["type"] == Note("not defined") and rows["Missing"]["table key"] == "HASH"
    assert rows["LockID"]["table key"] == ""
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
    assert "stacks/t/cdk.tf.json" in html and "color:" in html  # highlighted
    assert "<details open" not in html and "<details" in html  # collapsed by default


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


# -- readable on real outputs ----------------------------------------------------------------------

class _Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: _Element | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.style = (attrs.get("style") or "").replace(" ", "")

    def ancestors(self) -> Iterator[_Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Page(HTMLParser):
    """The element tree of a display, enough to check where each piece of text sits."""

    VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []
        self.texts: list[tuple[str, _Element | None]] = []
        self.open: list[_Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, dict(attrs), self.open[-1] if self.open else None)
        self.elements.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return
        raise AssertionError(f"</{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((data, self.open[-1] if self.open else None))

    def all(self, tag: str) -> list[_Element]:
        return [e for e in self.elements if e.tag == tag]


#: A text that is one identifier with characters a browser may break at: ``orders-dev``,
#: ``data.terraform_remote_state.cross-stack-reference-input-locks``, ``team=team-0``, ``${a.b}``.
_BREAKABLE_IDENT = re.compile(r"^[\w.:/=@+*${}<>'\-]*([-/]|\$\{)[\w.:/=@+*${}<>'\-]*$")
_KEEPS_WHOLE = ("white-space:nowrap", "white-space:pre")


def _styles(node: _Element | None) -> list[str]:
    return [] if node is None else [node.style, *(a.style for a in node.ancestors())]


def _check_structure(shown: dict[str, str], *forbidden: str) -> None:
    """What a reader of every display relies on, checked on the element tree, not on strings."""
    for what, html in shown.items():
        page = _Page(html)
        assert page.elements and not page.open, f"{what}: unbalanced HTML"
        assert not page.all("script") and "<script" not in html.lower(), f"{what}: user content not escaped"
        for text in forbidden:
            assert text not in html, f"{what} shows the absolute path {text}"
        for style in (e.style for e in page.elements):
            for loose in ("white-space:normal", "pre-wrap", "break-all", "break-word", "anywhere"):
                assert loose not in style, f"{what}: {loose} lets identifiers break"
        # JSON: monospace set inline, in a bounded scroll box, folded in a closed <details> with its size
        for pre in page.all("pre"):
            assert display.MONO.replace(" ", "") in pre.style and "white-space:pre" in pre.style, what
            assert any("max-height" in a.style and "overflow:auto" in a.style for a in pre.ancestors()), what
        for details in page.all("details"):
            assert "open" not in details.attrs, f"{what}: JSON is expanded by default"
        summaries = [t for t, node in page.texts if node is not None and any(a.tag == "summary" for a in
                                                                              [node, *node.ancestors()])]
        assert len(page.all("summary")) == len(page.all("details")), what
        for text in (t for t in summaries if "line" in t):
            assert re.search(r"\d lines?, [\d,.]+ (bytes|KiB)", text), (what, text)
        # tables scroll sideways in their own box; cells of identifier columns and name cells never wrap
        for table in page.all("table"):
            assert table.parent is not None and "overflow-x:auto" in table.parent.style, what
        for text, node in page.texts:
            if _BREAKABLE_IDENT.match(text.strip()):
                assert any(k in st for st in _styles(node) for k in _KEEPS_WHOLE), \
                    f"{what}: {text!r} can break inside the identifier"
        for code_element in page.all("code"):
            assert display.MONO.replace(" ", "") in code_element.style, what


def _all_displays(bp: Path, env: str) -> dict[str, str]:
    ws = fd.load(bp, env=env)
    shown = {"workspace": ws._repr_html_(), "diagnostics": fd.validate(ws)._repr_html_()}
    for r in ws.resources:
        shown[f"resource {r.name}"] = r._repr_html_()
        shown[f"diagnostics {r.name}"] = fd.validate(r, env=env)._repr_html_()
    out = fd.synthesize(ws)
    shown["synthesized"] = out._repr_html_()
    shown["resources"] = out.resources()._repr_html_()
    shown["outputs"] = out.outputs()._repr_html_()
    for name in out.stacks:
        shown[f"stack {name}"] = out.stack(name)._repr_html_()
    return shown


def test_every_display_of_the_example_blueprint_is_readable(example_bp: Path) -> None:
    for env in ("dev", "prod"):
        shown = _all_displays(example_bp, env)
        _check_structure(shown, str(Path.cwd()) + "/", str(example_bp))
        orders = shown["resource orders"]
        assert "PROVISIONED (read " in orders and ", write " in orders
        assert "deletion protection" in orders
        assert "stacks/sessions/cdk.tf.json" in shown["synthesized"]
        assert "data.terraform_remote_state." in shown["stack sessions"]  # a whole identifier, checked above
    html = fd.load(example_bp, env="prod")._repr_html_()
    assert "prod/dynamodb/instances/sessions.json" in html and ">dynamodb/instances/sessions.json" in html


def test_every_display_of_a_generated_100_resource_blueprint_is_readable(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(TESTS))
    from support.blueprints import write_blueprint

    root = write_blueprint(tmp_path / "bp", 100)
    t0001 = root / "dynamodb" / "instances" / "t0001.json"
    doc = json.loads(t0001.read_text())
    doc["metadata"]["tags"]["note"] = EVIL  # a warning (DDB141), so it reaches every display, synth included
    t0001.write_text(json.dumps(doc, indent=2))
    shown = _all_displays(root, "dev")
    _check_structure(shown, str(tmp_path), str(Path.cwd()) + "/")
    for what in ("resource t0001", "stack t0001", "synthesized"):
        assert ESCAPED in shown[what], what
    assert "DDB141" in shown["diagnostics"] and "DDB141" in shown["diagnostics t0001"]
    workspace = _Page(shown["workspace"])
    assert len(workspace.all("tr")) == 101
    assert "max-height" in workspace.all("table")[0].parent.style  # 100 rows scroll in a box
    assert "100 rows (the table scrolls)" in shown["workspace"]
    t0 = shown["resource t0000"]
    assert "PROVISIONED (read 2, write 2)" in t0
    # tags as key=value lines, not a JSON dict
    assert "team=team-0" in t0 and "index=0" in t0 and "&quot;team&quot;" not in t0
    assert ">dynamodb/instances/t0000.json<" in t0
    names = re.search(r"<td[^>]*><code[^>]*>aws_dynamodb_table.table</code><br>", shown["synthesized"])
    assert names, "resources of a stack are listed one per line"
    # the 100 folded stack documents scroll in one box below the summary
    synthesized = _Page(shown["synthesized"])
    boxes = {id(d.parent): d.parent for d in synthesized.all("details")}
    assert len(boxes) == 1 and "max-height" in next(iter(boxes.values())).style


def test_the_structure_check_catches_what_it_is_for() -> None:
    """The checks above can fail: each of these breaks one rule a reader relies on."""
    ok = display.Table([{"table": "orders-dev", "tags": {"team": "a-b"}}])._repr_html_()
    _check_structure({"ok": ok})
    broken = {
        "wrapping name": ok.replace(display._NOWRAP, ""),
        "opened JSON": display.json_block({"a": 1}, "doc", open_=True),
        "proportional JSON": display.json_block({"a": 1}, "doc").replace(display.MONO, ""),
        "unbounded JSON": display.json_block({"a": 1}, "doc").replace("max-height", "min-height"),
        "table without a box": ok.replace("overflow-x:auto", ""),
        "raw content": ok.replace("orders-dev", EVIL),
        "breaking style": ok.replace("white-space:nowrap", "white-space:pre-wrap"),
    }
    for what, html in broken.items():
        with pytest.raises(AssertionError):
            _check_structure({what: html})
    with pytest.raises(AssertionError):
        _check_structure({"absolute": display.Table([{"file": "/abs/x.json"}])._repr_html_()}, "/abs/")


def test_iam_policy_strings_show_as_formatted_json_for_display_only() -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": EVIL}]})
    data = {"resource": {"aws_iam_policy": {"rw": {"name": "rw", "policy": policy}}}}
    stack = display.Stack("t", data)
    html = stack._repr_html_()
    assert "JSON string, parsed for display" in html and "\\&quot;" not in html and '\\"' not in html
    assert_escaped(html)
    assert stack["resource"]["aws_iam_policy"]["rw"]["policy"] == policy  # the data is untouched
    text = display.json_text(data)
    assert '"Version": "2012-10-17"' in text and text.count("\n") > 8


def test_tags_column_is_key_value_lines_and_escaped() -> None:
    html = display.Table([{"table": "orders-dev", "tags": {"team": EVIL, "env": "dev"}}])._repr_html_()
    assert "env=dev<" in html and "team=" + ESCAPED in html
    assert_escaped(html)
    assert re.search(r"<td style='[^']*white-space:nowrap[^']*'>orders-dev</td>", html)


def test_paths_are_never_absolute(tmp_path: Path, minimal: dict[str, Any]) -> None:
    assert display.display_path(tmp_path / "bp" / "x.json", tmp_path) == "bp/x.json"
    assert display.display_path(str(Path.cwd() / "a" / "b.json")) == "a/b.json"
    assert not display.display_path("/elsewhere/deep/dir/kind/instances/x.json").startswith("/")
    assert display.display_path("<memory>/x.json") == "<memory>/x.json"
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": ')
    html = fd.load([broken])._repr_html_()
    assert str(tmp_path) not in html and "broken.json" in html


def test_validate_on_its_own_shows_paths_relative_to_a_blueprint_outside_the_cwd(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, minimal: dict[str, Any]) -> None:
    import sys

    sys.path.insert(0, str(TESTS))
    from support.blueprints import write_blueprint

    bp = write_blueprint(tmp_path / "far" / "bp", 3)
    override = bp / "dev" / "dynamodb" / "instances" / "t0001.json"
    override.parent.mkdir(parents=True)
    override.write_text(json.dumps({"spec": {"hash_key": "Missing"}}, indent=2))  # DDB101 in the override
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the blueprint is not under the working directory

    ws = fd.load(bp, env="dev")
    assert ws.root == bp and ws["t0001"].blueprint_root == bp
    relative = fd.load(Path("..") / "far" / "bp", env="dev")  # the same blueprint, spelt relative to the cwd
    in_memory = ws.with_resource(fd.resource_from_dict(minimal, name="t0002"))
    for found in (fd.validate(ws), fd.validate(ws["t0001"]), fd.validate(bp, env="dev"), fd.validate(relative),
                  fd.validate(in_memory)):
        assert found.root is not None
        shown = {Path(os.path.relpath(d.file, found.root)).as_posix() for d in found}
        assert {"dev/dynamodb/instances/t0001.json", "dynamodb/instances/t0001.json"} <= shown
        html = found._repr_html_()
        for d in found:  # an in-memory resource (its policy-pack warnings) keeps its <memory>/ name
            where = d.file if d.file.startswith("<") else Path(os.path.relpath(d.file, found.root)).as_posix()
            assert f">{escape(where)}:{d.line}:{d.column}<" in html
        assert "\u2026" not in html and str(tmp_path) not in html and "../" not in html
    with pytest.raises(fd.SynthError) as failed:
        fd.synthesize(bp, env="dev")
    html = failed.value.diagnostics._repr_html_()
    assert ">dev/dynamodb/instances/t0001.json:3:" in html and str(tmp_path) not in html

    alone = fd.validate(fd.resource_from_dict(minimal, name="x"))
    assert alone.root is None and alone == Diagnostics(list(alone), root=bp)  # not part of the data
    broken = fd.resource_from_dict({**minimal, "spec": {"hash_key": 1}}, name="x")
    assert "&lt;memory&gt;/x.json:" in fd.validate(broken)._repr_html_()
