"""Validation of a config against a Pydantic model (`pkg.mod:Cls`) or a JSON Schema, errors by key path."""

from __future__ import annotations

import importlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_tui.secrets import MASK, looks_like_secret
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.keypath import KeyPath, format_path, last_key
from mlops_tui.sources.configs.loading import load


@dataclass(frozen=True)
class Violation:
    """One validation error at a key path."""

    path: KeyPath
    message: str

    @property
    def key(self) -> str:
        return format_path(self.path)

    def to_json(self) -> dict[str, str]:
        return {"path": self.key, "message": self.message}


class Validator:
    """What a config is checked against; `check` returns violations, never raises on bad data."""

    name: str

    def check(self, data: Any) -> list[Violation]:  # pragma: no cover - interface
        raise NotImplementedError


def _no_secret(message: str, path: KeyPath, value: Any) -> str:
    from mlops_tui.secrets import is_secret_key

    if value is not None and not isinstance(value, (dict, list, bool)) and (is_secret_key(last_key(path)) or looks_like_secret(value)):
        for text in (repr(value), json.dumps(value) if isinstance(value, str) else str(value), str(value)):
            message = message.replace(text, MASK)
    return message


def _value_at(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


class PydanticValidator(Validator):
    """A Pydantic model class imported from `package.module:ClassName`, optionally from a folder."""

    def __init__(self, target: str, import_path: str | None = None, model: Any = None) -> None:
        self.name = target
        self.model = model if model is not None else import_model(target, import_path)

    def check(self, data: Any) -> list[Violation]:
        from pydantic import ValidationError

        try:
            self.model.model_validate(data)
        except ValidationError as exc:
            out = []
            for error in exc.errors(include_url=False, include_input=False):
                path = tuple(error.get("loc", ()))
                out.append(Violation(path, _no_secret(error.get("msg", "invalid"), path, _value_at(data, path))))
            return out
        except Exception as exc:  # noqa: BLE001 - a user's validator raised something other than ValidationError
            return [Violation((), f"the model's own code raised {type(exc).__name__}: {exc}")]
        return []


def import_model(target: str, import_path: str | None = None) -> Any:
    """The class named by `package.module:ClassName`; clear errors when it cannot be imported."""
    from pydantic import BaseModel

    module_name, sep, class_name = target.partition(":")
    if not sep or not module_name or not class_name:
        raise ConfigError(f"model {target!r}: expected package.module:ClassName")
    if import_path and not Path(import_path).absolute().is_dir():
        raise ConfigError(f"model import path {import_path!r} is not a folder")
    module = import_user_module(module_name, import_path, f"module {module_name!r} for model {target!r}",
                                f"{module_name!r}")
    obj = module
    for part in class_name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise ConfigError(f"module {module_name!r} has no {class_name!r}")
    if not (isinstance(obj, type) and (issubclass(obj, BaseModel) or is_structured(obj))):
        raise ConfigError(f"{target!r} is not a Pydantic model class nor a structured config (dataclass or attrs class)")
    return obj


def import_user_module(name: str, folder: str | Path | None, what: str, short: str) -> Any:
    """Import a module of the user's project (from folder first): no __pycache__ written into their folder, its
    prints and warnings kept off the screen; a ConfigError naming `what` (`short` when it raised) otherwise."""
    import contextlib
    import io
    import warnings

    path = str(Path(folder).absolute()) if folder else None
    added = path is not None and path not in sys.path
    if added:
        sys.path.insert(0, path)
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # no __pycache__ written into the user's repository
    try:  # quietly: a module's prints and warnings (@hydra.main's version_base one) would land on the screen
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(f"cannot import {what}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - importing user code can raise anything; report it, never a traceback
        raise ConfigError(f"importing {short} raised {type(exc).__name__}: {exc}") from None
    finally:
        sys.dont_write_bytecode = writes
        if added:
            sys.path.remove(path)


def is_structured(cls: Any) -> bool:
    """A class OmegaConf takes as a structured config, as Hydra's ConfigStore does: a dataclass or an attrs class."""
    import dataclasses

    return isinstance(cls, type) and (dataclasses.is_dataclass(cls) or hasattr(cls, "__attrs_attrs__"))


class StructuredValidator(Validator):
    """A structured config (a dataclass or attrs class, what Hydra projects register as schemas), checked the
    way OmegaConf checks a merge into it: types converted or refused, unknown keys refused, `???` fields
    required. Every key is checked, so all the errors show, not only OmegaConf's first."""

    def __init__(self, target: str, cls: Any) -> None:
        from omegaconf import OmegaConf

        self.name = target
        try:
            self.schema = OmegaConf.structured(cls)
        except Exception as exc:  # noqa: BLE001 - a class OmegaConf cannot take (an unsupported field type)
            raise ConfigError(f"{target!r} is not a structured config OmegaConf accepts: {_first(exc)}") from None

    def check(self, data: Any) -> list[Violation]:
        out: list[Violation] = []
        if not isinstance(data, dict):
            return [Violation((), f"expected a mapping, got {type(data).__name__}")]
        _check_structured(self.schema.copy(), data, (), out)
        return out


def _secret_key(path: KeyPath) -> bool:
    from mlops_tui.secrets import is_secret_key

    return bool(path) and is_secret_key(str(last_key(path)))


def _first(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _check_structured(node: Any, data: dict, path: KeyPath, out: list[Violation]) -> None:
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    for key, value in data.items():
        where = (*path, key)
        child = node._get_node(key) if key in node else None
        if child is not None and OmegaConf.is_dict(child) and isinstance(value, dict) and not child._is_none():
            _check_structured(child, value, where, out)
            continue
        try:
            node[key] = value
        except OmegaConfBaseException as exc:
            message = _first(exc)
            if "Key '" in message and "not in" in message:
                message = "not in the schema"
            elif _secret_key(where):
                message = f"a {type(value).__name__} the schema does not accept (the value is not shown: a secret key)"
            out.append(Violation(where, _no_secret(message, where, value)))
    for key in node:
        if key not in data and OmegaConf.is_missing(node, key):
            out.append(Violation((*path, key), "missing value (???): the schema requires it"))


class SchemaValidator(Validator):
    """A JSON Schema file (JSON or YAML), checked with the draft it declares."""

    def __init__(self, schema_file: str) -> None:
        import jsonschema
        from jsonschema.validators import validator_for

        self.name = schema_file
        schema = load(schema_file).data
        if not isinstance(schema, dict):
            raise ConfigError("a JSON Schema must be a mapping", origin=schema_file)
        cls = validator_for(schema)
        try:
            cls.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise ConfigError(f"invalid JSON Schema at {format_path(tuple(exc.absolute_path))}: {exc.message}", origin=schema_file) from None
        self.validator = cls(schema)

    def check(self, data: Any) -> list[Violation]:
        out = []
        for error in sorted(self.validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
            path = tuple(error.absolute_path)
            out.append(Violation(path, _no_secret(error.message, path, error.instance)))
        return out


def make_validator(model: str | None = None, model_path: str | None = None, schema_file: str | None = None) -> Validator | None:
    """The validator the settings or options ask for, or None when neither is given."""
    if model and schema_file:
        raise ConfigError("give a model or a schema, not both")
    if model:
        cls = import_model(model, model_path)
        return StructuredValidator(model, cls) if is_structured(cls) else PydanticValidator(model, model_path, cls)
    if schema_file:
        return SchemaValidator(schema_file)
    return None
