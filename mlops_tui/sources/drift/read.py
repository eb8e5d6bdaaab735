"""Reading a reference or current sample in blocks: CSV/TSV, JSON lines (either gzipped) and Parquet, on pyarrow.
This module opens the file and checks it is what its name says; blocks.py parses it and keeps each column.

A file is read block by block (pyarrow parses each block in C); what is kept per column is bounded whatever
the file's size: a text column keeps one count per category; a numeric column keeps its present values up to
`SAMPLE_SIZE` of them and, past that, a uniform random sample of that many (reservoir sampling, seeded so a
run repeats) with, once sampled, the exact count of each value while it has at most 21 distinct values, and
its missing count; its values are handed over sorted (what compare needs).
A column's type comes from its values: numeric when every present value is a number (pyarrow infers it from
the first block; a later value that is not a number is an error naming the row). Errors name the file, the
row and the column, and say what was expected.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# What pandas' read_csv reads as missing by default, the spellings exported data actually uses.
MISSING = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NULL", "null", "None", "none", "-NaN", "-nan", "#N/A", "<NA>"})
FORMATS = ("csv", "jsonl", "parquet")
SAMPLE_SIZE = 1_000_000  # numeric values kept per column; past it, a uniform sample of this many
FEW = 21  # distinct numeric values counted exactly (Evidently's tests and bins change at 5 and 20)
BLOCK_BYTES = 2**20  # pyarrow's default: its CSV reader holds about 50 times the block size while it reads
SMALL_BLOCK_BYTES = 2**21  # blocks of a file under SMALL_FILE_BYTES: a 117 MB CSV reads in 1.38 s, not 1.67 s,
SMALL_FILE_BYTES = 2**28   # for 48 MB more at its peak; bigger files (and gzip) keep BLOCK_BYTES and their bound
_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

Progress = Callable[[float], None]  # the share of the file read so far, 0 to 1


class DriftInputError(ValueError):
    """The file was read but is not a usable sample (wrong format, bad values, empty); for the user."""


class DriftReadError(OSError):
    """The file could not be read at all (missing, permission, I/O error); for the user."""


@dataclass
class Column:
    name: str
    kind: str  # "numeric", "text", or "empty" (every value missing: compatible with either)
    values: np.ndarray  # numeric: float64 values (NaN ignored as missing), all of them or a uniform sample
    missing: int = 0
    categories: list[str] = field(default_factory=list)  # text columns: the distinct values, in order of appearance
    counts: np.ndarray | None = None  # text columns: how often each category occurs
    rows: int = -1  # values in the file, missing ones included (default: len(values))
    present: int = -1  # numeric: present values in the file; more than the sample's length when sampled
    few: dict[float, int] | None = None  # numeric, sampled: exact count of each value, when there are at most FEW
    ordered: bool = False  # numeric: values are sorted ascending and hold no NaN (as the reader gives them)

    def __post_init__(self) -> None:
        if self.rows < 0:
            self.rows = len(self.values)
        if self.present < 0:
            self.present = self.rows - self.missing if self.kind == "text" else int(np.count_nonzero(~np.isnan(self.values))) if len(self.values) else 0

    @property
    def sampled(self) -> bool:
        return self.kind == "numeric" and self.present > len(self.values)


def text_column(name: str, values) -> Column:
    """A text column from its values (None for a missing one)."""
    index: dict = {None: -1}
    codes = np.fromiter((index.setdefault(v, len(index) - 1) for v in values), np.int32)
    del index[None]
    counts = np.bincount(codes[codes >= 0], minlength=len(index)).astype(np.int64)
    return Column(name, "text", np.empty(0), missing=int(np.count_nonzero(codes < 0)), categories=list(index),
                  counts=counts, rows=len(codes))


@dataclass
class Sample:
    path: str
    rows: int
    columns: dict[str, Column] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return any(c.sampled for c in self.columns.values())


def format_of(path: str) -> tuple[str, bool]:
    """(format, gzipped) from the file name; DriftInputError for a name that says neither."""
    p = Path(path)
    suffixes = [s.lower() for s in p.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    inner = suffixes[-2] if gz and len(suffixes) > 1 else (suffixes[-1] if suffixes and not gz else "")
    if inner not in _SUFFIXES:
        raise DriftInputError(f"{path}: not a sample file by its name (read: .csv, .tsv, .jsonl, .ndjson, .parquet, gzipped too)")
    return _SUFFIXES[inner], gz


class _Counted(io.RawIOBase):
    """The raw file, counting the bytes read (progress) and, under gzip, refusing to inflate past a bound."""

    def __init__(self, handle, size: int) -> None:
        self.handle, self.size, self.done = handle, size, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.handle.readinto(buffer)
        self.done += n or 0
        return n


class _Bounded(io.RawIOBase):
    """Inflated gzip data, refused once past `most` bytes (a gzip bomb)."""

    def __init__(self, path: str, inner, most: int) -> None:
        self.path, self.inner, self.most, self.out = path, inner, most, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            n = self.inner.readinto(buffer)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise DriftInputError(f"{self.path}: broken gzip data: {exc}") from None
        self.out += n
        if self.out > self.most:
            raise DriftInputError(f"{self.path}: inflates past {self.most:,} bytes (limits.gzip_ratio x its size); "
                                  "not a sample but a gzip bomb")
        return n


def read_sample(path: str, progress: Progress | None = None, sample_size: int = SAMPLE_SIZE, seed: int = 19) -> Sample:
    """The sample in path, read in blocks; DriftInputError when its content is unusable, DriftReadError when
    it cannot be read. progress, when given, is called with the share read after each block."""
    fmt, gz = format_of(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO would block a plain open
    except IsADirectoryError:
        raise DriftReadError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise DriftReadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise DriftReadError(f"{path}: is a directory, not a file")
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise DriftInputError(f"{path}: not a regular file (a FIFO or a device), not a sample")
    size = os.fstat(fd).st_size
    os.close(fd)
    source = _Source(path, gz, size)
    try:
        return _read(path, fmt, gz, source, progress, sample_size, seed)
    except OSError as exc:
        if isinstance(exc, DriftReadError):
            raise
        raise DriftReadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        source.close()
        _release()


def _release() -> None:
    """Hand the blocks pyarrow's pool kept back to the system: the comparison that follows allocates through
    numpy, outside that pool (about 15 MB of the 20,000,000-row bench's peak)."""
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


class _Source:
    """The file, opened afresh from its start for each pass over it (pyarrow reads ahead in threads, so two
    passes never share a handle); inflated under gzip within limits.gzip_ratio times its size."""

    def __init__(self, path: str, gz: bool, size: int) -> None:
        self.path, self.gz, self.size = path, gz, size
        self.counted: _Counted | None = None
        self.handles: list = []

    def open(self):
        from mlops_tui.sources.limits import current

        handle = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        self.handles.append(handle)
        self.counted = _Counted(handle, self.size)
        stream: io.BufferedReader = io.BufferedReader(self.counted, 1 << 20)
        if self.gz:
            if stream.peek(2)[:2] != b"\x1f\x8b":
                raise DriftInputError(f"{self.path}: not gzip data, though its name ends in .gz")
            most = max(current().gzip_ratio * self.size, 2**20)
            stream = io.BufferedReader(_Bounded(self.path, gzip.GzipFile(fileobj=stream), most), 1 << 20)
        return stream

    @property
    def done(self) -> int:
        return self.counted.done if self.counted else 0

    def close(self) -> None:
        for handle in self.handles:
            handle.close()


def _read(path, fmt, gz, source: _Source, progress, sample_size, seed) -> Sample:
    if source.size == 0:
        raise DriftInputError(f"{path}: the file is empty")
    stream = source.open()
    head = _peek(path, stream)
    if not head or head.isspace():
        raise DriftInputError(f"{path}: the file is empty")

    def tick(share: float | None = None) -> None:
        if progress is not None:
            progress(min(1.0, source.done / source.size if share is None else share))

    from mlops_tui.sources.drift.blocks import Reader

    block = SMALL_BLOCK_BYTES if source.size < SMALL_FILE_BYTES and not gz else BLOCK_BYTES
    reader = Reader(path, sample_size, seed, tick, block)
    if fmt == "parquet":
        if head[:4] != b"PAR1":
            raise DriftInputError(f"{path}: not Parquet data, though its name says so")
        if gz:
            raise DriftInputError(f"{path}: gzipped Parquet is not read (Parquet compresses inside); gunzip it first")
        return reader.parquet(source.counted.handle)
    if head[:4] == b"PAR1" or head[:2] == b"\x1f\x8b" or b"\x00" in head[:4096]:
        raise DriftInputError(f"{path}: binary data, not {'CSV' if fmt == 'csv' else 'JSON lines'} as its name says")
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the peek
            raise DriftInputError(f"{path}: not UTF-8 text (byte {exc.start}), not {fmt.upper()} as its name says") from None
    if fmt == "csv":
        return reader.csv(stream, delimiter="\t" if ".tsv" in path.lower() else ",", reopen=source.open)
    return reader.jsonl(stream, reopen=source.open)


def _peek(path: str, stream) -> bytes:
    try:
        return stream.peek(65536)[:65536]
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        if isinstance(exc, DriftInputError):
            raise
        raise DriftInputError(f"{path}: broken gzip data: {exc}") from None
