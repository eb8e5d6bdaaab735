"""The Models pane driven with Pilot on the repository the real dvc/gto made; snapshots with a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static
from textual.worker import WorkerFailed

from mlops_tui.settings.models import ModelsSettings
from mlops_tui.widgets.models import ModelsPane
from mlops_tui.widgets.pane import SourceNote

NOW = datetime(2026, 1, 12, 12, 0, tzinfo=timezone.utc)


class PaneApp(App):
    """The Models pane alone, as the app mounts it."""

    def __init__(self, pane: ModelsPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane

    def on_mount(self) -> None:
        self.pane.focus_default()
        self.config_requests: list[tuple[str, str, str]] = []

    def on_open_config_revision(self, message) -> None:
        self.config_requests.append((message.path, message.old_rev, message.new_rev))


def make(repo, now=NOW, **settings) -> PaneApp:
    return PaneApp(ModelsPane(ModelsSettings(repo=str(repo), **settings), now=now))


async def settle(app, pilot) -> None:
    """Wait until the pane's workers are done, failed ones included: a repository, diff or version that cannot
    be read raises in its worker, and the pane shows the failure (widgets/pane.py FailureReporter)."""
    for _ in range(4):
        try:
            await app.workers.wait_for_complete()
        except WorkerFailed:
            pass
        await pilot.pause()


def cells(table: DataTable) -> list[list[str]]:
    """Every column of every row, shown or left out for room (widgets/fitted.py)."""
    return [[str(c) for c in table.full_row(i)] for i in range(table.row_count)]


def shown(table: DataTable) -> list[list[str]]:
    """The cells on screen: the columns the width left in, cut as drawn."""
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text(widget: Static) -> str:
    return str(widget.render())


async def test_pane_shows_artifacts_history_versions_and_diff(registry_repo):
    app = make(registry_repo.root)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        artifacts = cells(app.query_one("#models-artifacts", DataTable))
        churn = next(r for r in artifacts if r[0] == "churn")
        assert churn[1] == "v1.2.0" and churn[3] == "prod:v1.1.0 staging:v1.2.0"
        assert next(r for r in artifacts if r[0] == "legacy")[3] == "deprecated"
        note = text(app.query_one(SourceNote))
        assert "models.repo: ok - repo: 8 artifacts, 6 versions" in note
        history = cells(app.query_one("#models-history", DataTable))
        expected = registry_repo.run("git", "log", "--format=%h", "--abbrev=7", "--", "dvc.lock").split()
        assert [r[0] for r in history] == expected
        assert history[0][3] == "modified" and "churn@v1.2.0" in history[0][5]
        assert history[0][6] == "data/raw.csv, train.epochs"
        freq = text(app.query_one("#models-freq", Static))
        assert freq.startswith("newest version 3d old; 3 versions, every 1.6d (median)")
        assert churn[2] == "3d"  # one age for the newest version: the table's and the frequency line's
        assert not app.query_one("#models-freq").has_class("-stale")

        await pilot.press("d")
        await settle(app, pilot)
        title = text(app.query_one("#models-diff-title", Static))
        assert title.startswith("churn#prod (v1.1.0)") and "-> churn@v1.2.0" in title
        diff = cells(app.query_one("#models-diff-table", DataTable))
        assert ["param", "params.yaml:train.epochs", "10", "20", "+10"] in diff
        assert ["metric", "metrics.json:acc", "0.73", "0.75", "+0.02"] in diff
        assert any(r[0] == "out" and r[1] == "models/churn.pkl" and r[4] == "modified" for r in diff)
        await pilot.press("c")
        await pilot.pause()
        prod, latest = (registry_repo.run("git", "rev-parse", f"churn@{v}^{{commit}}").strip() for v in ("v1.1.0", "v1.2.0"))
        assert app.config_requests == [(str(registry_repo.root / "params.yaml"), prod, latest)]

        await pilot.press("v")
        await pilot.pause()
        versions = cells(app.query_one("#models-versions", DataTable))
        assert [r[0] for r in versions] == ["v1.2.0", "v1.1.0", "v1.0.0"]
        assert versions[0][3] == "staging" and versions[1][3] == "prod"
        await settle(app, pilot)
        details = text(app.query_one("#models-version-details", Static)).splitlines()
        assert details[0].startswith("v1.2.0 at ")
        assert "metrics metrics.json: acc=0.75  loss=0.25  epochs=20" in details
        assert "params params.yaml: train.lr=0.2  train.epochs=20  seed=1" in details
        events = cells(app.query_one("#models-events", DataTable))
        assert events[0][1] == "legacy" and events[0][3] == "deprecated"
        assert ["churn", "v1.1.0", "promoted to prod"] in [r[1:4] for r in events]


async def test_marked_commit_diff_and_stale_warning(registry_repo):
    app = make(registry_repo.root, now=NOW + timedelta(days=60), stale_after_days=30)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert app.query_one("#models-freq").has_class("-stale")
        assert text(app.query_one("#models-freq", Static)).startswith("STALE: newest version 63d old (> 30d)")
        ages = {r[0]: r[2] for r in cells(app.query_one("#models-artifacts", DataTable))}
        assert ages["churn"] == "63d!" and ages["data/raw.csv"] == "63d"  # only registered models go stale
        history = app.query_one("#models-history", DataTable)
        oldest, newest = cells(history)[-1][0], cells(history)[0][0]
        history.focus()
        history.move_cursor(row=2)
        await pilot.press("m")
        history.move_cursor(row=0)
        await pilot.press("d")
        await settle(app, pilot)
        title = text(app.query_one("#models-diff-title", Static))
        assert title.startswith(f"{oldest}") and f"-> {newest}" in title
        rows = cells(app.query_one("#models-diff-table", DataTable))
        assert ["param", "params.yaml:train.lr", "0.1", "0.2", "+0.1"] in rows


async def test_at_80x24_the_stages_and_both_sides_of_the_diff_are_on_screen(registry_repo):
    """The columns give way by priority (widgets/fitted.py): the stages stay, and the diff shows old and new."""
    app = make(registry_repo.root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        artifacts = app.query_one("#models-artifacts", DataTable)
        assert "stages" in artifacts.shown_keys and "age" not in artifacts.shown_keys
        screen = app.export_screenshot()
        assert "prod:v1.1.0 staging:v1.2.0" in "".join(r[-1] for r in shown(artifacts))
        await pilot.press("d")
        await settle(app, pilot)
        diff = app.query_one("#models-diff-table", DataTable)
        assert diff.shown_keys[:3] == ["name", "old", "new"], diff.shown_keys
        rows = [r for r in shown(diff) if r[0].endswith("train.epochs")]  # (its start cut: `…`)
        assert [r[1:] for r in rows] == [["10", "20"]], shown(diff)
        right = diff.region.right
        assert diff.virtual_size.width <= diff.scrollable_content_region.width, (diff.virtual_size, right)
        assert "prod" in screen and "staging" in screen


async def test_slash_filters_the_artifacts_and_escape_steps_back_one_step_at_a_time(registry_repo):
    from textual.widgets import Input

    app = make(registry_repo.root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        pane = app.query_one(ModelsPane)
        table = app.query_one("#models-artifacts", DataTable)
        everything = table.row_count
        assert "escape" not in app.screen.active_bindings or not pane.check_action("back", ())
        assert not pane.check_action("show_view", ("history",))  # `i` is not offered on History itself
        pane.action_search()
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press(*"chu")
        await pilot.pause()
        names = [r[0] for r in cells(table)]
        assert names and all("chu" in " ".join(r).lower() for r in cells(table)) and len(names) < everything, names
        await pilot.press("d")  # typed into the box, not the Diff key
        await pilot.pause()
        assert pane.model.view == "history" and pane.filter_text == "chud"
        await pilot.press("backspace", "enter")
        await pilot.pause()
        assert app.focused is table and table.row_count == len(names)
        await pilot.press("d")
        await settle(app, pilot)
        assert pane.model.view == "diff" and pane.check_action("open_config", ())
        await pilot.press("escape")  # 1: the filter goes
        await pilot.pause()
        assert table.row_count == everything and pane.model.view == "diff"
        await pilot.press("escape")  # 2: back to History
        await pilot.pause()
        assert pane.model.view == "history"
        assert not pane.check_action("back", ())  # nothing left to step back from: Esc is not offered


async def test_not_a_repository_note(tmp_path):
    app = make(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        note = app.query_one(SourceNote)
        assert f"models.repo: absent - {tmp_path} is not a git repository" in text(note)
        assert note.has_class("-absent")
        assert app.query_one("#models-artifacts", DataTable).row_count == 0


def test_snapshot_80x24(registry_repo, snap_compare):
    assert snap_compare(make(registry_repo.root), terminal_size=(80, 24), run_before=_settled)


def test_snapshot_160x48_diff(registry_repo, snap_compare):
    async def diff_view(pilot):
        await _settled(pilot)
        await pilot.press("d")
        await _settled(pilot)

    assert snap_compare(make(registry_repo.root), terminal_size=(160, 48), run_before=diff_view)


def test_snapshot_160x48_versions(registry_repo, snap_compare):
    async def versions_view(pilot):
        await _settled(pilot)
        await pilot.press("v")
        await _settled(pilot)

    assert snap_compare(make(registry_repo.root), terminal_size=(160, 48), run_before=versions_view)


async def _settled(pilot) -> None:
    await settle(pilot.app, pilot)


async def test_pane_in_the_app_reports_to_the_status_line(registry_repo):
    from support.app_factory import make_app

    app = make_app(dotlist=[f"models.repo={registry_repo.root}"], pane_options={"models": {"now": NOW}})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        for _ in range(6):
            ours = [w for w in app.workers if w.group.startswith("models")]
            if ours:  # an empty list would mean "every worker", and the metrics pane samples forever
                await app.workers.wait_for_complete(ours)
            await pilot.pause()
        assert app.active_pane_id == "models"
        names = [r[0] for r in cells(app.query_one("#models-artifacts", DataTable))]
        assert names[0] == "churn" and "data/images" in names
        from mlops_tui.sources.base import SourceState
        from mlops_tui.widgets.statusline import StatusLine

        status = app.query_one(StatusLine).statuses["models.repo"]
        assert status.state is SourceState.OK and status.reason.startswith("repo: 8 artifacts, 6 versions")
        await pilot.press("d")
        for _ in range(4):
            ours = [w for w in app.workers if w.group.startswith("models")]
            if ours:
                await app.workers.wait_for_complete(ours)
            await pilot.pause()
        await pilot.press("c")  # the params file of this diff, shown by the Configs pane
        await pilot.pause()
        assert app.active_pane_id == "configs"


async def test_untrusted_commit_text_and_unreadable_files(tmp_path):
    from models.modelrepos import Builder, tool_env

    b = Builder(tmp_path / "repo", tool_env(tmp_path / "home"))
    b.root.mkdir()
    b.run("git", "init", "-q", "-b", "main")
    b.write("m.pkl.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 3\n  path: m.pkl\n")
    b.commit("train [red]\x1b[2Jclear[/red]")
    b.write("dvc.lock", "stages: [unclosed\n")
    b.commit("broken lock")
    app = make(b.root)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        history = cells(app.query_one("#models-history", DataTable))
        assert history[0][7] == "train [red]␛[2Jclear[/red]"
        note = text(app.query_one(SourceNote))
        assert "unreadable:" in note and "dvc.lock" in note
        assert app.query_one(SourceNote).has_class("-ok")


async def test_shallow_clone_note_on_the_pane(registry_repo, tmp_path):
    import subprocess

    from models.modelrepos import tool_env

    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{registry_repo.root}", str(clone)], check=True,
                   env=tool_env(tmp_path), capture_output=True)
    app = make(clone)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        note = text(app.query_one(SourceNote))
        assert "shallow clone: history before 2026-01-11 is missing" in note
        assert "git fetch --unshallow" in note
