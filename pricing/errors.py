"""The one error family of finetune-advisor.

Every message says what is wrong *and* how to fix it; the CLI prints it as one line and exits 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["AdvisorError", "CatalogError", "NotReleasedError", "UnknownEntryError", "close_matches"]


class AdvisorError(ValueError):
    """Base class: bad input or an impossible request, with advice on what to change."""


class CatalogError(AdvisorError):
    """A pricing catalog file is malformed (names file, entry and field)."""


class NotReleasedError(AdvisorError):
    """A known model asked for on a day before its release (names the models of that day)."""


class UnknownEntryError(AdvisorError, KeyError):
    """An id that is not in the catalog (lists the closest ids)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def close_matches(name: str, candidates: Iterable[str], n: int = 5) -> list[str]:
    """The candidates closest to ``name``, best first (substring matches before fuzzy ones)."""
    pool = sorted(set(candidates))
    needle = name.lower()
    contains = [c for c in pool if needle and (needle in c.lower() or c.lower() in needle)]
    fuzzy = difflib.get_close_matches(name, pool, n=n, cutoff=0.5)
    out: list[str] = []
    for c in contains + fuzzy:
        if c not in out:
            out.append(c)
    return out[:n]
