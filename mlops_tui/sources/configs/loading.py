"""Reading configs: YAML, JSON, TOML and INI files, from disk or at a git revision, with line and column errors."""

from __future__ import annotations

import configparser
import datetime
import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlops_tui import paths
from mlops_tui.sources import limits
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.gitrev import GitRef, read_at_revision, split_revision

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml", ".ini": "ini", ".cfg": "ini"}


_SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: about 10x faster


class _Loader(_SAFE):  # type: ignore[misc, valid-type]
    """Safe YAML without implicit timestamps: dates stay strings, as OmegaConf and JSON need."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Document:
    """One parsed config: where it came from (a path or REV:path) and its data."""

    origin: str
    data: Any
    fmt: str


def detect_format(name: str, text: str = "") -> str:
    """The format by file suffix; unknown suffixes are read as YAML (JSON is YAML too)."""
    return SUFFIXES.get(Path(name).suffix.lower(), "yaml")


def parse_text(text: str, fmt: str, origin: str) -> Any:
    """Parse text in fmt; errors carry origin, line and column. Data nested past limits.config_depth or
    holding more than limits.config_nodes values (a billion-laughs YAML) is refused: diff and merge recurse."""
    try:
        data = _parse(text, fmt, origin)
        limits.check_tree(data)
        return data
    except limits.OverLimit as exc:
        raise ConfigError(str(exc), origin=origin) from None
    except RecursionError:
        raise ConfigError(f"nested deeper than {limits.current().config_depth} levels (limits.config_depth); "
                          "not a config", origin=origin) from None


def _parse(text: str, fmt: str, origin: str) -> Any:
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"invalid JSON: {exc.msg}", origin=origin, line=exc.lineno, column=exc.colno) from None
    if fmt == "toml":
        try:
            return _plain(tomllib.loads(text))
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            match = re.search(r"\(at line (\d+), column (\d+)\)", msg)
            line, col = (int(match[1]), int(match[2])) if match else (None, None)
            msg = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", msg)
            raise ConfigError(f"invalid TOML: {msg}", origin=origin, line=line, column=col) from None
    if fmt == "ini":
        parser = configparser.ConfigParser(interpolation=None, default_section="\x00")  # [DEFAULT] is a plain section
        try:
            parser.read_string(text, source=origin)
        except configparser.MissingSectionHeaderError as exc:
            raise ConfigError("invalid INI: a key before any [section] header", origin=origin, line=exc.lineno) from None
        except configparser.Error as exc:
            if isinstance(exc, configparser.ParsingError) and getattr(exc, "errors", None):
                raise ConfigError("invalid INI: a line that is neither [section] nor key = value", origin=origin, line=exc.errors[0][0]) from None
            line = getattr(exc, "lineno", None)
            first = str(exc).splitlines()[0]
            first = re.sub(r"^(File contains parsing errors|While reading from) '?[^:]*'?:?\s*", "", first).strip() or type(exc).__name__
            raise ConfigError(f"invalid INI: {first}", origin=origin, line=line) from None
        return {section: dict(parser.items(section, raw=True)) for section in parser.sections()}
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))  # noqa: S506 - a (C)SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "syntax error"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ConfigError(f"invalid YAML: {problem}", origin=origin, line=line, column=col) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {str(exc).splitlines()[0]}", origin=origin) from None
    if len(docs) > 1:
        raise ConfigError(f"{len(docs)} YAML documents in one file; expected one", origin=origin)
    return docs[0] if docs else {}


def _plain(value: Any) -> Any:
    """TOML dates and times as ISO strings, like YAML dates here: plain data OmegaConf and JSON accept."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def decode(raw: bytes, origin: str) -> str:
    if b"\x00" in raw[:8192]:
        raise ConfigError("binary file, not a config", origin=origin)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", origin=origin) from None


def read_bytes(path: Path, origin: str) -> bytes:
    try:
        return limits.read_config_file(str(path))
    except limits.OverLimit as exc:
        raise ConfigError(str(exc), origin=origin) from None
    except IsADirectoryError:
        raise ConfigError("is a directory", origin=origin) from None
    except FileNotFoundError:
        raise ConfigError("no such file", origin=origin) from None
    except PermissionError:
        raise ConfigError("permission denied", origin=origin, usage=False) from None
    except OSError as exc:
        raise ConfigError(exc.strerror or str(exc), origin=origin, usage=False) from None


def load(spec: str, cwd: Path | None = None) -> Document:
    """Load a file (`configs/train.yaml`) or a file at a git revision (`HEAD~3:configs/train.yaml`)."""
    ref = split_revision(spec, cwd)
    if ref is not None:
        raw = read_at_revision(ref)
        try:
            limits.check_config_size(len(raw))
        except limits.OverLimit as exc:
            raise ConfigError(str(exc), origin=spec) from None
        return Document(spec, parse_text(decode(raw, spec), detect_format(ref.path), spec), detect_format(ref.path))
    path = Path(spec) if cwd is None or Path(spec).is_absolute() else cwd / spec
    fmt = detect_format(spec)
    return Document(spec, parse_text(decode(read_bytes(path, spec), spec), fmt, spec), fmt)


def is_config_name(name: str) -> bool:
    return Path(name).suffix.lower() in SUFFIXES


def list_configs(spec: str, cwd: Path | None = None) -> list[str] | None:
    """Config files under a directory (relative names, sorted), or None when spec is not a directory."""
    ref = split_revision(spec, cwd)
    if ref is not None:
        from mlops_tui.sources.configs.gitrev import list_at_revision

        names = list_at_revision(ref)
        return None if names is None else sorted(n for n in names if is_config_name(n))
    root = Path(spec) if cwd is None or Path(spec).is_absolute() else cwd / spec
    if not paths.is_dir(root):
        return None

    def unreadable(exc: OSError) -> None:  # rglob skips such a folder silently: its configs would read as removed
        where = os.path.relpath(exc.filename, root) if exc.filename else "."
        raise ConfigError(f"cannot list {where}: {exc.strerror or exc}", origin=spec, usage=False)

    found = []
    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = Path(folder).relative_to(root)
        found.extend(str(rel / name) for name in files
                     if not name.startswith(".") and is_config_name(name) and os.path.isfile(os.path.join(folder, name)))
    return sorted(found)


def join(spec: str, name: str) -> str:
    """spec (a directory, maybe REV:dir) joined with a relative file name."""
    return spec.rstrip("/") + "/" + name


__all__ = ["Document", "GitRef", "detect_format", "parse_text", "load", "list_configs", "join"]
