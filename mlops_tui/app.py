"""The App: five panes in tabs, a status line, help, palette and themes. Nothing else lives here."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Footer, Header, TabbedContent, TabPane

from mlops_tui.messages import OpenConfigRevision, SourceStatusChanged
from mlops_tui.screens.help import HelpScreen
from mlops_tui.screens.palette import PaneCommands
from mlops_tui.settings import Settings
from mlops_tui.themes import load_themes
from mlops_tui.widgets.alerts import AlertsPane
from mlops_tui.widgets.configs import ConfigsPane
from mlops_tui.widgets.logs import LogsPane
from mlops_tui.widgets.metrics import MetricsPane
from mlops_tui.widgets.models import ModelsPane
from mlops_tui.widgets.statusline import StatusLine


class MlopsApp(App[None]):
    """mlops-tui: metrics, models, logs, configs and alerts of an ML system in one terminal."""

    TITLE = "mlops-tui"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {PaneCommands}
    PANES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("metrics", "Metrics"), ("models", "Models"), ("logs", "Logs"), ("configs", "Configs"), ("alerts", "Alerts"),
    )
    BINDINGS = [
        *(Binding(str(n), f"show_pane('{pane}')", title, id=f"app.pane.{pane}", show=False)
          for n, (pane, title) in enumerate(PANES, start=1)),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("slash", "search", "Search", id="app.search", show=False),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("j", "simulate_key('down')", "Down", id="app.vim.down", show=False),
        Binding("k", "simulate_key('up')", "Up", id="app.vim.up", show=False),
        Binding("h", "simulate_key('left')", "Left", id="app.vim.left", show=False),
        Binding("l", "simulate_key('right')", "Right", id="app.vim.right", show=False),
        Binding("g", "jump('top')", "Top", id="app.vim.top", show=False),
        Binding("G", "jump('bottom')", "Bottom", id="app.vim.bottom", show=False),
        Binding("tab", "app.focus_next", "Next widget", id="app.focus_next", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous widget", id="app.focus_previous", show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        config_file: Path | None = None,
        pane_options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.config_file = config_file
        self.pane_options = {name: dict(opts) for name, opts in (pane_options or {}).items()}
        for theme in load_themes().values():
            self.register_theme(theme)
        self.theme = settings.ui.theme
        if settings.ui.keymap:
            self.set_keymap(settings.ui.keymap)

    def compose(self) -> ComposeResult:
        settings, options = self.settings, self.pane_options
        yield Header(show_clock=settings.ui.clock, icon="◆")
        with TabbedContent(id="panes", initial="metrics"):
            with TabPane("1 Metrics", id="metrics"):
                yield MetricsPane(settings.metrics, **options.get("metrics", {}))
            with TabPane("2 Models", id="models"):
                yield ModelsPane(settings.models, **options.get("models", {}))
            with TabPane("3 Logs", id="logs"):
                yield LogsPane(settings.logs, **options.get("logs", {}))
            with TabPane("4 Configs", id="configs"):
                yield ConfigsPane(settings.configs, **options.get("configs", {}))
            with TabPane("5 Alerts", id="alerts"):
                yield AlertsPane(settings.alerts, **options.get("alerts", {}))
        yield StatusLine(id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        source = f"settings: {self.config_file}" if self.config_file else "settings: built-in defaults"
        self.sub_title = source
        self.call_after_refresh(self._focus_first_pane)

    def _focus_first_pane(self) -> None:
        if self.focused is None or self.focused.id == "panes" or type(self.focused).__name__ == "ContentTabs":
            self._focus_pane()

    def _focus_pane(self) -> None:
        """Give the shown pane's main widget the focus, so its keys work at once."""
        focus_default = getattr(self.active_pane(), "focus_default", None)
        if callable(focus_default):
            focus_default()

    def on_source_status_changed(self, message: SourceStatusChanged) -> None:
        self.query_one(StatusLine).set_status(message.status)

    def on_open_config_revision(self, message: OpenConfigRevision) -> None:
        """The Models pane asks for a config diff between two revisions: show it in the Configs pane."""
        message.stop()
        self.action_show_pane("configs")
        self.query_one(ConfigsPane).open_revision(message.path, message.old_rev, message.new_rev)

    @property
    def active_pane_id(self) -> str:
        return self.query_one("#panes", TabbedContent).active

    def active_pane(self) -> DOMNode:
        return self.query_one(f"#{self.active_pane_id}-pane")

    def action_show_pane(self, pane_id: str) -> None:
        self.query_one("#panes", TabbedContent).active = pane_id
        self._focus_pane()

    async def action_jump(self, where: str) -> None:
        """g/G: first/last row of a table (its ctrl+home/end), else the widget's home/end."""
        action = getattr(self.focused, f"action_scroll_{where}", None)
        if callable(action):
            action()
        else:
            await self.action_simulate_key("home" if where == "top" else "end")

    def action_search(self) -> None:
        search = getattr(self.active_pane(), "action_search", None)
        if callable(search):
            search()
        else:
            self.notify("This pane has no search.", severity="warning", timeout=3)

    def _help_rows(self) -> Iterator[tuple[str, str, str, str]]:
        pane = self.active_pane()
        seen: set[tuple[str, str]] = set()
        nodes: list[DOMNode] = [pane, *pane.walk_children(with_self=False), self]
        for node in nodes:
            where = "app" if node is self else type(node).__name__
            for key, bindings in node._bindings.key_to_bindings.items():
                for binding in bindings:
                    description = binding.description or binding.action
                    if (key, description) in seen:
                        continue
                    seen.add((key, description))
                    yield self.get_key_display(binding), description, where, binding.id or ""

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        title = dict(self.PANES)[self.active_pane_id]
        self.push_screen(HelpScreen(f"Keys: {title} pane and app (remap by id with ui.keymap)", self._help_rows()))
