"""Configs pane: diff, merge and validation of ML configs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PrivateAttr

from mlops_tui.settings.base import Section


class ConfigsSettings(Section):
    """Which configs to show, compare and validate."""

    paths: list[str] = Field(default_factory=lambda: ["configs"])
    """Config files or folders listed in the pane."""
    compare: list[str] = Field(default_factory=list)
    """Two configs to diff when the pane opens (files, REV:path, folders, stacks like train.yaml+trainer=ddp), or one Hydra run's output folder, diffed against composing its config now."""
    model: str | None = None
    """Pydantic model or structured config (dataclass) to validate against, as package.module:ClassName."""
    model_path: str | None = None
    """Folder added to the import path to find the model."""
    schema_file: str | None = None
    """JSON Schema file to validate against."""
    hydra_config_path: str | None = None
    """Hydra's config folder (what @hydra.main's config_path names), e.g. conf; a file in any subfolder of it is a group option. Unset: found from each file."""
    hydra_config_name: str | None = None
    """Hydra's primary config (config_name, e.g. train): the entry config a group option or experiment is composed through. Unset: train, then config, then the first entry config choosing its group."""
    hydra_modules: list[str] = Field(default_factory=list)
    """Python modules imported (from model_path) before composing, which register structured configs in Hydra's ConfigStore (cs.store(name=..., node=...)): defaults lists may then name them, and Hydra checks the types of the values merged into them. Imported by configs.model's rule: named only by a working folder's mlops-tui.yaml, that folder must be trusted."""
    group_schemas: dict[str, str] = Field(default_factory=dict)
    """Schema of each Hydra config group: group -> package.module:ClassName or a JSON Schema file (e.g. {trainer: train_schema:Trainer}); a group file alone is validated against its group's schema, never the top-level model."""
    list_key: str | None = None
    """Key that identifies list items when diffing lists (e.g. name)."""
    reveal_secrets: bool = False
    """Show secret values unmasked (the pane can also reveal them one at a time)."""
    ignore_order: bool = False
    """Compare lists as multisets, so moved items are not changes."""
    stack: list[str] = Field(default_factory=list)
    """Files (or REV:path) merged in order for the merged view; later files win."""
    overrides: list[str] = Field(default_factory=list)
    """KEY=VALUE overrides applied after the stack (e.g. trainer.max_epochs=5)."""
    list_merge: Literal["replace", "extend", "extend_unique"] = "replace"
    """How a later list combines with an earlier one when merging."""
    resolve_env: bool = False
    """Resolve ${oc.env:VAR} interpolations (off: shown unresolved until asked)."""

    _untrusted_model_file: str | None = PrivateAttr(default=None)
    _untrusted_groups_file: str | None = PrivateAttr(default=None)
    _untrusted_modules_file: str | None = PrivateAttr(default=None)

    def distrust_model(self, named_by: str) -> None:
        """Mark `model` as chosen by a file found in the working folder, not by the user (see model_refusal)."""
        self._untrusted_model_file = named_by

    def distrust_group_schemas(self, named_by: str) -> None:
        """Mark `group_schemas` as chosen by a file found in the working folder (see group_refusal)."""
        self._untrusted_groups_file = named_by

    def distrust_hydra_modules(self, named_by: str) -> None:
        """Mark `hydra_modules` as chosen by a file found in the working folder (see modules_refusal)."""
        self._untrusted_modules_file = named_by

    def modules_refusal(self) -> str | None:
        """Why the modules in `hydra_modules` must not be imported (model_refusal's rule), or None."""
        if not self.hydra_modules or self._untrusted_modules_file is None:
            return None
        from mlops_tui.paths import trusted_folders_file

        return (f"Hydra modules {', '.join(self.hydra_modules)} not imported: named by {self._untrusted_modules_file}, "
                f"a file in the working folder, and importing them would run that folder's code; to trust "
                f"this folder, add its path as a line to {trusted_folders_file()}, or name the file with --config")

    def group_refusal(self, group: str) -> str | None:
        """Why the model named for group in `group_schemas` must not be imported (model_refusal's rule), or None."""
        target = self.group_schemas.get(group)
        if target is None or self._untrusted_groups_file is None or not is_model_name(target):
            return None
        from mlops_tui.paths import trusted_folders_file

        return (f"validation model {target} (group {group}) not imported: it is named by {self._untrusted_groups_file}, "
                f"a file in the working folder, and importing it would run that folder's code; to trust "
                f"this folder, add its path as a line to {trusted_folders_file()}, or name the file with --config")

    def model_refusal(self) -> str | None:
        """Why the validation model named here must not be imported, or None when it may be.

        A `configs.model` set only by a `mlops-tui.yaml` found in the working folder (a cloned repository's
        file, not one the user named) is code chosen by that folder: it is imported only when the folder is
        listed in the user's trust list (`trusted_folders_file()`), or when the model is named on the
        command line, in the environment, by `--config`, or in the user's own config file."""
        if self.model is None or self._untrusted_model_file is None:
            return None
        from mlops_tui.paths import trusted_folders_file

        return (f"validation model {self.model} not imported: it is named by {self._untrusted_model_file}, "
                f"a file in the working folder, and importing it would run that folder's code; to trust "
                f"this folder, add its path as a line to {trusted_folders_file()}, or name the file with --config")


def is_model_name(target: str) -> bool:
    """`package.module:ClassName` (imported, so code), rather than a JSON Schema file."""
    return ":" in target and not target.lower().endswith((".json", ".yaml", ".yml")) and "/" not in target.partition(":")[0]
