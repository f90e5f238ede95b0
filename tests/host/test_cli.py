"""The ``facets-dynamo`` console script as a pipeline uses it: exit codes, formats, and what synth writes."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from support.policy import policy_off

SHIPPED_SCHEMA = ROOT / "schemas" / "dynamodb" / "default" / "0.2.json"
DIAGNOSTIC_KEYS = {"file", "line", "column", "path", "severity", "code", "message"}

Run = Callable[..., subprocess.CompletedProcess[str]]


def no_traceback(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def bad(minimal: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(minimal)
    doc["spec"]["hash_key"] = "Missing"  # DDB101 (and LockID unused: DDB102)
    return doc


# -- validate --------------------------------------------------------------------------------------

def test_validate_valid_file_exit_0(run_cli: Run, write_json: Callable[..., Path], minimal: dict[str, Any]) -> None:
    path = write_json(minimal)
    result = no_traceback(run_cli("validate", path))
    assert result.returncode == 0 and "0 error(s), 3 warning(s)" in result.stderr  # the policy pack's warnings
    policy_off(path.parent)
    result = no_traceback(run_cli("validate", path))
    assert result.returncode == 0
    assert "ok: 1 resource(s) valid" in result.stdout


def test_validate_invalid_text_format_exit_1(run_cli: Run, write_json: Callable[..., Path],
                                             bad: dict[str, Any]) -> None:
    path = write_json(bad)
    result = no_traceback(run_cli("validate", path))
    assert result.returncode == 1
    line = next(ln for ln in result.stdout.splitlines() if "DDB101" in ln)
    hash_line = next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if '"hash_key"' in ln)
    assert line.startswith(f"{path}:{hash_line}:")
    assert "error DDB101 at /spec/hash_key:" in line
    assert "2 error(s)" in result.stderr


def test_validate_json_format_is_a_list_of_diagnostic_objects(run_cli: Run, write_json: Callable[..., Path],
                                                              bad: dict[str, Any], minimal: dict[str, Any]) -> None:
    path = write_json(bad)
    policy_off(path.parent)  # the exact list: no best-practice warnings (tests/ci has those)
    result = no_traceback(run_cli("validate", path, "--format", "json"))
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert isinstance(found, list) and len(found) == 2
    for d in found:
        assert set(d) == DIAGNOSTIC_KEYS
        assert d["file"] == str(path) and d["severity"] == "error"
        assert isinstance(d["line"], int) and d["line"] > 1 and isinstance(d["column"], int) and d["column"] > 0
    assert {(d["code"], d["path"]) for d in found} == {("DDB101", "/spec/hash_key"),
                                                       ("DDB102", "/spec/attributes/key1")}
    ok = no_traceback(run_cli("validate", write_json(minimal, "ok.json"), "--format", "json"))
    assert ok.returncode == 0 and json.loads(ok.stdout) == []


def test_validate_github_format_annotations(run_cli: Run, write_json: Callable[..., Path],
                                            bad: dict[str, Any]) -> None:
    path = write_json(bad)
    result = no_traceback(run_cli("validate", path, "--format", "github"))
    assert result.returncode == 1
    lines = [ln for ln in result.stdout.splitlines() if ln and not ln.startswith("::warning")]  # policy pack
    assert len(lines) == 2
    pattern = re.compile(r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+),col=(?P<col>\d+),title=(?P<code>\w+)::.+")
    matches = [pattern.match(ln) for ln in lines]
    assert all(matches), lines
    assert {m["code"] for m in matches} == {"DDB101", "DDB102"}
    assert {m["file"] for m in matches} == {str(path)}


def test_warnings_alone_do_not_fail_validation(run_cli: Run, write_json: Callable[..., Path],
                                              minimal: dict[str, Any]) -> None:
    minimal["owner"] = "team-a"  # unknown top-level field: ignored, with a warning
    path = write_json(minimal)
    text = no_traceback(run_cli("validate", path))
    assert text.returncode == 0 and "warning DDB190 at /owner" in text.stdout
    github = no_traceback(run_cli("validate", path, "--format", "github"))
    assert github.returncode == 0 and github.stdout.startswith(f"::warning file={path},line=")


def test_env_changes_the_table_name_and_so_ddb105(run_cli: Run, write_json: Callable[..., Path],
                                                  minimal: dict[str, Any]) -> None:
    path = write_json(minimal)
    assert run_cli("validate", path, "--env", "dev").returncode == 0
    long_env = "e" * 250  # "locks-" + 250 characters = 256
    result = no_traceback(run_cli("validate", path, "--env", long_env, "--format", "json"))
    assert result.returncode == 1
    assert "DDB105" in {d["code"] for d in json.loads(result.stdout)}


@pytest.mark.parametrize("env", ["x" * 300, "../prod", ""])
def test_env_that_cannot_be_a_folder_is_a_diagnostic_not_a_crash(run_cli: Run, example_bp: Path, env: str) -> None:
    # "--env" is joined to blueprint paths: 300 characters used to crash with "File name too long", and
    # "../prod" read overrides from outside the blueprint. It is a usage error (exit 2), with its diagnostic.
    result = no_traceback(run_cli("validate", example_bp, "--env", env, "--format", "json"))
    assert result.returncode == 2
    found = json.loads(result.stdout)
    env_problem = [d for d in found if d["code"] == "FD403"]
    assert len(env_problem) == 1 and env_problem[0]["file"] == "--env"
    assert not any(d["code"] == "FD321" for d in found)  # no override folder was looked at


def test_file_name_too_long_is_unreadable_exit_2(run_cli: Run, tmp_path: Path) -> None:
    result = no_traceback(run_cli("validate", tmp_path / ("y" * 300 + ".json"), "--format", "json"))
    assert result.returncode == 2
    assert [d["code"] for d in json.loads(result.stdout)] == ["FD101"]


def test_unreadable_input_exit_2(run_cli: Run, tmp_path: Path, write_json: Callable[..., Path],
                                 bad: dict[str, Any]) -> None:
    missing = no_traceback(run_cli("validate", tmp_path / "nope.json"))
    assert missing.returncode == 2 and "FD101" in missing.stdout
    # an unreadable file wins over another file's validation errors
    both = no_traceback(run_cli("validate", write_json(bad), tmp_path / "nope.json"))
    assert both.returncode == 2


@pytest.mark.parametrize("args", [
    ["validate"],                                   # no PATH
    ["validate", "x.json", "--format", "xml"],      # bad choice
    ["validate", "x.json", "--bogus"],              # unknown option
    ["frobnicate"],                                 # unknown command
    ["schema", "dynamodb"],                         # missing arguments
])
def test_usage_errors_exit_2(run_cli: Run, args: list[str], tmp_path: Path) -> None:
    result = no_traceback(run_cli(*args, cwd=tmp_path))
    assert result.returncode == 2
    assert "Usage" in result.stderr or "Error" in result.stderr


# -- synth -----------------------------------------------------------------------------------------

def test_synth_writes_manifest_and_stacks(run_cli: Run, tmp_path: Path, write_json: Callable[..., Path],
                                          minimal: dict[str, Any]) -> None:
    out = tmp_path / "out"
    result = no_traceback(run_cli("synth", write_json(minimal), "--env", "qa", "--out", out))
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [".facets-dynamo-output.json", "manifest.json", "stacks/locks/cdk.tf.json"]
    assert json.loads((out / ".facets-dynamo-output.json").read_text()) == {
        "written_by": "facets-dynamo", "files": ["manifest.json", "stacks/locks/cdk.tf.json"]}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stacks"]["locks"]["synthesizedStackPath"] == "stacks/locks/cdk.tf.json"
    stack = json.loads((out / "stacks" / "locks" / "cdk.tf.json").read_text())
    assert stack["resource"]["aws_dynamodb_table"]["table"]["name"] == "locks-qa"  # --env names the table


def test_synth_with_any_error_writes_nothing_and_keeps_existing_out(run_cli: Run, tmp_path: Path,
                                                                     write_json: Callable[..., Path],
                                                                     minimal: dict[str, Any],
                                                                     bad: dict[str, Any]) -> None:
    out = tmp_path / "out"
    (out / "stacks" / "old").mkdir(parents=True)
    (out / "manifest.json").write_text('{"previous": true}\n')
    (out / "stacks" / "old" / "cdk.tf.json").write_text("{}\n")
    good = write_json(minimal, "good.json")
    broken = write_json(bad, "broken.json")
    before = snapshot(out)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    result = no_traceback(run_cli("synth", good, broken, "--out", out))
    assert result.returncode == 1
    assert "nothing written" in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no temp dirs left behind

    fresh = tmp_path / "fresh"
    assert no_traceback(run_cli("synth", broken, "--out", fresh)).returncode == 1
    assert not fresh.exists()


def test_synth_replaces_out_wholesale(run_cli: Run, tmp_path: Path, write_json: Callable[..., Path],
                                      minimal: dict[str, Any]) -> None:
    out = tmp_path / "out"
    locks = write_json(minimal, "locks.json")
    other = copy.deepcopy(minimal)
    other["metadata"]["name"] = "stale"
    stale = write_json(other, "stale.json")
    assert run_cli("synth", locks, stale, "--out", out).returncode == 0
    assert (out / "stacks" / "stale" / "cdk.tf.json").is_file()
    result = no_traceback(run_cli("synth", locks, "--out", out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".facets-dynamo-output.json", "manifest.json", "stacks/locks/cdk.tf.json"]
    assert sorted(json.loads((out / "manifest.json").read_text())["stacks"]) == ["locks"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locks.json", "out", "stale.json"]


def test_synth_never_replaces_a_folder_that_is_not_an_earlier_output(run_cli: Run, tmp_path: Path,
                                                                      example_bp: Path) -> None:
    # "--out <the blueprint>" used to swap the user's specs for the output: every spec was deleted.
    import shutil

    bp = tmp_path / "bp"
    shutil.copytree(example_bp, bp)
    before = snapshot(bp)
    result = no_traceback(run_cli("synth", bp, "--env", "dev", "--out", bp))
    assert result.returncode == 2 and "refusing to replace" in result.stderr
    assert snapshot(bp) == before
    # the same guard, in-process: a folder of one's own files is kept, an empty one is used
    from facets_dynamo.synthesis import write_tree

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n")
    with pytest.raises(OSError, match="refusing to replace"):
        write_tree({"manifest.json": b"{}\n"}, mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    write_tree({"manifest.json": b"{}\n"}, empty)
    assert (empty / "manifest.json").read_bytes() == b"{}\n"


def test_synth_out_is_a_file_is_an_error_not_a_traceback(run_cli: Run, tmp_path: Path,
                                                         write_json: Callable[..., Path],
                                                         minimal: dict[str, Any]) -> None:
    target = tmp_path / "taken"
    target.write_text("mine\n")
    result = no_traceback(run_cli("synth", write_json(minimal), "--out", target))
    assert result.returncode == 2 and "'--out'" in result.stderr and "not a folder" in result.stderr
    assert target.read_text() == "mine\n"


# -- plugins and schema ----------------------------------------------------------------------------

def test_plugins_lists_bundled_plugin_and_flavor(run_cli: Run) -> None:
    result = no_traceback(run_cli("plugins"))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("dynamodb_default"))
    assert "entry point from facets-dynamo" in lines[head] and "BROKEN" not in lines[head]
    assert lines[head + 1].strip() == "dynamodb/default/0.2"


def test_schema_prints_the_shipped_schema(run_cli: Run) -> None:
    result = no_traceback(run_cli("schema", "dynamodb", "default", "0.2"))
    assert result.returncode == 0
    printed = json.loads(result.stdout)
    assert printed == json.loads(SHIPPED_SCHEMA.read_text())
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_unknown_schema_exit_2_lists_available(run_cli: Run) -> None:
    result = no_traceback(run_cli("schema", "dynamodb", "default", "9.9"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "dynamodb/default/9.9" in result.stderr and "dynamodb/default/0.2" in result.stderr




# -- every option and environment variable with an odd value ---------------------------------------

NOT_UTF8 = os.fsdecode(b"\xff\xfe")
# (command line with {spec} / {out} / {file} placeholders, environment, what stderr must name)
ODD_SETTINGS: dict[str, tuple[list[str], dict[str, str], str]] = {
    "validate PATHS empty": (["validate", ""], {}, "PATHS"),
    "validate PATHS blank": (["validate", "  "], {}, "PATHS"),
    "validate PATHS not UTF-8": (["validate", f"/nonexistent/{NOT_UTF8}.json"], {}, "nonexistent"),
    "validate --env empty": (["validate", "{spec}", "--env", ""], {}, "--env"),
    "validate --env blank": (["validate", "{spec}", "--env", "   "], {}, "--env"),
    "validate --env huge": (["validate", "{spec}", "--env", "e" * 5000], {}, "--env"),
    "validate --env not UTF-8": (["validate", "{spec}", "--env", NOT_UTF8], {}, "--env"),
    "validate --env path": (["validate", "{spec}", "--env", "../prod"], {}, "--env"),
    "validate --env-file empty": (["validate", "{spec}", "--env-file", ""], {}, "--env-file"),
    "validate --env-file folder": (["validate", "{spec}", "--env-file", "{out}"], {}, "--env-file"),
    "validate --format empty": (["validate", "{spec}", "--format", ""], {}, "--format"),
    "validate --format nan": (["validate", "{spec}", "--format", "nan"], {}, "--format"),
    "synth --out empty": (["synth", "{spec}", "--out", ""], {}, "--out"),
    "synth --out blank": (["synth", "{spec}", "--out", "  "], {}, "--out"),
    "synth --out not UTF-8": (["synth", "{spec}", "--out", "{out}/" + NOT_UTF8], {}, "--out"),
    "synth --out name too long": (["synth", "{spec}", "--out", "{out}/" + "y" * 250], {}, "--out"),
    "synth --out a file": (["synth", "{spec}", "--out", "{file}"], {}, "--out"),
    "synth --env empty": (["synth", "{spec}", "--env", "", "--out", "{out}/new"], {}, "--env"),
    "synth --format empty": (["synth", "{spec}", "--format", "", "--out", "{out}/new"], {}, "--format"),
    "diff --base empty": (["diff", "{spec}", "--base", ""], {}, "--base"),
    "diff --base option": (["diff", "{spec}", "--base", "--output=/tmp/x"], {}, "--base"),
    "diff --env empty": (["diff", "{spec}", "{spec}", "--env", ""], {}, "--env"),
    "diff --env-file empty": (["diff", "{spec}", "{spec}", "--env-file", ""], {}, "--env-file"),
    "diff --format nan": (["diff", "{spec}", "{spec}", "--format", "nan"], {}, "--format"),
    "diff PATHS empty": (["diff", "", "{spec}"], {}, "PATHS"),
    "plugins --format empty": (["plugins", "--format", ""], {}, "--format"),
    "schema empty": (["schema", "", "", ""], {}, "give KIND FLAVOR VERSION"),
    "schema huge version": (["schema", "dynamodb", "default", "9" * 5000], {}, "no plugin serves"),
    "edit PATH empty": (["edit", ""], {}, "PATH"),
    "edit --env empty": (["edit", "{spec}", "--env", ""], {}, "--env"),
    "edit --port 0": (["edit", "{spec}", "--serve", "--port", "0"], {}, "--port"),
    "edit --port negative": (["edit", "{spec}", "--serve", "--port", "-1"], {}, "--port"),
    "edit --port nan": (["edit", "{spec}", "--serve", "--port", "nan"], {}, "--port"),
    "edit --port empty": (["edit", "{spec}", "--serve", "--port", ""], {}, "--port"),
    "edit --port huge": (["edit", "{spec}", "--serve", "--port", "9" * 30], {}, "--port"),
    "edit --sessions 0": (["edit", "{spec}", "--serve", "--sessions", "0"], {}, "--sessions"),
    "edit --sessions negative": (["edit", "{spec}", "--serve", "--sessions", "-3"], {}, "--sessions"),
    "edit --sessions nan": (["edit", "{spec}", "--serve", "--sessions", "nan"], {}, "--sessions"),
    "edit --sessions huge": (["edit", "{spec}", "--serve", "--sessions", "9" * 30], {}, "--sessions"),
    "edit --host empty": (["edit", "{spec}", "--serve", "--host", " "], {}, "--host"),
    "edit --token empty": (["edit", "{spec}", "--serve", "--token", ""], {}, "--token"),
    "edit --token short": (["edit", "{spec}", "--serve", "--token", "nan"], {}, "--token"),
    "new NAME empty": (["new", ""], {}, "name"),
    "new --blueprint empty": (["new", "x", "--blueprint", "", "--no-edit"], {}, "--blueprint"),
    "new --flavor empty": (["new", "x", "--flavor", "", "--no-edit"], {}, "no plugin serves"),
    "new --flavor nan": (["new", "x", "--flavor", "nan", "--no-edit"], {}, "no plugin serves"),
    "new --flavor two parts": (["new", "x", "--flavor", "dynamodb/default", "--no-edit"], {}, "no plugin serves"),
    "FACETS_DYNAMO_HOOK_TIMEOUT empty": (["validate", "{spec}"], {"FACETS_DYNAMO_HOOK_TIMEOUT": ""},
                                         "FACETS_DYNAMO_HOOK_TIMEOUT"),
    "FACETS_DYNAMO_HOOK_TIMEOUT nan": (["synth", "{spec}", "--out", "{out}/new"], {"FACETS_DYNAMO_HOOK_TIMEOUT": "nan"},
                                       "FACETS_DYNAMO_HOOK_TIMEOUT"),
    "FACETS_DYNAMO_HOOK_TIMEOUT negative": (["validate", "{spec}"], {"FACETS_DYNAMO_HOOK_TIMEOUT": "-1"},
                                            "FACETS_DYNAMO_HOOK_TIMEOUT"),
    "FACETS_DYNAMO_HOOK_TIMEOUT huge": (["validate", "{spec}"], {"FACETS_DYNAMO_HOOK_TIMEOUT": "1e400"},
                                        "FACETS_DYNAMO_HOOK_TIMEOUT"),
    "FACETS_DYNAMO_ENGINE empty": (["synth", "{spec}", "--out", "{out}/new"], {"FACETS_DYNAMO_ENGINE": ""},
                                   "FACETS_DYNAMO_ENGINE"),
    "FACETS_DYNAMO_ENGINE unknown": (["validate", "{spec}"], {"FACETS_DYNAMO_ENGINE": "bogus"}, "FACETS_DYNAMO_ENGINE"),
    "FACETS_DYNAMO_ENGINE nan": (["synth", "{spec}", "--out", "{out}/new"], {"FACETS_DYNAMO_ENGINE": "nan"},
                                 "FACETS_DYNAMO_ENGINE"),
    "FACETS_DYNAMO_BLOCK_PLUGINS unknown": (["validate", "{spec}"], {"FACETS_DYNAMO_BLOCK_PLUGINS": "dynamodb_defualt"},
                                            "FACETS_DYNAMO_BLOCK_PLUGINS"),
    "FACETS_DYNAMO_BLOCK_PLUGINS commas": (["validate", "{spec}"], {"FACETS_DYNAMO_BLOCK_PLUGINS": ",,"},
                                           "FACETS_DYNAMO_BLOCK_PLUGINS"),
    "FACETS_DYNAMO_DEBUG nan": (["validate", "{spec}"], {"FACETS_DYNAMO_DEBUG": "nan"}, "FACETS_DYNAMO_DEBUG"),
    "FACETS_DYNAMO_DEBUG negative": (["validate", "{spec}"], {"FACETS_DYNAMO_DEBUG": "-1"}, "FACETS_DYNAMO_DEBUG"),
    "FACETS_DYNAMO_SERVE_TOKEN empty": (["edit", "{spec}", "--serve"], {"FACETS_DYNAMO_SERVE_TOKEN": ""},
                                        "FACETS_DYNAMO_SERVE_TOKEN"),
    "FACETS_DYNAMO_SERVE_TOKEN short": (["edit", "{spec}", "--serve"], {"FACETS_DYNAMO_SERVE_TOKEN": "-1"},
                                        "FACETS_DYNAMO_SERVE_TOKEN"),
}


@pytest.mark.parametrize("case", list(ODD_SETTINGS))
def test_every_option_and_variable_with_an_odd_value_is_a_usage_error_naming_it(run_cli: Run, example_bp: Path,
                                                                               tmp_path: Path, case: str) -> None:
    args, env, named = ODD_SETTINGS[case]
    out = tmp_path / "out"
    out.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("mine\n")
    spec = example_bp / "dynamodb" / "instances" / "locks.json"
    argv = [a.format(spec=spec, out=out, file=a_file) for a in args]
    result = no_traceback(run_cli(*argv, cwd=tmp_path, env=env, timeout=60))
    assert result.returncode == 2, result.stdout + result.stderr
    assert named.lower() in result.stderr.lower() + result.stdout.lower(), result.stderr
    assert "internal error" not in result.stdout + result.stderr
    # nothing was written: not in the output folder, not beside it, not in the current folder
    assert sorted(p.name for p in out.iterdir()) == [] and a_file.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "out"]


def test_debug_variable_takes_0_as_off_and_1_as_on(run_cli: Run, example_bp: Path, tmp_path: Path) -> None:
    spec = example_bp / "dynamodb" / "instances" / "locks.json"
    for value in ("0", "false", "", "1", "yes"):
        assert run_cli("validate", spec, env={"FACETS_DYNAMO_DEBUG": value}).returncode == 0


def test_a_relative_xdg_cache_home_is_ignored_as_the_spec_says(run_cli: Run, example_bp: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = no_traceback(run_cli("synth", example_bp / "dynamodb" / "instances" / "locks.json", "--out", out,
                                  cwd=tmp_path, env={"XDG_CACHE_HOME": "relative/cache"}))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "relative").exists() and (out / "manifest.json").is_file()
