"""Money over time for a priced option: monthly volumes with growth, cumulative cost, cost over the horizon,
payback month and break-even volume. Each formula lives here once (:mod:`advisor.uncertainty` scales these, it
does not re-implement them).

Conventions: a month is 365/12 = 30.4167 days (``workload.DAYS_PER_MONTH``); month m (0-based) carries volume
``v_m = v_0 (1 + g)^m``; the cumulative cost after month m is ``one_off + sum_{i<=m} (serving(v_i) + recurring)``.

No-answer policy (as numpy-financial's ``irr``): a break-even that does not exist is ``None`` (``NaN`` in frames and
sweeps); a break-even of ``0.0`` means the option is cheaper at any volume.
"""

from __future__ import annotations

import functools

import numpy as np

from advisor.options import PricedOption, _is_one
from advisor.workload import DAYS_PER_MONTH

__all__ = ["BREAK_EVEN_RANGE", "cumulative_costs", "horizon_cost_usd", "payback_month", "break_even_requests_per_day",
           "one_off_quantile_usd"]

BREAK_EVEN_RANGE = (0.01, 1e9)   # requests/day searched for a break-even
BREAK_EVEN_REFINE_POINTS = 256    # a refining round splits the bracketing grid step into this many log steps
BREAK_EVEN_REFINE_ROUNDS = 4      # 1.27% grid step / 256**4: relative precision ~3e-12 (as 60 bisections)


def _growth_factors(months: int, growth=0.0) -> np.ndarray:
    """``(1 + g)[..., None] ** arange(months)``: each month's volume over the first month's.

    >>> _growth_factors(3, 0.1).round(4).tolist()   # 1, 1.1, 1.1^2
    [1.0, 1.1, 1.21]
    """
    return (1.0 + np.asarray(growth, dtype=float))[..., None] ** np.arange(months)


def _monthly_volumes(v0, months: int, growth=0.0, *, factors: np.ndarray | None = None,
                     one_column: bool = False) -> np.ndarray:
    """``v0[..., None] * (1 + g)[..., None] ** arange(months)`` (v0 at least 1-d; g broadcasts with it).
    ``factors``: :func:`_growth_factors` of ``(months, growth)`` when already at hand.

    ``one_column``: without growth (``g`` the plain number 0, the default) every month carries ``v0``, so one
    column, ``v0[..., None]``, stands for all the months (``v0 * 1.0 ** m`` is ``v0``): priced once by
    :func:`_monthly_usd` and added ``months`` times by :func:`_running_total` (the caller passes ``months`` on).

    >>> _monthly_volumes([10.0, 20.0], 2).tolist(), _monthly_volumes([10.0, 20.0], 2, one_column=True).tolist()
    ([[10.0, 10.0], [20.0, 20.0]], [[10.0], [20.0]])
    """
    v = np.atleast_1d(np.asarray(v0, dtype=float))
    if one_column and factors is None and _no_growth(growth):
        return v[..., None]
    return v[..., None] * (_growth_factors(months, growth) if factors is None else factors)


def _no_growth(growth) -> bool:
    """``growth`` is the plain number 0 (not an array of draws): every month has the first month's volume."""
    return type(growth) in (int, float) and growth == 0.0


def _people_extra(opt: PricedOption, people_factor=1.0, people_z=None):
    """(one-off, monthly) people USD added to the median figures, as columns broadcasting against
    ``(..., months)``; None when nothing moves (``people_factor`` 1 and no ``people_z``).

    ``people_factor`` f scales every people item (``(f - 1) * people``); ``people_z`` (standard-normal quantiles,
    one per draw) puts each item at its own sourced quantile (``item.at(z) - item.usd``)."""
    if people_z is not None:
        z = np.asarray(people_z, dtype=float)
        one = sum((i.at(z) - i.usd for i in opt.people if not i.recurring), np.zeros(z.shape))
        rec = sum((i.at(z) - i.usd for i in opt.people if i.recurring), np.zeros(z.shape))
        if not _is_one(people_factor):
            f = np.asarray(people_factor, dtype=float)
            one = one + (f - 1.0) * (opt.people_one_off_usd + one)
            rec = rec + (f - 1.0) * (opt.people_usd_per_month + rec)
        return np.asarray(one)[..., None], np.asarray(rec)[..., None]
    if _is_one(people_factor):
        return None
    f = np.asarray(people_factor, dtype=float)[..., None] - 1.0
    return f * opt.people_one_off_usd, f * opt.people_usd_per_month


def _monthly_usd(opt: PricedOption, vols: np.ndarray, price_factor=1.0, capacity_factor=1.0,
                 extra=None) -> np.ndarray:
    """One month's cost at each of ``vols``: ``serving(v_m) + recurring + people a month moved``
    (``extra``: :func:`_people_extra`; factors as in :func:`cumulative_costs`). ``vols`` of one column (no growth)
    gives one column: the cost of every month."""
    pf = price_factor if _is_one(price_factor) else np.asarray(price_factor, dtype=float)[..., None]
    cf = capacity_factor if _is_one(capacity_factor) else np.asarray(capacity_factor, dtype=float)[..., None]
    monthly = opt.serving_usd_per_month(vols, price_factor=pf, capacity_factor=cf) + opt.recurring_usd_per_month
    return monthly if extra is None else monthly + extra[1]


