"""The footer at 80x24 on every pane and view of the demo: `? Help` and `q Quit` always visible, and every key
it shows is allowed (not dimmed) and runs; a key that can do nothing on the pane is not shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app_factory import make_app
from textual.actions import parse
from textual.widgets import Input

from mlops_tui.demo.sandbox import demo_overrides
from mlops_tui.sources.metrics.recorded import RecordedMetricSource, synthetic_snapshots

# (pane keys pressed, what the footer then belongs to)
PLACES = [("1",), ("1", "v"), ("2",), ("3",), ("4",), ("5",)]
PLACE_IDS = ["metrics-local", "metrics-remote", "models", "logs", "configs", "alerts"]

# The keys each place must show whole at 80x24 besides `? Help` and `q Quit` (widgets/footer.py ranks them by the
# panes' FOOTER_FIRST): what the user of htop, k9s and lnav reaches for first, and from an alert its logs.
NEEDED = {
    "metrics-local": {"k", "s", "u", "t", "slash"},
    "metrics-remote": {"v"},
    "models": {"v", "d", "slash", "m", "t"},
    "logs": {"slash", "l", "f", "t"},
    "configs": {"c", "space", "m"},
    "alerts": {"l", "a", "v", "s"},
}

# Keys that run but change nothing a user sees on the demo at start; each is pane-internal work of issue 15
# (the pane's own check_action should hide it until it can act). Remove an entry once its pane does so.
KNOWN_INERT = {
    ("logs", "end"), ("logs", "G"),  # End/follow while already following
    ("logs", "n"), ("logs", "N"),  # next/previous hit with no search
}


def demo_app(sandbox: Path):
    still = RecordedMetricSource(synthetic_snapshots(1, cores=4, processes=10), top=10)  # one sample: a still screen
    return make_app(dotlist=demo_overrides(sandbox), cwd=sandbox, pane_options={"metrics": {"source": still}})


def footer_keys(app) -> list:
    """The keys the footer draws, in order, and whether each is inside the screen (not cut, not under ^p)."""
    keys = [k for k in app.query("FooterKey") if "-command-palette" not in k.classes]
    palette = app.query_one("FooterKey.-command-palette")
    return [(k, k.region.right <= palette.region.x and k.region.width > 0) for k in keys]


async def settle(pilot, deadline: float = 10.0) -> None:
    """Until what the screen shows stopped changing (three looks in a row), or the deadline: workers that
    follow logs and sample metrics never complete, so waiting for every worker would wait forever."""
    import time

    end = time.monotonic() + deadline
    last, same = None, 0
    while same < 3 and time.monotonic() < end:
        await pilot.pause(0.05)
        now = what_a_user_sees(pilot.app)
        same = same + 1 if now == last else 0
        last = now


async def go(pilot, place: tuple[str, ...]) -> None:
    for key in place:
        await pilot.press(key)
        await settle(pilot)


def here(app) -> tuple[str, str]:
    return app.active_pane_id, app.query_one("#metrics-pane").active_view


async def back_to(pilot, where: tuple[str, str]) -> None:
    """To the pane and Metrics view of where, if the last key left them (`c` in Models opens Configs)."""
    pane, view = where
    if pilot.app.active_pane_id != pane:
        await go(pilot, (str([p for p, _ in pilot.app.PANES].index(pane) + 1),))
    if pane == "metrics" and pilot.app.query_one("#metrics-pane").active_view != view:
        await go(pilot, ("v",))


def what_a_user_sees(app) -> tuple:
    return (app.export_screenshot(), app.focused, len(app.screen_stack), len(app._notifications))


@pytest.mark.parametrize("place", PLACES, ids=PLACE_IDS)
async def test_help_and_quit_are_always_in_the_footer_at_80x24(sandbox: Path, place) -> None:
    app = demo_app(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await go(pilot, place)
        keys = footer_keys(app)
        visible = [k.key for k, inside in keys if inside]
        assert visible[:2] == ["question_mark", "q"], [(k.key, inside) for k, inside in keys]
        assert len(visible) > 2 or place == ("5",)  # the pane's own keys follow (Alerts without rules has none)
        name = PLACE_IDS[PLACES.index(place)]
        assert NEEDED[name] <= set(visible), (name, NEEDED[name] - set(visible), visible)
        assert all(inside for _, inside in keys), [(k.key, inside) for k, inside in keys]  # left out, never cut
        assert ("z", "Zoom", "app", "app.zoom") in app._help_rows()  # z is always in `?` help


@pytest.mark.parametrize("place", PLACES, ids=PLACE_IDS)
async def test_every_footer_key_is_allowed_and_does_something(sandbox: Path, place) -> None:
    app = demo_app(sandbox)
    name = PLACE_IDS[PLACES.index(place)]
    async with app.run_test(size=(80, 24)) as pilot:
        await go(pilot, place)
        where = here(app)
        shown = {key: active for key, active in app.screen.active_bindings.items() if active.binding.show}
        assert {"question_mark", "q"} <= set(shown)
        inert = []
        for key, active in shown.items():
            assert active.enabled, f"{name}: {key} is shown dimmed: a key that can do nothing is not shown"
            action, _ = parse(active.binding.action)[1:]
            assert callable(getattr(active.node, f"action_{action}", None)), (name, key, active.binding.action)
            if key == "q":
                continue  # (quitting ends this run; the last test of this file presses it)
            await back_to(pilot, where)
            before = what_a_user_sees(app)
            await pilot.press(key)
            await settle(pilot)
            if what_a_user_sees(app) == before and (name, key) not in KNOWN_INERT:
                inert.append(key)
            while len(app.screen_stack) > 1 or isinstance(app.focused, Input) or app.query(".-patterns"):
                await pilot.press("escape")  # back from a dialog, an input line or the Logs patterns view
                await settle(pilot)
        assert not inert, f"{name}: these footer keys change nothing on screen: {inert}"


async def test_slash_is_not_offered_where_it_does_nothing(sandbox: Path) -> None:
    """Alerts has no search (Models filters its artifacts with `/`); in the Remote view `/` used to switch back
    to Local."""
    app = demo_app(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await go(pilot, ("2",))
        assert "slash" in [k.key for k, _ in footer_keys(app)]  # Models: `/` filters the artifacts table
        for place in [("5",), ("1", "v")]:
            await go(pilot, place)
            assert "slash" not in app.screen.active_bindings, place
            assert "slash" not in [k.key for k, _ in footer_keys(app)]
        await pilot.press("slash")
        await pilot.pause()
        assert app.query_one("#metrics-pane").active_view == "metrics-remote"  # `/` did not leave Remote
        await go(pilot, ("v",))
        assert [k.key for k, _ in footer_keys(app)].count("slash") == 1  # in Local it filters processes
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
