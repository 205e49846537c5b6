"""JSON-safe values: NaN and infinities become null, numpy scalars become Python numbers."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["json_safe"]


def json_safe(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x
