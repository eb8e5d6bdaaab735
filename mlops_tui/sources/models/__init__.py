"""Models source: DVC-tracked artifacts and the GTO registry, read straight from git."""

from mlops_tui.sources.models.model import (
    Artifact,
    Diff,
    HistoryEntry,
    ModelsError,
    Registry,
    RegistryEntry,
    RegistryEvent,
    RevisionRef,
    Snapshot,
    TrainingFrequency,
    VersionDetails,
    VersionInfo,
)
from mlops_tui.sources.models.repository import ModelRepository

__all__ = [
    "Artifact",
    "Diff",
    "HistoryEntry",
    "ModelRepository",
    "ModelsError",
    "Registry",
    "RegistryEntry",
    "RegistryEvent",
    "RevisionRef",
    "Snapshot",
    "TrainingFrequency",
    "VersionDetails",
    "VersionInfo",
]
