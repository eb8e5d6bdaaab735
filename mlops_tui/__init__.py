"""mlops-tui: a terminal dashboard for operating ML systems in production."""

__version__ = "0.1.0"
