"""ML config tools: load (files and REV:path), structural diff, merge with provenance, validation.

Plain Python: no Textual here. The CLI (`mlops-tui config diff|merge|validate`) and the Configs pane
call the same functions: `compare`, `merge_stack`, and `stack.validate_stack` to validate a stack; the
pane's state and key grammar are `controller.ConfigsModel`.
"""

from mlops_tui.sources.configs.compare import compare
from mlops_tui.sources.configs.diff import Change, DiffOptions, DiffResult, Kind, ListMode, diff, diff_documents
from mlops_tui.sources.configs.errors import ConfigError
from mlops_tui.sources.configs.keypath import format_path
from mlops_tui.sources.configs.loading import Document, list_configs, load
from mlops_tui.sources.configs.merge import Entry, ListMerge, Merged, merge_stack
from mlops_tui.sources.configs.validate import Violation, make_validator

__all__ = [
    "Change", "ConfigError", "DiffOptions", "DiffResult", "Document", "Entry", "Kind", "ListMerge", "ListMode",
    "Merged", "Violation", "compare", "diff", "diff_documents", "format_path", "list_configs", "load",
    "make_validator", "merge_stack",
]
