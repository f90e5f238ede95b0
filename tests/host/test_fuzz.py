"""Property-based fuzzing of the CLI entry point and the API (hypothesis).

Inputs are valid specs mutated structurally (values replaced by arbitrary JSON, keys deleted or added,
types swapped) and then, sometimes, byte-mutated after serialization; plus arbitrary bytes. For each:

* ``api.validate`` returns :class:`Diagnostics` and never raises; no plugin crashes on it (FD900);
* ``facets_dynamo.cli.main(["validate", ...])`` ends in ``SystemExit`` 0, 1 or 2, never an internal error;
* an invalid spec never reaches the engine: ``synthesize`` raises ``SynthError`` with a tripwire engine
  that fails the test if touched, and ``main(["synth", ...])`` exits non-zero without creating ``--out``;
* a valid spec synthesizes, and its Terraform JSON holds no interpolation the user wrote.

Runs are derandomized so CI is stable; ``FACETS_DYNAMO_FUZZ_EXAMPLES=2000`` (and
``FACETS_DYNAMO_FUZZ_RANDOM=1`` for fresh inputs each run) makes it a longer fuzzing session.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from conftest import EXAMPLE, MINIMAL, ROOT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import facets_dynamo.synthesis as synthesis
from facets_dynamo import api
from facets_dynamo.blueprint import load_workspace
from facets_dynamo.cli import main
from facets_dynamo.diagnostics import Diagnostic, Diagnostics
from facets_dynamo.synthesis import SynthError, synthesize_workspace

SEEDS: list[dict[str, Any]] = [MINIMAL] + [
    json.loads(p.read_text()) for p in sorted((EXAMPLE / "dynamodb" / "instances").glob("*.json"))]
EXAMPLES = int(os.environ.get("FACETS_DYNAMO_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("FACETS_DYNAMO_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

INTERESTING = st.sampled_from([
    "S", "N", "B", "s", "", " ", "0.2", "dynamodb", "default", "PROVISIONED", "PAY_PER_REQUEST", "KEYS_ONLY",
    "INCLUDE", "ALL", "NEW_AND_OLD_IMAGES", "LockID", "UserId", "ENVIRONMENT", "../x", "/abs", "a\x00b",
    "${dynamodb.locks.out.table_arn}", "${dynamodb.missing.out.x}", "%{ if true }x%{ endif }", "$${x}",
    "\U0001f600", "\ud800", "\u202e", "x" * 300, "arn:aws:kms:us-east-1:123456789012:key/abc",
])
SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20) | INTERESTING)
JSON_VALUES = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8) | INTERESTING, kids, max_size=4), max_leaves=10)


def _slots(doc: Any) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in ``doc``: the places a mutation can hit."""
    found: list[tuple[Any, Any]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            found.append((node, key))
            stack.append(value)
    return found


@st.composite
def mutated_docs(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        slots = _slots(doc)
        if not slots:
            break
        parent, key = draw(st.sampled_from(slots))
        action = draw(st.sampled_from(["same-type", "same-type", "replace", "delete", "add", "retype", "duplicate"]))
        value = parent[key]
        if action == "same-type" and isinstance(value, bool | int | float | str):  # likely to stay valid
            parent[key] = draw(st.booleans() if isinstance(value, bool) else st.integers(-5, 100)
                               if isinstance(value, int) else st.floats(-1e6, 1e6) if isinstance(value, float)
                               else INTERESTING | st.text(max_size=12))
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10) | INTERESTING)] = draw(JSON_VALUES)
        elif action == "retype":
            parent[key] = ([value] if not isinstance(value, list) else {"0": value} if draw(st.booleans())
                           else json.dumps(value))
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            parent[key] = draw(JSON_VALUES)
    if draw(st.integers(0, 9)) == 0:  # now and then a different top level
        doc = draw(JSON_VALUES)
    return doc


@st.composite
def spec_bytes(draw: st.DrawFn) -> bytes:
    """A mutated spec serialized, sometimes with byte-level damage on top."""
    doc = draw(mutated_docs())
    text = json.dumps(doc, indent=draw(st.sampled_from([None, 2])), ensure_ascii=draw(st.booleans()))
    raw = bytearray(text.encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 3]))):
        at = draw(st.integers(0, max(len(raw) - 1, 0)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        if op == "flip" and raw:
            raw[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=4) | st.sampled_from([b",", b"{", b"]", b'"', b"\\"]))
        elif op == "delete" and raw:
            del raw[at]
        elif op == "truncate":
            del raw[at:]
    return bytes(raw)


# -- the checks ------------------------------------------------------------------------------------

class Tripwire:
    """An engine that fails the test if synthesis ever gets as far as using it."""

    name = "tripwire"

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the engine was used ({name}) for a spec that does not validate")


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as done:
        main(list(args))
    code = done.value.code if isinstance(done.value.code, int) else 0 if done.value.code is None else 2
    return code, out.getvalue(), err.getvalue()


def _interpolations(text: str) -> list[str]:
    found, i = [], 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            found.append(text[i : text.find("}", i) + 1])
            i += 2
        else:
            i += 1
    return found


ENGINE_REFERENCE = re.compile(r"^\$\{aws_[a-z_]+\.[\w-]+\.[a-z_]+\}$")


def check_file(path: Path, tmp: Path) -> None:
    found = api.validate(path)
    assert isinstance(found, Diagnostics)
    assert all(isinstance(d, Diagnostic) and d.code and d.message for d in found)
    assert not [d for d in found if d.code in ("FD900", "FD901")], "a plugin crashed on this input"

    code, stdout, stderr = _cli("validate", str(path), "--format", "json")
    assert code in (0, 1, 2), (code, stderr)
    assert "internal error" not in stderr and "Traceback" not in stderr, stderr
    from facets_dynamo.cli import UNREADABLE

    assert code == (0 if found.ok else 2 if any(d.code in UNREADABLE for d in found.errors) else 1)
    assert [d["code"] for d in json.loads(stdout)] == [d.code for d in found]

    out = tmp / "out"
    ws = load_workspace([path])
    event("valid: synthesized" if found.ok else f"invalid: {sorted({d.code for d in found.errors})[0]}")
    if not found.ok:
        with pytest.raises(SynthError):
            synthesize_workspace(ws, engine=Tripwire())  # type: ignore[arg-type]
        with mock.patch.object(synthesis, "default_engine", Tripwire):  # the CLI's path must not start it
            code, _, stderr = _cli("synth", str(path), "--out", str(out))
        assert code in (1, 2) and "nothing written" in stderr, stderr
        assert not out.exists()
        return
    result = synthesize_workspace(ws)
    for stack in result.stacks.values():
        for text in re.findall(r'"((?:[^"\\]|\\.)*)"', json.dumps(stack, ensure_ascii=False)):
            assert all(ENGINE_REFERENCE.match(found) for found in _interpolations(text)), text


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _run(data: bytes, workdir: Path) -> None:
    case = workdir / "case"
    case.mkdir(exist_ok=True)
    path = case / "locks.json"
    path.write_bytes(data)
    try:
        check_file(path, case)
    finally:
        for child in case.iterdir():
            if child.is_dir():
                shutil.rmtree(child)


@FUZZ
@given(data=spec_bytes())
def test_mutated_specs_never_crash(data: bytes, workdir: Path) -> None:
    _run(data, workdir)


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes, workdir: Path) -> None:
    _run(data, workdir)


