"""How sure is the answer? Tornado sensitivity and Monte Carlo over the uncertain inputs.

Each uncertain input is a multiplicative factor on its base value (growth: an additive change),
drawn from a triangular distribution (low, mode, high). Costs are re-evaluated vectorised:

- per-token options (API, hosted): ``usd_per_request * tokens_factor`` (and the baseline also
  ``* api_price_factor``: API prices have only ever fallen, so the range is one-sided);
- self-hosted: ``usd_per_gpu_hour * gpu_price_factor`` and replica capacity
  ``rps * efficiency_factor / tokens_factor`` (throughput scales with the achieved efficiency and
  inversely with the tokens each request needs: a first-order surrogate of the capacity model);
- every option's volume: ``requests_per_day * volume_factor``, growth ``g + growth_delta``;
- people's time (review, eval set, fine-tuning runs, setup, retraining, monitoring, operations): one
  standard-normal draw ``z`` per future puts every people item at its sourced quantile
  (``pricing/data/people.yaml``: P10, median, P90 per entry; :func:`advisor.compare._people_extra`), so each
  path's effort follows what published accounts report (days on a managed platform, weeks self-hosted).

``P(pays off)`` = share of draws where the option's horizon cost is at or below the baseline's.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from advisor.compare import best_option, price_options
from advisor.errors import ScenarioError
from advisor.horizon import _growth_factors, _horizon_on, _monthly_volumes
from advisor.options import PricedOption
from advisor.scenario import Scenario
from pricing.people import Z90

__all__ = ["Ranges", "DEFAULT_RANGES", "monte_carlo", "MonteCarlo", "tornado", "horizon_totals", "MIN_DRAWS",
           "MAX_DRAWS"]

MIN_DRAWS, MAX_DRAWS = 100, 1_000_000   # stable percentiles / bounded memory (8 MB per array of draws)
_CHUNK_DRAWS = 2_500   # draws evaluated together: (draws, months) arrays of ~240 kB at 12 months
_KEPT_DRAW_MONTHS = 500_000   # draws x months up to which the draws and growth factors are kept (4 MB)


@dataclass(frozen=True)
class Ranges:
    """(low, mode, high) of each uncertain input's factor; growth_delta is added to the monthly growth."""

    requests_per_day: tuple[float, float, float] = (0.7, 1.0, 1.5)     # traffic forecast error
    tokens_per_request: tuple[float, float, float] = (0.8, 1.0, 1.25)  # token mix drifts
    gpu_usd_per_hour: tuple[float, float, float] = (0.75, 1.0, 1.25)   # provider, region, commitment
    serving_efficiency: tuple[float, float, float] = (0.7, 1.0, 1.15)  # engine, tuning (calibration spread 1.23x)
    api_price: tuple[float, float, float] = (0.5, 1.0, 1.0)            # baseline price cuts within the horizon
    growth_delta: tuple[float, float, float] = (-0.03, 0.0, 0.03)      # monthly growth, additive
    people_spread: float = 1.0   # x the sourced spreads of people's time (0: every entry at its median)

    def __post_init__(self) -> None:
        if isinstance(self.people_spread, bool) or not isinstance(self.people_spread, (int, float)) \
                or not 0 <= self.people_spread <= 10:
            raise ScenarioError(f"range people_spread={self.people_spread!r}: a number from 0 to 10")
        for f in fields(self):
            if f.name == "people_spread":
                continue
            v = getattr(self, f.name)
            if not (isinstance(v, tuple) and len(v) == 3 and all(isinstance(x, (int, float)) and math.isfinite(x)
                                                                 for x in v)):
                raise ScenarioError(f"range {f.name}={v!r}: three finite numbers (low, mode, high)")
            lo, mode, hi = v
            if not lo <= mode <= hi:
                raise ScenarioError(f"range {f.name}={getattr(self, f.name)}: need low <= mode <= high")
            if f.name != "growth_delta" and lo <= 0:
                raise ScenarioError(f"range {f.name}: factors must be > 0")


DEFAULT_RANGES = Ranges()
# people's time is no factor range: each entry's own P10/median/P90 (pricing/data/people.yaml), drawn at a
# standard-normal quantile z; the tornado sets z to -/+ Z90 (P10, P90)
_LABELS = {"requests_per_day": "requests per day", "tokens_per_request": "tokens per request",
           "gpu_usd_per_hour": "GPU price per hour", "serving_efficiency": "serving efficiency",
           "api_price": "baseline API price", "growth_delta": "monthly growth", "people_time": "people's time"}


