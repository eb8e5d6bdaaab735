"""Running the real dvc, gto and git CLIs on a sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DVC_NO_ANALYTICS"] = "1"
    env["GTO_EMOJIS"] = "false"
    return env


def run(cwd: Path, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a real CLI (dvc and gto from the test venv, git from PATH) in `cwd`."""
    program = str(BIN / argv[0]) if (BIN / argv[0]).exists() else argv[0]
    result = subprocess.run([program, *argv[1:]], cwd=cwd, capture_output=True, text=True, env=tool_env(),
                            timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def run_json(cwd: Path, *argv: str) -> Any:
    return json.loads(run(cwd, *argv).stdout)
