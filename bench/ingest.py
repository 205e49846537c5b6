"""Ingestion speed as a ratio to tiktoken's own batch encoder on the same texts.

    python bench/ingest.py [--mb 100] [--json]

Generates (once, cached under bench/out/) a log of realistic chat requests *without* usage, so
every token must be counted, and one *with* usage. In one child process it then times:

- ``ingest``: ``advisor.logs.read_logs`` with API counts only (the floor is tiktoken itself);
- ``ingest_with_7b``: the default path, the same plus the 7B model's counts (on chunks of 2,000 requests or
  more, one request in 16 per task is encoded with the 7B tokenizer and the rest are estimated from that
  sample's 7B/API token ratio, reported with its 95% interval: see advisor/logs/counting.py);
- ``tiktoken``: ``Encoding.encode_ordinary_batch(texts, num_threads=2)`` on the very texts the log
  holds (extracted beforehand, untimed): the raw baseline;
- ``usage``: reading the log that carries usage (no tokenizing at all).

All rates are file megabytes per second, so ``ratio_vs_tiktoken`` = t_tiktoken / t_ingest. Peak RSS
is measured after ingestion, before the baseline loads its texts. Goal (issue 8): the default path,
``ratio_with_7b_vs_tiktoken`` >= 1.0 on 2 cores. ``ft_prompt_tokens_sampled_vs_exact``: the sampled 7B
prompt-token total over the exact one on the log's first 20,000 requests (what sampling costs in precision).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import emit  # noqa: E402

OUT = ROOT / "bench" / "out"


def make_logs(mb: float) -> tuple[Path, Path]:
    from advisor.samples import write_sample_logs

    OUT.mkdir(parents=True, exist_ok=True)
    # the sample (advisor.samples) for 14 days is ~8.5 MB without usage; scale the days to reach the size asked for
    days = max(1, int(round(14 * mb / 8.5)))
    counted = OUT / f"ingest-{days}d-nousage.jsonl"
    usage = OUT / f"ingest-{days}d-usage.jsonl"
    for path, share in ((counted, 1.0), (usage, 0.0)):
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            write_sample_logs(tmp, days=days, no_usage_share=share, seed=11)
            tmp.rename(path)
    return counted, usage


def _texts(path: Path) -> list[str]:
    texts: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            texts += [m["content"] for m in rec["request"]["messages"]]
            texts.append(rec["response"]["choices"][0]["message"]["content"])
    return texts


def child(counted: Path, usage: Path) -> dict:
    from advisor.logs import read_logs
    from advisor.tokens.counter import get_encoding, get_ft_tokenizer

    enc = get_encoding("o200k_base")  # load outside the timings
    get_ft_tokenizer("mistral-v1")
    size_mb = counted.stat().st_size / 1e6

    t = time.perf_counter()
    result = read_logs(counted, ft_tokenizer=None)
    t_ingest = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    t = time.perf_counter()
    read_logs(counted)
    t_ingest_ft = time.perf_counter() - t
    head = OUT / "ingest-head-20k.jsonl"
    with open(counted, encoding="utf-8") as src, open(head, "w", encoding="utf-8") as dst:
        dst.writelines(line for _, line in zip(range(20_000), src))
    sampled_head = read_logs(head).frame.ft_prompt_tokens.sum()
    # chunks below 2,000 requests are counted exactly (advisor.logs.counting.ChunkCounter.ft_exact_below)
    exact_head = read_logs(head, chunk_records=1999).frame.ft_prompt_tokens.sum()

    t = time.perf_counter()
    read_logs(usage, ft_tokenizer=None)
    t_usage = time.perf_counter() - t
    usage_mb = usage.stat().st_size / 1e6

    texts = _texts(counted)
    t = time.perf_counter()
    enc.encode_ordinary_batch(texts, num_threads=2)
    t_tiktoken = time.perf_counter() - t

    return {
        "file_mb": round(size_mb, 1),
        "requests": int(result.requests),
        "ingest_mb_per_s": round(size_mb / t_ingest, 2),
        "ingest_with_7b_mb_per_s": round(size_mb / t_ingest_ft, 2),
        "tiktoken_mb_per_s": round(size_mb / t_tiktoken, 2),
        "ratio_vs_tiktoken": round(t_tiktoken / t_ingest, 3),
        "ratio_with_7b_vs_tiktoken": round(t_tiktoken / t_ingest_ft, 3),
        "usage_only_mb_per_s": round(usage_mb / t_usage, 2),
        "ft_prompt_tokens_sampled_vs_exact": round(float(sampled_head) / float(exact_head), 5),
        "peak_rss_mb_after_ingest": round(rss_mb, 1),
        "cores": os.cpu_count(),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=100.0, help="log size to generate (default 100 MB)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(Path(a.child[0]), Path(a.child[1]))))
        return 0
    counted, usage = make_logs(a.mb)
    p = subprocess.run([sys.executable, __file__, "--child", str(counted), str(usage)], capture_output=True, text=True)
    if p.returncode:
        sys.stderr.write(p.stderr)
        return p.returncode
    out = json.loads(p.stdout)
    return emit(out, a.json)


if __name__ == "__main__":
    raise SystemExit(main())
