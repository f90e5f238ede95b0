"""The configuration file: severities per code and environment (off included), suppressions, --fail-on, and
positioned diagnostics for a bad configuration; the policy pack on by default; through the console script."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess
from typing import Any

import pytest
from conftest import EXAMPLE

Run = Callable[..., CompletedProcess[str]]
FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The example blueprint without its own configuration, and with ``locks`` and ``flags`` as they were before
    the example modelled good practice: no point-in-time recovery, deletion protection or customer key in any
    environment, so each has DDB301, DDB302 and DDB303 findings to configure."""
    shutil.copytree(EXAMPLE, tmp_path / "infra/blueprint", ignore=shutil.ignore_patterns(".facets-dynamo.toml"))
    for name in ("locks", "feature_flags"):
        path = tmp_path / f"infra/blueprint/dynamodb/instances/{name}.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        del document["advanced"]
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return tmp_path


def found(run_cli: Run, project: Path, *args: str, env: str = "prod") -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("validate", "infra/blueprint", "--env", env, "--format", "json", *args, cwd=project)
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout)


def codes(items: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    return {(d["code"], Path(d["file"]).name): d["severity"] for d in items}


def test_without_configuration_the_policy_pack_warns(run_cli: Run, project: Path) -> None:
    status, items = found(run_cli, project)
    assert status == 0 and items  # on by default, and only warnings: validate still passes
    assert {d["severity"] for d in items} == {"warning"} and {d["code"][:4] for d in items} == {"DDB3"}
    assert {("DDB301", "locks.json"), ("DDB302", "locks.json"), ("DDB303", "locks.json")} <= set(codes(items))
    assert found(run_cli, project, "--fail-on", "warning")[0] == 1


def test_the_example_blueprint_is_clean_and_says_why(run_cli: Run) -> None:
    """The bundled example models the practices the policy pack checks; its .facets-dynamo.toml records the
    exceptions it makes on purpose (and makes PITR and deletion protection errors in prod)."""
    for env in ("dev", "prod"):
        result = run_cli("validate", str(EXAMPLE), "--env", env, "--format", "json", "--fail-on", "warning")
        assert (result.returncode, json.loads(result.stdout)) == (0, []), (env, result.stdout)


def test_severity_per_environment_and_off(run_cli: Run, project: Path) -> None:
    (project / ".facets-dynamo.toml").write_text(
        '[severity]\nDDB303 = "info"\nDDB304 = "off"\n'
        '[environments.prod.severity]\nDDB301 = "error"\n', encoding="utf-8")
    exit_prod, prod = found(run_cli, project)
    exit_dev, dev = found(run_cli, project, env="dev")
    assert codes(prod)[("DDB301", "locks.json")] == "error" and exit_prod == 1  # PITR an error in prod
    assert codes(dev)[("DDB301", "locks.json")] == "warning" and exit_dev == 0  # a warning elsewhere
    assert codes(prod)[("DDB303", "locks.json")] == "info"
    assert not any(d["code"] == "DDB304" for d in prod + dev)
    assert {"DDB301", "DDB302", "DDB303"} <= {d["code"] for d in prod}


def test_an_environment_turns_back_on_what_a_global_pattern_turns_off(run_cli: Run, project: Path) -> None:
    """The environment's table wins over the global one, also against a pattern: the pack is off everywhere
    but PITR is an error in prod."""
    (project / ".facets-dynamo.toml").write_text(
        '[severity]\n"DDB3*" = "off"\n[environments.prod.severity]\nDDB301 = "error"\n', encoding="utf-8")
    exit_prod, prod = found(run_cli, project)
    exit_dev, dev = found(run_cli, project, env="dev")
    assert {d["code"] for d in prod} == {"DDB301"} and exit_prod == 1
    assert codes(prod)[("DDB301", "locks.json")] == "error"
    assert dev == [] and exit_dev == 0


def test_found_upward_from_the_blueprint_in_pyproject(run_cli: Run, project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.facets-dynamo.severity]\n'
                                            'DDB302 = "off"\nDDB303 = "off"\n', encoding="utf-8")
    _, items = found(run_cli, project)
    assert {d["code"] for d in items} == {"DDB301"}
    # the nearer .facets-dynamo.toml wins
    (project / "infra/.facets-dynamo.toml").write_text('severity = {DDB301 = "off", DDB302 = "off"}\n',
                                                       encoding="utf-8")
    _, items = found(run_cli, project)
    assert {d["code"] for d in items} == {"DDB303"}


def test_suppressions_hide_report_expired_and_unused(run_cli: Run, project: Path) -> None:
    (project / ".facets-dynamo.toml").write_text(f"""severity = {{DDB302 = "off", DDB303 = "off"}}

[[suppress]]
code = "DDB301"
resources = ["dynamodb.locks"]
reason = "lock table: nothing to recover"
expires = {FUTURE}

[[suppress]]
code = "DDB301"
resources = ["dynamodb.flags"]
reason = "was fine last year"
expires = 2020-01-31

[[suppress]]
code = "DDB301"
resources = ["dynamodb.typo"]
reason = "misspelt"
expires = {FUTURE}
""", encoding="utf-8")
    status, items = found(run_cli, project)
    files = {(d["code"], Path(d["file"]).name, d["line"]) for d in items}
    assert ("DDB301", "locks.json") not in {(c, f) for c, f, _ in files}  # suppressed
    assert ("DDB301", "feature_flags.json") in {(c, f) for c, f, _ in files}  # its suppression expired
    assert ("FD502", ".facets-dynamo.toml", 9) in files  # the expired one, at its [[suppress]] line
    assert ("FD503", ".facets-dynamo.toml", 15) in files  # the unused one
    assert status == 0  # all warnings
    assert found(run_cli, project, "--fail-on", "warning")[0] == 1


