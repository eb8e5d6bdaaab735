"""A bug in mlops-tui is one line on stderr and a traceback in a crash file: owner-only, secrets masked."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

import mlops_tui.cli as cli_module


def test_a_crash_is_exit_70_and_a_private_masked_crash_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    (tmp_path / "mlops-tui").mkdir()
    old = tmp_path / "mlops-tui" / "crash.log"
    old.write_text("an older crash\n")
    old.chmod(0o644)

    def crash(*args, **kwargs):
        secret = "postgres://app:hunter2@db/x --api-key=sk-live-abcdefghijklmnop1234"
        raise RuntimeError(f"could not run {secret}")

    monkeypatch.setattr(cli_module.cli, "main", crash)
    with pytest.raises(SystemExit) as caught:
        cli_module.main(["models", "list"])
    assert caught.value.code == 70
    error = capsys.readouterr().err
    assert "internal error: RuntimeError" in error and str(old) in error
    report = old.read_text()
    assert "RuntimeError" in report and "Traceback" in report and report.startswith("an older crash")
    for shown in (error, report):
        assert "hunter2" not in shown and "sk-live-abcdefghijklmnop1234" not in shown
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


@pytest.mark.parametrize(("text", "hidden"), [
    ("psql --password=hunter2 -h db", "hunter2"),
    ('curl -H "Authorization: Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl" x', "eyJhbGciOi"),
    ("https://u:pw123@host/x", "pw123"),
    ("export OPENAI_API_KEY=sk-live-abcdefghijklmnop1234", "sk-live"),
    ('{"token": "abc123"}', "abc123"),
    ("password = s3cret", "s3cret"),
])
def test_free_text_masking_hides_the_secret(text: str, hidden: str) -> None:
    from mlops_tui.secrets import MASK, mask_text

    masked = mask_text(text)
    assert hidden not in masked and MASK in masked


def test_free_text_masking_keeps_what_is_not_secret() -> None:
    from mlops_tui.secrets import mask_text

    for text in ("max_tokens=5 tokenizer: bert", "python train.py --lr=0.1 --epochs 3"):
        assert mask_text(text) == text
