"""Lint and types are part of the tests: ruff and mypy with the project's configuration (pyproject.toml)."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(shutil.which("ruff") is None and _run("ruff", "--version").returncode != 0, reason="ruff not installed")
def test_ruff_clean():
    p = _run("ruff", "check", "advisor", "pricing", "app.py", "tests", "tools", "bench", "--output-format", "concise")
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy not installed (it is in the test extra)")
def test_mypy_clean():
    # packages, options and error codes come from [tool.mypy] in pyproject.toml; nothing is disabled there
    p = _run("mypy")
    assert p.returncode == 0 and "Success: no issues found" in p.stdout, p.stdout + p.stderr
