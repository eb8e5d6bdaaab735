"""`mlops-tui logs patterns` run as a user runs it: a real process on a real-shaped file, text and JSON, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HDFS = Path(__file__).parent / "samples" / "patterns" / "hdfs-datanode.log"


def run(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "mlops_tui", "logs", "patterns", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def test_text_table_most_frequent_first(tmp_path):
    result = run(tmp_path, "--file", str(HDFS), "--limit", "2")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "9 templates in 1,500 records (1,602 lines)"
    assert lines[1].split() == ["COUNT", "SHARE", "LEVEL", "FIRST", "LAST", "TEMPLATE"]
    receiving = sum("Receiving block" in line for line in HDFS.read_text().splitlines())
    assert lines[2].split()[:3] == [str(receiving), f"{receiving / 1500:.1%}", "info"]
    assert lines[2].endswith("Receiving block <*> src: <*> dest: <*>")
    assert "2008-11-09 20:35:23" in lines[2] and len(lines) == 4


def test_json(tmp_path):
    result = run(tmp_path, "--file", str(HDFS), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["records"] == 1500 and data["templates"] == 9 and data["done"] is True
    warn = [p for p in data["patterns"] if p["level"] == "warn"]
    assert [p["count"] for p in warn] == [sum(" WARN " in line for line in HDFS.read_text().splitlines())]
    assert warn[0]["template"] == "<*> exception while serving <*> to <*>"
    assert sum(warn[0]["histogram"]) == warn[0]["count"] and warn[0]["first"].startswith("2008-11-09T20:35:37.725")


def test_missing_file_and_untrusted_text(tmp_path):
    result = run(tmp_path, "--file", str(tmp_path / "nope.log"))
    assert result.returncode == 3 and "cannot open" in result.stderr and "Traceback" not in result.stderr
    log = tmp_path / "evil.log"
    log.write_text("boom \x1b]0;title\x07 here\n" * 3)
    result = run(tmp_path, "--file", str(log))
    assert result.returncode == 0 and "\x1b" not in result.stdout and "boom ␛]0;title␇ here" in result.stdout
    result = run(tmp_path, "--file", str(log), "--json")
    assert "\x1b" not in result.stdout and json.loads(result.stdout)["patterns"][0]["count"] == 3