def _one_off_usd(opt: PricedOption, extra):
    """``one_off + people one-off moved`` (a column like ``extra``; the plain one-off without it)."""
    return opt.one_off_usd if extra is None else opt.one_off_usd + extra[0]


def one_off_quantile_usd(opt: PricedOption, z: float) -> float:
    """The one-off at standard-normal quantile ``z`` of people's time (``-Z90``: P10, ``+Z90``: P90), each people
    item at its sourced quantile, compute and evaluation as priced. One ``z`` for every item, so the result is
    exactly that quantile of the one-off.

    >>> from advisor.options import PeopleItem
    >>> o = PricedOption("x", "hosted", True, 0.001, one_off_usd=1100.0,
    ...                  people=(PeopleItem("eval set", 1000.0, (0.7653, 0.8573)),))
    >>> round(one_off_quantile_usd(o, 1.2815515655446004))   # 100 + 1,000 x 3.0 (P90/median of 24/8 h)
    3100
    """
    extra = _people_extra(opt, people_z=z)
    return float(opt.one_off_usd + extra[0][..., 0]) if extra is not None else opt.one_off_usd


def _running_total(monthly: np.ndarray, months: int | None = None) -> np.ndarray:
    """``cumsum(monthly, axis=-1)[..., -1]`` bit for bit (the same additions in the same order, month
    after month), without the months in between: one vectorised addition per month, or Python floats for one row
    (the same IEEE additions). ``months``: the horizon when ``monthly`` holds one month for all
    (:func:`_monthly_usd` without growth). (``np.sum`` adds in another order, pairwise, and may differ in the last
    bit.)

    >>> _running_total(np.array([[100.0, 250.0, 50.0], [1.0, 2.0, 3.0]])).tolist()   # 100 + 250 + 50; 1 + 2 + 3
    [400.0, 6.0]
    >>> _running_total(np.array([[0.1], [2.0]]), 3).tolist(), _running_total(np.array([0.1, 0.1, 0.1])).tolist()
    ([0.30000000000000004, 6.0], 0.30000000000000004)
    """
    n = monthly.shape[-1]
    months = n if months is None else months
    if monthly.size == n:   # one row (the options table, a break-even's refinement point): Python floats
        values = monthly.reshape(-1).tolist()
        total = values[0]
        for m in range(1, months):
            total += values[m if n > 1 else 0]
        return np.full(monthly.shape[:-1], total)
    if n == 1:   # one month's cost for every month
        month = monthly[..., 0]
        total = month.copy()
        for _ in range(1, months):
            total += month
        return total
    total = monthly[..., 0].copy()
    for m in range(1, n):
        total += monthly[..., m]
    return total


def _horizon_on(opt: PricedOption, vols: np.ndarray, price_factor=1.0, capacity_factor=1.0,
                people_factor=1.0, people_z=None, *, months: int | None = None) -> np.ndarray:
    """Horizon cost at monthly volumes already drawn (``vols``, shape ``(..., months)``): what
    :func:`horizon_cost_usd` returns, for callers that price several options on the same volumes. ``months``:
    the horizon when ``vols`` has one column for every month (:func:`_monthly_volumes` without growth)."""
    extra = _people_extra(opt, people_factor, people_z)
    total = _running_total(_monthly_usd(opt, vols, price_factor, capacity_factor, extra), months)
    one_off = _one_off_usd(opt, extra)
    return one_off + total if extra is None else one_off[..., 0] + total


def cumulative_costs(opt: PricedOption, v0, months: int, growth=0.0, *, price_factor=1.0,
                     capacity_factor=1.0, people_factor=1.0, people_z=None) -> np.ndarray:
    """Cumulative USD after each month, shape ``(len(v0), months)``:
    ``one_off + cumsum_m(serving(v_m) + recurring)``. Factors (arrays broadcasting with v0) scale
    the serving price, the replica capacity and people's time, as the Monte Carlo draws them:
    one-off and recurring people items become ``people * people_factor``, or with ``people_z`` each item its
    sourced quantile at z (see :func:`_people_extra`)."""
    extra = _people_extra(opt, people_factor, people_z)
    monthly = _monthly_usd(opt, _monthly_volumes(v0, months, growth, one_column=True), price_factor, capacity_factor,
                           extra)
    if monthly.shape[-1] != months:   # one column for every month (no growth)
        monthly = np.broadcast_to(monthly, (*monthly.shape[:-1], months))
    return _one_off_usd(opt, extra) + np.cumsum(monthly, axis=-1)