def test_fail_on_from_the_configuration(run_cli: Run, project: Path) -> None:
    (project / ".facets-dynamo.toml").write_text('fail-on = "warning"\n', encoding="utf-8")
    assert found(run_cli, project)[0] == 1
    assert found(run_cli, project, "--fail-on", "error")[0] == 0  # the option wins


@pytest.mark.parametrize(("text", "line", "column", "pointer", "says"), [
    ('fail-on = "sometimes"\n', 1, 1, "/fail-on", "fail-on must be"),
    ('\n\nenabel = ["DDB3*"]\n', 3, 1, "/enabel", "unknown key 'enabel'"),
    ('[severity]\nDDB301 = "warning"\n  DDB303 = "fatal"\n', 3, 3, "/severity/DDB303", "one of error, warning"),
    ('[environments.prod.severity]\nDDB301 = "loud"\n', 2, 1, "/environments/prod/severity/DDB301", "not 'loud'"),
    ('[[suppress]]\ncode = "DDB301"\nresources = ["dynamodb.locks"]\nexpires = 2030-01-01\n', 1, 3, "/suppress/0",
     "needs a reason"),
    ('[[suppress]]\ncode = "DDB301"\nresources = ["dynamodb.locks"]\nreason = "r"\nexpires = "2030-01-01"\n', 5, 1,
     "/suppress/0/expires", "TOML date"),
    ('[[suppress]]\ncode = "DDB301"\nreason = "r"\nexpires = 2030-01-01\n', 1, 3, "/suppress/0", "needs resources"),
    ('enable = [\n', 1, 11, "", "not valid TOML"),  # tomllib's own position
])
def test_bad_configuration_is_a_positioned_error(run_cli: Run, project: Path, text: str, line: int, column: int,
                                                 pointer: str, says: str) -> None:
    (project / ".facets-dynamo.toml").write_text(text, encoding="utf-8")
    status, items = found(run_cli, project)
    [problem] = [d for d in items if d["code"] == "FD501"]
    assert (Path(problem["file"]).name, problem["line"], problem["column"]) == (".facets-dynamo.toml", line, column)
    assert problem["path"] == (pointer or "")
    assert says in problem["message"] and status == 1


def test_positions_in_pyproject_count_the_tool_table(run_cli: Run, project: Path) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.facets-dynamo.severity]\n'
                                            'DDB301 = "nope"\n', encoding="utf-8")
    _, items = found(run_cli, project)
    [problem] = [d for d in items if d["code"] == "FD501"]
    assert (Path(problem["file"]).name, problem["line"], problem["column"]) == ("pyproject.toml", 5, 1)


def test_the_readme_example_is_a_valid_configuration(run_cli: Run, project: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    [example] = [block for block in readme.split("```toml\n")[1:] if block.startswith("[tool.facets-dynamo]")]
    (project / "pyproject.toml").write_text(example.split("```")[0], encoding="utf-8")
    status, items = found(run_cli, project)
    assert not [d for d in items if d["code"].startswith("FD5")], items
    assert codes(items)[("DDB301", "feature_flags.json")] == "error" and status == 1  # PITR an error in prod
    assert ("DDB302", "locks.json") not in codes(items)  # suppressed until 2027-06-30


def test_policy_pack_findings_point_at_the_setting(run_cli: Run, tmp_path: Path) -> None:
    base = {"kind": "dynamodb", "flavor": "default", "version": "0.2", "metadata": {},
            "spec": {"attributes": {"key1": {"name": "pk", "type": "S"}}, "hash_key": "pk"}}
    safe = {"point_in_time_recovery_enabled": True, "deletion_protection_enabled": True,
            "server_side_encryption_enabled": True,
            "server_side_encryption_kms_key_arn": "arn:aws:kms:eu-west-1:1:key/k"}
    provisioned = {**base, "advanced": {"aws_dynamodb": {**safe, "billing_mode": "PROVISIONED", "read_capacity": 5,
                                                         "write_capacity": 5}}}
    # replicas need on-demand or write autoscaling (DDB143), so they are checked on an on-demand table
    replicated = {**base, "advanced": {"aws_dynamodb": {
        **safe, "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES",
        "replica_regions": [{"region_name": "us-west-2", "point_in_time_recovery": True},
                            {"region_name": "eu-central-1"}]}}}
    (tmp_path / "t.json").write_text(json.dumps(provisioned, indent=2), encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps(replicated, indent=2), encoding="utf-8")
    result = run_cli("validate", "t.json", "r.json", "--format", "json", cwd=tmp_path)  # no configuration
    items = json.loads(result.stdout)
    assert sorted((Path(d["file"]).name, d["code"], d["path"], d["severity"]) for d in items) == [
        ("r.json", "DDB305", "/advanced/aws_dynamodb/replica_regions/1", "warning"),
        ("t.json", "DDB304", "/advanced/aws_dynamodb/billing_mode", "warning")]
    assert result.returncode == 0
