"""The dashboard's pure parts: URL values, formatting for people, tiles, the whole bill, charts, report."""

import datetime as dt
import math

import numpy as np
import pytest

from advisor import Scenario, Workload
from advisor.bill import whole_bill
from advisor.present.analysis import analyse_page, chart_volumes, option_colours, uploads_digest
from advisor.present.view import blocker_text, fmt_rate, fmt_ratio, fmt_usd, headline_text, page_language, tiles
from advisor.recommend import Thresholds
from advisor.ui.params import PARAMS, parse_query, parse_value, to_query

TODAY = dt.date(2026, 11, 25)


class TestParams:
    @pytest.mark.parametrize("key, raw, value", [
        ("rpd", "-5", 0.001), ("rpd", "inf", 1e9), ("rpd", "1e308", 1e9), ("rpd", "-inf", 0.001), ("ct", "0", 1.0),
        ("epochs", "100", 20), ("epochs", "2.6", 3), ("growth", "1e9", 200), ("horizon", "0", 1),  # growth: +200%/month, the declared maximum (advisor.fields)
        ("asof", "1999-01-01", dt.date(2023, 3, 14)), ("asof", "2099-01-01", TODAY),
        ("changes", "-7", -1.0), ("minrpd", "-1", 0.0),
    ])
    def test_out_of_range_is_clamped_with_a_note(self, key, raw, value):
        v, note = parse_value(key, raw, today=TODAY)
        assert v == value and note and PARAMS[key].label in note

    @pytest.mark.parametrize("key, raw", [("rpd", "nan"), ("horizon", "abc"), ("asof", "2024-02-30"),
                                          ("batch", "maybe"), ("source", "ftp"), ("precision", "fp3")])
    def test_unreadable_falls_back_to_the_default_with_a_note(self, key, raw):
        v, note = parse_value(key, raw, today=TODAY)
        assert v == (TODAY if key == "asof" else PARAMS[key].default) and "default" in note

    def test_old_links_spelling_of_the_automatic_baseline_still_reads(self):
        from advisor.ui.params import AUTO_BASELINE
        assert parse_value("baseline", "(from logs / newest GPT-4)", today=TODAY) == (AUTO_BASELINE, None)
        assert AUTO_BASELINE == "(from logs / newest GPT-4-class)"

    def test_valid_values_pass_silently_and_round_trip(self):
        q = {"rpd": "1802.9", "horizon": "24", "batch": "1", "gpus": "l4,l40s", "asof": "2024-03-28",
             "source": "typed numbers", "itl": "50"}
        values, notes = parse_query(q, today=TODAY)
        assert notes == [] and to_query(values) == q

    def test_unknown_names_ignored_and_long_values_shortened(self):
        values, notes = parse_query({"utm_source": "x", "task": "t" * 5000, "horizon": "x" * 5000}, today=TODAY)
        assert set(values) == {"task", "horizon"} and len(notes[0]) < 200


class TestFormats:
    def test_money_never_shows_dollar_minus_or_nan(self):
        assert fmt_usd(-11.25) == "−$11" and fmt_usd(float("nan")) == "–" and fmt_usd(0.0) == "$0"
        assert fmt_usd(0.4) == "$0.40"          # not "$0"
        assert fmt_usd(1_500_000) == "$1.5M"

    def test_ratios_and_rates(self):
        assert fmt_ratio(float("inf")) == "–" and fmt_ratio(31.58) == "32×" and fmt_ratio(1.64) == "1.6×"
        assert fmt_rate(0.3) == "0.3/day"       # not "0 req/day"
        assert fmt_rate(13.4) == "13/day"

    def test_page_language_has_no_cli_flags(self):
        for text in ("pass --training-examples or logs", "use --format openai", "(add --engineering-usd)",
                     "requests_per_day (--requests-per-day)", "an override file (--prices)", "--unknown-flag x"):
            assert "--" not in page_language(text)


