"""`T` in the cluster view: a time range typed as Kibana's absolute and relative picker takes it (`3h..1h`,
`2026-12-01 10:00..2026-12-01 12:00`, `30m`), on real OpenSearch 2.19 and Elasticsearch 8.15 holding the seed,
at 80x24. The total over a typed span is the seed's own count of it; a range that does not parse keeps the
box open with the text and says why; Esc leaves the range as it was; an empty range is all time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.app_factory import make_app
from logs_search_engine.test_bars import seed_count
from logs_search_engine.test_pane import all_time, cluster, config, info, settle, show_cluster  # noqa: F401

from mlops_tui.sources.logs.cluster import span_label


def stamp(doc: dict) -> datetime:
    return datetime.fromisoformat(doc["@timestamp"].replace("Z", "+00:00"))


async def type_range(pilot, text: str) -> None:
    await pilot.press("T")
    box = pilot.app.query_one("#cluster-range")
    assert box.has_focus
    box.value = text
    await pilot.press("enter")


async def test_a_typed_range_searches_that_span(tmp_path: Path, cluster) -> None:
    moments = sorted(stamp(doc) for doc in cluster.seed.documents)
    middle = moments[len(moments) // 2].replace(microsecond=0)
    start, end = middle - timedelta(hours=2), middle + timedelta(minutes=30)
    local = [moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") for moment in (start, end)]
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await all_time(pilot, panel)
        assert panel.model.window.total == cluster.total

        await type_range(pilot, f"{local[0]}..{local[1]}")
        await settle(pilot, panel)
        assert panel.model.query.span == (start.astimezone(), end.astimezone())
        assert panel.model.window.total == seed_count(cluster, start, end) > 0
        assert span_label(start, end) in info(app) and f"{panel.model.window.total:,} hits" in info(app)

        await pilot.press("T")  # the box shows the range as it is, to edit
        assert app.query_one("#cluster-range").value == f"{local[0]}..{local[1]}"
        await pilot.press("escape")  # back: the range and its results stay
        assert not panel.has_class("-ranging") and panel.model.query.span == (start.astimezone(), end.astimezone())

        await type_range(pilot, "next tuesday..1h")  # not a time: said, and the box stays open with the text
        await pilot.pause()
        assert panel.has_class("-ranging") and app.query_one("#cluster-range").value == "next tuesday..1h"
        assert any("time range: not a time: 'next tuesday'" in str(n.message) for n in app._notifications)
        await pilot.press("escape")

        await type_range(pilot, "")  # nothing: all time
        await settle(pilot, panel)
        assert panel.model.query.range_label == "all time" and panel.model.window.total == cluster.total


async def test_a_relative_range_is_the_last_stretch_of_time(tmp_path: Path, cluster) -> None:
    """`3650d..1d`: from ten years ago to a day ago, as `now - 3650d .. now - 1d`; what the seed holds then."""
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel = await show_cluster(pilot)
        await type_range(pilot, "3650d..1d")
        await settle(pilot, panel)
        start, end = panel.model.query.span
        now = datetime.now(UTC)
        assert abs((now - timedelta(days=3650) - start).total_seconds()) < 60
        assert abs((now - timedelta(days=1) - end).total_seconds()) < 60
        assert panel.model.window.total == seed_count(cluster, start, end)
