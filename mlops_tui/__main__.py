"""`python -m mlops_tui` and the `mlops-tui` command."""

from mlops_tui.startup import pause_collector


def main() -> None:
    pause_collector()  # before the imports: see mlops_tui/startup.py
    from mlops_tui.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
