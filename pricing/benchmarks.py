"""Published serving measurements of 7-8B models, and the capacity model held against them.

``pricing/data/benchmarks.yaml`` holds one row per published figure; :func:`load_benchmarks` validates it
(pydantic, errors name file, entry and field). :func:`predict` evaluates the capacity model of
:mod:`pricing.selfhost` at a row's setup, :func:`ratios` gives model / published for every row, and
:func:`fit_efficiency` refits the efficiencies on the ``calibrate`` rows.

Reproduce the calibration table: ``python -m pricing.benchmarks`` (``--fit`` to refit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from ._yaml import read_yaml, sections, unique, validate_entry
from .catalog import Catalog, today
from .errors import CatalogError
from .schema import Gpu
from .selfhost import (
    DEFAULT_EFFICIENCY,
    ENGINES,
    LEGACY_TRTLLM_ATTENTION_FRACTION,
    PRECISION_BYTES,
    TRTLLM_STEP_OVERHEAD_S,
    ServingEfficiency,
    capacity,
)
from .selfhost import engine_efficiency as selfhost_engine_efficiency

__all__ = [
    "BENCHMARKS_PATH",
    "Benchmark",
    "calibration_loss",
    "engine_efficiency",
    "fit_efficiency",
    "load_benchmarks",
    "predict",
    "ratios",
    "summary",
]

BENCHMARKS_PATH = Path(__file__).parent / "data" / "benchmarks.yaml"

Metric = Literal["output_tokens_per_s", "ttft_s", "itl_s", "e2e_s"]


class Benchmark(BaseModel):
    """One published measurement: setup (engine, precision, lengths, batch), figure, source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    model: str = Field(min_length=1)            # catalog open-model id
    gpu: str = Field(min_length=1)              # catalog GPU id
    precision: Literal[tuple(PRECISION_BYTES)]  # type: ignore[valid-type]
    engine: Literal[ENGINES]  # type: ignore[valid-type]
    engine_version: str = Field(min_length=1)
    input_tokens: int = Field(ge=0)             # per request
    output_tokens: int = Field(ge=1)            # per request
    concurrency: int | None = Field(default=None, ge=1)  # fixed batch / requests in flight
    max_batch: int | None = Field(default=None, ge=1)    # max-throughput runs: engine limit (None = memory)
    metric: Metric
    value: float = Field(gt=0)                  # tokens/s or seconds, as the metric says
    role: Literal["calibrate", "holdout"]
    source: str = Field(min_length=1)             # URL of the publication
    published: dt.date
    note: str = ""

    @field_validator("source")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("https://", "http://")):
            raise ValueError("give the URL of the publication (https://...)")
        return v

    @model_validator(mode="after")
    def _setup(self) -> Benchmark:
        if self.concurrency is not None and self.max_batch is not None:
            raise ValueError("give concurrency (a fixed batch) or max_batch (a max-throughput run), not both")
        if self.concurrency is None and self.metric != "output_tokens_per_s":
            raise ValueError(f"a {self.metric} figure needs the concurrency it was measured at")
        return self


_ADAPTER = TypeAdapter(Benchmark)


def load_benchmarks(path: Path | str = BENCHMARKS_PATH) -> tuple[Benchmark, ...]:
    """Validated rows of a benchmarks YAML file (``benchmarks:`` list); ids are unique."""
    path = Path(path)
    entries = sections(read_yaml(path, missing="no such benchmarks file; give the path of a benchmarks YAML file"),
                       path, ("benchmarks",)).get("benchmarks")
    if not entries:
        raise CatalogError(f"{path}: expected a top-level 'benchmarks:' list of rows")
    rows = tuple(validate_entry(_ADAPTER, Benchmark, e, path, "benchmarks", i) for i, e in enumerate(entries))
    unique((r.id for r in rows), path, "benchmarks")
    return rows


