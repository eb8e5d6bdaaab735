"""The App: six panes in tabs, a status line, help, palette and themes. Nothing else lives here.

Opened from the command line, the app paints its frame (header, pane names, status line, keys) before it
reads its settings: pydantic, OmegaConf and the settings model cost about 90 ms of imports and building,
which a terminal would otherwise show blank (`bench/startup.py`). The settings are read right after that
first frame; the panes are built from them, and invalid settings end the app with the message and exit code
the command line gives for them.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.driver import Driver
from textual.theme import Theme
from textual.widget import AwaitMount, Widget
from textual.widgets import ContentSwitcher, Input, Static

from mlops_tui.messages import AlertsFiring, OpenConfigRevision, OpenDrift, ShowTimeWindow, SourceStatusChanged
from mlops_tui.screens.help import BASICS, BASICS_HEADING, MOVES, HelpScreen, own_actions
from mlops_tui.screens.palette import PaneCommands
from mlops_tui.startup import resume_collector
from mlops_tui.textual_compat import bindings_by_key
from mlops_tui.themes import DEFAULT_THEME, load_themes
from mlops_tui.widgets.footer import AppFooter
from mlops_tui.widgets.header import AppHeader
from mlops_tui.widgets.statusline import StatusLine
from mlops_tui.widgets.viewtabs import ViewTabs
from mlops_tui.widgets.zoom import Zoom

if TYPE_CHECKING:  # imported with the settings, after the first frame
    from mlops_tui.settings import Settings

SettingsLoader = Callable[[], "tuple[Settings, Path | None]"]

# Pane id (also its settings section) -> (module, class), imported when the pane is built.
PANE_CLASSES = {
    "metrics": ("mlops_tui.widgets.metrics", "MetricsPane"),
    "models": ("mlops_tui.widgets.models", "ModelsPane"),
    "logs": ("mlops_tui.widgets.logs", "LogsPane"),
    "configs": ("mlops_tui.widgets.configs", "ConfigsPane"),
    "alerts": ("mlops_tui.widgets.alerts", "AlertsPane"),
    "drift": ("mlops_tui.widgets.drift", "DriftPane"),
}


class MlopsApp(App[None]):
    """mlops-tui: metrics, models, logs, configs, alerts and data drift of an ML system in one terminal."""

    TITLE = "mlops-tui"
    FIRST_PANE = "metrics"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses find it too
    COMMANDS = App.COMMANDS | {PaneCommands}
    PANES: ClassVar[tuple[tuple[str, str], ...]] = (
        ("metrics", "Metrics"), ("models", "Models"), ("logs", "Logs"), ("configs", "Configs"), ("alerts", "Alerts"),
        ("drift", "Drift"),
    )
    BINDINGS = [
        # Pane keys and `/` are handled by the app before any widget (priority), so the keys typed after them
        # in one burst reach the pane or search box they open; a text box keeps them (check_action).
        *(Binding(str(n), f"show_pane('{pane}')", title, id=f"app.pane.{pane}", show=False, priority=True)
          for n, (pane, title) in enumerate(PANES, start=1)),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("slash", "search", "Search", id="app.search", priority=True),
        Binding("q", "quit", "Quit", id="app.quit"),
        # priority as the pane keys: `z 4` typed in one burst zooms before the switch, not Configs after it
        Binding("z", "zoom", "Zoom", id="app.zoom", priority=True),
        # Textual adds its ctrl+p palette binding only when the app binds no command_palette: both written here
        Binding("ctrl+p", "command_palette", "palette", id="app.palette", show=False, priority=True,
                key_display="^p", tooltip="Open the command palette"),
        Binding("colon", "command_palette", "Commands", id="app.commands", show=False),  # k9s's `:`
        Binding("ctrl+t", "time_range", "Time range (all panes)", id="app.time_range", show=False),
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
        settings: Settings | None = None,
        *,
        load_settings: SettingsLoader | None = None,
        first_theme: str | None = None,
        config_file: Path | None = None,
        pane_options: Mapping[str, Mapping[str, Any]] | None = None,
        themes: Mapping[str, Theme] | None = None,
        freeze_startup_objects: bool = False,
        first_pane: str | None = None,
    ) -> None:
        """Either settings, or load_settings: called after the first frame, it returns the settings and the
        config file they came from, or raises SettingsError. first_theme: the theme of the frames painted
        before the settings are read (the --theme option; default mlops-dark).
        themes: as loaded by load_themes() (read here when not given). freeze_startup_objects: once every
        pane is built, move what start-up made into the collector's permanent generation (gc.freeze), so
        the periodic full collections scan only what the app makes while it runs; for the process that
        runs one app (the CLI), not for a test process that starts hundreds."""
        super().__init__()
        if (settings is None) == (load_settings is None):
            raise TypeError("MlopsApp needs one of settings and load_settings")
        self.settings: Settings | None = None
        self._load_settings = load_settings
        self.startup_error: Exception | None = None  # why the settings could not be used; the app then exits
        self.config_file = config_file
        self.pane_options = {name: dict(opts) for name, opts in (pane_options or {}).items()}
        self.first_pane = first_pane  # the pane shown first (the demo's --search-engine: logs), else the first tab
        self.time_range: tuple[datetime, datetime] | None = None  # the shared one (Ctrl+T), applied when typed
        self.time_range_text = ""
        self.freeze_startup_objects = freeze_startup_objects
        self._themes = dict(themes if themes is not None else load_themes())
        for theme in self._themes.values():
            self.register_theme(theme)
        self.theme = first_theme if first_theme in self._themes else DEFAULT_THEME
        if settings is not None:
            self._use_settings(settings)
        self._panes: dict[str, Widget] = {}
        self._mounting: dict[str, AwaitMount] = {}
        self.panes_ready = asyncio.Event()  # set once every pane is mounted
        self._deferred_focus: str | None = None  # pane whose default widget gets the focus once it is built
        self.zoomed = Zoom()  # `z`: what the zoom of the focused panel hid
        self.crashed = False  # an unhandled exception ended the app: the command exits 70, as the CLI's crashes do

    def _fatal_error(self) -> None:
        """An unhandled exception ends the app as a crash of the CLI does: one masked line on stderr and the
        traceback in the private crash file (Textual's own report printed every frame's locals: config
        values, tokens, command lines)."""
        from rich.text import Text

        from mlops_tui.cli import _write_crash_report
        from mlops_tui.secrets import mask_text

        error = self._exception
        self.crashed = True
        where = _write_crash_report(error)
        self.bell()
        self._exit_renderables.append(Text(mask_text(
            f"internal error: {type(error).__name__}: {error} (details in {where})"), no_wrap=False))
        self._close_messages_no_wait()

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
        `/` is not shown where it would do nothing: on a pane without a search, or when the pane's
        own check_action says its search does not apply to what it shows."""
        if action in ("show_pane", "search", "zoom"):
            if isinstance(self.focused, Input) or len(self.screen_stack) > 1:
                return False
        if action == "search" and self.query("#panes"):  # (asked before the tabs exist, too)
            pane = self._panes.get(self.active_pane_id)
            if pane is not None:  # hidden where the pane has no search, or none in the view it shows
                return callable(getattr(pane, "action_search", None)) and pane.check_action("search", ()) is True
        return True

    def _use_settings(self, settings: Settings) -> None:
        """Take settings (the theme must be one of the app's)."""
        from mlops_tui.sources import limits

        self.settings = settings
        limits.configure(settings.limits)
        self.theme = settings.ui.theme
        if settings.ui.keymap:
            self.set_keymap(settings.ui.keymap)

    def compose(self) -> ComposeResult:
        yield AppHeader(show_clock=self.settings is not None and self.settings.ui.clock, icon="◆")
        # One row of pane names and a switcher: Textual's TabbedContent cost 17 ms of the first frame
        yield ViewTabs({pane_id: f"{number} {title}" for number, (pane_id, title) in enumerate(self.PANES, start=1)},
                       active=self.FIRST_PANE, id="pane-tabs")
        with ContentSwitcher(id="panes", initial=self.FIRST_PANE):
            for pane_id, _ in self.PANES:
                with Vertical(id=pane_id, classes="pane-slot"):
                    if pane_id == self.FIRST_PANE:
                        if self.settings is not None:
                            yield self._build_pane(pane_id)
                        else:
                            yield Static("Reading settings…", id="reading-settings")
        yield StatusLine(pane_order=[pane_id for pane_id, _ in self.PANES], id="status-line")
        yield AppFooter()

    def on_mount(self) -> None:
        if self.settings is None:
            self.call_after_refresh(self._ensure_settings)  # after the first frame is out
        else:
            self._start_panes()

    def _ensure_settings(self) -> bool:
        """Read the settings if they are not yet (after the first frame, or at a key pressed before that);
        False when they cannot be used, and the app is then on its way out."""
        if self.settings is not None:
            return True
        if self.startup_error is not None or self._load_settings is None:
            return False
        from mlops_tui.settings import SettingsError

        try:
            settings, self.config_file = self._load_settings()
            if settings.ui.theme not in self._themes:
                known = ", ".join(sorted(self._themes))
                raise SettingsError(f"ui.theme: unknown theme {settings.ui.theme!r} (known: {known})")
        except Exception as exc:  # the command line reports it once the terminal is restored
            self.startup_error = exc
            self.exit(return_code=2)
            return False
        self._use_settings(settings)
        self.query_one(AppHeader).set_clock(settings.ui.clock)
        self.query("#reading-settings").remove()
        self._start_panes()
        return True

    def _start_panes(self) -> None:
        self._show_sub_title()
        if self.first_pane is not None:
            self.query_one("#pane-tabs", ViewTabs).active = self.first_pane
            self.query_one("#panes", ContentSwitcher).current = self.first_pane
        self._ensure_pane(self.active_pane_id)
        self._deferred_focus = self.active_pane_id
        self.call_later(self._focus_when_mounted, self.active_pane_id)
        # The hidden panes are built after the first frame: the shown one paints without waiting for them
        self.call_after_refresh(self._mount_hidden_panes)

    def _build_pane(self, pane_id: str) -> Widget:
        module, name = PANE_CLASSES[pane_id]
        pane_class = getattr(importlib.import_module(module), name)
        options = dict(self.pane_options.get(pane_id, {}))
        if getattr(pane_class, "READS_OTHER_SECTIONS", False):  # alert rules read the metrics and logs sources
            options.setdefault("all_settings", self.settings)
        for option, (section, key) in getattr(pane_class, "OTHER_SETTINGS", {}).items():  # one field of another section
            options.setdefault(option, getattr(getattr(self.settings, section), key))
        pane = pane_class(getattr(self.settings, pane_id), **options)
        self._panes[pane_id] = pane
        return pane

    def _ensure_pane(self, pane_id: str) -> Widget:
        """The pane's widget, mounted into its tab now if it is not yet (its children may still be composing)."""
        if pane_id not in self._panes:
            self._mounting[pane_id] = self.query_one(f"#{pane_id}", Vertical).mount(self._build_pane(pane_id))
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

    def _focus_pane(self) -> None:
        """Give the shown pane's main widget the focus, so its keys work at once."""
        focus_default = getattr(self.active_pane(), "focus_default", None)
        if callable(focus_default):
            focus_default()

    def on_source_status_changed(self, message: SourceStatusChanged) -> None:
        for line in self.query(StatusLine):  # none while the app shuts down
            line.set_status(message.status)

    def on_alerts_firing(self, message: AlertsFiring) -> None:
        for line in self.query(StatusLine):
            line.set_alerts(message.count, message.severity)

    async def on_open_config_revision(self, message: OpenConfigRevision) -> None:
        """The Models pane asks for a config diff between two revisions: show it in the Configs pane."""
        message.stop()
        configs = await self._pane_mounted("configs")
        self.action_show_pane("configs")
        configs.open_revision(message.path, message.old_rev, message.new_rev)

    async def on_open_drift(self, message: OpenDrift) -> None:
        """The Models pane asks for a version's training data against the current sample: the Drift pane."""
        message.stop()
        drift = await self._pane_mounted("drift")
        self.action_show_pane("drift")
        drift.compare(message.reference, message.current, message.repo)

    async def on_show_time_window(self, message: ShowTimeWindow) -> None:
        """The Alerts pane asks for an alert's moment: its logs in the Logs pane, its series in Metrics."""
        message.stop()
        if message.where == "logs":
            logs = await self._pane_mounted("logs")
            self.action_show_pane("logs")
            logs.show_window(message.query, message.start, message.end, message.source)
            return
        metrics = await self._pane_mounted("metrics")
        self.action_show_pane("metrics")
        if message.where == "remote":
            await metrics.show_query(message.source, message.title, message.query, message.start, message.end)
        else:
            await metrics.show_view("metrics-local")


    def built_panes(self) -> dict[str, Widget]:
        """The panes built so far, by id (the palette lists their actions)."""
        return dict(self._panes)

    @property
    def active_pane_id(self) -> str:
        return self.query_one("#pane-tabs", ViewTabs).active

    def active_pane(self) -> Widget:
        return self._ensure_pane(self.active_pane_id)

    @on(ViewTabs.Picked, "#pane-tabs")
    def _pane_name_clicked(self, message: ViewTabs.Picked) -> None:
        self.action_show_pane(message.view)

    def action_time_range(self) -> None:
        """Ctrl+T: the time range every pane that shows time shows (screens/timerange.py)."""
        from mlops_tui.screens.timerange import TimeRangeScreen

        self.push_screen(TimeRangeScreen(self.time_range_text), self._time_range_typed)

    def _time_range_typed(self, text: str | None) -> None:
        if text is None:  # cancelled
            return
        from mlops_tui.sources.timespec import parse_range

        self.time_range = parse_range(text) if text else None
        self.time_range_text = text
        self._show_sub_title()
        for pane in self._panes.values():
            apply = getattr(pane, "apply_time_range", None)
            if apply is not None and pane.is_mounted:
                apply(self.time_range)

    def _show_sub_title(self) -> None:
        """The header's second part: where the settings came from, and the shared time range when one is set."""
        source = f"settings: {self.config_file}" if self.config_file else "settings: built-in defaults"
        self.sub_title = f"{source} · time {self.time_range_text}" if self.time_range_text else source

    def action_zoom(self) -> None:
        """z: the focused panel gets the whole screen; z again gives the others back (widgets/zoom.py)."""
        if self.zoomed.active:
            self.zoomed.unzoom()
            return
        pane = self._panes.get(self.active_pane_id)
        if pane is None or not self.zoomed.zoom(self, pane):
            self.notify("Nothing to zoom: no panel of this pane has the focus.", severity="warning", timeout=3)

    def action_show_pane(self, pane_id: str) -> None:
        if self.zoomed.active:
            self.zoomed.unzoom()
        self.query_one("#pane-tabs", ViewTabs).active = pane_id
        self.query_one("#panes", ContentSwitcher).current = pane_id
        if not self._ensure_settings():
            return
        self._ensure_pane(pane_id)
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
        if not self._ensure_settings():
            return
        self._deferred_focus = None  # the search box takes the focus, not the pane's default widget
        pane = await self._pane_mounted(self.active_pane_id)  # a `/` right after switching waits for the build
        search = getattr(pane, "action_search", None)
        if callable(search):
            if inspect.isawaitable(result := search()):
                await result
        else:
            self.notify("This pane has no search.", severity="warning", timeout=3)

    def _help_sections(self) -> list[tuple[str, str, list[tuple[str, str, str, str]]]]:
        """(name, heading, rows of key, action, where, binding id): the pane's own keys, one section per
        widget of ours that has any, then the app's, then Textual's generic widget keys (help.BASICS)."""
        pane = self.active_pane()
        title = dict(self.PANES)[self.active_pane_id]
        seen: set[tuple[str, str]] = set()
        sections: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {}
        nodes: list[DOMNode] = [pane, *pane.walk_children(with_self=False), self]
        for node in nodes:
            where = "app" if node is self else type(node).__name__
            ours = type(node).__module__.startswith("mlops_tui.")
            if node is self:
                name, heading = "app", "Everywhere (app)"
            elif node is pane:
                name, heading = where, f"{title} pane"
            elif ours:
                name, heading = where, f"{title} pane: {where}"
            else:
                name, heading = BASICS, BASICS_HEADING
            own = own_actions(type(node)) if ours else set()
            for key, bindings in bindings_by_key(node).items():
                for binding in bindings:
                    description = binding.description or binding.action
                    if (key, description) in seen:
                        continue
                    seen.add((key, description))
                    row = (self.get_key_display(binding), description, where, binding.id or "")
                    # a widget of ours built on a Textual one (a DataTable) inherits its scroll and cursor keys:
                    # those are widget basics too, not the pane's keys
                    section = (name, heading) if not ours or binding.action in own else (BASICS, BASICS_HEADING)
                    sections.setdefault(section[0], (section[1], []))[1].append(row)
        order = sorted(sections, key=lambda name: (name == BASICS, name == "app"))  # (a stable sort)
        return [(name, heading, rows if name in (BASICS, "app") else sorted(rows, key=lambda row: row[1] in MOVES))
                for name in order for heading, rows in [sections[name]]]

    def _help_rows(self) -> Iterator[tuple[str, str, str, str]]:
        """Every row of the help, in its order."""
        for _, _, rows in self._help_sections():
            yield from rows

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen) or not self._ensure_settings():
            return
        title = dict(self.PANES)[self.active_pane_id]
        self.push_screen(HelpScreen(f"Keys: {title} pane first, then the app (remap by id: ui.keymap)",
                                    self._help_sections()))
