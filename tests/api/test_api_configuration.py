"""The project configuration applies to the Python API as to the CLI: found upward from the blueprint
(``.facets-dynamo.toml`` / ``[tool.facets-dynamo]``), or given as a path, or turned off with ``config=False``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLE

import facets_dynamo as fd

FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()


@pytest.fixture
def bp(tmp_path: Path) -> Path:
    """The example blueprint (with its own .facets-dynamo.toml: PITR an error in prod), where prod turns
    point-in-time recovery off for locks."""
    root = tmp_path / "infra" / "blueprint"
    shutil.copytree(EXAMPLE, root)
    (root / "prod/dynamodb/instances/locks.json").write_text(
        json.dumps({"advanced": {"aws_dynamodb": {"point_in_time_recovery_enabled": False}}}), encoding="utf-8")
    return root


def pitr(found: fd.Diagnostics) -> list[tuple[str, str, str]]:
    return [(d.code, Path(d.file).parent.parent.parent.name, str(d.severity)) for d in found if d.code == "DDB301"]


def test_validate_applies_the_configuration_found_upward(bp: Path) -> None:
    found = fd.validate(bp, env="prod")
    assert pitr(found) == [("DDB301", "prod", "error")] and not found.ok  # the example makes PITR an error in prod
    assert fd.validate(bp, env="dev").ok and not pitr(fd.validate(bp, env="dev"))  # and turns it off in dev
    # the same from a loaded workspace, and from one file of the blueprint
    assert pitr(fd.validate(fd.load(bp, env="prod"))) == [("DDB301", "prod", "error")]
    assert pitr(fd.validate(bp / "dynamodb/instances/locks.json", env="prod")) == [("DDB301", "prod", "error")]
    # config=False: the plugins' defaults (a warning, and DDB302 back on)
    raw = fd.validate(bp, env="prod", config=False)
    assert pitr(raw) == [("DDB301", "prod", "warning")] and raw.ok
    assert any(d.code == "DDB302" for d in raw)


def test_validate_takes_a_configuration_file_with_suppressions(bp: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere.toml"
    chosen.write_text(f'severity = {{DDB302 = "off"}}\n\n[[suppress]]\ncode = "DDB301"\n'
                      f'resources = ["dynamodb.locks"]\nreason = "rebuilt from the event log"\nexpires = {FUTURE}\n\n'
                      f'[[suppress]]\ncode = "DDB303"\nresources = ["dynamodb.nope"]\nreason = "typo"\n'
                      f'expires = {FUTURE}\n', encoding="utf-8")
    found = fd.validate(bp, env="prod", config=chosen)
    assert not pitr(found)  # suppressed
    [unused] = [d for d in found if d.code == "FD503"]
    assert (Path(unused.file), unused.line, unused.path) == (chosen, 9, "/suppress/1")


def test_a_bad_configuration_is_a_positioned_problem_of_validate(bp: Path) -> None:
    (bp / ".facets-dynamo.toml").write_text('[severity]\nDDB301 = "warning"\n  DDB303 = "fatal"\n', encoding="utf-8")
    found = fd.validate(bp, env="prod")
    [bad] = [d for d in found if d.code == "FD501"]
    assert (Path(bad.file).name, bad.line, bad.column, bad.path) == (".facets-dynamo.toml", 3, 3,
                                                                     "/severity/DDB303")
    assert not found.ok


def test_synthesize_refuses_what_the_configuration_makes_an_error(bp: Path, tmp_path: Path) -> None:
    with pytest.raises(fd.SynthError) as caught:
        fd.synthesize(bp, env="prod", out=tmp_path / "out")  # stops before the engine: no Node started
    assert pitr(caught.value.diagnostics) == [("DDB301", "prod", "error")]
    assert not (tmp_path / "out").exists()


def test_in_memory_resources_get_the_policy_pack_as_warnings(minimal: dict[str, Any]) -> None:
    found = fd.validate(fd.resource_from_dict(minimal, name="locks"))
    assert found.ok and {d.code for d in found} == {"DDB301", "DDB302", "DDB303"}
    assert {str(d.severity) for d in found} == {"warning"}