def engine_efficiency(row: Benchmark, gpu: Gpu, eff: ServingEfficiency = DEFAULT_EFFICIENCY,
                      legacy_fraction: float = LEGACY_TRTLLM_ATTENTION_FRACTION,
                      trtllm_step_overhead_s: float | None = None) -> ServingEfficiency:
    """The efficiencies of the row's engine (:func:`pricing.selfhost.engine_efficiency`).

    >>> import datetime as dt
    >>> r = Benchmark(id="x", model="mistral-7b", gpu="h100-sxm", precision="fp8", engine="tensorrt-llm",
    ...               engine_version="0.9.0", input_tokens=128, output_tokens=128, concurrency=8,
    ...               metric="output_tokens_per_s", value=1.0, role="holdout", source="https://x",
    ...               published=dt.date(2024, 4, 16))
    >>> h100 = Gpu("h100-sxm", "H100 SXM", 80, 3350, 989, 1979, "", {})
    >>> round(engine_efficiency(r, h100, legacy_fraction=0.01).attention_tflops, 6)  # 0.01 * 989 TFLOP/s
    9.89
    """
    return selfhost_engine_efficiency(row.engine, row.engine_version, gpu, eff, legacy_fraction=legacy_fraction,
                                      trtllm_step_overhead_s=trtllm_step_overhead_s)


def predict(row: Benchmark, cat: Catalog, eff: ServingEfficiency = DEFAULT_EFFICIENCY,
            legacy_fraction: float = LEGACY_TRTLLM_ATTENTION_FRACTION, trtllm_step_overhead_s: float | None = None) -> float:
    """The model's figure for the row's setup (same unit as ``row.value``)."""
    m, g = cat.open_model(row.model), cat.gpu(row.gpu)
    eff = engine_efficiency(row, g, eff, legacy_fraction, trtllm_step_overhead_s)
    if row.concurrency is not None:
        cap = capacity(m, g, row.input_tokens, row.output_tokens, precision=row.precision,
                       concurrency=row.concurrency, eff=eff)
    else:
        cap = capacity(m, g, row.input_tokens, row.output_tokens, precision=row.precision, eff=eff,
                       max_batch=row.max_batch if row.max_batch is not None else "memory")
    return float(getattr(cap, row.metric))


def ratios(rows, cat: Catalog, eff: ServingEfficiency = DEFAULT_EFFICIENCY,
           legacy_fraction: float = LEGACY_TRTLLM_ATTENTION_FRACTION, trtllm_step_overhead_s: float | None = None
           ) -> np.ndarray:
    """``model / published`` for every row (throughput > 1 = optimistic; latency > 1 = pessimistic)."""
    return np.array([predict(r, cat, eff, legacy_fraction, trtllm_step_overhead_s) / r.value for r in rows])


def summary(r: np.ndarray) -> tuple[float, float]:
    """(worst, median) of ``max(r, 1/r)``: how many times off, either way."""
    off = np.maximum(r, 1.0 / r)
    return float(off.max()), float(np.median(off))


_FIT = ("flops", "flops_fp8", "hbm", "gqa_reread", "step_overhead_s", "seq_overhead_s", "roofline_sharpness",
        "weight_only_kernel")
_BOUNDS = {"flops": (0.3, 0.95), "flops_fp8": (0.2, 0.95), "hbm": (0.5, 0.95), "gqa_reread": (0.0, 1.0),
           "step_overhead_s": (0.0, 0.01), "seq_overhead_s": (0.0, 2e-5), "roofline_sharpness": (1.0, 8.0),
           "weight_only_kernel": (0.2, 1.0),
           "legacy": (0.001, 0.05), "trtllm_step_overhead_s": (0.0, 0.01)}


def calibration_loss(rows, cat: Catalog, eff: ServingEfficiency = DEFAULT_EFFICIENCY,
                     legacy_fraction: float = LEGACY_TRTLLM_ATTENTION_FRACTION,
                     trtllm_step_overhead_s: float | None = None) -> float:
    """What the fit minimises: worst ``|log(model / published)|`` plus half the median."""
    off = np.abs(np.log(ratios(rows, cat, eff, legacy_fraction, trtllm_step_overhead_s)))
    return float(off.max() + 0.5 * np.median(off))


