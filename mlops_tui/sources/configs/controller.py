"""The Configs pane's state and input grammar, without a screen: the pane renders a ConfigsModel and turns keys
into its calls; `mlops-tui config diff|merge|validate` use the same functions (list_mode_for, diff_options,
split_items and validate_stack in stack.py).

State: the listed files, the stack being built (space) and the compare base (c), how lists are diffed, raw or
resolved values, whether ${oc.env:...} resolves, the diff shown (its pair and changes, the change walked to)
and the merged stack shown with its validation (composed by Hydra, or as written after u). Runs (diff, merge) are numbered: a result of a run that a newer
one replaced is discarded.
"""

from __future__ import annotations

from pathlib import Path

from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.sources.base import SourceStatus
from mlops_tui.sources.configs.compare import Comparison, compare
from mlops_tui.sources.configs.compose import defaults_rows, hydra_project
from mlops_tui.sources.configs.diff import Change, DiffOptions, ListMode
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.keypath import KeyPath
from mlops_tui.sources.configs.loading import list_configs
from mlops_tui.sources.configs.stack import StackCheck, group_targets, validate_stack, validation_target

MAX_FILES = 2000
NAME = "configs"
"""The source name the status line gives the pane."""


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def find_files(paths: list[str], cwd: Path | None) -> list[str]:
    """Config files named by the settings: files as given, folders expanded (at most MAX_FILES)."""
    out: list[str] = []
    for spec in paths:
        try:
            names = list_configs(spec, cwd)
        except ConfigError:
            names = None
        if names is None:
            base = cwd or Path.cwd()
            if (base / spec).is_file() or ":" in spec:
                out.append(spec)
            continue
        out.extend(name if spec in (".", "./") else f"{spec.rstrip('/')}/{name}" for name in names)
        if len(out) >= MAX_FILES:
            break
    return out[:MAX_FILES]


def list_mode_for(ignore_order: bool, list_key: str | None) -> ListMode:
    """How lists are compared first: as multisets when order is ignored, by a key when one is named."""
    return ListMode.SET if ignore_order else (ListMode.KEY if list_key else ListMode.POSITION)


def diff_options(mode: ListMode, list_key: str | None) -> DiffOptions:
    return DiffOptions(mode, list_key if mode is ListMode.KEY else None)


