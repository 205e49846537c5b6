"""The ``count`` command: the tokens of exported logs, with one row per request written beside."""

from __future__ import annotations

from advisor.cli.common import add_log_flags, emit, fmt, read_from_args

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

    from advisor.errors import LogError
    from advisor.logs.reader import per_request_frame
    from advisor.outfile import write_atomically

    suffix = Path(out).suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise LogError("--per-request needs a .csv or .parquet file name", file=out)
    table = per_request_frame(result.frame)
    try:
        if suffix == ".csv":
            text = [c for c in table.columns if table[c].dtype == object or isinstance(table[c].dtype, pd.CategoricalDtype)]
            safe = table.assign(**{c: table[c].astype(object).map(csv_safe) for c in text})
            write_atomically(out, lambda tmp: safe.to_csv(tmp, index=False))
        else:
            write_atomically(out, lambda tmp: table.to_parquet(tmp, index=False))
    except ImportError:
        raise LogError("writing Parquet needs pyarrow (pip install pyarrow); or use a .csv name", file=out) from None
    except OSError as exc:
        raise LogError(f"cannot write ({exc.strerror or type(exc).__name__})", file=out) from None
    return len(table)


def _cmd_count(args) -> int:
    if args.max_problems < 0:
        from advisor.errors import LogError
        raise LogError("--max-problems must be 0 or more")
    result = read_from_args(args)
    out = result.summary(max_problems=args.max_problems)
    if getattr(args, "per_request", None):
        out["per_request"] = {"file": args.per_request, "rows": write_per_request(result, args.per_request)}
    lines = [f"{'requests':>20}: {out['requests']:,}",
             f"{'prompt tokens':>20}: {out['prompt_tokens']:,}",
             f"{'completion tokens':>20}: {out['completion_tokens']:,}",
             f"{'cached tokens':>20}: {out['cached_tokens']:,}",
             f"{'7B prompt tokens':>20}: {fmt(out['ft_prompt_tokens'], ',')}",
             f"{'7B completion tokens':>20}: {fmt(out['ft_completion_tokens'], ',')}",
             f"{'from usage':>20}: {out['tokens_source']['usage']:,}",
             f"{'counted':>20}: {out['tokens_source']['counted']:,}",
             f"{'tasks':>20}: {out['tasks']}",
             f"{'skipped':>20}: {out['skipped']:,}",
             f"{'ignored':>20}: {out['ignored']:,}" + (" (not model calls)" if out["ignored"] else "")]
    if out["lower_bound_requests"]:
        lines.append(f"{'lower bounds':>20}: {out['lower_bound_requests']:,} (parts the log cannot show were not "
                     "counted: see the assumptions)")
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
    emit(out, args.json, "\n".join(lines))
    return 0


def register(sub) -> None:
    c = sub.add_parser("count", help="count the tokens of exported logs")
    c.add_argument("logs", nargs="+", metavar="LOG",
                   help="exported log files (JSONL, JSON, CSV/TSV, Parquet, SSE text; gzip/bz2/xz)")
    add_log_flags(c)
    c.add_argument("--max-problems", type=int, default=100, help="problems listed in the JSON (all are counted)")
    c.add_argument("--completion-tokens", type=float, default=None, metavar="N",
                   help="completion tokens to assume for a request logged without its response (reported as an "
                        "assumption); without it such requests are listed as problems")
    c.add_argument("--per-request", metavar="OUT", help="also write one row per request to OUT (.csv or .parquet): "
                   "file, line, request_id, timestamp, model, task, prompt/completion/cached tokens, 7B tokens, "
                   "tokens_source; no text")
    c.add_argument("--json", action="store_true", help="print one strict JSON object instead of a table")
    c.set_defaults(func=_cmd_count)
