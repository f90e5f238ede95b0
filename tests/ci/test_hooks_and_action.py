"""pre-commit hooks (through `pre-commit try-repo`, and their commands directly) and the GitHub Action's script,
each on a blueprint in a temporary git repository; no network beyond what pip is configured to use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
import yaml
from conftest import EXAMPLE, ROOT

Run = Callable[..., CompletedProcess[str]]
LOCKS = "bp/dynamodb/instances/locks.json"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE, tmp_path / "bp")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "v1")
    return tmp_path


def edit(repo: Path, old: str, new: str, path: str = LOCKS) -> None:
    file = repo / path
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    git(repo, "add", "-A")


# -- pre-commit ------------------------------------------------------------------------------------

def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert set(hooks) == {"facets-dynamo-validate", "facets-dynamo-destructive"}
    assert hooks["facets-dynamo-validate"]["entry"] == "facets-dynamo hook validate"
    assert hooks["facets-dynamo-destructive"]["pass_filenames"] is False  # it asks git, deletions included


def test_hook_validate_checks_each_environment_of_a_touched_blueprint(run_cli: Run, repo: Path) -> None:
    ok = run_cli("hook", "validate", LOCKS, "bp/prod/environment.json", "README.md", cwd=repo)
    assert ok.returncode == 0 and "ok: 1 blueprint(s)" in ok.stderr
    edit(repo, '"hash_key": "LockID"', '"hash_key": "Nope"')
    bad = run_cli("hook", "validate", "bp/prod/dynamodb/instances/sessions.json", cwd=repo)  # an override
    assert bad.returncode == 1
    assert [line for line in bad.stdout.splitlines() if line.startswith("==")] == [
        "== bp (environment 'default')", "== bp (environment 'dev')", "== bp (environment 'prod')"]
    assert bad.stdout.count("DDB101") == 3


def test_hook_destructive_sees_staged_deletions(run_cli: Run, repo: Path) -> None:
    assert run_cli("hook", "destructive", cwd=repo).returncode == 0  # nothing staged
    git(repo, "rm", "-q", LOCKS)
    gone = run_cli("hook", "destructive", cwd=repo)
    assert gone.returncode == 3 and "dynamodb.locks" in gone.stdout and "DESTROYS" in gone.stdout
    assert run_cli("hook", "destructive", "--allow-replace", cwd=repo).returncode == 0


@pytest.mark.slow
def test_pre_commit_try_repo(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`pre-commit try-repo <this clone>`: pre-commit builds the hook's Python environment from the clone
    (language: python) with pip as configured on the machine; nothing else is fetched."""
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT)]
    edit(repo, '"hash_key": "LockID"', '"hash_key": "Nope"')
    validate = subprocess.run([*pre_commit, "facets-dynamo-validate"], cwd=repo, env=env, capture_output=True,
                              text=True, timeout=600)
    if "An unexpected error has occurred" in validate.stdout + validate.stderr:
        log = (home / "pre-commit.log").read_text(errors="replace") if (home / "pre-commit.log").exists() else ""
        offline = ("No matching distribution", "Could not find a version", "Failed to establish a new connection",
                   "Temporary failure in name resolution")
        # Only a package index out of reach is the machine's fault; a build error of ours (a package missing
        # from pyproject's list, say) fails the test.
        assert any(marker in log for marker in offline), log[-3000:]
        pytest.skip(f"pre-commit could not fetch the hook's dependencies here: {validate.stdout[-500:]}")
    assert validate.returncode == 1 and "DDB101" in validate.stdout, validate.stdout
    git(repo, "reset", "-q", "--hard")
    edit(repo, '"LockID"', '"Lock"')  # a new hash key: replaces the table
    destructive = subprocess.run([*pre_commit, "facets-dynamo-destructive"], cwd=repo, env=env,
                                 capture_output=True, text=True, timeout=600)
    assert destructive.returncode == 1 and "REPLACES locks-prod" in destructive.stdout, destructive.stdout
    git(repo, "reset", "-q", "--hard")
    edit(repo, '"distributed-locks"', '"locks"')  # a tag: in place
    fine = subprocess.run([*pre_commit, "facets-dynamo-destructive"], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600)
    assert fine.returncode == 0, fine.stdout


# -- the GitHub Action -----------------------------------------------------------------------------

def test_action_yml_is_a_valid_composite_action_running_the_script() -> None:
    result = subprocess.run([str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema",
                             "vendor.github-actions", str(ROOT / "action.yml")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    runs = " ".join(s.get("run", "") for s in action["runs"]["steps"])
    assert '"$GITHUB_ACTION_PATH/scripts/action/run.py"' in runs and (ROOT / "scripts/action/run.py").is_file()
    used = {s.get("uses", "").split("@")[0] for s in action["runs"]["steps"]}
    assert {"github/codeql-action/upload-sarif", "actions/upload-artifact"} <= used


def action(repo: Path, **inputs: str) -> tuple[CompletedProcess[str], str, dict[str, str]]:
    summary, outputs = repo.parent / f"{repo.name}-summary.md", repo.parent / f"{repo.name}-outputs.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs),
           **{f"INPUT_{k.upper()}": v for k, v in inputs.items()}}
    result = subprocess.run([sys.executable, str(ROOT / "scripts/action/run.py")], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=300)
    pairs = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines() if "=" in line)
    return result, summary.read_text(encoding="utf-8"), pairs


def test_action_fails_on_a_replacement_unless_allowed(repo: Path) -> None:
    edit(repo, '"LockID"', '"Lock"')
    result, summary, outputs = action(repo, blueprint="bp", environment="prod", base="HEAD")
    assert result.returncode == 3, result.stderr
    assert outputs == {"sarif-file": "facets-dynamo.sarif", "out": "cdktf.out", "destructive": "true",
                       "valid": "true"}
    assert "| `dynamodb.locks` (locks-prod) | changed | **replaces**" in summary
    assert "```mermaid\nflowchart LR" in summary and "dynamodb.sessions" in summary
    assert json.loads((repo / "facets-dynamo.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert (repo / "cdktf.out/stacks/locks/cdk.tf.json").is_file()  # kept as the artifact
    allowed, summary, _ = action(repo, blueprint="bp", environment="prod", base="HEAD", allow_replace="true")
    assert allowed.returncode == 0 and "allowed by `allow-replace`" in summary


def test_action_annotates_and_stops_on_an_invalid_blueprint(repo: Path) -> None:
    edit(repo, '"hash_key": "LockID"', '"hash_key": "Nope"')
    result, summary, outputs = action(repo, blueprint="bp", environment="dev", base="HEAD")
    assert result.returncode == 1
    assert f"::error file={LOCKS},line=" in result.stdout and "title=DDB101" in result.stdout
    assert "### Validation: FAILED (2 finding(s))" in summary and "| error | DDB101 |" in summary
    assert outputs["valid"] == "false" and not (repo / "cdktf.out").exists()
    sarif = json.loads((repo / "facets-dynamo.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"DDB101", "DDB102"}
