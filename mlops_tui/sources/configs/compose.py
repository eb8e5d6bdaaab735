"""Hydra composition by hydra-core itself, with per-key provenance computed alongside.

Hydra is the engine: its config loader builds the defaults list (order, `_self_`, `override`, optional
entries, `@package` and `_global_`, nested defaults, experiment files, Hydra's own `hydra/` group) and
applies command-line overrides in its syntax (`trainer=ddp`, `+extra=1`, `~key`, `model.lr=0.1`). While it
loads, each defaults entry's config is recorded; replaying those layers in order tells which file (and
group option) set each leaf, and which override changed it, which Hydra itself does not show.

A project is found from the file: an entry config's folder is the config directory; a file in a folder
that an entry config next to it chooses from (`configs/trainer/ddp.yaml` with `trainer: default` in
`configs/train.yaml`) is a group option, composed on its own (its own defaults list included) at its
package, or, for an experiment-like option (`override /data: ...`, `@package _global_`), as that entry
config with the option chosen.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from mlops_tui import paths
from mlops_tui.secrets import mask_value
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.keypath import KeyPath

VERSION_BASE = "1.3"  # the version_base a project passes to @hydra.main; 1.3 is Hydra's current behaviour
MAX_UP = 3  # folders above a file searched for the entry config that makes it a group option
UNCOMPOSED_HINT = "to see the file uncomposed: mlops-tui config merge --no-compose FILE (pane: u)"
_LOCK = threading.Lock()  # Hydra keeps resolvers and HydraConfig in process-wide singletons
_HEADER = re.compile(r"^#\s*@package\s+(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class Project:
    """Where Hydra reads from: the config directory, the config name, and how files are labelled."""

    config_dir: Path  # on disk (a temporary copy for REV:path)
    config_name: str  # train, or trainer/ddp for a group option composed alone
    label_root: str  # how the user names the config directory (configs/ml, HEAD:conf)
    group: str | None = None  # the group of a group option
    package: str = ""  # where Hydra placed a group option composed alone (stripped from the result)
    via: str | None = None  # entry config a group option is composed through (experiment files)
    extra: tuple[str, ...] = ()  # overrides that choose the option through `via`


@dataclass(frozen=True)
class DefaultsRow:
    """One entry of the final defaults list, in merge order (what `--info defaults` shows)."""

    config_path: str  # model/vit_b16, hydra/job_logging/default
    package: str  # model, _global_ shown as ''
    parent: str  # the config whose defaults list named it
    is_self: bool  # the parent's own keys (`_self_`)
    source: str  # the file it resolved to (or Hydra's package / a structured config)
    chosen_by: str | None = None  # the command-line override that chose it
    depth: int = 0

    @property
    def is_hydra(self) -> bool:
        return self.config_path == "hydra/config" or self.config_path.startswith("hydra/")

    def line(self) -> str:
        """`  model/vit_b16 @model ← model=vit_b16: configs/model/vit_b16.yaml` (indented by nesting)."""
        name = self.config_path + (" (_self_)" if self.is_self else "")
        package = f" @{self.package}" if self.package and self.package != self.config_path.rsplit("/", 1)[0].replace("/", ".") else ""
        chosen = f" ← {self.chosen_by}" if self.chosen_by else ""
        return f"{'  ' * self.depth}{name}{package}{chosen}: {self.source}"

    def to_json(self) -> dict[str, Any]:
        out = {"config_path": self.config_path, "package": self.package, "parent": self.parent, "source": self.source}
        if self.is_self:
            out["self"] = True
        if self.chosen_by:
            out["chosen_by"] = self.chosen_by
        return out


@dataclass
class Composition:
    """A composed config with provenance layers, the defaults list, and the group choices Hydra made."""

    project: Project
    raw: dict[str, Any]
    layers: list[tuple[str, Any]]  # (label, data at its package) in merge order, overrides last
    deleted: list[KeyPath] = field(default_factory=list)
    defaults: list[DefaultsRow] = field(default_factory=list)
    choices: dict[str, str | None] = field(default_factory=dict)
    hydra: Any = None  # the hydra node as a DictConfig (for ${hydra:...}); kept even when left out of raw
    notes: list[str] = field(default_factory=list)  # Hydra's warnings (a defaults list without _self_...)


def is_hydra_override(text: str) -> bool:
    """A command-line override in Hydra's syntax (`+extra=1`, `~key`, `a@b=c`, `hydra/launcher=x`)."""
    return bool(re.match(r"^(\+\+|\+|~)?[A-Za-z_/][\w\-./@]*(=.*)?$", text, re.DOTALL)) and ("=" in text or text.startswith("~"))