class TestCompute:
    def test_uploads_digest_ignores_order_names_and_duplicates(self):
        a, files, notes = uploads_digest([("x.jsonl", b"1"), ("y.jsonl", b"2"), ("z.jsonl", b"1")])
        b, _, _ = uploads_digest([("y2.jsonl", b"2"), ("x2.jsonl", b"1")])
        assert a == b and [n for n, _ in files] == ["x.jsonl", "y.jsonl"] and len(notes) == 1

    def test_chart_volumes_cover_volume_and_break_evens(self):
        v = chart_volumes(1_000_000, [50.0, None, float("nan")])
        assert v[0] == pytest.approx(10.0) and v[-1] == pytest.approx(5e6)  # 50 / 5 and 1e6 * 5
        v = chart_volumes(100.0)                  # at least a 100x span around the volume
        assert v[-1] / v[0] == pytest.approx(100.0)

    def test_colours_stable_and_baseline_red(self):
        c = option_colours(["gpt-4o", "a", "b"], "gpt-4o")
        assert c["gpt-4o"] == "#b2182b" and len({c["a"], c["b"], c["gpt-4o"]}) == 3

    def test_every_option_of_todays_catalog_has_its_own_colour(self):
        # the default scenario compares ~34 options (issue 19: dedicated and shared deployments, other providers'
        # models): no two may share a colour on any chart (an 11-colour palette wrapped, so
        # fireworks/mistral-7b-lora and gpt-5-nano were the same green)
        s = Scenario(Workload.typed(5000, 1200, 300), as_of=TODAY)
        a = analyse_page({"all": s.workload}, s, draws=100)
        colours = list(a.colours.values())
        assert len(colours) >= 20 and len(set(colours)) == len(colours)


@pytest.fixture(scope="module")
def typed():
    s = Scenario(Workload.typed(5000, 1200, 1000), baseline="gpt-4-0613", as_of=dt.date(2024, 3, 28),
                 options=("openpipe/mistral-7b",), training_examples=2000)
    return analyse_page({"all": s.workload}, s, draws=500)


