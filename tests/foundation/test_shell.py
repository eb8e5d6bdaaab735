"""The shell driven as a user would: panes, keys, help, palette, themes, status line."""

from __future__ import annotations

import gc
import re
from pathlib import Path

import pytest
from textual.widgets import OptionList
from support.app_factory import make_app
from textual import events
from textual.command import CommandPalette
from textual.widgets import DataTable

from mlops_tui.app import MlopsApp
from mlops_tui.screens.help import MOVES, HelpScreen
from mlops_tui.widgets.header import MinuteClock
from mlops_tui.widgets.pane import Pane, SourceNote
from mlops_tui.widgets.statusline import StatusLine
from support.waits import until


def help_rows(app) -> list[tuple[str, ...]]:
    """(key, action, where, id) of every row the help screen holds (the folded widget basics too)."""
    rows = []
    for table in app.screen.query("DataTable.help-keys").results(DataTable):
        for i in range(table.row_count):
            cells = [str(cell) for cell in table.get_row_at(i)]
            rows.append((*cells, "") if table.name == "basics" else (cells[0], cells[1], table.name, cells[2]))
    return rows


async def test_number_keys_switch_panes() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        seen = []
        for key in "23451":
            await pilot.press(key)
            seen.append(app.active_pane_id)
        assert seen == ["models", "logs", "configs", "alerts", "metrics"]


async def test_clicking_a_pane_name_shows_the_pane() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        row = str(app.query_one("#pane-tabs").render())
        await pilot.click("#pane-tabs", offset=(row.index("Logs"), 0))
        await pilot.pause()
        assert app.active_pane_id == "logs" and app.query_one("#logs-pane").region.height > 0
        assert app.focused is not None and app.query_one("#logs-pane") in app.focused.ancestors_with_self
        await pilot.click("#pane-tabs", offset=(row.index("Metrics"), 0))
        await pilot.pause()
        assert app.active_pane_id == "metrics" and app.query_one("#logs-pane").region.height == 0


async def test_hidden_panes_are_built_after_the_first_frame_and_a_key_before_that_still_works() -> None:
    app = MlopsApp(make_app().settings)  # the product class itself, not the test's waiting subclass
    async with app.run_test(size=(80, 24)) as pilot:
        # only the shown pane exists at first; the others come right after
        assert [pane.id for pane in app.query(Pane)] in (["metrics-pane"], [f"{p}-pane" for p, _ in app.PANES])
        await pilot.press("2")  # possibly before the Models pane is built
        await until(pilot, lambda: app.panes_ready.is_set() and app.focused is not None
                    and app.query_one("#models-pane") in app.focused.ancestors, describe=lambda: app.focused)
        assert app.active_pane_id == "models"
        assert app.panes_ready.is_set()
        assert app.focused is not None and app.query_one("#models-pane") in app.focused.ancestors
        assert [pane.id for pane in app.query(Pane)] == [f"{p}-pane" for p, _ in app.PANES]


async def test_search_key_right_after_a_pane_key_waits_for_the_pane_to_be_built() -> None:
    app = MlopsApp(make_app().settings)
    async with app.run_test(size=(80, 24)) as pilot:
        # both keys queued at once, as a fast typist's would be: "/" is handled before the pane is built
        app.post_message(events.Key("4", "4"))
        app.post_message(events.Key("slash", "/"))
        await until(pilot, lambda: app.focused is not None and app.focused.id == "configs-find",
                    describe=lambda: app.focused)
        assert app.focused is not None and app.focused.id == "configs-find"
        assert app.is_running