def group_option(merged: Any) -> str | None:
    """`trainer/ddp` when merged is a group option composed alone: a fragment the top-level schema does not describe."""
    composition = getattr(merged, "composition", None)
    if composition is None or composition.project.group is None or composition.project.via is not None:
        return None
    return composition.project.config_name


def defaults_rows(composition: Composition, with_hydra: bool = False) -> list[DefaultsRow]:
    """The defaults list in merge order, Hydra's own hydra/ entries only when asked for."""
    return [row for row in composition.defaults if with_hydra or not row.is_hydra]


def _has_defaults(data: Any) -> bool:
    return isinstance(data, Mapping) and "defaults" in data


def _defaults_groups(path: Path) -> set[str]:
    """Groups a config file's defaults list names (override and optional stripped, @package dropped)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return set()
    return _groups_named(data)


def _groups_named(data: Any) -> set[str]:
    """Groups a loaded config's defaults list chooses from: `override /data@x: mnist` names data."""
    defaults = data.get("defaults") if isinstance(data, Mapping) else None
    out: set[str] = set()
    for item in defaults if isinstance(defaults, list) else []:
        if isinstance(item, Mapping):
            for key in item:
                words = str(key).split()
                if words:
                    out.add(words[-1].split("@")[0].strip("/"))
    return out


@dataclass(frozen=True)
class HydraProject:
    """What the settings say of the Hydra project (configs.hydra_config_path / hydra_config_name), if anything."""

    config_path: Path | None = None  # absolute
    config_name: str | None = None
    modules: tuple[str, ...] = ()  # configs.hydra_modules: imported before composing (they fill the ConfigStore)
    module_path: Path | None = None  # configs.model_path, absolute
    refusal: str | None = None  # why modules may not be imported (configs.modules_refusal), if so


_PROJECT: ContextVar[HydraProject] = ContextVar("mlops_tui_hydra_project", default=HydraProject())


@contextmanager
def hydra_project(config_path: str | None, config_name: str | None, cwd: Path | None = None,
                  modules: list[str] | tuple[str, ...] = (), module_path: str | None = None,
                  refusal: str | None = None) -> Iterator[None]:
    """While composing: the configured config folder (relative paths from cwd), primary config name, and the
    modules that register structured configs in Hydra's ConfigStore (from module_path; not imported when
    refusal says why not)."""
    def absolute(path: str | None) -> Path | None:
        if not path:
            return None
        folder = Path(path).expanduser()
        return (folder if folder.is_absolute() else (cwd or Path.cwd()) / folder).resolve()

    token = _PROJECT.set(HydraProject(absolute(config_path), config_name.removesuffix(".yaml") if config_name else None,
                                      tuple(modules), absolute(module_path), refusal))
    try:
        yield
    finally:
        _PROJECT.reset(token)


def _entry_for(root: Path, group: str) -> Path | None:
    """The entry config in root whose defaults list chooses from group (the configured primary config, then
    train.yaml, then config.yaml first), or None."""
    primary = _PROJECT.get().config_name
    candidates = sorted(root.glob("*.yaml"), key=lambda p: (p.stem != primary, p.stem != "train", p.stem != "config", p.name))
    for candidate in candidates:
        if group in _defaults_groups(candidate):
            return candidate
    return None


