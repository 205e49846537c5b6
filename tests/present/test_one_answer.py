"""One answer on every surface (issue 18): the same inputs give the same verdict, option, figures and words in the
library, ``advise --json``, ``report`` (Markdown and HTML), the quickstart notebook and the page (AppTest here; the
page in Chromium is tests/app/test_browser.py::test_page_tiles_equal_the_library). Two inputs: the built-in sample
(written by ``python -m advisor sample``) and one typed scenario."""

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor import Scenario, Workload
from advisor.logs import read_logs
from advisor.present.view import headline_text, tiles
from advisor.recommend import recommend, recommend_tasks
from advisor.workload import profile_tasks

ROOT = Path(__file__).resolve().parents[2]
TYPED = ["--requests-per-day", "1000", "--prompt-tokens", "1200", "--completion-tokens", "300"]

pytestmark = pytest.mark.slow


def cli(*argv, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "advisor", *map(str, argv)], capture_output=True, text=True,
                          cwd=cwd, timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    d = tmp_path_factory.mktemp("one-answer")
    proc = cli("sample", d / "sample.jsonl", cwd=d)
    assert proc.returncode == 0, proc.stderr
    return d / "sample.jsonl"


def library_sample(path):
    ws = profile_tasks(read_logs(path).frame)
    return recommend_tasks(ws, Scenario(ws["all"]))


def library_typed():
    return {"all": recommend(Scenario(Workload.typed(1000, 1200, 300)))}


def answer(recs) -> dict:
    """What every surface must say alike: the headline, and each tile's label, value and note."""
    return {"headline": headline_text(recs["all"], recs, "all"),
            **{t.label: [t.value, t.note] for t in tiles(recs["all"])}}


@pytest.fixture(scope="module")
def expected(sample):
    return {"sample": (library_sample(sample), ["advise", sample]), "typed": (library_typed(), ["advise", *TYPED])}


@pytest.mark.parametrize("case", ["sample", "typed"])
def test_advise_json_equals_the_library(expected, case, tmp_path):
    recs, argv = expected[case]
    rec = recs["all"]
    proc = cli(*argv, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["headline"] == headline_text(rec, recs, "all")
    assert (doc["verdict"], doc["best_option"], doc["baseline"]) == (rec.verdict, rec.best_option, rec.baseline)
    for key in ("savings_usd_horizon", "savings_usd_p10", "savings_usd_p90", "p_pays_off", "savings_ratio",
                "break_even_requests_per_day"):
        assert doc[key] == pytest.approx(getattr(rec, key), rel=1e-9), key
    assert doc["payback_months"] == rec.payback_months
    assert doc["break_even_option"] in (rec.best_option, None)   # the recommended option's, never another's


@pytest.mark.parametrize("case", ["sample", "typed"])
def test_reports_say_the_same_words(expected, case, tmp_path):
    recs, argv = expected[case]
    want = answer(recs)
    for suffix in ("md", "html"):
        out = tmp_path / f"report.{suffix}"
        proc = cli("report", *argv[1:], "-o", out, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        text = out.read_text(encoding="utf-8")
        if suffix == "html":
            text = html.unescape(text)
        assert want["headline"] in text.replace("\\", "")
        for label, (value, note) in [(k, v) for k, v in want.items() if k != "headline"]:
            if suffix == "md":
                assert f"| {label} | {value} | {note or ''} |".replace("  |", " |") in text.replace("  |", " |"), label
            else:
                assert label in text and value in text and (not note or note in text), label


def test_notebook_prints_the_same_answer(expected):
    nbclient, nbformat = pytest.importorskip("nbclient"), pytest.importorskip("nbformat")
    nb = nbformat.read(ROOT / "notebooks" / "quickstart.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    assert json.loads(printed) == answer(expected["sample"][0])


def _drawn(text: str | None) -> str | None:
    return html.unescape(text.replace("\\", "")) if text else None


@pytest.mark.parametrize("case", ["sample", "typed"])
def test_page_equals_the_library(expected, case):
    from streamlit.testing.v1 import AppTest

    recs, _ = expected[case]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    if case == "typed":
        at.query_params.update({"source": "typed numbers", "rpd": "1000", "pt": "1200", "ct": "300"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    want = answer(recs)
    box = next(b.value for b in list(at.success) + list(at.warning) + list(at.error) if b.value.startswith("**Verdict"))
    assert box.replace("\\", "") == f"**Verdict: {want['headline']}**"
    # as the browser draws them: a tile's ">99%" is sent as Markdown "&gt;99%"; a tile without a note: no delta
    shown = {m.label: [_drawn(m.value), _drawn(m.delta)] for m in at.metric}
    assert shown == {k: v for k, v in want.items() if k != "headline"}


def test_page_after_an_upload_equals_the_library(sample):
    """The sample's file uploaded on the page (read from memory, measured there) gives what the library gives on
    the file on disk: same headline and tiles."""
    from streamlit.testing.v1 import AppTest

    want = answer(library_sample(sample))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["source"] = "upload logs"
    at.run()
    at.file_uploader(key="upload").upload(sample.name, sample.read_bytes()).run()
    assert not at.exception, [e.value for e in at.exception]
    box = next(b.value for b in list(at.success) + list(at.warning) + list(at.error) if b.value.startswith("**Verdict"))
    assert box.replace("\\", "") == f"**Verdict: {want['headline']}**"
    assert {m.label: [_drawn(m.value), _drawn(m.delta)] for m in at.metric} == {
        k: v for k, v in want.items() if k != "headline"}
