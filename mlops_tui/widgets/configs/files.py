"""The Configs pane's file list: the files found, their marks (place in the stack, ◆ compare base), and the
keys that build a stack (space), mark a compare base (c) and merge (m). The model decides; this draws."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from mlops_tui.widgets.text import sanitize


class FileList:
    """Mixed into ConfigsPane (which holds `model`, `open_diff`, `open_merge` and `_title`)."""

    def _render_files(self) -> None:
        options = self.query_one("#configs-files", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        files = self.model.files
        options.add_options([Option(Text(sanitize(self.model.file_label(spec)), no_wrap=True, overflow="ellipsis"))
                             for spec in files])
        if highlighted is not None and files:
            options.highlighted = min(highlighted, len(files) - 1)

    def _highlighted_file(self) -> str | None:
        options = self.query_one("#configs-files", OptionList)
        if options.highlighted is None or not self.model.files:
            return None
        return self.model.files[options.highlighted]

    def _open_file(self, index: int) -> None:
        """enter: diff the compare base → this file, or merge this file alone."""
        spec = self.model.files[index]
        pair = self.model.pair_with(spec)
        if pair:
            self.open_diff(*pair)
        else:
            self.open_merge([spec])

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