def horizon_cost_usd(opt: PricedOption, v0, months: int, growth=0.0, **factors) -> np.ndarray:
    """Total USD over the horizon for each starting volume (factors as in :func:`cumulative_costs`):
    ``cumulative_costs(...)[..., -1]``, bit for bit, without the months in between."""
    return _horizon_on(opt, _monthly_volumes(v0, months, growth, one_column=True), **factors, months=months)


def _payback_of(cum_opt: np.ndarray, cum_base: np.ndarray) -> int | None:
    """First month (1-based) whose cumulative cost is at or below the baseline's (to 1e-9 USD)."""
    idx = np.flatnonzero(cum_base - cum_opt >= -1e-9)
    return int(idx[0]) + 1 if idx.size else None


def payback_month(opt: PricedOption, baseline: PricedOption, v0: float, months: int, growth: float = 0.0) -> int | None:
    """First month (1-based) whose cumulative cost is at or below the baseline's; None within the horizon."""
    return _payback_of(cumulative_costs(opt, v0, months, growth)[0], cumulative_costs(baseline, v0, months, growth)[0])


@functools.cache
def _break_even_grid() -> np.ndarray:
    """The log grid searched first (fixed: built once, read-only)."""
    grid = np.geomspace(*BREAK_EVEN_RANGE, 2001)
    grid.setflags(write=False)
    return grid


def break_even_requests_per_day(opt: PricedOption, baseline: PricedOption, months: int, growth: float = 0.0) -> float | None:
    """Smallest starting volume at which the option's horizon cost is at or below the baseline's.

    Per-token options cost ``F + k v`` over the horizon (F = one-off + months * recurring,
    ``k = 30.4167 * usd_per_request * sum_m (1 + g)^m``), so the break-even has the closed form
    ``v* = (F_opt - F_base) / (k_base - k_opt)``. Self-hosted costs step with each added GPU, so the
    crossing is found on a log grid, then on finer log grids inside the bracketing step (one
    vectorised call per round, the first crossing each time). None: never within 1e9 requests/day;
    0.0: cheaper at any volume.
    """
    lo_v, hi_v = BREAK_EVEN_RANGE
    usd_base, usd_opt = baseline.usd_per_request, opt.usd_per_request
    if usd_opt is not None and usd_base is not None:   # both per-token: linear in volume
        growth_sum = float(np.sum((1.0 + growth) ** np.arange(months)))
        fixed = lambda o: o.one_off_usd + months * o.recurring_usd_per_month  # noqa: E731
        k_base = DAYS_PER_MONTH * usd_base * growth_sum
        k_opt = DAYS_PER_MONTH * usd_opt * growth_sum
        gap_fixed = fixed(opt) - fixed(baseline)
        if gap_fixed <= 0 and k_opt <= k_base:
            return 0.0
        if k_opt >= k_base:
            return None
        v = gap_fixed / (k_base - k_opt)
        return float(v) if v <= hi_v else None
    keys = _ByCost(opt), _ByCost(baseline)
    found = _stepped_break_even(*keys, months, growth if isinstance(growth, (int, float)) else float(growth))
    for k in keys:   # the cache keeps the keys, not the options (a self-hosted one holds its capacity curve)
        k.option = None
    return found


class _ByCost:
    """An option that hashes and compares by :meth:`PricedOption.cost_key` (a cache key)."""

    __slots__ = ("option", "key")

    def __init__(self, option: PricedOption):
        self.option: PricedOption | None = option   # dropped after the call: the cache keeps only the key
        self.key = option.cost_key()

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other) -> bool:
        return isinstance(other, _ByCost) and self.key == other.key


@functools.lru_cache(maxsize=4096)   # 40 tasks x ~11 GPU options on a page, kept across re-runs
def _stepped_break_even(opt_: _ByCost, baseline_: _ByCost, months: int, growth: float) -> float | None:
    """:func:`break_even_requests_per_day` on grids, once per pair of cost structures: the dashboard's
    re-runs (another volume, a flag) ask again for options whose costs have not changed."""
    opt, baseline = opt_.option, baseline_.option
    grid = _break_even_grid()
    factors = None if _no_growth(growth) else _growth_factors(months, growth)

    def gap(v):   # both options on the same monthly volumes
        vols = _monthly_volumes(v, months, growth, factors=factors, one_column=True)
        return _horizon_on(baseline, vols, months=months) - _horizon_on(opt, vols, months=months)

    g = gap(grid)
    idx = np.flatnonzero(g >= 0)
    if not idx.size:
        return None
    i = int(idx[0])
    if i == 0:
        return 0.0
    lo, hi = grid[i - 1], grid[i]
    for _ in range(BREAK_EVEN_REFINE_ROUNDS):  # each round: the first crossing on a finer log grid in [lo, hi]
        sub = np.geomspace(lo, hi, BREAK_EVEN_REFINE_POINTS + 1)
        sub[0], sub[-1] = lo, hi
        g = gap(sub)
        j = int(np.flatnonzero(g[1:] >= 0)[0]) + 1 if (g[1:] >= 0).any() else len(sub) - 1
        lo, hi = sub[j - 1], sub[j]
    return float(hi)

