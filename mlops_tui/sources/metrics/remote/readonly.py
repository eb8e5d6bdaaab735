"""The app never writes to a backend: an InfluxQL or Flux query from the settings, a dashboard or the command
line that would write or change the database is refused before it is sent (PromQL cannot write).

InfluxQL: no statement may be a SELECT with INTO or one of the statements that change (InfluxDB 1.x runs
`SELECT ... INTO`, CREATE, DROP, DELETE, ALTER, GRANT, REVOKE and KILL when they come by POST, and its
2.x/3.x v1 API decides for itself). Flux: no call of a function that writes or sends (`to`,
`experimental.to`, `influxdb.wideTo`, `sql.to`, `http.post`, `mqtt.to`/`publish`, the notification
packages' senders). Text inside string literals, quoted identifiers and comments is not read as a call.
"""

from __future__ import annotations

import re

from mlops_tui.sources.http import BackendError


class WriteRefused(BackendError):
    """A query that would write to or change the backend; str() says which part."""


_INFLUXQL_TEXT = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|--[^\n]*", re.S)
_CHANGES = ("CREATE", "DROP", "DELETE", "ALTER", "GRANT", "REVOKE", "KILL", "SET")
"""What InfluxQL's grammar starts a statement with besides SELECT, SHOW and EXPLAIN: each changes something.
Any other word is left to the server, whose parse error says it best."""
_INTO = re.compile(r"\bINTO\b", re.I)

_FLUX_TEXT = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*', re.S)
_FLUX_WRITES = re.compile(
    r"(?<![\w.])(?:(?:experimental|influxdb|sql|mqtt|kafka)\.)?(?:to|wideTo)\s*\("
    r"|\b(?:http\.post|mqtt\.publish|slack\.message|pagerduty\.sendEvent|opsgenie\.sendAlert|telegram\.message"
    r"|discord\.send|teams\.message|pushbullet\.pushNote|sensu\.event|servicenow\.event|zenoss\.event"
    r"|victorops\.alert|bigpanda\.sendAlert|webexteams\.message)\s*\(|\.endpoint\s*\(")


def check_influxql(query: str) -> None:
    """Raise WriteRefused when a statement of query would change the database."""
    bare = _INFLUXQL_TEXT.sub(" ", query)
    for statement in (part.strip() for part in bare.split(";")):
        if not statement:
            continue
        first = statement.split(None, 1)[0].upper()
        if first in _CHANGES:
            raise WriteRefused(f"refused: an InfluxQL {first} statement changes the database "
                               "(mlops-tui only reads: SELECT, SHOW, EXPLAIN)")
        if first == "SELECT" and _INTO.search(statement):
            raise WriteRefused("refused: SELECT ... INTO writes to the database (mlops-tui only reads)")


def check_flux(query: str) -> None:
    """Raise WriteRefused when query calls a Flux function that writes or sends data."""
    found = _FLUX_WRITES.search(_FLUX_TEXT.sub('""', query))
    if found:
        call = found.group(0).rstrip("( \t\n")
        raise WriteRefused(f"refused: the Flux call {call}() writes or sends data (mlops-tui only reads)")
