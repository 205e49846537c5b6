"""Combinations of the page's values that each lie in their widget's range but that the library refuses together,
fitted with a note the page shows (never an error page), as :mod:`advisor.ui.params` does for single values.

- Growth over the horizon: ``requests_per_day * (1 + growth)^(horizon - 1)`` must stay within
  :data:`advisor.scenario.MAX_END_REQUESTS_PER_DAY`; the growth is lowered to the largest whole percent that does.
- A typed request longer than a fine-tuned option's context window: that option is left out; when no option
  can hold it, the tokens are scaled down (same proportion) to the longest context among the options.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from advisor.fields import PERCENT
from advisor.scenario import MAX_END_REQUESTS_PER_DAY

__all__ = ["fit_growth", "fit_context", "option_contexts"]


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


def option_contexts(options: Sequence[str], catalog) -> dict[str, int]:
    """The context window (tokens) of each fine-tuned option's model: a self-hosted model's own, a hosted
    fine-tune's base model's; options whose context the catalog does not record are left out."""
    out: dict[str, int] = {}
    for name in options:
        if name.startswith(("selfhost/", "dedicated/", "shared/")):   # <kind>/<model>@<gpu or deployment>
            model = name.split("/", 1)[1].split("@")[0]
        elif name in catalog.hosted:
            model = catalog.hosted[name].base_model
        else:
            continue
        m = catalog.open_models.get(model) or catalog.api_models.get(model)
        if m is not None and m.context_tokens:
            out[name] = int(m.context_tokens)
    return out


def fit_context(prompt_tokens: float, completion_tokens: float, options: Sequence[str],
                contexts: Mapping[str, int]) -> tuple[float, float, tuple[str, ...], str | None]:
    """``(prompt, completion, options kept, note)`` for a typed request of ``prompt + completion`` tokens.

    Options whose context (``contexts``; an option not in it is kept) is shorter than the request are left out;
    when that would leave none, the tokens are scaled to the longest context among them, in the same
    proportion (floor, at least 1 each), and the options with that context are kept.

    >>> fit_context(10_000, 300, ("a", "b"), {"a": 8192, "b": 131072})[:3]
    (10000, 300, ('b',))
    >>> fit_context(2_000_000, 200_000, ("a", "b"), {"a": 8192, "b": 131072})[:3]   # 131072/2.2e6 of each
    (119156.0, 11915.0, ('b',))
    >>> fit_context(1000, 300, ("a",), {"a": 8192})
    (1000, 300, ('a',), None)
    """
    need = prompt_tokens + completion_tokens
    short = [o for o in options if o in contexts and contexts[o] < need]
    if not short:
        return prompt_tokens, completion_tokens, tuple(options), None
    kept = tuple(o for o in options if o not in short)
    if kept:
        return prompt_tokens, completion_tokens, kept, (
            f"{need:,.0f} tokens per request do not fit the context of {_names(short, contexts)}: left out.")
    longest = max(contexts[o] for o in options)
    scale = longest / need
    p, c = max(math.floor(prompt_tokens * scale), 1.0), max(math.floor(completion_tokens * scale), 1.0)
    kept = tuple(o for o in options if contexts[o] == longest)
    return float(p), float(c), kept, (
        f"Prompt + completion tokens ({prompt_tokens:,.0f} + {completion_tokens:,.0f}) fit none of the fine-tuned "
        f"options compared (the longest context is {longest:,} tokens); the figures use {p:,.0f} + {c:,.0f}, "
        "the same proportion within it.")


def _names(options: Sequence[str], contexts: Mapping[str, int]) -> str:
    return ", ".join(f"{o} ({contexts[o]:,})" for o in options)
