"""Snapshots of the editor's main screens (pytest-textual-snapshot; update with --snapshot-update).

Every snapshot waits for the preview worker before the picture is taken, and nothing time-dependent
(durations, clocks, temp paths) is on screen.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.editor import settle as settle_workers
from support.policy import policy_off

from facets_dynamo.tui.app import EditorApp

SIZE = (140, 40)


async def settle(pilot: Any) -> None:
    for widget in pilot.app.query("TextArea, Input"):
        widget.cursor_blink = False  # a blinking cursor makes the picture depend on the clock
    await settle_workers(pilot)


@pytest.fixture
def spec_file(tmp_path: Path, minimal: dict[str, Any]) -> Path:
    """A minimal table, with a configuration beside it that turns the policy pack off: these pictures are of
    the editor's screens, and the minimal table's three best-practice warnings would crowd every one of them
    (tests/editor/test_tui_configuration.py checks the editor shows them by default)."""
    policy_off(tmp_path)
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(minimal, indent=2) + "\n", encoding="utf-8")
    return path




def test_snapshot_json_editor_and_preview(snap_compare: Any, spec_file: Path) -> None:
    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=settle)


def test_snapshot_form(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)


def test_snapshot_blueprint_sidebar_prod(snap_compare: Any, blueprint: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.open_file(blueprint / "dynamodb" / "instances" / "orders.json")
        await settle(pilot)

    assert snap_compare(EditorApp(blueprint, "prod", debounce=0), terminal_size=SIZE, run_before=run_before)


def test_snapshot_invalid_spec_problems_and_stale_preview(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app = pilot.app
        app.editor.text = app.editor.text.replace('"type": "S"', '"type": "X"').replace(
            '"hash_key": "LockID"', '"hash_key": "Missing"')
        await settle(pilot)
        app.editor.move_cursor((0, 0))
        await pilot.pause()

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)


def test_snapshot_diff_marks_replacement(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app = pilot.app
        app.editor.text = app.editor.text.replace("LockID", "LockKey")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)


def test_snapshot_help(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)


# -- issue 14: find, form lists, 80x24, light theme ---------------------------------------------------------
def test_snapshot_find_in_editor(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        pilot.app.editor.move_cursor((0, 0))
        await pilot.press("ctrl+f")
        await pilot.pause()
        pilot.app.screen.query_one("#prompt-input").value = "LockID"
        await pilot.press("enter")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)


def test_snapshot_form_lists_with_reorder_and_problem(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        app = pilot.app
        data = json.loads(app.editor.text)
        data["spec"]["attributes"]["sk"] = {"name": "When", "type": "N"}
        data["advanced"] = {"aws_dynamodb": {"range_key": "Nope", "global_secondary_indexes": [
            {"name": "by-when", "hash_key": "When", "projection_type": "KEYS_ONLY"}]}}
        app.editor.text = json.dumps(data, indent=2) + "\n"
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)


def test_snapshot_80x24_blueprint(snap_compare: Any, blueprint: Path) -> None:
    assert snap_compare(EditorApp(blueprint, debounce=0), terminal_size=(80, 24), run_before=settle)


def test_snapshot_light_theme(snap_compare: Any, spec_file: Path) -> None:
    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)

    assert snap_compare(EditorApp(spec_file, debounce=0), terminal_size=SIZE, run_before=run_before)