@FUZZ
@given(doc=mutated_docs())
def test_api_never_raises_on_unsaved_text(doc: Any, workdir: Path) -> None:
    """The same through ``parse_text``: what the TUI validates while a spec is being edited."""
    path = workdir / "unsaved.json"
    path.write_text("{}")
    ws = load_workspace([path], texts={path: json.dumps(doc)})
    found = api.validate(ws)
    assert isinstance(found, Diagnostics)
    assert not [d for d in found if d.code in ("FD900", "FD901")]
    if not found.ok:
        with pytest.raises(SynthError):
            synthesize_workspace(ws, engine=Tripwire())  # type: ignore[arg-type]


PAYLOADS = st.sampled_from(['${file("/etc/passwd")}', "%{ if true }x%{ endif }", "$${x}", "$$${x}", "%%{x}", "$", "%",
                            "${", "}", "\U0001f600", "\u202e", "\x00", "\\", '"', "\n"])


@st.composite
def valid_variants(draw: st.DrawFn) -> dict[str, Any]:
    """The minimal spec with arbitrary text where DynamoDB allows arbitrary text (attribute names, tags)."""
    doc = copy.deepcopy(MINIMAL)
    text = st.text(max_size=20) | PAYLOADS | st.lists(PAYLOADS | st.text(max_size=4), max_size=4).map("".join)
    name = draw(text.filter(lambda s: 1 <= len(s.encode()) <= 255))
    doc["spec"]["attributes"]["key1"] = {"name": name, "type": draw(st.sampled_from("SNB"))}
    doc["spec"]["hash_key"] = name
    keys = text.filter(lambda k: 1 <= len(k) <= 128 and not k.lower().startswith("aws:") and k != "Name")
    doc["metadata"] = {"name": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{2,30}", fullmatch=True)),
                       "tags": draw(st.dictionaries(keys, text.filter(lambda v: len(v) <= 256), max_size=4))}
    return doc


def terraform_literal(text: str) -> str:
    return text.replace("$${", "${").replace("%%{", "%{")


@FUZZ
@given(doc=valid_variants())
def test_valid_variants_synthesize_literally(doc: dict[str, Any], workdir: Path) -> None:
    """Whatever text a valid spec holds reaches Terraform as that literal text, never as an expression."""
    path = workdir / "variant.json"
    path.write_text(json.dumps(doc))
    found = api.validate(path)
    assert not [d for d in found if d.code in ("FD900", "FD901")]
    event("valid" if found.ok else f"invalid: {sorted({d.code for d in found.errors})}")
    if not found.ok:
        with pytest.raises(SynthError):
            synthesize_workspace(load_workspace([path]), engine=Tripwire())  # type: ignore[arg-type]
        return
    stack = api.synthesize(path).stacks[doc["metadata"]["name"]]
    table = stack["resource"]["aws_dynamodb_table"]["table"]
    assert terraform_literal(table["hash_key"]) == doc["spec"]["hash_key"]
    assert [terraform_literal(a["name"]) for a in table["attribute"]] == [doc["spec"]["hash_key"]]
    tags = {terraform_literal(k): terraform_literal(v) for k, v in table["tags"].items()}
    assert tags == {**doc["metadata"]["tags"], "Name": f"{doc['metadata']['name']}-default"}
    for text in [*table["tags"], *table["tags"].values(), table["hash_key"]]:
        assert _interpolations(text) == [], text


def test_atheris_corpus_replays_clean() -> None:
    """Seeds and past findings of ``fuzz/fuzz_validate.py`` (``fuzz/corpus``) pass the harness's own checks."""
    pytest.importorskip("atheris")
    import importlib.util

    harness = ROOT / "fuzz" / "fuzz_validate.py"
    spec = importlib.util.spec_from_file_location("fuzz_validate", harness)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    inputs = sorted((harness.parent / "corpus").iterdir())
    assert any(p.name.startswith("regression-") for p in inputs)
    for path in inputs:
        module.check(path.read_bytes())
