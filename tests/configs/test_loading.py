"""Reading configs: formats, errors with line and column, files at git revisions of a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.sources.configs import ConfigError, list_configs, load


@pytest.mark.parametrize(
    ("name", "text", "line", "column", "words"),
    [
        ("bad.yaml", "model:\n  name: resnet\n  layers: [1, 2\n", 4, 1, "invalid YAML"),
        ("bad.yaml", "a: 1\n b: 2\n", 2, 3, "invalid YAML"),
        ("bad.json", '{"a": 1,\n "b": }\n', 2, 7, "invalid JSON"),
        ("bad.toml", "[server]\nport = \n", 2, 8, "invalid TOML"),
    ],
)
def test_syntax_errors_name_line_and_column(tmp_path: Path, name, text, line, column, words) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load(str(path))
    error = info.value
    assert (error.line, error.column) == (line, column)
    assert words in error.message
    assert str(error).startswith(f"{path}:{line}:{column}: {words}")


def test_ini_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.ini"
    path.write_text("[a]\nx = 1\nnot an option line\n")
    with pytest.raises(ConfigError) as info:
        load(str(path))
    assert info.value.line == 3 and "invalid INI" in info.value.message


def test_ini_without_a_section_header_is_a_message_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "flat.ini"
    path.write_text("key = 1\n")
    with pytest.raises(ConfigError) as info:
        load(str(path))
    assert info.value.line == 1 and "before any [section] header" in info.value.message


def test_every_format_loads(ml: Path) -> None:
    assert load(str(ml / "serving.toml")).data["batching"]["max_batch_size"] == 64
    assert load(str(ml / "legacy.ini")).data["monitoring"] == {"statsd_host": "localhost", "statsd_port": "8125"}
    assert load(str(ml / "schema" / "serving.schema.json")).data["title"] == "Serving config"
    train = load(str(ml / "train.yaml")).data
    assert train["data"]["train"] == "${data.root}/train"
    assert [c["name"] for c in train["callbacks"]] == ["early_stopping", "model_checkpoint", "lr_monitor"]


def test_dates_stay_strings_and_empty_file_is_empty_mapping(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("released: 2024-05-01\n")
    (tmp_path / "e.yaml").write_text("")
    assert load(str(tmp_path / "d.yaml")).data == {"released": "2024-05-01"}
    assert load(str(tmp_path / "e.yaml")).data == {}


def test_missing_binary_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load(str(tmp_path / "nope.yaml"))
    (tmp_path / "blob.yaml").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ConfigError, match="binary file"):
        load(str(tmp_path / "blob.yaml"))
    with pytest.raises(ConfigError, match="is a directory"):
        load(str(tmp_path))


def test_file_at_revision_from_a_real_repo(ml_repo: Path, run_git) -> None:
    old = load("v1:configs/train.yaml", cwd=ml_repo).data
    new = load("HEAD:configs/train.yaml", cwd=ml_repo).data
    parent = load("HEAD~1:configs/train.yaml", cwd=ml_repo).data
    commit = run_git(ml_repo, "rev-parse", "HEAD~1")
    assert old["model"]["name"] == "resnet50" and new["model"]["name"] == "vit_b16"
    assert parent == old == load(f"{commit}:configs/train.yaml", cwd=ml_repo).data


def test_revision_path_from_a_subdirectory_and_absolute(ml_repo: Path) -> None:
    sub = ml_repo / "configs"
    assert load("v1:train.yaml", cwd=sub).data["trainer"]["max_epochs"] == 20
    assert load(f"v1:{ml_repo}/configs/train.yaml").data["trainer"]["max_epochs"] == 20


def test_reading_a_revision_leaves_the_repo_untouched(ml_repo: Path, run_git) -> None:
    before = run_git(ml_repo, "status", "--porcelain", "--ignored")
    head = run_git(ml_repo, "rev-parse", "HEAD")
    load("v1:configs/train.yaml", cwd=ml_repo)
    assert run_git(ml_repo, "status", "--porcelain", "--ignored") == before
    assert run_git(ml_repo, "rev-parse", "HEAD") == head


def test_unknown_revision_and_missing_path(ml_repo: Path) -> None:
    with pytest.raises(ConfigError, match="unknown revision 'v9'"):
        load("v9:configs/train.yaml", cwd=ml_repo)
    with pytest.raises(ConfigError, match="unknown revision"):
        load("--output=x:configs/train.yaml", cwd=ml_repo)
    with pytest.raises(ConfigError, match="has no file 'configs/env/canary.yaml'"):
        load("v1:configs/env/canary.yaml", cwd=ml_repo)


def test_revision_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not inside a git repository"):
        load("HEAD:train.yaml", cwd=tmp_path)


def test_directory_listing_now_and_at_revision(ml_repo: Path) -> None:
    assert list_configs("configs/env", cwd=ml_repo) == ["base.yaml", "canary.yaml", "prod.yaml", "staging.yaml"]
    assert list_configs("v1:configs/env", cwd=ml_repo) == ["base.yaml", "prod.yaml", "staging.yaml"]
    assert list_configs("v1:configs/train.yaml", cwd=ml_repo) is None


def test_absurd_nesting_is_refused_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "deep.yaml").write_text("a:\n" + "".join("  " * i + "  k:\n" for i in range(300)) + "  " * 301 + "v: 1\n")
    for name in ("deep.json", "deep.yaml"):
        with pytest.raises(ConfigError, match="nested deeper than 200 levels"):
            load(str(tmp_path / name))
