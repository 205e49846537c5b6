"""Shared output of the benchmarks: one JSON object with --json, aligned lines without."""

from __future__ import annotations

import json


def emit(out: dict, as_json: bool) -> int:
    if as_json:
        print(json.dumps(out, indent=2))
    else:
        width = max(len(k) for k in out)
        for k, v in out.items():
            print(f"{k:>{width}}: {v}")
    return 0
