"""What every command shares: the parser that errs in one line, checked number flags, the workload,
scenario and price flags, reading logs from the flags (with a progress bar), and printing JSON or a table."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
import time

from advisor.fields import FIELDS, PEOPLE
from advisor.jsonsafe import json_safe


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        sub = self.prog.split()[-1]
        hint = "python -m advisor --help" if sub == "advisor" else f"python -m advisor {sub} --help"
        raise UsageError(f"{message} (see `{hint}`)")


class UsageError(Exception):
    pass


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from None


def number(kind=float, lo: float = 0.0, hi: float = math.inf, *, lo_open: bool = False):
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


def positive(kind):
    """A finite number >= 0 (kept for the other commands' flags)."""
    return number(kind, 0.0, math.inf)


MAX_REQUESTS_PER_DAY = 1e9
MAX_TOKENS = 10_000_000


def emit(obj: dict, as_json: bool, table: str) -> None:
    if as_json:
        json.dump(json_safe(obj), sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(table.rstrip() + "\n")


def fmt(v, spec: str = ".4g", none: str = "-") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return none
    return format(v, spec)


def table_text(rows: list[dict], cols: list[tuple[str, str, str]]) -> str:
    """cols: (key, header, format spec)."""
    def cell(v, f):
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "-"
        return fmt(v, f) if f else str(v)

    cells = [[h for _, h, _ in cols]] + [[cell(r.get(k), f) for k, _, f in cols] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# scenario flags shared by compare / advise / report


def add_price_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=date_arg, help="price date YYYY-MM-DD (default: today)")
    p.add_argument("--prices", action="append", default=[], metavar="YAML",
                   help="your own catalog YAML (negotiated prices, your GPU price), merged over ours; repeatable")


def add_workload_flags(p: argparse.ArgumentParser, required: bool) -> None:
    add_field(p, "requests_per_day", required=required)
    add_field(p, "prompt_tokens", required=required)
    if "--completion-tokens" not in p._option_string_actions:  # advise: the log flag of that name serves both
        add_field(p, "completion_tokens", required=required)
    p.add_argument("--cached-tokens", type=number(float, 0, MAX_TOKENS), default=0.0,
                   help="mean cached prompt tokens per request (part of --prompt-tokens)")
    p.add_argument("--peak-to-mean", type=number(float, 1, 100),
                   help="busiest hour / mean hour request rate, 1 to 100 (default 2)")
    p.add_argument("--ft-token-ratio", type=number(float, 0.2, 5, lo_open=True),
                   help="7B-tokenizer tokens per API token, in (0.2, 5] (default 1; logs measure it, ~1.13 for "
                        "English prose)")


def field_number(name: str):
    """The argparse type of a numeric field, its range from :data:`advisor.fields.FIELDS` (in the flag's unit)."""
    f = FIELDS[name]
    lo, hi = f.cli_range()
    return number(f.kind, lo, hi, lo_open=f.lo_open)


def add_field(p: argparse.ArgumentParser, name: str, **kw) -> None:
    """One flag declared in :data:`advisor.fields.FIELDS`: its flag, type, range and help, once."""
    f = FIELDS[name]
    if f.flag is None:
        raise ValueError(f"field {name!r} has no CLI flag in advisor.fields.FIELDS; give it one to add it here")
    text = kw.pop("help", f.help or f.label).replace("%%", "%").replace("%", "%%")  # argparse formats help with %
    if f.kind is bool:
        p.add_argument(f.flag, action="store_true", help=text, **kw)
    elif f.kind in (int, float):
        p.add_argument(f.flag, type=field_number(name), help=text, **kw)
    else:
        p.add_argument(f.flag, help=text, **kw)


# people's time and operations: unset = the sourced default of pricing/data/people.yaml. Building the parser reads
# advisor.fields only (defaults included), so `--help` loads neither the scenario nor the price catalog.
PEOPLE_FLAGS = {FIELDS[n].flag: n for n in PEOPLE}


def add_scenario_flags(p: argparse.ArgumentParser) -> None:
    add_field(p, "baseline")
    p.add_argument("--option", dest="options", action="append", default=[], metavar="ID",
                   help="an option to price: API id, hosted id (together/llama-3.1-8b-lora), "
                        "dedicated/<model>@<deployment>, shared/<model>@<deployment> or "
                        "selfhost/<model>@<gpu>[:provider]; repeatable (default: all hosted fine-tunes and dedicated "
                        "deployments, Mistral-7B on five GPUs and every API model cheaper than the baseline)")
    p.add_argument("--no-api-alternatives", action="store_true",
                   help="do not price cheaper API models (switch model, no training); they are priced beside the default "
                        "options and beside --option ones alike")
    p.add_argument(str(FIELDS["switch_providers"].flag), dest="switch_providers", action="append", default=[],
                   metavar="PROVIDER", help=FIELDS["switch_providers"].help)
    for name in ("horizon_months", "growth_per_month"):
        add_field(p, name, default=FIELDS[name].default)
    add_field(p, "batch", help="the baseline runs through the Batch API (50% off)")
    p.add_argument("--precision", default=FIELDS["precision"].default, choices=["bf16", "fp16", "fp8", "int8", "int4"],
                   help=FIELDS["precision"].help)
    add_field(p, "scale_to_zero", help="self-hosted replicas autoscale to zero (cold starts cost GPU time and latency)")
    add_field(p, "latency_sensitive", help="users wait on the answer: no option slower than the baseline (or the "
                                           "targets) is advised, and low volume does not hold back a faster fine-tune")
    for name in ("e2e_target_s", "itl_target_s", "ttft_target_s", "training_examples"):
        add_field(p, name)
    for name in ("epochs", "retrains_per_year"):
        add_field(p, name, default=FIELDS[name].default)
    for name in ("prompt_changes_per_month", "static_prompt_tokens", "ft_prompt_tokens", "labelling_usd_per_run",
                 "engineering_usd", "selfhost_ops_usd_per_month", "judge_model", *PEOPLE):
        add_field(p, name)
    add_field(p, "needs_deep_reasoning", help="the task needs GPT-4-level reasoning")
    add_field(p, "out_of_domain", help="inputs drift outside what the logs show")


def _ms(v):
    return None if v is None else v / 1000.0


def scenario_from_args(a, workload):
    from advisor.scenario import Scenario

    people = {field: getattr(a, flag[2:].replace("-", "_")) for flag, field in PEOPLE_FLAGS.items()}
    return Scenario(
        workload=workload, baseline=a.baseline, options=tuple(a.options), horizon_months=a.horizon_months,
        growth_per_month=a.growth_per_month, as_of=a.as_of, batch=a.batch, precision=a.precision,
        scale_to_zero=a.scale_to_zero, latency_sensitive=a.latency_sensitive, e2e_target_s=_ms(a.e2e_target_ms),
        itl_target_s=_ms(a.itl_target_ms), ttft_target_s=_ms(a.ttft_target_ms),
        training_examples=a.training_examples, epochs=a.epochs, retrains_per_year=a.retrains_per_year,
        prompt_changes_per_month=a.prompt_changes_per_month, labelling_usd_per_run=a.labelling_usd,
        static_prompt_tokens=a.static_prompt_tokens, ft_prompt_tokens=a.ft_prompt_tokens,
        engineering_usd=a.engineering_usd, selfhost_ops_usd_per_month=a.ops_usd_per_month,
        judge_model=a.judge_model, include_api_alternatives=not a.no_api_alternatives,
        needs_deep_reasoning=a.needs_deep_reasoning, out_of_domain=a.out_of_domain, price_files=tuple(a.prices),
        switch_providers=tuple(getattr(a, "switch_providers", ()) or ()), **people)


def typed_workload(a):
    from advisor.workload import Workload

    return Workload.typed(a.requests_per_day, a.prompt_tokens, a.completion_tokens, cached_tokens=a.cached_tokens,
                          peak_to_mean=a.peak_to_mean, ft_token_ratio=a.ft_token_ratio)


OPTION_KEYS = ("name", "kind", "usd_per_request", "usd_per_month", "ttft_s", "e2e_s", "one_off_usd",
                "recurring_usd_per_month", "usd_horizon", "savings_ratio", "break_even_requests_per_day",
                "payback_month", "gpus", "itl_s", "meets_latency", "notes", "source",
                # added with total cost of ownership
                "role", "total_usd_per_month", "savings_usd_per_month", "savings_usd_horizon", "cold_start_share",
                "one_off_items", "recurring_items", "reasoning", "path", "trainable")

OPTION_COLS = [("name", "option", ""), ("role", "role", ""), ("usd_per_request", "USD/request", ".5f"),
                ("usd_per_month", "USD/month", ",.0f"), ("savings_ratio", "x cheaper", ".1f"),
                ("total_usd_per_month", "USD/month w/ upkeep", ",.0f"),
                ("one_off_usd", "one-off USD", ",.0f"), ("break_even_requests_per_day", "break-even req/day", ",.0f"),
                ("ttft_s", "TTFT s", ".2f"), ("e2e_s", "e2e s", ".1f"), ("gpus", "GPUs", ".0f")]


def option_rows(df) -> list[dict]:
    return [{k: r[k] for k in OPTION_KEYS} for r in df.to_dict("records")]


class ProgressBar:
    """A one-line progress bar on stderr: ``[#####.....]  45%  12.3/27.0 MB  8.1 MB/s``."""

    def __init__(self, label: str = "reading", stream=None, width: int = 30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.t0 = time.perf_counter()
        self._last = -1.0

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = done / total if total else 1.0
        fill = int(frac * self.width)
        rate = done / 1e6 / max(now - self.t0, 1e-9)
        self.stream.write(f"\r{self.label} [{'#' * fill}{'.' * (self.width - fill)}] {frac:4.0%}  "
                          f"{done / 1e6:.1f}/{total / 1e6:.1f} MB  {rate:.1f} MB/s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def want_progress(args, paths) -> bool:
    if getattr(args, "progress", None) is not None:
        return args.progress
    if not sys.stderr.isatty() or (getattr(args, "json", False) and not sys.stdout.isatty()):
        return False
    if getattr(args, "workers", None) or getattr(args, "scheduler", None) or any("://" in str(p) for p in paths):
        return True  # a cluster or object storage: worth watching
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p)) > 5_000_000


def add_log_flags(p) -> None:
    p.add_argument("--format", help="log format (default: detected per file)")
    p.add_argument("--model", help="the model whose tokenizer counts records that name none (or an unknown one)")
    p.add_argument("--ft-tokenizer", default="mistral-v1", help="7B tokenizer for ft_* counts: mistral-v1, "
                   "mistral-v3, or none")
    p.add_argument("--max-record-mb", type=float, default=64.0, metavar="MB",
                   help="skip (and list) any record larger than this, decompressed (default 64)")
    p.add_argument("--storage-option", dest="storage_options", action="append", default=[], metavar="KEY=VALUE",
                   help="an fsspec storage option for s3:// gs:// az:// https:// logs, e.g. endpoint_url=http://"
                        "localhost:9000, anon=true, profile=prod; repeatable (default: each backend's own credentials)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=number(int, 1, 4096), metavar="N",
                       help="read and count on a local Dask cluster of N worker processes (needs the scale extra)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="read and count on a running Dask cluster, e.g. tcp://HOST:8786 (needs the scale extra; "
                            "the workers read the logs themselves: give them object-storage URLs or shared paths)")
    p.add_argument("--sample-rate", type=number(float, 1, 1e6), default=1.0, metavar="N",
                   help="the logs keep one request in N (1-in-N logging): each record stands for N requests, and the "
                        "volume measured from timestamps is scaled by N (records stating their own "
                        "metadata.sample_rate carry it already; default 1)")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")


def _checked(value, name: str, low: float, high: float):
    """A finite flag value in [low, high], or a one-line error naming the flag."""
    import math

    from advisor.errors import LogError

    if value is None:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        raise LogError(f"{name} must be a number from {_plain(low)} to {_plain(high)}")
    return value


def _plain(x: float) -> str:
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def read_from_args(args):
    from advisor.logs import read_logs

    ft = None if str(args.ft_tokenizer).lower() == "none" else args.ft_tokenizer
    progress = ProgressBar() if want_progress(args, args.logs) else None
    assumed = _checked(getattr(args, "completion_tokens", None), "--completion-tokens", 0, 1e7)
    max_mb = _checked(getattr(args, "max_record_mb", None), "--max-record-mb", 0.001, 1e6)
    kw = {"max_record_bytes": int(max_mb * 2**20)} if max_mb is not None else {}
    from advisor.logs.sources import parse_storage_options

    result = read_logs(args.logs, format=args.format, model=args.model, ft_tokenizer=ft, progress=progress,
                       assumed_completion_tokens=assumed,
                       storage_options=parse_storage_options(getattr(args, "storage_options", None) or []),
                       workers=getattr(args, "workers", None), scheduler=getattr(args, "scheduler", None), **kw)
    one_in = getattr(args, "sample_rate", 1.0)
    if one_in != 1:
        from advisor.workload import scale_sampled

        result.frame = scale_sampled(result.frame, one_in)
        result.assumptions.append(f"the logs keep one request in {one_in:,.10g} (--sample-rate): each record stands "
                                  f"for {one_in:,.10g} requests")
    return result
