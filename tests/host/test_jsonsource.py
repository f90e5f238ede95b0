"""Strict JSON reading: every way a file can fail to be a usable document gets its code and position."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.policy import policy_off

from facets_dynamo.jsonsource import MAX_DEPTH, parse_bytes, parse_text, pointer_join, read_document
from facets_dynamo.resource import load_resource


def only(problems: list, code: str):
    assert [p.code for p in problems] == [code], problems
    return problems[0]


def test_valid_document_has_no_problems_and_positions() -> None:
    doc, problems = parse_text('{\n  "kind": "dynamodb",\n  "spec": {\n    "hash_key": "id"\n  }\n}\n', "f.json")
    assert problems == []
    assert doc is not None and doc.data["spec"]["hash_key"] == "id"
    loc = doc.source.locate("/spec/hash_key")
    assert (loc.line, loc.column) == (4, 17)
    key = doc.source.locate("/spec/hash_key", key=True)
    assert (key.line, key.column) == (4, 5)
    # a pointer that does not exist is reported at its nearest existing parent
    missing = doc.source.locate("/spec/attributes/x")
    assert (missing.line, missing.column) == (3, 11)


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_file_fd103(text: str) -> None:
    doc, problems = parse_text(text, "f.json")
    d = only(problems, "FD103")
    assert doc is None and (d.line, d.column) == (1, 1) and "empty" in d.message


def test_bom_fd104() -> None:
    doc, problems = parse_bytes(b'\xef\xbb\xbf{"a": 1}', "f.json")
    d = only(problems, "FD104")
    assert doc is None and (d.line, d.column) == (1, 1) and "byte order mark" in d.message


def test_bad_utf8_fd105_reports_line_and_column() -> None:
    raw = '{\n  "name": "é'.encode() + b"\xff" + b'"\n}\n'
    doc, problems = parse_bytes(raw, "f.json")
    d = only(problems, "FD105")
    # line 2; column counts characters: two spaces, "name": (7), space, quote, é -> the bad byte is the 13th
    assert doc is None and (d.line, d.column) == (2, 13)
    assert "0xff" in d.message


def test_nesting_depth_fd106() -> None:
    ok = '{"a": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    assert parse_text(ok, "f.json")[1] == []
    deep = '{"a":\n' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    doc, problems = parse_text(deep, "f.json")
    d = only(problems, "FD106")
    assert doc is None and d.line == 2 and d.column == MAX_DEPTH
    # brackets inside strings do not count
    assert parse_text('{"s": "' + "[" * 200 + '"}', "f.json")[1] == []


def test_nan_and_infinity_fd107_each_with_position_and_path() -> None:
    text = '{\n  "a": NaN,\n  "b": [1, Infinity, -Infinity],\n  "c": "NaN is fine in a string"\n}'
    _doc, problems = parse_text(text, "f.json")
    assert [(p.code, p.line, p.column, p.path) for p in problems] == [
        ("FD107", 2, 8, "/a"), ("FD107", 3, 12, "/b/1"), ("FD107", 3, 22, "/b/2")]


def test_number_overflowing_to_infinity_fd107() -> None:
    # Python reads 1e400 as inf without complaint; it could never be written back as JSON.
    _doc, problems = parse_text('{"spec": {"n": 1e400, "m": 1e5}}', "f.json")
    d = only(problems, "FD107")
    assert (d.path, d.column) == ("/spec/n", 16) and "1e400" in d.message


def test_integer_with_too_many_digits_is_a_diagnostic_not_a_crash() -> None:
    _doc, problems = parse_text('{"n": ' + "7" * 5000 + "}", "f.json")
    d = only(problems, "FD107")
    assert (d.line, d.column, d.path) == (1, 7, "/n") and "5000 characters" in d.message


def test_duplicate_key_fd108_reported_at_the_duplicate() -> None:
    text = '{\n  "spec": {\n    "hash_key": "a",\n    "hash_key": "b"\n  },\n  "kind": "x"\n}'
    _doc, problems = parse_text(text, "f.json")
    d = only(problems, "FD108")
    assert (d.line, d.column, d.path) == (4, 5, "/spec/hash_key")
    assert "'hash_key'" in d.message


def test_duplicate_in_discarded_value_does_not_produce_phantom_duplicates() -> None:
    # The first "a" object is thrown away by the duplicate "a"; its repeated "x" must not be blamed on
    # another object that happens to reuse its memory (it used to be reported at /q/x, or at /x).
    text = '{"p": {"a": {"x": 1, "x": 2}, "a": 1}, "q": {"x": 1}, "r": {"x": 1}}'
    _doc, problems = parse_text(text, "f.json")
    assert [(p.code, p.path) for p in problems] == [("FD108", "/p/a")]


def test_syntax_error_fd110_line_and_column() -> None:
    _doc, problems = parse_text('{\n  "a": 1,\n  "b": tru\n}', "f.json")
    d = only(problems, "FD110")
    assert (d.line, d.column) == (3, 8)


@pytest.mark.parametrize("text,line,column", [('{\n  "a": 1,\n}', 3, 1), ('{"a": [1, 2,]}', 1, 13)])
def test_trailing_comma_fd110_hint(text: str, line: int, column: int) -> None:
    _doc, problems = parse_text(text, "f.json")
    d = only(problems, "FD110")
    assert (d.line, d.column) == (line, column)
    assert "trailing comma" in d.message


def test_truncated_file_fd110_says_truncated() -> None:
    for text in ('{"a": {', '{"a": {"b": 1', '{"a":'):
        d = only(parse_text(text, "f.json")[1], "FD110")
        assert "truncated" in d.message, text


def test_top_level_array_fd111(tmp_path: Path) -> None:
    path = tmp_path / "locks.json"
    path.write_text('[{"kind": "dynamodb"}]\n')
    resource, problems = load_resource(path)
    d = only(problems, "FD111")
    assert resource is None and (d.file, d.line, d.column) == (str(path), 1, 1)
    assert "an array" in d.message


def test_read_document_uses_display_name_and_reports_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b"\xef\xbb\xbf{}")
    _doc, problems = read_document(path, "shown.json")
    assert only(problems, "FD104").file == "shown.json"
    _doc, problems = read_document(tmp_path / "missing.json")
    assert only(problems, "FD101").line == 0


# -- positions of every value and key ------------------------------------------------------------------

def offset(text: str, line: int, column: int) -> int:
    return sum(len(ln) + 1 for ln in text.split("\n")[: line - 1]) + column - 1


def walk(value: Any, pointer: str = "") -> list[tuple[str, Any, str | None]]:
    """(pointer, value, key) for every value of a JSON document."""
    found: list[tuple[str, Any, str | None]] = []
    stack: list[tuple[str, Any, str | None]] = [(pointer, value, None)]
    while stack:
        here, item, key = stack.pop()
        found.append((here, item, key))
        if isinstance(item, dict):
            stack.extend((pointer_join(here, k), v, k) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((pointer_join(here, i), v, None) for i, v in enumerate(item))
    return found


def assert_positions_exact(text: str) -> None:
    doc, problems = parse_text(text, "f.json")
    assert doc is not None and problems == []
    decoder = json.JSONDecoder()
    for pointer, value, key in walk(doc.data):
        assert pointer in doc.source.values, pointer
        loc = doc.source.values[pointer]
        assert decoder.raw_decode(text, offset(text, loc.line, loc.column))[0] == value, pointer
        if key is not None:
            kloc = doc.source.keys[pointer]
            assert decoder.raw_decode(text, offset(text, kloc.line, kloc.column))[0] == key, pointer


def test_keys_with_slash_tilde_escapes_and_unicode_have_exact_positions() -> None:
    # json_source_map built pointers from the raw key text: these all fell back to their parent's position
    doc = {"metadata": {"tags": {"team/owner": "a", "x~y": "b", "caf\u00e9": "c", 'q"uote': "d", "back\\slash": 1}},
           "list": [{"k/": [True, None, "]}{["]}, 2.5]}
    crlf_tabs = json.dumps(doc, indent="\t").replace("\n", "\r\n")
    for text in (json.dumps(doc, indent=2), json.dumps(doc), json.dumps(doc, indent=1, ensure_ascii=False), crlf_tabs):
        assert_positions_exact(text)
    parsed, _ = parse_text(json.dumps(doc, indent=2), "f.json")
    assert parsed.source.locate("/metadata/tags/team~1owner", key=True).line == 4


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25)


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES, st.sampled_from([None, 2]), st.booleans())
def test_positions_of_any_document(value: Any, indent: int | None, ascii_only: bool) -> None:
    assert_positions_exact(json.dumps({"root": value}, indent=indent, ensure_ascii=ascii_only))


@pytest.mark.parametrize(("text", "pointer", "says"), [
    ('{"spec": {"attributes": {"k": {"name": "x" "type": "S"}}}}', "/spec/attributes/k/name",
     "comma missing"),
    ('{"spec": {"hash_key": tru}}', "/spec/hash_key", "found 't'"),
    ('{"a": {"b": [{"c": 1}, {"d": ]}]}}', "/a/b/1/d", "found ']'"),
    ('{"team/x": {"y": nul}}', "/team~1x/y", "found 'n'"),
    ("{'a': 1}", "", "double quotes"),
    ('{"a": 1, x}', "", "found 'x'"),
])
def test_syntax_error_names_the_json_path_and_what_was_found(text: str, pointer: str, says: str) -> None:
    d = only(parse_text(text, "f.json")[1], "FD110")
    assert d.path == pointer
    assert says in d.message
    assert "trailing comma" not in d.message  # only said where a '}' or ']' follows the comma


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "mixed"])
@pytest.mark.parametrize(("change", "expected"), [
    (('"type": "S"', '"type": "s"'), ":10:17: error DDB108"),  # a rule's finding, positioned by the source map
    (('"type": "S"', '"type": "S",'), ":11:7: error FD110"),   # a syntax error, positioned from the parser
])
def test_positions_are_the_same_for_every_line_ending(run_cli, tmp_path, minimal, ending, change, expected) -> None:
    """A CR-only file once put every error on line 1 (`1:357` where LF and CRLF gave `16:17`)."""
    lines = json.dumps(minimal, indent=2).replace(*change).split("\n")
    endings = ["\n", "\r\n", "\r"] if ending == "mixed" else [ending]
    text = "".join(line + endings[i % len(endings)] for i, line in enumerate(lines))
    path = tmp_path / "locks.json"
    path.write_bytes(text.encode())
    policy_off(tmp_path)  # the error is the first line, with no best-practice warnings before it
    proc = run_cli("validate", path)
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{path}{expected}"), proc.stdout
