"""The demo at 80x24, as an on-call engineer over SSH sees it: what must be visible on Models and Configs is
on screen, the Configs pane does not trap the focus, and `z` gives the focused panel the whole screen."""

from __future__ import annotations

import html
from pathlib import Path

from demo.test_app import wait_for_sources
from support.app_factory import make_app
from textual.widgets import OptionList

from mlops_tui.demo.sandbox import demo_overrides


def screen_text(app) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


def demo(sandbox: Path):
    return make_app(dotlist=demo_overrides(sandbox), cwd=sandbox)


async def test_models_at_80x24_shows_the_stages_and_one_age(sandbox: Path) -> None:
    app = demo(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await wait_for_sources(app, pilot, {"models.repo"})
        await pilot.pause(0.3)
        screen = screen_text(app)
        assert "prod:v1.5.1" in screen and "staging:v2.0.0" in screen, screen
        table = app.query_one("#models-artifacts")
        churn = next(table.full_row(i) for i in range(table.row_count) if str(table.full_row(i)[0]) == "churn")
        freq = str(app.query_one("#models-freq").render())
        assert freq.startswith(f"newest version {churn[2]} old"), (freq, churn)  # one age, the same figure


async def test_models_at_120_columns_the_artifacts_panel_takes_the_room_its_columns_need(sandbox: Path) -> None:
    """At 120 columns the panel was capped at 60 and left `newest` out beside empty cells; at 80 it keeps half."""
    app = demo(sandbox)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("2")
        await wait_for_sources(app, pilot, {"models.repo"})
        await pilot.pause(0.3)
        table = app.query_one("#models-artifacts")
        assert table.shown_keys == ["artifact", "latest", "age", "stages"], table.shown_keys
        assert app.query_one("#models-side").size.width >= 50  # the history keeps its room
        await pilot.press("z")
        await pilot.pause(0.3)
        await pilot.press("z")  # the zoom gives the width back as it was
        await pilot.pause(0.3)
        assert table.shown_keys == ["artifact", "latest", "age", "stages"], table.shown_keys
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.3)
        half = app.query_one("#models-body").size.width // 2  # at 80 columns the half it had
        assert app.query_one("#models-left").outer_size.width == half and "stages" in table.shown_keys


async def test_configs_at_80x24_relative_names_headers_and_no_focus_trap(sandbox: Path) -> None:
    app = demo(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await wait_for_sources(app, pilot, {"configs"})
        await pilot.pause(0.3)
        region = app.query_one("#configs-pane").region  # (the header names the settings file found from the
        rows = app.screen._compositor.render_strips()     # test's own folder: not the pane's business)
        shown = "\n".join(strip.text[region.x:region.right] for strip in rows[region.y:region.bottom])
        assert str(sandbox) not in shown and "/tmp" not in shown, shown  # no long absolute temporary paths
        assert "train_v1.yaml" in shown and "train_v2.yaml" in shown  # file names whole in the narrow list
        files = app.query_one("#configs-files", OptionList)
        assert app.focused is files and files.highlighted is not None  # a file is highlighted from the start
        assert app.screen.active_bindings["c"].enabled
        assert "d" not in {k for k, a in app.screen.active_bindings.items() if a.binding.show} or \
            not app.query_one("#configs-pane").check_action("show_view", ("configs-tree",))  # Diff is what is shown
        await pilot.press("s")
        await pilot.pause()
        old, new = app.query_one("#configs-side-old"), app.query_one("#configs-side-new")
        assert str(old.border_title).startswith("old: ") and str(new.border_title).startswith("new: ")
        assert "train_v1" in str(old.border_title) and "train_v2" in str(new.border_title)
        old.focus()
        await pilot.pause()
        await pilot.press("home", "up")  # Up on the first line goes back to the file list
        await pilot.pause()
        assert app.focused is files
        before = files.highlighted
        await pilot.press("down")
        await pilot.pause()
        assert files.highlighted != before  # the list moves: the focus is really back
        await pilot.press("enter")
        await wait_for_sources(app, pilot, {"configs"})
        await pilot.pause(0.3)
        assert app.focused is not files  # the opened file's view has the focus
        await pilot.press("escape")  # Esc steps back to the list
        await pilot.pause()
        assert app.focused is files


async def test_z_gives_the_focused_panel_the_whole_screen_and_back(sandbox: Path) -> None:
    app = demo(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await wait_for_sources(app, pilot, {"models.repo"})
        await pilot.pause(0.3)
        table = app.query_one("#models-artifacts")
        narrow = table.size.width
        assert "age" not in table.shown_keys  # gave way at 80 columns
        await pilot.press("z")
        await pilot.pause(0.3)
        assert not app.query_one("#models-side").display and not app.query_one("#pane-tabs").display
        assert table.size.width > narrow + 30 and "age" in table.shown_keys and "latest" in table.shown_keys
        assert app.query_one("#status-line").display and app.query_one("AppFooter").display  # never hidden
        await pilot.press("z")
        await pilot.pause(0.3)
        assert app.query_one("#models-side").display and table.size.width == narrow
        await pilot.press("z", "4")  # another pane: the zoom ends
        await pilot.pause(0.3)
        assert app.query_one("#models-side").display and app.query_one("#pane-tabs").display
        assert not app.zoomed.active


def burst(app, *keys: str) -> None:
    """Keys typed in one burst, as tmux send-keys types them: all queued before the app handles the first."""
    from textual import events

    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_z_typed_in_a_burst_after_a_pane_key_zooms_that_panes_panel(sandbox: Path) -> None:
    """`2 z` in one burst: the zoom is Models' (z is handled in the order typed, not after the pane key that
    follows it), and `4` after it ends the zoom before Configs shows."""
    app = demo(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await wait_for_sources(app, pilot, {"models.repo"})
        await pilot.pause(0.3)
        burst(app, "z", "4")
        await pilot.pause(0.5)
        assert app.active_pane_id == "configs" and not app.zoomed.active  # zoomed on Models, ended by `4`
        assert app.query_one("#models-side").display and app.query_one("#pane-tabs").display
        burst(app, "2", "z")
        await pilot.pause(0.5)
        assert app.active_pane_id == "models" and app.zoomed.active
        assert app._panes["models"] in app.zoomed.panel.ancestors_with_self, app.zoomed.panel
        assert not app.query_one("#models-side").display


async def test_the_palette_offers_search_filter_and_each_config_file_and_runs_them(sandbox: Path) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input

    app = demo(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_sources(app, pilot, {"configs", "models.repo"})
        from mlops_tui.screens.palette import PaneCommands

        names = [name for name, _, _ in PaneCommands(app.screen, None)._commands()]
        for wanted in ("Models: Search / filter", "Configs: Search / filter", "Logs: Search / filter",
                       "Configs: Open ml/versions/train_v2.yaml", "Zoom panel", "Configs: Side by side"):
            assert wanted in names, names
        await pilot.press("colon")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"open ml/env/base")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.query("CommandList Option"):
                break
        await pilot.press("enter")
        await wait_for_sources(app, pilot, {"configs"})
        for _ in range(100):
            await pilot.pause(0.05)
            if "base.yaml" in str(app.query_one("#configs-title").render()):
                break
        assert app.active_pane_id == "configs"
        assert "base.yaml" in str(app.query_one("#configs-title").render())
        await pilot.press("colon")
        await pilot.pause(0.3)
        await pilot.press(*"models: search")
        for _ in range(100):
            await pilot.pause(0.05)
            if app.screen.query("CommandList Option"):
                break
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.focused, Input):
                break
        assert app.active_pane_id == "models" and app.focused.id == "models-filter"
