"""Ingestion speed against tiktoken on the same texts, on two corpora, paths interleaved, medians of three.

    python bench/ingest.py [--mb 100] [--reps 3] [--only all|usage] [--json]

Corpora (generated once, cached under bench/out/, no usage so every token is counted):

- ``sample``: the built-in sample (advisor.samples): three tasks whose system prompts repeat, as real traffic does
  (the tool encodes a repeated prompt once; tiktoken's batch encodes it every time);
- ``unique``: every request its own system prompt (40-300 words), 1-6 user turns with assistant turns between,
  function tools in 40% of requests (1-3 tools, 1-4 parameters), a tool call as the answer in half of those.

Paths, timed in turn within each repetition (so a load spike hits all of them alike), wall and CPU seconds
(this process and its children):

- ``default``: ``read_logs(path)`` as ``count`` runs it: API and 7B counts, worker processes on every core when
  the read is large enough (advisor.logs.dispatch);
- ``api_only``: the same without the 7B counts;
- ``one_process``: the default counts in this process only (processes=1);
- ``tiktoken_batch2``: ``Encoding.encode_ordinary_batch(texts, num_threads=2)`` on every string the log holds
  (message texts, tool definitions as JSON, tool-call names and arguments, answers), extracted untimed;
- ``tiktoken_loop``: ``len(encode_ordinary(t))`` for the same texts on one core.

``ratio_default_vs_batch2`` = median t_batch2 / median t_default (> 1: faster than tiktoken's batch encoder).
Also the usage-present path: the sample written with usage, read without 7B counts, against orjson parsing
its lines (MB per second, and per CPU-second). The baseline is orjson's parse speed: each line parsed and its
value dropped (``orjson``); parsing into one list kept alive (``orjson_kept``, the baseline before 2026-12-07) is
reported beside it: holding 100 MB of parsed records among this process's corpora makes Python's garbage
collector walk them all: 92 MB/s against 406 (2026-12-07 07:00 UTC), which flattered the ratio.
Goals (issue 20): unique >= 1.0x batch2, sample >= 1.4x,
usage path >= 0.5x orjson. The machine's load average is reported with the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import emit  # noqa: E402

OUT = ROOT / "bench" / "out"
_WORDS = ("the a of to and in for with on is it this that as be by from at are was can will not have our your "
          "order customer refund account shipping billing update error please thanks help need want know time day "
          "product service support delivery address invoice payment card email password login issue problem reply "
          "schedule meeting report draft summary table figure quarter revenue forecast risk contract clause term").split()


def _words(r: random.Random, n: int) -> str:
    return " ".join(r.choice(_WORDS) for _ in range(n))


def _unique_record(r: random.Random, i: int) -> dict:
    tools = None
    if r.random() < 0.4:
        tools = [{"type": "function", "function": {
            "name": f"fn_{r.randrange(10**6)}", "description": _words(r, 12),
            "parameters": {"type": "object", "required": ["p0"], "properties": {
                f"p{k}": {"type": "string", "description": _words(r, 6)} for k in range(r.randint(1, 4))}}}}
            for _ in range(r.randint(1, 3))]
    msgs = [{"role": "system", "content": f"You are assistant {i}. " + _words(r, r.randint(40, 300))}]
    turns = r.randint(1, 6)
    for t in range(turns):
        msgs.append({"role": "user", "content": _words(r, r.randint(10, 120))})
        if t < turns - 1:
            msgs.append({"role": "assistant", "content": _words(r, r.randint(10, 80))})
    if tools and r.random() < 0.5:
        answer = {"role": "assistant", "content": None, "tool_calls": [{
            "id": f"call_{i}", "type": "function", "function": {
                "name": tools[0]["function"]["name"], "arguments": json.dumps({"p0": _words(r, 5)})}}]}
    else:
        answer = {"role": "assistant", "content": _words(r, r.randint(20, 200))}
    body: dict = {"model": "gpt-4o-2024-08-06", "messages": msgs}
    if tools:
        body["tools"] = tools
    return {"id": f"req-{i}", "created": 1741000000 + i, "request": body,
            "response": {"model": "gpt-4o-2024-08-06", "choices": [{"index": 0, "message": answer}]}}


def write_unique(path: Path, mb: float, seed: int = 3) -> Path:
    if not path.exists():
        r, size, i = random.Random(seed), 0, 0
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            while size < mb * 1e6:
                line = json.dumps(_unique_record(r, i)) + "\n"
                fh.write(line)
                size += len(line)
                i += 1
        tmp.rename(path)
    return path


def write_sample(path: Path, mb: float, *, usage: bool) -> Path:
    if not path.exists():
        from advisor.samples import write_sample_logs
        days = max(1, int(round(14 * mb / 8.5)))  # the sample for 14 days is ~8.5 MB without usage
        tmp = path.with_suffix(".tmp")
        write_sample_logs(tmp, days=days, no_usage_share=0.0 if usage else 1.0, seed=11)
        tmp.rename(path)
    return path


def texts_of(path: Path) -> list[str]:
    """Every string the log holds that an encoder would see: the baseline's input."""
    out: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            body = rec["request"]
            out += [m["content"] for m in body["messages"] if isinstance(m.get("content"), str)]
            if body.get("tools"):
                out.append(json.dumps(body["tools"]))
            msg = rec["response"]["choices"][0]["message"]
            if msg.get("content"):
                out.append(msg["content"])
            for call in msg.get("tool_calls") or []:
                out += [call["function"]["name"], call["function"]["arguments"]]
    return out


