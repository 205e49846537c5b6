"""Reading at organisation scale: a Dask cluster against one process, start-up, memory on large records, many
small files.

    python bench/scale.py [--only cluster,startup,memory,files] [--gb 1] [--json]

- ``cluster``: a ``--gb`` GB log (the unique-prompt corpus of bench/ingest.py, in 10 files) read by one process
  (processes=1) and by a LocalCluster of 2 worker processes (``workers=2``); wall seconds, and the totals compared:
  API token totals must be equal, 7B totals within the reported sampling interval. Goal: >= 1.5x.
- ``startup``: ``python -m advisor --help`` against ``python -c "import pandas"``, 7 runs each, interleaved, medians.
  Goal: no slower.
- ``memory``: peak RSS on an 869 MB file of 2,500 records of ~350 KB, in a child process: ``count`` as users run
  it (its own peak and its largest worker process's), then ``read_logs(processes=1)``. Goal: <= 400 MB.
- ``files``: 10,000 one-record files against the same records in one file (one process and the default), after a
  warm-up read, three repetitions, medians (wall, and CPU seconds of this process). Goal: within 3x.
The machine's load average is reported with the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import emit  # noqa: E402
from ingest import OUT, write_sample, write_unique  # noqa: E402

_TOTALS = ("requests", "prompt_tokens", "completion_tokens", "cached_tokens", "skipped")


def cluster(gb: float) -> dict:
    from advisor.logs import read_logs

    parts = [write_unique(OUT / f"scale-unique-{gb:g}gb-{i}.jsonl", gb * 1000 / 10, seed=100 + i) for i in range(10)]
    mb = sum(p.stat().st_size for p in parts) / 1e6
    t = time.perf_counter()
    one = read_logs(parts, processes=1)
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    two = read_logs(parts, workers=2)
    t_two = time.perf_counter() - t
    a, b = one.summary(), two.summary()
    ft_one, ft_two = a["ft_prompt_tokens"], b["ft_prompt_tokens"]
    return {"mb": round(mb), "one_process_s": round(t_one, 1), "local_cluster_2_workers_s": round(t_two, 1),
            "speedup": round(t_one / t_two, 2), "api_totals_equal": all(a[k] == b[k] for k in _TOTALS),
            "requests": a["requests"], "ft_prompt_tokens_one_process": ft_one,
            "ft_prompt_tokens_cluster": ft_two,
            "ft_prompt_relative_difference": round(abs(ft_two - ft_one) / ft_one, 6) if ft_one else None,
            "ft_sampling_notes": [x for x in b["assumptions"] if "95% CI" in x][:2]}


def startup(runs: int = 7) -> dict:
    cmds = {"advisor_help": [sys.executable, "-m", "advisor", "--help"],
            "import_pandas": [sys.executable, "-c", "import pandas"]}
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            t = time.perf_counter()
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
            times[k].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"advisor_help_s": round(med["advisor_help"], 3), "import_pandas_s": round(med["import_pandas"], 3),
            "ratio": round(med["advisor_help"] / med["import_pandas"], 2),
            "runs": {k: [round(x, 2) for x in v] for k, v in times.items()}}


def _large_records(path: Path) -> Path:
    """2,500 records of ~350 KB (~869 MB): long chat histories, each request different (turns cut at random
    places out of a 4 MB text of random words)."""
    if not path.exists():
        r = random.Random(5)
        words = "the a of to and in for with on is it this that as be by order refund account please".split()
        text = " ".join(r.choice(words) for _ in range(1_000_000))
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for i in range(2500):
                turns = []
                for k in range(24):
                    at = r.randrange(len(text) - 15_000)
                    turns.append({"role": "user" if k % 2 == 0 else "assistant", "content": text[at:at + 14_400]})
                rec = {"id": f"big-{i}", "created": 1741000000 + i, "request": {
                    "model": "gpt-4o", "messages": [{"role": "system", "content": f"Agent {i}."}] + turns},
                    "response": {"choices": [{"message": {"role": "assistant", "content": "done"}}]}}
                fh.write(json.dumps(rec) + "\n")
        tmp.rename(path)
    return path


def memory() -> dict:
    path = _large_records(OUT / "scale-large-records.jsonl")
    out: dict = {"file_mb": round(path.stat().st_size / 1e6)}
    # the default `count` (this process and worker processes: each one's peak), then one process (processes=1)
    runs = {"count_default": "from advisor.cli import main; main(['count', sys.argv[1], '--json', '--no-progress'])",
            "processes_1": "import json; from advisor.logs import read_logs; "
                           "print(json.dumps(read_logs(sys.argv[1], processes=1).summary()))"}
    for label, body in runs.items():
        code = (f"import resource, sys\nif __name__ == '__main__':\n    {body}\n    "
                "from advisor.logs.dispatch import wait_for_workers; wait_for_workers()\n    "  # workers reaped
                "s = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
                "c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; print(s, c, file=sys.stderr)")
        t = time.perf_counter()
        p = subprocess.run([sys.executable, "-c", code, str(path)], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                           capture_output=True, text=True, check=True)
        self_kb, child_kb = (int(x) for x in p.stderr.split()[-2:])
        out[label] = {"records": json.loads(p.stdout)["requests"], "peak_rss_mb_main_process": round(self_kb / 1024),
                      "peak_rss_mb_largest_worker": round(child_kb / 1024) if child_kb else None,
                      "seconds": round(time.perf_counter() - t, 1)}
    return out


def _many_files(n: int) -> tuple[Path, Path]:
    """``n`` one-record files of the sample corpus (without usage, so every record is counted) and one file with the
    same records in the same order. The first ``n`` lines of the 100 MB sample (~25,000 records of ~3.9 KB): the
    10 MB sample holds only 2,553, which the folder ``scale-10000-files`` of earlier runs was cut from."""
    folder, one = OUT / f"scale-files-{n}", OUT / f"scale-files-{n}-one.jsonl"
    if not one.exists():
        sample = write_sample(OUT / "ingest-sample-100mb.jsonl", 100, usage=False)
        with open(sample, encoding="utf-8") as fh:
            lines = [line for _, line in zip(range(n), fh)]
        if len(lines) < n:
            raise SystemExit(f"{sample} holds {len(lines)} records, fewer than {n}")
        folder.mkdir(parents=True, exist_ok=True)
        for i, line in enumerate(lines):
            (folder / f"call-{i:05d}.jsonl").write_text(line, encoding="utf-8")
        tmp = one.with_suffix(".tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        tmp.rename(one)
    return folder, one


def files(n: int = 10_000, reps: int = 3) -> dict:
    """Wall and CPU seconds (this process) of the many files and of the one file, read one after the other in each
    of ``reps`` repetitions, after a warm-up read (imports, tokenizer tables); medians."""
    from advisor.logs import read_logs

    folder, one = _many_files(n)
    glob = str(folder / "call-*.jsonl")
    read_logs(folder / "call-00000.jsonl", processes=1)  # warm-up: the first read loads the tokenizers
    out: dict = {"files": len(list(folder.glob("call-*.jsonl"))), "records_in_one_file": n, "reps": reps}
    for label, kw in (("one_process", {"processes": 1}), ("default", {})):
        runs: dict[str, list[float]] = {k: [] for k in ("many_wall", "one_wall", "many_cpu", "one_cpu")}
        equal = True
        for _ in range(reps):
            results = {}
            for which, target in (("many", [glob]), ("one", one)):
                t, c = time.perf_counter(), time.process_time()
                results[which] = read_logs(target, **kw).summary()
                runs[f"{which}_wall"].append(time.perf_counter() - t)
                runs[f"{which}_cpu"].append(time.process_time() - c)
            equal = equal and all(results["many"][k] == results["one"][k] for k in _TOTALS)
        med = {k: statistics.median(v) for k, v in runs.items()}
        out[label] = {"many_files_s": round(med["many_wall"], 2), "one_file_s": round(med["one_wall"], 2),
                      "ratio": round(med["many_wall"] / med["one_wall"], 2),
                      "ratio_cpu_s": round(med["many_cpu"] / med["one_cpu"], 2),
                      "ratios_per_rep": [round(a / b, 2) for a, b in zip(runs["many_wall"], runs["one_wall"])],
                      "totals_equal": equal}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="cluster,startup,memory,files")
    ap.add_argument("--gb", type=float, default=1.0, help="size of the cluster benchmark's log (default 1 GB)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    out: dict = {"load_average_before": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count()}
    steps = {"cluster": lambda: cluster(a.gb), "startup": startup, "memory": memory, "files": files}
    for name in a.only.split(","):
        out[name] = steps[name]()
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    out["peak_rss_mb_this_process"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return emit(out, a.json)


if __name__ == "__main__":
    raise SystemExit(main())