class TestVerdictAndBill:
    def test_tiles_follow_a_fine_tune(self, typed):
        rec = typed.focus
        assert rec.verdict == "fine-tune"
        labels = [t.label for t in tiles(rec)]
        assert labels[:2] == ["Today per month", "Fine-tuned per month"] and "Pays back" in labels
        assert headline_text(rec, typed.tasks, "all").startswith("FINE-TUNE: openpipe/mistral-7b")

    def test_pays_back_tile_gives_the_recommended_options_break_even(self):
        # a cheaper-to-start option can have the lowest break-even; the tile under "Pays back" must give the
        # recommended option's own (its row in the options table), never another option's
        s = Scenario(Workload.typed(10_000_000, 1200, 300), baseline="gpt-4-0613", as_of=dt.date(2025, 6, 1),
                     options=("openpipe/mistral-7b", "selfhost/mistral-7b@l40s"))
        a = analyse_page({"all": s.workload}, s, draws=200)
        rec = a.focus
        own = float(rec.options.set_index("name").loc[rec.best_option, "break_even_requests_per_day"])
        tile = next(t for t in tiles(rec) if t.label == "Pays back")
        assert tile.note == f"break-even {fmt_rate(own)}"
        # here the lowest break-even is openpipe's, the recommended self-hosted one's is its own (weeks of people's
        # time to set up self-hosting put it at 2,068/day)
        assert rec.lowest_break_even_option != rec.best_option and tile.note == "break-even 2,068/day"
        assert rec.break_even_option == rec.best_option and rec.break_even_requests_per_day == own

    def test_a_cheaper_api_switch_is_shown_whatever_the_verdict(self):
        from advisor.present.view import reasons_shown
        s = Scenario(Workload.typed(1, 1200, 300), as_of=TODAY, growth_per_month=0.5, horizon_months=36)
        rec = analyse_page({"all": s.workload}, s, draws=100).focus
        shown, more = reasons_shown(rec)
        # a switch that saves more than fine-tuning is the verdict itself (issue 18); either way it is shown
        codes = {"switch_model", "switch"}
        assert any(r.code in codes for r in rec.reasons)
        assert any(r.code in codes for r in shown) and not any(r.code in codes for r in more)

    def test_a_one_month_horizon_and_a_loss_carried_by_growth_read_for_people(self):
        s = Scenario(Workload.typed(100_000, 1200, 300), as_of=TODAY, horizon_months=1)
        rec = analyse_page({"all": s.workload}, s, draws=100).focus
        labels = [t.label for t in tiles(rec)] + [blocker_text(r, rec) for r in rec.reasons]
        assert not any("1 months" in x for x in labels)
        grow = Scenario(Workload.typed(1, 1200, 300), as_of=TODAY, growth_per_month=0.5, horizon_months=36)
        rec = analyse_page({"all": grow.workload}, grow, draws=100).focus
        small = next(r for r in rec.reasons if r.code == "small_dollars")
        assert blocker_text(small, rec) == f"costs {fmt_usd(-small.value)} a month more at today's volume"

    def test_tiles_follow_a_no(self):
        s = Scenario(Workload.typed(20, 1200, 300), baseline="gpt-4-0613", as_of=dt.date(2024, 3, 28),
                     options=("openpipe/mistral-7b",))
        a = analyse_page({"all": s.workload}, s, draws=200, thresholds=Thresholds())
        assert a.focus.verdict == "no"
        t = tiles(a.focus)
        assert t[0].label == "Volume" and t[0].value == "20/day" and t[0].note == "needs 100/day"
        assert "Chance it pays off" not in [x.label for x in t]
        low = next(r for r in a.focus.reasons if r.code == "low_volume")
        assert blocker_text(low) == "volume 20/day (needs 100/day)"

    def test_several_tasks_lead_with_a_figure_not_the_roll_up(self):
        # the per-task summary reason ("Per task (each prompt ...") leads the reasons of a multi-task verdict;
        # a tile holds a figure that stands in the way (here the 20/day volume), never that sentence cut short
        from advisor.recommend import recommend_tasks

        s = Scenario(Workload.typed(20, 1200, 300), baseline="gpt-4-0613", as_of=dt.date(2024, 3, 28),
                     options=("openpipe/mistral-7b",))
        ws = {"all": s.workload, "a": s.workload.with_volume(12), "b": s.workload.with_volume(8)}
        rec = recommend_tasks(ws, s, draws=200)["all"]
        assert rec.reasons[0].code == "per_task"
        assert [t.label for t in tiles(rec)][0] == "Volume"

    def test_whole_bill_table_has_a_total(self, typed):
        from advisor.present.view import bill_table

        t = bill_table(whole_bill(typed.tasks))
        assert list(t["Task"]) == ["all"] and t.loc[0, "Runs on"] == "openpipe/mistral-7b"
        opts = typed.focus.options.set_index("name")
        assert t.loc[0, "New $/month"] == pytest.approx(float(opts.loc["openpipe/mistral-7b", "total_usd_per_month"]))


