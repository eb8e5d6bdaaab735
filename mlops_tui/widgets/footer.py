"""The app's footer: Textual's, with the keys that must never be cut (`? Help`, `q Quit`) first, then the keys
the pane ranks first, and only the keys that fit whole."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer


def key_width(key: Any) -> int:
    """The cells a FooterKey (Footer's own, not public) takes in Footer's default style: ` k ` then
    `Description `."""
    return cell_len(key.key_display) + 2 + (cell_len(key.description) + 1 if key.description else 0)


class AppFooter(Footer):
    """Textual's Footer lists the focused widget's keys first and the app's last, and cuts whatever passes
    the right edge: at 80 columns `? Help` and `q Quit` fell off four panes, Metrics cut `u User` to `u Us`
    and the Logs cluster view lost `s Export` and `v Source`. Here the app's ESSENTIAL actions come first,
    then the keys a widget of the focus chain lists in its FOOTER_FIRST (binding ids, most needed first), then
    the rest in Textual's order; a key that does not fit whole is left out (every key stays in `?` help),
    and a shorter one after it may still take the room."""

    ESSENTIAL = ("help", "quit")

    FOOTER_FIRST: ClassVar[tuple[str, ...]] = ()
    """(On any widget, read here) binding ids whose keys the footer keeps first when it is short of room."""

    def compose(self) -> ComposeResult:
        keys = list(super().compose())  # (Footer yields its keys; grouped keys, which we do not use, it mounts)
        palette = [k for k in keys if "-command-palette" in k.classes]
        keys = [k for k in keys if k not in palette]
        room = (self.app.size.width or 80) - sum(key_width(k) for k in palette)
        kept: list[Any] = []
        for key in sorted(keys, key=self._rank):
            if key_width(key) <= room:
                kept.append(key)
                room -= key_width(key)
        yield from kept
        yield from palette

    def _rank(self, key: Any) -> tuple[int, int]:
        action = getattr(key, "action", None)
        if action in self.ESSENTIAL:
            return 0, self.ESSENTIAL.index(action)
        first = self._first_ids()
        active = self.screen.active_bindings.get(key.key)
        binding_id = active.binding.id if active is not None else None
        if binding_id in first:
            return 1, first.index(binding_id)
        return 2, 0  # (a stable sort: Textual's order)

    def _first_ids(self) -> list[str]:
        """FOOTER_FIRST of every widget that owns a shown key, nearest the focus first."""
        ids: list[str] = []
        for active in self.screen.active_bindings.values():
            for binding_id in getattr(active.node, "FOOTER_FIRST", ()):
                if binding_id not in ids:
                    ids.append(binding_id)
        return ids

    def on_resize(self, event: events.Resize) -> None:
        """Which keys fit depends on the width: choose again (Footer itself recomposes on key changes only)."""
        self.call_after_refresh(self.recompose)