async def test_search_key_with_no_pane_widget_focused_runs_the_pane_s_own_search() -> None:
    """The app's `/` hands over to the shown pane's search, which may be a coroutine (the Metrics pane's
    mounts its filter box the first time)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_focus(None)
        await pilot.press("slash")
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "proc-filter"
        await pilot.press(*"pyt")
        assert app.focused.value == "pyt"


@pytest.mark.parametrize("pane_key, box_id", [("1", "proc-filter"), ("3", "logs-input"), ("4", "configs-find")])
async def test_keys_typed_in_one_burst_reach_the_pane_and_search_box_they_open(pane_key, box_id) -> None:
    """`4/pyt` arriving at once (a fast typist, a paste, tmux send-keys): the pane key switches, `/` opens
    that pane's search, and the letters fill it instead of running the bindings of the widget focused
    before (p pins a process in Metrics)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")  # start elsewhere: the Models pane's table has the focus
        await pilot.pause()
        for key in (pane_key, "slash", "p", "y", "t", "3"):
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await until(pilot, lambda: app.focused is not None and app.focused.id == box_id
                    and app.focused.value.endswith("pyt3"), describe=lambda: app.focused)
        assert app.active_pane_id == {"1": "metrics", "3": "logs", "4": "configs"}[pane_key]
        assert app.focused is not None and app.focused.id == box_id
        assert app.focused.value.endswith("pyt3")  # a digit in a search box is text, not a pane key
        assert app.query_one("#local-metrics").source.pinned == []


async def test_start_up_objects_are_frozen_for_the_collector_only_when_asked() -> None:
    assert gc.get_freeze_count() == 0
    app = make_app()  # tests start hundreds of apps: never frozen there
    async with app.run_test(size=(80, 24)):
        assert gc.get_freeze_count() == 0
    app = MlopsApp(make_app().settings, freeze_startup_objects=True)  # as the CLI runs it
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, gc.get_freeze_count)
            assert app.panes_ready.is_set() and gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()


