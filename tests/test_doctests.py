"""Every worked example in a docstring runs: each module of ``advisor`` and ``pricing`` whose docstrings hold
``>>>`` examples is found on disk (a new module is included without editing this file)."""

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts)
                 for pkg in ("advisor", "pricing") for p in (ROOT / pkg).rglob("*.py")
                 if ">>>" in p.read_text(encoding="utf-8"))


def test_the_worked_examples_are_found():
    assert len(MODULES) >= 20 and "advisor.present.view" in MODULES and "pricing.selfhost" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_worked_examples_in_docstrings(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