def _clock(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall s until ``fn`` returns, CPU s of this process and of its worker processes). A read returns with its
    workers still exiting: the wall time stops at the return (what a caller waits), the CPU time after they have
    exited (their CPU is counted only then), so that no run's workers are charged to the next."""
    from advisor.logs.dispatch import wait_for_workers

    def cpu() -> float:
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
    c0, t0 = cpu(), time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    wait_for_workers()
    return wall, cpu() - c0


def _parse_each(loads: Callable[[bytes], object], lines: list[bytes]) -> None:
    """Parse every line, keeping no value: the parser's own speed."""
    for x in lines:
        loads(x)


def measure(corpora: dict[str, Path], usage: Path, reps: int) -> dict:
    import orjson

    from advisor.logs import read_logs
    from advisor.tokens import get_encoding, get_ft_tokenizer

    enc = get_encoding("o200k_base")  # loaded outside the timings, as a long-running process has them
    get_ft_tokenizer("mistral-v1")
    texts = {name: texts_of(p) for name, p in corpora.items()}
    usage_lines = usage.read_bytes().splitlines()
    paths = {
        "default": lambda p, t: read_logs(p),
        "api_only": lambda p, t: read_logs(p, ft_tokenizer=None),
        "one_process": lambda p, t: read_logs(p, processes=1),
        "tiktoken_batch2": lambda p, t: enc.encode_ordinary_batch(t, num_threads=2),
        "tiktoken_loop": lambda p, t: [len(enc.encode_ordinary(x)) for x in t],
    }
    times: dict[str, list[tuple[float, float]]] = {}
    for rep in range(reps):
        for name, path in corpora.items():
            order = list(paths)
            random.Random(rep).shuffle(order)
            for key in order:
                run = paths[key]
                times.setdefault(f"{name}.{key}", []).append(
                    _clock(lambda run=run, path=path, t=texts[name]: run(path, t)))
        times.setdefault("usage.read", []).append(_clock(lambda: read_logs(usage, ft_tokenizer=None)))
        times.setdefault("usage.read_one_process", []).append(
            _clock(lambda: read_logs(usage, ft_tokenizer=None, processes=1)))
        times.setdefault("usage.orjson", []).append(_clock(lambda: _parse_each(orjson.loads, usage_lines)))
        times.setdefault("usage.orjson_kept", []).append(_clock(lambda: [orjson.loads(x) for x in usage_lines]))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    out: dict = {"load_average_before": None, "cores": os.cpu_count(), "reps": reps}
    for name, path in corpora.items():
        mb = path.stat().st_size / 1e6
        b_wall, b_cpu = med[f"{name}.tiktoken_batch2"]
        out[name] = {
            "file_mb": round(mb, 1),
            **{f"{k}_wall_s": round(med[f"{name}.{k}"][0], 2) for k in paths},
            **{f"{k}_cpu_s": round(med[f"{name}.{k}"][1], 2) for k in paths},
            "ratio_default_vs_batch2": round(b_wall / med[f"{name}.default"][0], 3),
            "ratio_api_only_vs_batch2": round(b_wall / med[f"{name}.api_only"][0], 3),
            "ratio_one_process_vs_batch2": round(b_wall / med[f"{name}.one_process"][0], 3),
            "ratio_one_process_vs_loop_per_cpu_s": round(med[f"{name}.tiktoken_loop"][1]
                                                         / med[f"{name}.one_process"][1], 3),
            "walls_default_s": [round(w, 2) for w, _ in times[f"{name}.default"]],
        }
    mb = usage.stat().st_size / 1e6
    (rw, rc), (ow, oc), (pw, pc) = med["usage.read"], med["usage.orjson"], med["usage.read_one_process"]
    kw = med["usage.orjson_kept"][0]
    out["usage"] = {"file_mb": round(mb, 1), "read_mb_per_s": round(mb / rw, 1),
                    "orjson_kept_mb_per_s": round(mb / kw, 1), "ratio_vs_orjson_kept_wall": round(kw / rw, 3),
                    "read_one_process_mb_per_s": round(mb / pw, 1), "orjson_mb_per_s": round(mb / ow, 1),
                    "read_mb_per_cpu_s": round(mb / rc, 1), "read_one_process_mb_per_cpu_s": round(mb / pc, 1),
                    "orjson_mb_per_cpu_s": round(mb / oc, 1), "ratio_vs_orjson_wall": round(ow / rw, 3),
                    "ratio_vs_orjson_per_cpu_s": round(oc / rc, 3),
                    "ratio_one_process_vs_orjson_wall": round(ow / pw, 3),  # beside the goal's (default path) ratio
                    "ratio_one_process_vs_orjson_per_cpu_s": round(oc / pc, 3),
                    # each repetition's read against the orjson parse that follows it (the spread between runs)
                    "ratios_vs_orjson_wall_per_rep": [round(o / r, 3) for (r, _), (o, _) in
                                                      zip(times["usage.read"], times["usage.orjson"])]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=100.0, help="size of each corpus (default 100 MB)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions (default 3; medians reported)")
    ap.add_argument("--only", choices=["all", "usage"], default="all",
                    help="'usage': the usage-present path only (no tokenizer corpora)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    tag = f"{a.mb:g}mb"
    corpora = {} if a.only == "usage" else {
        "sample": write_sample(OUT / f"ingest-sample-{tag}.jsonl", a.mb, usage=False),
        "unique": write_unique(OUT / f"ingest-unique-{tag}.jsonl", a.mb)}
    usage = write_sample(OUT / f"ingest-sample-usage-{tag}.jsonl", a.mb, usage=True)
    load = os.getloadavg()
    out = measure(corpora, usage, a.reps)
    out["load_average_before"] = [round(x, 2) for x in load]
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return emit(out, a.json)


if __name__ == "__main__":
    raise SystemExit(main())
