"""Filter chips one by one on the model (no engine: the query each key makes, and the info line); what the
engines count for them is in test_pane.py::test_chips_negated_disabled_removed_one_by_one."""

from __future__ import annotations

from mlops_tui.sources.logs.cluster import ClusterModel
from mlops_tui.sources.logs.search_engine import Chip, Engine, build_search


def test_each_chip_is_negated_disabled_and_removed_on_its_own() -> None:
    model = ClusterModel("prod")
    model.query = model.with_chip(Chip("log.level", "ERROR"))
    model.query = model.with_chip(Chip("host.name", "web-01"))
    model.query = model.with_chip(Chip("service.name", "api", negated=True))
    assert model.chip == Chip("service.name", "api", negated=True)  # the newest is marked
    assert "▸NOT service.name: api" in model.describe() and "· log.level: ERROR ·" in model.describe()

    assert model.next_chip() == Chip("log.level", "ERROR")  # wraps to the first
    model.query = model.negated_chip()
    assert model.query.chips[0] == Chip("log.level", "ERROR", negated=True)
    assert model.query.chips[1:] == (Chip("host.name", "web-01"), Chip("service.name", "api", negated=True))
    assert "▸NOT log.level: ERROR" in model.describe()

    model.next_chip()
    model.query = model.toggled_chip()
    assert model.query.chips[1] == Chip("host.name", "web-01", enabled=False)
    assert "▸host.name: web-01 (off)" in model.describe()
    body = build_search(Engine("opensearch", "2.19.1"), "", chips=model.query.chips)
    assert body["query"]["bool"] == {"must_not": [{"term": {"log.level": "ERROR"}}, {"term": {"service.name": "api"}}]}

    model.query = model.toggled_chip()  # on again
    assert model.query.chips[1] == Chip("host.name", "web-01")
    model.query = model.without_chip()
    assert model.query.chips == (Chip("log.level", "ERROR", negated=True), Chip("service.name", "api", negated=True))
    assert model.chip == Chip("service.name", "api", negated=True)  # the next one is marked
    model.query = model.without_chip()
    model.query = model.without_chip()
    assert model.query.chips == () and model.chip is None
    assert model.negated_chip() == model.query and model.without_chip() == model.query  # nothing to act on
    assert "▸" not in model.describe()
