"""The ``dataset`` command: a task's logs into ``train.jsonl``, ``eval.jsonl``, ``judge.md`` and ``summary.json``.

``python -m advisor dataset LOGS --task T --out DIR [--format openai|hf|openpipe] [--force] [--scrub]``
(and ``--judge-model``, ``--epochs``, ``--as-of``, ``--prices`` for the costs it prints). Prints what was kept
and dropped, the exact 7B training tokens and the training cost of this dataset on each fine-tune option.
"""

from __future__ import annotations

from dataclasses import replace

from advisor.cli.common import add_price_flags, emit, fmt, number, table_text
from advisor.dataset.shapes import OUT_FORMATS

_COST_COLS = [("option", "fine-tune option", ""), ("examples", "examples", ",d"), ("tokens_7b", "7B tokens", ",d"),
              ("epochs", "epochs", "d"), ("usd_text", "training USD", "")]
_DROPS = {"failed": "failed or unreadable calls", "no_answer": "calls without an answer",
          "old_version": "calls of an earlier prompt version", "no_time": "calls without a time",
          "exact_duplicate": "exact duplicates", "near_duplicate": "near-duplicates",
          "over_limit": "over the token limit"}


def usd_text(usd: float) -> str:
    """Dollars to the cent, and to two significant figures under a cent (a self-run LoRA on 20k tokens).

    >>> usd_text(1.647), usd_text(0.0037), usd_text(0.0)
    ('1.65', '0.0037', '0.00')
    """
    return f"{usd:,.2f}" if usd >= 0.01 or usd == 0 else f"{usd:.2g}"


def _text(out: dict) -> str:
    from advisor.dataset.costs import TOKENS_NOTE

    s = out["summary"]
    lines = [f"dataset of task {s['task']} ({out['format']}) written to {out['out']}:",
             f"  kept {s['kept_train']:,} to train ({s['train_first']} .. {s['train_last']}) and {s['kept_eval']:,} to "
             f"evaluate ({s['eval_first']} .. {s['eval_last']}), of {s['records']:,} logged calls of the task",
             "  dropped: " + (", ".join(f"{n:,} {_DROPS[k]}" for k, n in s["dropped"].items() if n) or "none")]
    lines.append(f"  duplicates: {s['dedupe']}")
    if s["scrubbed"] is not None:
        lines.append("  scrubbed: " + ", ".join(f"{n:,} {k.replace('_', ' ')}" for k, n in s["scrubbed"].items()))
    for o in s["over_limit"][:20]:
        lines.append(f"  over {s['limit_tokens']:,} tokens: {o['file']}:{o['line']} ({o['tokens_7b']:,} tokens)")
    for n in s["notes"]:
        lines.append(f"  note: {n}")
    lines.append(f"  training tokens (Mistral 7B tokenizer, one epoch): {s['train_tokens_7b']:,}; eval "
                 f"{s['eval_tokens_7b']:,}")
    rows = [{**r, "usd_text": usd_text(r["usd"])} for r in s["training_cost"]]
    lines += ["", f"training this dataset ({s['training_cost'][0]['epochs']} epochs):", table_text(rows, _COST_COLS)]
    lines.append(f"  ({TOKENS_NOTE})")
    j = out["judge"]
    lines += ["", f"judging the eval set with {j['judge']}: {j['calls']:,} calls (both orders), "
                  f"${fmt(j['usd'], ',.2f')} (see judge.md)"]
    return "\n".join(lines)


def _cmd_dataset(args) -> int:
    from advisor.dataset import build_dataset, dataset_files, judge_run_cost, training_costs, write_dataset

    ds = build_dataset(args.logs, args.task, format=args.log_format, scrub=args.scrub)
    kw = {"as_of": args.as_of, "price_files": tuple(args.prices), "epochs": args.epochs}
    judge = judge_run_cost(ds.eval, args.judge_model, **kw)
    ds = replace(ds, summary=replace(ds.summary, training_cost=tuple(training_costs(ds.train, **kw)),
                                     judge=judge.__dict__))
    files = dataset_files(ds, args.format, judge)
    path = write_dataset(files, args.out, force=args.force)
    out = {"out": str(path), "format": args.format, "files": sorted(files), "summary": ds.summary.as_dict(),
           "judge": judge.__dict__}
    emit(out, args.json, _text(out))
    return 0


def register(sub) -> None:
    d = sub.add_parser("dataset", help="a task's logs into a training set, an eval set and a judge prompt")
    d.add_argument("logs", nargs="+", metavar="LOG", help="exported logs with prompt and answer text")
    d.add_argument("--task", required=True, help="the task (as `advise` names it)")
    d.add_argument("--out", required=True, metavar="DIR", help="directory to write (refused if it exists)")
    d.add_argument("--format", choices=OUT_FORMATS, default="openai",
                   help="openai (chat fine-tuning JSONL), hf (Hugging Face messages) or openpipe")
    d.add_argument("--log-format", default=None, help="the logs' format, when detection needs help")
    d.add_argument("--force", action="store_true", help="replace an existing --out directory")
    d.add_argument("--scrub", action="store_true", help="replace emails, phone numbers, card numbers and API keys")
    d.add_argument("--judge-model", default=None, help="the judge's API model id (default: as `advise` picks it)")
    d.add_argument("--epochs", type=number(int, 1, 20), default=3, help="training epochs for the costs, 1 to 20")
    add_price_flags(d)
    d.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    d.set_defaults(func=_cmd_dataset)