def horizon_totals(opt: PricedOption, v0: float, months: int, growth: float, /, *, volume=1.0, tokens=1.0,
                   gpu_price=1.0, efficiency=1.0, api_price=1.0, growth_delta=0.0, people=0.0,
                   is_baseline: bool = False) -> np.ndarray:
    """Horizon cost (USD) for arrays of factors (all broadcast to one shape), as
    :func:`advisor.compare.horizon_cost_usd` prices it (the same function underneath): the factors only map
    to its price and capacity factors; ``people`` is the standard-normal quantile z of people's time (0: median)."""
    volume, tokens, gpu_price, efficiency, api_price, growth_delta, people = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (volume, tokens, gpu_price, efficiency, api_price, growth_delta, people)))
    vols = _monthly_volumes(v0 * volume, months, growth + growth_delta)
    return _totals_on(opt, vols, tokens=tokens, gpu_price=gpu_price, efficiency=efficiency, api_price=api_price,
                      people=people, is_baseline=is_baseline).reshape(volume.shape)


def _totals_on(opt: PricedOption, vols: np.ndarray, *, tokens, gpu_price, efficiency, api_price, people,
               is_baseline: bool) -> np.ndarray:
    """:func:`horizon_totals` on monthly volumes already drawn (the Monte Carlo prices the baseline and
    the option on the same ones): per-token options scale their price with the tokens (the baseline's
    also with its API price); self-hosted ones pay the GPU price and serve ``efficiency / tokens``."""
    if opt.usd_per_request is not None:
        price, capacity = tokens * (api_price if is_baseline else 1.0), 1.0
    else:
        price, capacity = gpu_price, efficiency / tokens
    return _horizon_on(opt, vols, price_factor=price, capacity_factor=capacity, people_z=people)


def _pick(scenario: Scenario, option: str | None, catalog=None, priced=None) -> tuple[PricedOption, PricedOption]:
    """(baseline, option); ``priced``: the scenario's ``price_options`` result when already at hand."""
    baseline, options = priced or price_options(scenario, catalog)
    if option is None:
        chosen = best_option(scenario, baseline, options)
        if chosen is None:
            raise ScenarioError("no fine-tuned option to assess; add --option")
        return baseline, chosen
    for o in options:
        if o.name == option:
            return baseline, o
    raise ScenarioError(f"option {option!r} is not among the scenario's options: {', '.join(o.name for o in options)}")


@dataclass(frozen=True)
class MonteCarlo:
    option: str
    draws: int
    p_pays_off: float                 # P(option's horizon cost <= baseline's)
    savings_usd_p10: float
    savings_usd_p50: float
    savings_usd_p90: float
    savings_usd: np.ndarray           # every draw (baseline - option), for histograms
    seed: int


def _triangular(rng: np.random.Generator, r: tuple[float, float, float], n: int) -> np.ndarray:
    lo, mode, hi = r
    return np.full(n, mode) if lo == hi else rng.triangular(lo, mode, hi, n)


def _draw(seed: int, ranges: Ranges, draws: int) -> dict[str, np.ndarray]:
    """Each input's factor, ``draws`` seeded draws (in :data:`_LABELS` order from one generator); people's time
    last, as standard-normal quantiles."""
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(draws) * ranges.people_spread if name == "people_time"
            else _triangular(rng, getattr(ranges, name), draws) for name in _LABELS}


@functools.lru_cache(maxsize=4)
def _draw_cached(seed: int, ranges: Ranges, draws: int) -> dict[str, np.ndarray]:
    """:func:`_draw`, read-only and kept: every task of a page, and every re-run, draws the same factors."""
    f = _draw(seed, ranges, draws)
    for x in f.values():
        x.setflags(write=False)
    return f


@functools.lru_cache(maxsize=4)
def _growth_cached(seed: int, ranges: Ranges, draws: int, months: int, growth: float) -> np.ndarray:
    """Each draw's monthly growth factors (``compare._growth_factors`` of growth + its delta), read-only and kept."""
    out = _growth_factors(months, growth + _draw_cached(seed, ranges, draws)["growth_delta"])
    out.setflags(write=False)
    return out