def _experiment_like(path: Path) -> bool:
    """A group option that only makes sense on top of an entry config: it overrides other groups or is global."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    header = _HEADER.search(text[:2000])
    if header and header[1] == "_global_":
        return True
    return bool(re.search(r"^\s*-\s*override\s+/", text, re.MULTILINE))


def locate(file: Path, label_dir: str) -> Project:
    """The Hydra project that file (on disk) belongs to; label_dir is how the user names file's folder.

    Under the configured config folder (configs.hydra_config_path), a file in a subfolder is an option of that
    group at any depth; elsewhere, the folders up to MAX_UP above it are searched for an entry config choosing it."""
    folder = file.parent
    configured = _PROJECT.get().config_path
    if configured is not None:
        try:
            rel = file.resolve().parent.relative_to(configured)
        except ValueError:
            rel = None
        if rel is not None and rel.parts:
            return _option(file, configured, rel.as_posix(), len(rel.parts), label_dir)
        if rel is not None:
            return Project(configured, file.stem, label_dir)
    for up in range(1, MAX_UP + 1):
        if len(folder.parents) < up:
            break
        root = folder.parents[up - 1]
        group = folder.relative_to(root).as_posix()
        if _entry_for(root, group) is None:
            continue
        return _option(file, root, group, up, label_dir)
    return Project(folder, file.stem, label_dir)


def _option(file: Path, root: Path, group: str, up: int, label_dir: str) -> Project:
    """file as an option of group in the config folder root (up folders above file's folder)."""
    label_root = label_dir
    for _ in range(up):
        label_root = str(PurePosixPath(label_root).parent)
    option = file.stem
    entry = _entry_for(root, group)
    if entry is not None and _experiment_like(file):
        return Project(root, entry.stem, label_root, group, via=entry.stem, extra=(f"{group}={option}",))
    return Project(root, f"{group}/{option}", label_root, group, package=group.replace("/", "."))


def _label(label_root: str, name: str) -> str:
    return name if label_root in ("", ".") else f"{label_root.rstrip('/')}/{name}"


def _source_label(project: Project, provider: str | None, path: str | None, config_path: str) -> str:
    path = path or ""
    if path.startswith("file://"):
        folder = Path(path[len("file://"):])
        if folder.resolve() == project.config_dir.resolve():
            return _label(project.label_root, f"{config_path}.yaml")
        return str(folder / f"{config_path}.yaml")
    if path.startswith("structured://"):
        return f"structured config {config_path}"
    if path.startswith("pkg://"):
        return f"{path}/{config_path}.yaml"
    return f"{provider or '?'}:{config_path}"


def _package_key(package: str | None) -> tuple[str, ...]:
    if not package or package == "_global_":
        return ()
    return tuple(package.removeprefix("_global_.").split("."))


def _cycle(project: Project) -> str:
    """The first chain of plain config names that includes itself (a → b → a), for a clearer error."""
    root = project.config_dir

    def names(config: str) -> list[str]:
        path = root / f"{config}.yaml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return []
        group = str(PurePosixPath(config).parent)
        out = []
        for item in (data or {}).get("defaults") or [] if isinstance(data, Mapping) else []:
            if isinstance(item, str) and item != "_self_":
                name = item.removesuffix(".yaml")
                out.append(name.lstrip("/") if name.startswith("/") or group == "." else f"{group}/{name}")
            elif isinstance(item, Mapping) and len(item) == 1:
                (key, value), = item.items()
                if isinstance(value, str):
                    g = str(key).split()[-1].split("@")[0]
                    full = g.lstrip("/") if g.startswith("/") or group == "." else f"{group}/{g}"
                    out.append(f"{full}/{value.removesuffix('.yaml')}")
        return out

    stack: list[tuple[str, list[str]]] = [(project.config_name, [project.config_name])]
    while stack:
        config, chain = stack.pop()
        if len(chain) > 50:
            continue
        for child in names(config):
            if child in chain:
                loop = chain[chain.index(child):] + [child]
                return " → ".join(f"{c}.yaml" for c in loop)
            stack.append((child, chain + [child]))
    return ""


def _hydra_message(exc: BaseException, project: Project | None = None) -> str:
    """Hydra's message on one line, without its config search path listing (it names temporary folders);
    a config it could not find is named as the file it would be."""
    text = str(exc).strip().split("\nConfig search path:")[0].strip()
    cause = exc.__cause__
    if cause is not None and str(cause).strip() and str(cause).strip() not in text:
        text = f"{text}: {str(cause).strip()}" if text else str(cause).strip()
    parts: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith(("\t", "    ")) and parts and parts[-1].endswith((":", ",")):
            parts[-1] = parts[-1].rstrip(",") + ("" if parts[-1].endswith(":") else ",") + " " + line.strip() + ","
        else:
            parts.append(line.strip())
    parts = [p.rstrip(",") for p in parts]
    message = "; ".join(parts) if parts else type(exc).__name__
    missing = re.search(r"Could not (?:find|load) '([^']+)'", message)
    if project is not None and missing and not missing[1].startswith("hydra/"):
        message = message.replace(missing[0], f"{missing[0]} (no file {_label(project.label_root, missing[1] + '.yaml')})", 1)
    return mask_value("", message)


def _compose_error(exc: BaseException, project: Project, origin: str, overrides: list[str] = ()) -> ConfigError:
    from hydra.errors import OverrideParseException

    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = origin
        if mark is not None and mark.name:
            try:
                where = _label(project.label_root, Path(mark.name).resolve().relative_to(project.config_dir.resolve()).as_posix())
            except ValueError:
                where = mark.name
        problem = exc.problem or "syntax error"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return ConfigError(f"invalid YAML: {problem}; {UNCOMPOSED_HINT}", origin=where, line=line, column=col)
    if isinstance(exc, RecursionError):
        chain = _cycle(project)
        return ConfigError(f"defaults cycle: {chain or 'the defaults lists include each other'}; {UNCOMPOSED_HINT}", origin=origin)
    if isinstance(exc, OverrideParseException):
        return _override_error(overrides)
    message = _hydra_message(exc, project)
    header = re.search(r"'(@package [^']*)'", message)
    if header:
        for path in sorted(project.config_dir.rglob("*.yaml")):
            try:
                if f"# {header[1]}" in path.read_text(encoding="utf-8")[:2000]:
                    origin = _label(project.label_root, path.relative_to(project.config_dir).as_posix())
                    break
            except (OSError, UnicodeDecodeError):
                continue
    return ConfigError(f"Hydra cannot compose it: {message}; {UNCOMPOSED_HINT}", origin=origin)


def _override_error(overrides: list[str]) -> ConfigError:
    """The first override Hydra's parser rejects, its value masked when the key is a secret one."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import OverrideParseException

    from mlops_tui.secrets import is_secret_key

    parser = OverridesParser.create()
    for line in overrides:
        try:
            parser.parse_overrides([line])
        except OverrideParseException as exc:
            key = line.partition("=")[0].lstrip("+~")
            shown = _masked_line(line, tuple(_split_key(key)))
            detail = "not valid" if is_secret_key(key.rsplit(".", 1)[-1]) or shown != line else _hydra_message(exc).split("; See https://")[0]
            return ConfigError(f"bad override {shown!r}: {detail} (Hydra's syntax: group=option, key=value, +key=value, ~key)")
    return ConfigError("bad override (Hydra's syntax: group=option, key=value, +key=value, ~key)")


def _make_loader(config_dir: Path):
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path

    class RecordingLoader(ConfigLoaderImpl):
        """Hydra's own loader, keeping each defaults entry's config as it is loaded."""

        def __init__(self) -> None:
            super().__init__(config_search_path=create_config_search_path(str(config_dir)))
            self.loaded: list[tuple[Any, Any, Any]] = []
            self.repo: Any = None

        def _compose_config_from_defaults_list(self, defaults, repo):  # noqa: ANN001 - Hydra's signature
            self.repo = repo
            return super()._compose_config_from_defaults_list(defaults, repo)

        def _load_single_config(self, default, repo):  # noqa: ANN001 - Hydra's signature
            from omegaconf import OmegaConf

            result = super()._load_single_config(default, repo)
            self.loaded.append((default, result, OmegaConf.to_container(result.config, resolve=False)))
            return result

    return RecordingLoader()


_FAST_LOADER: Any = None


def _fast_yaml_loader() -> Any:
    """OmegaConf's YAML loader (duplicate keys refused, its float and no-timestamp rules) on libyaml's CSafeLoader:
    the same data, parsed about 10x faster. A file libyaml refuses is parsed again by OmegaConf's own loader, so
    the error (or the data, when only libyaml refuses it) is exactly Hydra's. None without libyaml."""
    global _FAST_LOADER
    if _FAST_LOADER is None and getattr(yaml, "__with_libyaml__", False):
        from omegaconf import _utils

        pure = _utils.get_yaml_loader()

        class FastLoader(yaml.CSafeLoader):  # type: ignore[misc, name-defined]
            yaml_implicit_resolvers = pure.yaml_implicit_resolvers
            yaml_constructors = pure.yaml_constructors

            def __init__(self, stream: Any) -> None:
                self._file = hasattr(stream, "read")
                self._name = getattr(stream, "name", "<file>")
                self._text = stream.read() if hasattr(stream, "read") else stream
                super().__init__(self._text)

            def construct_mapping(self, node: Any, deep: bool = False) -> Any:
                keys = set()  # OmegaConf's rule: a duplicate key is an error (see omegaconf._utils.get_yaml_loader)
                for key_node, _ in node.value:
                    if key_node.tag != yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG:
                        continue
                    if key_node.value in keys:
                        raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                                f"found duplicate key {key_node.value}", key_node.start_mark)
                    keys.add(key_node.value)
                return super().construct_mapping(node, deep=deep)

            def get_single_data(self) -> Any:
                try:
                    return super().get_single_data()
                except yaml.YAMLError:
                    stream: Any = self._text
                    if self._file:  # read as the file was: its name in the marks, no snippet
                        stream = io.StringIO(self._text) if isinstance(self._text, str) else io.BytesIO(self._text)
                        stream.name = self._name
                    again = pure(stream)
                    try:
                        return again.get_single_data()
                    finally:
                        again.dispose()

        _FAST_LOADER = FastLoader
    return _FAST_LOADER


