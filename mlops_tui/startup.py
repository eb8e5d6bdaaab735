"""The cyclic garbage collector is paused while the command starts.

Importing Textual, pydantic and OmegaConf and building the first screen allocates a few hundred thousand
objects and frees almost none; the collector, triggered by allocation counts alone, ran full collections
over them during the imports and cost about 50 ms of a 370 ms start (`bench/startup.py`). The command's
entry pauses it before importing anything; it resumes as soon as the command's work begins (a subcommand) or
once the app has built its panes (the app, which then also freezes the start-up objects).
"""

from __future__ import annotations

import gc

_paused = False


def pause_collector() -> None:
    """Pause automatic collections (only if they run, so a caller that turned them off keeps that)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """Resume what pause_collector paused; nothing otherwise."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
