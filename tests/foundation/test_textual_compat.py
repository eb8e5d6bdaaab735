"""The private Textual APIs mlops_tui/textual_compat.py relies on are still there and still behave as it
assumes; and no other module of the package reaches into Textual's private modules.

Each test here fails loudly when the pinned Textual changes under us: read the named compat function's
docstring, then port or drop it.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.drivers.linux_driver import LinuxDriver
from textual.widgets import Static

import mlops_tui
from mlops_tui import textual_compat
from mlops_tui.textual_compat import PARSER_END_ERRORS, bindings_by_key, key_parser, parser_awaits_escape

PACKAGE = Path(mlops_tui.__file__).parent

RUN_INPUT_THREAD_SHA256 = "d796af6d69db337d6fa6bd463984f7d17188d991dbb22f60efb92a8a9619507c"
"""sha256 of Textual 8.2.8's LinuxDriver.run_input_thread source, the loop mlops_tui/driver.py copies."""


def test_linux_driver_input_loop_is_the_one_quiet_driver_copies() -> None:
    source = inspect.getsource(LinuxDriver.run_input_thread)
    assert hashlib.sha256(source.encode()).hexdigest() == RUN_INPUT_THREAD_SHA256, (
        "Textual's LinuxDriver.run_input_thread changed: QuietLinuxDriver.run_input_thread (mlops_tui/driver.py)"
        " is a copy of it; port the change, then update RUN_INPUT_THREAD_SHA256"
    )
    assert "XTermParser(self._debug)" in source  # key_parser makes the parser the same way


async def test_key_parser_takes_the_drivers_debug_flag_and_parses_keys() -> None:
    driver = LinuxDriver(App(), debug=False)
    assert driver._debug is False  # the private flag key_parser reads
    parser = key_parser(driver)
    keys = [getattr(event, "key", None) for event in parser.feed("a")]
    assert keys == ["a"]


def test_parser_says_when_it_waits_out_an_escape() -> None:
    parser = key_parser(LinuxDriver.__new__(LinuxDriver))
    assert hasattr(parser, "_timeout_time"), "textual._parser.Parser lost _timeout_time"
    assert not parser_awaits_escape(parser)
    list(parser.feed("\x1b"))
    assert parser_awaits_escape(parser), "a lone escape byte must make the quiet driver poll"
    list(parser.feed("[A"))
    assert not parser_awaits_escape(parser)


def test_a_parser_that_does_not_say_is_polled() -> None:
    assert parser_awaits_escape(object())


def test_parse_error_is_the_one_textual_raises_on_a_cut_sequence() -> None:
    from textual._parser import ParseError  # the name PARSER_END_ERRORS holds

    assert set(PARSER_END_ERRORS) == {EOFError, ParseError}
    assert "except (EOFError, ParseError)" in inspect.getsource(LinuxDriver.run_input_thread)


class _Keys(Static):
    BINDINGS = [Binding("x", "noop", "Ex", id="test.x")]


class _KeysApp(App[None]):
    BINDINGS = [Binding("y", "noop", "Why")]

    def compose(self) -> ComposeResult:
        yield _Keys()


async def test_bindings_by_key_gives_a_nodes_own_remapped_bindings() -> None:
    app = _KeysApp()
    async with app.run_test() as pilot:
        widget = app.query_one(_Keys)
        assert isinstance(widget._bindings, BindingsMap), "DOMNode._bindings is no longer a BindingsMap"
        assert [b.description for b in bindings_by_key(widget)["x"]] == ["Ex"]
        assert "x" not in bindings_by_key(app)
        assert app._keymap == {}, "App._keymap is gone or no longer a dict"
        app.update_keymap({"test.x": "z"})
        assert "z" in bindings_by_key(widget) and "x" not in bindings_by_key(widget)


def _private_textual_imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        private = [n for n in names if n.split(".")[0] == "textual" and any(p.startswith("_") for p in n.split(".")[1:])]
        if private:
            found.append(f"line {node.lineno}: {private[0]}")
    return found


def test_only_textual_compat_imports_private_textual_modules() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == Path(textual_compat.__file__):
            continue
        if found := _private_textual_imports(ast.parse(path.read_text(), str(path))):
            offenders[str(path.relative_to(PACKAGE.parent))] = found
    assert offenders == {}, f"private Textual imports outside mlops_tui/textual_compat.py: {offenders}"


def test_the_import_check_sees_private_imports() -> None:
    tree = ast.parse("from textual._xterm_parser import X\nimport textual.widgets._header\nfrom textual.widgets import _header\n")
    assert len(_private_textual_imports(tree)) == 3
    assert _private_textual_imports(ast.parse("from textual.widgets import Static")) == []


@pytest.mark.parametrize("name", ["key_parser", "parser_awaits_escape", "bindings_by_key", "measured_table_class"])
def test_every_compat_function_says_why(name: str) -> None:
    assert "Why private" in (getattr(textual_compat, name).__doc__ or "")


def test_the_data_table_internals_the_measured_table_uses_exist() -> None:
    from textual.widgets import DataTable

    table = DataTable()
    assert table._require_update_dimensions is False and table._updated_cells == set()
    assert callable(table._clear_caches) and callable(DataTable._on_idle)