@contextmanager
def _fast_yaml() -> Iterator[None]:
    """While Hydra loads files (under _LOCK): OmegaConf.load reads YAML with _fast_yaml_loader."""
    from omegaconf import _utils

    fast = _fast_yaml_loader()
    if fast is None:
        yield
        return
    original = _utils.get_yaml_loader
    _utils.get_yaml_loader = lambda: fast
    try:
        yield
    finally:
        _utils.get_yaml_loader = original


def compose_project(project: Project, overrides: list[str], with_hydra: bool = False, origin: str = "") -> Composition:
    """Compose project's config with Hydra (overrides in Hydra's syntax), recording provenance layers."""
    from hydra import version
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException
    from hydra.types import RunMode
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    origin = origin or _label(project.label_root, f"{project.config_name}.yaml")
    all_overrides = [*project.extra, *overrides]
    settings = _PROJECT.get()
    with _LOCK:
        version.setbase(VERSION_BASE)
        if settings.refusal is None:
            register_modules(settings.modules, settings.module_path)
        loader = _make_loader(project.config_dir)
        try:
            with warnings.catch_warnings(record=True) as caught, _fast_yaml():
                warnings.simplefilter("always")
                cfg = loader.load_configuration(project.config_name, all_overrides, RunMode.RUN, from_shell=False)
            parsed = OverridesParser.create().parse_overrides(all_overrides)
        except (HydraException, OmegaConfBaseException, yaml.YAMLError, RecursionError, ValueError) as exc:
            error = _compose_error(exc, project, origin, all_overrides)
            if settings.refusal is not None:  # the ConfigStore may lack what the refused modules register
                error = ConfigError(f"{error.message}; {settings.refusal}", origin=error.origin, line=error.line,
                                    column=error.column, usage=error.usage)
            raise error from None
        notes = list(dict.fromkeys(_hydra_message(w.message) for w in caught if issubclass(w.category, UserWarning)))
        if settings.refusal is not None:
            notes.append(settings.refusal)
        if project.group and project.via is None:  # composed as the primary config here, but an option in a run
            notes = [n for n in notes if f"In '{project.config_name}': Defaults list is missing `_self_`" not in n]
        _set_hydra_globals(cfg)
        hydra_node = OmegaConf.to_container(cfg.hydra, resolve=False) if "hydra" in cfg else None
        hydra_cfg = OmegaConf.masked_copy(cfg, ["hydra"]) if "hydra" in cfg else None
        raw = OmegaConf.to_container(cfg, resolve=False)
        choices = dict(hydra_node.get("runtime", {}).get("choices", {})) if hydra_node else {}
        repo = loader.repo
        group_overrides = {o.key_or_group: o for o in parsed if repo is not None and repo.group_exists(o.key_or_group)}
    if not with_hydra:
        raw.pop("hydra", None)
        choices = {k: v for k, v in choices.items() if not k.startswith("hydra/")}
    rows: list[DefaultsRow] = []
    layers: list[tuple[str, Any]] = []
    for default, result, data in loader.loaded:
        config_path = default.config_path or ""
        label = _source_label(project, result.provider, result.path, config_path)
        group = str(PurePosixPath(config_path).parent) if "/" in config_path else ""
        chosen = group_overrides.get(group)
        chosen_by = chosen.input_line if chosen is not None and _chooses(chosen, config_path) else None
        rows.append(DefaultsRow(config_path, "" if default.package in (None, "_global_") else default.package,
                                default.parent or "", bool(default.is_self), label, chosen_by))
        if not with_hydra and isinstance(data, Mapping) and "hydra" in data:
            data = {k: v for k, v in data.items() if k != "hydra"}  # any file may set hydra.* (a _global_ option)
        layers.append((label + (f" ({chosen_by})" if chosen_by else ""), data))
    deleted: list[KeyPath] = []
    for override in parsed:
        if override.key_or_group in group_overrides or override.input_line in project.extra:
            continue
        if not with_hydra and override.key_or_group.split(".")[0] == "hydra":
            continue
        path = tuple(_split_key(override.key_or_group))
        if override.is_delete():
            deleted.append(path)
            continue
        value = override.value()
        label = f"override {_masked_line(override.input_line, path)}"
        data: Any = OmegaConf.to_container(OmegaConf.create({"v": value}), resolve=False)["v"] if isinstance(value, (dict, list)) else value
        for key in reversed(path):
            data = {key: data}
        layers.append((label, data))
    for row in rows:
        if row.package and any(part == "" for part in row.package.split(".")):
            raise ConfigError(f"bad @package {row.package!r} for {row.config_path} in the defaults list of {row.parent}: "
                              f"a key path with an empty part; {UNCOMPOSED_HINT}", origin=_label(project.label_root, f"{row.parent}.yaml"))
    parents = {row.config_path: row.parent for row in rows}
    for i, row in enumerate(rows):
        level, parent, seen = 0, row.parent, set()
        while parent not in ("", "<root>") and parent not in seen:
            seen.add(parent)
            level += 1
            parent = parents.get(parent, "")
        rows[i] = DefaultsRow(row.config_path, row.package, row.parent, row.is_self, row.source, row.chosen_by, level)
    comp = Composition(project, raw, layers, deleted, rows, choices, hydra_cfg, notes)
    if project.package and project.via is None:
        comp = _unpack(comp, _package_key(project.package))
    return comp