class ConfigsModel:
    """What the Configs pane shows and what its keys change."""

    def __init__(self, settings: ConfigsSettings, cwd: Path | None = None) -> None:
        self.settings = settings
        self.cwd = cwd
        self.files: list[str] = []
        self.stack: list[str] = list(settings.stack)
        self.base: str | None = None
        self.list_mode = list_mode_for(settings.ignore_order, settings.list_key)
        self.resolved = True
        self.resolve_env = settings.resolve_env
        self.reveal_all = settings.reveal_secrets
        self.comparison: Comparison | None = None
        self.check: StackCheck | None = None
        self.change_index = -1
        self.merged_reveal: set[KeyPath] = set()
        self.reported = False  # a diff, a merge or a failure already says what the pane shows
        self.requested: list[str] = []  # the files of the last merge asked for (u shows them uncomposed)
        self.generation = 0
        self.diff_specs: tuple[str, str | None] | None = None  # what the last diff was asked for (o diffs it again)

    # --- runs: the pane's workers call these in a thread ------------------------------------------------
    def begin(self) -> int:
        """A new diff or merge run; its number (results of older runs are stale)."""
        self.generation += 1
        return self.generation

    def current(self, generation: int) -> bool:
        return generation == self.generation

    def list_files(self) -> list[str]:
        return find_files(self.settings.paths, self.cwd)

    def compare(self, old: str, new: str | None, mode: ListMode) -> Comparison:
        self.diff_specs = (old, new)
        with self.hydra_project():
            return compare(old, new, diff_options(mode, self.settings.list_key), self.cwd)

    def hydra_project(self):  # noqa: ANN201 - a context manager
        """While composing: the Hydra config folder and primary config the settings name."""
        settings = self.settings
        return hydra_project(settings.hydra_config_path, settings.hydra_config_name, self.cwd, settings.hydra_modules,
                             settings.model_path, settings.modules_refusal())

    def merge(self, specs: list[str], resolve_env: bool, compose: bool = True) -> StackCheck:
        """Merge and validate specs (composed by Hydra, or as written with compose False)."""
        settings = self.settings
        with self.hydra_project():
            return validate_stack(specs, list(settings.overrides), validation_target(settings),
                                  list_merge=settings.list_merge, resolve_env=resolve_env, cwd=self.cwd, compose=compose,
                                  groups=group_targets(settings))

    # --- the file list, the stack and the compare base --------------------------------------------------
    def files_title(self) -> str:
        """The list's title: its one configured folder, relative to the working folder when under it, else by its
        name (a long absolute temporary path told nothing and hid the rest)."""
        if len(self.settings.paths) != 1:
            return "files"
        folder = self.settings.paths[0]
        shown = self._relative(folder)
        return shown if shown != folder or not Path(folder).is_absolute() else Path(folder).name + "/"

    def _relative(self, path: str) -> str:
        if not Path(path).is_absolute():
            return path
        try:
            return str(Path(path).relative_to(self.cwd or Path.cwd()))
        except ValueError:
            return path

    def display(self, spec: str) -> str:
        """spec as titles and headers write it: a path as given when relative; an absolute one without the
        configured folder (the list's title), else relative to the working folder when under it, so a long
        temporary path does not push the file name off the title; REV:path keeps its REV, a stack each part."""
        if "+" in spec and not Path(spec).exists():
            return "+".join(self.display(part) for part in spec.split("+"))
        rev, colon, path = spec.partition(":")
        if colon and rev and "/" not in rev:
            return f"{rev}:{self._relative(path)}"  # (a path in the repository, as git names it)
        if not Path(spec).is_absolute():
            return spec
        shortened = self.short(spec)
        return shortened if shortened != spec else self._relative(spec)

    def short(self, spec: str) -> str:
        """spec without the configured folder it was found in (the folder is the list's title)."""
        paths = self.settings.paths
        prefix = paths[0].rstrip("/") + "/" if len(paths) == 1 else None
        return spec[len(prefix):] if prefix and spec.startswith(prefix) else spec

    def file_marks(self, spec: str) -> str:
        """`1+◆`: its place in the stack, ◆ for the compare base ('' for neither)."""
        marks = f"{self.stack.index(spec) + 1}+" if spec in self.stack else ""
        return marks + ("◆" if spec == self.base else "")

    def file_label(self, spec: str) -> str:
        """`1+◆ name`: its place in the stack, ◆ for the compare base."""
        marks = self.file_marks(spec)
        return f"{marks:>2} {self.short(spec)}" if marks else f"   {self.short(spec)}"

    def show_files(self, files: list[str]) -> SourceStatus | None:
        """The listed files; the status to report, or None when a diff, merge or failure already reports it."""
        self.files = files
        if self.reported:
            return None
        if files:
            return SourceStatus.ok(NAME, _count(len(files), "config file"))
        return SourceStatus.absent(NAME, "no configs: create ./configs/ or set configs.paths=[PATH,...]")

    def pair_with(self, spec: str) -> tuple[str, str] | None:
        """Enter on spec: the pair (base, spec) to diff when another file is the base; None: merge spec alone."""
        return (self.base, spec) if self.base and self.base != spec else None

    def mark_base(self, spec: str) -> tuple[str, str] | None:
        """c on spec: the pair (base, spec) to diff; or, on the base itself or with no base, (un)mark it: None."""
        if self.base is not None and self.base != spec:
            return self.base, spec
        self.base = None if self.base == spec else spec
        return None

    def base_text(self) -> str:
        return (f"compare base: {self.display(self.base)} — highlight another file and press c or enter" if self.base
                else "compare base cleared")

    def toggle_stack(self, spec: str) -> str:
        """space on spec: add it to the stack or take it out; the title to show."""
        if spec in self.stack:
            self.stack.remove(spec)
        else:
            self.stack.append(spec)
        return f"stack: {' + '.join(map(self.display, self.stack)) or '(empty)'} — m: show merged"

    def merge_specs(self, highlighted: str | None) -> list[str]:
        """m: the stack, else the highlighted file alone."""
        return self.stack or ([highlighted] if highlighted else [])

    def ask_merge(self, specs: list[str]) -> None:
        """A merge was asked for (it may fail: u then shows these files uncomposed)."""
        self.requested = list(specs)

    def uncomposed_specs(self, highlighted: str | None) -> list[str]:
        """u: the files of the last merge asked for, else the highlighted file, to show as written."""
        return self.requested or ([highlighted] if highlighted else [])

    # --- the diff ----------------------------------------------------------------------------------------
    @property
    def diff_pair(self) -> tuple[str, str] | None:
        return (self.comparison.old.label, self.comparison.new.label) if self.comparison else None

    @property
    def shown_pair(self) -> tuple[str, str]:
        """The diff pair as titles write it (display)."""
        old, new = self.diff_pair or ("", "")
        return self.display(old), self.display(new)

    def mode_text(self) -> str:
        return f"lists by {self.list_mode.value}" + (f" ({self.settings.list_key})" if self.list_mode is ListMode.KEY else "")

    def cycle_list_mode(self) -> tuple[str, str | None] | None:
        """o: the next way to compare lists; the pair to diff again, or None when no diff is shown."""
        modes = [ListMode.POSITION, ListMode.SET] + ([ListMode.KEY] if self.settings.list_key else [])
        self.list_mode = modes[(modes.index(self.list_mode) + 1) % len(modes)] if self.list_mode in modes else ListMode.POSITION
        return self.diff_specs if self.comparison is not None else None

    def show_diff(self, comparison: Comparison) -> SourceStatus:
        self.comparison = comparison
        self.change_index = -1
        self.reported = True
        return SourceStatus.ok(NAME, f"diff: {comparison.result.summary()}")

    def diff_title(self) -> str:
        old, new = self.shown_pair
        return f"{old} → {new}: {self.comparison.result.summary() if self.comparison else ''} · {self.mode_text()}"

    @property
    def changes(self) -> list[Change]:
        return self.comparison.result.changes if self.comparison else []

    def walk(self, step: int) -> Change | None:
        """n/p: the next/previous change (wrapping), or None when there is none."""
        changes = self.changes
        if not changes:
            return None
        self.change_index = (self.change_index + step) % len(changes)
        return changes[self.change_index]

    def walk_text(self, change: Change) -> str:
        return f"change {self.change_index + 1}/{len(self.changes)}: {change.where} ({change.kind.value.replace('_', ' ')})"

    def find_change(self, text: str) -> Change | None:
        """/ in the diff tree: the next change whose key path contains text (case-insensitive), walked to."""
        needle, changes = text.strip().lower(), self.changes
        order = list(range(self.change_index + 1, len(changes))) + list(range(0, self.change_index + 1))
        for index in order:
            if needle in changes[index].where.lower():
                self.change_index = index - 1
                return self.walk(1)
        return None

    # --- the merged stack --------------------------------------------------------------------------------
    def toggle_env(self) -> tuple[list[str], bool] | None:
        """e: resolve ${oc.env:...} or not; the specs to merge again and whether they are composed, or None when
        no stack is shown."""
        self.resolve_env = not self.resolve_env
        return (self.check.specs, self.check.compose) if self.check is not None else None

    def env_text(self) -> str:
        return "${oc.env:...} will be " + ("resolved" if self.resolve_env else "left unresolved")

    def show_check(self, check: StackCheck) -> SourceStatus:
        self.check = check
        self.merged_reveal = set()
        self.reported = True
        return self.check_status()

    def reveal(self) -> set[KeyPath]:
        """The merged rows whose secrets show: those revealed with x, or all with configs.reveal_secrets."""
        if self.reveal_all and self.check is not None:
            return {e.path for e in self.check.merged.entries}
        return self.merged_reveal

    def check_title(self) -> str:
        check = self.check
        assert check is not None
        merged = check.merged
        text = f"{'merged' if check.compose else 'uncomposed'} {' + '.join(map(self.display, check.specs))}"
        text += (f" + {len(check.overrides)} override(s)" if check.overrides else "") + f": {len(merged.entries):,} keys"
        if merged.composition is not None:
            text += f" · composed by Hydra from {len(defaults_rows(merged.composition))} defaults (t)"
        if check.against:
            if check.violations:
                text += f" · {_count(len(check.violations), 'validation error')} ({check.against})"
            elif check.missing:
                text += f" · the rest valid ({check.against})"
            else:
                text += f" · valid ({check.against})"
        if check.skipped:
            text += f" · {check.skipped}"
        if merged.missing:
            text += f" · {_count(len(merged.missing), 'missing value')} (???)" + (" not validated" if check.missing else "")
        unresolved = len(merged.problems) - len(merged.missing)
        if unresolved:
            text += f" · {unresolved} unresolved"
        return text + " · " + ("resolved" if self.resolved else "raw") + (" +env" if self.resolve_env else "")

    def check_status(self) -> SourceStatus:
        check = self.check
        assert check is not None
        if check.error:
            return SourceStatus.failing(NAME, check.error, "check configs.model / configs.model_path / configs.schema_file / configs.group_schemas")
        brief = f"merged {_count(len(check.specs), 'file')}: {len(check.merged.entries):,} keys"
        if check.against:
            brief += f", {_count(len(check.violations), 'validation error')}"
        missing = check.merged.missing
        if missing:
            first = missing[0]
            more = f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""
            brief += (f", missing (???): {first.key}{more} from {first.source}: give it a value"
                      + (", not validated until then" if check.missing else ""))
        return SourceStatus.ok(NAME, brief)

    def problems(self) -> list[tuple[KeyPath, str]]:
        """The problems list under the merged view: (key path to move to, line)."""
        check = self.check
        if check is None:
            return []
        items: list[tuple[KeyPath, str]] = [((), f"validation not run: {check.error}")] if check.error else []
        items += [(v.path, f"✗ {v.key}: {v.message}") for v in check.violations]
        for entry in check.merged.problems:
            if entry.missing:
                items.append((entry.path, f"? {entry.key}: missing value (???) from {entry.source}: give it a value"
                                          + (" (not validated)" if check.missing else "")))
            elif entry.error:
                items.append((entry.path, f"✗ {entry.key}: {entry.error}"))
        return items

    # --- failures ----------------------------------------------------------------------------------------
    def failed(self, error: BaseException | None, run: bool) -> tuple[str, SourceStatus]:
        """A run (diff, merge) or the file listing failed: the message and the status; the last good view stays."""
        self.reported = run
        message = str(error) if isinstance(error, ConfigError) else f"{type(error).__name__}: {error}"
        return message, SourceStatus.failing(NAME, message, "the last good view is kept; fix the file, pick another, or u: show it uncomposed")
