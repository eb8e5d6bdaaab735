"""The data floor (mlops_tui.sources and settings) never imports textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mlops_tui"
DATA_FLOOR = ("sources", "settings")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_data_module_imports_textual_or_rich() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for floor in DATA_FLOOR
        for path in sorted((PACKAGE / floor).rglob("*.py"))
        if _imports(path) & {"textual", "rich"}
    ]
    assert offenders == []


def test_importing_every_data_module_loads_no_textual() -> None:
    modules = [
        "mlops_tui." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for floor in DATA_FLOOR
        for path in sorted((PACKAGE / floor).rglob("*.py"))
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert len(modules) > 10