_REGISTERED: set[tuple[str, Path | None]] = set()


def register_modules(modules: tuple[str, ...], module_path: Path | None) -> None:
    """Import each module (from module_path first) once per process: importing is what fills Hydra's
    ConfigStore (`cs.store(...)` at module level). A module that cannot be imported is a ConfigError naming it."""
    from mlops_tui.sources.configs.validate import import_user_module

    for name in modules:
        if (name, module_path) in _REGISTERED:
            continue
        if module_path is not None and not module_path.is_dir():
            raise ConfigError(f"configs.model_path {str(module_path)!r} (where configs.hydra_modules are imported from) is not a folder")
        label = f"Hydra module {name!r} (configs.hydra_modules)"
        import_user_module(name, module_path, label, label)
        _REGISTERED.add((name, module_path))


def _chooses(override: Any, config_path: str) -> bool:
    """Whether a group override (trainer=ddp) is what picked config_path (trainer/ddp)."""
    try:
        value = override.value()
    except Exception:  # noqa: BLE001 - a sweep or other value that names no single option
        return False
    values = value if isinstance(value, list) else [value]
    group = override.key_or_group
    return any(isinstance(v, str) and config_path == f"{group}/{v.removesuffix('.yaml')}" for v in values)


def _masked_line(line: str, path: KeyPath) -> str:
    key, sep, value = line.partition("=")
    return f"{key}{sep}{mask_value(str(path[-1]) if path else '', value)}" if sep else line


