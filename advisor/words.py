"""Counts in words for people, shared by the reasons, the page, the charts and the report (no dependencies)."""

from __future__ import annotations

__all__ = ["months_text", "rate_text"]


def months_text(n: int) -> str:
    """A number of months.

    >>> months_text(1), months_text(12)
    ('1 month', '12 months')
    """
    return f"{n} month" + ("" if n == 1 else "s")


def rate_text(x: float, unit: str = " requests/day") -> str:
    """A volume for a sentence: whole numbers from 10, one decimal below, never a rounded "0".

    >>> [rate_text(x) for x in (15_961.2, 2.54, 1, 0.02)]
    ['15,961 requests/day', '2.5 requests/day', '1 request/day', 'under 0.1 requests/day']
    >>> rate_text(0.4, "/day")
    '0.4/day'
    """
    if 0 < x < 0.05:
        return f"under 0.1{unit}"
    n = f"{x:,.0f}" if x >= 10 or x == int(x) else f"{x:.1f}"
    return n + (unit.replace("requests", "request") if n == "1" else unit)
