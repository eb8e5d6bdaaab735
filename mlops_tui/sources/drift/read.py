"""Reading a reference or current sample: CSV, JSON lines (either gzipped) and Parquet (when pyarrow is there).

A sample is a mapping column -> Column. A numeric column holds float64 with NaN for a missing value; a text
column holds one int32 code per row (-1 for a missing value) into its list of categories, so comparing millions
of rows counts integers, not strings. A column's type comes from its values: numeric when every
present value is a number. Errors name the file, the line and the column, and say what was expected.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# What pandas' read_csv reads as missing by default, the spellings exported data actually uses.
MISSING = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "none", "-NaN", "-nan", "#N/A", "<NA>"})
FORMATS = ("csv", "jsonl", "parquet")
# Samples are read whole (chunked reading is not built yet): larger files are refused before they exhaust memory.
MAX_BYTES = 512 * 2**20
_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}


class DriftInputError(ValueError):
    """The file was read but is not a usable sample (wrong format, bad values, empty); for the user."""


class DriftReadError(OSError):
    """The file could not be read at all (missing, permission, I/O error); for the user."""


@dataclass
class Column:
    name: str
    kind: str  # "numeric", "text", or "empty" (every value missing: compatible with either)
    values: np.ndarray  # float64 with NaN (numeric, empty), or int32 codes into categories, -1 missing (text)
    missing: int = 0
    categories: list[str] = field(default_factory=list)  # text columns: the distinct values, in order of appearance

    @property
    def rows(self) -> int:
        return len(self.values)


def text_column(name: str, values) -> Column:
    """A text column from its values (None for a missing one)."""
    index: dict = {None: -1}
    codes = np.fromiter((index.setdefault(v, len(index) - 1) for v in values), np.int32)
    del index[None]
    return Column(name, "text", codes, missing=int(np.count_nonzero(codes < 0)), categories=list(index))


@dataclass
class Sample:
    path: str
    rows: int
    columns: dict[str, Column] = field(default_factory=dict)


def format_of(path: str) -> tuple[str, bool]:
    """(format, gzipped) from the file name; DriftInputError for a name that says neither."""
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    inner = suffixes[-2] if gz and len(suffixes) > 1 else (suffixes[-1] if suffixes and not gz else "")
    if inner not in _SUFFIXES:
        raise DriftInputError(f"{path}: not a sample file by its name (read: .csv, .tsv, .jsonl, .ndjson, .parquet, gzipped too)")
    return _SUFFIXES[inner], gz


def read_sample(path: str) -> Sample:
    """The sample in path; DriftInputError when its content is unusable, DriftReadError when unreadable."""
    fmt, gz = format_of(path)
    too_big = f"{path}: larger than {MAX_BYTES // 2**20} MiB{{}}; samples are read whole, so take a sample of it"
    try:
        if Path(path).stat().st_size > MAX_BYTES:
            raise DriftInputError(too_big.format(""))
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise DriftReadError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DriftReadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if gz:
        if raw[:2] != b"\x1f\x8b":
            raise DriftInputError(f"{path}: not gzip data, though its name ends in .gz")
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                raise DriftInputError(too_big.format(" once decompressed"))
        except (OSError, EOFError) as exc:
            raise DriftInputError(f"{path}: broken gzip data: {exc}") from None
    if not raw or raw.isspace():
        raise DriftInputError(f"{path}: the file is empty")
    if fmt == "parquet":
        return _read_parquet(path, raw)
    if raw[:4] == b"PAR1" or raw[:2] == b"\x1f\x8b" or b"\x00" in raw[:4096]:
        raise DriftInputError(f"{path}: binary data, not {'CSV' if fmt == 'csv' else 'JSON lines'} as its name says")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DriftInputError(f"{path}: not UTF-8 text (byte {exc.start}), not {fmt.upper()} as its name says") from None
    return _read_csv(path, text) if fmt == "csv" else _read_jsonl(path, text)


def _read_csv(path: str, text: str) -> Sample:
    delimiter = "\t" if ".tsv" in path.lower() else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise DriftInputError(f"{path}: line 1: not CSV: {exc}") from None
    names = [h.strip() for h in header]
    _check_header(path, names)
    width = len(names)
    try:
        rows = list(reader)  # parsed in C; transposed in C below, not value by value in Python
    except csv.Error as exc:
        raise DriftInputError(f"{path}: line {reader.line_num}: not CSV: {exc}") from None
    if any(len(row) != width for row in rows):
        rows = [row for row in rows if row]  # blank lines carry no row
        for number, row in enumerate(rows, 2):
            if len(row) != width:
                raise DriftInputError(f"{path}: row {number}: {len(row)} fields where the header has {width}")
    columns = list(zip(*rows)) if rows else [() for _ in names]
    sample = Sample(path, len(columns[0]) if columns else 0)
    for name, values in zip(names, columns):
        sample.columns[name] = _column_from_strings(path, name, values, first_line=2)
    return sample


def _check_header(path: str, names: list[str]) -> None:
    seen = set()
    for i, name in enumerate(names, 1):
        if not name:
            raise DriftInputError(f"{path}: column {i} of the header has no name")
        if name in seen:
            raise DriftInputError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)


def _column_from_strings(path: str, name: str, values: list[str], first_line: int) -> Column:
    """Numeric when every present value parses as a number; an error when the first present value does and a
    later one does not (a stray word in a numeric column), text otherwise."""
    stripped = np.strings.strip(np.array(values, dtype=str))
    missing_mask = np.isin(stripped, sorted(MISSING))
    present = stripped[~missing_mask]
    if len(present) == 0:
        return Column(name, "empty", np.full(len(values), np.nan), missing=len(values))
    try:
        floats = np.full(len(values), np.nan)
        floats[~missing_mask] = present.astype(np.float64)
    except ValueError:
        if _is_number(present[0]):
            index = next(i for i, v in enumerate(stripped) if not missing_mask[i] and not _is_number(v))
            raise DriftInputError(
                f"{path}: row {first_line + index}: column {name!r}: {str(stripped[index])!r} is not a number "
                "(the column's first value is)") from None
        return text_column(name, (None if m else v for v, m in zip(values, missing_mask)))
    infinite = np.isinf(floats)
    floats[infinite] = np.nan  # as Evidently: infinities are treated as missing
    return Column(name, "numeric", floats, missing=int(missing_mask.sum() + infinite.sum()))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_jsonl(path: str, text: str) -> Sample:
    records: list[dict] = []
    names: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise DriftInputError(f"{path}: line {number}: not JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise DriftInputError(f"{path}: line {number}: a JSON {type(record).__name__}, not an object (JSON lines: one object per line)")
        records.append(record)
        for key in record:
            names.setdefault(key, None)
    sample = Sample(path, len(records))
    for name in names:
        sample.columns[name] = _column_from_json(path, name, [r.get(name) for r in records])
    return sample


def _column_from_json(path: str, name: str, values: list) -> Column:
    first = next((v for v in values if v is not None), None)
    if first is None:
        return Column(name, "empty", np.full(len(values), np.nan), missing=len(values))
    if isinstance(first, (int, float)) and not isinstance(first, bool):
        out = np.empty(len(values))
        missing = 0
        for i, v in enumerate(values):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                out[i], missing = np.nan, missing + 1
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                out[i] = v
            else:
                raise DriftInputError(f"{path}: line {i + 1}: column {name!r}: {json.dumps(v)[:60]} is not a number "
                                      "(the column's first value is)")
        return Column(name, "numeric", out, missing=missing)
    return text_column(name, (_json_text(v) for v in values))


def _json_text(v) -> str | None:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return str(v)


def _read_parquet(path: str, raw: bytes) -> Sample:
    if raw[:4] != b"PAR1":
        raise DriftInputError(f"{path}: not Parquet data, though its name says so")
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DriftInputError(f"{path}: reading Parquet needs pyarrow, which is not installed (pip install pyarrow)") from None
    try:
        table = pq.read_table(io.BytesIO(raw))
    except Exception as exc:  # pyarrow raises its own ArrowInvalid family for broken files
        raise DriftInputError(f"{path}: broken Parquet data: {exc}") from None
    sample = Sample(path, table.num_rows)
    for name in table.column_names:
        sample.columns[name] = _column_from_json(path, name, table.column(name).to_pylist())
    return sample