def _split_key(key: str) -> list[str]:
    return [part for part in key.split(".") if part]


def _unpack(comp: Composition, prefix: tuple[str, ...]) -> Composition:
    """A group option composed alone, without the package Hydra put it under (trainer.max_epochs → max_epochs)."""
    def inside(data: Any) -> Any:
        for key in prefix:
            if not isinstance(data, Mapping) or key not in data:
                return None
            data = data[key]
        return data

    raw = inside(comp.raw)
    if not isinstance(raw, dict):
        return comp
    hydra = comp.raw.get("hydra")
    if hydra is not None and "hydra" not in raw and prefix != ("hydra",):
        raw = {**raw, "hydra": hydra}
    layers = []
    for label, data in comp.layers:
        part = inside(data)
        if part is not None:
            layers.append((label, part))
    deleted = [p[len(prefix):] for p in comp.deleted if p[: len(prefix)] == prefix]
    return Composition(comp.project, raw, layers, deleted, comp.defaults, comp.choices, comp.hydra, comp.notes)


_GLOBALS_SET = False


def _set_hydra_globals(cfg: Any) -> None:
    """Hydra's resolvers (now, hydra, python_version) and the hydra node `${hydra:...}` reads."""
    global _GLOBALS_SET
    from hydra.core.hydra_config import HydraConfig
    from hydra.core.utils import setup_globals

    if not _GLOBALS_SET:
        setup_globals()
        _GLOBALS_SET = True
    if "hydra" in cfg:
        HydraConfig.instance().set_config(cfg)


@contextmanager
def hydra_globals(composition: Composition) -> Iterator[None]:
    """While resolving: Hydra's resolvers registered and `${hydra:...}` reading this composition's hydra node."""
    with _LOCK:
        if composition.hydra is not None:
            _set_hydra_globals(composition.hydra)
        yield


_WARM = threading.Event()


def warm_up() -> None:
    """Pay Hydra's one-time costs now (its imports and plugin scan, the override and interpolation grammars'
    first parses, the resolvers) by composing a two-file project in a temporary folder, so that the first real
    composition costs what every later one does. Once per process; never raises."""
    if _WARM.is_set():
        return
    _WARM.set()
    try:
        with tempfile.TemporaryDirectory(prefix="mlops-tui-warm-") as tmp:
            root = Path(tmp)
            (root / "g").mkdir()
            (root / "g" / "a.yaml").write_text("x: 1\n", encoding="utf-8")
            (root / "g" / "b.yaml").write_text("defaults:\n  - a\n  - _self_\nx: 2\n", encoding="utf-8")
            (root / "main.yaml").write_text("defaults:\n  - _self_\n  - g: a\ny: ${g.x}\nz: ${now:%Y}\n", encoding="utf-8")
            from mlops_tui.sources.configs.merge import merge_composition

            merge_composition(compose_project(Project(root, "main", "."), ["g=b", "+w=[1,2]", "~z", "y=${g.x}"]))
    except Exception:  # noqa: BLE001 - a warm-up that fails costs nothing; the real composition reports errors
        return


