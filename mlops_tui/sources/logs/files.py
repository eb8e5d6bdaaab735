"""Log files as a `LogSource`: one file followed across rotations, plain or gzip-compressed."""

from __future__ import annotations

import gzip
import os
import stat
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from mlops_tui.sources import limits
from mlops_tui.sources.base import SourceState, SourceStatus
from mlops_tui.sources.logs.base import Cancelled, Hit, LogSource, never
from mlops_tui.sources.logs.formats import BUILTIN, DOCKER, JSON, LOGFMT, PLAIN, LogFormat, Parsed, detect, join_partials, parse_line
from mlops_tui.sources.logs.index import CHUNK, LineIndex, cut_line
from mlops_tui.sources.logs.query import Query, field_finder, level_counter, regex_finder as _regex_finder
from mlops_tui.sources.logs.record import LogRecord, level_passes
from mlops_tui.sources.logs.scan import count_matches, scan_lines

HEAD = 4096
MAX_RECORD_LINES = 2000
# formats whose lines name their level in words or numbers, so a raw-byte prefilter is safe
_LEVEL_NAMED = {"json", "logfmt", "python", "log4j", "http-error", "docker"}
# formats whose field keys and values are text of the line (not regex groups or derived): a field filter's
# key or value is a raw-byte prefilter there (`query.field_finder`)
_FIELDS_IN_TEXT = (JSON, LOGFMT)


def decode(data: bytes) -> str:
    return data.decode("utf-8", "replace").rstrip("\r")


def cut_marker() -> str:
    """What ends a line longer than limits.log_line_bytes, so the cut is seen in the pane, the CLI and --json."""
    return f" [line cut at {limits.current().log_line_bytes:,} bytes: limits.log_line_bytes]"


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def not_a_file(mode: int) -> str | None:
    """Why a file of this mode cannot be read as a log (it never ends, or blocks), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


class NotALogFile(OSError):
    """A path that is not a regular file; str() is the message."""


class Segment:
    """One generation of a file (before or after a rotation) with its own descriptor and index."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self.fd = fd
        self.ino = os.fstat(fd).st_ino
        self.index = LineIndex(fd)
        self.head = os.pread(fd, HEAD, 0)
        self.frozen = False

    def repoint(self, path: str, fd: int) -> None:
        """The same bytes now live in another file (the copy of a copy-truncate rotation)."""
        os.close(self.fd)
        self.path, self.fd, self.ino = path, fd, os.fstat(fd).st_ino
        self.index.fd = fd

    def same_head(self) -> bool:
        """False when the file no longer starts with the bytes it started with (truncated and rewritten)."""
        now = os.pread(self.fd, HEAD, 0)
        if not now.startswith(self.head):
            return False
        if len(self.head) < HEAD:
            self.head = now
        return True

    def size(self) -> int:
        return os.fstat(self.fd).st_size


