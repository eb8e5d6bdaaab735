"""The pyarrow side of reading a sample: each block pyarrow parses (CSV, JSON lines, Parquet) is handed column
by column to an accumulator that keeps what read.py's docstring promises, bounded whatever the file's size.
When pyarrow says what is wrong but not where, the file is read again line by line only to name the row.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Callable

import numpy as np

from mlops_tui.sources.drift.read import BLOCK_BYTES, FEW, MISSING, Column, DriftInputError, Sample


def _arrow():
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # a dependency; an environment without it still says what to do
        raise DriftInputError("reading samples needs pyarrow, which is not installed (pip install pyarrow)") from None
    import pyarrow as pa

    return pa


class _Accumulator:
    """What is kept of one column while its blocks arrive: bounded whatever the number of rows."""

    def __init__(self, name: str, sample_size: int, rng: np.random.Generator) -> None:
        self.name, self.k, self.rng = name, sample_size, rng
        self.kind: str | None = None  # numeric or text once a present value was seen
        self.rows = self.missing = self.present = 0
        self.buffer: np.ndarray | None = None  # numeric values: the first k, then a uniform sample of k
        self.few: dict[float, int] | None = {}  # counted once the column is sampled (exact values otherwise)
        self.sampling = False
        self.index: dict[str, int] = {}
        self.counts = np.zeros(0, np.int64)
        self.seen: list = []  # text: every raw value met so far (unstripped), for pyarrow to look blocks up in
        self.seen_codes = np.zeros(0, np.int64)  # ... and its category (-1 for a missing spelling)
        self.seen_array = None  # self.seen as a pyarrow array, rebuilt when values were added

    def numbers(self, values: np.ndarray, first_row: int) -> None:
        self.rows += len(values)
        bad = ~np.isfinite(values)  # as Evidently: infinities are treated as missing
        n_bad = int(np.count_nonzero(bad))
        if n_bad:
            values = values[~bad]
        self.missing += n_bad
        if not len(values):
            return
        if self.kind == "text":
            raise DriftInputError(f"column {self.name!r}: a number from row {first_row} on in a column whose first "
                                  "values are text")
        self.kind = "numeric"
        start = self.present
        self.present += len(values)
        if self.buffer is None:  # all k at once: pages untouched stay unmapped, and no pieces fragment the heap
            self.buffer = np.empty(self.k)
        if start < self.k:
            keep = min(len(values), self.k - start)
            self.buffer[start:start + keep] = values[:keep]
            values, start = values[keep:], start + keep
            if not len(values):
                return
        if not self.sampling:  # sampled from here on: the k values kept so far are counted first
            self.sampling = True
            self._count_few(self.buffer)
        if self.few is not None:
            self._count_few(values)
        # Algorithm R, vectorised: the value of index i (0-based) replaces a random slot with probability k/(i+1);
        # later values overwrite earlier ones in the same slot, as the one-by-one algorithm would.
        at = np.arange(start, start + len(values), dtype=np.float64)
        taken = self.rng.random(len(values)) * (at + 1) < self.k
        self.buffer[self.rng.integers(0, self.k, int(np.count_nonzero(taken)))] = values[taken]

    def _count_few(self, values: np.ndarray) -> None:
        keys, n = np.unique(values, return_counts=True)
        if len(keys) > FEW:
            self.few = None
            return
        for key, count in zip(keys.tolist(), n.tolist()):
            self.few[key] = self.few.get(key, 0) + count
        if len(self.few) > FEW:
            self.few = None

    def texts(self, values, counts: np.ndarray, first_row: int, block) -> None:
        """One block of a text column: its distinct values in order of appearance (a pyarrow string array, a
        null for missing rows), how often each occurs, and the block itself (only read to name a row in an
        error). Values met in earlier blocks are looked up by pyarrow; only new ones are looked at one by one
        (stripped, missing spellings, a number in a numeric column)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        self.rows += len(block)
        at = np.full(len(values), -1, np.int64)
        if self.seen_array is not None:
            found = pc.index_in(values, value_set=self.seen_array)
            at = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        new = np.flatnonzero(at < 0)
        if len(new):
            raws = values.take(new).to_pylist()
            codes = np.empty(len(raws), np.int64)
            checked = self.kind is not None
            for j, raw in enumerate(raws):
                value = raw.strip() if isinstance(raw, str) else raw
                if value is None or value in MISSING:
                    codes[j] = -1
                    continue
                if not checked:
                    self._first_text(block.to_pylist(), first_row)
                    checked = True
                elif self.kind == "numeric":
                    row = first_row + pc.index(block, raw).as_py()
                    raise DriftInputError(f"row {row}: column {self.name!r}: {value[:60]!r} is not a number "
                                          "(the column's first value is)")
                codes[j] = self.index.setdefault(value, len(self.index))
            at[new] = np.arange(len(self.seen), len(self.seen) + len(raws))
            self.seen.extend(raws)
            self.seen_codes = np.append(self.seen_codes, codes)
            self.seen_array = pa.array(self.seen, pa.string())
        codes = self.seen_codes[at]
        present = codes >= 0
        self.missing += int(counts[~present].sum())
        if present.any():
            self.kind = "text"
            if len(self.counts) < len(self.index):
                self.counts = np.append(self.counts, np.zeros(len(self.index) - len(self.counts), np.int64))
            np.add.at(self.counts, codes[present], counts[present])  # two spellings may strip to one category

    def _first_text(self, rows: list, first_row: int) -> None:
        """A text column whose first present value is a number holds a stray word: name its row."""
        first = next(v.strip() for v in rows if v is not None and v.strip() not in MISSING)
        if not _is_number(first):
            return
        for row, v in enumerate(rows):
            v = v.strip() if v is not None else None
            if v is not None and v not in MISSING and not _is_number(v):
                raise DriftInputError(f"row {first_row + row}: column {self.name!r}: {v[:60]!r} is not a number "
                                      "(the column's first value is)")

    def column(self) -> Column:
        if self.kind == "text":
            return Column(self.name, "text", np.empty(0), self.missing, list(self.index), self.counts, self.rows)
        if self.kind is None:
            return Column(self.name, "empty", np.empty(0), self.missing, rows=self.rows, present=0)
        values = self.buffer[:min(self.present, self.k)] if self.buffer is not None else np.empty(0)
        values.sort()  # in place: what compare needs, without a copy (a sample's order means nothing)
        return Column(self.name, "numeric", values, self.missing, rows=self.rows, present=self.present,
                      few=self.few if self.present > self.k else None, ordered=True)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_CONVERSION = re.compile(r"In CSV column #(\d+): .*CSV conversion error to (\w+): invalid value '(.*)'", re.S)


