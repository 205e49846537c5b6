"""Sweep and Monte Carlo throughput, as ratios to a plain numpy evaluation of the same formulas.

    python bench/advise.py [--json]

- ``sweep``: ``advisor.sweep`` over 10,000 volumes for a baseline, a hosted and a self-hosted
  option vs the bare numpy formulas (per-token ``v * 30.4167 * usd``; self-hosted
  ``max(min_replicas, ceil(v / 86400 * peak / rps)) * 730 * usd_per_hour`` + upkeep) on the same arrays;
  results must agree.
- ``monte_carlo``: ``advisor.uncertainty.monte_carlo`` (10,000 draws) vs numpy drawing and
  evaluating the same factors for the same two options.
- ``advise_s``: wall time of ``advise`` on a typed scenario (pricing, compare, break-even,
  10,000-draw Monte Carlo, verdict), best of 5.
- ``page_*``: the dashboard's computation after a widget change on the built-in sample (3 tasks, the
  page's default options on ``--as-of``, today by default): ``recommend_tasks`` through
  ``advisor.present.analysis.recommend_page``, then
  ``page_analysis`` (sweep, curves, tornado, whole bill), median of ``--reruns`` runs.
  ``page_volume_*``: each run at another volume, what the advisor keeps between runs kept (break-evens of
  options whose costs did not change, capacity curves, the Monte Carlo's draws); ``page_cold_*``: the same
  with everything kept emptied before each run (the worst case: a change of horizon, growth, a GPU...).
  ``page_verdicts`` says what the last run decided. ``page_40_tasks_*``: the same at a new volume with the sample's
  traffic spread over 40 tasks (``MAX_TASKS_ADVISED``: logs of many prompts are advised 40 tasks at most).
Ratios are ``t_numpy / t_ours`` (1.0 = no overhead over raw numpy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import emit  # noqa: E402

from advisor import Scenario, Workload, price_options, sweep  # noqa: E402
from advisor.compare import DAYS_PER_MONTH  # noqa: E402
from advisor.recommend import recommend  # noqa: E402
from advisor.uncertainty import DEFAULT_RANGES, monte_carlo  # noqa: E402


def best_of(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def typed_scenario() -> Scenario:
    """The sweep's and Monte Carlo's scenario: a baseline, a hosted fine-tune and a self-hosted option, each in
    force on the date (tests/test_bench.py checks that it prices)."""
    return Scenario(Workload.typed(20_000, 1200, 300, peak_to_mean=2.0, ft_token_ratio=1.13), baseline="gpt-4o",
                    options=("together/llama-3.1-8b-lora", "selfhost/mistral-7b@a100-80gb"), as_of="2026-06-01")


def many_tasks(data, tasks: int):
    """The sample's page data with ``tasks`` tasks, as logs of many prompts give (``MAX_TASKS_ADVISED`` at most are
    advised one by one): task i is the sample's task i mod 3 at a share of the traffic that halves every 8 tasks,
    its prompts and answers ``0.6 + 0.05 i`` times as long (tasks of one log differ in length, so no two price
    alike)."""
    from dataclasses import replace

    from advisor.workload import WHOLE_LOG
    base = [w for t, w in data.measured.items() if t != WHOLE_LOG]
    shares = [0.5 ** (i / 8) for i in range(tasks)]
    total = data.measured[WHOLE_LOG].requests_per_day
    measured = {WHOLE_LOG: data.measured[WHOLE_LOG]}
    def task(i: int, share: float):
        w, k = base[i % len(base)], 0.6 + 0.05 * i
        longer = {f: getattr(w, f) * k for f in ("prompt_tokens", "completion_tokens", "cached_tokens",
                                                  "ft_prompt_tokens", "ft_completion_tokens", "static_prompt_tokens")
                  if getattr(w, f) is not None}
        return replace(w, requests_per_day=total * share / sum(shares), task=f"task-{i:02d}", **longer)
    measured |= {f"task-{i:02d}": task(i, x) for i, x in enumerate(shares)}
    return replace(data, measured=measured, tasks=list(measured)[1:])


def page_reruns(n: int, as_of: dt.date, tasks: int | None = None) -> dict:
    """The dashboard's computation per re-run on the built-in sample (see the module docstring); ``tasks``: on
    the sample spread over that many tasks (:func:`many_tasks`), the rows named ``page_<tasks>_tasks_*``."""
    from advisor.present.analysis import page_analysis, recommend_page
    from advisor.ui.data import sample_data, workloads_for
    kept = [getattr(importlib.import_module(m), f, None) for m, f in (
        ("advisor.compare", "_stepped_break_even"), ("advisor.compare", "_capacity_curve"),
        ("advisor.uncertainty", "_draw_cached"), ("advisor.uncertainty", "_growth_cached"))]
    # the page's defaults: the library's default options on the day (every hosted endpoint, every deployment and its
    # shared form, Mistral-7B on the default GPUs) and the cheaper API models beside them
    s = Scenario(Workload.typed(1.0, 1.0, 1.0), as_of=as_of, include_api_alternatives=True)
    data = sample_data() if tasks is None else many_tasks(sample_data(), tasks)
    rpd0 = data.measured_requests_per_day

    def once(k: int, *, cold: bool) -> tuple[float, float, dict]:
        for cache in kept if cold else ():
            if cache is not None:   # (absent before the speed work: the same bench times the seed)
                cache.cache_clear()
        workloads = workloads_for(data, rpd0 * (1 + 0.01 * k))
        t0 = time.perf_counter()
        recs, cat = recommend_page(workloads, s)
        t1 = time.perf_counter()
        page_analysis(recs, task="all", catalog=cat)
        return t1 - t0, time.perf_counter() - t1, recs

    once(-1, cold=True)   # imports, catalog, tokenizer-free warm-up
    out = {}
    if tasks is not None:   # at a new volume only (each run costs a second or so)
        runs = [once(k, cold=False) for k in range(max(3, n // 4))]
        rec_ms, page_ms = (statistics.median(x[i] for x in runs) * 1e3 for i in (0, 1))
        return {f"page_{tasks}_tasks_recommend_tasks_ms": round(rec_ms, 2),
                f"page_{tasks}_tasks_total_ms": round(rec_ms + page_ms, 2),
                f"page_{tasks}_tasks_verdict": str(runs[-1][2]["all"].verdict)}
    for label, cold in (("volume", False), ("cold", True)):
        runs = [once(k, cold=cold) for k in range(n)]
        rec_ms, page_ms = (statistics.median(x[i] for x in runs) * 1e3 for i in (0, 1))
        out.update({f"page_{label}_recommend_tasks_ms": round(rec_ms, 2), f"page_{label}_analysis_ms": round(page_ms, 2),
                    f"page_{label}_total_ms": round(rec_ms + page_ms, 2)})
    out["page_verdicts"] = {t: str(r.verdict) for t, r in runs[-1][2].items()}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--reruns", type=int, default=21, help="re-runs timed for the page_* rows (median)")
    ap.add_argument("--page-only", action="store_true", help="only the page_* rows")
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date.today(),
                    help="the page rows' price date (default today, as the page opens)")
    a = ap.parse_args()
    if a.page_only:
        return emit({**page_reruns(a.reruns, a.as_of), **page_reruns(a.reruns, a.as_of, tasks=40)}, a.json)
    s = typed_scenario()
    base, (hosted, selfh) = price_options(s)
    vols = np.geomspace(1, 1e7, 10_000)

    t_ours, df = best_of(lambda: sweep(s, vols))

    def raw_sweep():
        b = vols * DAYS_PER_MONTH * base.usd_per_request
        h = vols * DAYS_PER_MONTH * hosted.usd_per_request + hosted.recurring_usd_per_month
        reps = np.maximum(selfh.min_replicas, np.ceil(vols / 86400 * selfh.peak_to_mean / selfh.replica_requests_per_s - 1e-9))
        g = reps * 730.0 * selfh.usd_per_gpu_hour + selfh.recurring_usd_per_month
        return b, h, g

    t_raw, (b, h, g) = best_of(raw_sweep)
    assert np.allclose(df[base.name], b) and np.allclose(df[hosted.name], h) and np.allclose(df[selfh.name], g)

    n = 10_000
    t_mc, mc = best_of(lambda: monte_carlo(s, option=hosted.name, draws=n, seed=1))

    def raw_mc():
        rng = np.random.default_rng(1)
        r = DEFAULT_RANGES
        f = [rng.triangular(*x, n) if x[0] != x[2] else np.full(n, x[1]) for x in
             (r.requests_per_day, r.tokens_per_request, r.gpu_usd_per_hour, r.serving_efficiency, r.api_price,
              r.growth_delta)]
        vol, tok, _, _, api, gd = f
        z = rng.standard_normal(n) * r.people_spread   # people's time: each item at its sourced quantile z
        months = np.arange(s.horizon_months)
        v = (s.workload.requests_per_day * vol)[:, None] * (1 + s.growth_per_month + gd)[:, None] ** months
        bt = (v * DAYS_PER_MONTH * (base.usd_per_request * tok * api)[:, None]).sum(1)
        ht = hosted.one_off_usd + (v * DAYS_PER_MONTH * (hosted.usd_per_request * tok)[:, None]
                                   + hosted.recurring_usd_per_month).sum(1) \
            + sum((i.at(z) - i.usd) * (s.horizon_months if i.recurring else 1) for i in hosted.people)
        return bt - ht

    t_mc_raw, raw_savings = best_of(raw_mc)
    assert np.allclose(np.sort(raw_savings), np.sort(mc.savings_usd))

    t_adv, rec = best_of(lambda: recommend(s, draws=n), n=5)
    out = {"sweep_volumes": len(vols), "sweep_ms": round(t_ours * 1e3, 2), "sweep_numpy_ms": round(t_raw * 1e3, 2),
           "sweep_ratio_vs_numpy": round(t_raw / t_ours, 3), "mc_draws": n, "mc_ms": round(t_mc * 1e3, 2),
           "mc_numpy_ms": round(t_mc_raw * 1e3, 2), "mc_ratio_vs_numpy": round(t_mc_raw / t_mc, 3),
           "advise_s": round(t_adv, 4), "verdict": rec.verdict, **page_reruns(a.reruns, a.as_of),
           **page_reruns(a.reruns, a.as_of, tasks=40)}
    return emit(out, a.json)


if __name__ == "__main__":
    raise SystemExit(main())
