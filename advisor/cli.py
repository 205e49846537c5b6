"""Command line: ``python -m advisor {compare,capacity,count,advise,report} …``.

Each command prints one JSON object with ``--json`` and a readable table without. Any bad input
exits 2 with one line ``error: …`` on stderr saying how to fix the call; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections.abc import Sequence

from pricing import AdvisorError, capacity as replica_capacity, load_catalog

from .jsonsafe import json_safe

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        sub = self.prog.split()[-1]
        hint = "python -m advisor --help" if sub == "advisor" else f"python -m advisor {sub} --help"
        raise _UsageError(f"{message} (see `{hint}`)")


class _UsageError(Exception):
    pass


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _number(kind=float, lo: float = 0.0, hi: float = math.inf, *, lo_open: bool = False):
    """An argparse type: a finite ``kind`` in [lo, hi] (``(lo, hi]`` with ``lo_open``); the error names the range."""
    rng = f"{'(' if lo_open else '['}{lo:g}, {hi:g}]"

    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a{' whole' if kind is int else ''} number") from None
        if isinstance(v, float) and not math.isfinite(v):
            raise argparse.ArgumentTypeError(f"{text!r} must be a finite number in {rng}")
        if v < lo or v > hi or (lo_open and v == lo):
            raise argparse.ArgumentTypeError(f"{text!r} is out of range: use a number in {rng}")
        return v
    return parse


def _positive(kind):
    """A finite number >= 0 (kept for the other commands' flags)."""
    return _number(kind, 0.0, math.inf)


MAX_REQUESTS_PER_DAY = 1e9
MAX_TOKENS = 10_000_000


def _emit(obj: dict, as_json: bool, table: str) -> None:
    if as_json:
        json.dump(json_safe(obj), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table.rstrip() + "\n")


def _fmt(v, spec: str = ".4g", none: str = "-") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return none
    return format(v, spec)


def _table(rows: list[dict], cols: list[tuple[str, str, str]]) -> str:
    """cols: (key, header, format spec)."""
    def cell(v, f):
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "-"
        return _fmt(v, f) if f else str(v)

    cells = [[h for _, h, _ in cols]] + [[cell(r.get(k), f) for k, _, f in cols] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# scenario flags shared by compare / advise / report


def _add_price_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=_date, help="price date YYYY-MM-DD (default: today)")
    p.add_argument("--prices", action="append", default=[], metavar="YAML",
                   help="your own catalog YAML (negotiated prices, your GPU price), merged over ours; repeatable")


def _add_workload_flags(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--requests-per-day", type=_number(float, 0, MAX_REQUESTS_PER_DAY), required=required,
                   help="requests a day, 0 to 1e9")
    p.add_argument("--prompt-tokens", type=_number(float, 0, MAX_TOKENS), required=required,
                   help="mean prompt tokens per request")
    if "--completion-tokens" not in p._option_string_actions:  # advise: the log flag of that name serves both
        p.add_argument("--completion-tokens", type=_number(float, 0, MAX_TOKENS), required=required,
                       help="mean completion tokens per request")
    p.add_argument("--cached-tokens", type=_number(float, 0, MAX_TOKENS), default=0.0,
                   help="mean cached prompt tokens per request (part of --prompt-tokens)")
    p.add_argument("--peak-to-mean", type=_number(float, 1, 100),
                   help="busiest hour / mean hour request rate, 1 to 100 (default 2)")
    p.add_argument("--ft-token-ratio", type=_number(float, 0.2, 5, lo_open=True),
                   help="7B-tokenizer tokens per API token, in (0.2, 5] (default 1; logs measure it, ~1.13 for "
                        "English prose)")


# people's time and operations: flag -> (Scenario field, type, help); unset = the sourced default
_PEOPLE_FLAGS = {
    "--engineer-usd-per-hour": ("engineer_usd_per_hour", _number(float, 0.01, 10_000),
                                "an engineer's loaded cost per hour (default: BLS median wage x loaded-cost multiplier)"),
    "--review-minutes-per-example": ("review_minutes_per_example", _number(float, 0, 600),
                                     "minutes to review one training example (default 0.5)"),
    "--eval-set-hours": ("eval_set_hours", _number(float, 0, 10_000), "hours to build the evaluation set (default 4)"),
    "--integration-hours": ("integration_hours", _number(float, 0, 10_000),
                            "hours to integrate the fine-tuned model (default 4)"),
    "--selfhost-setup-hours": ("selfhost_setup_hours", _number(float, 0, 10_000),
                               "hours to set up self-hosted serving, one-off (default 16)"),
    "--retrain-hours": ("retrain_hours", _number(float, 0, 10_000), "people hours per retraining (default 2)"),
    "--monitoring-hours-per-month": ("monitoring_hours_per_month", _number(float, 0, 744),
                                     "hours a month watching the fine-tuned model (default 0.5)"),
    "--selfhost-ops-hours-per-month": ("selfhost_ops_hours_per_month", _number(float, 0, 744),
                                       "hours a month operating self-hosted serving (default 8)"),
    "--switch-model-hours": ("switch_model_hours", _number(float, 0, 10_000),
                             "hours to switch to a cheaper API model (default 2)"),
    "--eval-examples": ("eval_examples", _number(int, 0, 1_000_000),
                        "examples judged by the judge model at every training run (default 200)"),
    "--min-replicas": ("min_replicas", _number(int, 1, 1000), "self-hosted GPUs always on (default 2)"),
    "--cold-start-s": ("cold_start_s", _number(float, 0, 3600), "scale-to-zero cold start in seconds (default 82)"),
}


def _add_scenario_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--baseline", help="the API model you pay for today (default: newest GPT-4-class on the date)")
    p.add_argument("--option", dest="options", action="append", default=[], metavar="ID",
                   help="an option to price: API id, hosted id (openpipe/mistral-7b) or selfhost/<model>@<gpu>[:provider]; "
                        "repeatable (default: all hosted fine-tunes, Mistral-7B on five GPUs and every API model "
                        "cheaper than the baseline)")
    p.add_argument("--no-api-alternatives", action="store_true",
                   help="do not price cheaper API models (switch model, no training) by default")
    p.add_argument("--horizon-months", type=_number(int, 1, 120), default=12, help="1 to 120 months")
    p.add_argument("--growth-per-month", type=_number(float, -0.5, 2, lo_open=True), default=0.0,
                   help="monthly volume growth, 0.05 = +5%% (in (-0.5, 2])")
    p.add_argument("--batch", action="store_true", help="the baseline runs through the Batch API (50%% off)")
    p.add_argument("--precision", default="bf16", choices=["bf16", "fp16", "fp8", "int8", "int4"])
    p.add_argument("--scale-to-zero", action="store_true",
                   help="self-hosted replicas autoscale to zero (cold starts cost GPU time and latency)")
    p.add_argument("--latency-sensitive", action="store_true",
                   help="users wait on the answer: no option slower than the baseline (or the targets) is advised, "
                        "and low volume does not hold back a faster fine-tune")
    p.add_argument("--e2e-target-ms", type=_number(float, 0, 86_400_000, lo_open=True),
                   help="end-to-end latency target for every option")
    p.add_argument("--itl-target-ms", type=_number(float, 0, 86_400_000, lo_open=True),
                   help="self-hosted inter-token latency target")
    p.add_argument("--ttft-target-ms", type=_number(float, 0, 86_400_000, lo_open=True),
                   help="time-to-first-token target for every option")
    p.add_argument("--training-examples", type=_number(int, 0, 100_000_000))
    p.add_argument("--epochs", type=_number(int, 1, 20), default=3, help="1 to 20")
    p.add_argument("--retrains-per-year", type=_number(float, 0, 365), default=4.0)
    p.add_argument("--prompt-changes-per-month", type=_number(float, 0, 1000))
    p.add_argument("--labelling-usd", type=_number(float, 0, 1e12),
                   help="override: data review/labelling cost per training run (default: from people's time)")
    p.add_argument("--engineering-usd", type=_number(float, 0, 1e12),
                   help="override: one-off eval-set, integration and self-hosting setup cost (default: from people's "
                        "time)")
    p.add_argument("--ops-usd-per-month", type=_number(float, 0, 1e12),
                   help="override: self-hosting operations cost a month (default: from people's time)")
    p.add_argument("--judge-model", help="API model judging the evaluation (default: the baseline)")
    for flag, (_, kind, text) in _PEOPLE_FLAGS.items():
        p.add_argument(flag, type=kind, help=text)
    p.add_argument("--needs-deep-reasoning", action="store_true", help="the task needs GPT-4-level reasoning")
    p.add_argument("--out-of-domain", action="store_true", help="inputs drift outside what the logs show")


def _ms(v):
    return None if v is None else v / 1000.0


def _scenario_from_args(a, workload):
    from .scenario import Scenario

    people = {field: getattr(a, flag[2:].replace("-", "_")) for flag, (field, _, _) in _PEOPLE_FLAGS.items()}
    return Scenario(
        workload=workload, baseline=a.baseline, options=tuple(a.options), horizon_months=a.horizon_months,
        growth_per_month=a.growth_per_month, as_of=a.as_of, batch=a.batch, precision=a.precision,
        scale_to_zero=a.scale_to_zero, latency_sensitive=a.latency_sensitive, e2e_target_s=_ms(a.e2e_target_ms),
        itl_target_s=_ms(a.itl_target_ms), ttft_target_s=_ms(a.ttft_target_ms),
        training_examples=a.training_examples, epochs=a.epochs, retrains_per_year=a.retrains_per_year,
        prompt_changes_per_month=a.prompt_changes_per_month, labelling_usd_per_run=a.labelling_usd,
        engineering_usd=a.engineering_usd, selfhost_ops_usd_per_month=a.ops_usd_per_month,
        judge_model=a.judge_model, include_api_alternatives=False if a.no_api_alternatives else None,
        needs_deep_reasoning=a.needs_deep_reasoning, out_of_domain=a.out_of_domain, price_files=tuple(a.prices),
        **people)


def _typed_workload(a):
    from .workload import Workload

    return Workload.typed(a.requests_per_day, a.prompt_tokens, a.completion_tokens, cached_tokens=a.cached_tokens,
                          peak_to_mean=a.peak_to_mean, ft_token_ratio=a.ft_token_ratio)


_OPTION_KEYS = ("name", "kind", "usd_per_request", "usd_per_month", "ttft_s", "e2e_s", "one_off_usd",
                "recurring_usd_per_month", "usd_horizon", "savings_ratio", "break_even_requests_per_day",
                "payback_month", "gpus", "itl_s", "meets_latency", "notes", "source",
                # added with total cost of ownership
                "role", "total_usd_per_month", "savings_usd_per_month", "savings_usd_horizon", "cold_start_share",
                "one_off_items", "recurring_items", "reasoning")

_OPTION_COLS = [("name", "option", ""), ("role", "role", ""), ("usd_per_request", "USD/request", ".5f"),
                ("usd_per_month", "USD/month", ",.0f"), ("savings_ratio", "x cheaper", ".1f"),
                ("total_usd_per_month", "all-in USD/month", ",.0f"),
                ("one_off_usd", "one-off USD", ",.0f"), ("break_even_requests_per_day", "break-even req/day", ",.0f"),
                ("ttft_s", "TTFT s", ".2f"), ("e2e_s", "e2e s", ".1f"), ("gpus", "GPUs", ".0f")]


def _option_rows(df) -> list[dict]:
    return [{k: r[k] for k in _OPTION_KEYS} for r in df.to_dict("records")]


def _cmd_compare(a) -> int:
    from .compare import compare

    scenario = _scenario_from_args(a, _typed_workload(a))
    df = compare(scenario)
    rows = _option_rows(df)
    base = next(r["name"] for r in rows if df.loc[df["name"] == r["name"], "baseline"].iloc[0])
    out = {"baseline": base, "as_of": df.attrs.get("as_of"), "requests_per_day": a.requests_per_day,
           "options": rows, "assumptions": scenario.assumptions()}
    table = _table(rows, _OPTION_COLS)
    notes = "\n".join(f"  - {n}" for n in scenario.assumptions())
    _emit(out, a.json, f"prices as of {out['as_of']}; baseline {base}\n\n{table}\n"
                       + (f"\nassumptions:\n{notes}\n" if notes else ""))
    return 0


def _cmd_capacity(a) -> int:
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
    table = "\n".join(f"{k:>22}: {_fmt(v, ',.4g') if isinstance(v, float) else v}" for k, v in out.items())
    _emit(out, a.json, table)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m advisor",
                description="Would a fine-tuned 7B model be cheaper and faster than GPT-4 for this prompt, and when "
                            "does it pay off? Count tokens from logs, price every option, get the verdict.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser("compare", help="price every option on typed numbers")
    _add_workload_flags(c, required=True)
    _add_scenario_flags(c)
    _add_price_flags(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_compare)

    k = sub.add_parser("capacity", help="one GPU replica's throughput and latency for a model")
    k.add_argument("--model", required=True, help="open model id, e.g. mistral-7b")
    k.add_argument("--gpu", required=True, help="GPU id, e.g. a100-80gb")
    k.add_argument("--precision", default="bf16", choices=["bf16", "fp16", "fp8", "int8", "int4"])
    k.add_argument("--input-tokens", type=_positive(float), required=True)
    k.add_argument("--output-tokens", type=_positive(float), required=True)
    mode = k.add_mutually_exclusive_group(required=True)
    mode.add_argument("--max-throughput", action="store_true",
                      help="at the largest batch memory allows (capped by --max-batch when given)")
    mode.add_argument("--concurrency", type=_number(int, 1), help="at this many concurrent requests")
    k.add_argument("--max-batch", type=_number(int, 1), default=None,
                   help="the engine's maximum concurrent sequences (vLLM --max-num-seqs); default: no engine limit "
                        "with --max-throughput or --concurrency")
    from pricing.selfhost import ENGINES
    k.add_argument("--engine", default="vllm", choices=list(ENGINES),
                   help="serving engine whose fitted overheads to use (default vllm)")
    k.add_argument("--engine-version", default=None, help="engine release, e.g. 0.9.0 (TensorRT-LLM < 0.10 differs)")
    _add_price_flags(k)
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=_cmd_capacity)

    from . import advise_cli, cli_logs

    cli_logs.register(sub, _helpers())
    __import__("advisor.cli_prices").cli_prices.register(sub, _helpers())
    advise_cli.register(sub, _add_workload_flags, _add_scenario_flags, _add_price_flags, _helpers())
    return p


def _helpers():
    return {"emit": _emit, "table": _table, "fmt": _fmt, "number": _number, "scenario_from_args": _scenario_from_args,
            "typed_workload": _typed_workload, "option_rows": _option_rows, "option_cols": _OPTION_COLS}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AdvisorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
