"""Command palette entries: jump to a pane, switch theme, open help."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class PaneCommands(Provider):
    """Commands of mlops-tui itself in the Ctrl+P palette."""

    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        commands: list[tuple[str, str, object]] = []
        for pane_id, title in app.PANES:
            commands.append((f"Go to {title}", f"Show the {title} pane", partial(app.action_show_pane, pane_id)))
        for name in sorted(app.available_themes):
            if name.startswith("mlops-"):
                commands.append((f"Theme: {name}", "Switch the colour theme", partial(setattr, app, "theme", name)))
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
