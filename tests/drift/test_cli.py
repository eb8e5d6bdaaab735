"""`mlops-tui drift REFERENCE CURRENT`: the table, JSON, exit codes and the messages for bad files."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
from support.cli import run_cli


def write_csv(path: Path, n: int, shift: float, seed: int, extra: dict | None = None) -> Path:
    """age (numeric, shifted by `shift` standard deviations), plan (text, shares move with shift), clicks
    (numeric, unchanged), a tenth of plan missing."""
    rng = np.random.default_rng(seed)
    plans = ["free", "pro", "team"]
    probs = [0.6, 0.3, 0.1] if shift == 0 else [0.3, 0.3, 0.4]
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["age", "plan", "clicks", *(extra or {})])
        for i in range(n):
            plan = "" if i % 10 == 0 else rng.choice(plans, p=probs)
            writer.writerow([f"{rng.normal(40 + 12 * shift, 12):.1f}", plan, int(rng.poisson(20)),
                             *((v(i) for v in (extra or {}).values()))])
    return path


@pytest.fixture
def files(tmp_path: Path):
    return (write_csv(tmp_path / "train.csv", 3000, 0, 1), write_csv(tmp_path / "prod.csv", 2000, 1, 2),
            write_csv(tmp_path / "same.csv", 2000, 0, 3))


def test_a_drifted_sample_exits_1_with_the_drifted_columns_first(files):
    ref, cur, _ = files
    result = run_cli(["drift", str(ref), str(cur)])
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["column", "type", "test", "score", "p-value"]
    rows = [line.split() for line in lines[1:4]]
    assert [r[0] for r in rows[:2]] == ["age", "plan"]  # sorted by how far past its threshold, drifted first
    assert rows[0][1:3] == ["numeric", "wasserstein"] and rows[0][5] == "DRIFT"
    assert rows[1][1:3] == ["text", "jensenshannon"] and rows[1][5] == "DRIFT"
    assert rows[2][0] == "clicks" and rows[2][5] == "ok"
    assert "10.0%/10.0%" in lines[2]  # missing plan values in both
    assert lines[-1] == "dataset: drift: 2 of 3 columns drifted (67%; drift at 50% or more)"


def test_the_same_distribution_exits_0(files):
    ref, _, same = files
    result = run_cli(["drift", str(ref), str(same)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("dataset: no drift: 0 of 3 columns drifted")


def test_json_names_every_statistic_and_a_chosen_test_with_its_threshold(files):
    ref, cur, _ = files
    result = run_cli(["drift", str(ref), str(cur), "--json", "--columns", "clicks,plan", "--test", "clicks=ks:0.01",
                      "--test", "plan=psi"])
    assert result.returncode == 1, result.stderr  # plan drifts: 1 of 2 columns is half
    report = json.loads(result.stdout)
    assert [c["column"] for c in report["columns"]] == ["plan", "clicks"]
    plan, clicks = report["columns"]
    assert (plan["test"], plan["threshold"], plan["drifted"]) == ("psi", 0.1, True)
    assert set(plan["stats"]) == {"psi", "chi2", "chi2_p_value", "jensenshannon"}
    assert plan["missing"] == {"reference": 0.1, "current": 0.1}
    assert (clicks["test"], clicks["threshold"]) == ("ks", 0.01)
    assert clicks["p_value"] == clicks["stats"]["ks_p_value"] and clicks["p_value"] > 0.01
    assert set(clicks["stats"]) == {"psi", "ks_statistic", "ks_p_value", "wasserstein_norm"}


def test_jsonl_gzip_against_csv(tmp_path: Path, files):
    ref, _, _ = files
    rows = list(csv.DictReader(ref.open()))
    with gzip.open(tmp_path / "cur.jsonl.gz", "wt") as out:
        for row in rows:
            out.write(json.dumps({"age": float(row["age"]), "plan": row["plan"] or None, "clicks": int(row["clicks"])}) + "\n")
    result = run_cli(["drift", str(ref), str(tmp_path / "cur.jsonl.gz"), "--json"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert all(c["score"] == 0.0 for c in report["columns"] if c["test"] != "ks")  # the same data read two ways


@pytest.mark.parametrize("content, name, message", [
    ("", "empty.csv", "empty.csv: the file is empty"),
    ("age,plan,clicks\n", "header.csv", "header.csv: the reference has no rows"),
    ("age,plan\n41,pro\n38\n", "short.csv", "short.csv: row 3: 1 fields where the header has 2"),
    ("age,plan\n41,pro\nforty,pro\n", "word.csv", "word.csv: row 3: column 'age': 'forty' is not a number"),
    ("{\"age\": 41}\n[1, 2]\n", "list.jsonl", "list.jsonl: line 2: a JSON list, not an object"),
    ("age,plan\n41,pro\n", "notgzip.csv.gz", "notgzip.csv.gz: not gzip data, though its name ends in .gz"),
    (b"\x1f\x8b\x08\x00binary", "gzip.csv", "gzip.csv: binary data, not CSV as its name says"),
    ("age,plan\n41,pro\n", "sample.txt", "sample.txt: not a sample file by its name"),
])
def test_bad_reference_files_exit_2_naming_the_file(tmp_path: Path, files, content, name, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_cli(["drift", str(path), str(files[1])])
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_mismatched_columns_and_types_exit_2_naming_the_column(tmp_path: Path, files):
    ref, cur, _ = files
    other = write_csv(tmp_path / "other.csv", 100, 0, 4, extra={"region": lambda i: "eu"})
    result = run_cli(["drift", str(ref), str(other)])
    assert result.returncode == 2
    assert f"only in {other}: region" in result.stderr and "--columns" in result.stderr
    typed = tmp_path / "typed.csv"
    typed.write_text("age,plan,clicks\nold,pro,3\nyoung,free,4\n")
    result = run_cli(["drift", str(ref), str(typed)])
    assert result.returncode == 2
    assert f"column 'age' is numeric in {ref} but text in {typed}" in result.stderr
    result = run_cli(["drift", str(ref), str(cur), "--test", "plan=ks"])
    assert result.returncode == 2 and "ks needs a numeric column; 'plan' is text" in result.stderr
    result = run_cli(["drift", str(ref), str(cur), "--test", "plan=t-test"])
    assert result.returncode == 2 and "expected COLUMN=TEST[:THRESHOLD]" in result.stderr
    result = run_cli(["drift", str(ref), str(cur), "--columns", "age,income"])
    assert result.returncode == 2 and "column 'income' is not in" in result.stderr


def test_an_unreadable_file_exits_3(tmp_path: Path, files):
    result = run_cli(["drift", str(files[0]), str(tmp_path / "missing.csv")])
    assert result.returncode == 3
    assert "missing.csv: cannot read: No such file or directory" in result.stderr
    (tmp_path / "folder.csv").mkdir()
    result = run_cli(["drift", str(files[0]), str(tmp_path / "folder.csv")])
    assert result.returncode == 3 and "folder.csv: is a directory, not a file" in result.stderr


def test_an_empty_current_sample_says_no_data_per_column(tmp_path: Path, files):
    empty = tmp_path / "empty-current.csv"
    empty.write_text("age,plan,clicks\n")
    result = run_cli(["drift", str(files[0]), str(empty)])
    assert result.returncode == 0, result.stderr
    assert all("no data" in line for line in result.stdout.splitlines()[1:4])
    assert result.stdout.splitlines()[-1] == "dataset: no drift: 0 of 0 columns drifted (0%; drift at 50% or more)"


def test_a_10_gib_file_of_zeros_and_a_gzip_bomb_are_refused_without_reading_them_whole(tmp_path: Path, files):
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as out:
        out.truncate(10 * 2**30)  # 10 GiB, sparse: nothing is written
    result = run_cli(["drift", str(files[0]), str(huge)])
    assert result.returncode == 2
    assert "huge.csv: binary data, not CSV as its name says" in result.stderr
    bomb = tmp_path / "bomb.csv.gz"
    with gzip.open(bomb, "wb") as out:
        out.write(b"a\n")
        for _ in range(520):
            out.write(b"1\n" * 2**19)
    result = run_cli(["drift", str(files[0]), str(bomb)])
    assert result.returncode == 2
    assert "bomb.csv.gz: inflates past" in result.stderr and "(limits.gzip_ratio x its size)" in result.stderr
    assert "Traceback" not in result.stderr


IRIS = Path(__file__).parent / "data" / "iris.csv"  # Fisher's iris data as published (see data/README.md)


def test_a_real_csv_against_its_last_species_drifts_in_every_column(tmp_path: Path):
    lines = IRIS.read_text().splitlines()
    virginica = tmp_path / "virginica.csv"
    virginica.write_text("\n".join([lines[0]] + [line for line in lines[1:] if line.endswith("virginica")]) + "\n")
    result = run_cli(["drift", str(IRIS), str(virginica), "--json"])
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    tests = {c["column"]: (c["type"], c["test"], c["drifted"]) for c in report["columns"]}
    assert tests == {"SL": ("numeric", "ks", True), "SW": ("numeric", "ks", False), "PL": ("numeric", "ks", True),
                     "PW": ("numeric", "ks", True), "Target": ("text", "chisquare", True)}
    assert run_cli(["drift", str(IRIS), str(IRIS)]).returncode == 0


def test_progress_on_stderr_and_the_same_rows_read_from_parquet_and_tsv(tmp_path: Path, files):
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    ref = files[0]
    table = pcsv.read_csv(ref)
    pq.write_table(table, tmp_path / "same.parquet")
    pcsv.write_csv(table, tmp_path / "same.tsv", pcsv.WriteOptions(delimiter="\t"))
    for other in ("same.parquet", "same.tsv"):
        result = run_cli(["drift", str(ref), str(tmp_path / other), "--json", "--progress", "always"])
        assert result.returncode == 0, result.stderr
        assert f"reading {tmp_path / other}: 100%" in result.stderr.splitlines()
        report = json.loads(result.stdout)
        assert all(c["stats"]["psi"] == 0.0 for c in report["columns"]), report
        age = next(c for c in report["columns"] if c["column"] == "age")
        assert age["quantiles"]["p50"][0] == age["quantiles"]["p50"][1]
        assert age["histogram"]["reference"] == age["histogram"]["current"]
        assert len(age["histogram"]["bins"]) == 12
    assert pa.types.is_floating(table.schema.field("age").type)
    quiet = run_cli(["drift", str(ref), str(tmp_path / "same.tsv")])
    assert quiet.returncode == 0 and quiet.stderr == ""  # auto: no progress for a small file


def test_a_word_in_a_numeric_column_past_the_first_block_names_its_row(tmp_path: Path, files):
    path = tmp_path / "long.csv"
    rows = 2_500_000  # about 10 MB: pyarrow guesses the type from the first 8 MiB block
    with path.open("w") as out:
        out.write("age\n" + "41.5\n" * rows + "forty\n")
    result = run_cli(["drift", str(path), str(files[1]), "--columns", "age"], timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"long.csv: row {rows + 2}: column 'age': 'forty' is not a number" in result.stderr
    assert "Traceback" not in result.stderr
