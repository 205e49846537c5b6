"""The ``compare`` command: every option priced on typed numbers."""

from __future__ import annotations

from advisor.cli.common import (
    OPTION_COLS,
    add_price_flags,
    add_scenario_flags,
    add_workload_flags,
    emit,
    option_rows,
    scenario_from_args,
    table_text,
    typed_workload,
)

__all__ = ["register"]


def _cmd_compare(a) -> int:
    from advisor.compare import compare

    scenario = scenario_from_args(a, typed_workload(a))
    df = compare(scenario)
    rows = option_rows(df)
    base = next(r["name"] for r in rows if df.loc[df["name"] == r["name"], "baseline"].iloc[0])
    out = {"baseline": base, "as_of": df.attrs.get("as_of"), "requests_per_day": a.requests_per_day,
           "options": rows, "assumptions": scenario.assumptions()}
    table = table_text(rows, OPTION_COLS)
    notes = "\n".join(f"  - {n}" for n in scenario.assumptions())
    emit(out, a.json, f"prices as of {out['as_of']}; baseline {base}\n\n{table}\n"
                       + (f"\nassumptions:\n{notes}\n" if notes else ""))
    return 0


def register(sub) -> None:
    c = sub.add_parser("compare", help="price every option on typed numbers")
    add_workload_flags(c, required=True)
    add_scenario_flags(c)
    add_price_flags(c)
    c.add_argument("--json", action="store_true", help="print one strict JSON object instead of a table")
    c.set_defaults(func=_cmd_compare)
