"""The decision: hand-computed break-evens and paybacks, invariants, uncertainty, verdicts."""

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import Scenario, ScenarioError, Workload, break_even_requests_per_day, compare, price_options, sweep
from advisor.compare import DAYS_PER_MONTH, cumulative_costs, horizon_cost_usd, payback_month
from advisor.recommend import Thresholds, recommend, recommend_tasks
from advisor.uncertainty import Ranges, monte_carlo, tornado

MARCH = dt.date(2024, 3, 28)


# people's time off unless a test sets it: these tests hand-compute compute and API arithmetic
# (tests/core/test_decision.py covers the people model)
NO_PEOPLE = dict(labelling_usd_per_run=0.0, engineering_usd=0.0, monitoring_hours_per_month=0.0, eval_examples=0,
                 selfhost_ops_usd_per_month=0.0, switch_model_hours=0.0)


def scenario(rpd=1000, p=1200, c=1000, **kw):
    kw.setdefault("as_of", MARCH)
    kw.setdefault("baseline", "gpt-4-0613")
    kw.setdefault("options", ("openpipe/mistral-7b",))
    for k, v in NO_PEOPLE.items():
        kw.setdefault(k, v)
    return Scenario(Workload.typed(rpd, p, c, ft_token_ratio=1.0, peak_to_mean=2.0), **kw)


class TestBreakEven:
    def test_per_token_closed_form(self):
        # one-off F = training 1000 ex * 2200 tok * 3 epochs = 6.6M tok * 4.00/1M = 26.40 + 500 engineering = 526.40;
        # recurring = 26.40 * 4 retrains / 12 = 8.80 a month -> fixed over 12 months = 526.40 + 105.60 = 632.00.
        # per request: gpt-4-0613 0.096, OpenPipe 0.00304 -> gap 0.09296 USD.
        # break-even v: 12 * 30.4167 * v * 0.09296 = 632 -> v = 632 / (365 * 0.09296) = 18.626 req/day
        s = scenario(engineering_usd=500)
        base, (opt,) = price_options(s)
        assert opt.one_off_usd == pytest.approx(526.40)
        assert opt.recurring_usd_per_month == pytest.approx(8.80)
        be = break_even_requests_per_day(opt, base, 12)
        assert be == pytest.approx(632 / (365 * 0.09296), rel=1e-6)

    def test_payback_month(self):
        # at 10 req/day: monthly gap 10 * 30.4167 * 0.09296 = 28.275 minus recurring 8.80 = 19.475 net;
        # one-off 526.40 -> cumulative gap turns positive after ceil(526.40 / 19.475) = 28 months: not within 12
        s = scenario(rpd=10, engineering_usd=500)
        base, (opt,) = price_options(s)
        assert payback_month(opt, base, 10, 12) is None
        assert payback_month(opt, base, 10, 36) == 28

    def test_no_break_even_is_none(self):
        # gpt-4o-mini (0.15/0.60) is cheaper per token than OpenPipe (1.20/1.60): no volume makes it pay
        s = scenario(as_of=dt.date(2024, 9, 1), baseline="gpt-4o-mini")
        base, (opt,) = price_options(s)
        assert break_even_requests_per_day(opt, base, 12) is None
        row = compare(s).set_index("name").loc["openpipe/mistral-7b"]
        assert np.isnan(row["break_even_requests_per_day"])

    def test_selfhost_step_cost(self):
        s = scenario(rpd=50_000, options=("selfhost/mistral-7b@a100-80gb",), as_of=dt.date(2025, 6, 1))
        base, (opt,) = price_options(s)
        be = break_even_requests_per_day(opt, base, 12)
        def gap(v):
            return horizon_cost_usd(base, v, 12)[0] - horizon_cost_usd(opt, v, 12)[0]
        assert gap(be) >= 0 and gap(be * 0.999) < 0

    @settings(max_examples=40, deadline=None)
    @given(p=st.floats(10, 5000), c=st.floats(1, 2000), eng=st.floats(0, 50_000))
    def test_break_even_is_where_curves_cross(self, p, c, eng):
        s = scenario(p=p, c=c, engineering_usd=eng)
        base, (opt,) = price_options(s)
        be = break_even_requests_per_day(opt, base, 12)
        assert be is not None
        if be > 0:
            b, o = horizon_cost_usd(base, be, 12)[0], horizon_cost_usd(opt, be, 12)[0]
            assert b == pytest.approx(o, rel=1e-6, abs=1e-6)

    @settings(max_examples=40, deadline=None)
    @given(v=st.floats(1, 1e6), dv=st.floats(0, 1e6))
    def test_more_volume_never_worse_for_per_token(self, v, dv):
        base, (opt,) = price_options(scenario(engineering_usd=1000))
        def save(x):
            return horizon_cost_usd(base, x, 12)[0] - horizon_cost_usd(opt, x, 12)[0]
        assert save(v + dv) >= save(v) - 1e-6


