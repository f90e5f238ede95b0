"""``facets-dynamo edit``: a Textual editor for resource specs with live validation and Terraform preview.

Data flow: the raw JSON buffer is the single source of truth. Every change of it (typed, or produced by
the form) is parsed, validated synchronously in its blueprint context (a few ms) and shown in the
problems panel; then a debounced, exclusive thread worker synthesizes the workspace (jsii calls go
through the engine's one thread) and the newest result replaces the preview. Nothing on disk changes
until the user saves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, TabbedContent, TabPane, TextArea
from textual.widgets.text_area import Selection
from textual.worker import get_current_worker

from ..blueprint import Workspace
from ..diagnostics import Diagnostic
from ..forms import Form
from ..host import PluginFailure, default_host
from ..jsonsource import parse_text
from ..resource import Resource
from .changes import DiffView, build_diff
from .document import Buffer, DiskStamp, SaveConflict, detect_style, dump_json
from .memory import QuietCollections, settle
from .messages import EnvironmentChosen, FormEdited, ProblemChosen, ResourceChosen
from .scaffold import ScaffoldError, create_resource, pick_flavor, sample_document, target_path
from .screens import ChoiceScreen, HelpScreen, PromptScreen
from .session import Checked, Session, file_key
from .widgets.form import SpecForm
from .widgets.preview import DiffPane, PreviewPane
from .widgets.problems import ProblemsPanel
from .widgets.sidebar import Sidebar

DEBOUNCE = 0.15  # seconds of quiet typing before a synthesis starts


@dataclass
class PreviewOutcome:
    """What one synthesis run produced, for the UI thread to show."""

    generation: int
    env: str
    stacks: dict[str, dict[str, Any]] | None = None
    error: str = ""
    baseline_key: tuple[Any, ...] | None = None
    baseline: dict[str, dict[str, Any]] | None = None
    baseline_error: str = ""
    baseline_checked: Checked | None = None
    synth_ms: float = 0.0


@dataclass
class Timings:
    """Latency figures the benchmark reads (``bench/tui_latency.py``)."""

    launched: float = field(default_factory=time.perf_counter)
    first_preview: float | None = None
    last_edit: float | None = None
    last_shown: float | None = None
    last_debounce: float = 0.0
    last_synth_ms: float = 0.0
    last_check_ms: float = 0.0
    last_render_ms: float = 0.0


class EditorApp(App[None]):
    """Edit one resource file or a whole blueprint folder."""

    CSS_PATH = "app.tcss"
    TITLE = "facets-dynamo"
    BINDINGS: ClassVar[list[Binding]] = [  # type: ignore[assignment]
        # Shown in the footer (short labels, so that 80 columns hold the pane keys); the rest are in the help
        # (F1) and the command palette (Ctrl+P).
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("f1", "help", "Help", priority=True),
        Binding("f2", "toggle_editor", "Form", priority=True),
        Binding("f3", "toggle_output", "Diff", show=False),
        Binding("f4", "next_environment", "Env", priority=True),
        # Pane keys win over the focused widget's own (TextArea binds F6/F7 to selections).
        Binding("f5", "focus_problems", "Probs", priority=True),
        Binding("f6", "focus_editor", "Edit", priority=True),
        Binding("f7", "focus_preview", "Preview", priority=True),
        Binding("f8", "focus_sidebar", "List", priority=True),
        Binding("f11", "maximize", "Max", priority=True),
        Binding("f9", "save_as", "Save as", show=False),
        Binding("ctrl+n", "new_resource", "New", show=False),
        Binding("ctrl+r", "reload", "Reload", show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+right_square_bracket", "indent", "Indent", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+f", "find", "Find", show=False, priority=True),  # TextArea has ctrl+f too
        Binding("ctrl+g", "go_to_line", "Go to line", show=False, priority=True),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
    ]
    NARROW = 110  # below this many columns the sidebar collapses (F8 opens it over the editor)
    SHORT = 32  # below this many rows the problems pane collapses to its title line (F5 opens it)
    WATCH_INTERVAL = 1.0  # seconds between looks at the open files on disk

    def __init__(self, target: Path | str, env: str | None = None, *, debounce: float = DEBOUNCE) -> None:
        super().__init__()
        self.session = Session(Path(target), env)
        _warm_up_engine()
        self.debounce = debounce
        self.timings = Timings()
        self.checked: Checked | None = None
        self.generation = 0          # bumped on every change; a preview is shown only for the newest
        self.shown_generation = -1   # generation of the preview on screen
        self.preview_state = "working"
        self.last_stacks: dict[str, dict[str, Any]] | None = None
        self.diff_view: DiffView | None = None
        self._baseline_checked: Checked | None = None
        self._baseline_checked_key: tuple[Any, ...] | None = None
        self._checked_key: tuple[str, str, Path] | None = None
        self._baseline_key: tuple[Any, ...] | None = None
        self._baseline: dict[str, dict[str, Any]] | None = None
        self._baseline_error = ""
        self.parse_error: Diagnostic | None = None
        self._errors_for: Checked | None = None
        self._form_pending: Any = None  # a parsed document the hidden form has not shown yet
        self._preview_status = ("", "")
        self._form_problems: list[Diagnostic] = []
        self._undo_field: str | None = None  # the form field whose edits the newest undo step holds
        self.find_query = ""
        self._last_text_pane: TextArea | None = None
        self._disk_seen: dict[Path, DiskStamp | None] = {}
        self.disk_conflicts: set[Path] = set()  # open files changed on disk while they had unsaved edits
        self._preview_timer: Timer | None = None
        self._collections: QuietCollections | None = None  # set on mount, closed on unmount
        self._error_counts: dict[str, int] = {}

    # -- layout ------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The header's icon (it opens the command palette): Textual's default, U+2B58, is in no common font, so
        # a browser without web fonts drew a missing glyph; U+25CA is in WGL4, which nearly every font covers.
        yield Header(show_clock=False, icon="◊")
        with Horizontal(id="main"):
            if self.session.root is not None:
                yield Sidebar(self._environments(), self.session.env, id="sidebar")
            with TabbedContent(id="editor-tabs", initial="raw-tab"):
                with TabPane("JSON", id="raw-tab"):
                    yield TextArea.code_editor(self.session.buffer.text, language="json", id="raw",
                                               tab_behavior="focus")
                with TabPane("Form", id="form-tab"):
                    yield SpecForm(id="form")
            with TabbedContent(id="output-tabs", initial="preview-tab"):
                with TabPane("Preview", id="preview-tab"):
                    yield PreviewPane(id="preview")
                with TabPane("Diff", id="diff-tab"):
                    yield DiffPane(id="diff")
        yield ProblemsPanel(id="problems")
        yield Footer(compact=True, show_command_palette=False)  # Ctrl+P: in the help; 80 columns hold the keys

    def on_unmount(self) -> None:
        if self._collections is not None:
            self._collections.close()

    def on_mount(self) -> None:
        self.query_one(ProblemsPanel).root = self.session.root
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._theme_changed()
        self._fit(self.size.width, self.size.height)
        self.set_interval(self.WATCH_INTERVAL, self._look_at_disk, name="watch files")
        self._collections = QuietCollections()
        self.set_interval(1.0, self._collections.tick, name="collect garbage when typing pauses")
        self.editor.focus()
        self._text_changed(force=True)
        self.check_all()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#raw", TextArea)

    @property
    def form(self) -> SpecForm:
        return self.query_one(SpecForm)

    @property
    def preview(self) -> PreviewPane:
        return self.query_one(PreviewPane)

    @property
    def diff(self) -> DiffPane:
        return self.query_one(DiffPane)

    @property
    def problems(self) -> ProblemsPanel:
        return self.query_one(ProblemsPanel)

    def _environments(self) -> list[str]:
        envs = self.session.environments()
        return envs if self.session.env in envs else [*envs, self.session.env]

    # -- the edit -> check -> preview loop ---------------------------------------------------------
    @on(TextArea.Changed, "#raw")
    def _raw_changed(self) -> None:
        if not self.screen.query("#raw"):  # the app is closing and its widgets are gone: so is the edit's UI
            return
        self._text_changed()

    def _text_changed(self, force: bool = False) -> None:
        """The open buffer's text may have changed: re-check it (alone, incrementally) and ask for a preview."""
        text = self.editor.text
        buf = self.session.buffer
        key = (text, self.session.env, self.session.current)
        if not force and key == self._checked_key:
            return
        self._checked_key = key
        self.timings.last_edit = time.perf_counter()
        if self._collections is not None:
            self._collections.edited()
        buf.text = text
        doc, problems = parse_text(text, str(buf.path))
        fatal = [d for d in problems if d.is_error] if doc is None else []
        self.parse_error = fatal[0] if fatal else None
        if doc is not None and isinstance(doc.data, dict):
            self.form.set_stale(None)
            self._form_pending = doc
            if self.query_one("#editor-tabs", TabbedContent).active == "form-tab":
                self._load_form()
        elif doc is not None:
            self.form.set_stale("the document is not a JSON object")
        else:
            where = f"line {fatal[0].line}, column {fatal[0].column}: " if fatal and fatal[0].line else ""
            self.form.set_stale(where + (fatal[0].message if fatal else "the JSON does not parse"))
        self.generation += 1
        if self.checked is None or self.checked.workspace.environment.name != self.session.env:
            self._refresh_title()
            return  # the whole-blueprint check is running; it checks this text when it lands
        self.checked = checked = self.session.check_open(self.checked)
        self._after_check(checked, force)

    def _load_form(self) -> None:
        """Show the newest parsed text in the form (only while the form is shown: typing in the JSON editor
        does not pay for a form it cannot see)."""
        if self._form_pending is None:
            return
        doc, self._form_pending = self._form_pending, None
        buf = self.session.buffer
        self.form.load(doc.data, self._flavor_form(Resource(doc.data, doc.source, str(buf.path), buf.path.stem)))
        self.call_after_refresh(lambda: self.form.show_problems(self._form_problems))

    @on(TabbedContent.TabActivated, "#editor-tabs")
    def _editor_tab(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "form-tab":
            self._load_form()

    def check_all(self) -> None:
        """Validate the whole blueprint in a worker (launch, environment switch, files changed on disk);
        keystrokes meanwhile only update the buffer, and the result is applied to the newest text."""
        self.generation += 1
        self._set_preview_state("… checking the blueprint", "working")
        self._check_all(self.generation, self.session.texts(), self.session.env)

    # Each worker has a fixed description: without one Textual builds it from repr() of every argument, on the
    # UI thread (the checked workspace and every file's text: ~45 ms per preview at 1,000 resources).
    @work(thread=True, exclusive=True, group="check", exit_on_error=False, description="check the blueprint")
    def _check_all(self, generation: int, texts: dict[Path, str], env: str) -> None:
        """First the open resource and what it references (its preview can be shown after a few files), then
        the whole blueprint (problems, sidebar, and the stacks that reference the open one)."""
        worker = get_current_worker()
        if self.session.root is not None:
            files = self.session.closure_files(texts, self.checked)
            if len(files) * 4 < len(self.session.resource_files()):
                part = self.session.check(texts=texts, env=env, files=files)
                if worker.is_cancelled:
                    return
                self.call_from_thread(self._checked_all, part, env)
        checked = self.session.check(texts=texts, env=env)
        if not worker.is_cancelled:
            settle()
            self.call_from_thread(self._checked_all, checked, env)

    def _checked_all(self, checked: Checked, env: str) -> None:
        if env != self.session.env:
            return
        previous = self.checked
        checked = self.session.check_open(checked)  # the open buffer as it is now
        checked.changed = None  # every sidebar row may differ
        self.checked = checked
        resource = checked.resource(self.session.current)
        # After a partial check the preview is already on its way for this text: the whole check changes it
        # only when other stacks reference the open one (the engine adds outputs for them).
        keep = (previous is not None and previous.partial and not checked.partial and resource is not None
                and previous.workspace.environment.name == env and not checked.referrers.get(resource.address)
                and self._checked_key == (self.session.buffer.text, env, self.session.current)
                and not checked.errors_in(checked.files_of(checked.closure(resource.address))))
        self._after_check(checked, force=True, preview=not keep)

    def _after_check(self, checked: Checked, force: bool, preview: bool = True) -> None:
        """Show a check (problems, sidebar rows it changed, title), then synthesize if the preview can be."""
        self.timings.last_check_ms = checked.elapsed_ms
        if preview:
            self.generation += 1
        buf = self.session.buffer
        if checked.partial:  # the preview first; problems and sidebar when the whole check lands
            self._request_preview(checked, force)
            return
        self.problems.show(checked.diagnostics, str(buf.path))
        here = file_key(buf.path)
        self._form_problems = [d for d in checked.diagnostics if file_key(d.file) == here]
        if self.query_one("#editor-tabs", TabbedContent).active == "form-tab":
            self.form.show_problems(self._form_problems)
        self._refresh_title()
        self._refresh_sidebar(checked)
        if preview:
            self._request_preview(checked, force)

    def _request_preview(self, checked: Checked, force: bool) -> None:
        """Synthesize the open resource unless it (or what it references) has errors; say why not."""
        buf = self.session.buffer
        resource = checked.resource(buf.path)
        needed = checked.files_of(checked.closure(resource.address)) if resource is not None else set()
        needed.add(file_key(buf.path))
        blocking = checked.errors_in(needed)
        if blocking:
            self.workers.cancel_group(self, "preview")
            name = resource.name if resource is not None else buf.path.stem
            own = sum(file_key(d.file) == file_key(buf.path) or (resource is not None and d.file in resource.files)
                      for d in blocking)
            if self.parse_error:
                why = "the JSON does not parse"
            elif own:
                why = f"{name} has {own} error(s)"
            else:
                others = sorted({Path(d.file).stem for d in blocking})
                why = f"{name} references {', '.join(others)}, which has error(s)"
            self._set_preview_state(f"⚠ stale: {why} — showing the last good preview" if self.last_stacks
                                    else f"⚠ no preview: {why} (see Problems)", "stale")
            self.diff_view = None
            self.diff.show_message(f"⚠ no diff: {why} (see Problems)", "stale")
            self.query_one("#output-tabs", TabbedContent).get_tab("diff-tab").label = "Diff"
            return
        baseline_key = self._baseline_wanted()
        baseline_ws = None
        if baseline_key != self._baseline_key:  # saved version not synthesized yet: validate it in the worker
            baseline_ws = self._baseline_checked if baseline_key == self._baseline_checked_key else None
        # Typing is debounced (a timer: a worker is started only once the typing pauses); opening a file,
        # switching environment or saving is not.
        if self._preview_timer is not None:
            self._preview_timer.stop()
        args = (self.generation, checked, baseline_key, baseline_ws, self.session.texts(saved=True))
        if force or not self.debounce:
            self._start_synthesis(args, 0.0)
        else:
            self.preview_state = "working"  # the status line changes when the synthesis starts, not per key
            self._preview_timer = self.set_timer(self.debounce, lambda: self._start_synthesis(args, self.debounce))

    def _start_synthesis(self, args: tuple[Any, ...], delay: float) -> None:
        if args[0] != self.generation:
            return
        self._set_preview_state("… synthesizing", "working")
        self.synthesize(*args, delay)

    def _baseline_wanted(self) -> tuple[Any, ...]:
        return (self.session.env, tuple(sorted((str(p), b.saved_text) for p, b in self.session.buffers.items())))

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False, description="synthesize the preview")
    def synthesize(self, generation: int, checked: Checked, baseline_key: tuple[Any, ...],
                   baseline: Checked | None, saved_texts: dict[Path, str], delay: float) -> None:
        """Debounce, then synthesize on the engine thread; only the newest generation is shown."""
        from ..synthesis import SynthError, synthesize_workspace

        worker = get_current_worker()
        if worker.is_cancelled or generation != self.generation:
            return
        outcome = PreviewOutcome(generation, checked.workspace.environment.name, baseline_key=baseline_key)
        debounce = delay  # the timer's wait, spent before this worker started
        t0 = time.perf_counter()
        try:
            outcome.stacks = synthesize_workspace(focus(checked, self._focus_address(checked)),
                                                  validate=False).stacks
        except SynthError as exc:
            outcome.error = "; ".join(d.message for d in exc.diagnostics.errors) or str(exc)
        except Exception as exc:  # a broken plugin must not kill the editor
            outcome.error = f"{type(exc).__name__}: {exc}"
        outcome.synth_ms = (time.perf_counter() - t0) * 1000
        if worker.is_cancelled:
            return
        self.call_from_thread(self._show_preview, outcome, debounce)  # the preview first, the diff's baseline next
        if baseline_key == self._baseline_key or worker.is_cancelled:
            return
        if baseline is None:  # the saved version of the open resource and what it references
            files = self.session.closure_files(saved_texts, checked if not checked.partial else None)
            baseline = self.session.check(saved=True, texts=saved_texts, env=outcome.env,
                                          files=files if self.session.root is not None else None)
        done = PreviewOutcome(generation, outcome.env, outcome.stacks, outcome.error, baseline_key,
                              baseline_checked=baseline)
        if baseline.errors_in({file_key(f) for r in baseline.workspace.resources for f in r.files}):
            done.baseline_error = "the saved version is not valid, so there is nothing to compare with"
        else:
            try:
                done.baseline = synthesize_workspace(focus(baseline, self._focus_address(baseline)),
                                                     validate=False).stacks
            except Exception as exc:
                done.baseline_error = f"the saved version does not synthesize: {exc}"
        if not worker.is_cancelled:
            self.call_from_thread(self._show_baseline, done)

    def _focus_address(self, checked: Checked) -> str | None:
        resource = self.session.resource_for(checked)
        return resource.address if resource is not None else None

    def _show_baseline(self, outcome: PreviewOutcome) -> None:
        """The saved version is synthesized: keep it for the diff, and redraw the diff if it is still current."""
        self._baseline_checked, self._baseline_checked_key = outcome.baseline_checked, outcome.baseline_key
        self._baseline_key = outcome.baseline_key
        self._baseline, self._baseline_error = outcome.baseline, outcome.baseline_error
        if outcome.generation == self.generation and outcome.stacks is not None:
            self._render_preview(outcome)

    def _show_preview(self, outcome: PreviewOutcome, debounce: float) -> None:
        if outcome.generation != self.generation:
            return  # a newer edit is on its way (or the spec became invalid meanwhile)
        started = time.perf_counter()
        self._render_preview(outcome)
        now = time.perf_counter()
        self.timings.last_render_ms = (now - started) * 1000
        self.timings.last_shown = now
        self.timings.last_debounce = debounce
        self.timings.last_synth_ms = outcome.synth_ms
        if self.timings.first_preview is None:
            self.timings.first_preview = now
        self.shown_generation = outcome.generation

    def _render_preview(self, outcome: PreviewOutcome) -> None:
        if outcome.stacks is None:
            self._set_preview_state(f"✖ synthesis failed: {outcome.error}", "failed")
            return
        self.last_stacks = outcome.stacks
        resource = self.session.resource_for(self.checked) if self.checked else None
        name = resource.name if resource is not None else self.session.current.stem
        stack = outcome.stacks.get(name)
        if stack is not None:
            changed = self.preview.show(preview_text(stack), (name, outcome.env))
            # On the view's border, not in the status line: a status that grows a second line is a layout pass
            # of the whole screen for every preview.
            self.preview.changed_note = (f"changed: line {changed[0] + 1}"
                                         + (f"-{changed[1]}" if changed[1] > changed[0] + 1 else "")
                                         if changed else "")
            self._set_preview_state(f"✔ up to date · stack {name!r} · environment {outcome.env!r}", "fresh")
        else:
            why = ("is disabled" if resource is not None and resource.disabled else
                   "is provided (exists already)" if resource is not None and resource.provided else
                   "has no stack")
            self.preview.show(f"// {name} {why} in environment {outcome.env!r}:\n// nothing is synthesized\n",
                              (name, outcome.env))
            self._set_preview_state(f"✔ up to date · {name} {why} · environment {outcome.env!r}", "fresh")
        self._show_diff(name, stack)

    def _show_diff(self, name: str, stack: dict[str, Any] | None) -> None:
        if self._baseline is None and not self._baseline_error:
            self.diff.show_message("computing the saved version…", "working")
            return
        saved = self._baseline_checked
        old = self.session.resource_for(saved) if saved is not None else None
        new = self.session.resource_for(self.checked) if self.checked is not None else None
        old_stack = (self._baseline or {}).get(old.name if old is not None else name)
        self.diff_view = view = build_diff(old, new, self.session.env, old_stack, stack)
        self.diff.show(view, self._baseline_error or ("" if old is not None else "new: not in the saved version"))
        tab = self.query_one("#output-tabs", TabbedContent).get_tab("diff-tab")
        label = "Diff ⚠" if view.loses_data else f"Diff ({len(view.items)})" if view.items else "Diff"
        if tab.label_text != label:  # a relabel is a layout pass of the whole screen
            tab.label = label

    def _set_preview_state(self, message: str, state: str) -> None:
        self.preview_state = state
        if (message, state) != self._preview_status:
            self._preview_status = (message, state)
            self.preview.set_status(message, state)

    def _refresh_title(self) -> None:
        buf = self.session.buffer
        mark = "● modified · " if buf.dirty else ""  # first, so a narrow terminal still shows it
        if buf.path in self.disk_conflicts:
            mark = "⚠ changed on disk · " + mark
        self.sub_title = f"{mark}{self._display_path(buf.path)} · env {self.session.env}"

    def _refresh_sidebar(self, checked: Checked) -> None:
        """Update the sidebar rows of the files this check changed (all of them after a full check)."""
        for sidebar in self.query(Sidebar):
            files = self.session.resource_files() if checked.changed is None or not sidebar.paths else \
                [p for p in sidebar.paths if file_key(p) in checked.changed]
            if self.session.current not in files:  # its dirty mark may have changed, or it is new
                files.append(self.session.current)
            sidebar.show({p: self._sidebar_row(checked, p) for p in files}, self.session.current,
                         complete=checked.changed is None)

    def _display_path(self, path: Path) -> str:
        root = self.session.root
        if root is not None:
            try:
                return str(path.resolve().relative_to(root.resolve().parent))
            except ValueError:
                pass
        return path.name

    def _sidebar_row(self, checked: Checked, path: Path) -> tuple[str, str, bool]:
        """(name, note, dirty) of one resource file."""
        resource = checked.resource(path)
        key = file_key(path)
        errors = self._errors_by_file(checked).get(key, 0)
        notes = []
        if errors:
            notes.append(f"{errors} error(s)")
        if resource is not None and resource.disabled:
            notes.append("disabled")
        if resource is not None and resource.provided:
            notes.append("provided")
        if resource is not None and len(resource.files) > 1:
            notes.append("override")
        buf = self.session.buffers.get(path)
        name = resource.name if resource is not None else path.stem
        return name, " · ".join(notes), bool(buf and buf.dirty)

    def _errors_by_file(self, checked: Checked) -> dict[str, int]:
        if self._errors_for is not checked:
            counts: dict[str, int] = {}
            for d in checked.diagnostics.errors:
                counts[file_key(d.file)] = counts.get(file_key(d.file), 0) + 1
            self._errors_for, self._error_counts = checked, counts
        return self._error_counts

    # -- form <-> raw ------------------------------------------------------------------------------
    def _flavor_form(self, resource: Resource) -> Form | None:
        """The form the resource's flavor describes (None: JSON only, or its plugin failed)."""
        try:
            results = default_host().call_each("edit_form", key=resource.key, resource=resource)
        except PluginFailure as exc:
            self.notify(f"no form: {exc}", severity="warning", timeout=6)
            return None
        return next((r for _, r in results if isinstance(r, Form)), None)

    @on(FormEdited)
    def _form_edited(self, event: FormEdited) -> None:
        text = self.editor.text
        doc, _problems = parse_text(text, str(self.session.buffer.path))
        if doc is None or not isinstance(doc.data, dict):
            self.form.set_stale("the JSON does not parse")
            return
        try:
            new = event.transform(doc.data)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        if new == doc.data and json.dumps(new) == json.dumps(doc.data):  # (dict equality ignores key order)
            return
        self.replace_text(dump_json(new, detect_style(text)), merge=event.field)

    def replace_text(self, text: str, merge: str | None = None) -> None:
        """Replace the whole buffer as one undoable edit, keeping the cursor where it was if possible.
        ``merge``: a form field's pointer; while the same field is being typed in, its edits stay one undo step."""
        area = self.editor
        row, col = area.cursor_location
        area.replace(text, (0, 0), area.document.end)
        stack = area.history._undo_stack  # the batches themselves (undo_stack is a copy)
        if merge is not None and merge == self._undo_field and len(stack) >= 2:
            stack[-2].extend(stack.pop())  # undone newest first: back to before the field was edited
        self._undo_field = merge
        lines = area.document.line_count
        row = min(row, lines - 1)
        area.move_cursor((row, min(col, len(area.document.get_line(row)))))
        self._text_changed()

    # -- problems, sidebar, environments -----------------------------------------------------------
    @on(ProblemChosen)
    def _problem_chosen(self, event: ProblemChosen) -> None:
        self.go_to(event.diagnostic)

    def go_to(self, d: Diagnostic) -> None:
        """Move the JSON editor's cursor to a diagnostic (opening its file if it is another one)."""
        if not self.session.is_current(d.file):
            path = Path(d.file)
            if not path.is_file():
                self.notify(f"{d.file} cannot be opened here", severity="warning")
                return
            self.open_file(path)
        self.query_one("#editor-tabs", TabbedContent).active = "raw-tab"
        area = self.editor
        row = max(d.line - 1, 0)
        row = min(row, area.document.line_count - 1)
        col = min(max(d.column - 1, 0), len(area.document.get_line(row)))
        area.move_cursor((row, col), center=True)
        area.focus()

    @on(ResourceChosen)
    def _resource_chosen(self, event: ResourceChosen) -> None:
        """Open the chosen resource and move to its editor: choosing a file means editing it next."""
        self.open_file(event.path)
        if self.query_one("#editor-tabs", TabbedContent).active == "raw-tab":
            self.editor.focus()
        else:
            self.form.focus()

    def open_file(self, path: Path) -> None:
        if self.session.is_current(str(path)):
            return
        self.session.buffer.cursor = self.editor.cursor_location
        buf = self.session.open(path)
        self._load_buffer(buf)

    def _load_buffer(self, buf: Buffer) -> None:
        area = self.editor
        area.load_text(buf.text)
        row = min(buf.cursor[0], area.document.line_count - 1)
        area.move_cursor((row, min(buf.cursor[1], len(area.document.get_line(row)))))
        self.last_stacks = None
        self._text_changed(force=True)

    @on(EnvironmentChosen)
    def _environment_chosen(self, event: EnvironmentChosen) -> None:
        self.set_environment(event.env)

    def set_environment(self, env: str) -> None:
        if env == self.session.env:
            return
        self.session.env = env
        for sidebar in self.query(Sidebar):
            sidebar.set_environment(env, self._environments())
        self.last_stacks = None
        self._checked_key = None
        self.check_all()
        self.notify(f"environment {env!r}: overrides and names of {env!r}", timeout=2)

    def action_next_environment(self) -> None:
        envs = self._environments()
        self.set_environment(envs[(envs.index(self.session.env) + 1) % len(envs)])

    # -- views -------------------------------------------------------------------------------------
    def action_toggle_editor(self) -> None:
        tabs = self.query_one("#editor-tabs", TabbedContent)
        tabs.active = "form-tab" if tabs.active == "raw-tab" else "raw-tab"
        if tabs.active == "raw-tab":
            self.editor.focus()
        else:
            self._load_form()
            self.form.focus_first()

    def action_toggle_output(self) -> None:
        tabs = self.query_one("#output-tabs", TabbedContent)
        tabs.active = "diff-tab" if tabs.active == "preview-tab" else "preview-tab"

    def action_show_diff(self) -> None:
        self.query_one("#output-tabs", TabbedContent).active = "diff-tab"

    def action_focus_problems(self) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        self.set_class(True, "-show-problems")
        self.problems.focus()

    def action_focus_sidebar(self) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        for listing in self.query("#resource-list"):
            self.set_class(True, "-show-sidebar")
            listing.focus()

    def action_focus_editor(self) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        if self.query_one("#editor-tabs", TabbedContent).active == "raw-tab":
            self.editor.focus()
        else:
            self.form.focus_first()

    def action_focus_preview(self) -> None:
        if isinstance(self.screen, ModalScreen):
            return
        tabs = self.query_one("#output-tabs", TabbedContent)
        if tabs.active == "preview-tab":
            self.query_one("#preview-text", TextArea).focus()
        else:
            self.query_one("#diff-scroll").focus()

    def action_maximize(self) -> None:
        """Give the focused pane the whole screen (F11 again, or Escape, restores the layout)."""
        if isinstance(self.screen, ModalScreen):
            return
        if self.screen.maximized is not None:
            self.screen.minimize()
        elif self.focused is not None:
            self.screen.maximize(self.focused)

    def action_indent(self) -> None:
        """Indent in the JSON editor (Tab moves the focus to the next pane, as the footer promises)."""
        if self.focused is self.editor:
            self.editor.insert(" " * self.editor.indent_width)

    # -- find and go to line (the JSON editor, or the preview when it has the focus) ----------------------
    def _search_target(self) -> TextArea:
        focused = self.focused
        if isinstance(focused, TextArea) and focused.id in {"raw", "preview-text"}:
            self._last_text_pane = focused
        return self._last_text_pane or self.editor

    def action_find(self) -> None:
        area = self._search_target()
        where = "the preview" if area.id == "preview-text" else "the JSON editor"

        def chosen(query: str | None) -> None:
            if query:
                self.find_query = query
                self.find_next(area, query)

        self.ask(PromptScreen(f"Find in {where}", "Text to find (case-insensitive; Enter again finds the next)",
                              self.find_query), chosen)

    def find_next(self, area: TextArea, query: str) -> bool:
        """Select the next match of ``query`` after the cursor (wrapping around); say how many there are."""
        text = area.text
        lower, needle = text.lower(), query.lower()
        starts = [i for i in _occurrences(lower, needle)]
        if not starts:
            self.notify(f"{query!r} not found", severity="warning", timeout=3)
            return False
        row, col = area.cursor_location
        lines = text.split("\n")
        cursor = sum(len(line) + 1 for line in lines[:row]) + col
        index = next((n for n, i in enumerate(starts) if i >= cursor), 0)
        start = starts[index]
        end = start + len(needle)
        area.selection = Selection(_location(text, start), _location(text, end))
        area.scroll_cursor_visible(center=True)
        area.focus()
        self.notify(f"match {index + 1} of {len(starts)}", timeout=2)
        return True

    def action_go_to_line(self) -> None:
        area = self._search_target()
        lines = area.document.line_count

        def check(value: str) -> str:
            return "" if value.isdigit() and 1 <= int(value) <= lines else f"a line number from 1 to {lines}"

        def chosen(value: str | None) -> None:
            if value:
                area.move_cursor((int(value) - 1, 0), center=True)
                area.focus()

        self.ask(PromptScreen("Go to line", f"Line (1-{lines})", "", check), chosen)

    def action_undo(self) -> None:
        """Ctrl+Z in the form undoes the last form edit (the JSON editor's history holds every edit)."""
        if not isinstance(self.screen, ModalScreen):
            self.editor.undo()

    def action_copy_preview(self) -> None:
        self.copy_to_clipboard(self.preview.text)
        self.notify(f"copied the preview ({self.preview.text.count(chr(10))} lines) to the clipboard", timeout=3)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Each axis collapses its own pane: a browser tab 130 columns wide but 31 rows high keeps its sidebar."""
        self.set_class(width < self.NARROW, "-narrow")
        self.set_class(height < self.SHORT, "-short")

    @on(events.DescendantFocus)
    def _pane_focused(self, event: events.DescendantFocus) -> None:
        """In a narrow terminal the sidebar and problems, opened by their key, close when another pane is focused."""
        widget = event.widget
        self._undo_field = None  # leaving a field ends its undo step
        if not any(a.id == "sidebar" for a in widget.ancestors_with_self):
            self.set_class(False, "-show-sidebar")
        if not any(a.id == "problems" for a in widget.ancestors_with_self):
            self.set_class(False, "-show-problems")

    # -- files changed by other programs ---------------------------------------------------------------
    def _look_at_disk(self) -> None:
        """Every ``WATCH_INTERVAL``: a stat of each open file (a handful, however large the blueprint; a timer
        rather than a worker thread, so waiting for the workers to finish, as tests do, still ends)."""
        changed = []
        for buf in list(self.session.buffers.values()):
            stamp = DiskStamp.of(buf.path)
            if buf.stamp is not None and stamp != buf.stamp and self._disk_seen.get(buf.path) != stamp:
                self._disk_seen[buf.path] = stamp
                changed.append(buf)
        if changed:
            self._disk_changed(changed)

    def _disk_changed(self, changed: list[Buffer]) -> None:
        for buf in changed:
            if not buf.changed_on_disk():
                continue  # saved here meanwhile
            if not buf.dirty:
                self.reload(buf, notice=f"{buf.path.name} changed on disk: reloaded")
            else:
                self.disk_conflicts.add(buf.path)
                self._refresh_title()
                self.notify(f"{buf.path.name} changed on disk and has unsaved edits here: saving will ask what to "
                            "do (Ctrl+R reloads, dropping the edits)", severity="warning", timeout=8)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def _theme_changed(self, theme: Any = None) -> None:
        """The code views follow the app's theme (TextArea keeps its own syntax theme otherwise)."""
        syntax = "vscode_dark" if self.current_theme.dark else "github_light"
        for area in self.query(TextArea):
            area.theme = syntax

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        """Screenshots go to the download folder, or to the working directory when there is none."""
        if path is None:
            from platformdirs import user_downloads_path

            if not user_downloads_path().is_dir():
                path = str(Path.cwd())
        return super().deliver_screenshot(filename, path, time_format)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_add_item(self) -> None:
        self.query_one("#editor-tabs", TabbedContent).active = "form-tab"
        self.form.action_add_item()

    # -- saving ------------------------------------------------------------------------------------
    def action_save(self) -> None:
        self.save(self.session.buffer)

    def save(self, buf: Buffer, *, invalid_ok: bool = False, force: bool = False,
             then: Callable[[], None] | None = None) -> None:
        """Save ``buf``, asking first when its JSON does not parse or the file changed on disk."""
        doc, problems = parse_text(buf.text, str(buf.path))
        if doc is None and not invalid_ok:
            first = next((d for d in problems if d.is_error), None)
            where = f" (line {first.line}, column {first.column}: {first.message})" if first and first.line else ""

            def confirmed(choice: str | None) -> None:
                if choice == "save-invalid":
                    self.save(buf, invalid_ok=True, force=force, then=then)

            self.ask(ChoiceScreen(
                "Save JSON that does not parse?",
                f"{buf.path.name} is not valid JSON{where}. Saving writes it exactly as typed; validate, synth and "
                "other tools will reject the file until it is fixed.",
                [("save-invalid", "Save anyway", "error"), ("cancel", "Cancel", "primary")]), confirmed)
            return
        if not force and buf.changed_on_disk():
            self.ask(ChoiceScreen(
                "File changed on disk",
                f"{buf.path} was changed by another program since it was opened or last saved here. Saving "
                "would overwrite those changes.",
                [("reload", "Reload (drop my edits)", "warning"), ("save-as", "Save as…", "primary"),
                 ("overwrite", "Overwrite", "error"), ("cancel", "Cancel", "default")]),
                lambda choice: self._conflict_choice(choice, buf, then))
            return
        try:
            buf.save(force=force)
        except SaveConflict:
            self.save(buf, invalid_ok=True, then=then)
            return
        except OSError as exc:
            self.notify(f"not saved: {buf.path}: {exc.strerror or exc}", severity="error", timeout=8)
            return
        self.notify(f"saved {buf.path}", timeout=2)
        self.disk_conflicts.discard(buf.path)
        self._after_disk_change()
        if then is not None:
            then()

    def ask(self, screen: ModalScreen[Any], callback: Callable[[Any], None]) -> None:
        """Show a dialog unless one is open already (a key pressed again must not stack dialogs)."""
        if isinstance(self.screen, ModalScreen):
            return
        self.push_screen(screen, callback)

    def _conflict_choice(self, choice: str | None, buf: Buffer, then: Callable[[], None] | None) -> None:
        if choice == "reload":
            self.reload(buf)
        elif choice == "save-as":
            self.action_save_as()
        elif choice == "overwrite":
            self.save(buf, invalid_ok=True, force=True, then=then)

    def action_save_as(self) -> None:
        buf = self.session.buffer

        def check(value: str) -> str:
            path = Path(value).expanduser()
            if path.exists() or path.is_symlink():
                return f"{path} exists; choose another name"
            return "" if path.parent.is_dir() else f"folder {path.parent} does not exist"

        def chosen(value: str | None) -> None:
            if not value:
                return
            path = Path(value).expanduser()
            old = buf.path
            try:
                buf.save_as(path)
            except (OSError, FileExistsError) as exc:
                self.notify(f"not saved: {exc}", severity="error", timeout=8)
                return
            self.session.rekey(old, path)
            self._after_disk_change()
            self.notify(f"saved as {path}", timeout=3)

        suggestion = buf.path.with_name(buf.path.stem + "-copy.json")
        self.ask(PromptScreen("Save as", "New file path (an existing file is never replaced)",
                                      str(suggestion), check), chosen)

    def action_reload(self) -> None:
        buf = self.session.buffer
        if not buf.dirty:
            self.reload(buf)
            return
        self.ask(ChoiceScreen("Reload from disk?", f"Your unsaved edits to {buf.path.name} will be lost.",
                                      [("reload", "Reload", "error"), ("cancel", "Cancel", "primary")]),
                         lambda choice: self.reload(buf) if choice == "reload" else None)

    def reload(self, buf: Buffer, notice: str = "") -> None:
        try:
            buf.reload()
        except OSError as exc:
            self.notify(f"cannot reload {buf.path}: {exc}", severity="error")
            return
        self.disk_conflicts.discard(buf.path)
        if buf is self.session.buffer:
            self._load_buffer(buf)
            self._after_disk_change()
        else:
            self._after_disk_change()
            self.check_all()  # another resource's text changed: the blueprint's checks may change
        self.notify(notice or f"reloaded {buf.path.name} from disk", timeout=3)

    def _after_disk_change(self) -> None:
        """Saved text moved: refresh the title, the sidebar and the diff baseline."""
        self._baseline_key = None
        self._baseline = None
        self._baseline_error = ""
        self._text_changed(force=True)

    # -- new resource ------------------------------------------------------------------------------
    def action_new_resource(self) -> None:
        root = self.session.root
        open_resource = self.session.resource_for(self.checked) if self.checked is not None else None
        current = open_resource.key if open_resource is not None else None
        try:
            flavor = pick_flavor(current=current)
        except ScaffoldError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        kind = flavor.kind
        where = (f"{root}/{kind}/instances/" if root is not None else f"{self.session.current.parent}/")

        def target(name: str) -> Path:
            if root is not None:
                return target_path(name, kind, blueprint=root)
            return target_path(name, kind, directory=self.session.current.parent)

        def check(name: str) -> str:
            try:
                path = target(name)
            except ScaffoldError as exc:
                return str(exc)
            return f"{path} exists already; not overwriting it" if path.exists() else ""

        def chosen(name: str | None) -> None:
            if not name:
                return
            try:
                path = create_resource(target(name), sample_document(flavor))
            except ScaffoldError as exc:
                self.notify(str(exc), severity="error", timeout=8)
                return
            self.open_file(path)
            self.notify(f"created {path} from the flavor's sample", timeout=3)

        self.ask(PromptScreen(f"New {flavor.key} resource", f"Name (written to {where}<name>.json)", "",
                                      check), chosen)

    # -- quitting ----------------------------------------------------------------------------------
    async def action_quit(self) -> None:
        dirty = self.session.dirty()
        if not dirty:
            self.exit()
            return
        names = ", ".join(b.path.name for b in dirty)

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.exit()
            elif choice == "save":
                self._save_all_then_quit()

        self.ask(ChoiceScreen("Unsaved changes", f"Unsaved changes in {names}. Quit anyway?",
                                      [("save", "Save and quit", "primary"), ("discard", "Quit without saving",
                                                                               "error"),
                                       ("cancel", "Cancel", "default")]), chosen)

    def _save_all_then_quit(self) -> None:
        for buf in self.session.dirty():
            if parse_text(buf.text, str(buf.path))[0] is None or buf.changed_on_disk():
                if buf is not self.session.buffer:
                    self.open_file(buf.path)
                self.save(buf, then=self._save_all_then_quit)  # asks; continues once this one is saved
                return
            try:
                buf.save()
            except (OSError, SaveConflict) as exc:
                self.notify(f"not saved: {exc}; nothing quit", severity="error", timeout=8)
                return
        self.exit()

    # -- command palette ---------------------------------------------------------------------------
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Save", "Save the file (Ctrl+S)", self.action_save)
        yield SystemCommand("Save as…", "Write to a new file and keep editing it (F9)", self.action_save_as)
        yield SystemCommand("New resource", "Start a resource from the flavor's sample (Ctrl+N)",
                            self.action_new_resource)
        yield SystemCommand("Reload from disk", "Drop unsaved edits and read the file again (Ctrl+R)",
                            self.action_reload)
        yield SystemCommand("Switch form / JSON", "Toggle the editor view (F2)", self.action_toggle_editor)
        yield SystemCommand("Switch preview / diff", "Toggle the output view (F3)", self.action_toggle_output)
        yield SystemCommand("Show diff", "Changes against the saved version", self.action_show_diff)
        yield SystemCommand("Next environment", "Cycle the environment (F4)", self.action_next_environment)
        for env in self._environments():
            yield SystemCommand(f"Environment: {env}", f"Preview and validate for {env!r}",
                                _bind(self.set_environment, env), discover=False)
        yield SystemCommand("Focus problems", "Jump to the problems panel (F5)", self.action_focus_problems)
        yield SystemCommand("Focus editor", "Jump to the JSON editor or the form (F6)", self.action_focus_editor)
        yield SystemCommand("Focus preview", "Jump to the preview or the diff (F7)", self.action_focus_preview)
        yield SystemCommand("Maximize pane", "The focused pane takes the screen; again to restore (F11)",
                            self.action_maximize)
        yield SystemCommand("Find", "Find in the JSON editor or the focused preview (Ctrl+F)", self.action_find)
        yield SystemCommand("Go to line", "Move to a line of the JSON editor or the focused preview (Ctrl+G)",
                            self.action_go_to_line)
        yield SystemCommand("Copy preview", "Copy the whole Terraform JSON preview to the clipboard",
                            self.action_copy_preview)
        yield SystemCommand("Add item", "Add to the form's first list, e.g. a key attribute (Ctrl+O)",
                            self.action_add_item)
        yield SystemCommand("Toggle light / dark", "Switch the theme (Ctrl+T)", self.action_toggle_theme)
        yield SystemCommand("Help", "Keys and how the editor works (F1)", self.action_help)
        if self.session.root is not None:
            for path in self.session.resource_files():
                yield SystemCommand(f"Open resource: {path.stem}", str(path), _bind(self.open_file, path),
                                    discover=False)


