"""Every use of a private Textual API, in one place.

Each function here reaches into Textual internals that no public API offers. Each has a docstring that says
why (with the figure that justifies it) and a test in tests/foundation/test_textual_compat.py that fails
loudly when the pinned Textual changes. Nothing outside this module imports `textual._*` or touches a
private attribute of a Textual object.
"""

from __future__ import annotations


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
