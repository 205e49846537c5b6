"""Behaviour pinned: every CLI command's ``--json`` output and the page's text on the built-in sample, byte for
byte against ``tests/golden/`` (written by ``python tools/golden.py --update`` after an intended change; review
that diff like code). Dates are pinned with ``ADVISOR_TODAY`` so the outputs do not move with the calendar."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
golden = pytest.importorskip("golden")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def outputs():
    return golden.outputs()


@pytest.mark.parametrize("name", sorted(golden.COMMANDS) + ["page-sample.txt"])
def test_output_matches_golden(outputs, name):
    want = (golden.GOLDEN / name).read_text()
    assert outputs[name] == want, f"{name} changed: if intended, run `python tools/golden.py --update` and review the diff"
