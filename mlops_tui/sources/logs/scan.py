"""Raw-byte scanning of a file for lines that contain a match, without decoding the rest."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from mlops_tui.sources.logs.index import CHUNK

Finder = Callable[[bytes, int], int]


def scan_lines(fd: int, start: int, end: int, first_line: int, finder: Finder, cancelled: Callable[[], bool]) -> Iterator[tuple[int, int]]:
    """(0-based line number, line offset) of each line in [start, end) where finder finds something.

    `start` must be a line start and `first_line` its number. The file is read in 4 MiB chunks;
    a line crossing a chunk boundary is carried into the next chunk.
    """
    pos = start
    line = first_line
    carry = b""
    while pos < end:
        if cancelled():
            return
        data = os.pread(fd, min(CHUNK, end - pos), pos)
        if not data:
            break
        base = pos - len(carry)
        buf = carry + data if carry else data
        pos += len(data)
        cut = buf.rfind(b"\n") + 1 if pos < end else len(buf)
        if cut == 0:  # one line longer than the chunk: keep reading
            carry = buf
            continue
        carry = buf[cut:]
        at = 0
        counted = 0
        while True:
            hit = finder(buf, at)
            if hit < 0 or hit >= cut:
                break
            line_start = buf.rfind(b"\n", 0, hit) + 1
            line += buf.count(b"\n", counted, line_start)
            counted = line_start
            yield line, base + line_start
            line_end = buf.find(b"\n", hit)
            if line_end < 0 or line_end >= cut:
                break
            at = line_end + 1
        line += buf.count(b"\n", counted, cut)
        if carry and pos >= end:
            break
    if carry:  # a last line without a newline
        hit = finder(carry, 0)
        if hit >= 0:
            yield line, pos - len(carry)
