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
