"""`b` in the cluster view (Kibana's click on a histogram bar, by keys) on real OpenSearch 2.19 and
Elasticsearch 8.15 holding the seed, at 80x24: the newest bar is picked first, Left/Right/Home move, the info
line brackets the picked bar with its span and hits, Enter searches that span only (its total is the bar's
count and the seed's own count of the span), Esc leaves the results as they were."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from support.app_factory import make_app
from support.waits import until
from logs_search_engine.test_pane import all_time, cluster, config, info, settle, show_cluster  # noqa: F401

from mlops_tui.sources.logs.cluster import span_label


def picker(app) -> str:
    return str(app.query_one("#cluster-bars").render())


def seed_count(cluster, start: datetime, end: datetime) -> int:
    """Documents of the seed in [start, end] (the range filter's gte/lte), counted here."""
    low, high = (moment.timestamp() for moment in (start, end))
    return sum(1 for doc in cluster.seed.documents
               if low <= datetime.fromisoformat(doc["@timestamp"].replace("Z", "+00:00")).timestamp() <= high)


async def all_time_bars(pilot):
    """The cluster shown over all time, once its histogram's bars are in: (panel, bars)."""
    panel = await show_cluster(pilot)
    await all_time(pilot, panel)
    await until(pilot, lambda: panel.model.window.bars, timeout=60, what="the all-time bars")
    return panel, panel.model.window.bars


async def test_b_picks_a_bar_and_enter_searches_its_span(tmp_path: Path, cluster) -> None:
    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel, bars = await all_time_bars(pilot)
        assert sum(bar.hits for bar in bars) == cluster.total
        await pilot.press("b")
        assert panel.model.bar_at == len(bars) - 1  # the newest first
        picked = bars[-1]
        assert "[" in info(app) and picker(app).startswith(f"{span_label(picked.start, picked.end)}: {picked.hits:,} hit")
        await pilot.press("home", "right", "right")
        assert panel.model.bar_at == 2
        bar = bars[2]
        assert bar.hits > 0 and picker(app).startswith(f"{span_label(bar.start, bar.end)}: {bar.hits:,} hit"), picker(app)
        await pilot.press("escape")  # back: nothing searched, the results stay
        assert panel.model.bar_at is None and panel.model.query.span is None and "[" not in info(app)
        assert f"{cluster.total:,} hits" in info(app)

        await pilot.press("b", "home", "right", "right", "enter")
        await settle(pilot, panel)
        assert panel.model.query.span == (bar.start, bar.end)
        total = panel.model.window.total
        assert total == seed_count(cluster, bar.start, bar.end)  # the seed's own count of the span
        # the bar counts [start, next start) and the range filter [start, end]: a document stamped exactly at
        # the next bar's start is in both
        assert bar.hits <= total <= bar.hits + bars[3].hits
        assert span_label(bar.start, bar.end) in info(app) and f"{total:,} hits" in info(app)
        assert panel.model.window.bars  # the narrowed search has its own bars, over the span
        assert panel.model.window.bars[0].start >= bar.start - (bar.end - bar.start)


async def test_the_bars_say_where_the_errors_are(tmp_path: Path, cluster) -> None:
    """Each bar's worst level comes from a terms sub-aggregation on the level field: over every hit some bars
    hold errors; for `log.level: INFO` none does; an error bar is drawn bold (colour aside: NO_COLOR keeps it)."""
    from logs_search_engine.test_pane import search

    app = make_app(config=config(tmp_path, cluster.product, cluster.url))
    async with app.run_test(size=(80, 24)) as pilot:
        panel, bars = await all_time_bars(pilot)
        assert {bar.worst for bar in bars if bar.hits} == {"error"}  # the seed has errors all day long
        shown = app.query_one("#cluster-info").render()
        bold = [span for span in shown.spans if "bold" in str(span.style)]
        assert bold and all(shown.plain[span.start:span.end].strip(" ▁▂▃▄▅▆▇█") == "" for span in bold)

        await search(pilot, panel, "log.level: INFO")
        await until(pilot, lambda: panel.model.window.bars and not panel.model.window.levels_pending, timeout=60,
                    what="the INFO bars")
        await pilot.pause(0.5)
        assert not any(bar.worst for bar in panel.model.window.bars)
        # over an absolute range (the bars come with the first page, their levels in a second request)
        first = datetime.fromisoformat(cluster.seed.first_timestamp.replace("Z", "+00:00"))
        last = datetime.fromisoformat(cluster.seed.last_timestamp.replace("Z", "+00:00"))
        panel.run(panel.model.over("", first, last))
        await settle(pilot, panel)
        await until(pilot, lambda: not panel.model.window.levels_pending and any(b.worst for b in panel.model.window.bars),
                    timeout=60, what="the ranged bars' levels")
        assert {bar.worst for bar in panel.model.window.bars if bar.hits} == {"error"}
