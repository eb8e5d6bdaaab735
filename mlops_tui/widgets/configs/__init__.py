"""Configs pane: structural diff, merge with provenance, and validation of ML configs.

The pane renders a `ConfigsModel` (sources/configs/controller: files, stack, compare base, list mode, the diff
and the merged stack shown) and turns keys into its calls. Its workers run the model's diff and merge and post
DiffReady / StackReady; the views are drawn by the mixins `files.FileList`, `diffs.DiffViews`,
`merged.MergedView` and `navigation.Navigation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Input, OptionList, Static
from textual.worker import Worker

from mlops_tui.messages import OpenConfigRevision, SourceStatusChanged
from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.configs.compare import Comparison
from mlops_tui.sources.configs.controller import ConfigsModel
from mlops_tui.sources.configs.diff import ListMode
from mlops_tui.sources.configs.stack import StackCheck
from mlops_tui.widgets.configs.difftree import DiffTree
from mlops_tui.widgets.configs.diffs import DiffViews, side_rows
from mlops_tui.widgets.configs.files import FileList
from mlops_tui.widgets.configs.lines import LinesView
from mlops_tui.widgets.configs.merged import MergedView
from mlops_tui.widgets.configs.navigation import Navigation
from mlops_tui.widgets.configs.rows import RevealAll, SideBySide
from mlops_tui.widgets.pane import Pane, SourceNote, focus_now
from mlops_tui.widgets.text import literal, sanitize


class ConfigsPane(Navigation, FileList, DiffViews, MergedView, Pane):
    """Config files: diff by key path, merged stack with provenance, validation. Option: cwd= (a folder that
    relative paths and REV:path are read from; default the working directory)."""

    DEFAULT_CSS = """
    ConfigsPane #configs-body { height: 1fr; }
    ConfigsPane #configs-files { width: 28%; min-width: 24; max-width: 40; height: 1fr; background: $surface; text-wrap: nowrap; text-overflow: ellipsis; }
    ConfigsPane #configs-main { width: 1fr; height: 1fr; }
    ConfigsPane #configs-title { height: auto; max-height: 2; padding: 0 1; background: $panel; color: $foreground; }
    ConfigsPane #configs-title.-error { color: $error; }
    ConfigsPane #configs-views { height: 1fr; }
    ConfigsPane #configs-side { height: 1fr; }
    ConfigsPane #configs-side LinesView { width: 1fr; border-top: solid $panel; border-title-color: $text-muted; }
    ConfigsPane #configs-side-old { border-right: tall $panel; }
    ConfigsPane #configs-find { height: 3; display: none; }
    ConfigsPane #configs-find.-open { display: block; }
    ConfigsPane #configs-problems { height: auto; max-height: 7; border-top: tall $error 50%; background: $surface; }
    ConfigsPane #configs-problems.-empty { display: none; }
    """

    BINDINGS = [
        Binding("c", "compare", "Compare", id="configs.compare"),
        Binding("space", "toggle_stack", "Stack", id="configs.stack"),
        Binding("m", "merged", "Merged", id="configs.merged"),
        Binding("d", "show_view('configs-tree')", "Diff", id="configs.diff"),
        Binding("s", "show_view('configs-side')", "Side by side", id="configs.side"),
        Binding("n", "walk(1)", "Next change", id="configs.next"),
        Binding("p", "walk(-1)", "Prev change", id="configs.prev"),
        Binding("r", "toggle_resolved", "Raw/resolved", id="configs.resolved"),
        Binding("t", "show_view('configs-defaults')", "Defaults", id="configs.defaults"),
        Binding("u", "uncomposed", "Uncomposed", id="configs.uncomposed", show=False),
        Binding("e", "toggle_env", "Resolve env", id="configs.env", show=False),
        Binding("o", "list_mode", "List mode", id="configs.list_mode", show=False),
        Binding("x", "reveal", "Reveal secret", id="configs.reveal", show=False),
        Binding("escape", "back", "Back", id="configs.back"),
    ]

    @dataclass
    class FilesListed(Message):
        files: list[str]

    @dataclass
    class DiffReady(Message):
        """A diff run's result; `side` holds the side-by-side rows of two files (None for folders)."""

        generation: int
        comparison: Comparison
        side: SideBySide | None

    @dataclass
    class StackReady(Message):
        generation: int
        check: StackCheck

    def __init__(self, settings: ConfigsSettings, cwd: Path | str | None = None, **options) -> None:
        super().__init__(id="configs-pane")
        self.settings = settings
        self.model = ConfigsModel(settings, Path(cwd) if cwd is not None else None)
        self.side_file: str | None = None
        self.side_reveal: set = RevealAll() if self.model.reveal_all else set()
        self.side_rows: SideBySide | None = None
        self.problem_paths: list = []
        self._shown = self._warming = False

    files = property(lambda self: self.model.files)  # read-only view of the model (tests read it)

    def compose(self) -> ComposeResult:
        yield SourceNote(id="configs-note")
        with Horizontal(id="configs-body"):
            yield OptionList(id="configs-files")
            with Vertical(id="configs-main"):
                yield Static(id="configs-title")
                yield Input(placeholder="find a key path (Enter: next match, Esc: close)", id="configs-find")
                with ContentSwitcher(id="configs-views", initial="configs-tree"):
                    yield DiffTree(id="configs-tree")
                    with Horizontal(id="configs-side"):
                        yield LinesView(id="configs-side-old")
                        yield LinesView(id="configs-side-new")
                    yield LinesView(id="configs-merged")
                    yield LinesView(id="configs-defaults")
                yield OptionList(id="configs-problems", classes="-empty")

    # lifecycle ------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#configs-files", OptionList).border_title = "files"
        self._title("enter: open · c: compare with · space: add to stack · m: merged stack")
        self._list_files()
        if len(self.settings.compare) in (1, 2):  # one: a Hydra run's output folder, against composing it now
            self.open_diff(*self.settings.compare)
        elif self.model.stack:
            self.open_merge(self.model.stack)

    def focus_default(self) -> None:
        focus_now(self.query_one("#configs-files", OptionList))

    def open_diff(self, old: str, new: str | None = None) -> None:
        """Diff two configs (files, REV:path, folders, stacks a+b, a Hydra run's output folder) by key path; without
        new, old is a run's output folder, diffed against composing its config now with the run's overrides."""
        shown = self.model.display(new) if new is not None else "its config composed now"
        self._title(f"diff {self.model.display(old)} → {shown} …")
        self._run_diff(old, new, self.model.list_mode, self.model.begin())

    def open_revision(self, path: str, old_rev: str, new_rev: str) -> None:
        """Diff one config between two git revisions."""
        self.open_diff(f"{old_rev}:{path}", f"{new_rev}:{path}")

    def open_merge(self, specs: list[str], compose: bool = True) -> None:
        """Merge specs, composed by Hydra (compose False: the files as written, their defaults lists as data)."""
        self.model.ask_merge(specs)
        shown = " + ".join(map(self.model.display, specs))
        self._title(f"merge {shown} …" if compose else f"{shown} uncomposed …")
        self._run_merge(list(specs), self.model.resolve_env, compose, self.model.begin())

    # workers: the model computes in a thread, the result comes back as a message ----------------
    @work(thread=True, exclusive=True, group="configs-files", exit_on_error=False, name="configs.files")
    def _list_files(self) -> None:
        self.post_message(self.FilesListed(self.model.list_files()))

    @work(thread=True, exclusive=True, group="configs", exit_on_error=False, name="configs.diff")
    def _run_diff(self, old: str, new: str | None, mode: ListMode, generation: int) -> None:
        comparison = self.model.compare(old, new, mode)
        self.post_message(self.DiffReady(generation, comparison, side_rows(comparison, self.model.reveal_all)))

    @work(thread=True, exclusive=True, group="configs", exit_on_error=False, name="configs.merge")
    def _run_merge(self, specs: list[str], resolve_env: bool, compose: bool, generation: int) -> None:
        self.post_message(self.StackReady(generation, self.model.merge(specs, resolve_env, compose)))

    @work(thread=True, exclusive=True, group="configs-warm", exit_on_error=False, name="configs.warm")
    def _warm_hydra(self) -> None:
        from mlops_tui.sources.configs.compose import warm_up

        warm_up()

    def _maybe_warm(self) -> None:
        """Once the pane is shown with YAML files listed: Hydra's one-time costs paid in a thread, before the
        first file is opened (the first composed view then costs what every later one does)."""
        if self._shown and not self._warming and any(f.endswith((".yaml", ".yml")) for f in self.model.files):
            self._warming = True
            self._warm_hydra()

    def on_show(self) -> None:
        self._shown = True
        self._maybe_warm()

    @on(FilesListed)
    def _files_listed(self, message: FilesListed) -> None:
        status = self.model.show_files(message.files)
        self._maybe_warm()
        self._render_files()
        self.query_one("#configs-files", OptionList).border_title = sanitize(self.model.files_title(), 26)
        if status is not None:
            self._status(status)

    @on(DiffReady)
    def _diff_ready(self, message: DiffReady) -> None:
        if self.model.current(message.generation):  # else a newer diff or merge replaced it
            self._show_diff(message.comparison, message.side)

    @on(StackReady)
    def _stack_ready(self, message: StackReady) -> None:
        if self.model.current(message.generation):
            self._show_check(message.check)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """A file that cannot be read or merged: the last good view is kept (widgets/pane.py's one handler)."""
        message, status = self.model.failed(error, run=worker.group == "configs")
        self._title(message, error=True)
        self._status(status)

    def _status(self, status: SourceStatus) -> None:
        self.query_one(SourceNote).show(status)
        self.post_message(SourceStatusChanged(status))

    # lists and the find box ---------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#configs-files")
    def _file_selected(self, event: OptionList.OptionSelected) -> None:
        self._open_file(event.option_index)

    @on(OptionList.OptionSelected, "#configs-problems")
    def _problem_selected(self, event: OptionList.OptionSelected) -> None:
        self._go_to_problem(event.option_index)

    @on(Input.Submitted, "#configs-find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        self.find(event.value)

    # views ----------------------------------------------------------------------------------------
    def _view(self) -> str:
        return self.query_one("#configs-views", ContentSwitcher).current or "configs-tree"

    def action_show_view(self, view: str) -> None:
        self.query_one("#configs-views", ContentSwitcher).current = view
        self.refresh_bindings()
        self.query_one("#configs-problems", OptionList).display = view == "configs-merged"
        if self.query_one("#configs-files", OptionList).has_focus and view != "configs-merged":
            return
        self.focus_view()

    def _title(self, text: str, error: bool = False) -> None:
        title = self.query_one("#configs-title", Static)
        title.update(literal(text, limit=400))
        title.set_class(error, "-error")
        self.refresh_bindings()  # (every change of what the pane shows sets its title)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that can do nothing on what the pane shows is not offered (not in the footer, refused)."""
        if not self.query("#configs-views"):
            return True
        model, view = self.model, self._view()
        if action in ("compare", "toggle_stack", "uncomposed"):
            return self._highlighted_file() is not None
        if action == "merged":
            return bool(model.merge_specs(self._highlighted_file()))
        if action == "show_view" and parameters:
            target = parameters[0]
            if target == view:
                return False
            return model.check is not None if target == "configs-defaults" else model.comparison is not None
        if action == "walk":
            return model.check is not None if view == "configs-merged" else bool(model.changes)
        if action == "toggle_resolved":
            return model.check is not None
        if action == "back":
            return self.back_step() is not None
        return True

    # messages from other panes ---------------------------------------------------------------------
    def on_open_config_revision(self, message: OpenConfigRevision) -> None:
        message.stop()
        self.open_revision(message.path, message.old_rev, message.new_rev)
