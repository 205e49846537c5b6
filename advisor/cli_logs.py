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
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    bar.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")


def read_from_args(args):
    from .logs import read_logs

    ft = None if str(args.ft_tokenizer).lower() == "none" else args.ft_tokenizer
    progress = ProgressBar() if want_progress(args, args.logs) else None
    return read_logs(args.logs, format=args.format, model=args.model, ft_tokenizer=ft, progress=progress)


def _cmd_count(args, h) -> int:
    result = read_from_args(args)
    out = result.summary(max_problems=args.max_problems)
    lines = [f"{'requests':>20}: {out['requests']:,}",
             f"{'prompt tokens':>20}: {out['prompt_tokens']:,}",
             f"{'completion tokens':>20}: {out['completion_tokens']:,}",
             f"{'cached tokens':>20}: {out['cached_tokens']:,}",
             f"{'7B prompt tokens':>20}: {h['fmt'](out['ft_prompt_tokens'], ',')}",
             f"{'7B completion tokens':>20}: {h['fmt'](out['ft_completion_tokens'], ',')}",
             f"{'from usage':>20}: {out['tokens_source']['usage']:,}",
             f"{'counted':>20}: {out['tokens_source']['counted']:,}",
             f"{'tasks':>20}: {out['tasks']}",
             f"{'skipped':>20}: {out['skipped']:,}"]
    for p in out["problems"][:20]:
        lines.append(f"  skipped {p['file']}:{p['line']}: {p['reason']}")
    if out["skipped"] > 20:
        lines.append(f"  … {out['skipped'] - 20} more (see --json)")
    for a in out["assumptions"]:
        lines.append(f"  assumption: {a}")
    h["emit"](out, args.json, "\n".join(lines))
    return 0


def register(sub, h) -> None:
    c = sub.add_parser("count", help="count the tokens of exported logs")
    c.add_argument("logs", nargs="+", metavar="LOG")
    add_log_flags(c)
    c.add_argument("--max-problems", type=int, default=100, help="problems listed in the JSON (all are counted)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=lambda a: _cmd_count(a, h))
