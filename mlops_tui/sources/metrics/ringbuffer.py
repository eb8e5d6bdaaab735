"""Bounded history: a fixed-size ring of floats per series, so memory stays flat whatever the uptime."""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Iterable


class RingBuffer:
    """The last `capacity` values of one series, stored in a preallocated array of doubles.

    A missing value (a sample that could not be read) is stored as NaN and skipped by min/max.
    """

    __slots__ = ("_data", "_capacity", "_start", "_size")

    def __init__(self, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self._capacity = capacity
        self._data = array("d", bytes(8 * capacity))
        self._start = 0
        self._size = 0

    @property
    def capacity(self) -> int:
        return self._capacity

    def __len__(self) -> int:
        return self._size

    def append(self, value: float | None) -> None:
        value = math.nan if value is None else float(value)
        if self._size < self._capacity:
            self._data[(self._start + self._size) % self._capacity] = value
            self._size += 1
        else:
            self._data[self._start] = value
            self._start = (self._start + 1) % self._capacity

    def values(self, last: int | None = None) -> list[float]:
        """Values oldest first; only the newest `last` of them when given."""
        count = self._size if last is None else max(0, min(last, self._size))
        first = self._start + self._size - count
        end = first + count
        cap = self._capacity
        if end <= cap:
            return self._data[first:end].tolist()
        first %= cap
        if first + count <= cap:
            return self._data[first:first + count].tolist()
        return self._data[first:].tolist() + self._data[: (first + count) - cap].tolist()

    @property
    def last(self) -> float | None:
        if not self._size:
            return None
        value = self._data[(self._start + self._size - 1) % self._capacity]
        return None if math.isnan(value) else value

    def bounds(self, last: int | None = None) -> tuple[float, float] | None:
        """(min, max) of the known values among the newest `last`, or None when there are none."""
        known = [v for v in self.values(last) if not math.isnan(v)]
        return (min(known), max(known)) if known else None


class History:
    """Named ring buffers, all of the same capacity, with a bound on how many series are kept.

    Written by the sampling thread and read by the UI thread, hence the lock. When more than
    `max_series` names appear (interfaces and disks come and go), the series updated longest ago is dropped.
    """

    def __init__(self, capacity: int, max_series: int = 256) -> None:
        self.capacity = capacity
        self.max_series = max_series
        self._series: dict[str, RingBuffer] = {}
        self._lock = threading.Lock()

    def record(self, values: dict[str, float | None]) -> None:
        with self._lock:
            for name, value in values.items():
                buffer = self._series.pop(name, None)
                if buffer is None:
                    buffer = RingBuffer(self.capacity)
                buffer.append(value)
                self._series[name] = buffer  # re-insert: dict order is least recently updated first
            while len(self._series) > self.max_series:
                del self._series[next(iter(self._series))]

    def names(self) -> list[str]:
        with self._lock:
            return list(self._series)

    def values(self, name: str, last: int | None = None) -> list[float]:
        with self._lock:
            buffer = self._series.get(name)
            return buffer.values(last) if buffer is not None else []

    def last(self, name: str) -> float | None:
        with self._lock:
            buffer = self._series.get(name)
            return buffer.last if buffer is not None else None

    def bounds(self, name: str, last: int | None = None) -> tuple[float, float] | None:
        with self._lock:
            buffer = self._series.get(name)
            return buffer.bounds(last) if buffer is not None else None

    def forget(self, names: Iterable[str]) -> None:
        with self._lock:
            for name in names:
                self._series.pop(name, None)