class TestCompare:
    def test_growth_compounds(self):
        s = scenario(rpd=100, growth_per_month=0.10, horizon_months=3, options=())
        base, _ = price_options(s)
        # months carry 100, 110, 121 req/day at 0.096 USD
        expected = np.cumsum([100 * DAYS_PER_MONTH * 0.096, 110 * DAYS_PER_MONTH * 0.096, 121 * DAYS_PER_MONTH * 0.096])
        np.testing.assert_allclose(cumulative_costs(base, 100, 3, 0.10)[0], expected)

    def test_prompt_changes_force_retraining(self):
        s = scenario(prompt_changes_per_month=2, retrains_per_year=4)
        assert s.effective_retrains_per_year == 24

    def test_sweep_is_vectorised(self):
        vols = np.geomspace(1, 1e6, 10_000)
        df = sweep(scenario(options=("openpipe/mistral-7b", "selfhost/mistral-7b@l4"), as_of="2025-06-01"), vols)
        assert df.shape == (10_000, 3)
        assert df["gpt-4-0613"].iloc[-1] == pytest.approx(1e6 * DAYS_PER_MONTH * 0.096)

    def test_all_in_sweep_crosses_at_the_break_even(self):
        # the page's cost chart: one-off spread over the horizon, so the lines cross at the break-even
        s = scenario(options=("openpipe/mistral-7b", "selfhost/mistral-7b@l4"), as_of="2025-06-01", horizon_months=12)
        base, opts = price_options(s)
        for opt in opts:
            be = break_even_requests_per_day(opt, base, 12)
            assert be and be > 0
            df = sweep(s, [be * 0.98, be * 1.02], metric="usd_per_month_all_in")
            assert df[opt.name].iloc[0] > df[base.name].iloc[0]    # just below: the option costs more
            assert df[opt.name].iloc[1] <= df[base.name].iloc[1]   # just above: it pays
        # all-in = horizon total / months; hand check on the per-token baseline (no one-off, no recurring):
        # 1,000 req/day x 30.4167 days x $0.096 = $2,920 a month
        df = sweep(s, [1000.0], metric="usd_per_month_all_in")
        assert df["gpt-4-0613"].iloc[0] == pytest.approx(1000 * DAYS_PER_MONTH * 0.096)
        total = sweep(s, [1000.0], metric="usd_horizon")
        np.testing.assert_allclose(df.to_numpy(), total.to_numpy() / 12)
        with pytest.raises(ScenarioError, match="usd_per_month_all_in"):
            sweep(s, [1.0], metric="usd_per_week")

    def test_tokens_as_each_model_counts_them(self):
        # the workload's 7B counts are Mistral's (x1.13 here); a model on another tokenizer that is not shipped
        # offline is billed on the API's counts, with a note
        from advisor.compare import served_tokens
        w = Workload.typed(1000, 1000, 100, ft_token_ratio=1.13)
        df = compare(Scenario(w, baseline="gpt-4-0613", options=("openpipe/mistral-7b",),
                              as_of="2025-01-01")).set_index("name")
        assert df.loc["openpipe/mistral-7b", "usd_per_request"] == pytest.approx((1130 * 1.2 + 113 * 1.6) / 1e6)
        assert served_tokens(w, "llama-3") == (1000, 100, "llama-3 tokenizer not available offline: billed on the "
                                                           "API's token counts")

    def test_baseline_from_logs(self):
        w = Workload.typed(100, 100, 10)
        from dataclasses import replace
        s = Scenario(replace(w, model="gpt-4-0613"), as_of="2025-06-01")
        assert compare(s).iloc[0]["name"] == "gpt-4-0613"

    @pytest.mark.parametrize("kw, field", [(dict(horizon_months=0), "horizon_months"),
                                           (dict(growth_per_month=5), "growth_per_month"),
                                           (dict(precision="fp4"), "precision"),
                                           (dict(itl_target_s=0), "itl_target_s")])
    def test_validation(self, kw, field):
        with pytest.raises(ScenarioError, match=field):
            scenario(**kw)


