"""The page offers the recommended task's dataset (issue 21), built in memory when clicked."""

import io
import json
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from advisor.dataset import check_line, dataset_download, sample_log_files  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_the_page_offers_the_recommended_tasks_dataset():
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    button = next(b for b in at.get("download_button") if b.proto.label.startswith("Download the training"))
    # the headline speaks for product-copy on the built-in sample (tests/golden/page-sample.txt)
    assert button.proto.label.endswith("product-copy")
    assert any("Task fit from the logs" in m.value for m in at.markdown)


def test_the_download_is_a_zip_of_valid_files():
    data = dataset_download(sample_log_files(), "contract-fields", as_of="2026-11-25")
    z = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(n.split("/", 1)[1] for n in z.namelist())
    assert names == ["eval.jsonl", "judge.md", "summary.json", "train.jsonl"]
    folder = z.namelist()[0].split("/")[0]
    for split in ("train.jsonl", "eval.jsonl"):
        lines = [json.loads(x) for x in z.read(f"{folder}/{split}").decode().splitlines()]
        assert lines and all(check_line("openai", x) == [] for x in lines)
