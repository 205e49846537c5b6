"""The ``capacity`` command: one GPU replica's throughput and latency for an open model."""

from __future__ import annotations

from collections.abc import Iterator

from advisor.cli.common import add_price_flags, emit, fmt, number, positive

__all__ = ["register"]


class _EngineNames:
    """The choices of ``--engine``, read from pricing.selfhost when argparse checks or shows them: building the
    parser (``python -m advisor --help``) does not load pricing and numpy."""

    def _names(self) -> list[str]:
        from pricing.selfhost import ENGINES
        return list(ENGINES)

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())


def _cmd_capacity(a) -> int:
    from pricing import capacity as replica_capacity
    from pricing import load_catalog

    cat = load_catalog(a.as_of, overrides=a.prices)
    model, gpu = cat.open_model(a.model), cat.gpu(a.gpu)
    cap = replica_capacity(model, gpu, a.input_tokens, a.output_tokens, precision=a.precision,
                           concurrency=a.concurrency, max_batch=a.max_batch, max_throughput=a.max_throughput,
                           engine=a.engine, engine_version=a.engine_version)
    out = {"model": model.id, "gpu": gpu.id, "precision": a.precision, "engine": a.engine,
           "input_tokens": a.input_tokens, "output_tokens": a.output_tokens, "concurrency": cap.concurrency,
           "output_tokens_per_s": cap.output_tokens_per_s, "requests_per_s": cap.requests_per_s,
           "ttft_s": cap.ttft_s, "itl_s": cap.itl_s, "e2e_s": cap.e2e_s, "max_concurrency": cap.max_concurrency,
           "max_batch": a.max_batch, "memory_max_concurrency": cap.memory_max_concurrency,
           "limited_by": cap.limited_by, "kv_capacity_tokens": cap.kv_capacity_tokens, "weights_gb": cap.weights_gb}
    table = "\n".join(f"{k:>22}: {fmt(v, ',.4g') if isinstance(v, float) else v}" for k, v in out.items())
    emit(out, a.json, table)
    return 0


def register(sub) -> None:
    k = sub.add_parser("capacity", help="one GPU replica's throughput and latency for a model")
    k.add_argument("--model", required=True, help="open model id, e.g. mistral-7b")
    k.add_argument("--gpu", required=True, help="GPU id, e.g. a100-80gb")
    k.add_argument("--precision", default="bf16", choices=["bf16", "fp16", "fp8", "int8", "int4"],
                   help="weights precision of the self-hosted model (default bf16; fp8 needs FP8 tensor cores)")
    k.add_argument("--input-tokens", type=positive(float), required=True, help="prompt tokens per request")
    k.add_argument("--output-tokens", type=positive(float), required=True, help="completion tokens per request")
    mode = k.add_mutually_exclusive_group(required=True)
    mode.add_argument("--max-throughput", action="store_true",
                      help="at the largest batch memory allows (capped by --max-batch when given)")
    mode.add_argument("--concurrency", type=number(int, 1), help="at this many concurrent requests")
    k.add_argument("--max-batch", type=number(int, 1), default=None,
                   help="the engine's maximum concurrent sequences (vLLM --max-num-seqs); default: no engine limit "
                        "with --max-throughput or --concurrency")
    k.add_argument("--engine", default="vllm", choices=_EngineNames(), metavar="ENGINE",  # type: ignore[arg-type]
                   help="serving engine whose fitted overheads to use: %(choices)s (default vllm)")
    k.add_argument("--engine-version", default=None, help="engine release, e.g. 0.9.0 (TensorRT-LLM < 0.10 differs)")
    add_price_flags(k)
    k.add_argument("--json", action="store_true", help="print one strict JSON object instead of a table")
    k.set_defaults(func=_cmd_capacity)
