"""Coverage-guided fuzzing of the read -> parse -> validate path with atheris (libFuzzer).

Each input is treated as the bytes of one resource file. The harness checks the promises the rest of the
project makes about hostile input: reading never raises, every problem is a :class:`Diagnostic` with a
sane position, and a document that validates clean really is one the flavor's schema accepts. Anything
else (an exception, a hang, a position off the end of the file) is a finding.

An input starting with a zero byte is instead decoded as a list of structural mutations of one of the
seed documents in ``fuzz/corpus`` (see :func:`structured`), so the plugin rules see valid-JSON variations
instead of mostly syntax errors. How to run it: ``fuzz/README.md``.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

import atheris

with atheris.instrument_imports():
    import facets_dynamodb_default.model
    import facets_dynamodb_default.plugin
    import facets_dynamodb_default.rules  # noqa: F401  (imported lazily by the plugin: instrument it now)
    import json_merge_patch  # noqa: F401
    import jsonschema  # noqa: F401  (instrumented too: its code decides which branches are interesting)

    from facets_dynamo.blueprint import Workspace
    from facets_dynamo.diagnostics import Diagnostic
    from facets_dynamo.environment import Environment
    from facets_dynamo.host import Host
    from facets_dynamo.jsonsource import parse_bytes
    from facets_dynamo.resource import resource_from_document
    from facets_dynamo.terraform_strings import escape
    from facets_dynamo.validation import validate_workspace

# Hooks normally run on a watchdog thread each; the fuzzer wants raw speed and its own timeout (-timeout).
os.environ.setdefault("FACETS_DYNAMO_HOOK_TIMEOUT", "30")
HOST = Host()
ENV = Environment("dev")


SEEDS = [json.loads(p.read_text()) for p in sorted((Path(__file__).parent / "corpus").glob("*.json"))]


INTERESTING = ["S", "N", "B", "s", "PROVISIONED", "PAY_PER_REQUEST", "${dynamodb.locks.out.table_arn}",
               "%{ if true }", "../x", "", "0.2", "KEYS_ONLY", "INCLUDE", "ALL", "NEW_IMAGE", "LockID", "UserId"]


def structured(data: bytes) -> bytes:
    """Mutate a valid seed document in JSON terms (the byte mutator rarely keeps JSON valid, so plugin
    rules would hardly ever run): replace, delete or add values anywhere, then serialize."""
    fdp = atheris.FuzzedDataProvider(data)
    doc = copy.deepcopy(SEEDS[fdp.ConsumeIntInRange(0, len(SEEDS) - 1)])
    for _ in range(fdp.ConsumeIntInRange(1, 6)):
        parent, key = _pick(doc, fdp)
        action = fdp.ConsumeIntInRange(0, 3)
        if parent is None:
            continue
        if action == 0 and isinstance(parent, dict) and key in parent:
            del parent[key]
        elif action == 1 and isinstance(parent, dict):
            parent[fdp.ConsumeUnicodeNoSurrogates(8)] = _value(fdp, 2)
        else:
            parent[key] = _value(fdp, 2)
    return json.dumps(doc, ensure_ascii=fdp.ConsumeBool()).encode("utf-8", "surrogatepass")


def _pick(doc: Any, fdp: atheris.FuzzedDataProvider) -> tuple[Any, Any]:
    parent, key = None, None
    node = doc
    while isinstance(node, dict | list) and node and fdp.ConsumeIntInRange(0, 3):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        parent, key = node, keys[fdp.ConsumeIntInRange(0, len(keys) - 1)]
        node = node[key]
    return parent, key


def _value(fdp: atheris.FuzzedDataProvider, depth: int) -> Any:
    kind = fdp.ConsumeIntInRange(0, 8)
    if kind == 0:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))  # may hold lone surrogates
    if kind == 1:
        return fdp.PickValueInList(INTERESTING)
    if kind == 2:
        return fdp.ConsumeIntInRange(-(2**40), 2**40)
    if kind == 3:
        return fdp.ConsumeRegularFloat()
    if kind == 4:
        return fdp.ConsumeBool()
    if kind == 5:
        return None
    if kind == 6 and depth:
        return [_value(fdp, depth - 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    if kind == 7 and depth:
        return {fdp.ConsumeUnicodeNoSurrogates(6): _value(fdp, depth - 1) for _ in range(fdp.ConsumeIntInRange(0, 3))}
    return fdp.ConsumeIntInRange(0, 30)


def check(data: bytes) -> None:
    if data[:1] == b"\x00":  # mode byte: structured mutation of a seed; anything else: the bytes as they are
        data = structured(data[1:])
    doc, problems = parse_bytes(data, "fuzz.json")
    _check_positions(problems, data)
    if doc is None:
        assert problems, "no document and no diagnostic"
        assert any(d.is_error for d in problems)
        return
    resource, more = resource_from_document(doc, Path("fuzz.json"))
    if resource is None:
        assert more and more[0].code == "FD111"
        return
    resource.environment = ENV.name
    ws = Workspace(ENV, [resource], list(problems))
    found = validate_workspace(ws, HOST)
    for d in found:
        assert isinstance(d, Diagnostic), d
        assert d.code.startswith(("FD", "DDB")), d
        assert d.message, d
        assert "Traceback" not in d.message, d
    # FD900 means a plugin raised on this input: that is a bug in the plugin, so a finding.
    failures = [d for d in found if d.code in ("FD900", "FD901")]
    assert not failures, failures
    text = doc.text
    for d in found:
        if d.file == "fuzz.json" and d.line:
            assert 1 <= d.line <= text.count("\n") + 1, d
    if found.ok:
        # A clean document must satisfy the flavor schema and have a usable, escapable name.
        flavor = HOST.flavors[resource.key]
        assert not list(flavor.validator.iter_errors(resource.data))
        assert escape(resource.name) == resource.name


def _check_positions(problems: list[Diagnostic], data: bytes) -> None:
    lines = data.count(b"\n") + 1
    for d in problems:
        assert d.line >= 0 and d.column >= 0, d
        assert d.line <= lines, d


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
