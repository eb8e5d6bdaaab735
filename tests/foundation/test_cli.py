"""The command line's root: version, help, settings commands and exit codes."""

from __future__ import annotations

import json

import pytest
from pathlib import Path

from support.cli import run_cli

from mlops_tui import __version__
from mlops_tui.cli import split_dotlist


def test_version() -> None:
    result = run_cli(["--version"])
    assert result.returncode == 0
    assert result.stdout.strip() == f"mlops-tui, version {__version__}"


def test_help_lists_every_subcommand() -> None:
    result = run_cli(["--help"])
    assert result.returncode == 0
    for command in ("metrics", "models", "logs", "config", "alerts", "demo"):
        assert f"  {command} " in result.stdout


def test_dotlist_is_taken_only_before_the_subcommand() -> None:
    dotlist, rest = split_dotlist(["metrics.interval=2", "config", "merge", "a.yaml", "train.lr=0.1"])
    assert dotlist == ["metrics.interval=2"]
    assert rest == ["config", "merge", "a.yaml", "train.lr=0.1"]


def test_config_check_prints_merged_settings_with_secrets_masked(tmp_path: Path) -> None:
    (tmp_path / "mlops-tui.yaml").write_text(
        "metrics:\n  prometheus:\n    - name: prom\n      url: https://elastic:hunter2@es:9200\n"
        "      token: ${oc.env:ES_TOKEN}\n", encoding="utf-8")
    result = run_cli(["metrics.interval=4", "config", "check", "--json"], cwd=tmp_path,
                     env={"ES_TOKEN": "tok-abc-123-very-secret"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["config_file"] == str(tmp_path / "mlops-tui.yaml")
    assert data["settings"]["metrics"]["interval"] == 4.0
    es = data["settings"]["metrics"]["prometheus"][0]
    assert es["token"] == "••••••"
    assert es["url"] == "https://elastic:••••••@es:9200"
    assert "hunter2" not in result.stdout and "tok-abc" not in result.stdout


def test_bad_settings_exit_2_with_one_clear_message(tmp_path: Path) -> None:
    (tmp_path / "mlops-tui.yaml").write_text("metrics:\n  intreval: 2\n", encoding="utf-8")
    result = run_cli(["config", "check"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mlops-tui: invalid settings:\n"
        f"{tmp_path / 'mlops-tui.yaml'}: metrics.intreval: unknown key (did you mean metrics.interval?)"
    )
    assert "Traceback" not in result.stderr


def test_opening_the_app_with_bad_settings_refuses_to_start(tmp_path: Path) -> None:
    result = run_cli(["ui.theme=nonexistent-theme"], cwd=tmp_path)
    assert result.returncode == 2
    assert "ui.theme: unknown theme 'nonexistent-theme'" in result.stderr
    assert "mlops-mono" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_is_json_schema_of_the_settings() -> None:
    result = run_cli(["config", "schema"])
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) == {"ui", "metrics", "logs", "models", "configs", "alerts", "drift", "limits"}


def test_alerts_lists_configured_rules(tmp_path: Path) -> None:
    result = run_cli(["alerts", "--json"], cwd=tmp_path)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])
    example = Path(__file__).resolve().parents[2] / "configs" / "mlops-tui.yaml"
    result = run_cli(["--config", str(example), "alerts"], cwd=tmp_path)
    assert result.returncode == 0
    assert "critical cpu saturated: metric cpu > 90 for 1m (local)" in result.stdout
    assert "alerts check" in result.stdout.splitlines()[-1]


def test_help_names_the_check_and_its_exit_code() -> None:
    result = run_cli(["alerts", "--help"])
    assert result.returncode == 0 and "check" in result.stdout
    text = " ".join(run_cli(["--help"]).stdout.split())
    assert "alerts check found an alert firing" in text


def test_unknown_subcommand_is_a_usage_error() -> None:
    result = run_cli(["frobnicate"])
    assert result.returncode == 2
    assert "No such command 'frobnicate'" in result.stderr


def test_unreadable_ca_file_is_a_settings_error_not_a_traceback(tmp_path: Path) -> None:
    source = "metrics.prometheus=[{name: p, url: 'https://127.0.0.1:9', ca_file: /no/such/ca.pem}]"
    result = run_cli([source, "metrics", "--source", "p", "--hosts"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "mlops-tui: source 'p': ca_file /no/such/ca.pem: No such file or directory"


# An option that would change nothing in the command given is refused (exit 2, named), never ignored quietly.
@pytest.mark.parametrize(("args", "named"), [
    (["metrics", "--query", "up"], "--query"),
    (["metrics", "--once", "--hosts"], "--hosts"),
    (["metrics", "--once", "--since", "6h"], "--since"),
    (["metrics", "--source", "prom", "--once"], "--once"),
    (["metrics", "--source", "prom", "--watch", "--interval", "2"], "--watch, --interval"),
    (["logs", "search", "x", "--context-size", "3"], "--context-size"),
    (["logs", "search", "x", "--same", "host.name"], "--same"),
    (["logs", "search", "--source", "es", "--context", "abc", "--lucene"], "--lucene"),
    (["logs", "tail", "--overlap", "5", "--for", "0"], "--overlap"),
])
def test_an_option_that_would_do_nothing_is_refused(tmp_path: Path, args: list[str], named: str) -> None:
    result = run_cli(args, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert named in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_same_options_where_they_act_are_taken(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text("2026-12-01 10:00:00,000 ERROR api boom\n2026-12-01 10:00:01,000 INFO api ok\n",
                                      encoding="utf-8")
    result = run_cli(["metrics", "--once", "--interval", "0.2", "--json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cpu" in json.loads(result.stdout)
    result = run_cli(["logs", "search", "", "--file", "app.log", "--level", "error", "--count", "--json"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"count": 1}
    result = run_cli(["logs", "search", "", "--file", "app.log", "--level", "error", "--count"], cwd=tmp_path)
    assert result.stdout.strip() == "1"
