"""Names a package exports but loads on first use (PEP 562), shared by ``pricing``, ``advisor`` and
``advisor.dataset`` so that importing a package (``python -m advisor --help``) loads none of the heavy modules."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, table: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``table`` maps each public name to the module that defines it; the
    value is loaded on first use and kept in ``namespace`` (the package's globals), so it is looked up once.

    >>> ns: dict = {}
    >>> get = lazy_getattr("demo", {"sqrt": "math"}, ns)
    >>> get("sqrt")(9.0), "sqrt" in ns
    (3.0, True)
    >>> get("nope")
    Traceback (most recent call last):
    AttributeError: module 'demo' has no attribute 'nope'
    """

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
