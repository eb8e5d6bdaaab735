"""Command palette entries (Ctrl+P, or `:` as in k9s): jump to a pane, every pane action that has a key,
`/` (search or filter) on each pane that has one, what a pane offers by name (`palette_commands`: Configs
opens each listed file), switch theme, zoom, open help. The pane actions are generated from the panes'
bindings, not kept by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import inspect
from functools import partial

from textual.actions import parse
from textual.command import DiscoveryHit, Hit, Hits, Provider

from mlops_tui.textual_compat import bindings_by_key

NAVIGATION = frozenset({"cursor", "page", "scroll_top", "scroll_bottom", "top"})
"""Actions that move a cursor or scroll: keys, not commands."""


class PaneCommands(Provider):
    """Commands of mlops-tui itself in the palette."""

    def _pane_actions(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """One command per binding of a pane or a widget of ours inside it: `Logs: Level`, run on the widget
        that owns the binding, after showing its pane."""
        app = self.app
        titles = dict(app.PANES)
        for pane_id, pane in app.built_panes().items():
            seen: set[str] = set()
            for node in [pane, *pane.walk_children(with_self=False)]:
                if not type(node).__module__.startswith("mlops_tui."):
                    continue
                for key, bindings in bindings_by_key(node).items():
                    for binding in bindings:
                        action = parse(binding.action)[1]
                        # only ours have ids: the cursor keys our tables inherit from Textual's are not commands
                        if not binding.id or action in NAVIGATION or not binding.description \
                                or binding.description in seen:
                            continue
                        seen.add(binding.description)
                        name = f"{titles[pane_id]}: {binding.description}"
                        help_text = f"key {app.get_key_display(binding)} · {binding.id}"
                        yield name, help_text, partial(self._run, pane_id, node, binding.action)

    def _pane_extras(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """`/` of each pane that has a search (the app's key, so no binding of the pane names it), and the
        commands a pane lists itself (palette_commands: (name, help, callback))."""
        app = self.app
        titles = dict(app.PANES)
        for pane_id, pane in app.built_panes().items():
            if callable(getattr(pane, "action_search", None)):
                yield (f"{titles[pane_id]}: Search / filter", "key / · app.search",
                       partial(self._run_callback, pane_id, app.action_search))
            extras = getattr(pane, "palette_commands", None)
            for name, help_text, callback in (extras() if callable(extras) else []):
                yield f"{titles[pane_id]}: {name}", help_text, partial(self._run_callback, pane_id, callback)

    async def _run_callback(self, pane_id: str, callback: Callable[[], object]) -> None:
        self.app.action_show_pane(pane_id)
        if inspect.isawaitable(result := callback()):
            await result

    async def _run(self, pane_id: str, node, action: str) -> None:
        app = self.app
        app.action_show_pane(pane_id)
        _, name, parameters = parse(action)
        if node.check_action(name, parameters) is not True:
            app.notify(f"Not available in what the {dict(app.PANES)[pane_id]} pane shows now.", severity="warning",
                       timeout=3)
            return
        await app.run_action(action, node)

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for pane_id, title in app.PANES:
            commands.append((f"Go to {title}", f"Show the {title} pane", partial(app.action_show_pane, pane_id)))
        commands.extend(self._pane_actions())
        commands.extend(self._pane_extras())
        for name in sorted(app.available_themes):
            if name.startswith("mlops-"):
                commands.append((f"Theme: {name}", "Switch the colour theme", partial(setattr, app, "theme", name)))
        commands.append(("Zoom panel", "key z · app.zoom: the focused panel gets the whole screen (z again: back)",
                         app.action_zoom))
        commands.append(("Keys", "List every key binding of the current pane", app.action_help))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
