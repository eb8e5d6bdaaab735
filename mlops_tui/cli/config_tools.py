"""ML config tools under `mlops-tui config`: diff, merge, validate."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add the config tools' commands to the `config` group."""
