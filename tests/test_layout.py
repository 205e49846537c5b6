"""The test tree mirrors the packages without package files, so two test modules may not share a basename
(pytest would stop collecting the suite: 'import file mismatch')."""

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_test_module_basenames_are_unique():
    names = Counter(p.name for p in TESTS.rglob("test_*.py"))
    assert not [n for n, k in names.items() if k > 1], names.most_common(3)
