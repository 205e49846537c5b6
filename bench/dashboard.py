"""Dashboard re-run time after a widget change, on a log of 100,000 requests.

    python bench/dashboard.py [--requests 100000] [--json]

Uploads the generated log through AppTest (read once, then cached in the session), then changes
widgets one at a time and times each re-run: volume, horizon, growth, scale-to-zero, task.
Reports the median and worst re-run, and as the raw baseline the same analysis called directly
(``advisor.analysis.analyse``), so ``overhead_ratio`` = rerun / analyse. Goal: re-run < 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _report import emit  # noqa: E402
OUT = ROOT / "bench" / "out"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    from streamlit.testing.v1 import AppTest

    from advisor import Scenario
    from advisor.analysis import analyse
    from advisor.logs import read_logs
    from advisor.samples import write_sample_logs
    from advisor.workload import profile_tasks

    OUT.mkdir(parents=True, exist_ok=True)
    scale = a.requests / 25_000  # the sample at scale 1 logs ~25k requests over 14 days
    path = OUT / f"dashboard-{a.requests}.jsonl.gz"  # gzipped: the upload stays under the 200 MB limit
    if not path.exists():
        write_sample_logs(path, scale=scale)
    data = path.read_bytes()

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["source"] = "upload logs"
    at.run()
    t = time.perf_counter()
    at.file_uploader(key="upload").set_value((path.name, data, "application/json")).run()
    first = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]

    changes = [("rpd", lambda: at.number_input(key="rpd").set_value(50_000)),
               ("horizon", lambda: at.slider(key="horizon").set_value(24)),
               ("growth", lambda: at.slider(key="growth").set_value(5)),
               ("scale_to_zero", lambda: at.toggle(key="scale_to_zero").set_value(True)),
               ("task", lambda: at.selectbox(key="task").set_value("product-copy")),
               ("rpd again", lambda: at.number_input(key="rpd").set_value(80_000))]
    times = {}
    for name, change in changes:
        change()
        t = time.perf_counter()
        at.run()
        times[name] = time.perf_counter() - t
        assert not at.exception

    frame = read_logs(path).frame
    ws = profile_tasks(frame, requests_per_day=80_000)
    t = time.perf_counter()
    analyse(ws, Scenario(ws["all"]), task="product-copy")
    raw = time.perf_counter() - t
    med = statistics.median(times.values())
    out = {"requests_logged": int(frame["requests"].sum()), "first_load_s": round(first, 2),
           "rerun_median_ms": round(med * 1e3, 1), "rerun_worst_ms": round(max(times.values()) * 1e3, 1),
           "reruns_ms": {k: round(v * 1e3, 1) for k, v in times.items()},
           "analyse_ms": round(raw * 1e3, 1), "overhead_ratio": round(med / raw, 2)}
    return emit(out, a.json)


if __name__ == "__main__":
    raise SystemExit(main())
