"""`mlops-tui models`: DVC/GTO model and data versions."""

from __future__ import annotations

import click


@click.group()
def models() -> None:
    """Model and data versions from DVC and GTO."""