def monte_carlo(scenario: Scenario, *, option: str | None = None, draws: int = 10_000, seed: int = 0,
                ranges: Ranges = DEFAULT_RANGES, catalog=None, priced=None) -> MonteCarlo:
    """Savings over the horizon under uncertainty (``draws`` seeded draws, vectorised)."""
    if isinstance(draws, bool) or not isinstance(draws, int) or not MIN_DRAWS <= draws <= MAX_DRAWS:
        raise ScenarioError(f"draws={draws!r}: a whole number from {MIN_DRAWS:,} (stable percentiles) to "
                            f"{MAX_DRAWS:,} (bounded memory)")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(f"seed={seed!r}: a whole number >= 0")
    baseline, opt = _pick(scenario, option, catalog, priced)
    months, growth = scenario.horizon_months, scenario.growth_per_month
    kept = draws * months <= _KEPT_DRAW_MONTHS
    f = _draw_cached(seed, ranges, draws) if kept else _draw(seed, ranges, draws)
    kw = dict(volume=f["requests_per_day"], tokens=f["tokens_per_request"], gpu_price=f["gpu_usd_per_hour"],
              efficiency=f["serving_efficiency"], api_price=f["api_price"], growth_delta=f["growth_delta"],
              people=f["people_time"])
    grown = _growth_cached(seed, ranges, draws, months, growth) if kept else None
    savings = np.empty(draws)
    for i in range(0, draws, _CHUNK_DRAWS):   # blocks of draws whose monthly arrays stay in cache
        part = {k: x[i:i + _CHUNK_DRAWS] for k, x in kw.items()}
        # both options on the same monthly volumes, drawn once (as horizon_totals draws them)
        vols = _monthly_volumes(scenario.workload.requests_per_day * part.pop("volume"), months,
                                growth + part.pop("growth_delta"),
                                factors=None if grown is None else grown[i:i + _CHUNK_DRAWS])
        savings[i:i + _CHUNK_DRAWS] = (_totals_on(baseline, vols, is_baseline=True, **part)
                                       - _totals_on(opt, vols, is_baseline=False, **part))
    p10, p50, p90 = np.percentile(savings, [10, 50, 90])
    return MonteCarlo(opt.name, draws, float(np.mean(savings >= 0)), float(p10), float(p50), float(p90), savings, seed)


def tornado(scenario: Scenario, *, option: str | None = None, ranges: Ranges = DEFAULT_RANGES,
            catalog=None, priced=None) -> pd.DataFrame:
    """Horizon savings (USD) with each input at its low and high, the others at base; widest first.

    Columns: ``input, low_value, high_value, savings_low, savings_high, swing``.
    """
    baseline, opt = _pick(scenario, option, catalog, priced)
    w = scenario.workload
    args = (w.requests_per_day, scenario.horizon_months, scenario.growth_per_month)
    keys = {"requests_per_day": "volume", "tokens_per_request": "tokens", "gpu_usd_per_hour": "gpu_price",
            "serving_efficiency": "efficiency", "api_price": "api_price", "growth_delta": "growth_delta",
            "people_time": "people"}
    base_save = float(horizon_totals(baseline, *args, is_baseline=True) - horizon_totals(opt, *args))
    # every input at its low and its high (the others at base) as one vectorised call: entry 2i is input i low
    z = Z90 * ranges.people_spread
    lows_highs = [(-z, z) if name == "people_time" else getattr(ranges, name)[::2] for name in keys]
    factors = {key: np.full(2 * len(keys), 0.0 if key in ("growth_delta", "people") else 1.0) for key in keys.values()}
    for i, (key, (lo, hi)) in enumerate(zip(keys.values(), lows_highs)):
        factors[key][2 * i:2 * i + 2] = lo, hi
    s = (horizon_totals(baseline, *args, is_baseline=True, **factors)
         - horizon_totals(opt, *args, is_baseline=False, **factors))
    rows = []
    for i, (name, (lo, hi)) in enumerate(zip(keys, lows_highs)):
        rows.append({"input": _LABELS[name], "low_value": lo, "high_value": hi, "savings_low": float(s[2 * i]),
                     "savings_high": float(s[2 * i + 1]), "swing": float(abs(s[2 * i + 1] - s[2 * i]))})
    df = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    df.attrs.update(option=opt.name, base_savings_usd=base_save)
    return df
