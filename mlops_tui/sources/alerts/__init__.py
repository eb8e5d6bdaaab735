"""Alert rules evaluated without a screen: the Alerts pane and `mlops-tui alerts check` drive the same engine.

- `rules.RuleEvaluator`: one rule's alert instances (one per series, keyed by labels) and their states, stepped
  once per evaluation exactly as Prometheus' alerting rules step (`for`, `keep_firing_for`, resolved alerts kept
  15 minutes), plus hysteresis, and the rule's own health: ok, no data (the query returned nothing) or error.
- `inputs`: where a rule's samples come from, one class per kind of input (local resources, Prometheus,
  InfluxDB, log files). A new kind of input is one class with `sample(at)`.
- `engine.AlertEngine`: every configured rule, evaluated together at one instant.
- `history.AlertHistory`: every state change and notification in an SQLite file in the XDG state folder (WAL,
  safe with two processes), and the `notifier` role that only one process at a time holds.
- `notify`: the channels (webhook in Alertmanager's shape, Slack, Discord, email, SMS in Twilio's shape) and the
  `Notifier`, which groups by rule and paces messages as Alertmanager does. `mlops-tui alerts watch` drives it.
"""
