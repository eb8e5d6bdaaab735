"""Filter rules stacked as in lnav: `+` rules (show only records matching) and `-` rules (hide records
matching), each a search in the search box's syntax; a record is shown when it matches every `+` rule and
no `-` rule. Plain Python: the Logs pane lists, adds and removes rules, and shows `RuleRows.accepts`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlops_tui.sources.logs.base import LogSource, never
from mlops_tui.sources.logs.controller import parse_search, query_text
from mlops_tui.sources.logs.query import Query, QueryError


@dataclass(frozen=True)
class Rule:
    keep: bool  # True: `+` show only matching records; False: `-` hide them
    query: Query

    @classmethod
    def parse(cls, keep: bool, text: str) -> Rule:
        query = parse_search(text)
        if query is None:
            raise QueryError("a rule needs text or a filter: timeout, /5\\d\\d/, service=api")
        return cls(keep, query)

    def __str__(self) -> str:
        return ("+" if self.keep else "-") + query_text(self.query)


@dataclass
class RuleRows:
    """The rows the rules let through, up to row `upto` (the rows the source had when they were applied)."""

    allowed: set[int] | None  # rows of records matching every `+` rule; None: no `+` rule
    hidden: set[int]  # rows of records matching a `-` rule
    upto: int

    def accepts(self, row: int) -> bool:
        return (self.allowed is None or row in self.allowed) and row not in self.hidden

    def rows(self) -> list[int]:
        """Every row shown, in order."""
        if self.allowed is not None:
            return sorted(row for row in self.allowed if row not in self.hidden)
        return [row for row in range(self.upto) if row not in self.hidden]


def apply_rules(source: LogSource, rules: list[Rule], cancelled: Callable[[], bool] = never) -> RuleRows:
    """Each rule's records found by the source's own search (raw-byte scans where it can), then combined."""
    upto = source.row_count()
    allowed: set[int] | None = None
    hidden: set[int] = set()
    for rule in rules:
        rows: set[int] = set()
        for hit in source.search(rule.query, 0, cancelled):
            if hit.row >= upto:
                break
            rows.update(range(hit.row, hit.record.end_line))  # a record's continuation lines go with it
        if rule.keep:
            allowed = rows if allowed is None else allowed & rows
        else:
            hidden |= rows
    return RuleRows(allowed, hidden, upto)