def _warm_up_engine() -> None:
    """Start Node and load the engine on its own thread while Textual starts (they overlap: faster first
    preview). A failure is not reported here; the first synthesis reports it in the preview."""
    from ..engine import EngineError, default_engine

    try:
        engine = default_engine()
        engine.submit(lambda: engine.module)
    except EngineError:  # e.g. FACETS_DYNAMO_ENGINE names no installed engine: the preview says so
        pass


def focus(checked: Checked, address: str | None) -> Workspace:
    """Only the resources the previewed stack depends on: what it references, and what references it.

    A referrer matters because the engine adds cross-stack outputs to the referenced stack; everything
    else would only cost synthesis time (the preview shows one stack).
    """
    ws = checked.workspace
    if address is None or address not in checked.references:
        return ws
    needed: set[str] = set()
    for seed in (address, *checked.referrers.get(address, ())):
        needed |= checked.closure(seed)
    return Workspace(ws.environment, [r for r in ws.resources if r.address in needed], list(ws.diagnostics))


TOP_ORDER = ("resource", "data", "output", "provider", "terraform")


def preview_text(stack: dict[str, Any]) -> str:
    """The stack as a reader wants it: resources first, keys sorted, without the engine's ``//`` metadata
    (construct paths and ids: the same in every stack, noise when reviewing a spec edit)."""
    def ordered(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ordered(value[k]) for k in sorted(value) if k != "//"}
        return [ordered(v) for v in value] if isinstance(value, list) else value

    keys = [k for k in TOP_ORDER if k in stack] + sorted(k for k in stack if k not in TOP_ORDER and k != "//")
    return json.dumps({k: ordered(stack[k]) for k in keys}, indent=2, ensure_ascii=False) + "\n"


def _occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _location(text: str, offset: int) -> tuple[int, int]:
    """(row, column) of a character offset."""
    row = text.count("\n", 0, offset)
    return row, offset - (text.rfind("\n", 0, offset) + 1)


def _bind(fn: Callable[[Any], None], arg: Any) -> Callable[[], None]:
    return lambda: fn(arg)


