"""Parsing DVC's files: `.dvc` outputs, `dvc.yaml` (stages, params, metrics, artifacts), `dvc.lock`,
and params/metrics files, with DVC's own rules for which params and metrics a revision has."""

from __future__ import annotations

import json
import posixpath
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from mlops_tui.sources import limits
from mlops_tui.sources.models.model import OutState

DEFAULT_PARAMS = "params.yaml"


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster on thousands of blobs


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """YAML without dates turned into datetime objects: DVC keeps them as strings in diffs too."""


_Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"] for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(data: bytes) -> Any:
    """A YAML file's data within the limits (bytes, values once aliases are expanded, nesting): a
    limits.OverLimit (a ValueError, reported per file as the others) for a dvc.lock of 100,000 stages
    or a billion-laughs file."""
    def parse() -> Any:
        text = data.decode("utf-8")
        limits.check_yaml_events(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a (C)SafeLoader subclass

    return _bounded(data, parse)


def load_structured(path: str, data: bytes) -> Any:
    """A params or metrics file by its extension (yaml, json, toml), within the limits."""
    ext = posixpath.splitext(path)[1].lower()
    if ext == ".json":
        return _bounded(data, lambda: json.loads(data.decode("utf-8")))
    if ext == ".toml":
        return _bounded(data, lambda: tomllib.loads(data.decode("utf-8")))
    if ext == ".py":
        raise ValueError("python params files are not read")
    return load_yaml(data)


def _bounded(data: bytes, parse: Callable[[], Any]) -> Any:
    limits.check_config_size(len(data))
    try:
        parsed = parse()
    except RecursionError:
        raise limits.OverLimit(f"nested deeper than Python can parse (limits.config_depth is "
                               f"{limits.current().config_depth})") from None
    limits.check_tree(parsed)
    return parsed


def _join(base: str, rel: str) -> str:
    return posixpath.normpath(posixpath.join(base, rel)) if base else posixpath.normpath(rel)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _out_state(entry: Any, base: str, source: str, cached: bool = True) -> OutState | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return None
    md5 = entry.get("md5") or entry.get("etag") or entry.get("checksum")
    return OutState(
        path=_join(base, entry["path"]), md5=str(md5) if md5 else None, size=_int(entry.get("size")),
        nfiles=_int(entry.get("nfiles")), source=source, cached=cached and entry.get("cache", True) is not False,
    )


def parse_dvc_file(path: str, data: bytes) -> tuple[list[OutState], list[OutState]]:
    """(outs, deps) of a `.dvc` file."""
    doc = load_yaml(data) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a mapping")
    base = posixpath.dirname(path)
    wdir = doc.get("wdir")
    if isinstance(wdir, str):
        base = _join(base, wdir)
    outs = [o for o in (_out_state(e, base, path) for e in doc.get("outs") or []) if o]
    deps = [o for o in (_out_state(e, base, path) for e in doc.get("deps") or []) if o]
    return outs, deps


@dataclass
class LockStage:
    name: str
    outs: list[OutState] = field(default_factory=list)
    deps: list[OutState] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)  # "file:key" -> value


def parse_lock(path: str, data: bytes) -> list[LockStage]:
    doc = load_yaml(data) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a mapping")
    base = posixpath.dirname(path)
    stages = []
    for name, body in (doc.get("stages") or {}).items():
        if not isinstance(body, dict):
            continue
        source = f"{path}:{name}"
        stage = LockStage(str(name))
        stage.outs = [o for o in (_out_state(e, base, source) for e in body.get("outs") or []) if o]
        stage.deps = [o for o in (_out_state(e, base, source) for e in body.get("deps") or []) if o]
        for pfile, values in (body.get("params") or {}).items():
            if isinstance(values, dict):
                for key, value in values.items():
                    stage.params[f"{_join(base, str(pfile))}:{key}"] = value
        stages.append(stage)
    return stages


@dataclass
class DeclaredArtifact:
    name: str
    path: str | None
    type: str | None
    desc: str | None
    source: str


@dataclass
class PipelineFile:
    """What one `dvc.yaml` declares."""

    path: str
    params: dict[str, list[str]] = field(default_factory=dict)  # file -> keys ([] = whole file)
    metrics: list[str] = field(default_factory=list)
    uncached: set[str] = field(default_factory=set)
    artifacts: list[DeclaredArtifact] = field(default_factory=list)


def _entry_path(entry: Any) -> tuple[str | None, dict]:
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, dict) and len(entry) == 1:
        key, opts = next(iter(entry.items()))
        return str(key), opts if isinstance(opts, dict) else {}
    return None, {}