async def test_help_lists_app_bindings_with_ids_and_closes() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        assert ("3", "Logs", "app", "app.pane.logs") in rows
        assert ("j", "Down", "app", "app.vim.down") in rows
        assert "Keys: Alerts pane" in str(app.screen.query_one("#help-title").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_help_shows_bindings_of_the_current_pane_widgets() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5", "question_mark")
        where = {row[2] for row in help_rows(app)}
        assert "DataTable" in where  # the alerts table's own keys are listed


async def test_help_shows_the_remapped_key() -> None:
    app = make_app(["ui.keymap={app.pane.logs: f3}"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        rows = help_rows(app)
        assert ("f3", "Logs", "app", "app.pane.logs") in rows
        assert not any(row[3] == "app.pane.logs" and row[0] == "3" for row in rows)


async def test_keymap_remaps_a_binding_by_id() -> None:
    app = make_app(["ui.keymap={app.pane.logs: f3}"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        assert app.active_pane_id == "metrics"
        await pilot.press("f3")
        assert app.active_pane_id == "logs"


async def test_ctrl_p_opens_the_palette_with_pane_commands() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"go to conf")
        options = app.screen.query_one(OptionList)
        # the palette searches in a worker: wait until it has offered the pane
        await until(pilot, lambda: options.option_count and "Configs" in str(options.get_option_at_index(0).prompt))
        assert "Configs" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert app.active_pane_id == "configs"


async def test_vim_keys_move_the_cursor() -> None:
    rules = "alerts.rules=[{name: a},{name: b},{name: c}]"
    app = make_app([rules])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        table = app.query_one("#alerts-table", DataTable)
        await until(pilot, lambda: table.row_count == 3, what="the rules, evaluated in a worker, listed")
        table.focus()
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("G")
        assert table.cursor_row == 2


async def test_header_clock_shows_minutes_and_does_not_repaint_every_second() -> None:
    app = make_app(["ui.clock=true"])
    async with app.run_test(size=(80, 24)) as pilot:
        clock = app.query_one(MinuteClock)
        assert re.fullmatch(r"\d\d:\d\d", str(clock.render()))
        renders = 0
        render = clock.render

        def counting_render():
            nonlocal renders
            renders += 1
            return render()

        clock.render = counting_render
        clock.refresh()
        await pilot.pause(2.5)
        # one repaint for the refresh above, one more only if a minute boundary fell in the window;
        # a clock with seconds would have repainted at least twice more
        assert 1 <= renders <= 2, renders


@pytest.mark.parametrize("theme", ["mlops-dark", "mlops-light", "mlops-mono"])
async def test_themes_from_settings(theme: str) -> None:
    app = make_app([f"ui.theme={theme}"])
    async with app.run_test(size=(80, 24)):
        assert app.theme == theme
        assert app.current_theme.name == theme


async def test_no_color_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in "123451":  # every pane, as painted, has no colour but greys
            await pilot.press(key)
            await pilot.pause()
            svg = app.export_screenshot()  # the text styles, without the SVG's window buttons
            colours = set(re.findall(r"\.terminal-[\w-]+-r\d+ \{[^}]*?#([0-9a-fA-F]{6})", svg))
            colours |= set(re.findall(r'<rect fill="#([0-9a-fA-F]{6})"', svg))
            assert colours, "the screenshot names no colour: the check would prove nothing"
            channels = {c: [int(c[i:i + 2], 16) for i in (0, 2, 4)] for c in colours}
            hues = {c for c, rgb in channels.items() if max(rgb) - min(rgb) > 8}  # #c5c8c6, the SVG's plain text, is grey
            assert hues == set(), f"pane {key} paints colours under NO_COLOR: {sorted(hues)}"
        assert app.is_running


async def test_absent_sources_say_how_to_configure_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(["configs.paths=[nothing-here]"])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("5")
        note = str(app.query_one("#alerts-note", SourceNote).render())
        assert "no alert rules: add alerts.rules" in note
        statuses = app.query_one(StatusLine).statuses
        assert statuses["alerts"].state.value == "absent"
        assert statuses["configs"].state.value == "absent"


async def test_status_line_and_alerts_show_untrusted_text_literally(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text('alerts:\n  rules:\n    - name: "[bold red]x\\e[2J"\n', encoding="utf-8")
    app = make_app(config=config)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("5")
        table = app.query_one("#alerts-table", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the rule listed")
        assert str(table.get_row_at(0)[2]) == "[bold red]x␛[2J"


async def test_every_failing_source_is_named_at_80_columns_failing_first() -> None:
    from textual.app import App

    from mlops_tui.sources.base import SourceStatus

    class OneLine(App[None]):
        def compose(self):
            yield StatusLine(["metrics", "models", "logs", "configs", "alerts"])

    app = OneLine()
    async with app.run_test(size=(80, 24)) as pilot:
        line = app.query_one(StatusLine)
        line.set_status(SourceStatus.ok("metrics.local"))
        for name in ("metrics.remote.prom", "logs.files", "configs"):
            line.set_status(SourceStatus.failing(name, "cannot connect: [Errno 111] Connection refused " * 3))
        await pilot.pause()
        shown = str(line.render())
        visible = shown[:78]  # what 80 columns show, less the padding
        assert all(name in visible for name in ("metrics.remote.prom", "logs.files", "configs")), shown
        assert shown.endswith("configs failing  +1 ok"), shown  # failing before ok: metrics.local has no room, counted
        line.statuses.clear()
        line.set_status(SourceStatus.ok("metrics.local"))
        line.set_status(SourceStatus.failing("logs.files", "cannot read app.log: permission denied " * 3))
        shown = str(line.render())
        assert len(shown) <= 78 and shown.startswith("✖ logs.files failing: cannot read app.log"), shown
        assert shown.endswith("● metrics.local ok"), shown  # the reason was shortened to keep every name


async def test_the_status_line_never_wraps_and_counts_what_does_not_fit_at_80_columns() -> None:
    """More sources than 80 columns hold: the failing names come whole, the healthy ones give way and are
    counted; the line is one row (a wrapped second row used to hide the rest, names included)."""
    from textual.app import App

    from mlops_tui.sources.base import SourceStatus

    class OneLine(App[None]):
        def compose(self):
            yield StatusLine(["metrics", "models", "logs", "configs", "alerts"])

    app = OneLine()
    async with app.run_test(size=(80, 24)) as pilot:
        line = app.query_one(StatusLine)
        for name in ("metrics.local", "models.repo", "logs.files", "configs", "metrics.remote.prom"):
            line.set_status(SourceStatus.ok(name))
        line.set_status(SourceStatus.absent("alerts", "not configured"))
        await pilot.pause()
        shown = str(line.render())
        assert shown == "● metrics.local ok  ● metrics.remote.prom ok  +3 ok +1 absent"  # (was cut mid-name)
        line.set_status(SourceStatus.failing("metrics.remote.influx-production-eu", "connection refused " * 5))
        line.set_status(SourceStatus.failing("logs.elasticsearch.cluster", "timeout"))
        await pilot.pause()
        shown = str(line.render())
        assert len(shown) <= 78, shown
        assert shown.startswith("✖ metrics.remote.influx-production-eu  ✖ logs.elasticsearch.cluster"), shown
        assert shown.endswith("cluster  +6"), shown  # what was left out, counted in the room there is


async def test_help_at_80x24_pane_keys_first_app_next_basics_folded_and_scrolls_at_once() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "question_mark")
        await pilot.pause()
        tables = list(app.screen.query("DataTable.help-keys").results(DataTable))
        names = [table.name for table in tables]
        assert names[0] == "LogsPane" and names[-2:] == ["app", "basics"], names
        basics = tables[-1]
        assert basics.region.height == 0 or not basics.visible or basics.parent.parent.collapsed  # folded
        logs = tables[0]
        ids = [str(logs.get_row_at(i)[2]) for i in range(logs.row_count)]
        assert "logs.search" in ids
        screen = app.export_screenshot()
        for binding_id in ("logs.search", "logs.previous", "logs.previous_warning"):
            assert binding_id in screen  # the id column is whole at 80 columns
        body = app.screen.query_one("#help-body")
        assert app.focused is body
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0  # scrolled by the first key, no Tab needed
        await pilot.press("up")
        await pilot.pause()
        assert app.focused is body


@pytest.mark.parametrize(("pane", "prefix"), [("1", "metrics."), ("2", "models.")])
async def test_help_lists_only_the_panes_own_keys_before_the_apps(pane, prefix) -> None:
    """The process table and the Models tables are DataTables of ours: their inherited scroll and cursor keys
    (Textual's, without an id) used to be listed among the pane's own, before the app's. They are widget
    basics now, folded; the pane's sections hold its own keys, its cursor moves after the others."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(pane)
        await pilot.pause()
        sections = app._help_sections()
        names = [name for name, _, _ in sections]
        assert names[-2:] == ["app", "basics"], names
        for name, _, rows in sections[:-2]:
            assert rows and all(row[3].startswith(prefix) for row in rows), (name, rows)
            moves = [row[1] in MOVES for row in rows]
            assert moves == sorted(moves), (name, rows)  # the moves come last
        basics = sections[-1][2]
        assert any(row[1] == "Scroll Up" for row in basics) and not any(row[3] for row in basics)


async def test_colon_opens_the_palette_and_pane_actions_are_commands_generated_from_bindings(tmp_path) -> None:
    """k9s's `:` opens the palette; `Logs: Level` (from the binding logs.level) runs on the Logs pane."""
    from textual.command import CommandPalette

    from mlops_tui.app import PANE_CLASSES  # noqa: F401  (the panes whose bindings become commands)
    from mlops_tui.screens.palette import PaneCommands

    log = tmp_path / "app.log"
    log.write_text("2023-11-07 10:15:30,123 - api - INFO - ok\n2023-11-07 10:15:31,456 - api - ERROR - failed\n")
    app = make_app([f"logs.files=[{log}]"])
    async with app.run_test(size=(80, 24)) as pilot:
        names = [name for name, _, _ in PaneCommands(app.screen, None)._commands()]
        for pane in app.built_panes().values():  # every binding with an id on a pane is a command
            for binding in pane.BINDINGS:
                if getattr(binding, "id", None) and binding.description:
                    title = dict(app.PANES)[[p for p, w in app.built_panes().items() if w is pane][0]]
                    assert f"{title}: {binding.description}" in names, binding.id
        bar_before = None
        await pilot.press("3")
        await pilot.pause()
        for _ in range(100):
            bar_before = str(app.query_one("#logs-bar").render())
            if "line" in bar_before:
                break
            await pilot.pause(0.05)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("colon")
        for _ in range(100):
            if isinstance(app.screen, CommandPalette):
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, CommandPalette), (app.focused, app.screen.active_bindings.get("colon"), app.active_pane_id)
        await pilot.press(*"logs: level")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.query("CommandList Option"):
                break
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if str(app.query_one("#logs-bar").render()) != bar_before:
                break
        assert app.active_pane_id == "logs"
        assert str(app.query_one("#logs-bar").render()) != bar_before  # the level filter was applied
