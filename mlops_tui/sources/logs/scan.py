"""Raw-byte scanning of a file for lines that contain a match, without decoding the rest."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from mlops_tui.sources import limits
from mlops_tui.sources.logs.index import CHUNK

Finder = Callable[[bytes, int], int]


def scan_lines(fd: int, start: int, end: int, finder: Finder, cancelled: Callable[[], bool]) -> Iterator[int]:
    """Offset of each line in [start, end) where finder finds something (`start` is a line start).

    The file is read in 4 MiB chunks; each chunk is cut after its last newline and the next read starts
    there, so no line is split and no bytes are copied twice. Line numbers are left to the caller's index.
    """
    pos = start
    size = CHUNK
    while pos < end:
        if cancelled():
            return
        buf = os.pread(fd, min(size, end - pos), pos)
        if not buf:
            break
        last = pos + len(buf) >= end
        cut = len(buf) if last else buf.rfind(b"\n") + 1
        if cut == 0:  # one line longer than the chunk: read a bigger chunk, up to the line bound
            bound = limits.current().log_line_bytes
            if size < bound:
                size = min(size * 2, bound)
                continue
            # longer than limits.log_line_bytes: only its first bytes are searched (as they are shown)
            if finder(buf[:bound], 0) >= 0:
                yield pos
            pos = _next_line(fd, pos + len(buf), end, cancelled)
            size = CHUNK
            continue
        at = 0
        while True:
            hit = finder(buf, at)
            if hit < 0 or hit >= cut:
                break
            line_start = buf.rfind(b"\n", 0, hit) + 1
            yield pos + line_start
            line_end = buf.find(b"\n", hit)
            if line_end < 0 or line_end >= cut:
                break
            at = line_end + 1
        pos += cut
        size = CHUNK


def count_matches(fd: int, start: int, end: int, rx, cancelled: Callable[[], bool]) -> int:
    """Matches of a compiled multi-line regex (re or RE2; one per line at most) in [start, end), read in
    chunks cut after their last newline; no per-hit work in Python beyond the engine's own list."""
    total = 0
    pos = start
    size = CHUNK
    while pos < end:
        if cancelled():
            return total
        buf = os.pread(fd, min(size, end - pos), pos)
        if not buf:
            break
        last = pos + len(buf) >= end
        cut = len(buf) if last else buf.rfind(b"\n") + 1
        if cut == 0:
            if size < limits.current().log_line_bytes:
                size *= 2
                continue
            # one line longer than the bound: counted on its first log_line_bytes, as the index cuts it
            total += len(rx.findall(buf[:limits.current().log_line_bytes] + b"\n"))
            pos = _next_line(fd, pos + len(buf), end, cancelled)
            size = CHUNK
            continue
        total += len(rx.findall(buf if cut == len(buf) else buf[:cut]))
        pos += cut
        size = CHUNK
    return total


def _next_line(fd: int, pos: int, end: int, cancelled: Callable[[], bool]) -> int:
    """Offset just after the next newline at or after pos (end when there is none), read in chunks."""
    while pos < end and not cancelled():
        buf = os.pread(fd, min(CHUNK, end - pos), pos)
        if not buf:
            break
        at = buf.find(b"\n")
        if at >= 0:
            return pos + at + 1
        pos += len(buf)
    return end