def parse_pipeline(path: str, data: bytes) -> PipelineFile:
    doc = load_yaml(data) or {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a mapping")
    base = posixpath.dirname(path)
    result = PipelineFile(path)
    wholly: set[str] = set()
    keyed: dict[str, list[str]] = {}

    def add_params(items: Any, wdir: str) -> None:
        for item in items or []:
            if isinstance(item, str):
                keyed.setdefault(_join(wdir, DEFAULT_PARAMS), []).append(item)
            elif isinstance(item, dict):
                for pfile, keys in item.items():
                    target = _join(wdir, str(pfile))
                    if not keys:
                        wholly.add(target)
                    else:
                        keyed.setdefault(target, []).extend(str(k) for k in keys)

    stages = doc.get("stages") or {}
    if isinstance(stages, dict):
        for body in stages.values():
            if not isinstance(body, dict) or "foreach" in body or "matrix" in body:
                continue
            wdir = _join(base, body["wdir"]) if isinstance(body.get("wdir"), str) else base
            add_params(body.get("params"), wdir)
            for section in ("outs", "metrics", "plots"):
                for entry in body.get(section) or []:
                    out, opts = _entry_path(entry)
                    if out is None:
                        continue
                    full = _join(wdir, out)
                    if opts.get("cache") is False or opts.get("persist_cache") is False:
                        result.uncached.add(full)
                    if section == "metrics":
                        result.metrics.append(full)
    for item in doc.get("params") or []:
        if isinstance(item, str):
            wholly.add(_join(base, item))
    for item in doc.get("metrics") or []:
        if isinstance(item, str):
            result.metrics.append(_join(base, item))
    for file in wholly:
        result.params[file] = []
    for file, keys in keyed.items():
        if file not in wholly:
            result.params[file] = list(dict.fromkeys(keys))
    prefix = "" if not base else f"{base}:"
    for name, body in (doc.get("artifacts") or {}).items():
        body = body if isinstance(body, dict) else {}
        apath = body.get("path")
        result.artifacts.append(DeclaredArtifact(
            name=f"{prefix}{name}", path=_join(base, apath) if isinstance(apath, str) else None,
            type=body.get("type") if isinstance(body.get("type"), str) else None,
            desc=body.get("desc") if isinstance(body.get("desc"), str) else None, source=path,
        ))
    return result


def parse_gto_index(path: str, data: bytes) -> list[DeclaredArtifact]:
    """GTO's `artifacts.yaml` index."""
    doc = load_yaml(data) or {}
    if not isinstance(doc, dict):
        return []
    found = []
    for name, body in doc.items():
        body = body if isinstance(body, dict) else {}
        found.append(DeclaredArtifact(
            name=str(name), path=body.get("path") if isinstance(body.get("path"), str) else None,
            type=body.get("type") if isinstance(body.get("type"), str) else None,
            desc=body.get("description") if isinstance(body.get("description"), str) else None, source=path,
        ))
    return found


# -- flattening and diffs with DVC's meaning (dvc/utils/diff.py) --------------------------------------


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys; empty mappings vanish, as flatten_dict does."""
    flat: dict[str, Any] = {}
    for key, val in value.items():
        full = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(val, dict):
            if val:
                flat.update(flatten(val, full))
        else:
            flat[full] = val
    return flat


def format_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: format_lists(v) for k, v in value.items()}
    if isinstance(value, list):
        return str(value)
    return value


def select_keys(doc: Any, keys: list[str]) -> Any:
    """The parts of a params file that the listed dotted keys name (the whole file for no keys)."""
    if not keys or not isinstance(doc, dict):
        return doc
    selected: dict[str, Any] = {}
    for key in keys:
        node: Any = doc
        parts = key.split(".")
        ok = True
        for part in parts:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                ok = False
                break
        if not ok:
            continue
        target = selected
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = node
    return selected


def extract_metrics(value: Any) -> Any:
    """Only numbers and strings survive, as in `dvc metrics show`."""
    if isinstance(value, (int, float, str)):
        return value
    if not isinstance(value, dict):
        return None
    out = {}
    for key, val in value.items():
        m = extract_metrics(val)
        if m not in (None, {}):
            out[key] = m
    return out


def _diff_vals(old: Any, new: Any, with_unchanged: bool) -> dict[str, Any]:
    if not with_unchanged and old == new:
        return {}
    res = {"old": old, "new": new}
    if isinstance(new, (int, float)) and isinstance(old, (int, float)):
        res["diff"] = new - old
    return res


def _flat_or_marker(data: Any) -> dict[str, Any] | str | None:
    if not data:
        return None
    if isinstance(data, dict):
        return flatten(data)
    return "unable to parse"


def diff_files(old: dict[str, Any], new: dict[str, Any], with_unchanged: bool = False) -> dict[str, dict[str, dict]]:
    """{file: {key: {old, new, diff}}} for two {file: data} maps, as `dvc params diff`/`dvc metrics diff`."""
    result: dict[str, dict[str, dict]] = {}
    for path in sorted(set(old) | set(new)):
        o = format_lists(old.get(path) or {})
        n = format_lists(new.get(path) or {})
        per: dict[str, dict] = {}
        if isinstance(o, dict) or isinstance(n, dict):
            of, nf = _flat_or_marker(o), _flat_or_marker(n)
            keys: list[str] = []
            for f in (of, nf):
                if isinstance(f, dict):
                    keys += [k for k in f if k not in keys]
            for key in keys:
                ov = of.get(key) if isinstance(of, dict) else of
                nv = nf.get(key) if isinstance(nf, dict) else nf
                d = _diff_vals(ov, nv, with_unchanged)
                if d:
                    per[key] = d
        else:
            d = _diff_vals(o, n, with_unchanged)
            if d:
                per[""] = d
        if per:
            result[path] = per
    return result
