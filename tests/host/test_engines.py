"""The two CDK engines give the same output; the engine is chosen, isolated and never needed to validate."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_synth_core import normalise, read_tree

from facets_dynamo import engine as engine_module
from facets_dynamo.engine import ENGINE_ENV, EngineError, available_engines, choose_engine

SOURCES = [ROOT / "facets_dynamo", ROOT / "plugins", ROOT / "schemas"]
HEAVY = {"cdktf", "cdktn", "jsii", "constructs", "textual", "rich"}


def test_both_engines_installed() -> None:
    assert available_engines() == ["cdktn", "cdktf"], "CI installs both engines (extra 'cdktn' and core dep)"


def test_cdktf_and_cdktn_give_identical_output(run_cli, example_bp: Path, tmp_path: Path) -> None:
    trees = {}
    for name in ("cdktf", "cdktn"):
        out = tmp_path / name
        result = run_cli("synth", example_bp, "--env", "dev", "--out", out, env={ENGINE_ENV: name})
        assert result.returncode == 0, result.stderr
        assert f"({name} " in result.stdout  # the forced engine really ran
        trees[name] = read_tree(out)
    cdktf, cdktn = trees["cdktf"], trees["cdktn"]
    assert sorted(cdktf) == sorted(cdktn) and "stacks/sessions/cdk.tf.json" in cdktf
    versions = {json.loads(t["manifest.json"])["version"] for t in trees.values()}
    assert len(versions) == 2, "the two runs should carry their own engine versions"
    for rel in cdktf:
        assert normalise(rel, json.loads(cdktf[rel])) == normalise(rel, json.loads(cdktn[rel])), rel


def test_forcing_an_unknown_engine_is_a_clear_error(run_cli, example_bp: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_ENV, "bogus")
    with pytest.raises(EngineError, match=r"FACETS_DYNAMO_ENGINE='bogus': choose one of cdktn, cdktf"):
        choose_engine()

    out = tmp_path / "out"
    result = run_cli("synth", example_bp, "--env", "dev", "--out", out, env={ENGINE_ENV: "bogus"})
    assert result.returncode == 2  # a usage error, found before any work starts
    assert "FACETS_DYNAMO_ENGINE='bogus'" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists()
    # validation does not need an engine, but an odd setting is refused the same way for every command
    assert run_cli("validate", example_bp, "--env", "dev", env={ENGINE_ENV: "bogus"}).returncode == 2


def test_forcing_an_engine_that_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine_module.importlib.util.find_spec
    monkeypatch.setattr(engine_module.importlib.util, "find_spec",
                        lambda name, *a: None if name == "cdktn" else real(name, *a))
    monkeypatch.setenv(ENGINE_ENV, "cdktn")
    with pytest.raises(EngineError, match=r"'cdktn' package is not installed \(pip install cdktn\)"):
        choose_engine()
    monkeypatch.delenv(ENGINE_ENV)
    assert choose_engine() == "cdktf"  # falls back to the other one when not forced


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value).split(".")[0])
    return found


def test_engine_module_is_the_only_importer_of_cdktf_and_cdktn() -> None:
    importers = {}
    engine_py = ROOT / "facets_dynamo" / "engine.py"
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if path == engine_py:
                continue
            engines = _imported_modules(path) & {"cdktf", "cdktn", "jsii"}
            if engines:
                importers[path.relative_to(ROOT).as_posix()] = engines
            else:
                text = path.read_text(encoding="utf-8")
                assert "import cdktf" not in text and "import cdktn" not in text, path
    assert importers == {}, f"only facets_dynamo/engine.py may import the engine: {importers}"
    assert "importlib.import_module(self.name)" in (ROOT / "facets_dynamo" / "engine.py").read_text()


# -- validation never starts Node --------------------------------------------------------------------

def test_validate_runs_without_node(run_cli, example_bp: Path, tmp_path: Path) -> None:
    env = {"JSII_NODE": "/nonexistent/node", "PATH": str(tmp_path / "empty-bin")}
    result = run_cli("validate", example_bp, "--env", "dev", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 resource(s) valid" in result.stdout
    bad = run_cli("validate", example_bp / "dynamodb" / "instances" / "locks.json", "--format", "json",
                  "--env", "x" * 300, env=env)
    assert bad.returncode == 2 and "DDB105" in bad.stdout  # exit 2: that --env is a usage error (FD403)


PROBE = """
import json, sys
import facets_dynamo.validation, facets_dynamo.cli
from facets_dynamo.cli import main
try:
    main(["validate", sys.argv[1], "--env", "dev", "--format", "json"])
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print(json.dumps({"code": code, "heavy": heavy}))
"""


def test_validation_imports_no_engine_or_ui_library(example_bp: Path) -> None:
    env = {**os.environ, "JSII_NODE": "/nonexistent/node"}
    result = subprocess.run([sys.executable, "-c", PROBE % (HEAVY,), str(example_bp)], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}


def test_synth_of_an_invalid_spec_never_starts_node(run_cli, tmp_path: Path) -> None:
    """A JSII_NODE wrapper leaves a marker when Node starts: none for an invalid spec, one for a valid one."""
    from facets_dynamo.engine import node_binary

    marker = tmp_path / "node-started"
    wrapper = tmp_path / "node"
    wrapper.write_text(f'#!/bin/sh\necho started >> "{marker}"\nexec "{node_binary()}" "$@"\n')
    wrapper.chmod(0o755)
    good = {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
            "spec": {"attributes": {"k": {"name": "Id", "type": "S"}}, "hash_key": "Id"}}
    bad = {**good, "spec": {**good["spec"], "hash_key": "Nope"}}
    for name, doc in (("bad", bad), ("good", good)):
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    env = {"JSII_NODE": str(wrapper)}
    result = run_cli("synth", tmp_path / "bad.json", "--out", tmp_path / "out-bad", env=env)
    assert result.returncode == 1 and "DDB101" in result.stdout
    assert not marker.exists()
    result = run_cli("synth", tmp_path / "good.json", "--out", tmp_path / "out-good", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert marker.exists()
