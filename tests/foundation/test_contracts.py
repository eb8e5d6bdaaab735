"""The layer rules a newcomer must not break, checked on every module's imports (an import-linter-style
contract test, written as an AST walk so it needs no extra tool):

1. the data floor (sources, settings and the plain modules text, secrets, paths) never imports the UI floor;
2. the command line reaches the UI only through the app entry: `cli/run.py` importing `mlops_tui.app`;
3. no pane package imports another pane package.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mlops_tui"
UI_FLOOR = ("mlops_tui.app", "mlops_tui.widgets", "mlops_tui.screens", "mlops_tui.driver",
            "mlops_tui.textual_compat", "mlops_tui.messages")
DATA_FLOOR = ("mlops_tui.sources", "mlops_tui.settings", "mlops_tui.text", "mlops_tui.secrets", "mlops_tui.paths")
PANES = ("metrics", "models", "logs", "configs", "alerts")


def _module_name(path: Path) -> str:
    return ".".join(("mlops_tui", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """Every mlops_tui module path path imports (relative imports resolved), at any depth in the file."""
    own = _module_name(path).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            names.update(f"{base}.{alias.name}" for alias in node.names)
            names.add(base)
    return {name for name in names if name.split(".")[0] == "mlops_tui"}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _edges() -> list[tuple[str, str]]:
    return [(_module_name(path), target) for path in sorted(PACKAGE.rglob("*.py")) for target in _imports(path)]


def test_the_walk_sees_the_edges_it_checks() -> None:
    edges = _edges()
    assert ("mlops_tui.cli.run", "mlops_tui.app.MlopsApp") in edges
    assert any(source.startswith("mlops_tui.widgets.logs") and _within(target, ("mlops_tui.sources",))
               for source, target in edges)


def test_the_data_floor_never_imports_the_ui_floor() -> None:
    offenders = [(s, t) for s, t in _edges() if _within(s, DATA_FLOOR) and _within(t, UI_FLOOR)]
    assert offenders == []


def test_the_cli_reaches_the_ui_only_through_the_app_entry() -> None:
    offenders = [(s, t) for s, t in _edges()
                 if _within(s, ("mlops_tui.cli",)) and _within(t, UI_FLOOR)
                 and not (s == "mlops_tui.cli.run" and _within(t, ("mlops_tui.app",)))]
    assert offenders == []


def test_no_pane_imports_another_pane() -> None:
    offenders = []
    for source, target in _edges():
        for pane in PANES:
            own = f"mlops_tui.widgets.{pane}"
            others = tuple(f"mlops_tui.widgets.{other}" for other in PANES if other != pane)
            if _within(source, (own,)) and _within(target, others):
                offenders.append((source, target))
    assert offenders == []
