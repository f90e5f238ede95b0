"""Pilot tests of issue 14: the eight bugs, and find / go to line, focus keys, small terminals, file watching,
the first screen, and the incremental check (the same problems as a whole-blueprint check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.editor import settle
from textual.widgets import Input, TextArea

from facets_dynamo.tui.app import EditorApp
from facets_dynamo.tui.screens import ChoiceScreen, PromptScreen
from facets_dynamo.tui.widgets.form import ItemScreen

SIZE = (160, 45)






def instance(root: Path, name: str) -> Path:
    return root / "dynamodb" / "instances" / f"{name}.json"


def editor_app(path: Path, env: str | None = "dev") -> EditorApp:
    return EditorApp(path, env, debounce=0)


async def show_form(pilot: Any) -> None:
    """Wait for the editor to settle, then show the form (F2) and let it fill."""
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


# -- the eight bugs --------------------------------------------------------------------------------------
async def test_bug1_error_elsewhere_does_not_block_a_valid_resource(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"hash_key": "LockID"', '"hash_key": "Nope"')
        await settle(pilot)
        assert app.preview_state == "stale" and "locks has" in app.preview.status
        app.open_file(instance(blueprint, "orders"))  # orders does not reference locks
        await settle(pilot)
        assert app.preview_state == "fresh", app.preview.status
        assert "orders" in app.preview.text and "LockID" not in app.preview.text
        assert any(d.file.endswith("locks.json") and d.is_error for d in app.problems.diagnostics)
        app.open_file(instance(blueprint, "sessions"))  # sessions references locks: blocked, and says why
        await settle(pilot)
        assert app.preview_state == "stale"
        assert "sessions references locks, which has error(s)" in app.preview.status


async def test_bug2_item_dialog_takes_typing_at_once(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await show_form(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ItemScreen)
        await type_text(pilot, "sk")
        assert app.screen.query_one("#item-id", Input).value == "sk"


async def test_bug3_keys_pressed_again_never_stack_dialogs(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace("distributed-locks", "locks!")
        await settle(pilot)
        for _ in range(3):
            await pilot.press("ctrl+q")
            await pilot.pause()
        assert sum(isinstance(s, ChoiceScreen) for s in app.screen_stack) == 1
        await pilot.press("escape")
        await pilot.pause()
        path = instance(blueprint, "locks")
        path.write_text(path.read_text().replace("distributed", "outside") + " ")
        for _ in range(3):
            await pilot.press("ctrl+s")
            await pilot.pause()
        assert sum(isinstance(s, ChoiceScreen) for s in app.screen_stack) == 1
        assert "changed on disk" in str(app.screen.query_one(".dialog-title").content)


async def test_bug4_watched_files_reload_or_are_flagged(blueprint: Path) -> None:
    path = instance(blueprint, "locks")
    app = editor_app(path)
    app.WATCH_INTERVAL = 0.05
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        outside = path.read_text().replace("distributed-locks", "changed-outside")
        path.write_text(outside)
        for _ in range(100):
            await pilot.pause(0.05)
            if app.editor.text == outside:
                break
        assert app.editor.text == outside  # unmodified buffer: reloaded
        assert not app.session.buffer.dirty
        assert any("changed on disk: reloaded" in n.message for n in app._notifications)
        app.editor.text = outside.replace("changed-outside", "mine")  # now modified here ...
        await settle(pilot)
        path.write_text(outside.replace("changed-outside", "theirs") + "\n")  # ... and on disk
        for _ in range(100):
            await pilot.pause(0.05)
            if "changed on disk" in app.sub_title:
                break
        assert "changed on disk" in app.sub_title  # flagged at once, not at save
        assert "mine" in app.editor.text  # the edits are kept


async def test_bug5_preview_starts_at_the_top_for_another_resource(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        area = app.query_one("#preview-text", TextArea)
        area.scroll_to(0, 30, animate=False)
        await pilot.pause()
        assert area.scroll_offset.y > 0
        app.open_file(instance(blueprint, "sessions"))
        await settle(pilot)
        assert area.scroll_offset.y == 0


async def test_bug6_code_views_follow_the_light_theme(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.editor.theme == "vscode_dark"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not app.current_theme.dark
        assert app.editor.theme == "github_light"
        assert app.query_one("#preview-text", TextArea).theme == "github_light"


async def test_bug7_control_character_message_is_complete(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"hash_key": "LockID"', '"hash_key": "Lock\tID"')
        await settle(pilot)
        [found] = [d for d in app.problems.diagnostics if d.code == "FD110"]
        assert found.message.startswith("invalid control character '\\t' (U+0009) inside a string")
        assert "escaped (\\t)" in found.message


async def test_bug8_screenshot_without_download_folder_goes_to_cwd(blueprint: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_downloads_path", lambda: tmp_path / "no-such-folder")
    shots = tmp_path / "shots"
    shots.mkdir()
    monkeypatch.chdir(shots)
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.deliver_screenshot("shot.svg")
        for _ in range(50):
            await pilot.pause(0.05)
            if (shots / "shot.svg").exists():
                break
        assert (shots / "shot.svg").read_text().startswith("<svg")
        assert not (tmp_path / "no-such-folder").exists()


# -- find, go to line, the changed part of the preview ----------------------------------------------------
async def test_find_and_go_to_line_in_editor_and_preview(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.focus()
        app.editor.move_cursor((0, 0))
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await type_text(pilot, "hash_key")
        await pilot.press("enter")
        await pilot.pause()
        text = app.editor.text
        assert app.editor.selected_text == "hash_key"
        first = app.editor.selection.start
        assert first[0] == text[: text.lower().index("hash_key")].count("\n")
        await pilot.press("ctrl+g")
        await pilot.pause()
        await type_text(pilot, "3")
        await pilot.press("enter")
        await pilot.pause()
        assert app.editor.cursor_location == (2, 0)
        await pilot.press("f7")  # the preview has the focus: find and go to line work there
        preview = app.query_one("#preview-text", TextArea)
        assert app.focused is preview
        await pilot.press("ctrl+f")
        await pilot.pause()
        app.screen.query_one("#prompt-input", Input).value = "billing_mode"
        await pilot.press("enter")
        await pilot.pause()
        assert preview.selected_text.lower() == "billing_mode"


async def test_preview_marks_and_scrolls_to_what_changed(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"commerce"', '"commerce-x"')
        await settle(pilot)
        preview = app.query_one("#preview-text", TextArea)
        assert app.preview.changed_note.startswith("changed: line")
        assert "commerce-x" in preview.selected_text
        row = preview.selection.start[0]
        assert preview.scroll_offset.y <= row < preview.scroll_offset.y + preview.size.height


# -- focus and keys, small terminals ------------------------------------------------------------------
async def test_pane_keys_and_tab_leaves_the_json_editor(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.focus()
        before = app.editor.text
        await pilot.press("tab")
        assert app.focused is not app.editor and app.editor.text == before
        await pilot.press("f6")
        assert app.focused is app.editor
        await pilot.press("ctrl+right_square_bracket")  # indents instead
        assert app.editor.text != before
        await pilot.press("f7")
        assert app.focused is app.query_one("#preview-text")
        await pilot.press("f11")  # the preview's pane (its tabs) takes the screen
        assert app.screen.maximized is app.query_one("#output-tabs")
        await pilot.press("f11")
        assert app.screen.maximized is None
        await pilot.press("f5")
        assert app.focused is app.problems
        footer_keys = {key for key, b in app.active_bindings.items() if b.binding.show}
        assert {"f5", "f6", "f7", "f8", "f11"} <= footer_keys


async def test_small_terminal_collapses_sidebar_and_problems(blueprint: Path) -> None:
    app = editor_app(blueprint)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        sidebar = app.query_one("#sidebar")
        assert app.has_class("-narrow") and app.has_class("-short")
        assert not sidebar.display or sidebar.region.width == 0
        assert app.problems.region.height == 1
        assert app.editor.region.width >= 35
        await pilot.press("f8")
        await pilot.pause()
        assert sidebar.region.width > 0 and app.focused is app.query_one("#resource-list")
        await pilot.press("f6")
        await pilot.pause()
        assert sidebar.region.width == 0
        await pilot.press("f11")
        assert app.screen.maximized is app.query_one("#editor-tabs")


async def test_wide_but_short_terminal_keeps_its_sidebar(blueprint: Path) -> None:
    """A browser tab is often wide and short (128x31 at 1280x700): only the problems pane gives way."""
    app = editor_app(blueprint)
    async with app.run_test(size=(128, 31)) as pilot:
        await settle(pilot)
        assert not app.has_class("-narrow") and app.has_class("-short")
        assert app.query_one("#sidebar").region.width > 0 and app.problems.region.height == 1


# -- first screen ---------------------------------------------------------------------------------------
async def test_opens_first_synthesizing_resource_in_first_environment(blueprint: Path) -> None:
    assert json.loads(instance(blueprint, "audit").read_text())["provided"] is True
    assert json.loads(instance(blueprint, "feature_flags").read_text())["disabled"] is True
    app = EditorApp(blueprint, debounce=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session.env == "dev"  # the blueprint's first environment, not "default"
        assert app.session.current.stem == "locks"  # audit is provided, feature_flags disabled: no preview
        assert app.preview_state == "fresh" and "aws_dynamodb_table" in app.preview.text
        assert app.problems.columns["severity"].label.plain == "severity"  # type: ignore[index]


# -- the incremental check agrees with the whole-blueprint one -------------------------------------------
async def test_incremental_check_matches_a_full_check(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"hash_key": "LockID"', '"hash_key": "Nope"')
        await settle(pilot)
        app.editor.text = app.editor.text.replace('"metadata": {', '"metadata": {"name": "sessions", ')
        await settle(pilot)
        assert app.checked is not None
        incremental = sorted((d.file, d.code, d.message) for d in app.checked.diagnostics)
        full = sorted((d.file, d.code, d.message) for d in app.session.check().diagnostics)
        assert incremental == full
        assert any(code == "FD322" for _, code, _ in full)  # same name as sessions
        rows = app.query_one("#sidebar").rows
        assert "error" in rows[instance(blueprint, "locks")][1]


# -- the form: reorder, diagnostics beside fields, undo ---------------------------------------------------
async def test_form_reorders_items_and_removal_is_undoable(blueprint: Path) -> None:
    path = instance(blueprint, "locks")
    data = json.loads(path.read_text())
    data["spec"]["attributes"]["sk"] = {"name": "When", "type": "N"}
    path.write_text(json.dumps(data, indent=2) + "\n")
    app = editor_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await show_form(pilot)
        table = app.form.query_one("#spec-attributes")
        table.move_cursor(row=1)  # sk
        await pilot.pause()
        app.form.move_item("spec-attributes", -1)
        await settle(pilot)
        assert list(json.loads(app.editor.text)["spec"]["attributes"]) == ["sk", "key1"]
        assert table.cursor_row == 0  # the cursor follows the moved item
        app.form.remove_item("spec-attributes")
        await settle(pilot)
        assert list(json.loads(app.editor.text)["spec"]["attributes"]) == ["key1"]
        table.focus()
        await pilot.pause()
        await pilot.press("ctrl+z")  # in the form: undoes the removal
        await settle(pilot)
        assert list(json.loads(app.editor.text)["spec"]["attributes"]) == ["sk", "key1"]


async def test_form_field_typing_is_one_undo_step(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        original = app.editor.text
        await pilot.press("f2")
        await settle(pilot)
        field = app.form.query_one("#spec-hash_key", Input)
        field.focus()
        field.cursor_position = len(field.value)
        await type_text(pilot, "abc")
        await settle(pilot)
        assert json.loads(app.editor.text)["spec"]["hash_key"] == "LockIDabc"
        app.form.query_one("#aws_dynamodb-range_key", Input).focus()  # leaving the field ends its step
        await pilot.pause()
        app.action_undo()
        await settle(pilot)
        assert app.editor.text == original  # three keys, one step


async def test_form_shows_diagnostics_beside_their_field(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "locks"))
    async with app.run_test(size=SIZE) as pilot:
        await show_form(pilot)
        app.editor.text = app.editor.text.replace('"hash_key": "LockID"', '"hash_key": "Nope"')
        await settle(pilot)
        line = app.form.query_one("#spec-hash_key-problem")
        assert line.has_class("-visible") and "Nope" in str(line.content)
        app.editor.text = app.editor.text.replace('"hash_key": "Nope"', '"hash_key": "LockID"')
        await settle(pilot)
        assert not line.has_class("-visible")


async def test_an_edit_still_queued_when_the_app_closes_is_dropped_quietly(blueprint: Path) -> None:
    """A key typed in the same moment as quitting: its change message reaches the app after the editor's
    widgets are gone, which once raised NoMatches (a traceback on exit)."""
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.editor.insert("x")  # queues TextArea.Changed
        await app.screen.query_one("#raw").remove()
        await pilot.pause()
    assert app.return_code in (None, 0)


async def test_whole_blueprint_check_freezes_what_survives_it(blueprint: Path) -> None:
    """Full collections walk every long-lived object (140-190 ms at 1,000 resources, on the UI thread): after
    the whole check the survivors are frozen, so collections during typing walk only what typing creates."""
    import gc

    gc.unfreeze()
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.checked is not None and not app.checked.partial
        assert gc.get_freeze_count() > 0
    gc.unfreeze()


# -- what does not fit: wrapped, never cut (a browser tab, an 80-column terminal) ------------------------
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (128, 31)])
async def test_long_problem_messages_wrap_inside_the_pane(blueprint: Path, size: tuple[int, int]) -> None:
    target = instance(blueprint, "locks")
    doc = json.loads(target.read_text())
    doc["spec"]["hash_key"] = "AnAttributeNameLongEnoughToPushTheMessagePastAnyPaneWidth"
    target.write_text(json.dumps(doc, indent=2))
    app = editor_app(target)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        panel = app.problems
        assert panel.diagnostics and not panel.show_horizontal_scrollbar
        assert panel.virtual_size.width <= panel.content_region.width
        longest = max(range(len(panel.diagnostics)), key=lambda i: len(panel.diagnostics[i].message))
        assert panel.rows[str(longest)].height > 1  # wrapped, all of it there
        await pilot.resize_terminal(160, 45)
        await settle(pilot)
        assert panel.virtual_size.width <= panel.content_region.width  # re-wrapped to the new width


async def test_form_buttons_and_switch_labels_fit_a_narrow_form(blueprint: Path) -> None:
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=(100, 30)) as pilot:
        await show_form(pilot)
        form = app.form
        right = form.content_region.right
        buttons = [b for row in form.query(".collection-buttons") for b in row.children]
        assert buttons and all(b.region.right <= right for b in buttons if b.region.width)
        labels = list(form.query(".switch-label"))
        assert labels and all(label.region.right <= right for label in labels if label.region.width)
        assert any(label.region.height > 3 for label in labels if label.region.width)  # one wrapped (padding 1)
        titles = [label for label in form.query(".field-label") if label.region.width]
        assert titles and all(label.region.right <= right for label in titles)
        assert any(label.region.height > 1 for label in titles)  # "Local secondary indexes (replace the table)"


async def test_form_edits_autoscaling_per_index_with_index_name_suggestions(blueprint: Path) -> None:
    """Autoscaling per global secondary index is a keyed list in the form: the id is the index's name (offered
    from the declared indexes), a decimal target is kept as written, a whole one stays an integer."""
    path = instance(blueprint, "orders")
    data = json.loads(path.read_text())
    adv = data.setdefault("advanced", {}).setdefault("aws_dynamodb", {})
    assert adv["global_secondary_indexes"][0]["name"] == "by-status"
    adv.update(billing_mode="PROVISIONED", read_capacity=5, write_capacity=5, autoscaling_enabled=True)
    for gsi in adv["global_secondary_indexes"]:
        gsi.update(read_capacity=5, write_capacity=5)
    adv.pop("autoscaling_indexes", None)
    path.write_text(json.dumps(data, indent=2) + "\n")
    app = editor_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await show_form(pilot)
        tid = "aws_dynamodb-autoscaling_indexes"
        app.form.query_one(f"#{tid}").focus()
        await pilot.pause()
        await pilot.press("ctrl+o")  # adds to the collection that has the focus
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ItemScreen) and screen.collection.label.startswith("Autoscaling"), app.focused
        field = screen.query_one("#item-id", Input)
        assert field.suggester is not None and await field.suggester.get_suggestion("by-") == "by-status"
        field.value = "by-status"
        screen.query_one("#item-0", Input).value = "5"
        screen.query_one("#item-1", Input).value = "50"
        screen.query_one("#item-4", Input).value = "72.5"
        await pilot.click("#ok")
        await settle(pilot)
        written = json.loads(app.editor.text)["advanced"]["aws_dynamodb"]["autoscaling_indexes"]
        assert written == {"by-status": {"read_min_capacity": 5, "read_max_capacity": 50, "target_value": 72.5}}
        assert app.preview_state == "fresh"
        assert "index/by-status" in app.preview.text  # an autoscaling target for the index was synthesized
        app.form.query_one("#autoscaling_read-target_value", Input).value = "70"
        await settle(pilot)
        assert json.loads(app.editor.text)["advanced"]["aws_dynamodb"]["autoscaling_read"]["target_value"] == 70


def test_full_collections_wait_for_a_pause_in_typing(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from facets_dynamo.tui import memory

    before = gc.get_threshold()
    collected: list[int] = []
    monkeypatch.setattr(memory.gc, "collect", lambda *a: collected.append(1) or 0)
    quiet = memory.QuietCollections(pause=0.05)
    try:
        assert gc.get_threshold()[2] == memory.NEVER and gc.get_threshold()[:2] == before[:2]
        quiet.tick()
        assert collected == []  # nothing typed: nothing to collect
        quiet.edited()
        quiet.tick()
        assert collected == []  # typing has not paused yet
        import time

        time.sleep(0.06)
        quiet.tick()
        quiet.tick()
        assert collected == [1]  # once per pause
    finally:
        quiet.close()
    assert gc.get_threshold() == before


async def test_the_editor_puts_the_collection_thresholds_back_when_it_closes(blueprint: Path) -> None:
    import gc

    before = gc.get_threshold()
    app = editor_app(instance(blueprint, "orders"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert gc.get_threshold()[2] != before[2]
    assert gc.get_threshold() == before


async def test_thousands_of_problems_show_the_open_files_first_and_a_count_of_the_rest(tmp_path: Path) -> None:
    """A big blueprint with the policy pack's warnings: the table keeps to MAX_ROWS rows (each row is work on
    every switch) with the open file's problems first, and a last row that says how many are not shown."""
    from support.blueprints import write_blueprint

    from facets_dynamo.tui.widgets.problems import MAX_ROWS

    root = tmp_path / "bp"
    write_blueprint(root, 120)
    app = editor_app(instance(root, "t0050"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.problems
        assert len(panel.diagnostics) > MAX_ROWS
        assert panel.row_count == MAX_ROWS + 1
        last = panel.get_row_at(MAX_ROWS)
        assert f"{len(panel.diagnostics) - MAX_ROWS} more" in str(last[3])
        assert panel.diagnostics[0].file.endswith("t0050.json")
        assert str(len(panel.diagnostics) - sum(d.is_error for d in panel.diagnostics)) in panel.border_title
        panel.move_cursor(row=MAX_ROWS)
        panel.action_select_cursor()
        await pilot.pause()
        assert app.editor.text == instance(root, "t0050").read_text()  # the "more" row opens nothing
