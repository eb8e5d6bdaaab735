"""The Logs pane's stacked filter rules (lnav's filter-in and filter-out): `+` adds a rule showing only the
records that match, `-` one hiding them, `x` removes one (the bar lists them numbered). The rules are
applied by a thread worker over the whole file (`sources.logs.rules.apply_rules`), again as the file grows."""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

from mlops_tui.sources.logs.rules import Rule, RuleRows, apply_rules


class RuleFilters:
    """Mixin of LogsPane (which holds `view`, `source`, `notify` and the input line of `AskLine`)."""

    rules: list[Rule]

    @dataclass
    class RulesApplied(Message):
        generation: int
        rows: RuleRows | None

    def add_rule(self, keep: bool, text: str) -> None:
        """From the input line: QueryError for text that is not a search (the caller shows it)."""
        self.rules = [*self.rules, Rule.parse(keep, text)]
        self._apply_rules()

    def remove_rule(self, text: str) -> None:
        """From the input line: a rule's number, or `all`; ValueError naming the numbers there are."""
        if text.lower() in ("all", "*"):
            self.rules = []
        elif text.isdigit() and 1 <= int(text) <= len(self.rules):
            self.rules = [r for n, r in enumerate(self.rules, 1) if n != int(text)]
        else:
            raise ValueError(f"no rule {text!r}: the rules are numbered 1 to {len(self.rules)} in the bar (or type all)")
        self._apply_rules()

    def rules_text(self) -> str:
        return "rules " + " ".join(f"{n}:{rule}" for n, rule in enumerate(self.rules, 1)) if self.rules else ""

    def _apply_rules(self) -> None:
        self._rules_generation = getattr(self, "_rules_generation", 0) + 1
        if not self.rules or self.source is None:
            self.workers.cancel_group(self, "logs-rules")
            self.view.set_rules(None)
            self._update_bar()
            return
        self._rules_worker(list(self.rules), self._rules_generation)
        self._update_bar()

    @work(exclusive=True, group="logs-rules", exit_on_error=False, thread=True, name="logs.rules")
    def _rules_worker(self, rules: list[Rule], generation: int) -> None:
        worker = get_current_worker()
        rows = apply_rules(self.source, rules, lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.post_message(self.RulesApplied(generation, rows))

    def on_rule_filters_rules_applied(self, message: RulesApplied) -> None:
        if message.generation != getattr(self, "_rules_generation", 0):
            return  # rules changed since
        self.view.set_rules(message.rows)  # the cursor stays on the nearest row shown (or follows the end)
        self._update_bar()

    def rules_behind(self) -> bool:
        """The file grew past what the rules were applied to (the pane applies them again)."""
        rows = self.view.rules
        return bool(self.rules) and rows is not None and self.source is not None and self.source.row_count() > rows.upto