class TestFigures:
    def test_volume_label_in_log10_coordinates_and_diamonds_in_line_colour(self, typed):
        from advisor.present import figures as F

        f = typed.focus
        be = dict(zip(f.options["name"], f.options["break_even_requests_per_day"]))
        fig = F.cost_vs_volume(typed.sweep, baseline=f.baseline, break_evens=be, colours=typed.colours,
                               current_requests_per_day=5000)
        ann = fig.layout.annotations[0]
        assert ann.x == pytest.approx(math.log10(5000)) and "5,000" in ann.text
        lines = {t.legendgroup: t.line.color for t in fig.data if t.mode == "lines" and t.legendgroup}
        diamonds = [t for t in fig.data if t.mode == "markers"]
        assert diamonds and all(d.marker.color == lines[d.legendgroup] for d in diamonds)
        assert all("requests/day" in t.hovertemplate for t in fig.data)
        lo, hi = fig.layout.xaxis.range
        assert 10 ** lo <= min(be["openpipe/mistral-7b"], 5000) and 10 ** hi >= 5000

    def test_recommended_line_is_drawn_on_top_and_thicker(self):
        # two options with nearly the same cost: the recommended one must not be hidden under the other
        import pandas as pd

        from advisor.present import figures as F

        x = np.geomspace(1, 1e5, 30)
        sweep = pd.DataFrame({"gpt-4o": x * 0.2, "best": 50 + x * 0.02, "twin": 50.5 + x * 0.02}, index=x)
        fig = F.cost_vs_volume(sweep, baseline="gpt-4o", always=("best",), horizon_months=12)
        lines = [t for t in fig.data if t.mode == "lines" and t.name != "your volume"]
        assert lines[-1].name == "best" and lines[-1].line.width == 3.5
        assert [t.name for t in sorted(lines, key=lambda t: t.legendrank)] == ["gpt-4o (today)", "best", "twin"]
        assert fig.layout.yaxis.title.text == "USD per month, all-in (log scale)"
        grown = F.cost_vs_volume(sweep, baseline="gpt-4o", horizon_months=36, growth_per_month=0.5)
        assert grown.layout.yaxis.title.text == "USD per month, all-in, averaged (log scale)"
        assert grown.layout.xaxis.title.text == "requests per day today (log scale)"
        months = pd.Index(range(1, 4), name="month")
        curves = pd.DataFrame({"gpt-4o": [100.0, 200, 300], "best": [150.0, 160, 170], "twin": [151.0, 161, 171]},
                              index=months)
        fig = F.cumulative_cost(curves, baseline="gpt-4o", payback={"best": 2.0})   # the table's month is a float
        assert fig.data[-1].name == "best" and fig.data[-1].line.width == 3.5
        assert fig.layout.annotations[0].text == "pays back in month 2"

    def test_cost_axes_read_as_money_and_volume_with_fixed_margins(self):
        # cents a month at tiny volumes: Plotly's SI format would print "$10m" (milli, read as million)
        import pandas as pd

        from advisor.present import figures as F

        x = np.geomspace(0.05, 5_000, 40)
        sweep = pd.DataFrame({"gpt-4o": x * 0.2, "ft": 0.5 + x * 0.02}, index=x)
        fig = F.cost_vs_volume(sweep, baseline="gpt-4o", current_requests_per_day=10)
        assert list(fig.layout.xaxis.ticktext) == ["0.01", "0.1", "1", "10", "100", "1k", "10k"]
        assert list(fig.layout.yaxis.ticktext) == ["$0.01", "$0.1", "$1", "$10", "$100", "$1k"]
        assert not any(t.endswith("m") for t in fig.layout.yaxis.ticktext)
        # the labels' widths are known, so no automargin (a second layout pass in the browser): 30 + 7 * 5
        assert fig.layout.yaxis.automargin is False and fig.layout.margin.l == 65

    def test_tornado_leaves_out_inputs_that_move_nothing(self, typed):
        from advisor.present import figures as F

        fig = F.tornado_chart(typed.tornado)
        moving = typed.tornado[typed.tornado["swing"] > 1e-6 * max(abs(typed.tornado.attrs["base_savings_usd"]), 1)]
        assert len(fig.data[0].y) == len(moving) < len(typed.tornado)
        # the expected savings is the dotted line's legend entry: no label above the plot under the legend
        assert fig.data[-1].name.startswith("expected $") and fig.data[-1].line.dash == "dot"
        assert not fig.layout.annotations


class TestReport:
    def test_markdown_escapes_untrusted_text(self, typed):
        from dataclasses import replace

        from advisor.present.report import render_html, render_markdown

        evil = "<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:y)|"
        rec = typed.focus
        bad = replace(rec, scenario=replace(rec.scenario, workload=replace(rec.scenario.workload, task=evil)))
        recs = {"all": bad, evil: bad}
        md = render_markdown(recs)
        assert "<script" not in md and "<img" not in md and "[x](javascript" not in md
        assert "&lt;script&gt;" in md
        html = render_html(recs, analysis=typed)
        assert "<script>alert" not in html and "<img src=x" not in html

    def test_report_draws_the_pages_data(self, typed, monkeypatch):
        import advisor.present.analysis as C
        from advisor.present.report import report_figures

        def fail(*a, **k):
            raise AssertionError("the report recomputed what the page already has")

        monkeypatch.setattr(C, "monte_carlo", fail)
        monkeypatch.setattr(C, "sweep", fail)
        figs = report_figures(typed.focus, analysis=typed)
        assert len(figs) == 5
        assert np.allclose(figs[0].data[0].y, typed.sweep.iloc[:, 0])


