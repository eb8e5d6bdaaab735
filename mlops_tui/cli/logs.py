"""`mlops-tui logs`: search and tail log files and search engines."""

from __future__ import annotations

import click


@click.group()
def logs() -> None:
    """Search and follow logs."""
