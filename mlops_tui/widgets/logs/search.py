"""The Logs pane's search runs and hit keys: a worker per run, posting SearchProgress tagged with the run's
generation (LogsModel discards stale ones); n/N, f and l call the model and move the list; e/E and w/W
(lnav's keys) go to the next or previous error or warning record shown."""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left

from textual import work
from textual.worker import get_current_worker

from mlops_tui.sources.logs import Level, Query

_JUMPS = {"error": (Level.ERROR, lambda level: level is not None and level >= Level.ERROR),
          "warning": (Level.WARN, lambda level: level is Level.WARN)}


class SearchRuns:
    """Mixin of LogsPane (which holds `model`, `view`, `source` and the SearchProgress message)."""

    def _search(self, query: Query, start: int) -> None:
        self._search_worker(self.model.current_query() or query, start, self.model.begin(start))

    @work(exclusive=True, group="logs-search", exit_on_error=False, thread=True, name="logs.search")
    def _search_worker(self, query: Query, start: int, generation: int) -> None:
        worker = get_current_worker()
        source = self.source
        assert source is not None
        rows, spans, stamps = array("Q"), array("Q"), []
        end = source.row_count()
        last_post = time.monotonic()
        for hit in source.search(query, start, cancelled=lambda: worker.is_cancelled):
            if hit.row >= end:
                break
            rows.append(hit.row)
            spans.append(hit.record.end_line - hit.record.line + 1)
            stamps.append(hit.record.timestamp)
            if time.monotonic() - last_post > 0.2:
                self.post_message(self.SearchProgress(generation, array("Q", rows), array("Q", spans), list(stamps), False, end))
                last_post = time.monotonic()
        if not worker.is_cancelled:
            self.post_message(self.SearchProgress(generation, rows, spans, stamps, True, end))

    def _goto_hit(self, direction: int) -> None:
        target = self.model.next_hit(self.view.source_row(self.view.cursor), direction)
        if target is not None:
            self.view.follow = False
            self.view.move_to(self.view.view_row(target))
            self.view.reveal_match()  # a hit far right on its line is scrolled into view

    def action_hit(self, direction: int) -> None:
        self._goto_hit(direction)
        self._update_bar()

    def action_toggle_filter(self) -> None:
        if not self.model.toggle_filter():
            self.notify("search first (/), then f shows only the matching records", markup=False)
            return
        self.view.set_subset(self.model.subset() if self.model.filtering else None)
        self._update_bar()

    def action_level(self) -> None:
        self.model.cycle_level()
        self._restart_search()


    def action_level_jump(self, kind: str, direction: int) -> None:
        """e/E: next/previous record at error or worse; w/W: next/previous warning (of the rows shown)."""
        if self.source is None or not self.view.row_count or self.view.previewing:
            return
        self._level_jump(kind, direction, self.view.source_row(self.view.cursor), self.view.subset)

    @work(exclusive=True, group="logs-jump", exit_on_error=False, thread=True, name="logs.level_jump")
    def _level_jump(self, kind: str, direction: int, here: int, subset: array | None) -> None:
        worker = get_current_worker()
        source = self.source
        assert source is not None
        least, wanted = _JUMPS[kind]
        query = Query("", min_level=least)  # the level scan finds the candidates in the raw bytes

        def shown(row: int) -> bool:
            at = bisect_left(subset, row) if subset is not None else 0
            return subset is None or (at < len(subset) and subset[at] == row)

        def cancelled() -> bool:
            return worker.is_cancelled

        if direction > 0:
            for hit in source.search(query, here + 1, cancelled):
                if wanted(hit.record.level) and shown(hit.row):
                    self.post_message(self.JumpTo(hit.row))
                    return
        else:  # no backward scan: windows before `here`, each 4 times the last, the last hit of the nearest
            end, span = here, 4096
            while end > 0 and not worker.is_cancelled:
                start = max(0, end - span)
                found = None
                for hit in source.search(query, start, cancelled):
                    if hit.row >= end:
                        break
                    if wanted(hit.record.level) and shown(hit.row):
                        found = hit.row
                if found is not None:
                    self.post_message(self.JumpTo(found))
                    return
                end, span = start, span * 4
        if not worker.is_cancelled:
            where = "after" if direction > 0 else "before"
            self.app.call_from_thread(self.notify, f"no {kind} {where} line {here + 1:,}", markup=False)
