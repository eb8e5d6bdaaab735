"""Raw-byte scanning of a file for lines that contain a match, without decoding the rest."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

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
        if cut == 0:  # one line longer than the chunk: read a bigger chunk
            size *= 2
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
            size *= 2
            continue
        total += len(rx.findall(buf if cut == len(buf) else buf[:cut]))
        pos += cut
        size = CHUNK
    return total
