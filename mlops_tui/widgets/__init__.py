"""The UI floor: one package per pane, rendering what mlops_tui.sources returns."""
