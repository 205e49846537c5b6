"""Combinations of the page's values that each lie in their widget's range but that the library refuses together,
fitted with a note the page shows (never an error page), as :mod:`advisor.ui.params` does for single values.

- Growth over the horizon: ``requests_per_day * (1 + growth)^(horizon - 1)`` must stay within
  :data:`advisor.scenario.MAX_END_REQUESTS_PER_DAY`; the growth is lowered to the largest whole percent that does.

A typed request longer than a fine-tuned option's context window is the library's to judge (the option is left out,
or no option holds it: ``advisor.compare.too_long_options``), as on the command line: the page no longer changes it.
"""

from __future__ import annotations

import math

from advisor.fields import PERCENT
from advisor.scenario import MAX_END_REQUESTS_PER_DAY

__all__ = ["fit_growth"]


def _end_volume(requests_per_day: float, growth_pct: int, horizon_months: int) -> float:
    # the growth in the library's unit as the page passes it (advisor.fields), in Scenario's check (advisor.scenario)
    return requests_per_day * (1.0 + growth_pct * PERCENT) ** (horizon_months - 1)


def fit_growth(requests_per_day: float, growth_pct: int, horizon_months: int) -> tuple[int, str | None]:
    """``(growth %, note)``: the growth kept, or lowered to the largest whole percent g with
    ``requests_per_day * (1 + g/100)^(horizon_months - 1) <= 1e10`` (a note says so).

    Worked example (the issue's link): 1e9 requests/day over 36 months allows (1e10 / 1e9)^(1/35) = 1.0680,
    so 6% (1e9 * 1.06^35 = 7.69e9; 7% gives 1.07e10, over):

    >>> fit_growth(1e9, 50, 36)[0], fit_growth(1e9, 5, 36), fit_growth(2000, 50, 36)
    (6, (5, None), (50, None))
    >>> print(fit_growth(1e9, 50, 36)[1])  # doctest: +NORMALIZE_WHITESPACE
    Growth per month of 50% would take 1,000,000,000 requests/day past 10 billion a day within 36 months;
    set to 6%, the most that stays under it.
    """
    if horizon_months <= 1 or _end_volume(requests_per_day, growth_pct, horizon_months) <= MAX_END_REQUESTS_PER_DAY:
        return growth_pct, None
    g = math.floor(100.0 * ((MAX_END_REQUESTS_PER_DAY / requests_per_day) ** (1.0 / (horizon_months - 1)) - 1.0))
    while g > -100 and _end_volume(requests_per_day, g, horizon_months) > MAX_END_REQUESTS_PER_DAY:
        g -= 1  # float rounding at the boundary
    return g, (f"Growth per month of {growth_pct}% would take {requests_per_day:,.0f} requests/day past "
               f"{MAX_END_REQUESTS_PER_DAY / 1e9:,.0f} billion a day within {horizon_months} months; set to {g}%, "
               "the most that stays under it.")
