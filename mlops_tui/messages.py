"""Messages that cross panes. A widget's own messages nest inside the widget.

The one way to write a message: a dataclass subclass of `Message` (Textual calls `Message.__post_init__`
for dataclasses), its fields the payload, as toolong writes them:

    @dataclass
    class Loaded(Message):
        rows: list[Row]
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from mlops_tui.sources.base import SourceStatus


@dataclass
class SourceStatusChanged(Message):
    """A source changed state; the status line shows it. The one way to report a status: any widget posts
    it (it bubbles through its pane to the app)."""

    status: SourceStatus


@dataclass
class OpenConfigRevision(Message):
    """Ask the Configs pane to diff a config file between two git revisions (sent by the Models pane)."""

    path: str
    old_rev: str
    new_rev: str


@dataclass
class OpenDrift(Message):
    """Ask the Drift pane to compare `reference` with `current` (sent by the Models pane: a model version's
    training data, `name@vX.Y.Z` or `name#stage`, read in the repository `repo`; by the Alerts pane: a drift
    rule's two sample files, `repo` None)."""

    reference: str
    current: str
    repo: str | None


@dataclass
class AlertsFiring(Message):
    """How many alerts fire (silenced ones left out) and the worst severity among them ("" when none); the
    status line shows it on every pane (sent by the Alerts pane after each evaluation)."""

    count: int
    severity: str


@dataclass
class ShowTimeWindow(Message):
    """Show what happened between start and end (epoch seconds) in the pane that shows it (sent by the Alerts
    pane): `logs` (the Logs pane, the records in the window matching the search `query`, every record when
    empty; `source` names a cluster for a log rule over one, whose view then shows `query` as KQL), `remote` (the Remote metrics view, a chart of `query` from the metrics source `source`) or `local`
    (the Local metrics view, which shows this machine's series live)."""

    where: str
    start: float
    end: float
    query: str = ""
    source: str = ""
    title: str = ""
