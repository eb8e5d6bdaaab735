"""The terminal driver on Linux and macOS: Textual's LinuxDriver with an input thread that sleeps while
nothing happens.

Textual's input thread wakes ten times a second, whether or not a key came, to see whether the app is
exiting and whether a lone escape byte has waited long enough to count as the Escape key. Idle, those
wake-ups cost about 0.14 % of a core on the 2-core bench machine (`bench/metrics_idle_cpu.py`): a sixth
of the whole idle cost of the Metrics pane. This driver's input thread blocks in select() until a key
arrives or the app exits (a pipe written when the exit event is set), and polls only while the parser
waits out an escape sequence. Everything else is Textual's driver unchanged.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from threading import Event
from typing import Any

from textual.drivers.linux_driver import LinuxDriver

from mlops_tui.textual_compat import PARSER_END_ERRORS, key_parser, parser_awaits_escape

POLL = 0.1
"""Seconds between parser ticks while an escape sequence is pending (Textual's own interval)."""


class _WakingEvent(Event):
    """An Event that also writes a byte to a pipe when set, to wake a thread blocked in select()."""

    def __init__(self, wake_fd: int) -> None:
        super().__init__()
        self._wake_fd = wake_fd

    def detach(self) -> None:
        """Stop writing to the pipe (it is being closed, and its number may be reused)."""
        self._wake_fd = -1

    def set(self) -> None:
        super().set()
        if self._wake_fd < 0:
            return
        try:
            os.write(self._wake_fd, b"x")
        except OSError:  # the pipe is full (the thread will see the event anyway) or already closed
            pass


def input_timeout(parser: Any) -> float | None:
    """How long the input thread may block: until input, unless the parser waits out an escape sequence.
    A parser that does not say (another Textual version) is polled as Textual does."""
    return POLL if parser_awaits_escape(parser) else None


class QuietLinuxDriver(LinuxDriver):
    """LinuxDriver whose input thread blocks until there is input (see the module docstring)."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self.exit_event: _WakingEvent = _WakingEvent(self._wake_write)

    def run_input_thread(self) -> None:
        """Textual's loop (linux_driver.py), with the wake pipe in the selector and a timeout only while
        the parser needs ticks."""
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        fileno, wake = self.fileno, self._wake_read
        parser = key_parser(self)
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode

        def process(selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for index, (key, mask) in enumerate(selector_events):
                last = index == len(selector_events) - 1
                if key.fd == wake:
                    os.read(wake, 512)
                    continue
                if mask & selectors.EVENT_READ:
                    unicode_data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:  # stdin is a pipe that was closed
                        break
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        try:
            while not self.exit_event.is_set():
                process(selector.select(input_timeout(parser)))
            selector.unregister(fileno)
            process(selector.select(POLL), final=True)
        finally:
            selector.close()
            try:
                for _event in feed(""):
                    pass
            except PARSER_END_ERRORS:  # a sequence cut short at exit: nothing more to deliver
                pass

    def close(self) -> None:
        super().close()
        self.exit_event.detach()
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wake_read = self._wake_write = -1
