"""Every error type of the advisor, in one place: the same family as pricing's (one type to catch, one line to
print), and :class:`RecordProblem`, one unusable log record (listed with file and line, never raised to the user)."""

from __future__ import annotations

from pricing.errors import AdvisorError, CatalogError, UnknownEntryError

__all__ = ["AdvisorError", "CatalogError", "LogError", "RecordProblem", "ScenarioError", "UnknownEntryError"]


class ScenarioError(AdvisorError):
    """An input the user set is out of range; the message names the field and its valid range.

    ``field`` is the input's name in :data:`advisor.fields.FIELDS` (None when the error is about several), so
    that each surface can say how to fix it its own way (a CLI flag, a sidebar input, a keyword).
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class LogError(AdvisorError):
    """A log file cannot be used at all (missing, empty, binary, no usable record)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None, field: str | None = None):
        where = ":".join(str(x) for x in (file, line) if x is not None)
        where = f"{where}: " if where else ""
        what = f"field {field!r}: " if field else ""
        super().__init__(f"{where}{what}{message}")
        self.file, self.line, self.field = file, line, field


class RecordProblem(Exception):
    """A record that cannot be used; ``field`` names what was wrong."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.reason, self.field = reason, field
