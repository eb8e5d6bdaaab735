"""drift_files reads both samples at once: the reference's error is the one raised when both fail, and a failed
read stops the other at its next block instead of reading its file to the end."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mlops_tui.sources.drift import DriftInputError, DriftReadError, drift_files


def big_csv(path: Path, rows: int) -> Path:
    with path.open("w") as out:
        out.write("a,b\n")
        out.write("".join(f"{i % 97},{i % 13}\n" for i in range(rows)))
    return path


def test_when_both_fail_the_reference_s_error_is_raised(tmp_path: Path):
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n3\n")  # a short row: bad input
    with pytest.raises(DriftReadError) as caught:
        drift_files(str(tmp_path / "missing.csv"), str(tmp_path / "bad.csv"))
    assert "missing.csv" in str(caught.value)
    with pytest.raises(DriftInputError) as caught:
        drift_files(str(tmp_path / "bad.csv"), str(tmp_path / "missing.csv"))
    assert "bad.csv" in str(caught.value)


def test_a_failed_read_stops_the_other_one(tmp_path: Path):
    big = big_csv(tmp_path / "big.csv", 3_000_000)  # ~ 20 MB: many blocks
    seen: list[tuple[str, float]] = []
    start = time.perf_counter()
    with pytest.raises(DriftReadError):
        drift_files(str(tmp_path / "missing.csv"), str(big), progress=lambda path, share: seen.append((path, share)))
    assert time.perf_counter() - start < 30
    shares = [share for path, share in seen if path == str(big)]
    assert not shares or max(shares) < 1.0  # stopped before its end


def test_both_read_gives_the_same_report_as_each_alone(tmp_path: Path):
    ref, cur = big_csv(tmp_path / "ref.csv", 20_000), tmp_path / "cur.csv"
    cur.write_text("a,b\n" + "".join(f"{(i * 7) % 50},{i % 13}\n" for i in range(20_000)))
    report = drift_files(str(ref), str(cur))
    assert [c.column for c in report.columns] and report.reference == str(ref) and report.current == str(cur)
    assert {c.column: c.drifted for c in report.columns} == {"a": True, "b": False}
