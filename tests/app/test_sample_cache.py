"""The built-in sample is kept in Streamlit's disk cache across restarts; its key must change with the code that
measures it, or an upgraded page shows what an older counter measured while ``advise`` on the same sample says
otherwise (seen on 2026-12-07: the page said the best fine-tune saves $11,488, ``advise`` $11,891)."""

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

import advisor.ui.cachekey as cachekey  # noqa: E402
import advisor.ui.data as ui_data  # noqa: E402
from advisor.ui.cachekey import code_digest, sample_cache_key  # noqa: E402

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _package(root: Path) -> Path:
    (root / "logs").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "logs" / "reader.py").write_text("X = 1\n")
    return root


def test_the_digest_moves_with_any_source_file(tmp_path):
    pkg = _package(tmp_path / "a")
    before = code_digest.__wrapped__(pkg)
    assert code_digest.__wrapped__(pkg) == before
    (pkg / "logs" / "reader.py").write_text("X = 2\n")
    edited = code_digest.__wrapped__(pkg)
    (pkg / "logs" / "new.py").write_text("")
    added = code_digest.__wrapped__(pkg)
    assert len({before, edited, added}) == 3
    (pkg / "notes.txt").write_text("not code")
    assert code_digest.__wrapped__(pkg) == added


def test_the_digest_moves_with_the_tokenizer_data(monkeypatch, tmp_path):
    pkg = _package(tmp_path / "a")
    before = code_digest.__wrapped__(pkg)
    monkeypatch.setattr(cachekey, "_version", lambda name: "9.9" if name == "mistral-common" else "1.0")
    assert code_digest.__wrapped__(pkg) != before


def test_the_key_holds_the_samples_version_and_the_code():
    assert sample_cache_key("v4") == f"v4+{code_digest()}"
    assert sample_cache_key("v4") != sample_cache_key("v5")


def test_the_page_measures_the_sample_again_when_the_code_changed(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))  # Streamlit's disk cache lives under ~/.streamlit
    calls = []
    real = ui_data.sample_data

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(ui_data, "sample_data", counted)

    def run() -> None:
        at = AppTest.from_file(APP, default_timeout=180)
        at.run()
        assert not at.exception, [e.value for e in at.exception]

    monkeypatch.setattr(cachekey, "code_digest", lambda: "code-a")
    run()
    run()
    assert len(calls) == 1  # the second run is served from the cache
    monkeypatch.setattr(cachekey, "code_digest", lambda: "code-b")
    run()
    assert len(calls) == 2  # new code: measured again, never the older figures