def is_hydra_project_file(spec: str, data: Any, cwd: Path | None = None) -> bool:
    """Whether Hydra should compose spec: it has a defaults list or a hydra node, or it is a group option."""
    if _has_defaults(data) or (isinstance(data, Mapping) and isinstance(data.get("hydra"), Mapping)):
        return True
    from mlops_tui.sources.configs.gitrev import split_revision

    ref = split_revision(spec, cwd) if ":" in spec else None
    if ref is not None:  # at a revision: a group option only under the configured config folder
        configured = _configured_in(ref)
        return configured is not None and _under_folder(ref.rel, configured) and "/" in ref.rel.removeprefix(configured).strip("/")
    path = Path(spec) if cwd is None or Path(spec).is_absolute() else cwd / spec
    return path.is_file() and locate(path, ".").group is not None


def groups_of(spec: str, cwd: Path | None = None) -> set[str]:
    """Config groups the file's own defaults list chooses from (model, optimizer...)."""
    from mlops_tui.sources.configs.loading import load

    return _groups_named(load(spec, cwd).data)


# -- files at a git revision -------------------------------------------------------------------------


def _configured_in(ref) -> str | None:  # noqa: ANN001 - a gitrev.GitRef
    """The configured config folder (configs.hydra_config_path) as a path inside ref's repository, or None when
    none is configured or it is elsewhere."""
    import os

    configured = _PROJECT.get().config_path
    if configured is None:
        return None
    try:
        rel = os.path.relpath(os.path.realpath(configured), os.path.realpath(ref.top))
    except ValueError:
        return None
    if rel == ".." or rel.startswith(".." + os.sep):
        return None
    return "" if rel == "." else rel.replace(os.sep, "/")


def _under_folder(rel: str, folder: str) -> bool:
    return folder == "" or rel == folder or rel.startswith(folder + "/")


class Checkout:
    """A git revision's copy of a folder in a temporary directory (Hydra reads only from disk)."""

    def __init__(self, ref, whole: bool = False) -> None:  # noqa: ANN001 - a gitrev.GitRef
        from mlops_tui.sources.configs.gitrev import _check_revision, export_tree

        _check_revision(ref)
        self.tmp = Path(tempfile.mkdtemp(prefix="mlops-tui-hydra-"))
        folder = (ref.rel or ".") if whole else (str(PurePosixPath(ref.rel).parent) if ref.rel else ".")
        for _ in range(0 if whole else MAX_UP):
            if folder in ("", "."):
                break
            folder = str(PurePosixPath(folder).parent)
        self.configured = _configured_in(ref)  # the configured config folder, inside the repository
        if self.configured is not None and _under_folder(ref.rel, self.configured):
            folder = self.configured or "."  # the whole configured project, however deep the file is in it
        else:
            self.configured = None
        try:
            export_tree(ref, folder, self.tmp)
        except ConfigError:
            self.close()
            raise
        self.root = self.tmp

    @contextmanager
    def project(self) -> Iterator[None]:
        """While composing from the copy: configs.hydra_config_path names the copy's config folder."""
        if self.configured is None:
            yield
            return
        settings = _PROJECT.get()
        token = _PROJECT.set(replace(settings, config_path=(self.root / self.configured).resolve()))
        try:
            yield
        finally:
            _PROJECT.reset(token)

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Checkout:
        return self

    def __exit__(self, *exc) -> None:  # noqa: ANN002 - context manager protocol
        self.close()


def compose_file(spec: str, overrides: list[str] | None = None, cwd: Path | None = None, with_hydra: bool = False) -> Composition:
    """Compose the file spec (a path or REV:path) as Hydra would run it, with overrides in Hydra's syntax."""
    from mlops_tui.sources.configs.gitrev import split_revision

    ref = split_revision(spec, cwd)
    label_dir = str(PurePosixPath(spec.replace("\\", "/")).parent)
    if ref is None:
        path = Path(spec) if cwd is None or Path(spec).is_absolute() else cwd / spec
        if not path.is_file():
            raise ConfigError("no such file", origin=spec)
        return compose_project(locate(path, label_dir), list(overrides or []), with_hydra, origin=spec)
    with Checkout(ref) as checkout:
        path = checkout.root / ref.rel
        if not path.is_file():
            raise ConfigError(f"revision {ref.rev!r} has no file {ref.rel!r}", origin=spec)
        with checkout.project():
            return compose_project(locate(path, label_dir), list(overrides or []), with_hydra, origin=spec)


def composed_tree(composition: Composition) -> Any:
    """What a diff compares: the composed config with interpolations as written (resolved only when asked)."""
    from mlops_tui.sources.configs.merge import merge_composition

    return merge_composition(composition).tree(resolved=False, reveal=True)