class Reader:
    def __init__(self, path: str, sample_size: int, seed: int, tick: Callable[..., None],
                 block: int = BLOCK_BYTES) -> None:
        self.path, self.k, self.seed, self.tick, self.block = path, sample_size, seed, tick, block
        self.pa = _arrow()

    def _accumulators(self, names: list[str]) -> dict[str, _Accumulator]:
        rng = np.random.default_rng(self.seed)
        return {name: _Accumulator(name, self.k, rng) for name in names}

    def _add(self, acc: _Accumulator, array, first_row: int) -> None:
        pa, pc = self.pa, __import__("pyarrow.compute").compute
        t = array.type
        if pa.types.is_null(t):
            acc.rows += len(array)
            acc.missing += len(array)
        elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            acc.numbers(array.cast(pa.float64()).to_numpy(zero_copy_only=False), first_row)
        else:
            if pa.types.is_dictionary(t):
                array = array.dictionary_decode()
                t = array.type
            if pa.types.is_large_string(t):
                array = array.cast(pa.string())
            elif pa.types.is_boolean(t) or pa.types.is_temporal(t) or pa.types.is_binary(t):
                try:
                    array = array.cast(pa.string())
                except pa.ArrowInvalid:
                    raise DriftInputError(f"{self.path}: column {acc.name!r}: not UTF-8 text") from None
            elif not pa.types.is_string(t):  # JSON objects and lists: their JSON text, as a category
                array = pa.array([_json_text(v) for v in array.to_pylist()], pa.string())
            counted = pc.value_counts(array)  # hashed in C, in order of first appearance
            acc.texts(counted.field("values"), counted.field("counts").to_numpy(), first_row, array)

    def _blocks(self, batches, accs: dict[str, _Accumulator], names: list[str], first_line: int) -> int:
        rows = 0
        for batch in batches:
            for name, array in zip(names, batch.columns):
                try:
                    self._add(accs[name], array, first_line + rows)
                except DriftInputError as exc:
                    text = str(exc)
                    raise DriftInputError(text if text.startswith(self.path) else f"{self.path}: {text}") from None
            rows += batch.num_rows
            self.tick()
        return rows

    def _sample(self, rows: int, accs: dict[str, _Accumulator]) -> Sample:
        return Sample(self.path, rows, {name: acc.column() for name, acc in accs.items()})

    def csv(self, stream, delimiter: str, reopen) -> Sample:
        import pyarrow.csv as pcsv

        pa = self.pa
        parse = pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True)
        convert = pcsv.ConvertOptions(null_values=sorted(MISSING), strings_can_be_null=True,
                                      quoted_strings_can_be_null=True)
        read = pcsv.ReadOptions(block_size=self.block, use_threads=True)
        try:
            reader = pcsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            raise self._csv_error(exc, [], delimiter, reopen) from None
        schema = reader.schema
        del reader  # the blocks it read ahead are dropped now, not held through the whole read
        names = [n.strip() for n in schema.names]
        _check_header(self.path, names)
        text_like = {f.name for f in schema
                     if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_null(f.type))}
        text = pa.string()  # counted per block by pyarrow's value_counts (a dictionary while converting costs more)
        while True:  # numbers are read as float64 (an int64 guess breaks on a later 1.5); text as text
            types = {f: (text if f in text_like else pa.float64()) for f in schema.names}
            options = pcsv.ConvertOptions(null_values=sorted(MISSING), strings_can_be_null=True,
                                          quoted_strings_can_be_null=True, column_types=types)
            accs = self._accumulators(names)
            try:
                batches = pcsv.open_csv(reopen(), read_options=read, parse_options=parse, convert_options=options)
                rows = self._blocks(batches, accs, names, first_line=2)
                return self._sample(rows, accs)
            except pa.ArrowInvalid as exc:
                match = _CONVERSION.match(str(exc))
                if match and match.group(2) == "double":
                    column = schema.names[int(match.group(1))]
                    if column not in text_like and _null_at_first(schema, column):
                        text_like.add(column)  # missing in the whole first block: text after all; read again
                        continue
                raise self._csv_error(exc, names, delimiter, reopen) from None

    def _csv_error(self, exc, names, delimiter=",", reopen=None) -> DriftInputError:
        message = str(exc)
        match = _CONVERSION.match(message)
        if match and reopen is not None:
            column, value = names[int(match.group(1))], match.group(3)
            row = _find_row(reopen, delimiter, int(match.group(1)), value)
            where = f"row {row}: " if row else ""
            return DriftInputError(f"{self.path}: {where}column {column!r}: {value[:60]!r} is not a number "
                                   "(the column's first values are)")
        if "invalid UTF8" in message or "UTF8" in message:
            return DriftInputError(f"{self.path}: not UTF-8 text, not CSV as its name says")
        found = re.search(r"Expected (\d+) columns, got (\d+)", message)
        if found:
            row = _find_short_row(reopen, delimiter, int(found.group(1))) if reopen else None
            where = f"row {row}: " if row else ""
            return DriftInputError(f"{self.path}: {where}{found.group(2)} fields where the header has {found.group(1)}")
        if "Empty CSV file" in message:
            return DriftInputError(f"{self.path}: the file is empty")
        return DriftInputError(f"{self.path}: not CSV: {message.splitlines()[0][:200]}")

    def jsonl(self, stream, reopen) -> Sample:
        import pyarrow.json as pjson

        pa = self.pa
        try:
            batches = pjson.open_json(stream, read_options=pjson.ReadOptions(block_size=self.block))
            names = list(batches.schema.names)
            accs = self._accumulators(names)
            rows = self._blocks(batches, accs, names, first_line=1)
        except pa.ArrowInvalid as exc:  # pyarrow says what, not where: the lines are read again to say where
            found = _find_json_error(self.path, reopen)
            if found:
                raise DriftInputError(found) from None
            raise DriftInputError(f"{self.path}: not JSON lines: {str(exc).splitlines()[0][:200]}") from None
        return self._sample(rows, accs)

    def parquet(self, handle) -> Sample:
        import pyarrow.parquet as pq

        pa = self.pa
        try:
            handle.seek(0)
            file = pq.ParquetFile(handle)
            names = list(file.schema_arrow.names)
            total = max(file.metadata.num_rows, 1)
            accs = self._accumulators(names)
            rows = 0
            for batch in file.iter_batches(batch_size=131072):
                for name, array in zip(names, batch.columns):
                    self._add(accs[name], array, rows + 1)
                rows += batch.num_rows
                self.tick(rows / total)
        except (pa.ArrowException, OSError) as exc:  # pyarrow raises its own ArrowInvalid family for broken files
            if isinstance(exc, DriftInputError):
                raise
            raise DriftInputError(f"{self.path}: broken Parquet data: {exc}") from None
        except DriftInputError as exc:
            raise DriftInputError(f"{self.path}: {exc}") from None
        return self._sample(rows, accs)