class TestUncertainty:
    def test_seeded_and_reproducible(self):
        a = monte_carlo(scenario(), draws=2000, seed=3)
        b = monte_carlo(scenario(), draws=2000, seed=3)
        assert a.p_pays_off == b.p_pays_off and a.savings_usd_p50 == b.savings_usd_p50
        assert a.savings_usd_p10 <= a.savings_usd_p50 <= a.savings_usd_p90

    def test_degenerate_ranges_give_the_deterministic_answer(self):
        flat = Ranges(*[(1.0, 1.0, 1.0)] * 5, growth_delta=(0.0, 0.0, 0.0), people_spread=0.0)
        s = scenario(engineering_usd=500)
        mc = monte_carlo(s, draws=500, ranges=flat)
        det = compare(s).set_index("name").loc["openpipe/mistral-7b", "savings_usd_horizon"]
        assert mc.savings_usd_p10 == pytest.approx(det) and mc.savings_usd_p90 == pytest.approx(det)

    def test_p_pays_off_near_break_even_is_uncertain(self):
        s = scenario(engineering_usd=500)
        base, (opt,) = price_options(s)
        be = break_even_requests_per_day(opt, base, 12)
        mc = monte_carlo(scenario(rpd=be, engineering_usd=500), draws=4000)
        assert 0.2 < mc.p_pays_off < 0.8

    def test_tornado_ranks_by_swing(self):
        t = tornado(scenario(engineering_usd=500))
        assert list(t["swing"]) == sorted(t["swing"], reverse=True)
        assert t.iloc[0]["input"] in ("requests per day", "tokens per request", "baseline API price")
        gpu = t.set_index("input").loc["GPU price per hour"]
        assert gpu["swing"] == 0  # a hosted option does not rent GPUs

    def test_ranges_validated(self):
        with pytest.raises(ScenarioError, match="low <= mode <= high"):
            Ranges(requests_per_day=(2.0, 1.0, 3.0))


class TestRecommend:
    def test_fine_tune(self):
        r = recommend(scenario(rpd=5000, training_examples=2000, engineering_usd=2000), draws=1000)
        assert r.verdict == "fine-tune" and r.best_option == "openpipe/mistral-7b"
        codes = [x.code for x in r.reasons]
        assert "savings" in codes and "payback" in codes and all(x.effect != "blocks" for x in r.reasons)
        sav = next(x for x in r.reasons if x.code == "savings")
        # all-in monthly ratio: gpt-4-0613 5000 * 30.4167 * 0.096 = 14,600 a month; OpenPipe serving
        # 5000 * 30.4167 * 0.00304 = 462.33 + retraining 4/12 * (2000 * 2200 * 3 / 1e6 * 4.00 = 52.80) = 17.60
        # -> 14,600 / 479.93 = 30.42x
        assert sav.value == pytest.approx(14_600 / (462.3333 + 17.6), rel=1e-4) and sav.threshold == 2.0

    def test_low_volume_no(self):
        r = recommend(scenario(rpd=40), draws=500)
        assert r.verdict == "no"
        low = r.reasons[0]
        assert low.code == "low_volume" and low.value == 40 and low.threshold == 100

    def test_low_volume_growing_is_not_yet(self):
        r = recommend(scenario(rpd=60, growth_per_month=0.1), draws=500)
        assert r.verdict in ("not yet", "no")
        assert next(x for x in r.reasons if x.code == "low_volume").effect == "delays"

    def test_prompt_changing_not_yet(self):
        r = recommend(scenario(rpd=5000, prompt_changes_per_month=3, training_examples=5000), draws=500)
        assert r.verdict == "not yet" and r.reasons[0].code == "prompt_changing"

    def test_flags_block(self):
        r = recommend(scenario(rpd=5000, needs_deep_reasoning=True), draws=500)
        assert r.verdict == "no" and r.reasons[0].code == "deep_reasoning"

    def test_thresholds_are_parameters(self):
        s = scenario(rpd=150, training_examples=5000)
        assert recommend(s, draws=500).reasons[0].code != "low_volume"
        r = recommend(s, thresholds=Thresholds(min_requests_per_day=200), draws=500)
        assert any(x.code == "low_volume" and x.threshold == 200 for x in r.reasons)

    def test_per_task_rollup(self):
        ws = {"all": Workload.typed(5040, 1200, 1000), "big": Workload.typed(5000, 1200, 1000, task="big"),
              "tiny": Workload.typed(40, 1200, 1000, task="tiny")}
        recs = recommend_tasks(ws, scenario(training_examples=5000), draws=500)
        assert recs["tiny"].verdict == "no" and recs["big"].verdict == "fine-tune"
        assert recs["all"].verdict == "fine-tune" and recs["all"].reasons[0].code == "per_task"


class TestAdviseCli:
    def test_json_contract(self, capsys):
        from advisor.cli.main import main
        code = main(["advise", "--requests-per-day", "5000", "--prompt-tokens", "1200", "--completion-tokens", "1000",
                     "--baseline", "gpt-4-0613", "--as-of", "2024-03-28", "--training-examples", "2000", "--json"])
        doc = json.loads(capsys.readouterr().out)
        assert code == 0
        assert {"verdict", "best_option", "reasons", "break_even_requests_per_day", "payback_months", "p_pays_off",
                "options"} <= set(doc)
        assert doc["verdict"] in ("fine-tune", "switch", "not yet", "no")
        for r in doc["reasons"]:
            assert {"code", "text", "value", "threshold"} <= set(r)

    def test_logs_per_task(self, capsys, tmp_path):
        from advisor.cli.main import main
        from advisor.samples import write_sample_logs
        p = write_sample_logs(tmp_path / "s.jsonl", days=10, scale=0.3)
        code = main(["advise", str(p), "--json", "--draws", "500", "--as-of", "2025-06-01"])
        doc = json.loads(capsys.readouterr().out)
        assert code == 0 and set(doc["tasks"]) == {"ticket-triage", "product-copy", "contract-fields"}
        assert doc["tasks"]["contract-fields"]["verdict"] == "no"
        from advisor.logs import read_logs
        logged = read_logs(p).frame["model"].mode().iloc[0]
        assert doc["baseline"] == logged  # the model the logs were paid for

    def test_needs_logs_or_numbers(self, capsys):
        from advisor.cli.main import main
        assert main(["advise", "--requests-per-day", "10"]) == 2
        assert "--prompt-tokens" in capsys.readouterr().err

    @pytest.mark.parametrize("suffix", [".md", ".html"])
    def test_report(self, tmp_path, capsys, suffix):
        from advisor.cli.main import main
        out = tmp_path / f"report{suffix}"
        code = main(["report", "--requests-per-day", "5000", "--prompt-tokens", "1200", "--completion-tokens", "1000",
                     "--baseline", "gpt-4-0613", "--as-of", "2024-03-28", "--draws", "500", "-o", str(out)])
        assert code == 0
        text = out.read_text()
        assert "Prices used" in text and "ray-project/llm-numbers" in text and "2023-06-13" in text
        if suffix == ".html":
            assert text.count("plotly-graph-div") >= 4

    def test_report_bad_suffix(self, tmp_path, capsys):
        from advisor.cli.main import main
        assert main(["report", "--requests-per-day", "5", "--prompt-tokens", "1", "--completion-tokens", "1",
                     "-o", str(tmp_path / "r.pdf")]) == 2
        assert ".md or .html" in capsys.readouterr().err
