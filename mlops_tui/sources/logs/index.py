"""A line index of one file with bounded memory: newline counts per 16 KiB block, not per line.

The index holds one 8-byte counter per block (64 KiB per GiB of log), so a multi-GB file costs a few
hundred KiB. Finding line N is a binary search over the blocks and a scan of at most one block.
Files are read with `os.pread` on a kept-open descriptor rather than through `mmap`: a memory map of a
file that another process truncates (copy-truncate rotation) kills the reader with SIGBUS, while
`pread` just returns fewer bytes. The page cache does the caching either way.
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left

from mlops_tui.sources import limits

BLOCK = 16 * 1024
CHUNK = 4 * 1024 * 1024


def line_bound(limit: int | None) -> int:
    """Bytes of one line to read: the caller's limit, never more than limits.log_line_bytes + 1 (the one
    byte more tells the reader the line was longer than the bound, see `cut_line`)."""
    bound = limits.current().log_line_bytes + 1
    return bound if limit is None else min(limit, bound)


def cut_line(data: bytes) -> tuple[bytes, bool]:
    """A line read through `line_bound`, cut to limits.log_line_bytes, and whether it was longer."""
    keep = limits.current().log_line_bytes
    return (data[:keep], True) if len(data) > keep else (data, False)


class LineIndex:
    """Where the lines of a growing file start, built incrementally from a file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.counts = array("Q", [0])  # counts[k]: newlines in bytes [0, k*BLOCK)
        self.indexed_to = 0  # bytes of the file indexed so far
        self.newlines = 0
        self.last_line_start = 0  # offset just after the last newline seen

    @property
    def line_count(self) -> int:
        """Complete lines, plus a last line still being written (no newline yet)."""
        return self.newlines + (1 if self.indexed_to > self.last_line_start else 0)

    def extend(self, limit: int | None = None) -> int:
        """Index up to `limit` more bytes (all available when None); returns bytes indexed."""
        done = 0
        while limit is None or done < limit:
            want = CHUNK if limit is None else min(CHUNK, limit - done)
            data = os.pread(self.fd, want, self.indexed_to)
            if not data:
                break
            self._add(data)
            done += len(data)
        return done

    def _add(self, data: bytes) -> None:
        base = self.indexed_to
        end = base + len(data)
        count = self.newlines
        pos = 0
        boundary = len(self.counts) * BLOCK
        while boundary <= end:
            rel = boundary - base
            count += data.count(b"\n", pos, rel)
            self.counts.append(count)
            pos = rel
            boundary += BLOCK
        count += data.count(b"\n", pos)
        last = data.rfind(b"\n")
        if last >= 0:
            self.last_line_start = base + last + 1
        self.newlines = count
        self.indexed_to = end

    def offset_of(self, line: int) -> int:
        """Byte offset where 0-based line `line` starts (line_count for the end)."""
        if line <= 0:
            return 0
        if line > self.newlines:
            return self.indexed_to
        block = bisect_left(self.counts, line) - 1  # counts[block] < line <= counts[block+1]
        need = line - self.counts[block]
        pos = block * BLOCK
        while True:
            data = os.pread(self.fd, BLOCK * 2, pos)
            if not data:
                return self.indexed_to
            at = -1
            start = 0
            while need:
                at = data.find(b"\n", start)
                if at < 0:
                    break
                need -= 1
                start = at + 1
            if not need:
                return pos + at + 1
            pos += len(data)

    def line_at_offset(self, offset: int) -> int:
        """0-based number of the line containing byte `offset`."""
        offset = max(0, min(offset, self.indexed_to))
        block = offset // BLOCK
        base = self.counts[min(block, len(self.counts) - 1)]
        start = min(block, len(self.counts) - 1) * BLOCK
        if offset > start:
            base += os.pread(self.fd, offset - start, start).count(b"\n")
        return base

    def read_line(self, offset: int, limit: int | None = None) -> tuple[bytes, int]:
        """The line starting at offset, without its newline and cut to `limit` bytes (at most
        limits.log_line_bytes + 1), and where the next starts."""
        limit = line_bound(limit)
        pieces: list[bytes] = []
        kept = 0
        pos = offset
        step = 4096
        while pos < self.indexed_to:
            data = os.pread(self.fd, min(step, self.indexed_to - pos), pos)
            if not data:
                break
            at = data.find(b"\n")
            piece = data if at < 0 else data[:at]
            if kept < limit:
                take = piece[: limit - kept]
                pieces.append(take)
                kept += len(take)
            if at >= 0:
                return b"".join(pieces), pos + at + 1
            pos += len(data)
            if kept >= limit:  # the rest of an over-long line is not wanted: its end is in the index
                return b"".join(pieces), max(pos, self.offset_of(self.line_at_offset(offset) + 1))
            step = min(step * 2, CHUNK)
        return b"".join(pieces), pos

    def read_lines(self, start: int, count: int, limit: int | None = None) -> list[tuple[int, bytes]]:
        """(offset, bytes) of up to `count` lines from 0-based line `start`, read in blocks of 256 KiB, each
        cut to `limit` bytes (at most limits.log_line_bytes + 1)."""
        limit = line_bound(limit)
        out: list[tuple[int, bytes]] = []
        want = max(0, min(count, self.line_count - start))
        pos = self.offset_of(start)
        while len(out) < want and pos < self.indexed_to:
            data = os.pread(self.fd, min(256 * 1024, self.indexed_to - pos), pos)
            if not data:
                break
            at = 0
            while len(out) < want:
                end = data.find(b"\n", at)
                if end < 0:
                    break
                line = data[at:end]
                out.append((pos + at, line[:limit]))
                at = end + 1
            if len(out) >= want:
                break
            if at == 0 or pos + len(data) >= self.indexed_to:  # a line longer than the block, or the last line
                text, following = self.read_line(pos + at, limit)
                out.append((pos + at, text))
                pos = following
            else:
                pos += at
        return out
