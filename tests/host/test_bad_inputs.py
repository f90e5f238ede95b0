"""Every hostile input in ``tests/bad_inputs/`` through the real console script, as a pipeline runs it.

For each case of ``tests/bad_inputs/cases.json``: ``validate --format json`` must exit with the case's
code and report its diagnostic (code, file, line, column); ``synth`` must exit the same way, print the
diagnostic as text, never print a traceback, and write nothing: a fresh ``--out`` does not appear and an
existing one stays byte-identical (no temp dirs left beside it either). Special files git cannot hold
(FIFO, socket, symlinks) and big files are generated per test in ``tmp_path``.

The ``injection`` blueprint is valid on purpose: ``${...}`` / ``%{...}`` in every string field must reach
the Terraform JSON escaped (``$${`` / ``%%{``), so the output contains no interpolation the user wrote.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS

HERE = TESTS / "bad_inputs"
MANIFEST = json.loads((HERE / "cases.json").read_text())
CASES: list[dict[str, Any]] = MANIFEST["cases"]
MINIMAL = {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
           "spec": {"attributes": {"key1": {"name": "LockID", "type": "S"}}, "hash_key": "LockID"}}
PREVIOUS = {"manifest.json": b'{"previous": true}\n', "stacks/old/cdk.tf.json": b'{"resource": {}}\n'}


def _write(path: Path, doc: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def _blueprint_with(tmp: Path) -> tuple[Path, Path]:
    """A blueprint holding one valid resource; returns (blueprint, its instances folder)."""
    bp = tmp / "bp"
    instances = bp / "dynamodb" / "instances"
    _write(instances / "locks.json", MINIMAL)
    return bp, instances


def _generate(kind: str, tmp: Path) -> tuple[Path, Path]:
    """Build a generated case; returns (what to pass to the CLI, the file the diagnostic names)."""
    if kind == "file_50mb":
        path = tmp / "big.json"
        doc = dict(MINIMAL, metadata={"blob": "x" * (50 * 1024 * 1024)})
        path.write_text(json.dumps(doc), encoding="utf-8")
        return path, path
    if kind == "nesting_100k":
        path = tmp / "deep.json"
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        return path, path
    if kind == "huge_string":
        doc = json.loads(json.dumps(MINIMAL))
        name = "A" * (1536 * 1024)
        doc["spec"]["attributes"]["key1"]["name"] = doc["spec"]["hash_key"] = name
        path = _write(tmp / "huge.json", doc)
        return path, path
    bp, instances = _blueprint_with(tmp)
    if kind == "fifo":
        bad = instances / "fifo.json"
        os.mkfifo(bad)
    elif kind == "dangling_symlink":
        bad = instances / "gone.json"
        bad.symlink_to(tmp / "does-not-exist.json")
    elif kind == "directory":
        bad = instances / "orders.json"
        bad.mkdir()
        _write(bad / "inner.json", MINIMAL)
    elif kind == "socket":
        bad = instances / "sock.json"
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(bad))  # bound and left open: a live socket file, unreadable as JSON
        _SOCKETS.append(server)
    elif kind == "symlink_loop":
        bad = instances / "a.json"
        bad.symlink_to("b.json")
        (instances / "b.json").symlink_to("a.json")
    elif kind == "dotdot_file":
        bad = _write(instances / "...json", MINIMAL)
    else:  # pragma: no cover - a typo in cases.json
        raise AssertionError(f"unknown generator {kind!r}")
    return bp, bad


_SOCKETS: list[socket.socket] = []


@pytest.fixture(autouse=True)
def _close_sockets():
    yield
    while _SOCKETS:
        _SOCKETS.pop().close()


def _materialize(case: dict[str, Any], tmp: Path) -> tuple[Path, Path]:
    if "generate" in case:
        return _generate(case["generate"], tmp)
    source = HERE / case["path"]
    target = tmp / "case" / source.name
    if source.is_dir():
        shutil.copytree(source, target)
        return target, target / case["file"]
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    return target, target


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _assert_clean(proc: Any) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert "internal error" not in proc.stderr, proc.stderr


def _text_pattern(file: Path, case: dict[str, Any]) -> str:
    where = re.escape(str(file))
    line, column = case.get("line"), case.get("column")
    if line is None:
        position = r"(:\d+:\d+)?"
    elif line == 0:
        position = ""
    else:
        position = f":{line}:{column}"
    return f"^{where}{position}: error {case['code']} at "


def test_corpus_is_big_enough():
    files = [p for p in HERE.rglob("*") if p.is_file() and p.name != "cases.json"]
    assert len(files) >= 40
    assert len(CASES) >= 40
    listed = {c["path"].split("/")[0] for c in CASES if "path" in c} | {"injection"}
    on_disk = {p.name for p in HERE.iterdir() if p.name != "cases.json"}
    assert on_disk == listed, "every corpus entry has a manifest case and vice versa"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case: dict[str, Any], tmp_path: Path, run_cli) -> None:
    target, diag_file = _materialize(case, tmp_path)
    args = case.get("args", [])

    found = run_cli("validate", target, *args, "--format", "json", cwd=tmp_path, timeout=60)
    _assert_clean(found)
    assert found.returncode == case["exit"], (found.stdout, found.stderr)
    diagnostics = json.loads(found.stdout)
    ours = [d for d in diagnostics if d["code"] == case["code"] and d["file"] == str(diag_file)]
    assert ours, f"no {case['code']} for {diag_file} in {diagnostics}"
    if case.get("line") is not None:
        assert (ours[0]["line"], ours[0]["column"]) == (case["line"], case["column"]), ours[0]
    assert all(d["message"] for d in diagnostics)

    existing = tmp_path / "out-existing"
    for rel, data in PREVIOUS.items():
        (existing / rel).parent.mkdir(parents=True, exist_ok=True)
        (existing / rel).write_bytes(data)
    made = run_cli("synth", target, *args, "--out", existing, cwd=tmp_path, timeout=60)
    _assert_clean(made)
    assert made.returncode == case["exit"], (made.stdout, made.stderr)
    assert re.search(_text_pattern(diag_file, case), made.stdout, re.M), made.stdout
    assert "nothing written" in made.stderr
    assert _tree(existing) == PREVIOUS
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out-existing")]


IN_PROCESS = [c for c in CASES if not c.get("args")]


@pytest.mark.parametrize("case", IN_PROCESS, ids=[c["id"] for c in IN_PROCESS])
def test_bad_input_in_process(case: dict[str, Any], tmp_path: Path) -> None:
    """The same corpus through the API, in this process: the same code at the same line:column as the console
    script reports (so a mutation test, which cannot see inside a subprocess, sees the reader at work)."""
    from facets_dynamo import api

    target, diag_file = _materialize(case, tmp_path)
    found = list(api.validate(api.load(target)))
    ours = [d for d in found if d.code == case["code"] and d.file == str(diag_file)]
    assert ours, f"no {case['code']} for {diag_file} in {[d.format_text() for d in found]}"
    if case.get("line") is not None:
        assert (ours[0].line, ours[0].column) == (case["line"], case["column"]), ours[0]
    assert all(d.message and d.code for d in found)
    assert ours[0].severity.value == "error"
    hint = MESSAGE_HINTS.get(case["id"])
    assert hint is None or hint in ours[0].message, ours[0].message
    assert ours[0].path == POINTER_HINTS.get(case["id"], ours[0].path)


# what the message must say, for cases whose code alone does not tell the user what is wrong
MESSAGE_HINTS = {"utf8_bom": "file starts with a UTF-8 byte order mark", "yml": "YAML is not supported",
                 "yaml_bomb": "YAML is not supported", "unreadable_fifo": "a FIFO",
                 "unreadable_socket": "is a socket", "unreadable_dangling_symlink": "broken symbolic link",
                 "symlink_loop": "symbolic link loop", "file_50mb": "resource files are limited to",
                 "lone_surrogate": "not valid Unicode"}
POINTER_HINTS = {"utf8_bom": "", "file_50mb": ""}


def test_bad_inputs_create_no_output_dir(tmp_path: Path, run_cli) -> None:
    """All committed single-file cases in one ``synth``: a fresh ``--out`` never appears."""
    single = [c for c in CASES if "path" in c and "args" not in c and (HERE / c["path"]).is_file()]
    files = [HERE / c["path"] for c in single]
    fresh = tmp_path / "out-fresh"
    made = run_cli("synth", *files, "--out", fresh, cwd=tmp_path, timeout=60)
    _assert_clean(made)
    assert made.returncode == 2  # the worst of them: YAML input is a usage error
    reported = set(re.findall(r"^(.+?)(?::\d+:\d+)?: error (\w+) at ", made.stdout, re.M))
    assert {(str(HERE / c["path"]), c["code"]) for c in single} <= reported
    assert not fresh.exists()
    assert list(tmp_path.iterdir()) == []


# -- valid but hostile: interpolation injection ----------------------------------------------------

def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def interpolations(text: str) -> list[str]:
    """The ``${...}`` / ``%{...}`` sequences Terraform would evaluate in ``text`` (``$${``/``%%{`` are
    literal), each as the text from its opening to the matching ``}``."""
    found: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = text.find("}", i)
            found.append(text[i : end + 1 if end >= 0 else len(text)])
            i += 2
        else:
            i += 1
    return found


def terraform_literal(text: str) -> str:
    """What Terraform makes of an escaped literal string."""
    return text.replace("$${", "${").replace("%%{", "%{")


# The only interpolations allowed in output: references the engine itself wrote.
ENGINE_REFERENCE = re.compile(r"^\$\{(aws_[a-z_]+\.[\w-]+\.[a-z_]+"
                              r"|data\.terraform_remote_state\.[\w-]+\.outputs\.\w+)\}$")


def test_interpolation_scanner_itself():
    assert interpolations('a ${x} b $${y} c %{ if 1 }%%{z}') == ["${x}", "%{ if 1 }"]
    assert interpolations("$$${x}") == []  # "$" then the escape "$${"
    assert terraform_literal("$$${x}") == "$${x}"


def test_injection_is_escaped_in_every_string(tmp_path: Path, run_cli) -> None:
    source = HERE / "injection"
    out = tmp_path / "out"
    made = run_cli("synth", source, "--env", "dev", "--out", out, timeout=120)
    _assert_clean(made)
    assert made.returncode == 0, made.stdout + made.stderr
    stack = json.loads((out / "stacks" / "hostile" / "cdk.tf.json").read_text())
    for text in _strings(stack) + _strings(json.loads((out / "manifest.json").read_text())):
        for found in interpolations(text):
            assert ENGINE_REFERENCE.match(found), f"unescaped interpolation {found!r} in {text!r}"
    table = stack["resource"]["aws_dynamodb_table"]["table"]
    spec = json.loads((source / "dynamodb" / "instances" / "hostile.json").read_text())
    env = json.loads((source / "dev" / "environment.json").read_text())
    # Round trip: what Terraform reads is exactly what the user wrote.
    assert terraform_literal(table["hash_key"]) == spec["spec"]["hash_key"]
    assert terraform_literal(table["range_key"]) == spec["advanced"]["aws_dynamodb"]["range_key"]
    assert sorted(terraform_literal(a["name"]) for a in table["attribute"]) == sorted(
        a["name"] for a in spec["spec"]["attributes"].values())
    tags = {terraform_literal(k): terraform_literal(v) for k, v in table["tags"].items()}
    for key, value in {**spec["metadata"]["tags"], **env["cloud_tags"]}.items():
        assert tags[key] == value
    assert tags["ref_to_provided"].startswith("arn=arn:aws:dynamodb:")  # a resolved reference stays literal too
    assert "${file(" in tags["ref_to_provided"]
    ttl = table["ttl"]["attribute_name"]
    assert terraform_literal(ttl) == spec["advanced"]["aws_dynamodb"]["ttl_attribute_name"]

