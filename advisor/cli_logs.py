"""CLI commands that read logs (count, advise, report); registered by advisor/cli.py."""

from __future__ import annotations


def register(sub, add_workload_flags, add_scenario_flags, add_price_flags, h) -> None:
    """Filled in by the logs and advisor work (count / advise / report)."""
    return None