def fit_efficiency(rows, cat: Catalog, start: ServingEfficiency = DEFAULT_EFFICIENCY,
                   legacy_fraction: float = LEGACY_TRTLLM_ATTENTION_FRACTION,
                   trtllm_step_overhead_s: float = TRTLLM_STEP_OVERHEAD_S) -> tuple[ServingEfficiency, float, float]:
    """Coordinate search (steps 8% .. 0.5% of each bound's span) minimising :func:`calibration_loss` on ``rows``.

    Deterministic, offline and dependency-free. DEFAULT_EFFICIENCY, selfhost.GPU_SUSTAINED,
    LEGACY_TRTLLM_ATTENTION_FRACTION and TRTLLM_STEP_OVERHEAD_S were chosen by Nelder-Mead on the same loss over the
    calibrate rows and rounded; this search, started there, stays within about 1% of them. Returns (efficiency,
    legacy fraction, TensorRT-LLM step overhead).
    """
    def loss(x: dict) -> float:
        eff = dataclasses.replace(start, **{k: x[k] for k in _FIT})
        return calibration_loss(rows, cat, eff, x["legacy"], x["trtllm_step_overhead_s"])

    x = {k: getattr(start, k) for k in _FIT} | {"legacy": legacy_fraction,
                                                "trtllm_step_overhead_s": trtllm_step_overhead_s}
    best = loss(x)
    for step in (0.08, 0.04, 0.02, 0.01, 0.005):
        improved = True
        while improved:
            improved = False
            for name, (lo, hi) in _BOUNDS.items():
                for sign in (-1.0, 1.0):
                    cand = dict(x)
                    cand[name] = min(max(x[name] + sign * step * (hi - lo), lo), hi)
                    cl = loss(cand)
                    if cl < best - 1e-9:
                        x, best, improved = cand, cl, True
    return dataclasses.replace(start, **{k: x[k] for k in _FIT}), x["legacy"], x["trtllm_step_overhead_s"]


@functools.cache
def _catalog() -> Catalog:
    from .catalog import load_catalog
    return load_catalog(today())


def _table(rows, r) -> str:
    lines = [f"{'id':<58} {'metric':<20} {'published':>10} {'model':>10} {'ratio':>6} split"]
    for row, x in zip(rows, r):
        pred = x * row.value
        lines.append(f"{row.id:<58} {row.metric:<20} {row.value:>10.4g} {pred:>10.4g} {x:>6.2f} {row.role}")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m pricing.benchmarks",
                                description="the capacity model against published serving measurements")
    p.add_argument("--fit", action="store_true", help="refit the efficiencies on the calibrate rows")
    a = p.parse_args(argv)
    rows, cat = load_benchmarks(), _catalog()
    eff, legacy, t_trt = DEFAULT_EFFICIENCY, LEGACY_TRTLLM_ATTENTION_FRACTION, TRTLLM_STEP_OVERHEAD_S
    if a.fit:
        eff, legacy, t_trt = fit_efficiency([r for r in rows if r.role == "calibrate"], cat)
        print("fitted:", {k: round(getattr(eff, k), 7) for k in _FIT}, "legacy fraction:", round(legacy, 5),
              "TensorRT-LLM step overhead:", round(t_trt, 6))
    r = ratios(rows, cat, eff, legacy, t_trt)
    print(_table(rows, r))
    for role in ("calibrate", "holdout"):
        for kind, metrics in (("throughput", ("output_tokens_per_s",)), ("latency", ("ttft_s", "itl_s", "e2e_s"))):
            sel = np.array([x.role == role and x.metric in metrics for x in rows])
            if sel.any():
                worst, med = summary(r[sel])
                print(f"{role:<9} {kind:<10} n={int(sel.sum()):>3}  worst {worst:.3f}x  median {med:.3f}x")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

