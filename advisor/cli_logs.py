"""The ``count`` command, and the log flags and progress bar that ``advise`` and ``report`` share."""

from __future__ import annotations

import os
import sys
import time


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
    return sum(os.path.getsize(p) for p in paths if os.path.isfile(p)) > 5_000_000


def add_log_flags(p) -> None:
    p.add_argument("--format", help="log format (default: detected per file)")
    p.add_argument("--model", help="the model whose tokenizer counts records that name none (or an unknown one)")
    p.add_argument("--ft-tokenizer", default="mistral-v1", help="7B tokenizer for ft_* counts: mistral-v1, "
                   "mistral-v3, or none")
    p.add_argument("--max-record-mb", type=float, default=64.0, metavar="MB",
                   help="skip (and list) any record larger than this, decompressed (default 64)")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")


def _checked(value, name: str, low: float, high: float):
    """A finite flag value in [low, high], or a one-line error naming the flag."""
    import math

    from .errors import LogError

    if value is None:
        return None
    if not math.isfinite(value) or not low <= value <= high:
        raise LogError(f"{name} must be a number from {_plain(low)} to {_plain(high)}")
    return value


def _plain(x: float) -> str:
    return f"{x:,.3f}".rstrip("0").rstrip(".")


def read_from_args(args):
    from .logs import read_logs

    ft = None if str(args.ft_tokenizer).lower() == "none" else args.ft_tokenizer
    progress = ProgressBar() if want_progress(args, args.logs) else None
    assumed = _checked(getattr(args, "completion_tokens", None), "--completion-tokens", 0, 1e7)
    max_mb = _checked(getattr(args, "max_record_mb", None), "--max-record-mb", 0.001, 1e6)
    kw = {"max_record_bytes": int(max_mb * 2**20)} if max_mb is not None else {}
    return read_logs(args.logs, format=args.format, model=args.model, ft_tokenizer=ft, progress=progress,
                     assumed_completion_tokens=assumed, **kw)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A text cell a spreadsheet will not run as a formula (OWASP CSV injection): a leading = + - @ TAB CR gets a
    quote in front. Model names and request ids come from the logs, so from anyone who can call the API.

    >>> print(csv_safe("=SUM(A1)"), csv_safe("gpt-4o"), csv_safe(None), csv_safe("-1"))
    '=SUM(A1) gpt-4o None '-1
    """
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def write_per_request(result, out: str) -> int:
    """Write ``count --per-request OUT`` (.csv or .parquet): one row per request, no text; the rows written."""
    from pathlib import Path

    import pandas as pd

    from .errors import LogError
    from .logs.reader import per_request_frame

    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise LogError("--per-request needs a .csv or .parquet file name", file=out)
    table = per_request_frame(result.frame)
    try:
        if suffix == ".csv":
            text = [c for c in table.columns if table[c].dtype == object or isinstance(table[c].dtype, pd.CategoricalDtype)]
            table.assign(**{c: table[c].astype(object).map(csv_safe) for c in text}).to_csv(out, index=False)
        else:
            table.to_parquet(out, index=False)
    except ImportError:
        raise LogError("writing Parquet needs pyarrow (pip install pyarrow); or use a .csv name", file=out) from None
    except OSError as exc:
        raise LogError(f"cannot write ({exc.strerror or type(exc).__name__})", file=out) from None
    return len(table)


def _cmd_count(args, h) -> int:
    if args.max_problems < 0:
        from .errors import LogError
        raise LogError("--max-problems must be 0 or more")
    result = read_from_args(args)
    out = result.summary(max_problems=args.max_problems)
    if getattr(args, "per_request", None):
        out["per_request"] = {"file": args.per_request, "rows": write_per_request(result, args.per_request)}
    lines = [f"{'requests':>20}: {out['requests']:,}",
             f"{'prompt tokens':>20}: {out['prompt_tokens']:,}",
             f"{'completion tokens':>20}: {out['completion_tokens']:,}",
             f"{'cached tokens':>20}: {out['cached_tokens']:,}",
             f"{'7B prompt tokens':>20}: {h['fmt'](out['ft_prompt_tokens'], ',')}",
             f"{'7B completion tokens':>20}: {h['fmt'](out['ft_completion_tokens'], ',')}",
             f"{'from usage':>20}: {out['tokens_source']['usage']:,}",
             f"{'counted':>20}: {out['tokens_source']['counted']:,}",
             f"{'tasks':>20}: {out['tasks']}",
             f"{'skipped':>20}: {out['skipped']:,}",
             f"{'ignored':>20}: {out['ignored']:,}" + (" (not model calls)" if out["ignored"] else "")]
    for p in out["problems"][:20]:
        lines.append(f"  skipped {p['file']}:{p['line']}: {p['reason']}")
    if out["skipped"] > 20:
        lines.append(f"  … {out['skipped'] - 20} more (see --json)")
    for reason, n in list(out["ignored_by_reason"].items())[:10]:
        lines.append(f"  ignored {n:,}: {reason}")
    for a in out["assumptions"]:
        lines.append(f"  assumption: {a}")
    if "per_request" in out:
        lines.append(f"  per-request table: {out['per_request']['file']} ({out['per_request']['rows']:,} rows)")
    h["emit"](out, args.json, "\n".join(lines))
    return 0


def register(sub, h) -> None:
    c = sub.add_parser("count", help="count the tokens of exported logs")
    c.add_argument("logs", nargs="+", metavar="LOG")
    add_log_flags(c)
    c.add_argument("--max-problems", type=int, default=100, help="problems listed in the JSON (all are counted)")
    c.add_argument("--completion-tokens", type=float, default=None, metavar="N",
                   help="completion tokens to assume for a request logged without its response (reported as an "
                        "assumption); without it such requests are listed as problems")
    c.add_argument("--per-request", metavar="OUT", help="also write one row per request to OUT (.csv or .parquet): "
                   "file, line, request_id, timestamp, model, task, prompt/completion/cached tokens, 7B tokens, "
                   "tokens_source; no text")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=lambda a: _cmd_count(a, h))
