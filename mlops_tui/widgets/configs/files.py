"""The Configs pane's file list: the files found, under a heading per folder (so a narrow list still shows the
file names whole: `ml/versions/` then `train_v1.yaml`), their marks (place in the stack, ◆ compare base), and
the keys that build a stack (space), mark a compare base (c) and merge (m). The model decides; this draws."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mlops_tui.widgets.text import sanitize


class FileList:
    """Mixed into ConfigsPane (which holds `model`, `open_diff`, `open_merge` and `_title`)."""

    option_files: list[str | None]
    """The file of each option of the list (None for a folder heading)."""

    def _render_files(self) -> None:
        options = self.query_one("#configs-files", OptionList)
        current = self._highlighted_file()
        options.clear_options()
        items: list[Option] = []
        self.option_files = []
        folders: dict[str, list[tuple[str, str]]] = {}  # folder -> (spec, name), folders in the order first seen
        for spec in self.model.files:
            head, _, name = self.model.short(spec).rpartition("/")
            folders.setdefault(head, []).append((spec, name))
        # the files of the list's own folder first, without a heading (after one they would read as its files)
        for head, entries in sorted(folders.items(), key=lambda item: item[0] != ""):
            if head:
                items.append(Option(Text(sanitize(head + "/"), style="bold", no_wrap=True, overflow="ellipsis"),
                                    disabled=True))
                self.option_files.append(None)
            for spec, name in entries:
                marks = self.model.file_marks(spec)
                items.append(Option(Text(sanitize(f"{marks:>2} {name}"), no_wrap=True, overflow="ellipsis")))
                self.option_files.append(spec)
        options.add_options(items)
        if self.model.files:  # a file is highlighted from the start: c, space and Enter act at once
            first = next(i for i, spec in enumerate(self.option_files) if spec is not None)  # the first shown
            options.highlighted = self.option_of(current) if current in self.model.files else first

    def option_of(self, spec: str) -> int:
        """The option index of a listed file."""
        return self.option_files.index(spec)

    def _highlighted_file(self) -> str | None:
        options = self.query_one("#configs-files", OptionList)
        index = options.highlighted
        files = getattr(self, "option_files", [])
        if index is None or index >= len(files):
            return None
        return files[index]

    def _open_file(self, index: int) -> None:
        """enter: diff the compare base → this file, or merge this file alone."""
        spec = self.option_files[index]
        if spec is None:
            return
        pair = self.model.pair_with(spec)
        if pair:
            self.open_diff(*pair)
        else:
            self.open_merge([spec])

    def palette_commands(self):
        """The palette's `Configs: Open FILE`, one per listed file (as Enter on it)."""
        return [(f"Open {self.model.display(spec) if spec.startswith('/') else self.model.short(spec)}",
                 "diff against the compare base, or merge it alone (Enter on the file)",
                 partial(self.open_file, spec)) for spec in self.model.files]

    def open_file(self, spec: str) -> None:
        options = self.query_one("#configs-files", OptionList)
        options.highlighted = self.option_of(spec)
        self._open_file(options.highlighted)

    def action_compare(self) -> None:
        """c: mark the highlighted file as the base; on another file, diff base → it."""
        spec = self._highlighted_file()
        if spec is None:
            return
        pair = self.model.mark_base(spec)
        if pair:
            self.open_diff(*pair)
        else:
            self._title(self.model.base_text())
        self._render_files()

    def action_toggle_stack(self) -> None:
        spec = self._highlighted_file()
        if spec is None:
            return
        text = self.model.toggle_stack(spec)
        self._render_files()
        self._title(text)

    def action_merged(self) -> None:
        specs = self.model.merge_specs(self._highlighted_file())
        if specs:
            self.open_merge(specs)
        else:
            self._title("nothing to merge: add files with space (or set configs.stack)", error=True)
