"""The one error type of the config tools: what went wrong, where (file, line, column, key path)."""

from __future__ import annotations


class ConfigError(Exception):
    """A config could not be read, merged or validated; the message is fit for a user."""

    def __init__(self, message: str, *, origin: str = "", line: int | None = None, column: int | None = None, usage: bool = True) -> None:
        self.message = message
        self.origin = origin
        self.line = line
        self.column = column
        self.usage = usage  # True: bad input (exit 2); False: a source could not be read (exit 3)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.origin
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}" if where else self.message
