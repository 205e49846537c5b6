import datetime as dt
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pricing import load_catalog  # noqa: E402

TODAY_FIXED = dt.date(2026, 11, 25)  # tests never depend on the machine's clock


@pytest.fixture(scope="session")
def cat():
    return load_catalog(TODAY_FIXED)


@pytest.fixture(scope="session")
def cat_2024():
    return load_catalog(dt.date(2024, 3, 28))


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str | bytes) -> Path:
        p = tmp_path / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode())
        return p
    return _write


def pytest_configure(config):
    os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")


def load_build_fixtures():
    """tools/build_fixtures.py as a module (a script, not a package): the builder the recorded-call tests check."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_fixtures", ROOT / "tools" / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its frozen dataclass looks its module up while being defined
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bf():
    """The fixture builder module (tools/build_fixtures.py)."""
    return load_build_fixtures()


def run_git(repo: Path, *args: str) -> str:
    """``git -C repo ARGS`` with a fixed author and no user or system config (tests that build repositories)."""
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
           "PATH": os.environ.get("PATH", "")}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()