class TestComputedOnce:
    def test_charts_reuse_the_verdicts_monte_carlo_and_pricing(self):
        # the page draws the Monte Carlo the verdict was made from (not a second run) and prices once;
        # both equal a fresh computation of the same scenario
        from advisor.uncertainty import monte_carlo, tornado

        s = Scenario(Workload.typed(20_000, 1500, 300), baseline="gpt-4o-2024-08-06", as_of=dt.date(2025, 6, 1),
                     options=("selfhost/mistral-7b@l4", "openpipe/mistral-7b"))
        a = analyse_page({"all": s.workload}, s, draws=300)
        best = a.focus.best_option
        assert best is not None and a.monte_carlo is a.focus.monte_carlo
        fresh = monte_carlo(a.focus.scenario, option=best, draws=300, seed=0)
        assert a.monte_carlo.p_pays_off == fresh.p_pays_off
        assert np.array_equal(a.monte_carlo.savings_usd, fresh.savings_usd)
        assert a.tornado.equals(tornado(a.focus.scenario, option=best))
        other = analyse_page({"all": s.workload}, s, draws=300, seed=1)   # another seed: its own run
        assert other.monte_carlo.seed == 1
        from advisor.present.analysis import page_analysis

        assert page_analysis(a.tasks, draws=200).monte_carlo.draws == 200   # other draws: run again


def test_thousands_of_prompts_are_pooled_on_the_page():
    """Like `advise`, the page advises at most MAX_TASKS_ADVISED tasks: the long tail is one pooled task."""
    import pandas as pd

    from advisor.logs.reader import LogResult
    from advisor.ui.data import page_data
    from advisor.workload import MAX_TASKS_ADVISED

    n = MAX_TASKS_ADVISED + 60
    frame = pd.DataFrame({"request_id": [str(i) for i in range(n)], "timestamp": pd.to_datetime([1.7e9 + 3600.0 * i for i in range(n)], unit="s", utc=True),
                          "model": "gpt-4o", "task": [f"t{i}" for i in range(n)], "template": "x",
                          "prompt_tokens": 100.0, "completion_tokens": 10.0, "cached_tokens": 0.0, "latency_s": None,
                          "tokens_source": "usage", "ft_prompt_tokens": None, "ft_completion_tokens": None,
                          "requests": 1.0, "file": "f", "line": list(range(1, n + 1))})
    data = page_data(LogResult(frame=frame, problems=[], skipped=0, formats={}), digest="d")
    assert len(data.tasks) == MAX_TASKS_ADVISED
    assert f"The {n - MAX_TASKS_ADVISED + 1:,} least busy prompts" in data.summary


def test_reasons_word_the_inputs_they_ask_for_per_surface():
    # typed numbers leave examples and prompt changes assumed: the command line says which flag to pass, the page
    # which sidebar input to set and the library which Scenario field, each from the reason's own `asks`
    import re

    s = Scenario(Workload.typed(50, 1200, 300), as_of=TODAY, latency_sensitive=True)
    rec = analyse_page({"all": s.workload}, s, draws=100).focus
    asking = [r for r in rec.reasons if r.asks]
    assert {"training_examples", "prompt_changes_per_month"} <= {a for r in asking for a in r.asks}
    for r in asking:
        assert "pass --" in r.text
        assert not re.search(r"--[a-z]", r.words("page")) and "in the sidebar" in r.words("page")
        assert not re.search(r"--[a-z]", r.words("library")) and "Scenario." in r.words("library")
