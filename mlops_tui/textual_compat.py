"""Every use of a private Textual API, in one place.

Each function here reaches into Textual internals that no public API offers. Each has a docstring that says
why (with the figure that justifies it) and a test in tests/foundation/test_textual_compat.py that fails
loudly when the pinned Textual changes. Nothing outside this module imports `textual._*` or touches a
private attribute of a Textual object.
"""

from __future__ import annotations
