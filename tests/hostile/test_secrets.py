"""Secrets in no output: a value resolved from ${oc.env:...} under a neutral key, `Bearer eyJ...` under a
neutral key, log fields named password/api_key in the CLI text, --json and the pane's detail view."""

from __future__ import annotations

import time

import pytest
from hostile.measure import count, run
from support.app_factory import make_app

from mlops_tui.widgets.logs.detail import RecordDetail

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
SECRETS = ("s3cr3t-from-env", JWT, "hunter2", "sk-live-abcdef1234567890XYZ", "hunter3")
LOG = ('{"level":"error","message":"login failed","password":"hunter2","api_key":"sk-live-abcdef1234567890XYZ",'
       '"user":"ada"}\n2023-11-07 10:00:00,000 - app - ERROR - retry with password=hunter3\n')


def _shown(text: str) -> list[str]:
    found = [s for s in SECRETS if s in text]
    count("secrets shown", len(found))
    return found


@pytest.fixture
def files(tmp_path):
    (tmp_path / "train.yaml").write_text(f"db:\n  host: ${{oc.env:DB_HOST}}\nheader: \"Bearer {JWT}\"\n")
    (tmp_path / "app.log").write_text(LOG)
    return tmp_path


@pytest.mark.parametrize("args", [["config", "merge", "train.yaml", "--resolve", "--env"],
                                  ["config", "merge", "train.yaml", "--resolve", "--env", "--json"],
                                  ["config", "diff", "train.yaml", "app.log"],
                                  ["logs", "search", "-f", "app.log"],
                                  ["logs", "search", "-f", "app.log", "--json"],
                                  ["logs", "search", "hunter", "-f", "app.log"]],
                         ids=["merge", "merge-json", "diff", "logs", "logs-json", "logs-hit"])
def test_no_secret_in_cli_output(files, args):
    result = run(args, cwd=files, env={"DB_HOST": "s3cr3t-from-env"})
    assert result.code in (0, 1, 2), str(result)
    assert _shown(result.out + result.err) == [], str(result)



async def test_no_secret_in_the_logs_pane_or_its_detail_view(files):
    app = make_app([f"logs.files=[{files / 'app.log'}]"])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        deadline = time.monotonic() + 20
        view = app.query_one("LogView")
        while view.row_count < 2:
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        view.focus()
        await pilot.press("home")
        await pilot.pause()
        rows = "\n".join(view.render_line(y).text for y in range(5))
        assert "login failed" in rows
        assert _shown(rows) == []
        await pilot.press("enter")
        while not isinstance(app.screen, RecordDetail):
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        detail = "\n".join(str(w.render()) for w in app.screen.query("Static"))
        assert "api_key" in detail and "password" in detail
        assert _shown(detail) == []


async def test_copy_and_save_carry_the_record_masked_as_on_screen(files, tmp_path):
    """`c` in the list and in the detail view, and `s`, hand the record over as it is shown: the secret
    fields masked (a clipboard or a saved file is an output too)."""
    app = make_app([f"logs.files=[{files / 'app.log'}]"])
    target, second = tmp_path / "saved.txt", tmp_path / "saved-2.txt"
    async with app.run_test(size=(120, 40)) as pilot:
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        await pilot.press("3")
        deadline = time.monotonic() + 20
        view = app.query_one("LogView")
        while view.row_count < 2:
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        view.focus()
        await pilot.press("home", "c")  # the JSON record with password and api_key
        await pilot.press("end", "c")  # the text line with password=hunter3
        await pilot.press("home", "enter")
        while not isinstance(app.screen, RecordDetail):
            assert time.monotonic() < deadline
            await pilot.pause(0.05)
        await pilot.press("c", "escape")
        for row, path in (("home", target), ("end", second)):  # not searching: `s` saves the cursor's record
            await pilot.press(row, "s", "ctrl+u", *str(path), "enter")
            while not (path.exists() and path.read_text().endswith("\n")):
                assert time.monotonic() < deadline
                await pilot.pause(0.05)
    assert len(copied) == 3 and "login failed" in copied[0] and "retry with" in copied[1]
    assert "password" in copied[0] and "api_key" in copied[0]  # the fields are there, their values not
    saved = target.read_text() + second.read_text()
    assert "login failed" in saved and "retry with" in saved
    assert _shown("\n".join(copied)) == [] and _shown(saved) == []


def test_no_secret_in_a_notification_body():
    """A summary quoting a log line, or a label taken from a field, goes out masked on every channel."""
    from mlops_tui.sources.alerts.notify import Alert, Group, alertmanager_payload, text_of

    alert = Alert((("user", "ada"), ("api_key", "sk-live-abcdef1234567890XYZ")), 3.0, time.time(),
                  summary="3 errors: retry with password=hunter3, header Bearer " + JWT)
    group = Group("api errors", "critical", "firing", (alert,))
    import json

    for body in (text_of(group), json.dumps(alertmanager_payload(group, "ops"))):
        assert "api errors" in body and "ada" in body and "password=" in body
        assert _shown(body) == [], body
