"""`z`: the focused panel gets the whole screen (as tmux's zoom), and `z` again gives the others back.

The panel is the part of the pane the focus is in that sits beside others (the Models artifacts beside the
history, the Configs file list beside the diff): its siblings, the app's header and the row of pane names are
hidden, and the panel takes the width they had, so the columns that gave way at 80 columns come back
(widgets/fitted.py). The status line and the footer stay: a failing source and the keys are never hidden.
"""

from __future__ import annotations

from textual.widget import Widget

CHROME = ("AppHeader", "#pane-tabs")
"""The app's rows hidden while zoomed."""


def panel_of(focused: Widget, pane: Widget) -> Widget | None:
    """The outermost container of focused, inside pane, that shares a row (horizontal layout) with others;
    else the pane's child that holds the focus. None when the focus is not in the pane."""
    chain: list[Widget] = []
    node: Widget | None = focused
    while node is not None and node is not pane:
        chain.append(node)
        node = node.parent if isinstance(node.parent, Widget) else None
    if node is not pane or not chain:
        return None
    beside = [n for n in chain if n.parent is not None and n.parent.styles.layout is not None
              and n.parent.styles.layout.name == "horizontal" and len([c for c in n.parent.children if c.display]) > 1]
    return beside[-1] if beside else chain[-1]


class Zoom:
    """What one zoom hid, to give it back."""

    def __init__(self) -> None:
        self.hidden: list[Widget] = []
        self.panel: Widget | None = None
        self.rules: dict[str, object] = {}  # the panel's own width rules (the Models pane sizes its panel)

    @property
    def active(self) -> bool:
        return self.panel is not None

    def zoom(self, app, pane: Widget) -> bool:
        """Zoom the panel the focus is in; False when there is none."""
        if app.focused is None or (panel := panel_of(app.focused, pane)) is None:
            return False
        self.panel = panel
        siblings = [c for c in panel.parent.children if c is not panel] if panel.parent is not None else []
        chrome = [w for selector in CHROME for w in app.query(selector)]
        self.hidden = [w for w in [*siblings, *chrome] if w.display]
        for widget in self.hidden:
            widget.display = False
        self.rules = {rule: panel.styles.inline.get_rule(rule) for rule in ("width", "max_width")}
        panel.styles.width = "1fr"
        panel.styles.max_width = "100%"
        panel.add_class("-zoomed")
        return True

    def unzoom(self) -> None:
        for widget in self.hidden:
            widget.display = True
        if self.panel is not None:
            for rule, value in self.rules.items():
                if value is None:
                    self.panel.styles.clear_rule(rule)
                else:
                    self.panel.styles.inline.set_rule(rule, value)
                    self.panel.refresh(layout=True)
            self.panel.remove_class("-zoomed")
        self.hidden, self.panel, self.rules = [], None, {}
