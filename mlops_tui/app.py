"""The App: five panes in tabs, a status line, help, palette and themes. Nothing else lives here."""

from __future__ import annotations

import asyncio
import gc
import importlib
import inspect
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.driver import Driver
from textual.theme import Theme
from textual.widget import AwaitMount, Widget
from textual.widgets import Footer, Input, TabbedContent, TabPane

from mlops_tui.messages import OpenConfigRevision, SourceStatusChanged
from mlops_tui.screens.help import HelpScreen
from mlops_tui.screens.palette import PaneCommands
from mlops_tui.settings import Settings
from mlops_tui.startup import resume_collector
from mlops_tui.themes import load_themes
from mlops_tui.widgets.header import AppHeader
from mlops_tui.widgets.statusline import StatusLine

# Pane id (also its settings section) -> (module, class), imported when the pane is built.
PANE_CLASSES = {
    "metrics": ("mlops_tui.widgets.metrics", "MetricsPane"),
    "models": ("mlops_tui.widgets.models", "ModelsPane"),
    "logs": ("mlops_tui.widgets.logs", "LogsPane"),
    "configs": ("mlops_tui.widgets.configs", "ConfigsPane"),
    "alerts": ("mlops_tui.widgets.alerts", "AlertsPane"),
}


class MlopsApp(App[None]):
    """mlops-tui: metrics, models, logs, configs and alerts of an ML system in one terminal."""

    TITLE = "mlops-tui"
    FIRST_PANE = "metrics"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses find it too
    COMMANDS = App.COMMANDS | {PaneCommands}
    PANES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("metrics", "Metrics"), ("models", "Models"), ("logs", "Logs"), ("configs", "Configs"), ("alerts", "Alerts"),
    )
    BINDINGS = [
        # Pane keys and `/` are handled by the app before any widget (priority), so the keys typed after them
        # in one burst reach the pane or search box they open; a text box keeps them (check_action).
        *(Binding(str(n), f"show_pane('{pane}')", title, id=f"app.pane.{pane}", show=False, priority=True)
          for n, (pane, title) in enumerate(PANES, start=1)),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("slash", "search", "Search", id="app.search", priority=True),
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
        themes: Mapping[str, Theme] | None = None,
        freeze_startup_objects: bool = False,
    ) -> None:
        """themes: as loaded by load_themes() (read here when not given). freeze_startup_objects: once every
        pane is built, move what start-up made into the collector's permanent generation (gc.freeze), so
        the periodic full collections scan only what the app makes while it runs; for the process that
        runs one app (the CLI), not for a test process that starts hundreds."""
        super().__init__()
        self.settings = settings
        self.config_file = config_file
        self.pane_options = {name: dict(opts) for name, opts in (pane_options or {}).items()}
        self.freeze_startup_objects = freeze_startup_objects
        for theme in (themes if themes is not None else load_themes()).values():
            self.register_theme(theme)
        self.theme = settings.ui.theme
        if settings.ui.keymap:
            self.set_keymap(settings.ui.keymap)
        self._panes: dict[str, Widget] = {}
        self._mounting: dict[str, AwaitMount] = {}
        self.panes_ready = asyncio.Event()  # set once every pane is mounted
        self._deferred_focus: str | None = None  # pane whose default widget gets the focus once it is built

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, except that its Linux driver is replaced by one whose input thread sleeps while
        no key comes (mlops_tui/driver.py). TEXTUAL_DRIVER and the other platforms are left as they are."""
        driver = super().get_driver_class()
        if (driver.__module__, driver.__name__) == ("textual.drivers.linux_driver", "LinuxDriver"):
            from mlops_tui.driver import QuietLinuxDriver

            driver = QuietLinuxDriver
        return driver

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pane keys and `/` are text while a text box has the focus or another screen (help, palette) is up;
        `/` is shown disabled on a pane without a search."""
        if action in ("show_pane", "search"):
            if isinstance(self.focused, Input) or len(self.screen_stack) > 1:
                return False
        if action == "search" and self.query("#panes"):  # (asked before the tabs exist, too)
            pane = self._panes.get(self.active_pane_id)
            if pane is not None and not callable(getattr(pane, "action_search", None)):
                return None
        return True

    def compose(self) -> ComposeResult:
        yield AppHeader(show_clock=self.settings.ui.clock, icon="◆")
        with TabbedContent(id="panes", initial=self.FIRST_PANE):
            for number, (pane_id, title) in enumerate(self.PANES, start=1):
                with TabPane(f"{number} {title}", id=pane_id):
                    if pane_id == self.FIRST_PANE:
                        yield self._build_pane(pane_id)
        yield StatusLine(pane_order=[pane_id for pane_id, _ in self.PANES], id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        source = f"settings: {self.config_file}" if self.config_file else "settings: built-in defaults"
        self.sub_title = source
        self.call_after_refresh(self._focus_first_pane)
        # The hidden panes are built after the first frame: the shown one paints without waiting for them
        self.call_after_refresh(self._mount_hidden_panes)

    def _build_pane(self, pane_id: str) -> Widget:
        module, name = PANE_CLASSES[pane_id]
        pane_class = getattr(importlib.import_module(module), name)
        pane = pane_class(getattr(self.settings, pane_id), **self.pane_options.get(pane_id, {}))
        self._panes[pane_id] = pane
        return pane

    def _ensure_pane(self, pane_id: str) -> Widget:
        """The pane's widget, mounted into its tab now if it is not yet (its children may still be composing)."""
        if pane_id not in self._panes:
            self._mounting[pane_id] = self.query_one(f"#{pane_id}", TabPane).mount(self._build_pane(pane_id))
        return self._panes[pane_id]

    async def _pane_mounted(self, pane_id: str) -> Widget:
        pane = self._ensure_pane(pane_id)
        mounting = self._mounting.get(pane_id)
        if mounting is not None:
            await mounting
        return pane

    async def _mount_hidden_panes(self) -> None:
        for pane_id, _ in self.PANES:
            self._ensure_pane(pane_id)
        for pane_id, _ in self.PANES:
            await self._pane_mounted(pane_id)
        self.panes_ready.set()
        if self.freeze_startup_objects:
            # A full collection over ~130k start-up objects took 65 ms of the UI thread about once a minute
            gc.collect()
            gc.freeze()
        resume_collector()  # paused by the command's entry while it started (mlops_tui/startup.py)

    def _focus_first_pane(self) -> None:
        if self.focused is None or self.focused.id == "panes" or type(self.focused).__name__ == "ContentTabs":
            self._focus_pane()

    def _focus_pane(self) -> None:
        """Give the shown pane's main widget the focus, so its keys work at once."""
        focus_default = getattr(self.active_pane(), "focus_default", None)
        if callable(focus_default):
            focus_default()

    def on_source_status_changed(self, message: SourceStatusChanged) -> None:
        for line in self.query(StatusLine):  # none while the app shuts down
            line.set_status(message.status)

    async def on_open_config_revision(self, message: OpenConfigRevision) -> None:
        """The Models pane asks for a config diff between two revisions: show it in the Configs pane."""
        message.stop()
        configs = await self._pane_mounted("configs")
        self.action_show_pane("configs")
        configs.open_revision(message.path, message.old_rev, message.new_rev)

    @property
    def active_pane_id(self) -> str:
        return self.query_one("#panes", TabbedContent).active

    def active_pane(self) -> Widget:
        return self._ensure_pane(self.active_pane_id)

    def action_show_pane(self, pane_id: str) -> None:
        self._ensure_pane(pane_id)
        self.query_one("#panes", TabbedContent).active = pane_id
        if pane_id in self._mounting and not self._panes[pane_id].is_mounted:
            self._deferred_focus = pane_id  # a key pressed before the pane is built
            self.call_later(self._focus_when_mounted, pane_id)
        else:
            self._focus_pane()

    async def _focus_when_mounted(self, pane_id: str) -> None:
        await self._pane_mounted(pane_id)
        if self._deferred_focus == pane_id and self.active_pane_id == pane_id:
            self._focus_pane()
        self._deferred_focus = None

    async def action_jump(self, where: str) -> None:
        """g/G: first/last row of a table (its ctrl+home/end), else the widget's home/end."""
        action = getattr(self.focused, f"action_scroll_{where}", None)
        if callable(action):
            action()
        else:
            await self.action_simulate_key("home" if where == "top" else "end")

    async def action_search(self) -> None:
        self._deferred_focus = None  # the search box takes the focus, not the pane's default widget
        pane = await self._pane_mounted(self.active_pane_id)  # a `/` right after switching waits for the build
        search = getattr(pane, "action_search", None)
        if callable(search):
            if inspect.isawaitable(result := search()):
                await result
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
