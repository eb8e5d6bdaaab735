"""Files that are not files: a FIFO, character devices, a directory, a symlink loop, an unreadable file or
folder, a name the system refuses (ENAMETOOLONG). Each is refused with a clear message and an exit code,
in every command that reads a path, and never blocks: a FIFO opened for reading waits for a writer forever."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from hostile.measure import ok_refusal, run

LONG = "k" * 300  # one path component over NAME_MAX (255)


@pytest.fixture
def odd(tmp_path: Path) -> dict[str, str]:
    """name -> a path that is not a regular readable file."""
    fifo = tmp_path / "fifo.log"
    os.mkfifo(fifo)
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    (tmp_path / "folder").mkdir()
    return {"fifo": str(fifo), "zero": "/dev/zero", "urandom": "/dev/urandom", "directory": str(tmp_path / "folder"),
            "symlink loop": str(tmp_path / "loop-a"), "name too long": str(tmp_path / (LONG + ".log"))}


LOG_MESSAGES = {"fifo": "a FIFO (named pipe), not a log file", "zero": "a character device, not a log file",
                "urandom": "a character device, not a log file", "directory": "a directory, not a log file",
                "symlink loop": "Too many levels of symbolic links", "name too long": "File name too long"}
CONFIG_MESSAGES = {"fifo": "a FIFO, not a config file", "zero": "a device, not a config file",
                   "urandom": "a device, not a config file", "directory": "is a directory",
                   "symlink loop": "Too many levels of symbolic links", "name too long": "File name too long"}


@pytest.mark.parametrize("kind", sorted(LOG_MESSAGES))
def test_logs_search_refuses_it(odd, kind):
    ok_refusal(run(["logs", "search", "--count", "-f", odd[kind]]), 3, LOG_MESSAGES[kind])


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_logs_tail_refuses_it(odd, kind):
    ok_refusal(run(["logs", "tail", "--for", "1", "-f", odd[kind]]), 3, LOG_MESSAGES[kind])


@pytest.mark.parametrize("kind", sorted(set(CONFIG_MESSAGES) - {"directory"}))
def test_config_diff_refuses_it(odd, tmp_path, kind):
    other = tmp_path / "b.yaml"
    other.write_text("a: 1\n")
    result = run(["config", "diff", odd[kind] if kind != "name too long" else odd[kind][:-4] + ".yaml", str(other)])
    assert not result.hung and "Traceback" not in result.err and result.code in (2, 3), str(result)
    assert CONFIG_MESSAGES[kind] in result.err, str(result)


@pytest.mark.parametrize("kind", sorted(CONFIG_MESSAGES))
def test_a_settings_file_that_is_not_a_file_is_refused(odd, kind):
    result = run(["--config", odd[kind], "config", "check"])
    ok_refusal(result, 2, "invalid settings", CONFIG_MESSAGES[kind])


@pytest.mark.parametrize("kind", ["fifo", "zero", "symlink loop", "name too long"])
def test_models_refuses_it_as_a_repository(odd, kind):
    result = run(["models", "list", "--repo", odd[kind]])
    assert not result.hung and "Traceback" not in result.err and result.code == 3, str(result)


def test_an_override_key_longer_than_a_file_name_is_a_key(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("a: 1\n")
    result = run(["config", "merge", str(base), f"{LONG}=1", "--json"])
    assert result.code == 0 and LONG in result.out, str(result)
    result = run(["config", "diff", f"{base}+{LONG}=1", str(base)])
    assert result.code == 0 and "1 removed" in result.out, str(result)


# --- without read permission: root reads everything, so as root (CI) the command runs without the two
# capabilities that bypass permission bits (measure.AS_ORDINARY_USER); the first test proves that holds -------
def test_an_unreadable_log_is_refused(tmp_path):
    log = tmp_path / "secret.log"
    log.write_text("line\n")
    readable = tmp_path / "open.log"
    readable.write_text("line\n")
    control = run(["logs", "search", "-f", str(readable)], ordinary_user=True)  # the command itself still runs
    assert control.code == 0 and control.out.strip().endswith("line"), str(control)
    log.chmod(0)
    ok_refusal(run(["logs", "search", "-f", str(log)], ordinary_user=True), 3, "Permission denied")


def test_an_unreadable_config_folder_is_not_an_empty_one(tmp_path):
    for side in ("a", "b"):
        (tmp_path / side / "sub").mkdir(parents=True)
        (tmp_path / side / "sub" / "train.yaml").write_text("lr: 1\n")
    (tmp_path / "b" / "sub").chmod(0)
    try:
        result = run(["config", "diff", str(tmp_path / "a"), str(tmp_path / "b")], ordinary_user=True)
    finally:
        (tmp_path / "b" / "sub").chmod(stat.S_IRWXU)
    ok_refusal(result, 3, "cannot list sub", "Permission denied")


def test_a_repository_under_an_unreadable_folder_is_a_message(tmp_path):
    locked = tmp_path / "locked"
    (locked / "repo").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(locked / "repo")], check=True)
    locked.chmod(0)
    try:
        result = run(["models", "list", "--repo", str(locked / "repo")], ordinary_user=True)
    finally:
        locked.chmod(stat.S_IRWXU)
    ok_refusal(result, 3, "Permission denied")
