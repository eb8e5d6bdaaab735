"""Settings: precedence of the layers, clear errors, generated schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_tui.settings import Settings, SettingsError, json_schema, load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    settings, file = load_settings(environ={}, cwd=tmp_path)
    assert file is None
    assert settings.metrics.interval == 1.0
    assert settings.ui.theme == "mlops-dark"


def test_file_then_environment_then_dotlist(tmp_path: Path) -> None:
    config = write(tmp_path / "mlops-tui.yaml", "metrics:\n  interval: 5\n  history: 10\nlogs:\n  files: [a.log]\n")
    settings, file = load_settings(environ={}, cwd=tmp_path)
    assert file == config
    assert (settings.metrics.interval, settings.metrics.history, settings.logs.files) == (5.0, 10, ["a.log"])

    settings, _ = load_settings(environ={"MLOPS_TUI_METRICS__INTERVAL": "3"}, cwd=tmp_path)
    assert (settings.metrics.interval, settings.metrics.history) == (3.0, 10)

    settings, _ = load_settings(
        dotlist=["metrics.interval=2", "logs.files=[b.log,c.log]"],
        environ={"MLOPS_TUI_METRICS__INTERVAL": "3"}, cwd=tmp_path,
    )
    assert (settings.metrics.interval, settings.logs.files) == (2.0, ["b.log", "c.log"])


def test_explicit_config_beats_the_current_folder(tmp_path: Path) -> None:
    write(tmp_path / "mlops-tui.yaml", "metrics: {interval: 5}\n")
    other = write(tmp_path / "other.yaml", "metrics: {interval: 7}\n")
    settings, file = load_settings(config_path=other, environ={}, cwd=tmp_path)
    assert (file, settings.metrics.interval) == (other, 7.0)


def test_xdg_config_file_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg/mlops-tui").mkdir(parents=True)
    xdg = write(tmp_path / "xdg/mlops-tui/config.yaml", "ui: {theme: mlops-light}\n")
    settings, file = load_settings(environ={}, cwd=tmp_path / "elsewhere")
    assert (file, settings.ui.theme) == (xdg, "mlops-light")


def test_unknown_key_names_file_path_and_closest_key(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "metrics:\n  prometheus:\n    - url: http://x:9090\n      timout: 3\n")
    with pytest.raises(SettingsError) as err:
        load_settings(config_path=config, environ={}, cwd=tmp_path)
    assert str(err.value) == f"{config}: metrics.prometheus.0.timout: unknown key (did you mean metrics.prometheus.0.timeout?)"


@pytest.mark.parametrize("key", ["elasticsearch", "opensearch"])
def test_search_engine_log_sources(tmp_path: Path, key: str) -> None:
    config = write(tmp_path / "c.yaml", f"logs:\n  {key}:\n    - name: prod\n      url: http://x:9200\n"
                                        "      index: app-*\n      message_field: msg\n")
    settings, _ = load_settings(config_path=config, environ={}, cwd=tmp_path)
    (engine,) = getattr(settings.logs, key)
    assert (engine.name, engine.url, engine.index, engine.message_field, engine.timestamp_field) == (
        "prod", "http://x:9200", "app-*", "msg", "@timestamp")
    typo = write(tmp_path / "t.yaml", f"logs:\n  {key}:\n    - url: http://x:9200\n      indx: a\n")
    with pytest.raises(SettingsError, match=rf"logs.{key}.0.indx: unknown key \(did you mean logs.{key}.0.index\?\)"):
        load_settings(config_path=typo, environ={}, cwd=tmp_path)


def test_search_engine_names_are_unique(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "logs:\n  elasticsearch:\n    - name: prod\n"
                                        "  opensearch:\n    - name: prod\n")
    with pytest.raises(SettingsError) as err:
        load_settings(config_path=config, environ={}, cwd=tmp_path)
    assert str(err.value) == f"{config}: logs.opensearch.0.name: 'prod' is used twice; give each cluster its own name"


def test_the_shipped_example_config_loads() -> None:
    example = Path(__file__).parents[2] / "configs/mlops-tui.yaml"
    settings, file = load_settings(config_path=example, environ={}, cwd=example.parent)
    assert file == example and settings.logs.formats[0].name == "trainer"


def test_type_error_names_the_layer_that_set_it(tmp_path: Path) -> None:
    write(tmp_path / "mlops-tui.yaml", "metrics: {interval: 5}\n")
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"MLOPS_TUI_METRICS__INTERVAL": "-1"}, cwd=tmp_path)
    assert str(err.value).startswith("environment (MLOPS_TUI_*): metrics.interval: Input should be greater than 0")


def test_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    config = write(tmp_path / "bad.yaml", "metrics:\n  interval: [1, 2\nlogs: {}\n")
    with pytest.raises(SettingsError) as err:
        load_settings(config_path=config, environ={}, cwd=tmp_path)
    assert str(err.value).startswith(f"{config}:3:")
    assert "invalid YAML" in str(err.value)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    config = write(tmp_path / "list.yaml", "- a\n- b\n")
    with pytest.raises(SettingsError, match="top level must be a mapping"):
        load_settings(config_path=config, environ={}, cwd=tmp_path)


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="config file not found"):
        load_settings(config_path=tmp_path / "nope.yaml", environ={}, cwd=tmp_path)


def test_env_interpolation_keeps_secrets_out_of_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ES_API_KEY", "s3cr3t-value")
    config = write(tmp_path / "c.yaml", "metrics:\n  prometheus:\n    - name: prom\n      token: ${oc.env:ES_API_KEY}\n")
    settings, _ = load_settings(config_path=config, environ={}, cwd=tmp_path)
    token = settings.metrics.prometheus[0].token
    assert token is not None and token.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t" not in repr(settings)


def test_missing_environment_variable_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    config = write(tmp_path / "c.yaml", "metrics:\n  influxdb:\n    - token: ${oc.env:NOT_SET_ANYWHERE}\n")
    with pytest.raises(SettingsError, match="NOT_SET_ANYWHERE"):
        load_settings(config_path=config, environ={}, cwd=tmp_path)


def test_bad_dotlist_item() -> None:
    with pytest.raises(SettingsError, match="is not KEY=VALUE"):
        load_settings(dotlist=["metrics.interval"], environ={})


def test_schema_is_generated_and_every_field_is_described() -> None:
    schema = json_schema()
    assert schema["title"] == "Settings"
    undescribed = []

    def walk(node: dict, path: str) -> None:
        for name, prop in node.get("properties", {}).items():
            if "description" not in prop:
                undescribed.append(f"{path}{name}")
        for name in node.get("required", []):
            undescribed.append(f"{path}{name} (required: no default)")

    walk(schema, "")
    for name, definition in schema["$defs"].items():
        walk(definition, f"{name}.")
    assert undescribed == []


def test_example_config_in_repository_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "configs" / "mlops-tui.yaml"
    settings, _ = load_settings(config_path=example, environ={})
    assert isinstance(settings, Settings)
    assert settings.alerts.rules and settings.metrics.prometheus


def test_unparsable_dotlist_value_is_a_settings_error() -> None:
    with pytest.raises(SettingsError, match="command line"):
        load_settings(dotlist=["alerts.rules=[{name: '\x1b'}]"], environ={})
