"""Strict-JSON values: NaN and infinities become null, numpy scalars and arrays become Python
numbers and lists, enums their values, dates ISO strings, mapping keys strings. ``json.dumps(...,
allow_nan=False)`` of the result never fails on a number.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum
from typing import Any

__all__ = ["json_safe"]


def json_safe(x: Any) -> Any:
    """
    >>> json_safe({"a": float("nan"), 1: [float("inf"), 2.5]})
    {'a': None, '1': [None, 2.5]}
    """
    if isinstance(x, dict):
        return {str(k.value if isinstance(k, Enum) else k): json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in x]
    if isinstance(x, Enum):
        return json_safe(x.value)
    if isinstance(x, (dt.date, dt.datetime)):
        return x.isoformat()
    if hasattr(x, "tolist") and not isinstance(x, (str, bytes)):   # numpy arrays and scalars
        x = x.tolist()
        if isinstance(x, list):
            return json_safe(x)
    if isinstance(x, bool) or x is None or isinstance(x, (str, int)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    try:  # pandas NA / NaT and other missing markers
        import pandas as pd
        if pd.isna(x):
            return None
    except (TypeError, ValueError, ImportError):
        pass
    return x