class FileSource(LogSource):
    """A log file and the files it rotates into; `.gz` files are decompressed to a temporary file."""

    def __init__(self, path: str | os.PathLike[str], label: str | None = None, formats: Sequence[LogFormat] = (), follow: bool = True) -> None:
        self.path = str(path)
        self.label = label or Path(self.path).name
        self.custom = tuple(formats)
        self.follow = follow
        self.format: LogFormat = PLAIN
        self._detected = False
        self.segments: list[Segment] = []
        self._starts: list[int] = [0]
        self._gzip: gzip.GzipFile | None = None
        self._temp_path: str | None = None
        self._gzip_size = 1
        self._gzip_done = False
        self._opened_size = 0  # a file read once (not followed) must not shrink under the read
        self.error: str | None = None
        self.rotations = 0
        self._last_hit: tuple[Segment, int] | None = None
        self._open()

    # --- opening and following -------------------------------------------------------------------
    def _open(self) -> None:
        st = os.stat(self.path)  # raises FileNotFoundError / PermissionError / ELOOP for the caller
        why = not_a_file(st.st_mode)
        if why:  # a FIFO would block the open and every read; /dev/zero never ends
            raise NotALogFile(f"{why}, not a log file")
        fd = _open_regular(self.path)
        if self.path.endswith(".gz"):
            self._gzip = gzip.GzipFile(fileobj=os.fdopen(fd, "rb"), mode="rb")
            self._gzip_size = max(1, st.st_size)
            temp, self._temp_path = tempfile.mkstemp(prefix="mlops-tui-", suffix=".log")
            os.unlink(self._temp_path)  # held by its descriptor only: nothing is left behind if we are killed
            self.segments.append(Segment(self._temp_path, temp))
            self.follow = False
        else:
            self.segments.append(Segment(self.path, fd))
            self._opened_size = st.st_size

    def close(self) -> None:
        for segment in self.segments:
            try:
                os.close(segment.fd)
            except OSError:
                pass
        if self._gzip is not None:
            self._gzip.close()
        if self._temp_path:
            Path(self._temp_path).unlink(missing_ok=True)

    def _inflate(self, budget: int | None) -> None:
        assert self._gzip is not None
        done = 0
        segment = self.segments[0]
        bound = limits.current()
        most = min(bound.gzip_bytes, bound.gzip_ratio * self._gzip_size)
        while not self._gzip_done and (budget is None or done < budget):
            try:
                data = self._gzip.read1(CHUNK)  # read1: a truncated file keeps what came before the cut
            except EOFError:
                self.error = f"truncated gzip file: it ends after {segment.index.indexed_to:,} bytes of log"
                self._gzip_done = True
                break
            except (OSError, zlib.error) as exc:
                if segment.index.indexed_to == 0:
                    self.error = f"not a gzip file ({exc})"
                else:
                    self.error = f"corrupt gzip data after {segment.index.indexed_to:,} bytes: {exc}"
                self._gzip_done = True
                break
            if not data:
                self._gzip_done = True
                break
            if segment.index.indexed_to + len(data) > most:
                self.error = (f"inflates past {most:,} bytes (limits.gzip_bytes, limits.gzip_ratio x its "
                              f"{self._gzip_size:,} bytes): read no further, a gzip bomb or a log to unpack first")
                self._gzip_done = True
                break
            os.pwrite(segment.fd, data, segment.size())
            done += len(data)
            segment.index.extend()

    def refresh(self, budget: int | None = None) -> bool:
        before = (self.row_count(), self.segments[-1].index.indexed_to, len(self.segments))
        if self._gzip is not None:
            self._inflate(budget)
        else:
            if self.follow:
                self._check_rotation()
            self.segments[-1].index.extend(budget)
            if not self.follow and self.error is None and self.complete:
                self._check_not_shrunk()
        self._starts = [0]
        for segment in self.segments:
            self._starts.append(self._starts[-1] + segment.index.line_count)
        if not self._detected and (self.complete or self.segments[0].index.line_count >= 200):
            self._detect()
        return before != (self.row_count(), self.segments[-1].index.indexed_to, len(self.segments))

    def _check_rotation(self) -> None:
        current = self.segments[-1]
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return  # between the rename and the create: read the old file to its end meanwhile
        if st.st_ino != current.ino:  # rename-and-create: finish the old file through its descriptor
            current.index.extend()
            current.frozen = True
            self.segments.append(Segment(self.path, os.open(self.path, os.O_RDONLY)))
            self.rotations += 1
        elif st.st_size < current.index.indexed_to or not current.same_head():  # copy-truncate
            copy = self._find_copy(current)
            if copy is not None:
                current.repoint(copy, os.open(copy, os.O_RDONLY))
                current.index.extend()  # lines written before the copy that we had not read yet
            else:
                self.error = "file was truncated and its copy was not found: earlier lines may show empty"
            current.frozen = True
            self.segments.append(Segment(self.path, os.open(self.path, os.O_RDONLY)))
            self.rotations += 1

    def _check_not_shrunk(self) -> None:
        """A file read once that is now shorter than when it was opened was truncated or rewritten under the
        read: what is shown may be cut short or mixed, and `error` says so (the CLI exits 3 after the hits)."""
        try:
            now = self.segments[-1].size()
        except OSError:
            return
        if now < self._opened_size:
            self.error = (f"the file shrank from {self._opened_size:,} to {now:,} bytes while it was read "
                          "(truncated or rewritten): the records past the cut are missing")

    def _find_copy(self, segment: Segment) -> str | None:
        """The sibling file (app.log.1, app.log-20240501...) that starts with the bytes this segment started with."""
        folder = Path(self.path).parent
        name = Path(self.path).name
        candidates = []
        for sibling in folder.iterdir():
            if sibling.name == name or not sibling.name.startswith(name) or sibling.name.endswith(".gz"):
                continue
            try:
                st = sibling.stat()
                if st.st_size < segment.index.indexed_to:
                    continue
                with sibling.open("rb") as handle:
                    if handle.read(len(segment.head)) == segment.head:
                        candidates.append((st.st_mtime, str(sibling)))
            except OSError:
                continue
        return max(candidates)[1] if candidates else None

    def _detect(self) -> None:
        sample = [decode(b) for _, b in self.segments[0].index.read_lines(0, 200, 8192)]
        formats = self.custom + BUILTIN
        modified = datetime.fromtimestamp(os.fstat(self.segments[-1].fd).st_mtime).astimezone()  # year of year-less stamps
        self.format = detect(sample, formats, modified)
        self._detected = True

    # --- reading ---------------------------------------------------------------------------------
    @property
    def detected(self) -> bool:
        """True once the format is known (from the first 200 lines, or all of a shorter file)."""
        return self._detected

    @property
    def complete(self) -> bool:
        if self._gzip is not None:
            return self._gzip_done
        segment = self.segments[-1]
        try:
            return segment.index.indexed_to >= segment.size()
        except OSError:
            return True

    @property
    def progress(self) -> float:
        if self._gzip is not None:
            if self._gzip_done:
                return 1.0
            try:
                return min(0.99, self._gzip.fileobj.tell() / max(1, os.stat(self.path).st_size))  # type: ignore[union-attr]
            except (OSError, AttributeError):
                return 0.0
        segment = self.segments[-1]
        size = segment.size()
        return 1.0 if size == 0 else min(1.0, segment.index.indexed_to / size)

    def row_count(self) -> int:
        return self._starts[-1]

    def _locate(self, row: int) -> tuple[int, int]:
        for number in range(len(self.segments) - 1, -1, -1):
            if row >= self._starts[number]:
                return number, row - self._starts[number]
        return 0, row

    def make_record(self, row: int, offset: int, data: bytes, limit: int | None = None) -> LogRecord:
        data, cut = cut_line(data)
        text = decode(data) + (cut_marker() if cut else "")
        truncated = False
        if limit is not None and len(data) >= limit * 4:
            text, truncated = text[:limit], True
        parsed = parse_line(self.format, text) if self.format is not PLAIN else None
        if parsed is None:
            continuation = self.format is not PLAIN and self._detected
            plain = PLAIN.parse(text)
            return LogRecord(self.label, row + 1, offset, text, "plain", None, None if continuation else plain.level,
                             text, {}, continuation=continuation, truncated=truncated)
        return LogRecord(self.label, row + 1, offset, text, self.format.name, parsed.timestamp, parsed.level,
                         parsed.message, parsed.fields, truncated=truncated, continued=parsed.partial)

    def rows(self, start: int, count: int, limit: int | None = None) -> list[LogRecord]:
        start = max(0, start)
        if start == 0 or self.format is not DOCKER:
            return self._rows(start, count, limit)
        before, *out = self._rows(start - 1, count + 1, limit)  # is the first row the rest of a CRI partial line?
        for previous, record in zip([before, *out], out):
            record.continuation = record.continuation or previous.continued
        return out

    def _rows(self, start: int, count: int, limit: int | None = None) -> list[LogRecord]:
        out: list[LogRecord] = []
        while count > 0 and start < self.row_count():
            number, line = self._locate(start)
            segment = self.segments[number]
            wanted = min(count, segment.index.line_count - line)
            lines = segment.index.read_lines(line, wanted, None if limit is None else limit * 4)
            if not lines:
                if wanted <= 0:
                    break
                # indexed lines whose bytes are gone (truncated under us, its copy not found: `error` says so)
                # are empty rows, so that rows and row_count keep agreeing
                lines = [(0, b"")] * wanted
            for i, (offset, data) in enumerate(lines):
                record = self.make_record(start + i, offset, data, limit)
                record.continuation = record.continuation or bool(out and out[-1].continued)
                out.append(record)
            start += len(lines)
            count -= len(lines)
        return out

    def tail_preview(self, count: int, limit: int | None = None) -> list[LogRecord]:
        """The last `count` lines of the file read backwards from its end, before the index reaches it.

        Their line numbers are not known yet: `line` is 0. This is what makes End instant on a big file.
        """
        segment = self.segments[-1]
        end = segment.size()
        start = end
        pieces: list[bytes] = []
        newlines = 0
        most = min(64 * 1024 * 1024, limits.current().log_line_bytes * 4)
        while start > 0 and newlines <= count and end - start < most:  # each byte read once, newest first
            step = min(start, 256 * 1024)
            start -= step
            piece = os.pread(segment.fd, step, start)
            newlines += piece.count(b"\n")
            pieces.append(piece)
        data = b"".join(reversed(pieces))
        lines = data.split(b"\n")
        if data.endswith(b"\n"):
            lines.pop()
        if start > 0:
            lines = lines[1:]  # the first piece may be the middle of a line
        lines = lines[-count:]
        offset = end - sum(len(line) + 1 for line in lines)
        out = []
        for line in lines:
            record = self.make_record(-1, offset, line[: limit * 4] if limit else line, limit)
            out.append(record)
            offset += len(line) + 1
        return out

    def record_at(self, row: int) -> LogRecord:
        first = row
        while first > 0 and row - first < MAX_RECORD_LINES:
            (record,) = self.rows(first, 1)
            if not record.continuation:
                break
            first -= 1
        head = self.rows(first, 1)[0]
        tail = []
        following = first + 1
        previous = head
        held = len(head.raw)
        for record in self._rows_from(following, min(self.row_count(), first + MAX_RECORD_LINES)):
            if not (record.continuation or previous.continued):
                break
            held += len(record.raw) + 1
            if held > limits.current().log_line_bytes:  # a record is held in memory like one line
                tail.append(cut_marker().strip())
                following = self._record_end(following, first + MAX_RECORD_LINES)
                break
            previous = record
            tail.append(record.raw)
            following += 1
        if tail:
            if head.continued:  # CRI partial lines: one line of text cut in pieces
                pieces = [parse_line(self.format, raw) for raw in tail]
                joined = join_partials(Parsed(head.timestamp, None, head.message, head.fields, True),
                                       [p.message if p is not None else raw for p, raw in zip(pieces, tail)])
                head.level, head.message, head.fields = joined.level, joined.message, joined.fields
            head.raw = "\n".join([head.raw, *tail])
            head.end_line = following
        return head

    def _rows_from(self, row: int, stop: int) -> Iterator[LogRecord]:
        """Rows [row, stop) read 8, then 64 at a time (a record's lines: one read for a short stack trace)."""
        step = 8
        while row < stop:
            batch = self.rows(row, min(step, stop - row))
            if not batch:
                return
            yield from batch
            row += len(batch)
            step = 64

    def _record_end(self, row: int, stop: int) -> int:
        """The first row after the continuation lines from row on, at most stop (no text kept)."""
        while row < min(stop, self.row_count()):
            batch = self.rows(row, min(256, stop - row), 64)
            for record in batch:
                if not record.continuation:
                    return record.line - 1
            if not batch:
                break
            row += len(batch)
        return min(row, stop)

    # --- search ----------------------------------------------------------------------------------
    def _finder(self, query: Query):
        finder = query.byte_finder()
        if finder is None and query.min_level is not None and self.format.level_scan is not None:
            finder = _regex_finder(self.format.level_scan(query.min_level))
        if (finder is None and query.min_level is not None and self.format.name in _LEVEL_NAMED
                and not level_passes(None, query.min_level)):  # a line naming no level at all passes the loosest filters
            rx = query.level_prefilter(keyed=self.format.name in ("json", "logfmt"))
            assert rx is not None

            def finder(buf: bytes, pos: int) -> int:
                match = rx.search(buf, pos)
                return -1 if match is None else match.start()

        if finder is None and query.filters and any(self.format is f for f in _FIELDS_IN_TEXT):
            finder = self._selective(field_finder(query.filters))
        return finder

    def _selective(self, finder):
        """The finder when it skips most lines of the file's first MiB, else None: a needle on most lines
        (`service.name=api`) would only add a per-line read to the parse of every record in batches."""
        if finder is None:
            return None
        sample = os.pread(self.segments[0].fd, 1 << 20, 0)
        lines, hits, at = sample.count(b"\n"), 0, 0
        while (hit := finder(sample, at)) >= 0:
            hits += 1
            at = sample.find(b"\n", hit)
            if at < 0:
                break
            at += 1
        return finder if hits * 4 <= lines else None

    def _candidate_rows(self, query: Query, start: int, cancelled: Cancelled) -> Iterator[int]:
        finder = self._finder(query)
        for number, segment in enumerate(self.segments):
            first_row = self._starts[number]
            if first_row + segment.index.line_count <= start:
                continue
            line = max(0, start - first_row)
            if finder is None:
                for row in range(first_row + line, first_row + segment.index.line_count):
                    if row % 4096 == 0 and cancelled():
                        return
                    yield row
                continue
            offset = segment.index.offset_of(line)
            for hit in scan_lines(segment.fd, offset, segment.index.indexed_to, finder, cancelled):
                self._last_hit = (segment, hit)
                yield first_row + segment.index.line_at_offset(hit)

    def search(self, query: Query, start: int = 0, cancelled: Cancelled = never) -> Iterator[Hit]:
        """Matching records from `start`. A time window is found by bisection over the rows (the file is taken
        to be in time order, as lnav takes it), so `--since 10m` on a big file reads only its end."""
        matcher = query.text_matcher()
        last_record = -1
        end = self.row_count()
        if query.since is not None:
            start = max(start, self.row_at_time(query.since))
        if query.until is not None:
            end = self.row_at_time(query.until + timedelta(microseconds=1))
        finder = self._finder(query)
        if finder is None or (not query.pattern and query.min_level is not None and self._selective(finder) is None):
            # every record is a candidate, or a level filter most records pass (the pane's `info` and up):
            # read them in batches, not one `record_at` per hit
            for record in self._records(start, end, cancelled):
                if matcher(record.raw) and query.accepts(record):
                    yield Hit(record.line - 1, record)
            return
        for row in self._candidate_rows(query, start, cancelled):
            if row >= end:
                return
            if row <= last_record:
                continue
            if cancelled():
                return
            record = self.record_at(row)
            first = record.line - 1
            last_record = record.end_line - 1
            if first < start:
                continue
            if matcher(record.raw) and query.accepts(record):
                yield Hit(first, record)

    def _records(self, start: int, end: int, cancelled: Cancelled) -> Iterator[LogRecord]:
        """The whole records that start in rows [start, end), read 4096 rows at a time (what `record_at`
        gives, without its per-row reads); the last one is completed past `end` when it goes on."""
        head: LogRecord | None = None
        tail: list[str] = []
        lines = held = 0  # continuation lines of head, and the bytes of them kept
        bound = limits.current().log_line_bytes
        for batch in range(start, end, 4096):
            if cancelled():
                return
            for row, record in enumerate(self.rows(batch, min(4096, end - batch)), batch):
                if record.continuation and head is None and row == 0:
                    # lines before the file's first record (a banner, a line of another format) are one
                    # record of their own, as record_at(0) gives them: never dropped
                    head, tail, lines, held = record, [], 0, len(record.raw)
                    continue
                if record.continuation:
                    if head is not None and lines < MAX_RECORD_LINES - 1:
                        lines += 1
                        if held <= bound:
                            held += len(record.raw) + 1
                            # a record is held in memory like one line (as record_at holds it): past the bound
                            # its text is the cut marker, the rest of its lines still belong to it
                            tail.append(record.raw if held <= bound else cut_marker().strip())
                    continue  # or a line of a record that started before `start`
                if head is not None:
                    yield self._whole(head, tail, lines)
                head, tail, lines, held = record, [], 0, len(record.raw)
        if head is not None:
            yield self.record_at(head.line - 1)

    def _whole(self, head: LogRecord, tail: list[str], lines: int) -> LogRecord:
        if not tail:
            return head
        if head.continued:  # CRI partial pieces are parsed joined
            return self.record_at(head.line - 1)
        head.raw = "\n".join([head.raw, *tail])
        head.end_line = head.line + lines
        return head

    def count(self, query: Query, cancelled: Cancelled = never) -> int:
        """Matching records. The raw bytes find candidate lines (the pattern, else the format's level scan);
        each is parsed alone, and only a hit on a continuation line (traceback) costs a walk back to its
        record, so two hits in one record count once."""
        if self._finder(query) is None or (query.structured and not self._detected):
            return sum(1 for _ in self.search(query, 0, cancelled))
        if self.format.scan_exact and query.min_level is not None and not (query.pattern or query.since or query.until or query.filters):
            # every match is a record start of a passing level: no parsing, no line numbers
            rx = level_counter(self.format.level_scan(query.min_level), query.min_level)
            return sum(count_matches(segment.fd, 0, segment.index.indexed_to, rx, cancelled) for segment in self.segments)
        total = 0
        last_start = -1
        for row in self._candidate_rows(query, 0, cancelled):
            segment, offset = self._last_hit
            record = self.make_record(row, offset, segment.index.read_line(offset, 16384)[0], 4096)
            start = row
            if record.continuation:
                record = self.record_at(row)
                start = record.line - 1
            if query.structured and not query.accepts(record):
                continue
            if start != last_start:
                total += 1
                last_start = start
        return total

    def count_unindexed(self, query: Query, cancelled: Cancelled = never) -> int | None:
        """`count` in one pass over the raw bytes, with no line index past the detection sample (the CLI's
        `--count`); None when the query needs the index (time window, field filters, level with text) or the
        file is not one plain segment. A level count is the format's exact level scan; a text count takes
        each hit line and counts its record once: a hit on a continuation line (a traceback's) counts only
        when no other hit was in its record, found by reading back to the previous hit or a record start."""
        if not self._detected or self._gzip is not None or len(self.segments) != 1 or self.format is DOCKER:
            return None  # CRI partial lines join across lines; .gz is inflated by the index
        if query.since or query.until or query.filters or (query.pattern and query.min_level is not None):
            return None
        fd = self.segments[0].fd
        size = os.fstat(fd).st_size
        if not query.pattern:
            if query.min_level is None or not (self.format.scan_exact and self.format.level_scan is not None):
                return None
            rx = level_counter(self.format.level_scan(query.min_level), query.min_level)
            return self._whole_read(fd, size, count_matches(fd, 0, size, rx, cancelled))
        finder = query.byte_finder()
        if finder is None:
            return None
        total, counted, previous_end = 0, False, 0
        for offset in scan_lines(fd, 0, size, finder, cancelled):
            line, following = _read_line(fd, offset, size)
            if self._starts_record(line) or self._start_between(fd, previous_end, offset) or not counted:
                total += 1
                counted = True
            previous_end = following
        return self._whole_read(fd, size, total)

    def _whole_read(self, fd: int, size: int, found: int) -> int:
        """found, after noting in `error` that the file shrank under the pass (truncated while read): the count
        is then of the part read, and the CLI says so with exit 3 instead of passing it for the answer."""
        now = os.fstat(fd).st_size
        if now < size:
            self.error = f"the file shrank from {size:,} to {now:,} bytes while it was read: counted in the part read"
        return found

    def _starts_record(self, line: bytes) -> bool:
        """Whether a line is a record's first (parses in the file's format), as `make_record` decides."""
        if self.format is PLAIN:
            return True
        return parse_line(self.format, decode(cut_line(line)[0])) is not None

    def _start_between(self, fd: int, low: int, high: int) -> bool:
        """Whether a record starts on a whole line in [low, high) (line starts both), read backwards from
        high in 64 KiB windows and stopped at the first record start found."""
        carry = b""
        while high > low:
            start = max(low, high - 65536)
            data = os.pread(fd, high - start, start) + carry
            lines = data.split(b"\n")
            if data.endswith(b"\n"):
                lines.pop()
            carry = lines.pop(0) if start > low else b""
            for line in reversed(lines):
                if self._starts_record(line):
                    return True
            high = start
        return bool(carry) and self._starts_record(carry)

    def status(self) -> SourceStatus:
        if self.error:
            return SourceStatus(self.label, SourceState.STALE, self.error)
        if not self.complete:
            return SourceStatus(self.label, SourceState.LOADING, f"indexing {self.progress:.0%}")
        return SourceStatus.ok(self.label, f"{self.row_count():,} lines, {self.format.name}")


def _read_line(fd: int, offset: int, size: int) -> tuple[bytes, int]:
    """The line at offset (at most limits.log_line_bytes + 1 bytes of it) and where the next starts."""
    bound = limits.current().log_line_bytes + 1
    kept = b""
    pos = offset
    step = 4096
    while pos < size:
        data = os.pread(fd, min(step, size - pos), pos)
        if not data:
            break
        at = data.find(b"\n")
        if len(kept) < bound:
            kept += data[: bound - len(kept)] if at < 0 else data[:at][: bound - len(kept)]
        if at >= 0:
            return kept, pos + at + 1
        pos += len(data)
        step = min(step * 2, CHUNK)
    return kept, pos


def _open_regular(path: str) -> int:
    """A descriptor of path, opened without blocking (a FIFO swapped in after the stat) and checked again."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        why = not_a_file(os.fstat(fd).st_mode)
        if why:
            raise NotALogFile(f"{why}, not a log file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd
