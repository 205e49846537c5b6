"""Issue 18, the decision engine: every path one option, people's time as sourced distributions, training data
as it is, shorter fine-tuned prompts. Expected values are hand-computed; each comment says from what."""

import datetime as dt
import importlib
import json
import math

import numpy as np
import pytest

from advisor import Scenario, Workload, price_options
from advisor.cli.main import main
from advisor.compare import Path, best_option, ft_prompt_tokens, horizon_cost_usd, qualifying_fine_tunes, tie_key
from advisor.horizon import one_off_quantile_usd
from advisor.recommend import Effect, Thresholds, Verdict, days_to_examples, outcome_usd, recommend
from advisor.uncertainty import tornado
from pricing.people import Z90, load_people, quantile_factor

MARCH = dt.date(2024, 3, 28)
RATE = 63.98 * 1.418   # BLS OES May 2024 median wage x ECEC Dec 2024 loaded-cost multiplier = 90.72364 USD/h
# openpipe/mistral-7b on 2024-03-28 at 1,200/1,000 (test_decision): compute 1,000 x 2,200 x 3 = 6.6M x 4.00 = 26.40;
# one evaluation run: 200 judgements by GPT-4-Turbo of 3,500 in / 150 out tokens = 200 x 0.0395 = 7.90
COMPUTE, EVAL = 26.40, 7.90


def march(rpd=100, **kw):
    kw.setdefault("as_of", MARCH)
    return Scenario(Workload.typed(rpd, 1200, 1000, ft_token_ratio=1.0, peak_to_mean=2.0), **kw)


def advise_json(capsys, *argv):
    code = main(["advise", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


class TestPeopleDistributions:
    def test_every_hour_entry_is_a_sourced_distribution(self):
        d = load_people()
        for k in ("review_minutes_per_example", "eval_set_hours", "integration_hours", "selfhost_setup_hours",
                  "switch_model_hours", "retrain_hours", "monitoring_hours_per_month",
                  "selfhost_ops_hours_per_month", "provider_move_hours"):
            e = d.entries[k]
            assert e.p10 is not None and e.p10 <= e.value <= e.p90 and e.source

    def test_split_lognormal_hits_the_three_quantiles(self):
        # eval set: P10 3 h, median 8 h, P90 24 h -> factors 3/8 and 24/8 at z = -/+1.2816, 1 at 0
        s = load_people().entries["eval_set_hours"].spread
        assert float(quantile_factor(s, -Z90)) == pytest.approx(3 / 8)
        assert float(quantile_factor(s, 0.0)) == 1.0
        assert float(quantile_factor(s, Z90)) == pytest.approx(3.0)

    def test_paths_span_days_to_weeks(self):
        # the managed path (review at 1,000 x 0.15/0.5/1.0 min + eval set 3/8/24 h + runs 4/16/56 h):
        # P10 2.5 + 7 = 9.5 h (~1 day), median 8.333 + 24 = 32.3 h (~4 days), P90 16.667 + 80 = 96.7 h (~2.5 weeks);
        # self-hosting adds its setup 64/140/320 h: P10 73.5 h (~2 weeks), P90 416.7 h (~10 weeks)
        base, (hosted, selfh) = price_options(march(options=("openpipe/mistral-7b", "selfhost/mistral-7b@a10g")))
        for opt, (p10_h, p90_h) in ((hosted, (9.5, 96.6667)), (selfh, (73.5, 416.6667))):
            fixed = opt.one_off_usd - opt.people_one_off_usd
            assert one_off_quantile_usd(opt, -Z90) == pytest.approx(fixed + RATE * p10_h, rel=1e-6)
            assert one_off_quantile_usd(opt, Z90) == pytest.approx(fixed + RATE * p90_h, rel=1e-5)
        assert hosted.path == Path.PER_TOKEN and selfh.path == Path.SELFHOST
        assert hosted.one_off_usd == pytest.approx(COMPUTE + EVAL + RATE * 32.3333, rel=1e-5)

    def test_switch_path_one_off(self):
        # eval set 3/8/24 h + switch 1/2/8 h + one evaluation run 7.90
        _, opts = price_options(march(options=("gpt-3.5-turbo",)))
        sw = opts[0]
        assert sw.path == Path.SWITCH
        assert sw.one_off_usd == pytest.approx(EVAL + RATE * 10)
        assert one_off_quantile_usd(sw, -Z90) == pytest.approx(EVAL + RATE * 4)
        assert one_off_quantile_usd(sw, Z90) == pytest.approx(EVAL + RATE * 32)

    def test_tornado_people_row_at_p10_and_p90(self):
        # at P90 the people one-off rises by 96.667 - 32.333 = 64.333 h and the people upkeep a month by
        # (4/12 x 8 + 2) - (4/12 x 2 + 0.5) = 3.5 h (retraining 1/2/8 h, monitoring 0.25/0.5/2 h): 12 months
        s = march(rpd=300, options=("openpipe/mistral-7b",))
        t = tornado(s).set_index("input")
        base = t.attrs["base_savings_usd"]
        assert t.loc["people's time", "savings_high"] == pytest.approx(base - RATE * (64.3333 + 12 * 3.5), rel=1e-5)
        assert t.loc["people's time", "savings_low"] > base

    def test_people_z_prices_each_item_at_its_quantile(self):
        s = march(options=("openpipe/mistral-7b",))
        _, (opt,) = price_options(s)
        med = float(horizon_cost_usd(opt, 100, 12)[0])
        assert float(horizon_cost_usd(opt, 100, 12, people_z=0.0)[0]) == pytest.approx(med)
        hi = float(horizon_cost_usd(opt, 100, 12, people_z=Z90)[0])
        assert hi - med == pytest.approx(RATE * (64.3333 + 12 * 3.5), rel=1e-5)

    def test_one_off_spread_in_json(self, capsys):
        doc = advise_json(capsys, "--requests-per-day", "1000", "--prompt-tokens", "1200", "--completion-tokens",
                          "300", "--draws", "300")
        assert doc["one_off_usd_p90"] / doc["one_off_usd_p10"] >= 4


class TestOnePathOneDecision:
    def test_outcome_weighs_savings_by_p(self):
        assert outcome_usd(1000.0, 0.5) == 500.0 and outcome_usd(-10.0, 0.9) == -10.0

    def test_tie_break_names_the_same_option_whatever_the_order(self):
        # both Fireworks LoRAs cost 0.20/0.20 per 1M: equal cost, equal one-off -> the name A-Z
        a, b = "fireworks/mistral-7b-lora", "fireworks/llama-3.1-8b-lora"
        w = Workload.typed(1000, 1200, 300, ft_token_ratio=1.0)
        for opts in ((a, b), (b, a)):
            s = Scenario(w, baseline="gpt-4o", options=opts, as_of="2025-06-01", include_api_alternatives=False)
            base, options = price_options(s)
            assert best_option(s, base, options).name == b
            assert recommend(s, draws=200).best_fine_tune == b
        x, y = options
        assert tie_key(x, 1.0)[:2] == tie_key(y, 1.0)[:2]

    @pytest.mark.parametrize("rpd", [300, 1000, 5000])
    def test_a_switch_that_saves_more_is_the_verdict(self, rpd):
        r = recommend(Scenario(Workload.typed(rpd, 1200, 300)), draws=300)
        t = r.options.set_index("name")
        if r.best_switch is not None and r.best_fine_tune is not None \
                and t.loc[r.best_switch, "savings_usd_horizon"] > max(t.loc[r.best_fine_tune, "savings_usd_horizon"], 0):
            assert r.verdict == Verdict.SWITCH and r.best_option == r.best_switch
            assert r.fine_tune_savings_usd_horizon == pytest.approx(t.loc[r.best_fine_tune, "savings_usd_horizon"])
        if r.verdict == Verdict.SWITCH:
            assert any(x.code == "switch" and x.effect == Effect.SUPPORTS for x in r.reasons)

    def test_figures_are_the_recommended_options(self):
        r = recommend(march(rpd=2000), draws=300)
        row = r.option_row(r.best_option)
        assert r.break_even_option == r.best_option
        assert r.savings_usd_horizon == pytest.approx(row["savings_usd_horizon"])
        assert r.monte_carlo.option == r.best_option

    def test_an_option_that_cannot_be_trained_is_never_recommended(self, monkeypatch):
        C = importlib.import_module("advisor.paths")
        monkeypatch.setattr(C, "_trainable", lambda ep, cat: ep.id != "fireworks/llama-3.1-8b-lora")
        s = Scenario(Workload.typed(5000, 1200, 300, ft_token_ratio=1.0), baseline="gpt-4o", as_of="2025-06-01",
                     options=("fireworks/llama-3.1-8b-lora", "fireworks/mistral-7b-lora"), include_api_alternatives=False)
        base, options = price_options(s)
        assert [o.name for o in qualifying_fine_tunes(s, base, options)] == ["fireworks/mistral-7b-lora"]
        r = recommend(s, draws=200)
        assert r.best_fine_tune == "fireworks/mistral-7b-lora"
        assert "training a new fine-tune is closed" in r.option_row("fireworks/llama-3.1-8b-lora")["notes"]

    def test_none_trainable_says_so(self, monkeypatch):
        C = importlib.import_module("advisor.paths")
        monkeypatch.setattr(C, "_trainable", lambda ep, cat: False)
        s = Scenario(Workload.typed(5000, 1200, 300), baseline="gpt-4o", as_of="2025-06-01",
                     options=("fireworks/mistral-7b-lora",), include_api_alternatives=False)
        r = recommend(s, draws=200)
        assert r.verdict == Verdict.NO and r.reasons[0].code == "no_option_closed"


class TestTrainingData:
    def test_threshold_is_the_sourced_guidance(self):
        e = load_people().entries["min_training_examples"]
        assert Thresholds().min_training_examples == e.value == 50 and "50" in e.source

    def test_days_of_traffic(self):
        assert days_to_examples(20, 50, 10) == 3.0      # 30 more at 10 a day
        assert days_to_examples(60, 50, 10) == 0.0 and days_to_examples(0, 50, 0) is None

    def test_224_examples_at_5000_a_day_are_not_held_back(self):
        r = recommend(Scenario(Workload.typed(5000, 1200, 300), training_examples=224), draws=200)
        ex = next(x for x in r.reasons if x.code.startswith("examples") or x.code == "few_examples")
        assert ex.code == "examples" and ex.effect == Effect.SUPPORTS

    def test_few_examples_wait_as_long_as_the_traffic_takes(self):
        r = recommend(march(rpd=10, training_examples=20, options=("openpipe/mistral-7b",)), draws=200)
        ex = next(x for x in r.reasons if x.code == "few_examples")
        assert ex.effect == Effect.DELAYS and "about 3 days" in ex.text and "50" in ex.text   # (50 - 20) / 10

    def test_high_volume_logs_them_within_the_hour(self):
        # 20 more at 20,000/day: 0.001 day = 1.4 minutes
        r = recommend(march(rpd=20_000, training_examples=30, options=("openpipe/mistral-7b",)), draws=200)
        ex = next(x for x in r.reasons if x.code == "examples_soon")
        assert ex.effect == Effect.INFO and "under an hour" in ex.text

    def test_a_log_without_text_holds_nothing_to_train_on(self):
        w = Workload(requests_per_day=500, prompt_tokens=1200, completion_tokens=300, examples=0, text_logged=False,
                     source="logs")
        r = recommend(Scenario(w, as_of=MARCH, options=("openpipe/mistral-7b",)), draws=200)
        x = next(x for x in r.reasons if x.code == "no_text")
        assert x.effect == Effect.DELAYS and "nothing to train on" in x.text and "Langfuse" in x.text
        assert "Only 0 examples" not in " ".join(y.text for y in r.reasons)


class TestShorterFineTunedPrompts:
    def test_static_part_gives_way_to_a_short_instruction(self):
        # 1,200 prompt tokens of which 800 static; instruction 50 (people.yaml): 1,200 - (800 - 50) = 450
        s = march(static_prompt_tokens=800, options=("openpipe/mistral-7b",))
        assert ft_prompt_tokens(s)[0] == 450
        base, (opt,) = price_options(s)
        # OpenPipe 1.20 / 1.60 per 1M: (450 x 1.20 + 1,000 x 1.60) / 1e6 = 0.00214; the baseline keeps 0.042
        assert opt.usd_per_request == pytest.approx(0.00214)
        assert base.usd_per_request == pytest.approx(0.042)
        # training on the shorter examples: 1,000 x 1,450 x 3 = 4.35M x 4.00 = 17.40
        assert dict(opt.one_off_items)["training compute"] == pytest.approx(17.40)

    def test_static_smaller_than_the_instruction_changes_nothing(self):
        assert ft_prompt_tokens(march(static_prompt_tokens=30))[0] == 1200   # 1,200 - max(30 - 50, 0)

    def test_override_and_assumption(self):
        s = march(ft_prompt_tokens=300, options=("openpipe/mistral-7b",))
        _, (opt,) = price_options(s)
        assert opt.usd_per_request == pytest.approx((300 * 1.20 + 1000 * 1.60) / 1e6)   # 0.00196
        r = recommend(march(static_prompt_tokens=800, options=("openpipe/mistral-7b",)), draws=200)
        assert any("800-token static system prompt" in a for a in r.assumptions)

    def test_cli_flags(self, capsys):
        argv = ("--requests-per-day", "1000", "--prompt-tokens", "1200", "--completion-tokens", "1000", "--as-of",
                "2024-03-28", "--option", "openpipe/mistral-7b", "--draws", "200")
        plain = advise_json(capsys, *argv)
        short = advise_json(capsys, *argv, "--static-prompt-tokens", "800")
        given = advise_json(capsys, *argv, "--ft-prompt-tokens", "450")

        def per_request(doc):
            return next(o["usd_per_request"] for o in doc["options"] if o["name"] == "openpipe/mistral-7b")
        assert per_request(plain) == pytest.approx(0.00304)           # (1,200 x 1.2 + 1,000 x 1.6) / 1e6
        assert per_request(short) == per_request(given) == pytest.approx(0.00214)
        assert math.isfinite(short["savings_usd_horizon"]) and short["savings_usd_horizon"] > plain["savings_usd_horizon"]

    @pytest.mark.parametrize("bad", ["-1", "nan", "1e9"])
    def test_hostile_values(self, capsys, bad):
        code = main(["advise", "--requests-per-day", "10", "--prompt-tokens", "10", "--completion-tokens", "10",
                     "--static-prompt-tokens", bad])
        _, err = capsys.readouterr()
        assert code == 2 and "--static-prompt-tokens" in err


def test_monte_carlo_people_draws_are_seeded_and_centred():
    from advisor.uncertainty import monte_carlo
    s = march(rpd=1000, options=("openpipe/mistral-7b",))
    a = monte_carlo(s, draws=2000, seed=3)
    b = monte_carlo(s, draws=2000, seed=3)
    np.testing.assert_array_equal(a.savings_usd, b.savings_usd)
    assert a.savings_usd_p10 < a.savings_usd_p50 < a.savings_usd_p90


class TestStaticPromptFromLogs:
    def test_measured_from_the_masked_system_prompt(self, tmp_path):
        # two requests of one template whose system prompts differ only in a ticket id and a date: the static
        # part is the masked text without its placeholders, the same for both, counted with gpt-4o's o200k_base
        from pathlib import Path as FsPath

        from advisor.logs import read_logs
        from advisor.logs.template import static_text
        from advisor.workload import profile_tasks
        shape = json.loads((FsPath(__file__).parent.parent / "fixtures/exports/openpipe/request-logs.jsonl")
                           .read_text().splitlines()[0])

        def rec(i, ticket, day):
            # OpenPipe's request-log shape (tests/fixtures/exports/openpipe/request-logs.jsonl), our texts
            r = json.loads(json.dumps(shape))
            r["input"]["messages"][0]["content"] = (f"You triage support tickets. Ticket {ticket} opened {day}. "
                                                    "Reply with one label.")
            r["output"]["id"] = f"c{i}"
            return r
        lines = [rec(0, "ABC-12", "2025-01-01"), rec(1, "XYZ-99", "2025-01-02")]
        p = tmp_path / "l.jsonl"
        p.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
        text = static_text(lines[0]["input"]["messages"])
        assert lines[0]["input"]["messages"][0]["role"] == "system"
        assert text == static_text(lines[1]["input"]["messages"]) == "You triage support tickets. Ticket opened . Reply with one label."
        from advisor.tokens.counter import get_encoding
        want = len(get_encoding("o200k_base").encode(text))   # the offline encoding the reader counts with
        f = read_logs([p]).frame
        assert f["static_prompt_tokens"].tolist() == [want, want]
        w = profile_tasks(f)["all"]
        assert w.static_prompt_tokens == pytest.approx(want) and w.text_logged is True
