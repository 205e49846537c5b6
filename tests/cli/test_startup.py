"""``python -m advisor --help`` starts without the heavy modules: the parser is built from names alone."""

import subprocess
import sys


def test_building_the_parser_loads_neither_pandas_numpy_nor_the_catalog():
    code = ("import sys; from advisor.cli import build_parser; build_parser(); "
            "print(sorted(m for m in ('pandas', 'numpy', 'pricing.catalog', 'pricing.schema', 'tiktoken', "
            "'advisor.logs.reader') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_help_prints_the_commands():
    p = subprocess.run([sys.executable, "-m", "advisor", "--help"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "count" in p.stdout and "advise" in p.stdout
