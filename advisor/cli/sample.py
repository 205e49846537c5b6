"""The ``sample`` command: write the built-in sample logs to a file, so every README command runs on a real file."""

from __future__ import annotations

import gzip

from advisor.cli.common import emit

__all__ = ["register"]


def _cmd_sample(args) -> int:
    from advisor.errors import LogError
    from advisor.samples import SAMPLE_TASKS, write_sample_logs

    try:
        path = write_sample_logs(args.out)
    except OSError as exc:
        raise LogError(f"{args.out}: cannot be written ({exc.strerror or type(exc).__name__}); name a file in a "
                       "folder you can write to") from None
    with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as fh:
        records = sum(1 for _ in fh)
    tasks = {t.name: {"requests_per_weekday": t.requests_per_weekday, "logged_one_in": t.logged_one_in}
             for t in SAMPLE_TASKS}
    out = {"file": str(path), "records": records, "tasks": tasks}
    lines = [f"wrote {path}: {records:,} records, a week of gpt-4o traffic in {len(tasks)} tasks"]
    lines += [f"  {name}: ~{t['requests_per_weekday']:,.0f} requests a weekday"
              + (f", logged one in {t['logged_one_in']} (each record says so: metadata.sample_rate)"
                 if t["logged_one_in"] > 1 else ", every request logged")
              for name, t in tasks.items()]
    lines.append(f"next: python -m advisor advise {path}")
    emit(out, args.json, "\n".join(lines))
    return 0


def register(sub) -> None:
    c = sub.add_parser("sample", help="write the built-in sample logs (the page's default) to a file")
    c.add_argument("out", metavar="OUT", help="the file to write (JSONL; gzipped when it ends in .gz)")
    c.add_argument("--json", action="store_true", help="print one strict JSON object instead of text")
    c.set_defaults(func=_cmd_sample)
