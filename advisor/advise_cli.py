"""``advise`` and ``report`` commands (registered by cli_logs)."""

from __future__ import annotations


def register(sub, add_workload_flags, add_scenario_flags, add_price_flags, h) -> None:
    return None
