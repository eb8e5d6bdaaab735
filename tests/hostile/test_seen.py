"""The issue's "seen" list, item by item, where no other module of this suite drives it: each hostile name,
file or value through the real CLI, ending by itself with a clear message (or the right answer), no
traceback, no escape sequence reaching the terminal (measure.run tallies and these assert)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hostile.measure import ESCAPE, count, ok_refusal, run

TITLE = "\x1b]0;pwned\x07"  # each of these changed the terminal title in the issue
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
LINE = "2023-11-07 10:00:0{}.000 - app - ERROR - {}\n"


def no_escape(result) -> None:
    assert not result.hung and "Traceback" not in result.err, str(result)
    assert not ESCAPE.search(result.out + result.err), repr(result.out[-300:] + result.err[-300:])


# --- escapes that reached the terminal ----------------------------------------------------------------
def test_a_config_file_name_in_config_diff_of_two_folders(tmp_path):
    for side, value in (("a", 1), ("b", 2)):
        (tmp_path / side).mkdir()
        (tmp_path / side / f"x{TITLE}.yaml").write_text(f"lr: {value}\n")
    result = run(["config", "diff", "a", "b"], cwd=tmp_path)
    no_escape(result)
    assert "pwned" in result.out + result.err  # the name is there, shown visibly


def test_a_log_file_name_under_logs_in_logs_search(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / f"app{TITLE}.log").write_text(LINE.format(0, "boom"))
    result = run(["logs", "search", "boom"], cwd=tmp_path)
    no_escape(result)
    assert result.code == 0 and "boom" in result.out and "pwned" in result.out, str(result)


def test_a_settings_key_in_config_check(tmp_path):
    (tmp_path / "s.yaml").write_text(json.dumps({"ui": {f"k{TITLE}": 1}}))
    result = run(["--config", "s.yaml", "config", "check"], cwd=tmp_path)
    no_escape(result)
    ok_refusal(result, 2, "pwned")


def test_an_alert_name_in_alerts(tmp_path):
    (tmp_path / "mlops-tui.yaml").write_text(json.dumps(
        {"alerts": {"rules": [{"name": f"mem{TITLE}", "expr": "memory", "op": ">=", "threshold": 0}]}}))
    for args in (["alerts"], ["alerts", "check"]):
        result = run(args, cwd=tmp_path, env={"XDG_STATE_HOME": str(tmp_path / "state")})
        no_escape(result)
        assert "pwned" in result.out + result.err, str(result)


def test_a_revision_spec_in_config_diff(repo):
    result = run(["config", "diff", f"HEAD{TITLE}:configs/train.yaml", "configs/train.yaml"], cwd=repo.root,
                 env={**repo.env, "XDG_CONFIG_HOME": str(repo.root.parent / "xdg")})
    no_escape(result)
    assert result.code in (2, 3) and "pwned" in result.err, str(result)


@pytest.mark.parametrize("args", [["logs", "search", "--json"], ["config", "diff", "a.yaml", "b.yaml", "--json"]],
                         ids=["logs", "config"])
def test_json_escapes_c1_controls_and_bidi_overrides(tmp_path, args):
    hostile = "run\u009b2J\u009d0;x\u202egpj.exe"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app.log").write_text(LINE.format(0, hostile), encoding="utf-8")
    (tmp_path / "a.yaml").write_text("name: plain\n")
    (tmp_path / "b.yaml").write_text(json.dumps({"name": hostile}))
    result = run(args, cwd=tmp_path)
    assert result.code in (0, 1) and "Traceback" not in result.err, str(result)
    for raw in ("\u009b", "\u009d", "\u202e"):
        assert raw not in result.out
    assert "\\u202e" in result.out


# --- tracebacks ----------------------------------------------------------------------------------------
def test_an_ini_file_without_a_section_header(tmp_path):
    (tmp_path / "a.ini").write_text("password = hunter2\nlr = 1\n")
    (tmp_path / "b.ini").write_text("[train]\nlr = 2\n")
    result = run(["config", "diff", "a.ini", "b.ini"], cwd=tmp_path)
    assert not result.hung and result.code in (2, 3) and "Traceback" not in result.err, str(result)
    assert "a.ini" in result.err and "hunter2" not in result.err, str(result)


@pytest.mark.parametrize("since", ["99999999999d", "-99999999999d", "9" * 400 + "s"])
def test_a_since_past_any_date_is_a_message(tmp_path, since):
    (tmp_path / "app.log").write_text(LINE.format(0, "x"))
    ok_refusal(run(["logs", "search", "--since", since, "-f", "app.log"], cwd=tmp_path), 2)


# --- wrong answers given calmly ------------------------------------------------------------------------
def test_a_bracket_in_a_log_file_name_is_a_name(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "app[1].log").write_text(LINE.format(0, "one"))
    (tmp_path / "logs" / "other.log").write_text(LINE.format(1, "two"))
    named = run(["logs", "search", "-f", "logs/app[1].log"], cwd=tmp_path)
    assert named.code == 0 and "one" in named.out, str(named)
    default = run(["logs", "search", "--count"], cwd=tmp_path)  # the default view reads ./logs/ whole
    assert default.code == 0 and default.out.strip() == "2", str(default)


def test_limit_0_prints_no_record(tmp_path):
    (tmp_path / "app.log").write_text(LINE.format(0, "a") + LINE.format(1, "b"))
    result = run(["logs", "search", "--limit", "0", "-f", "app.log"], cwd=tmp_path)
    assert result.code == 0 and result.out == "", str(result)


def test_config_check_refuses_a_theme_the_app_would_refuse(tmp_path):
    (tmp_path / "s.yaml").write_text("ui:\n  theme: nosuch\n")
    ok_refusal(run(["--config", "s.yaml", "config", "check"], cwd=tmp_path), 2, "nosuch")


# --- secrets -------------------------------------------------------------------------------------------
def test_a_token_given_as_an_override_is_not_in_the_error(tmp_path):
    token = "sk-live-abcdef1234567890XYZ"
    result = run([f"metrics.prometheus=[{{name: p, url: 'http://127.0.0.1:9', token: {token}, timeout: -1}}]",
                  "config", "check"], cwd=tmp_path, env={"XDG_STATE_HOME": str(tmp_path / "state")})
    assert result.code == 2 and "Traceback" not in result.err, str(result)
    shown = [s for s in (token, "abcdef1234567890") if s in result.out + result.err]
    count("secrets shown", len(shown))
    assert shown == [], str(result)
    crash = tmp_path / "state" / "mlops-tui" / "crash.log"
    assert not crash.exists() or token not in crash.read_text()


def test_bearer_and_env_values_under_neutral_keys_in_config_check(tmp_path):
    (tmp_path / "s.yaml").write_text(f"ui:\n  theme: textual-dark\nlogs:\n  files: ['Bearer {JWT}']\n")
    result = run(["--config", "s.yaml", "config", "check"], cwd=tmp_path)
    assert "Traceback" not in result.err, str(result)
    shown = [s for s in (JWT,) if s in result.out + result.err]
    count("secrets shown", len(shown))
    assert shown == [], str(result)


def test_100000_lines_that_match_no_format_are_counted_not_crawled(tmp_path):
    """`--count` over 100,000 lines of `x` took 263 s in the issue (200,000: 522 s): quadratic."""
    (tmp_path / "x.log").write_text("x\n" * 100_000)
    result = run(["logs", "search", "--count", "-f", "x.log"], cwd=tmp_path, hang_after=30)
    assert not result.hung and result.code == 0 and result.out.strip() == "100000", str(result)