def _null_at_first(schema, column: str) -> bool:
    import pyarrow as pa

    return pa.types.is_null(schema.field(column).type)


def _find_row(reopen, delimiter: str, column: int, value: str) -> int | None:
    """The row (header is row 1) where `column` holds `value` first: only to name it in an error."""
    text = io.TextIOWrapper(reopen(), encoding="utf-8-sig", errors="replace", newline="")
    for number, row in enumerate(csv.reader(text, delimiter=delimiter), 1):
        if number > 1 and len(row) > column and row[column].strip() == value.strip():
            return number
    return None


def _find_json_error(path: str, reopen) -> str | None:
    """The first line that is not a JSON object, or whose value is not a number where the key's first value
    was: only to name it in an error."""
    numeric: dict[str, bool] = {}
    for number, line in enumerate(io.TextIOWrapper(reopen(), encoding="utf-8-sig", errors="replace"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            return f"{path}: line {number}: not JSON: {getattr(exc, 'msg', exc)}"
        if not isinstance(record, dict):
            return f"{path}: line {number}: a JSON {type(record).__name__}, not an object (JSON lines: one object per line)"
        for key, v in record.items():
            if v is None:
                continue
            is_number = isinstance(v, (int, float)) and not isinstance(v, bool)
            first = numeric.setdefault(key, is_number)
            if first and not is_number:
                return (f"{path}: line {number}: column {key!r}: {json.dumps(v)[:60]} is not a number "
                        "(the column's first value is)")
            if not first and is_number and not isinstance(v, str):
                return f"{path}: line {number}: column {key!r}: the number {v} where the column's first values are text"
    return None


def _find_short_row(reopen, delimiter: str, width: int) -> int | None:
    """The first row (header is row 1, blank lines not counted) whose number of fields is not width."""
    text = io.TextIOWrapper(reopen(), encoding="utf-8-sig", errors="replace", newline="")
    number = 0
    for row in csv.reader(text, delimiter=delimiter):
        if row:
            number += 1
            if len(row) != width:
                return number
    return None


def _check_header(path: str, names: list[str]) -> None:
    seen = set()
    for i, name in enumerate(names, 1):
        if not name:
            raise DriftInputError(f"{path}: column {i} of the header has no name")
        if name in seen:
            raise DriftInputError(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)


def _json_text(v) -> str | None:
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return str(v)
