"""The one typed model of the app's settings."""

from __future__ import annotations

import ast
import inspect
import textwrap

from pydantic import Field, model_validator

from mlops_tui.settings.alerts import AlertsSettings
from mlops_tui.settings.base import Section
from mlops_tui.settings.configs import ConfigsSettings
from mlops_tui.settings.drift import DriftSettings
from mlops_tui.settings.limits import LimitsSettings
from mlops_tui.settings.logs import LogsSettings
from mlops_tui.settings.metrics import MetricsSettings
from mlops_tui.settings.models import ModelsSettings
from mlops_tui.settings.ui import UISettings


class Settings(Section):
    """Everything mlops-tui can be told, each with a default."""

    ui: UISettings = Field(default_factory=UISettings)
    """Look and keys."""
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    """Local resources and remote metric sources."""
    logs: LogsSettings = Field(default_factory=LogsSettings)
    """Log files and search engines."""
    models: ModelsSettings = Field(default_factory=ModelsSettings)
    """DVC/GTO repository."""
    configs: ConfigsSettings = Field(default_factory=ConfigsSettings)
    """Config files to diff, merge and validate."""
    alerts: AlertsSettings = Field(default_factory=AlertsSettings)
    """Alert rules."""
    drift: DriftSettings = Field(default_factory=DriftSettings)
    """The samples the Drift pane compares."""
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    """Bounds on untrusted input: line, answer, config and gzip sizes, network deadlines."""

    @model_validator(mode="after")
    def _search_engine_names_are_unique(self) -> Settings:
        """`--source NAME` picks one cluster, so no two share a name."""
        seen: set[str] = set()
        for kind in ("elasticsearch", "opensearch"):
            for number, engine in enumerate(getattr(self.logs, kind)):
                if engine.name in seen:
                    raise ValueError(f"logs.{kind}.{number}.name: {engine.name!r} is used twice; give each cluster its own name")
                seen.add(engine.name)
        return self

    @model_validator(mode="after")
    def _rules_name_real_sources(self) -> Settings:
        """A metric rule names `local` or a configured source, a log rule `files` or a configured cluster, so a
        typo is a settings error, not a rule that can never be evaluated."""
        remote = [*(s.name for s in self.metrics.prometheus), *(s.name for s in self.metrics.influxdb)]
        for index, rule in enumerate(self.alerts.rules):
            known = ["local", *remote] if rule.kind == "metric" else remote  # (a metric drift rule: remote only)
            if (rule.kind == "metric" or (rule.kind == "drift" and rule.metric)) and rule.source not in known:
                raise ValueError(f"alerts.rules.{index}.source: no metrics source named {rule.source!r}"
                                 f" (known: {', '.join(known) or 'none: add one to metrics.prometheus'})")
            clusters = [engine.name for engine in (*self.logs.opensearch, *self.logs.elasticsearch)]
            if rule.kind == "log" and rule.source != "files" and rule.source not in clusters:
                raise ValueError(f"alerts.rules.{index}.source: log rules read `files` or a logs.opensearch / "
                                 f"logs.elasticsearch cluster (known: {', '.join(['files', *clusters])}), "
                                 f"not {rule.source!r}")
        return self


def _attribute_docstrings(model: type) -> dict[str, str]:
    """Field name -> the docstring written under it, for a class and its bases."""
    docs: dict[str, str] = {}
    for klass in reversed(model.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, Section)):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0].body
        for node, following in zip(body, body[1:]):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _sections(model: type[Section], seen: dict[str, type[Section]]) -> dict[str, type[Section]]:
    seen[model.__name__] = model
    for field in model.model_fields.values():
        for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(candidate, type) and issubclass(candidate, Section) and candidate.__name__ not in seen:
                _sections(candidate, seen)
    return seen


def json_schema() -> dict:
    """The JSON Schema of the settings, generated from the model, with each field's docstring."""
    schema = Settings.model_json_schema()
    for name, model in _sections(Settings, {}).items():
        node = schema if model is Settings else schema["$defs"].get(name, {})
        for field, doc in _attribute_docstrings(model).items():
            key = model.model_fields[field].alias or field if field in model.model_fields else field
            node.get("properties", {}).get(key, {}).setdefault("description", doc)
    return schema
