"""Every use of a private Textual API, in one place.

Each function here reaches into Textual internals that no public API offers. Each has a docstring that says
why (with the figure that justifies it) and a test in tests/foundation/test_textual_compat.py that fails
loudly when the pinned Textual changes. Nothing outside this module imports `textual._*` or touches a
private attribute of a Textual object (tests/foundation/test_textual_compat.py walks the package's AST).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual._parser import ParseError
from textual._xterm_parser import XTermParser

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode
    from textual.drivers.linux_driver import LinuxDriver

PARSER_END_ERRORS: tuple[type[BaseException], ...] = (EOFError, ParseError)
"""What flushing the key parser at exit may raise when a sequence was cut short (Textual's own input loop
swallows the same two). Used by the quiet input loop in mlops_tui/driver.py."""


def key_parser(driver: LinuxDriver) -> XTermParser:
    """Textual's terminal-input parser (bytes -> key, mouse and paste events), made as LinuxDriver makes it.

    Why private: mlops_tui/driver.py replaces LinuxDriver.run_input_thread so that the input thread blocks
    until a key comes instead of waking ten times a second (commit 334a3e7: those wake-ups cost 0.14 % of
    a core idle on the 2-core bench machine, a sixth of the Metrics pane's whole idle cost,
    bench/metrics_idle_cpu.py). Textual offers no public hook into its input loop, and the loop needs
    Textual's parser to turn bytes into the events the app expects; the parser lives in
    `textual._xterm_parser` and takes the driver's private `_debug` flag."""
    return XTermParser(getattr(driver, "_debug", False))


def parser_awaits_escape(parser: Any) -> bool:
    """True while the parser waits out an escape sequence (a lone Escape byte, or a sequence cut in two):
    only then does it need `tick()` calls, so only then may the quiet input thread poll.

    Why private: that state is `Parser._timeout_time` (textual._parser), set when the parser starts
    waiting and cleared when it is done; no public property exposes it. Without it the thread would poll
    ten times a second forever, the cost mlops_tui/driver.py exists to remove (0.14 % of a core idle).
    A parser without the attribute (another Textual) is treated as always waiting: polled as Textual does."""
    return getattr(parser, "_timeout_time", 0.0) is not None


def bindings_by_key(node: DOMNode) -> dict[str, list[Binding]]:
    """The node's own bindings, keyed by the key that fires them, with the app's keymap (ui.keymap)
    applied, as Textual applies it when it looks a key up.

    Why private: the help screen (`?`) lists the keys of the active pane, of every widget inside it, and
    of the app, each with the widget that owns it. The public `Screen.active_bindings` gives only the
    focus chain (focused widget, its ancestors, the app) and one binding per key: measured on the demo
    repository at 120x40, help on the Metrics pane lists 91 keys, `active_bindings` 35 (58 lost: the
    unfocused tables' and inputs' keys); Logs 73 against 39, Configs 86 against 42. The per-node map is
    `DOMNode._bindings`, and Textual remaps it by `App._keymap` only on a copy inside its own lookup
    (Screen._binding_chain), so the same is done here on a copy."""
    bindings = node._bindings.copy()
    bindings.apply_keymap(node.app._keymap)
    return bindings.key_to_bindings


def shown_at_last_paint(widget) -> bool:
    """Whether widget was in the visible part of its screen at the last paint (True before the first).

    Why private: the public `Widget.is_on_screen` asks `Screen.find_widget`, which also counts widgets
    scrolled out of view and, when the full widget map is stale, rebuilds it: on the Local view with 128
    cores and 500 processes that rebuild made each 1 s sample cost a whole-screen relayout while another
    pane was shown (the reason the Local view defers its refresh at all). The compositor's
    `visible_widgets` is the map of the last paint, already built. Used by the Local metrics view.
    """
    compositor = getattr(widget.screen, "_compositor", None)
    if compositor is None:
        return True
    return widget in compositor.visible_widgets


def measured_table_class():
    """A DataTable whose rows are redrawn once their columns are measured.

    Why private: DataTable measures column widths on idle, after rows are added, but its line caches are keyed
    without the widths; a frame painted between `add_row` and that idle is cached with the header-wide columns
    and stays on screen after the measurement (seen in the Models pane at 80x24: `66c0e6  2026  modifi` for over a
    second with no key pressed, in 3 of 4 runs of tests/models/test_pane.py::test_snapshot_80x24). No public
    call clears the caches; the fix clears them (`_clear_caches`) after the table's own idle measurement
    (`_require_update_dimensions`)."""
    from textual.widgets import DataTable

    class MeasuredTable(DataTable):
        async def _on_idle(self, event) -> None:
            measuring = self._require_update_dimensions or bool(self._updated_cells)
            await super()._on_idle(event)
            if measuring:
                self._clear_caches()
                self.refresh()

    return MeasuredTable


MeasuredTable = measured_table_class()