def compose_folder(spec: str, names: list[str], cwd: Path | None = None, notes: list[str] | None = None) -> dict[str, Any]:
    """Every config under a folder (or REV:folder) by name: Hydra project files composed, the rest as written.
    A file Hydra cannot compose is taken as written, and why is added to notes.

    A folder at a revision is copied out once (git archive) and composed there, labelled REV:folder."""
    notes = notes if notes is not None else []
    from mlops_tui.sources.configs.gitrev import split_revision
    from mlops_tui.sources.configs.loading import detect_format, join, load, parse_text

    ref = split_revision(spec, cwd)
    if ref is None:
        root = Path(spec) if cwd is None or Path(spec).is_absolute() else cwd / spec
        return {name: _folder_entry(root / name, join(spec, name), load(join(spec, name), cwd).data, notes) for name in names}
    with Checkout(ref, whole=True) as checkout, checkout.project():
        root = checkout.root / ref.rel if ref.rel else checkout.root
        out = {}
        for name in names:
            path = root / name
            try:
                data = parse_text(path.read_text(encoding="utf-8"), detect_format(name), join(spec, name))
            except (OSError, UnicodeDecodeError):
                data = load(join(spec, name), cwd).data
            out[name] = _folder_entry(path, join(spec, name), data, notes)
        return out


def _folder_entry(path: Path, label: str, data: Any, notes: list[str]) -> Any:
    if path.suffix not in (".yaml", ".yml") or not path.is_file():
        return data
    project = locate(path, str(PurePosixPath(label).parent))
    if not _has_defaults(data) and project.group is None and not (isinstance(data, Mapping) and "hydra" in data):
        return data
    try:
        return composed_tree(compose_project(project, [], origin=label))
    except ConfigError as exc:
        notes.append(f"{label}: compared as written: {exc.message.removesuffix('; ' + UNCOMPOSED_HINT)}")
        return data


@dataclass(frozen=True)
class RecordedRun:
    """A Hydra run's output folder: the config it ran with and how to compose it again now."""

    folder: str
    config: Any  # .hydra/config.yaml
    overrides: list[str]  # .hydra/overrides.yaml
    config_dir: Path | None  # the primary config folder named in .hydra/hydra.yaml
    config_name: str | None


def recorded_run(spec: str, cwd: Path | None = None) -> RecordedRun | None:
    """The run recorded in spec (a Hydra output folder or its .hydra folder), or None when spec is not one."""
    from mlops_tui.sources.configs.loading import load

    base = Path(spec) if cwd is None or Path(spec).is_absolute() else cwd / spec
    folder = base if base.name == ".hydra" else base / ".hydra"
    if not paths.is_file(folder / "config.yaml"):
        return None
    label = f"{spec.rstrip('/')}/.hydra" if base.name != ".hydra" else spec
    config = load(f"{label}/config.yaml", cwd).data
    overrides: list[str] = []
    if paths.is_file(folder / "overrides.yaml"):
        listed = load(f"{label}/overrides.yaml", cwd).data or []
        if not isinstance(listed, list) or not all(isinstance(o, str) for o in listed):
            raise ConfigError("overrides.yaml must be a list of override strings", origin=f"{label}/overrides.yaml")
        overrides = listed
    config_dir = config_name = None
    if paths.is_file(folder / "hydra.yaml"):
        node = (load(f"{label}/hydra.yaml", cwd).data or {}).get("hydra") or {}
        config_name = (node.get("job") or {}).get("config_name")
        for source in (node.get("runtime") or {}).get("config_sources") or []:
            if isinstance(source, Mapping) and source.get("provider") == "main" and source.get("schema") == "file" and source.get("path"):
                config_dir = Path(str(source["path"]))
    return RecordedRun(spec, config, overrides, config_dir, config_name)


def compose_run_now(run: RecordedRun, config: str | None = None, cwd: Path | None = None) -> tuple[str, Any]:
    """(label, config) of the run's config composed now, with the run's overrides; config names the entry
    file when the run's own config folder moved or is not on this machine."""
    overrides = [o for o in run.overrides if not o.startswith("hydra.") and not o.startswith("hydra/")]
    if config is not None:
        comp = compose_file(config, overrides, cwd)
        label = config
    else:
        if run.config_dir is None or run.config_name is None:
            raise ConfigError("the run's .hydra/hydra.yaml does not say which config it composed: give the entry config as NEW", origin=run.folder)
        if not (run.config_dir / f"{run.config_name}.yaml").is_file():
            raise ConfigError(f"the run composed {run.config_dir}/{run.config_name}.yaml, which is not here now: give the entry config as NEW", origin=run.folder)
        label = str(run.config_dir / f"{run.config_name}.yaml")
        comp = compose_project(Project(run.config_dir, run.config_name, str(run.config_dir)), overrides, origin=label)
    shown = " ".join(overrides)
    return f"{label} now" + (f" with {shown}" if shown else ""), composed_tree(comp)


__all__ = ["warm_up", "Composition", "RecordedRun", "compose_folder", "compose_run_now", "composed_tree", "recorded_run", "DefaultsRow", "defaults_rows", "Project", "compose_file", "compose_project", "is_hydra_override", "locate"]
