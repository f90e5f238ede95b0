"""The editor checks a blueprint with the configuration found upward from it, as `facets-dynamo validate` does:
severities per code and environment, suppressions, and a bad configuration's positioned FD501 in the problems."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

from support.editor import settle

from facets_dynamo.diagnostics import Diagnostic
from facets_dynamo.tui.app import EditorApp
from facets_dynamo.tui.session import Session

FUTURE = (dt.date.today() + dt.timedelta(days=365)).isoformat()


def codes(diagnostics: Iterable[Diagnostic]) -> set[tuple[str, str, str]]:
    return {(d.code, Path(d.file).name, str(d.severity)) for d in diagnostics}


def without_pitr(blueprint: Path) -> tuple[Path, str]:
    """locks.json with point-in-time recovery off, and the file it was read from."""
    locks = blueprint / "dynamodb/instances/locks.json"
    data = json.loads(locks.read_text(encoding="utf-8"))
    data["advanced"]["aws_dynamodb"]["point_in_time_recovery_enabled"] = False
    return locks, json.dumps(data, indent=2) + "\n"


def test_the_session_applies_severities_per_environment_even_to_unsaved_text(blueprint: Path) -> None:
    locks, text = without_pitr(blueprint)
    session = Session(blueprint, "prod")  # the example's .facets-dynamo.toml: PITR an error in prod, off in dev
    base = session.check()
    assert not base.diagnostics  # the example is clean
    session.open(locks).text = text  # typed, not saved
    checked = session.check_open(base)
    assert ("DDB301", "locks.json", "error") in codes(checked.diagnostics)
    assert checked.errors_in({str(locks.resolve())})  # an error like any other: the preview is stale
    assert ("DDB301", "locks.json", "error") in codes(session.check().diagnostics)  # a whole check agrees
    assert "DDB301" not in {d.code for d in session.check(env="dev").diagnostics}  # off in dev


def test_suppressions_and_unused_ones_in_the_session(blueprint: Path) -> None:
    locks, text = without_pitr(blueprint)
    locks.write_text(text, encoding="utf-8")
    (blueprint / ".facets-dynamo.toml").write_text(
        f'[[suppress]]\ncode = "DDB301"\nresources = ["dynamodb.locks"]\nreason = "rebuilt from the event log"\n'
        f'expires = {FUTURE}\n\n[[suppress]]\ncode = "DDB303"\nresources = ["dynamodb.typo"]\nreason = "x"\n'
        f'expires = {FUTURE}\n', encoding="utf-8")
    session = Session(blueprint, "prod")
    found = codes(session.check().diagnostics)
    assert ("DDB301", "locks.json", "warning") not in found  # suppressed
    assert ("FD503", ".facets-dynamo.toml", "warning") in found  # matched nothing in the whole blueprint
    # a partial check (the open resource and what it references) cannot tell a suppression is unused
    partial = session.check(files=[locks])
    assert "FD503" not in {d.code for d in partial.diagnostics} and "DDB301" not in {
        d.code for d in partial.diagnostics}


async def test_a_bad_configuration_is_a_positioned_problem_in_the_editor(blueprint: Path) -> None:
    config = blueprint / ".facets-dynamo.toml"
    config.write_text('[severity]\nDDB301 = "warning"\n  DDB303 = "fatal"\n', encoding="utf-8")
    app = EditorApp(blueprint, "prod", debounce=0)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        [bad] = [d for d in app.problems.diagnostics if d.code == "FD501"]
        assert (Path(bad.file), bad.line, bad.column, bad.path, str(bad.severity)) == (
            config, 3, 3, "/severity/DDB303", "error")


async def test_without_a_configuration_the_editor_shows_the_policy_pack_as_warnings(tmp_path: Path,
                                                                                   minimal: dict) -> None:
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(minimal, indent=2) + "\n", encoding="utf-8")
    app = EditorApp(path, debounce=0)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        assert codes(app.problems.diagnostics) == {("DDB301", "locks.json", "warning"),
                                                   ("DDB302", "locks.json", "warning"),
                                                   ("DDB303", "locks.json", "warning")}
