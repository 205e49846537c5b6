"""Errors of the advisor: the same family as pricing's (one type to catch, one line to print)."""

from __future__ import annotations

from pricing.errors import AdvisorError, CatalogError, UnknownEntryError

__all__ = ["AdvisorError", "CatalogError", "LogError", "ScenarioError", "UnknownEntryError"]


class ScenarioError(AdvisorError):
    """An input the user set is out of range; the message names the field and its valid range."""


class LogError(AdvisorError):
    """A log file cannot be used at all (missing, empty, binary, no usable record)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        where = ":".join(str(x) for x in (file, line) if x is not None)
        where = f"{where}: " if where else ""
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}{what}{message}")
        self.file, self.line, self.field = file, line, field
