"""The shareable report (Markdown and HTML) says what the page says: money, ratios and per-request costs in
the page's formats, the page's words for reasons and option kinds, one verdict casing, no command-line
wording when downloaded from the page, the page's colours, a layout that fits a phone, and links that work
while untrusted text (task labels, model names) stays inert. Expected strings are written by hand from
the page's formats (advisor.present.view.fmt_usd / fmt_ratio / fmt_rate)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pandas as pd
import pytest

from advisor import Scenario, Workload
from advisor.present import report as R
from advisor.present.report import md_text, render_html, render_markdown, report_figures, write_report
from advisor.recommend import recommend

EVIL = "[x](https://evil.io/_a_)<b>"


@pytest.fixture(scope="module")
def loss():
    """A NOT YET whose best option loses money, with figures set by hand (the reviewer's sample at 1,000/day:
    -1,708 over 12 months, P10 / P90 -3,245 / -1,220, 0.6x a month all-in, a GPU at 0.02840 $/request)."""
    s = Scenario(Workload.typed(700, 500, 150, task="copy"), baseline="gpt-4o-2024-08-06", as_of=dt.date(2025, 6, 1))
    rec = recommend(s, draws=200)
    assert rec.verdict == "not yet"
    opts = rec.options.copy()
    opts.attrs = dict(rec.options.attrs)
    opts.loc[opts["name"] == "selfhost/mistral-7b@l4", "usd_per_request"] = 0.0284
    opts.loc[opts["name"] == "fireworks/llama-3.1-8b-lora", "usd_per_request"] = 0.00013
    return replace(rec, options=opts, savings_usd_horizon=-1708.4, savings_usd_p10=-3245.2,
                   savings_usd_p90=-1219.9, savings_ratio=0.6)


@pytest.fixture(scope="module")
def recs(loss):
    evil = replace(loss, scenario=replace(loss.scenario, workload=replace(loss.scenario.workload, task=EVIL)))
    return {"all": loss, "copy": loss, EVIL: evil}


@pytest.fixture(scope="module")
def md(recs):
    return render_markdown(recs)


@pytest.fixture(scope="module")
def two_tasks():
    """A page analysis of two tasks, ``b-task`` the busier (the page lists and colours it first)."""
    from advisor.present.analysis import analyse_page

    s = Scenario(Workload.typed(3000, 500, 150), baseline="gpt-4o-2024-08-06", as_of=dt.date(2025, 6, 1))
    w = {"all": s.workload, "b-task": Workload.typed(2000, 500, 150, task="b-task"),
         "a-task": Workload.typed(1000, 500, 150, task="a-task")}
    return analyse_page(w, s, draws=200)


def _frame(hours_by_task: dict[str, int]) -> pd.DataFrame:
    rows = [{"timestamp": pd.Timestamp("2025-05-01", tz="UTC") + pd.Timedelta(hours=h), "task": t,
             "requests": 1.0, "prompt_tokens": 500.0, "completion_tokens": 150.0}
            for t, n in hours_by_task.items() for h in range(n)]
    return pd.DataFrame(rows)


class TestMoneyForPeople:
    def test_negative_amounts_have_a_minus_sign_before_the_dollar(self, md):
        # fmt_usd(-1708.4) = "−$1,708"; P10 / P90 -3245.2 / -1219.9 = "−$3,245 / −$1,220"
        # the costs_more tile says it first ("$3,543 more", the reason's own figure): no second "Saved over" row
        assert "| Over the horizon | $3,543 more |  |" in md and "| Saved over 12 months |" not in md
        assert "| copy | NOT YET | 700 | 0.0 | fireworks/llama-3.1-8b-lora | −$1,708 |" in md
        assert "| Savings P10 / P90 | −$3,245 / −$1,220 |  |" in md
        assert "$-" not in md

    def test_a_loss_is_not_cheaper(self, md):
        assert "| Cheaper per month (with upkeep) | not cheaper |  |" in md     # 0.6x with upkeep, not "0.6x"
        assert "x cheaper" not in md and "0.6x" not in md

    @pytest.mark.parametrize("ratio, text", [(21.2, "21×"), (1.6, "1.6×"), (1.04, "not cheaper"),
                                             (1.0, "not cheaper"), (0.6, "not cheaper"), (0.0, "not cheaper"),
                                             (None, "–")])
    def test_cheaper_text(self, ratio, text):
        assert R.cheaper_text(ratio) == text

    def test_per_request_cost_in_the_pages_precision(self, md):
        # fmt_usd: cents from $0.01 (0.0284 -> $0.03), two significant digits below (0.00013 -> $0.00013)
        assert "| selfhost/mistral-7b@l4 | self-hosted | $0.03 |" in md
        assert "| fireworks/llama-3.1-8b-lora | hosted fine-tune | $0.00013 |" in md
        assert "0.02840" not in md


class TestPagesWords:
    def test_reasons_in_words_not_effect_codes(self, md, loss):
        assert "- **Holds it back for now:** fireworks/llama-3.1-8b-lora costs $3,543 more than gpt-4o-2024-08-06" in md
        assert "### What else was checked" in md
        assert not re.search(r"\*\*(delays|supports|blocks|info)\*\*", md)
        for r in loss.reasons:
            if "_" in r.code:
                assert r.code not in md.replace(md_text(EVIL), ""), r.code

    def test_option_kinds_in_words(self, md):
        assert "| gpt-4o-2024-08-06 | API |" in md and "| GPU rental |" in md
        assert not re.search(r"\| (api|hosted|selfhost|gpu) \|", md)

    def test_one_verdict_casing_like_the_page(self, md):
        assert "| copy | NOT YET |" in md
        assert not re.search(r"\| (not yet|no|fine-tune) \|", md)

    def test_the_horizon_of_saved_dollars_is_named(self, md):
        assert "over 12 months no change (“Saved $” covers 12 months)." in md


    def test_a_fine_tunes_key_figures_are_its_tiles(self):
        # the typed fixture of tests/present/test_ui.py: FINE-TUNE openpipe/mistral-7b against gpt-4-0613 at 5,000/day
        s = Scenario(Workload.typed(5000, 1200, 1000), baseline="gpt-4-0613", as_of=dt.date(2024, 3, 28),
                     options=("openpipe/mistral-7b",), training_examples=2000)
        md = render_markdown({"all": recommend(s, draws=200)})
        key = md.split("## Key figures")[1].split("##")[0]
        assert [r.split(" | ")[0] for r in key.strip().splitlines()[2:]] == [
            "| Verdict", "| Best option", "| Today per month", "| Fine-tuned per month", "| Saved over 12 months",
            "| Pays back", "| Chance it pays off"]


class TestAudience:
    def test_downloaded_from_the_page_speaks_the_pages_language(self, md):
        assert md.rstrip().endswith("Interactive charts: download the HTML report.")
        assert "`.html`" not in md and "--training-examples" not in md
        assert "set “Training examples” (under “Edit assumptions”) in the sidebar" in md

    def test_written_by_the_cli_keeps_its_flags(self, recs, tmp_path):
        text = write_report(tmp_path / "r.md", recs).read_text()
        assert "Interactive charts: write the report with an .html name (for example -o report.html)." in text
        assert "pass --training-examples" in text


class TestLinksAndEscaping:
    def test_a_url_keeps_its_underscores(self, recs):
        md = render_markdown(recs, ["cold start (https://example.org/docs/reducing_gpu_cold_start#a~b): 82 s"])
        assert "- cold start (https://example.org/docs/reducing_gpu_cold_start#a%7Eb): 82 s" in md

    def test_untrusted_labels_stay_inert(self, md):
        assert "\\[x\\](https://evil.io/%5Fa%5F)&lt;b&gt;" in md
        assert "[x](https" not in md and "<b>" not in md

    def test_html_links_addresses_in_prose_only(self, recs, two_tasks):
        html = render_html(recs, ["see https://example.org/a_b?c=1&d=2."], analysis=two_tasks)
        url = "https://example.org/a_b?c=1&amp;d=2"
        assert f'<li>see <a href="{url}">{url}</a>.</li>' in html
        assert 'href="https://evil.io' not in html and "<b>x" not in html and "&lt;b&gt;" in html

    def test_html_prose_escapes(self):
        assert R.html_prose('<i>"x"</i> http://a.io/x_(y)') == \
            '&lt;i&gt;&quot;x&quot;&lt;/i&gt; <a href="http://a.io/x_(y)">http://a.io/x_(y)</a>'


class TestHtmlLikeThePage:
    def test_traffic_by_hour_in_the_pages_task_colours(self, two_tasks):
        # task_colours(["b-task", "a-task"]): the page's task palette in the page's order, busiest first
        figs = report_figures(two_tasks.focus, _frame({"a-task": 5, "b-task": 9}), analysis=two_tasks)
        traffic = figs[-1]
        assert traffic.layout.title.text == "Requests by hour of day (UTC)"
        assert {t.name: t.marker.color for t in traffic.data} == {"a-task": "#f58518", "b-task": "#4c78a8"}

    def test_no_hours_no_traffic_chart(self, two_tasks):
        frame = _frame({"a-task": 3}).assign(timestamp=pd.NaT)
        titles = [f.layout.title.text for f in report_figures(two_tasks.focus, frame, analysis=two_tasks)]
        assert "Requests by hour of day (UTC)" not in titles and "Tokens per request by task" in titles

    def test_option_charts_in_the_pages_colours(self, two_tasks):
        fig = report_figures(two_tasks.focus, analysis=two_tasks)[0]
        for t in fig.data:
            if t.name in two_tasks.colours:
                assert t.line.color == two_tasks.colours[t.name]

    def test_fits_a_phone(self, recs, two_tasks):
        html = render_html(recs, analysis=two_tasks)
        assert "<meta name='viewport' content='width=device-width, initial-scale=1'>" in html
        assert ".tw{overflow-x:auto" in html
        assert html.count("<table>") == html.count("<div class='tw'><table>") > 0
