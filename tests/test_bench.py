"""The benchmarks the README quotes must run: their scenarios name options that exist on their dates (a hosted
endpoint dropped from the catalog once broke ``bench/advise.py`` with no test noticing)."""

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _module(name: str):
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(BENCH))


def test_the_advise_benchmarks_scenario_prices_every_option():
    from advisor import price_options

    bench = _module("advise")
    base, priced = price_options(bench.typed_scenario())
    assert base.name == "gpt-4o" and [p.name for p in priced] == ["together/llama-3.1-8b-lora",
                                                                   "selfhost/mistral-7b@a100-80gb"]
