"""Pilot tests of the spec editor: every action a user has, driven through the real app.

Synthesis goes through the shared default engine (one Node per test run); the debounce is 0 so
waiting for workers is enough to see the preview (no timing-dependent assertions).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from support.editor import settle
from support.policy import policy_off
from textual.widgets import Button, Input, Switch

from facets_dynamo.semantics import Effect
from facets_dynamo.tui.app import EditorApp
from facets_dynamo.tui.screens import ChoiceScreen, HelpScreen, PromptScreen
from facets_dynamo.tui.widgets.form import ItemScreen

SIZE = (160, 45)
KEPT = {"locks.json", ".facets-dynamo.toml"}  # what spec_file's folder holds




@pytest.fixture
def spec_file(tmp_path: Path, minimal: dict[str, Any]) -> Path:
    """A resource written with 4-space indent (the editor must keep it). The policy pack is off beside it: these
    tests count the problems of what they edit (tests/editor/test_tui_configuration.py shows the pack's warnings)."""
    policy_off(tmp_path)
    path = tmp_path / "locks.json"
    path.write_text(json.dumps(minimal, indent=4) + "\n", encoding="utf-8")
    return path




def editor_app(path: Path, env: str = "default") -> EditorApp:
    return EditorApp(path, env, debounce=0)


async def test_opens_json_editor_with_highlighting_and_first_preview(spec_file: Path) -> None:
    # Guards the tree-sitter 0.26 segfault: TextArea(language="json") must open and render.
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.editor.language == "json"
        assert app.editor.show_line_numbers
        assert app.editor.text == spec_file.read_text()
        assert app.preview_state == "fresh"
        stack = json.loads(app.preview.text)
        table = stack["resource"]["aws_dynamodb_table"]
        assert next(iter(table.values()))["hash_key"] == "LockID"
        assert app.problems.diagnostics == []
        assert app.timings.first_preview is not None


async def test_edit_makes_spec_invalid_then_valid_again(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        good_preview = app.preview.text
        # 1. broken JSON: typed at the very start of the buffer
        app.editor.focus()
        app.editor.move_cursor((0, 0))
        await pilot.press("x")
        await settle(pilot)
        assert app.editor.text.startswith("x{")
        assert app.form.stale
        assert app.preview_state == "stale"
        assert app.preview.text == good_preview  # last good preview kept
        assert any(d.code == "FD110" and d.line == 1 for d in app.problems.diagnostics)
        await pilot.press("backspace")
        await settle(pilot)
        assert not app.form.stale and app.preview_state == "fresh"
        # 2. valid JSON, invalid spec: hash key names no declared attribute
        app.editor.text = app.editor.text.replace('"hash_key": "LockID"', '"hash_key": "Nope"')
        await settle(pilot)
        errors = [d for d in app.problems.diagnostics if d.is_error]
        assert errors and all(d.line > 0 for d in errors)
        assert app.preview_state == "stale"
        assert "stale" in app.preview.status
        # 3. fixed again: preview fresh and synthesized from the new text
        app.editor.text = app.editor.text.replace('"hash_key": "Nope"', '"hash_key": "LockID"')
        await settle(pilot)
        assert app.problems.diagnostics == []
        assert app.preview_state == "fresh"


async def test_form_edits_rewrite_raw_json_keeping_indent(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert app.query_one("#editor-tabs").active == "form-tab"
        app.form.query_one("#aws_dynamodb-point_in_time_recovery_enabled", Switch).value = True
        await settle(pilot)
        app.form.query_one("#aws_dynamodb-billing_mode").value = "PROVISIONED"
        await settle(pilot)
        app.form.query_one("#aws_dynamodb-read_capacity", Input).value = "5"
        app.form.query_one("#aws_dynamodb-write_capacity", Input).value = "7"
        await settle(pilot)
        app.form.query_one("#metadata-name", Input).value = "locker"
        app.form.query_one("#metadata-tags", Input).value = "team=core, owner=ana"
        app.form.query_one("#disabled", Switch).value = True
        await settle(pilot)
        data = json.loads(app.editor.text)
        adv = data["advanced"]["aws_dynamodb"]
        assert adv == {"point_in_time_recovery_enabled": True, "billing_mode": "PROVISIONED",
                       "read_capacity": 5, "write_capacity": 7}
        assert data["metadata"] == {"name": "locker", "tags": {"team": "core", "owner": "ana"}}
        assert data["disabled"] is True
        assert '\n    "kind"' in app.editor.text  # 4-space indent kept
        assert app.editor.text.endswith("}\n")
        assert app.session.buffer.dirty
        # the preview follows: disabled means no stack
        assert "disabled" in app.preview.status


async def test_raw_edits_refresh_the_form(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # the form is filled while it is shown (typing in the JSON does not pay for it)
        await settle(pilot)
        data = json.loads(app.editor.text)
        data["spec"]["attributes"]["sk"] = {"name": "When", "type": "N"}
        data["advanced"] = {"aws_dynamodb": {"range_key": "When", "ttl_enabled": True,
                                             "ttl_attribute_name": "Expires", "stream_enabled": True,
                                             "stream_view_type": "NEW_IMAGE"}}
        app.editor.text = json.dumps(data, indent=4) + "\n"
        await settle(pilot)
        form = app.form
        assert form.query_one("#spec-hash_key", Input).value == "LockID"
        assert form.query_one("#aws_dynamodb-range_key", Input).value == "When"
        assert form.query_one("#aws_dynamodb-ttl_enabled", Switch).value is True
        assert form.query_one("#aws_dynamodb-ttl_attribute_name", Input).value == "Expires"
        assert form.query_one("#aws_dynamodb-stream_view_type").value == "NEW_IMAGE"
        rows = form.query_one("#spec-attributes")
        assert rows.row_count == 2
        assert [str(c) for c in rows.get_row("sk")] == ["sk", "When", "N", "range"]
        # the editor text was not rewritten by loading the form
        assert app.editor.text == json.dumps(data, indent=4) + "\n"


async def test_form_never_overwrites_unparseable_text(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # the form is filled while it is shown (typing in the JSON does not pay for it)
        await settle(pilot)
        broken = spec_file.read_text().replace('"S"', '"S",,')
        app.editor.text = broken
        await settle(pilot)
        assert app.form.stale
        assert app.form.query_one("#spec-hash_key", Input).disabled
        assert "out of date" in str(app.form.query_one("#form-banner").content)
        # even a form edit that slips through is refused
        app.form.stale = False
        app.form.query_one("#spec-hash_key", Input).value = "Other"
        await settle(pilot)
        assert app.editor.text == broken


async def test_attribute_add_rename_retype_remove(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        app.form.action_add_item()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ItemScreen)
        screen.query_one("#item-id", Input).value = "sk"
        screen.query_one("#item-0", Input).value = "SortKey"
        screen.query_one("#item-1").value = "N"
        await pilot.click("#ok")
        await settle(pilot)
        attrs = json.loads(app.editor.text)["spec"]["attributes"]
        assert attrs["sk"] == {"name": "SortKey", "type": "N"}
        # rename the hash key attribute: hash_key follows the new name
        table = app.form.query_one("#spec-attributes")
        table.move_cursor(row=0)
        app.form.edit_item("spec-attributes")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#item-0", Input).value = "LockKey"
        await pilot.click("#ok")
        await settle(pilot)
        data = json.loads(app.editor.text)
        assert data["spec"]["attributes"]["key1"]["name"] == "LockKey"
        assert data["spec"]["hash_key"] == "LockKey"
        assert list(data["spec"]["attributes"]) == ["key1", "sk"]  # order kept
        # retype the second row through its edit dialog
        table.move_cursor(row=1)
        await pilot.pause()
        app.form.edit_item("spec-attributes")
        await pilot.pause()
        app.screen.query_one("#item-1").value = "B"
        await pilot.click("#ok")
        await settle(pilot)
        assert json.loads(app.editor.text)["spec"]["attributes"]["sk"]["type"] == "B"
        # remove it again
        table.move_cursor(row=1)
        await pilot.pause()
        await pilot.click("#spec-attributes-remove")
        await settle(pilot)
        assert list(json.loads(app.editor.text)["spec"]["attributes"]) == ["key1"]
        assert app.problems.diagnostics == []


async def test_selecting_a_problem_moves_the_cursor(spec_file: Path) -> None:
    text = spec_file.read_text().replace('"type": "S"', '"type": "string"')
    spec_file.write_text(text)
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        problem = next(d for d in app.problems.diagnostics if d.is_error)
        assert problem.line > 1
        app.editor.move_cursor((0, 0))
        app.problems.focus()
        app.problems.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert app.editor.cursor_location == (problem.line - 1, problem.column - 1)
        assert app.focused is app.editor
        assert text.splitlines()[problem.line - 1].lstrip().startswith('"type"')


async def test_blueprint_sidebar_and_environment_switch(blueprint: Path) -> None:
    app = editor_app(blueprint, "dev")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sidebar = app.query_one("#sidebar")
        assert [p.stem for p in sidebar.paths] == ["audit", "feature_flags", "locks", "orders", "sessions"]
        orders = blueprint / "dynamodb" / "instances" / "orders.json"
        sidebar.query_one("#resource-list").focus()
        sidebar.query_one("#resource-list").highlighted = 3
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.current == orders
        table = next(iter(json.loads(app.preview.text)["resource"]["aws_dynamodb_table"].values()))
        assert table["name"] == "orders-dev"
        assert table["point_in_time_recovery"]["enabled"] is False  # dev override
        await pilot.press("f4")  # dev -> prod
        await settle(pilot)
        assert app.session.env == "prod"
        table = next(iter(json.loads(app.preview.text)["resource"]["aws_dynamodb_table"].values()))
        assert table["name"] == "orders-prod"
        assert table["point_in_time_recovery"]["enabled"] is True
        # unsaved text of one resource is validated in blueprint context: sessions refers to locks
        locks = blueprint / "dynamodb" / "instances" / "locks.json"
        app.open_file(locks)
        await settle(pilot)
        data = json.loads(app.editor.text)
        data["disabled"] = True
        app.editor.text = json.dumps(data, indent=2) + "\n"
        await settle(pilot)
        assert any(d.code == "FD311" and "sessions" in d.file for d in app.problems.diagnostics)


async def test_diff_marks_table_replacement(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        assert app.query_one("#output-tabs").active == "diff-tab"
        assert "no changes" in app.diff.summary
        app.editor.text = app.editor.text.replace('"name": "LockID"', '"name": "LockID2"').replace(
            '"hash_key": "LockID"', '"hash_key": "LockID2"')
        await settle(pilot)
        assert app.diff_view is not None and app.diff_view.effect is Effect.REPLACES
        assert "REPLACES locks-default" in app.diff.summary  # the name its flavor describes
        assert "loses data" in app.diff.body
        assert re.search(r'^\+\s*"hash_key": "LockID2"', app.diff.body, re.MULTILINE), app.diff.body
        # an in-place change is not flagged
        app.editor.text = spec_file.read_text().replace('"metadata": {}', '"metadata": {"tags": {"a": "b"}}')
        await settle(pilot)
        assert app.diff_view is not None and app.diff_view.changed and not app.diff_view.loses_data
        assert "in place" in app.diff.summary


async def test_save_is_atomic_and_keeps_style(spec_file: Path) -> None:
    original = spec_file.read_text()
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f2")  # the form is filled while it is shown (typing in the JSON does not pay for it)
        await settle(pilot)
        app.form.query_one("#spec-hash_key", Input).value = "LockID"  # no-op: not dirty
        await settle(pilot)
        assert not app.session.buffer.dirty
        app.form.query_one("#aws_dynamodb-server_side_encryption_enabled", Switch).value = True
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = spec_file.read_text()
        assert saved == app.editor.text and saved != original
        assert json.loads(saved)["advanced"]["aws_dynamodb"]["server_side_encryption_enabled"] is True
        assert saved.endswith("}\n") and '\n    "spec"' in saved
        assert sorted(p.name for p in spec_file.parent.iterdir()) == sorted(KEPT)  # no temp file left
        assert not app.session.buffer.dirty
        assert "modified" not in app.sub_title


async def test_save_conflict_offers_reload_save_as_overwrite(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"metadata": {}', '"metadata": {"name": "mine"}')
        await settle(pilot)
        theirs = spec_file.read_text().replace('"metadata": {}', '"metadata": {"name": "theirs"}')
        spec_file.write_text(theirs)  # another program writes the file (same size/mtime would still differ)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        assert {b.id for b in app.screen.query(Button)} == {"reload", "save-as", "overwrite", "cancel"}
        await pilot.click("#cancel")
        await pilot.pause()
        assert spec_file.read_text() == theirs  # nothing written
        # save as: a new file, the edits go there, theirs untouched
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#save-as")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        copy = spec_file.with_name("mine.json")
        app.screen.query_one("#prompt-input", Input).value = str(copy)
        await pilot.click("#ok")
        await settle(pilot)
        assert json.loads(copy.read_text())["metadata"] == {"name": "mine"}
        assert spec_file.read_text() == theirs
        assert app.session.buffer.path == copy and not app.session.buffer.dirty


async def test_save_conflict_overwrite_and_reload(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        mine = app.editor.text.replace('"metadata": {}', '"metadata": {"name": "mine"}')
        app.editor.text = mine
        await settle(pilot)
        spec_file.write_text(spec_file.read_text() + " ")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#overwrite")
        await settle(pilot)
        assert spec_file.read_text() == mine
        # reload: drop edits and take the disk version
        app.editor.text = mine.replace("mine", "draft")
        await settle(pilot)
        theirs = mine.replace("mine", "theirs")
        spec_file.write_text(theirs)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#reload")
        await settle(pilot)
        assert app.editor.text == theirs and not app.session.buffer.dirty
        assert spec_file.read_text() == theirs


async def test_unparseable_buffer_saves_only_after_confirmation(spec_file: Path) -> None:
    original = spec_file.read_text()
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        broken = original.replace("{", "{{", 1)
        app.editor.text = broken
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert spec_file.read_text() == original
        assert app.editor.text == broken  # still there, never dropped
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#save-invalid")
        await settle(pilot)
        assert spec_file.read_text() == broken


async def test_quit_with_unsaved_changes_asks(spec_file: Path) -> None:
    original = spec_file.read_text()
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = original.replace('"metadata": {}', '"metadata": {"name": "x"}')
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.click("#cancel")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ChoiceScreen)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#discard")
        await pilot.pause()
    assert not app.is_running
    assert spec_file.read_text() == original


async def test_quit_save_and_quit_writes(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        edited = app.editor.text.replace('"metadata": {}', '"metadata": {"name": "x"}')
        app.editor.text = edited
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#save")
        await pilot.pause()
    assert spec_file.read_text() == edited


async def test_quit_without_changes_exits_at_once(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert not app.is_running


async def test_new_resource_from_sample_in_blueprint(blueprint: Path) -> None:
    app = editor_app(blueprint)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("#prompt-input", Input).value = "locks"  # exists: refused
        await pilot.click("#ok")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert "exists" in str(app.screen.query_one("#prompt-error").content)
        app.screen.query_one("#prompt-input", Input).value = "carts"
        app.screen.query_one("#prompt-input", Input).focus()
        await pilot.press("enter")  # (a second click on OK within 0.2 s is ignored by Button)
        await settle(pilot)
        created = blueprint / "dynamodb" / "instances" / "carts.json"
        assert json.loads(created.read_text())["spec"]["hash_key"] == "LockID"
        assert app.session.current == created
        assert created in app.query_one("#sidebar").paths
        assert app.preview_state == "fresh"


async def test_help_theme_and_command_palette_entries(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for wanted in ("Save", "Save as…", "New resource", "Reload from disk", "Switch form / JSON",
                       "Switch preview / diff", "Show diff", "Next environment", "Focus problems", "Add item",
                       "Toggle light / dark", "Help"):
            assert wanted in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_reload_discards_only_after_asking(spec_file: Path) -> None:
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace("LockID", "Other")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.click("#reload")
        await settle(pilot)
        assert app.editor.text == spec_file.read_text()


def test_cli_new_writes_sample_and_refuses_overwrite(run_cli: Any, tmp_path: Path) -> None:
    several = run_cli("new", "carts", cwd=tmp_path)  # the example sqs plugin is installed too
    assert several.returncode == 2 and "dynamodb/default/0.2, sqs/default/0.1" in several.stderr
    assert not (tmp_path / "carts.json").exists()
    done = run_cli("new", "carts", "--flavor", "dynamodb/default/0.2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "carts.json").read_text())["kind"] == "dynamodb"
    again = run_cli("new", "carts", "--flavor", "dynamodb/default/0.2", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr
    bp = run_cli("new", "x", "--blueprint", tmp_path / "bp", "--flavor", "sqs/default/0.1", cwd=tmp_path)
    assert bp.returncode == 0 and json.loads((tmp_path / "bp" / "sqs" / "instances" / "x.json").read_text())["kind"] \
        == "sqs"
    unknown = run_cli("new", "y", "--flavor", "queue/x/1", cwd=tmp_path)
    assert unknown.returncode == 2 and "no plugin serves 'queue/x/1'" in unknown.stderr
    bad = run_cli("new", "no good", "--flavor", "dynamodb/default/0.2", cwd=tmp_path)
    assert bad.returncode == 2 and "invalid resource name" in bad.stderr
    missing = run_cli("edit", tmp_path / "missing.json")
    assert missing.returncode == 2 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_validate_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, facets_dynamo.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ})
    assert out.stdout.strip() == "False"


async def test_save_as_by_keyboard_only(spec_file: Path) -> None:
    """F9, type a path, Enter: the prompt has the focus, so nothing needs a mouse."""
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"metadata": {}', '"metadata": {"name": "typed"}')
        await settle(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u")  # clear the suggested name (Input: delete to the start)
        copy = spec_file.with_name("typed.json")
        await pilot.press(*str(copy))
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, PromptScreen)
        assert json.loads(copy.read_text())["metadata"] == {"name": "typed"}
        assert app.session.buffer.path == copy


async def test_choosing_a_resource_in_the_sidebar_moves_to_its_editor(blueprint: Path) -> None:
    app = editor_app(blueprint, "dev")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await pilot.pause()
        listing = app.query_one("#resource-list")
        assert app.focused is listing
        names = [p.stem for p in app.query_one("Sidebar").paths]  # type: ignore[attr-defined]
        for _ in range(names.index("locks") - (listing.highlighted or 0)):  # type: ignore[attr-defined]
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.current.name == "locks.json"
        assert app.focused is app.editor
        await pilot.press("x")  # typing now edits the resource, not the list
        assert "x" in app.editor.text


async def test_unparseable_buffer_does_not_blame_the_resources_that_reference_it(blueprint: Path) -> None:
    """sessions references locks; while locks.json does not parse, its saved text stands in for it."""
    app = editor_app(blueprint / "dynamodb" / "instances" / "locks.json", "dev")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.move_cursor((0, 0))
        await pilot.press("x")
        await settle(pilot)
        found = app.problems.diagnostics
        assert [d.code for d in found] == ["FD110"]
        assert found[0].file.endswith("locks.json")
        assert app.preview_state == "stale"


async def test_first_problems_are_drawn_with_full_columns(spec_file: Path) -> None:
    """The problems table starts empty; its first rows must not keep the empty table's column widths."""
    import html

    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.problems.diagnostics == []
        app.editor.move_cursor((0, 0))
        await pilot.press("x")
        await settle(pilot)
        screen = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "locks.json:1:1" in screen
        assert "Expecting value, found 'x'" in screen


PARENT = r"""
import asyncio, os, sys
async def main():
    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver", "COLUMNS": "120", "ROWS": "40"}
    pipe = asyncio.subprocess.PIPE
    proc = await asyncio.create_subprocess_shell(sys.argv[1], stdin=pipe, stdout=pipe, stderr=pipe, env=env)
    print(proc.pid, flush=True)
    await asyncio.sleep(600)
asyncio.run(main())
"""


def test_served_app_ends_when_its_server_is_killed(spec_file: Path) -> None:
    """textual-serve starts the app through a shell, as `edit --serve` builds the command; SIGKILL the server
    and the app must not stay behind (one orphan spun at 85% CPU before the parent watch existed)."""
    import shlex
    import signal
    import subprocess
    import sys
    import time

    command = "exec " + shlex.join([sys.executable, "-m", "facets_dynamo.tui", str(spec_file)])
    server = subprocess.Popen([sys.executable, "-c", PARENT, command], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        app_pid = int(server.stdout.readline())
        time.sleep(2)  # the app is up (its parent watch polls once a second)
        os.kill(app_pid, 0)  # running
        server.kill()
        server.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(app_pid, 0)
            except ProcessLookupError:
                break
            try:
                with open(f"/proc/{app_pid}/stat") as stat:  # not yet reaped by init: a zombie counts as gone
                    if stat.read().split(") ", 1)[1].startswith("Z"):
                        break
            except FileNotFoundError:
                break
            time.sleep(0.2)
        else:
            os.kill(app_pid, signal.SIGKILL)
            raise AssertionError("the served app outlived its server")
    finally:
        server.kill()


async def test_editor_opens_when_the_engine_cannot_start(spec_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine warm-up at launch must not take the editor down (it once ended in 'internal error')."""
    import facets_dynamo.engine as engine_module

    def broken() -> Any:
        raise engine_module.EngineError("FACETS_DYNAMO_ENGINE='bogus': choose one of cdktn, cdktf")

    monkeypatch.setattr(engine_module, "default_engine", broken)
    app = editor_app(spec_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.editor.text == spec_file.read_text()
        assert app.problems.diagnostics == []


# -- the document model (tui/document.py) without the app ------------------------------------------

def _buffer_with_edit(path: Path, text: str) -> Any:
    from facets_dynamo.tui.document import Buffer

    buf = Buffer.open(path)
    buf.text = text
    return buf


def test_a_second_save_after_a_save_is_not_a_conflict(spec_file: Path) -> None:
    # The stamp must be taken again after writing: a stale one makes the next Ctrl+S say "changed on disk".
    buf = _buffer_with_edit(spec_file, '{"a": 1}\n')
    buf.save()
    assert not buf.changed_on_disk() and not buf.dirty and buf.saved_text == '{"a": 1}\n'
    buf.text = '{"a": 2}\n'
    assert buf.dirty
    buf.save()  # no SaveConflict
    assert spec_file.read_text() == '{"a": 2}\n' and not buf.changed_on_disk()


def test_save_refuses_when_the_file_changed_on_disk_unless_forced(spec_file: Path) -> None:
    from facets_dynamo.tui.document import SaveConflict

    buf = _buffer_with_edit(spec_file, '{"mine": true}\n')
    spec_file.write_text('{"theirs": true}\n')  # same size class, different content
    assert buf.changed_on_disk()
    with pytest.raises(SaveConflict, match="changed on disk"):
        buf.save()
    assert spec_file.read_text() == '{"theirs": true}\n' and buf.dirty
    buf.save(force=True)
    assert spec_file.read_text() == '{"mine": true}\n' and not buf.changed_on_disk()


def test_same_size_same_second_rewrite_is_still_a_conflict(spec_file: Path) -> None:
    buf = _buffer_with_edit(spec_file, "x")
    before = spec_file.stat()
    data = spec_file.read_bytes()
    spec_file.write_bytes(data.replace(b"LockID", b"LockIX"))  # same size
    os.utime(spec_file, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime: only the hash differs
    assert buf.changed_on_disk()


def test_a_deleted_file_is_changed_on_disk_and_save_recreates_it_when_forced(spec_file: Path) -> None:
    from facets_dynamo.tui.document import SaveConflict

    buf = _buffer_with_edit(spec_file, "{}\n")
    spec_file.unlink()
    with pytest.raises(SaveConflict):
        buf.save()
    buf.save(force=True)
    assert spec_file.read_text() == "{}\n"


def test_save_keeps_the_files_mode_bits(spec_file: Path) -> None:
    spec_file.chmod(0o600)
    buf = _buffer_with_edit(spec_file, '{"secret": 1}\n')
    buf.save()
    assert spec_file.stat().st_mode & 0o7777 == 0o600
    spec_file.chmod(0o640)
    buf = _buffer_with_edit(spec_file, '{"secret": 2}\n')
    buf.save()
    assert spec_file.stat().st_mode & 0o7777 == 0o640


def test_a_new_file_gets_the_umask_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    from facets_dynamo.files import write_atomically as atomic_write

    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "sub" / "deeper" / "new.json", "{}\n")  # missing folders are created too
        os.umask(0o027)
        atomic_write(tmp_path / "other.json", "{}\n")
    finally:
        os.umask(old)
    assert (tmp_path / "sub" / "deeper" / "new.json").stat().st_mode & 0o7777 == 0o644
    assert (tmp_path / "other.json").stat().st_mode & 0o7777 == 0o640


def test_a_symlinked_spec_is_saved_through_the_link(tmp_path: Path, spec_file: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    target = real / "locks.json"
    spec_file.rename(target)
    link = tmp_path / "link.json"
    link.symlink_to(Path("real") / "locks.json")
    buf = _buffer_with_edit(link, '{"through": "link"}\n')
    buf.save()
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "locks.json")
    assert target.read_text() == '{"through": "link"}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == [".facets-dynamo.toml", "link.json", "real"]
    assert sorted(p.name for p in real.iterdir()) == ["locks.json"]  # the temp file was beside the target
    assert not buf.changed_on_disk()


@pytest.mark.parametrize("fail_in", ["write", "fsync", "replace"])
def test_a_failed_save_leaves_the_original_intact_and_no_temp_file(spec_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   fail_in: str) -> None:
    import facets_dynamo.files as document  # where the editor's save writes (files.write_atomically)

    original = spec_file.read_bytes()
    buf = _buffer_with_edit(spec_file, '{"half": "written"}\n' * 1000)
    temps: list[str] = []

    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    if fail_in == "write":
        real_fdopen = os.fdopen

        def fdopen(*args: Any, **kwargs: Any) -> Any:
            fh = real_fdopen(*args, **kwargs)
            real_write = fh.write

            def write(data: bytes) -> int:  # half of the data reaches the temp file, then the disk is full
                real_write(data[: len(data) // 2])
                # the temp file is a hidden sibling of the target (same file system: os.replace is atomic)
                temps.extend(p.name for p in spec_file.parent.iterdir() if p.name not in KEPT)
                raise OSError(28, "No space left on device")

            fh.write = write
            return fh

        monkeypatch.setattr(document.os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(document.os, fail_in, boom)
    with pytest.raises(OSError, match="No space left"):
        buf.save()
    monkeypatch.undo()
    if fail_in == "write":
        assert len(temps) == 1 and temps[0].startswith(".locks.json.") and temps[0].endswith(".tmp"), temps
    assert spec_file.read_bytes() == original
    assert sorted(p.name for p in spec_file.parent.iterdir()) == sorted(KEPT)
    assert buf.dirty and not buf.changed_on_disk()  # nothing was saved; the next save is not a conflict
    buf.save()
    assert spec_file.read_text() == buf.text


def test_save_as_refuses_an_existing_file_or_link_and_then_edits_the_new_one(tmp_path: Path, spec_file: Path) -> None:
    buf = _buffer_with_edit(spec_file, '{"b": 1}\n')
    with pytest.raises(FileExistsError, match=r"locks\.json exists; choose another name"):
        buf.save_as(spec_file)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(FileExistsError):
        buf.save_as(dangling)
    assert not (tmp_path / "nowhere.json").exists()
    new = tmp_path / "copy.json"
    buf.save_as(new)
    assert buf.path == new and new.read_text() == '{"b": 1}\n' and not buf.dirty and not buf.changed_on_disk()
    assert json.loads(spec_file.read_text())["spec"]["hash_key"] == "LockID"  # the original is untouched


def test_disk_stamp_is_mtime_size_and_hash(spec_file: Path, tmp_path: Path) -> None:
    import hashlib

    from facets_dynamo.tui.document import DiskStamp

    st = spec_file.stat()
    assert DiskStamp.of(spec_file) == DiskStamp(st.st_mtime_ns, st.st_size,
                                                hashlib.sha256(spec_file.read_bytes()).hexdigest())
    assert DiskStamp.of(tmp_path / "missing.json") is None
    assert DiskStamp.of(spec_file / "below-a-file.json") is None  # NotADirectoryError


def test_open_reload_and_undecodable_bytes(tmp_path: Path, spec_file: Path) -> None:
    from facets_dynamo.tui.document import Buffer, Style

    missing = Buffer.open(tmp_path / "missing.json")
    assert missing.text == missing.saved_text == "" and missing.stamp is None and not missing.dirty
    assert missing.style == Style("  ", True)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": "\xff"}')
    assert Buffer.open(bad).text == '{"a": "\ufffd"}'
    buf = _buffer_with_edit(spec_file, "edited")
    spec_file.write_text('{\n\t"x": 1\n}')
    buf.reload()
    assert buf.text == buf.saved_text == '{\n\t"x": 1\n}' and not buf.changed_on_disk()
    assert buf.style == Style("\t", False)


@pytest.mark.parametrize("text,indent,newline", [
    ('{\n    "a": {\n        "b": 1\n    }\n}\n', "    ", True),
    ('{\n  "a": 1\n}', "  ", False),
    ('{\n\t"a": {\n\t\t"b": 1\n\t}\n}\n', "\t", True),
    ('{\n   "a": 1,\n\t"b": 2\n}\n', "   ", True),  # the first indented line decides tabs or spaces
    ('{"a": 1}', "  ", False),
    ('{"a": 1}\n', "  ", True),
    ("", "  ", True),
    ('{\n \t"a": 1\n}\n', "  ", True),  # mixed space and tab: no pure-space indent to measure, the default
])
def test_detect_style_and_dump_json_round_trip(text: str, indent: str, newline: bool) -> None:
    from facets_dynamo.tui.document import Style, detect_style, dump_json

    style = detect_style(text)
    assert style == Style(indent, newline)
    data = {"a": {"b": ["é", 1]}}
    dumped = dump_json(data, style)
    assert json.loads(dumped) == data and dumped.endswith("\n") == newline and "é" in dumped
    assert dumped.splitlines()[1].startswith(indent + '"a"')
    assert Style("    ").json_indent == 4 and Style("\t").json_indent == "\t"
