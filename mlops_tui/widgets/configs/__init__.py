"""Configs pane: structural diff, merge with provenance, and validation of ML configs."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from mlops_tui.messages import OpenConfigRevision
from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.configs import ConfigError, ListMode
from mlops_tui.widgets.configs.difftree import DiffTree
from mlops_tui.widgets.configs.lines import LinesView
from mlops_tui.widgets.configs.jobs import DiffWork, MergeWork, diff_options, find_files, run_diff, run_merge
from mlops_tui.widgets.configs.navigation import Navigation
from mlops_tui.widgets.configs.rows import RevealAll, defaults_view_rows, merged_rows, side_by_side
from mlops_tui.widgets.pane import Pane, SourceNote, focus_now
from mlops_tui.widgets.text import literal, sanitize

VIEWS = ("configs-tree", "configs-side", "configs-merged", "configs-defaults")


class ConfigsPane(Navigation, Pane):
    """Config files: diff by key path, merged stack with provenance, validation. Option: cwd= (a folder that
    relative paths and REV:path are read from; default the working directory)."""

    DEFAULT_CSS = """
    ConfigsPane #configs-body { height: 1fr; }
    ConfigsPane #configs-files { width: 28%; min-width: 20; max-width: 40; height: 1fr; background: $surface; text-wrap: nowrap; text-overflow: ellipsis; }
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
    ]

    def __init__(self, settings: ConfigsSettings, cwd: Path | str | None = None, **options) -> None:
        super().__init__(id="configs-pane")
        self.settings = settings
        self.cwd = Path(cwd) if cwd is not None else None
        self.files: list[str] = []
        self.stack: list[str] = list(settings.stack)
        self.base: str | None = None
        self.list_mode = ListMode.SET if settings.ignore_order else (ListMode.KEY if settings.list_key else ListMode.POSITION)
        self.resolved = True
        self.resolve_env = settings.resolve_env
        self.diff_work: DiffWork | None = None
        self.merge_work: MergeWork | None = None
        self.change_index = -1
        self.side_file: str | None = None
        self.reveal_all = settings.reveal_secrets
        self.merged_reveal: set = set()
        self.side_reveal: set = RevealAll() if self.reveal_all else set()
        self.side_rows = None
        self.reported = False
        self.requested: list[str] = []  # the files of the last merge asked for (u shows them uncomposed)

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
        if len(self.settings.compare) == 2:
            self.open_diff(*self.settings.compare)
        elif self.stack:
            self.open_merge(self.stack)

    def focus_default(self) -> None:
        focus_now(self.query_one("#configs-files", OptionList))

    @work(exclusive=True, group="configs-files", exit_on_error=False, thread=True)
    def _list_files(self) -> list[str]:
        return find_files(self.settings.paths, self.cwd)

    def open_diff(self, old: str, new: str) -> None:
        """Diff two configs (files, REV:path, folders or stacks a+b) by key path."""
        self._title(f"diff {old} → {new} …")
        self._run_diff(old, new)

    def open_revision(self, path: str, old_rev: str, new_rev: str) -> None:
        """Diff one config between two git revisions."""
        self.open_diff(f"{old_rev}:{path}", f"{new_rev}:{path}")

    def open_merge(self, specs: list[str], compose: bool = True) -> None:
        self.requested = list(specs)
        self._title(f"merge {' + '.join(specs)} …" if compose else f"{' + '.join(specs)} uncomposed …")
        self._run_merge(list(specs), list(self.settings.overrides), self.resolve_env, compose)

    @work(exclusive=True, group="configs", exit_on_error=False, thread=True)
    def _run_diff(self, old: str, new: str) -> DiffWork:
        return run_diff(old, new, diff_options(self.settings, self.list_mode), self.cwd, self.reveal_all)

    @work(exclusive=True, group="configs", exit_on_error=False, thread=True)
    def _run_merge(self, specs: list[str], overrides: list[str], resolve_env: bool, compose: bool = True) -> MergeWork:
        return run_merge(self.settings, specs, overrides, resolve_env, self.cwd, compose)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.SUCCESS:
            result = worker.result
            if worker.group == "configs-files":
                self._show_files(result)
            elif isinstance(result, DiffWork):
                self.reported = True
                self._show_diff(result)
            elif isinstance(result, MergeWork):
                self.reported = True
                self._show_merge(result)

    def worker_failed(self, worker: Worker, error: BaseException | None) -> None:
        """A file that cannot be read or merged: the last good view is kept (widgets/pane.py's one handler)."""
        self.reported = worker.group == "configs"
        message = str(error) if isinstance(error, ConfigError) else f"{type(error).__name__}: {error}"
        self._title(message, error=True)
        status = SourceStatus.failing("configs", message, "the last good view is kept; fix the file, pick another, or u: show it uncomposed")
        self.query_one(SourceNote).show(status)
        self.report(status)

    # files --------------------------------------------------------------------------------------
    def _show_files(self, files: list[str]) -> None:
        self.files = files
        self._render_files()
        self.query_one("#configs-files", OptionList).border_title = sanitize(self.settings.paths[0] if len(self.settings.paths) == 1 else "files", 26)
        if self.reported:
            return  # a diff, merge or error already reports the pane's state
        if files:
            status = SourceStatus.ok("configs", f"{len(files)} config file{'s' if len(files) != 1 else ''}")
        else:
            status = SourceStatus.absent("configs", "no configs: create ./configs/ or set configs.paths=[PATH,...]")
        self.query_one(SourceNote).show(status)
        self.report(status)

    def _render_files(self) -> None:
        options = self.query_one("#configs-files", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for spec in self.files:
            marks = ""
            if spec in self.stack:
                marks += f"{self.stack.index(spec) + 1}+"
            if spec == self.base:
                marks += "◆"
            label = Text(sanitize(f"{marks:>2} {self._short(spec)}" if marks else f"   {self._short(spec)}"), no_wrap=True, overflow="ellipsis")
            options.add_option(Option(label))
        if highlighted is not None and self.files:
            options.highlighted = min(highlighted, len(self.files) - 1)

    def _short(self, spec: str) -> str:
        """spec without the configured folder it was found in (the folder is the list's title)."""
        for root in self.settings.paths:
            prefix = root.rstrip("/") + "/"
            if spec.startswith(prefix) and len(self.settings.paths) == 1:
                return spec[len(prefix):]
        return spec

    def _highlighted_file(self) -> str | None:
        options = self.query_one("#configs-files", OptionList)
        if options.highlighted is None or not self.files:
            return None
        return self.files[options.highlighted]

    @on(OptionList.OptionSelected, "#configs-files")
    def _file_selected(self, event: OptionList.OptionSelected) -> None:
        spec = self.files[event.option_index]
        if self.base and self.base != spec:
            self.open_diff(self.base, spec)
        else:
            self.open_merge([spec])

    @on(OptionList.OptionSelected, "#configs-problems")
    def _problem_selected(self, event: OptionList.OptionSelected) -> None:
        view = self.query_one("#configs-merged", LinesView)
        index = view.rows.index_of(self._problem_paths[event.option_index]) if hasattr(view.rows, "index_of") else None
        if index is not None:
            self.action_show_view("configs-merged")
            view.move_to(index)
            view.focus()

    def action_compare(self) -> None:
        """c: mark the highlighted file as the base; on another file, diff base → it."""
        spec = self._highlighted_file()
        if spec is None:
            return
        if self.base is None or self.base == spec:
            self.base = None if self.base == spec else spec
            self._title(f"compare base: {spec} — highlight another file and press c or enter" if self.base else "compare base cleared")
        else:
            self.open_diff(self.base, spec)
        self._render_files()

    def action_toggle_stack(self) -> None:
        spec = self._highlighted_file()
        if spec is None:
            return
        if spec in self.stack:
            self.stack.remove(spec)
        else:
            self.stack.append(spec)
        self._render_files()
        self._title(f"stack: {' + '.join(self.stack) or '(empty)'} — m: show merged")

    def action_merged(self) -> None:
        specs = self.stack or ([self._highlighted_file()] if self._highlighted_file() else [])
        if specs:
            self.open_merge(specs)
        else:
            self._title("nothing to merge: add files with space (or set configs.stack)", error=True)

    # diff -----------------------------------------------------------------------------------------
    def _show_diff(self, work: DiffWork) -> None:
        self.diff_work = work
        self.change_index = -1
        comparison = work.comparison
        result = comparison.result
        tree = self.query_one(DiffTree)
        tree.reveal = set()
        tree.reveal_all = self.reveal_all
        tree.show_result(f"{work.old} → {work.new}", result, comparison.old.data, comparison.new.data, comparison.old.is_dir)
        self.side_file = None
        self.side_reveal = RevealAll() if self.reveal_all else set()
        self._fill_side(None, fresh=True)
        mode = f"lists by {self.list_mode.value}" + (f" ({self.settings.list_key})" if self.list_mode is ListMode.KEY else "")
        self._title(f"{work.old} → {work.new}: {result.summary()} · {mode}")
        self.action_show_view("configs-tree") if self._view() == "configs-merged" else None
        status = SourceStatus.ok("configs", f"diff: {result.summary()}")
        self.query_one(SourceNote).show(status)
        self.report(status)

    def _fill_side(self, file: str | None, fresh: bool = False) -> None:
        if self.diff_work is None:
            return
        comparison = self.diff_work.comparison
        if fresh and self.diff_work.side is not None:
            self._show_side(self.diff_work.side, None)
            return
        old, new = comparison.old.data, comparison.new.data
        if comparison.old.is_dir:
            old, new = old.get(file) if file else None, new.get(file) if file else None
        reveal = self.side_reveal
        rows = side_by_side(old, new, comparison.result, file, reveal) if (old is not None or new is not None) else None
        left, right = self.query_one("#configs-side-old", LinesView), self.query_one("#configs-side-new", LinesView)
        self.side_file = file
        if rows is None:
            left.set_rows([], "directories: press n to walk to a change; its file shows here")
            right.set_rows([], "")
            return
        self._show_side(rows, file)

    def _show_side(self, rows, file: str | None) -> None:
        left, right = self.query_one("#configs-side-old", LinesView), self.query_one("#configs-side-new", LinesView)
        self.side_file = file
        self.side_rows = rows
        left.set_rows(rows.left, "(empty)")
        right.set_rows(rows.right, "(empty)")
        left.border_title = sanitize(f"{self.diff_work.old}" + (f" · {file}" if file else ""))
        right.border_title = sanitize(f"{self.diff_work.new}" + (f" · {file}" if file else ""))

    def action_walk(self, step: int) -> None:
        """n/p: the next/previous change (diff views) or problem (merged view)."""
        view = self._view()
        if view == "configs-merged":
            self._walk_rows(self.query_one("#configs-merged", LinesView), step)
            return
        if self.diff_work is None or not self.diff_work.comparison.result.changes:
            self._title("no changes to walk", error=self.diff_work is None)
            return
        changes = self.diff_work.comparison.result.changes
        self.change_index = (self.change_index + step) % len(changes)
        change = changes[self.change_index]
        self._title(f"change {self.change_index + 1}/{len(changes)}: {change.where} ({change.kind.value.replace('_', ' ')})")
        if view == "configs-tree":
            self.query_one(DiffTree).select_change(change)
        else:
            self._side_to(change)

    @on(LinesView.CursorMoved)
    def _sync_side(self, event: LinesView.CursorMoved) -> None:
        ids = {"configs-side-old": "#configs-side-new", "configs-side-new": "#configs-side-old"}
        other_id = ids.get(event.view.id or "")
        if other_id:
            other = self.query_one(other_id, LinesView)
            if other.cursor != event.index:
                other.cursor = event.index
                other.scroll_to(y=event.view.scroll_offset.y, animate=False, immediate=True)

    def action_list_mode(self) -> None:
        modes = [ListMode.POSITION, ListMode.SET] + ([ListMode.KEY] if self.settings.list_key else [])
        self.list_mode = modes[(modes.index(self.list_mode) + 1) % len(modes)] if self.list_mode in modes else ListMode.POSITION
        if self.diff_work is not None:
            self.open_diff(self.diff_work.old, self.diff_work.new)
        else:
            self._title(f"lists compared by {self.list_mode.value}")

    # merged ---------------------------------------------------------------------------------------
    def _show_merge(self, work: MergeWork) -> None:
        self.merge_work = work
        self.merged_reveal = set()
        self._fill_merged()
        self.action_show_view("configs-merged")
        merged = work.merged
        problems = len(merged.problems)
        text = f"{'merged' if work.compose else 'uncomposed'} {' + '.join(work.specs)}" + (f" + {len(work.overrides)} override(s)" if work.overrides else "")
        text += f": {len(merged.entries):,} keys"
        if merged.composition is not None:
            text += f" · composed by Hydra from {len(defaults_view_rows(merged))} defaults (t)"
        if work.against:
            text += f" · {len(work.violations)} validation error{'s' if len(work.violations) != 1 else ''} ({work.against})" if work.violations else f" · valid ({work.against})"
        if work.validation_note:
            text += f" · {work.validation_note}"
        if problems:
            text += f" · {problems} unresolved/missing"
        text += " · " + ("resolved" if self.resolved else "raw") + (" +env" if self.resolve_env else "")
        self._title(text, error=bool(work.validation_error))
        if work.validation_error:
            status = SourceStatus.failing("configs", work.validation_error, "check configs.model / configs.model_path / configs.schema_file")
        else:
            brief = f"merged {len(work.specs)} file{'s' if len(work.specs) != 1 else ''}: {len(merged.entries):,} keys"
            if work.against:
                brief += f", {len(work.violations)} validation error{'s' if len(work.violations) != 1 else ''}"
            status = SourceStatus.ok("configs", brief)
        self.query_one(SourceNote).show(status)
        self.report(status)

    def _fill_merged(self) -> None:
        work = self.merge_work
        if work is None:
            return
        reveal = self.merged_reveal
        if self.reveal_all:
            reveal = {e.path for e in work.merged.entries}
        view = self.query_one("#configs-merged", LinesView)
        view.set_rows(merged_rows(work.merged, self.resolved, work.violations, reveal), "(empty config)")
        view.border_title = sanitize(" + ".join(work.specs))
        defaults = self.query_one("#configs-defaults", LinesView)
        defaults.set_rows(defaults_view_rows(work.merged), "no defaults list: the file is not composed by Hydra")
        defaults.border_title = sanitize(f"defaults of {' + '.join(work.specs)}, in merge order")
        problems = self.query_one("#configs-problems", OptionList)
        problems.clear_options()
        self._problem_paths = []
        items: list[tuple[tuple, str]] = []
        if work.validation_error:
            items.append(((), f"validation not run: {work.validation_error}"))
        items += [(v.path, f"✗ {v.key}: {v.message}") for v in work.violations]
        for entry in work.merged.problems:
            if entry.missing:
                items.append((entry.path, f"? {entry.key}: missing value (???) from {entry.source}"))
            elif entry.error:
                items.append((entry.path, f"✗ {entry.key}: {entry.error}"))
        for path, text in items:
            self._problem_paths.append(path)
            problems.add_option(Option(literal(text, limit=300)))
        problems.border_title = f"{len(items)} problem{'s' if len(items) != 1 else ''}"
        problems.set_class(not items, "-empty")

    _problem_paths: list = []

    def action_toggle_resolved(self) -> None:
        self.resolved = not self.resolved
        if self.merge_work is not None:
            self._show_merge(self.merge_work)

    def action_uncomposed(self) -> None:
        """u: the file as written (its defaults list kept as data), e.g. when Hydra cannot compose it."""
        specs = self.requested or ([self._highlighted_file()] if self._highlighted_file() else [])
        if specs:
            self.open_merge(specs, compose=False)

    def action_toggle_env(self) -> None:
        self.resolve_env = not self.resolve_env
        if self.merge_work is not None:
            self.open_merge(self.merge_work.specs, self.merge_work.compose)
        else:
            self._title("${oc.env:...} will be " + ("resolved" if self.resolve_env else "left unresolved"))

    def action_reveal(self) -> None:
        """x: show or mask the secret under the cursor (this pane only; never logged)."""
        view = self._view()
        if view == "configs-tree":
            path = self.query_one(DiffTree).toggle_reveal()
        elif view == "configs-merged":
            lines = self.query_one("#configs-merged", LinesView)
            path = lines.rows[lines.cursor].path if lines.rows else None
            if path is not None:
                self.merged_reveal ^= {path}
                self._fill_merged()
        else:
            right = self.query_one("#configs-side-new", LinesView)
            path = right.rows[right.cursor].path if right.rows else None
            if path is not None and self.side_rows is not None:
                self.side_rows.toggle_reveal(path)
                self.query_one("#configs-side-old", LinesView).refresh()
                right.refresh()
        if path is None:
            self._title("no value under the cursor to reveal")

    # find -----------------------------------------------------------------------------------------
    def action_search(self) -> None:
        """/: find a key path in the current view (diff changes, side by side or merged rows)."""
        box = self.query_one("#configs-find", Input)
        box.add_class("-open")
        focus_now(box)

    @on(Input.Submitted, "#configs-find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        self.find(event.value)

    def on_key(self, event) -> None:
        box = self.query_one("#configs-find", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.remove_class("-open")
            self.focus_view()

    # views ----------------------------------------------------------------------------------------
    def _view(self) -> str:
        return self.query_one("#configs-views", ContentSwitcher).current or "configs-tree"

    def action_show_view(self, view: str) -> None:
        self.query_one("#configs-views", ContentSwitcher).current = view
        self.query_one("#configs-problems", OptionList).display = view == "configs-merged"
        target = {"configs-tree": "#configs-tree", "configs-side": "#configs-side-new", "configs-merged": "#configs-merged",
                  "configs-defaults": "#configs-defaults"}[view]
        if self.query_one("#configs-files", OptionList).has_focus and view != "configs-merged":
            return
        self.query_one(target).focus()

    def _title(self, text: str, error: bool = False) -> None:
        title = self.query_one("#configs-title", Static)
        title.update(literal(text, limit=400))
        title.set_class(error, "-error")

    # messages from other panes ---------------------------------------------------------------------
    def on_open_config_revision(self, message: OpenConfigRevision) -> None:
        message.stop()
        self.open_revision(message.path, message.old_rev, message.new_rev)
