"""One unit formatter for the Local and Remote views, and the remote time range checked at load time."""

from __future__ import annotations

import pytest

from mlops_tui.settings import SettingsError, load_settings
from mlops_tui.sources.units import format_value, human_bytes, human_rate


def test_bytes_are_named_in_iec_units_by_both_views():
    assert human_bytes(1536) == format_value(1536, "B") == "1.5 KiB"
    assert human_rate(2048) == format_value(2048, "B/s") == "2.0 KiB/s"
    assert format_value(3 * 1024 ** 3, "B") == "3.0 GiB"
    assert format_value(1000, "B/s") == "1000 B/s"


def test_other_units_keep_their_spelling():
    assert format_value(12.345, "%") == "12.3%"
    assert format_value(0.25, "s") == "0.25 s"
    assert format_value(1234.0, "req/s") == "1,234 req/s"
    assert format_value(2.5) == "2.50"
    assert format_value(None, "B") == format_value(float("nan")) == "-"


def test_a_bad_time_range_is_a_settings_error_naming_the_key(tmp_path):
    with pytest.raises(SettingsError) as caught:
        load_settings(dotlist=["metrics.time_range=soon"], environ={}, cwd=tmp_path)
    assert "metrics.time_range" in str(caught.value) and "not a duration" in str(caught.value)


def test_a_time_range_in_the_house_grammar_is_accepted(tmp_path):
    settings, _ = load_settings(dotlist=["metrics.time_range=1h30m"], environ={}, cwd=tmp_path)
    assert settings.metrics.time_range == "1h30m"
