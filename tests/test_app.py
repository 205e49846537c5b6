"""The dashboard, driven through Streamlit's AppTest by stable widget keys."""

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

TIMEOUT = 180
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def app():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def verdict_text(at) -> str:
    boxes = [b.value for b in list(at.success) + list(at.warning) + list(at.error)]
    return next(b for b in boxes if b.startswith("**Verdict"))


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


class TestSample:
    def test_opens_on_sample_with_verdict_and_figures(self, app):
        assert "Verdict:" in verdict_text(app)
        m = metrics(app)
        assert {"Now per month", "Fine-tuned per month", "Savings ratio", "Break-even", "Payback month",
                "P(pays off)"} <= set(m)
        assert any("requests logged" in c.value for c in app.caption)
        charts = {c.key for c in app.get("plotly_chart")}
        assert {"chart_cost", "chart_cumulative", "chart_latency", "chart_tornado", "chart_mc", "chart_tokens",
                "chart_traffic"} <= charts
        assert len(app.dataframe) >= 3  # options, per task, prices

    def test_volume_changes_verdict_and_numbers(self, app):
        before = metrics(app)["Now per month"]
        app.number_input(key="rpd").set_value(50).run()
        assert not app.exception
        assert metrics(app)["Now per month"] != before
        assert "Verdict: NO" in verdict_text(app)
        assert app.query_params["rpd"] == "50"
        app.number_input(key="rpd").set_value(200_000).run()
        assert "Verdict: FINE-TUNE" in verdict_text(app)

    def test_task_selection(self, app):
        app.number_input(key="rpd").set_value(1800).run()
        app.selectbox(key="task").set_value("contract-fields").run()
        assert not app.exception
        assert app.query_params["task"] == "contract-fields"
        assert verdict_text(app).startswith("**Verdict: NO** for task **contract-fields**")
        assert any("below 100" in m.value for m in app.markdown)

    def test_flag_blocks(self, app):
        app.selectbox(key="task").set_value("all").run()
        app.checkbox(key="deep_reasoning").check().run()
        assert "Verdict: NO" in verdict_text(app)
        app.checkbox(key="deep_reasoning").uncheck().run()


class TestTypedAndUpload:
    def test_typed_numbers(self):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params["source"] = "typed numbers"
        at.query_params["rpd"] = "5000"
        at.query_params["asof"] = "2024-03-28"
        at.query_params["baseline"] = "gpt-4-0613"
        at.query_params["hosted"] = "openpipe/mistral-7b"
        at.query_params["gpus"] = ""
        at.query_params["pt"] = "1200"
        at.query_params["ct"] = "1000"
        at.query_params["examples"] = "2000"
        at.run()
        assert not at.exception
        assert "Verdict: FINE-TUNE" in verdict_text(at)
        # the March 2024 claim from the URL alone: 96 / 3.04 = 31.6x
        assert metrics(at)["Savings ratio"] == "31.6x"

    def test_upload_good_and_bad(self):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params["source"] = "upload logs"
        at.run()
        assert any("Upload one or more" in i.value for i in at.info)
        rec = {"request": {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
               "response": {"created": 1735689600, "choices": [{"message": {"role": "assistant", "content": "yo"}}],
                            "usage": {"prompt_tokens": 8, "completion_tokens": 1}}}
        at.file_uploader(key="upload").upload("bad.bin", b"\x00\x01\x02 not a log").run()
        assert not at.exception
        assert any("binary file" in e.value for e in at.error)
        at.file_uploader(key="upload").set_value(
            ("good.jsonl", (json.dumps(rec) + "\n{broken\n").encode(), "application/json")).run()
        assert not at.exception
        assert [e.value for e in at.error if not e.value.startswith("**Verdict")] == []
        assert "Verdict:" in verdict_text(at)
        assert any("1 records skipped" in c.value for c in at.caption)
