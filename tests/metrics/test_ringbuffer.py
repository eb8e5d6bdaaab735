"""The ring buffer keeps the newest values in order and never grows past its capacity."""

from __future__ import annotations

import math
import sys

import pytest

from mlops_tui.sources.metrics.ringbuffer import History, RingBuffer


def test_keeps_newest_values_in_order_after_wrapping():
    ring = RingBuffer(5)
    for value in range(12):
        ring.append(value)
    assert len(ring) == 5
    assert ring.values() == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert ring.values(last=2) == [10.0, 11.0]
    assert ring.values(last=99) == [7.0, 8.0, 9.0, 10.0, 11.0]
    assert ring.last == 11.0
    assert ring.bounds() == (7.0, 11.0)


def test_partial_buffer_and_missing_values():
    ring = RingBuffer(4)
    assert ring.values() == [] and ring.last is None and ring.bounds() is None
    ring.append(3)
    ring.append(None)
    values = ring.values()
    assert values[0] == 3.0 and math.isnan(values[1])
    assert ring.last is None  # the newest sample could not be read
    assert ring.bounds() == (3.0, 3.0)


def test_memory_does_not_grow_with_uptime():
    ring = RingBuffer(3600)
    ring.append(1.0)
    size = sys.getsizeof(ring._data)
    for value in range(100_000):
        ring.append(value)
    assert sys.getsizeof(ring._data) == size
    assert len(ring.values()) == 3600 and ring.values()[-1] == 99_999.0


def test_history_drops_the_series_updated_longest_ago():
    history = History(capacity=3, max_series=2)
    history.record({"a": 1, "b": 2})
    history.record({"b": 3, "c": 4})
    assert history.names() == ["b", "c"]
    assert history.values("b") == [2.0, 3.0]
    assert history.values("a") == []
    assert history.last("c") == 4.0


def test_rejects_empty_capacity():
    with pytest.raises(ValueError):
        RingBuffer(0)
